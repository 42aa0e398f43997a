// A note, not an error: `max_age` above Chrome's cap compiles with a
// warning (see `ui/pass/max_age_warning.rs`). Denying the lint the warning
// is reported through turns it into an error, so its text and span are
// checked here.
#![deny(deprecated)]

use actix_web::get;
use cors_actix::cors;

#[cors(origins = ["https://app.example.com"], max_age = 10000)]
#[get("/items")]
async fn handler() -> &'static str {
    "ok"
}

fn main() {
    let _ = handler;
}
