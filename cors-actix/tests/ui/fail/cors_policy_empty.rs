use cors_actix::cors_policy;

cors_policy! {
    pub ADMIN {}
}

fn main() {}
