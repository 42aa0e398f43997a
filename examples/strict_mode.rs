//! Strict mode: a cross-site form POST is stopped before its side effect.
//!
//! CORS only decides whether a page may *read* a response. A plain HTML
//! form, or `fetch(url, { method: "POST", mode: "no-cors" })`, sends a
//! "simple" POST without any preflight: without strict mode it reaches the
//! handler, which moves the money, and only the reading of the answer is
//! refused. With [`CorsBuilder::strict`](cors_actix::CorsBuilder::strict),
//! `Cors` answers state-changing requests (POST, PUT, PATCH, DELETE) from
//! origins the route does not allow with 403 before anything runs.
//! Same-origin requests and requests without `Origin` (curl, other servers)
//! still pass. Keep CSRF tokens and `SameSite` cookies too: this is defence
//! in depth.
//!
//! ```text
//! cargo run --example strict_mode
//!
//! # What a form on https://evil.example sends: 403, the balance is unchanged.
//! curl -i -X POST http://localhost:8080/transfer -d amount=100 \
//!   -H 'Origin: https://evil.example' -H 'Sec-Fetch-Site: cross-site'
//! curl http://localhost:8080/balance
//!
//! # From the bank's own frontend: 200, the balance drops.
//! curl -i -X POST http://localhost:8080/transfer -d amount=100 \
//!   -H 'Origin: https://bank.example'
//!
//! # Without strict mode the cross-site POST moves the money (the browser
//! # would only hide the answer from the attacker's page):
//! STRICT=0 cargo run --example strict_mode
//! ```

use actix_web::{get, post, web, App, HttpResponse, HttpServer, Responder};
use cors_actix::{cors, Cors};
use std::sync::atomic::{AtomicI64, Ordering};

static BALANCE: AtomicI64 = AtomicI64::new(1_000);

/// The form body of `POST /transfer`.
#[derive(serde::Deserialize)]
struct Transfer {
    amount: i64,
}

#[cors(origins = ["https://bank.example"])]
#[post("/transfer")]
async fn transfer(form: web::Form<Transfer>) -> impl Responder {
    let left = BALANCE.fetch_sub(form.amount, Ordering::SeqCst) - form.amount;
    log::warn!("transferred {}, balance {left}", form.amount);
    HttpResponse::Ok().body(format!("balance {left}\n"))
}

#[cors(origins = ["https://bank.example"])]
#[get("/balance")]
async fn balance() -> impl Responder {
    HttpResponse::Ok().body(format!("balance {}\n", BALANCE.load(Ordering::SeqCst)))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    env_logger::Builder::from_env(
        env_logger::Env::default().default_filter_or("cors_actix=info,strict_mode=info"),
    )
    .init();
    let strict = std::env::var("STRICT").map_or(true, |v| v != "0");
    let cors = Cors::builder()
        .strict(strict)
        .build()
        .map_err(std::io::Error::other)?;
    println!(
        "bank API on http://localhost:8080, strict mode {}",
        if strict { "on" } else { "off" }
    );
    HttpServer::new(move || {
        App::new()
            .wrap(cors.clone())
            .service(transfer)
            .service(balance)
    })
    .bind(("127.0.0.1", 8080))?
    .run()
    .await
}
