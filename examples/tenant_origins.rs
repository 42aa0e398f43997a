//! Tenants' origins in a database, applied while the server runs.
//!
//! A SaaS whose customers bring their own domains keeps their origins in a
//! table. Here the table is in SQLite; a thread polls it every two seconds
//! and, when it changed, reloads the App defaults through the
//! [`CorsHandle`] that `build_reloadable()` gave. The reload validates the
//! new origins and resolves every route again off the request path; requests
//! that arrive after it get the new configuration, requests in flight finish
//! on theirs. A bad origin typed into the table is refused by the reload,
//! logged, and changes nothing.
//!
//! ```text
//! cargo run --example tenant_origins
//! ```
//!
//! Open <http://127.0.0.1:8001/>. Its origin is not a tenant, so its calls
//! to the API on `http://127.0.0.1:8081` are blocked. Press "Add": within
//! two seconds the calls work, without a restart. "Remove" blocks them
//! again. The API's log shows each reload (`CORS reload N in force: App
//! defaults +1 (...)`).
//!
//! Several instances behind a load balancer each poll the same database,
//! so they converge within one polling interval of each other. `TENANTS_DB`
//! names the database file (a file in the temporary directory by default),
//! `TENANTS_POLL_MS` the interval (2000), `API_PORT` and `PAGE_PORT` the
//! ports (8081, 8001).

use actix_web::{delete, get, post, web, App, HttpResponse, HttpServer, Responder};
use cors_actix::{cors, Cors, CorsBuilder, CorsHandle};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

/// The SaaS's own front end, a tenant of every configuration.
const OWN_APP: &str = "https://app.example.com";

/// A number from the environment, or `default`.
fn setting<T: std::str::FromStr>(var: &str, default: T) -> T {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What the tenants' front ends call. Its origins are the App defaults,
/// which the database sets.
#[cors]
#[get("/api/greeting")]
async fn greeting() -> impl Responder {
    HttpResponse::Ok().body("hello from the API")
}

/// The App defaults for these tenants.
fn defaults(tenants: &[String]) -> CorsBuilder {
    let origins = std::iter::once(OWN_APP).chain(tenants.iter().map(String::as_str));
    Cors::builder().origins(origins).max_age(60)
}

fn open(path: &Path) -> rusqlite::Result<Connection> {
    let db = Connection::open(path)?;
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS tenant_origins (
             origin TEXT PRIMARY KEY,
             added TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
         )",
    )?;
    Ok(db)
}

fn tenants(db: &Connection) -> rusqlite::Result<Vec<String>> {
    let mut query = db.prepare_cached("SELECT origin FROM tenant_origins ORDER BY origin")?;
    let rows = query.query_map([], |row| row.get(0))?;
    rows.collect()
}

/// Reads the table every `every`; reloads when it changed.
fn poll(db: Connection, handle: CorsHandle, mut applied: Vec<String>, every: Duration) {
    loop {
        std::thread::sleep(every);
        let now = match tenants(&db) {
            Ok(now) => now,
            Err(error) => {
                log::error!("reading the tenants' origins: {error}");
                continue;
            }
        };
        if now == applied {
            continue;
        }
        // The reload logs what changed; on an error, the configuration in
        // force stays, and the next change of the table is tried again.
        if let Err(error) = handle.reload(defaults(&now)) {
            log::error!("{error}");
        }
        applied = now;
    }
}

/// The tenants, one per line.
#[get("/tenants")]
async fn list(db: web::Data<Mutex<Connection>>) -> HttpResponse {
    let db = db.lock().unwrap_or_else(|e| e.into_inner());
    match tenants(&db) {
        Ok(all) => HttpResponse::Ok().body(all.join("\n")),
        Err(error) => HttpResponse::InternalServerError().body(error.to_string()),
    }
}

/// Adds the origin in the body, checked by the validator first.
#[post("/tenants")]
async fn add(db: web::Data<Mutex<Connection>>, origin: String) -> HttpResponse {
    let origin = origin.trim();
    if let Err(error) = Cors::builder().origins([origin]).build() {
        return HttpResponse::UnprocessableEntity().body(error.to_string());
    }
    let db = db.lock().unwrap_or_else(|e| e.into_inner());
    match db.execute(
        "INSERT OR IGNORE INTO tenant_origins (origin) VALUES (?1)",
        [origin],
    ) {
        Ok(_) => HttpResponse::Created().finish(),
        Err(error) => HttpResponse::InternalServerError().body(error.to_string()),
    }
}

/// Removes the origin in the body.
#[delete("/tenants")]
async fn remove(db: web::Data<Mutex<Connection>>, origin: String) -> HttpResponse {
    let db = db.lock().unwrap_or_else(|e| e.into_inner());
    match db.execute(
        "DELETE FROM tenant_origins WHERE origin = ?1",
        [origin.trim()],
    ) {
        Ok(_) => HttpResponse::NoContent().finish(),
        Err(error) => HttpResponse::InternalServerError().body(error.to_string()),
    }
}

const PAGE: &str = r#"<!doctype html>
<meta charset="utf-8">
<title>Tenant origins, reloaded live</title>
<h1>Tenant origins, reloaded live</h1>
<p>This page's origin: <code id="me"></code>
  <button id="add">Add it as a tenant</button> <button id="remove">Remove it</button></p>
<p>Tenants in the database: <code id="list"></code></p>
<p>Calling <code>API/api/greeting</code> every second: <strong id="status">…</strong></p>
<script>
const api = "API";
document.body.innerHTML = document.body.innerHTML.replaceAll("API/", api + "/");
const $ = (id) => document.getElementById(id);
$("me").textContent = location.origin;
async function refresh() {
  $("list").textContent = (await (await fetch("/tenants")).text()).replaceAll("\n", ", ") || "(none)";
  try {
    const response = await fetch(api + "/api/greeting");
    $("status").textContent = "✓ allowed: " + await response.text();
  } catch {
    $("status").textContent = "✗ blocked by CORS: this origin is not a tenant (yet)";
  }
}
$("add").onclick = async () => {
  const response = await fetch("/tenants", { method: "POST", body: location.origin });
  if (!response.ok) alert(await response.text());
  refresh();
};
$("remove").onclick = async () => {
  await fetch("/tenants", { method: "DELETE", body: location.origin });
  refresh();
};
setInterval(refresh, 1000);
refresh();
</script>
"#;

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    env_logger::Builder::from_env(
        env_logger::Env::default().default_filter_or("cors_actix=info,tenant_origins=info"),
    )
    .format_timestamp(None)
    .init();
    let path: PathBuf = std::env::var_os("TENANTS_DB").map_or_else(
        || std::env::temp_dir().join("cors-actix-tenants.sqlite"),
        PathBuf::from,
    );
    let fail = |error: &dyn std::fmt::Display| std::io::Error::other(error.to_string());
    let db = open(&path).map_err(|e| fail(&e))?;
    let initial = tenants(&db).map_err(|e| fail(&e))?;
    let (cors, handle) = defaults(&initial)
        .build_reloadable()
        .map_err(|e| fail(&e))?;
    let every = Duration::from_millis(setting("TENANTS_POLL_MS", 2000));
    std::thread::spawn(move || poll(db, handle, initial, every));
    let api_port: u16 = setting("API_PORT", 8081);
    let page_port: u16 = setting("PAGE_PORT", 8001);

    let api = HttpServer::new(move || App::new().wrap(cors.clone()).service(greeting))
        .bind(("127.0.0.1", api_port))?
        .run();
    let admin = web::Data::new(Mutex::new(open(&path).map_err(|e| fail(&e))?));
    let page = PAGE.replace("\"API\"", &format!("\"http://127.0.0.1:{api_port}\""));
    let pages = HttpServer::new(move || {
        let page = page.clone();
        App::new()
            .app_data(admin.clone())
            .service(list)
            .service(add)
            .service(remove)
            .route(
                "/",
                web::get().to(move || {
                    let page = page.clone();
                    async move {
                        HttpResponse::Ok()
                            .content_type("text/html; charset=utf-8")
                            .body(page)
                    }
                }),
            )
    })
    .bind(("127.0.0.1", page_port))?
    .run();
    println!("Tenants' origins in {}", path.display());
    println!("API:  http://127.0.0.1:{api_port}/api/greeting");
    println!("Page: http://127.0.0.1:{page_port}/  <- open this in a browser");
    futures_util::future::try_join(api, pages).await?;
    Ok(())
}
