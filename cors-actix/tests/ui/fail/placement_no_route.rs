use cors_actix::cors;

#[cors(origins = ["https://app.example.com"])]
async fn handler() -> &'static str {
    "ok"
}

fn main() {}
