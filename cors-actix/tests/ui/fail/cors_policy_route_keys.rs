use cors_actix::cors_policy;

cors_policy! {
    pub ADMIN { origins = ["https://admin.example.com"], disable }
}

fn main() {}
