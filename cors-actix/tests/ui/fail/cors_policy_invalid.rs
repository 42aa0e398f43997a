use cors_actix::cors_policy;

cors_policy! {
    /// Shared by the admin routes.
    pub ADMIN { origins = ["https://admin.example.com/"], headers = ["cookie"] }
}

fn main() {}
