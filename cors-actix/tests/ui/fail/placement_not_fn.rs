use cors_actix::cors;

#[cors(origins = ["https://app.example.com"])]
struct Handler;

fn main() {}
