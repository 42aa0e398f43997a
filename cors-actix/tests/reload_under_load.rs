//! Reloads under load, on a real server with two workers: client threads
//! send preflights and actual requests from origins that flip in and out of
//! the configuration, while another thread reloads every millisecond for 10
//! seconds. Every answer must be the answer of one of the two
//! configurations, whole: what the same request gets from an App built with
//! that configuration alone.

use actix_web::dev::Service;
use actix_web::test::{init_service, TestRequest};
use actix_web::{error, put, web, App, HttpResponse, HttpServer};
use cors_actix::{cors, Cors, CorsBuilder};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BOTH: &str = "https://both.example";
const A_ONLY: &str = "https://a-only.example";
const B_ONLY: &str = "https://b-only.example";

/// The two configurations, differing in every key a response shows.
fn config(a: bool) -> CorsBuilder {
    let (origin, header, exposed, max_age) = match a {
        true => (A_ONLY, "x-a", "x-from-a", 100),
        false => (B_ONLY, "x-b", "x-from-b", 200),
    };
    Cors::builder()
        .origins([BOTH, origin])
        .headers([header])
        .expose([exposed])
        .max_age(max_age)
        // A state-changing request from an origin not allowed is refused
        // before routing: decided when the request arrives, while its
        // headers are written when its response is finished.
        .strict(true)
}

/// Sleeps a little, so that reloads happen while requests are in flight;
/// one request in three fails, so that the error's response is finished
/// too.
#[cors]
#[put("/items/{id}")]
async fn item(id: web::Path<u64>) -> actix_web::Result<HttpResponse> {
    actix_web::rt::time::sleep(Duration::from_micros(500 * (*id % 4))).await;
    match *id % 3 {
        0 => Err(error::ErrorConflict("taken")),
        _ => Ok(HttpResponse::Ok().finish()),
    }
}

async fn plain(id: web::Path<u64>) -> HttpResponse {
    actix_web::rt::time::sleep(Duration::from_micros(500 * (*id % 4))).await;
    HttpResponse::Ok().finish()
}

fn app(
    cors: Cors,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new()
        .wrap(cors)
        .service(item)
        .route("/plain/{id}", web::get().to(plain))
}

/// One kind of request: method, path, origin, and for a preflight the
/// requested method and headers.
struct Kind {
    method: &'static str,
    path: &'static str,
    origin: &'static str,
    preflight: Option<(&'static str, &'static str)>,
}

const KINDS: [Kind; 7] = [
    Kind {
        method: "OPTIONS",
        path: "/items",
        origin: BOTH,
        preflight: Some(("PUT", "x-a")),
    },
    Kind {
        method: "OPTIONS",
        path: "/items",
        origin: A_ONLY,
        preflight: Some(("PUT", "")),
    },
    Kind {
        method: "OPTIONS",
        path: "/items",
        origin: B_ONLY,
        preflight: Some(("PUT", "x-b")),
    },
    Kind {
        method: "PUT",
        path: "/items",
        origin: A_ONLY,
        preflight: None,
    },
    Kind {
        method: "PUT",
        path: "/items",
        origin: BOTH,
        preflight: None,
    },
    Kind {
        method: "GET",
        path: "/plain",
        origin: B_ONLY,
        preflight: None,
    },
    Kind {
        method: "GET",
        path: "/plain",
        origin: BOTH,
        preflight: None,
    },
];

/// What a response shows of its configuration.
const SHOWN: [&str; 7] = [
    "access-control-allow-origin",
    "access-control-allow-credentials",
    "access-control-allow-methods",
    "access-control-allow-headers",
    "access-control-expose-headers",
    "access-control-max-age",
    "vary",
];

type Fingerprint = (u16, Vec<Option<String>>);

/// How often each kind of request, with each id, got each answer.
type Counts = BTreeMap<(usize, u64, Fingerprint), u64>;

fn fingerprint(status: u16, get: impl Fn(&str) -> Option<String>) -> Fingerprint {
    (status, SHOWN.iter().map(|name| get(name)).collect())
}

/// Sends one request on a kept-alive connection and reads its answer.
fn exchange(
    writer: &mut TcpStream,
    reader: &mut BufReader<TcpStream>,
    kind: &Kind,
    id: u64,
) -> std::io::Result<Fingerprint> {
    let mut request = format!(
        "{} {}/{id} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {}\r\n",
        kind.method, kind.path, kind.origin
    );
    if let Some((method, headers)) = kind.preflight {
        request.push_str(&format!("Access-Control-Request-Method: {method}\r\n"));
        if !headers.is_empty() {
            request.push_str(&format!("Access-Control-Request-Headers: {headers}\r\n"));
        }
    }
    request.push_str("Content-Length: 0\r\n\r\n");
    writer.write_all(request.as_bytes())?;
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status: u16 = line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("status line {line:?}")))?;
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let trimmed = line.trim_end();
        if trimmed.is_empty() {
            break;
        }
        let (name, value) = trimmed
            .split_once(':')
            .ok_or_else(|| std::io::Error::other(format!("header {trimmed:?}")))?;
        headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
    }
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap_or(0));
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(fingerprint(status, |name| {
        let values: Vec<&str> = headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect();
        (!values.is_empty()).then(|| values.join(", "))
    }))
}

/// What an App built with one configuration alone answers.
async fn reference(a: bool) -> BTreeMap<(usize, u64), Fingerprint> {
    let service = init_service(app(config(a).build().unwrap())).await;
    let mut answers = BTreeMap::new();
    for (k, kind) in KINDS.iter().enumerate() {
        // The handlers' behaviour depends on the id modulo 12.
        for id in 0..12 {
            let mut req = TestRequest::default()
                .method(kind.method.parse().unwrap())
                .uri(&format!("{}/{id}", kind.path))
                .insert_header(("Origin", kind.origin));
            if let Some((method, headers)) = kind.preflight {
                req = req.insert_header(("Access-Control-Request-Method", method));
                if !headers.is_empty() {
                    req = req.insert_header(("Access-Control-Request-Headers", headers));
                }
            }
            let res = service.call(req.to_request()).await.unwrap();
            let print = fingerprint(res.status().as_u16(), |name| {
                let values: Vec<&str> = res
                    .headers()
                    .get_all(name)
                    .map(|v| v.to_str().unwrap())
                    .collect();
                (!values.is_empty()).then(|| values.join(", "))
            });
            answers.insert((k, id), print);
        }
    }
    answers
}

#[actix_web::test]
async fn every_answer_during_reloads_is_one_configurations_whole() {
    const RUN: Duration = Duration::from_secs(10);
    const CLIENTS: usize = 4;
    let (cors, handle) = config(true).build_reloadable().unwrap();
    let server = HttpServer::new(move || app(cors.clone()))
        .workers(2)
        .bind(("127.0.0.1", 0))
        .unwrap();
    let addr: SocketAddr = server.addrs()[0];
    let server = server.run();
    let server_handle = server.handle();
    actix_web::rt::spawn(server);

    let (under_a, under_b) = (reference(true).await, reference(false).await);
    // Every kind of request tells the configurations apart, for some id.
    for k in 0..KINDS.len() {
        assert!(
            (0..12).any(|id| under_a[&(k, id)] != under_b[&(k, id)]),
            "kind {k} does not tell the configurations apart"
        );
    }

    let stop = Arc::new(AtomicBool::new(false));
    let reloads = Arc::new(AtomicU64::new(0));
    let reloader = {
        let (stop, reloads, handle) = (stop.clone(), reloads.clone(), handle.clone());
        std::thread::spawn(move || {
            let mut a = true;
            while !stop.load(Ordering::Relaxed) {
                a = !a;
                handle.reload(config(a)).unwrap();
                reloads.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(1));
            }
        })
    };
    let seen: Arc<Mutex<Counts>> = Arc::default();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|client| {
            let (stop, seen) = (stop.clone(), seen.clone());
            std::thread::spawn(move || -> std::io::Result<()> {
                let mut writer = TcpStream::connect(addr)?;
                writer.set_nodelay(true)?;
                let mut reader = BufReader::new(writer.try_clone()?);
                let mut counts = Counts::new();
                let mut n = client as u64;
                while !stop.load(Ordering::Relaxed) {
                    let k = (n % KINDS.len() as u64) as usize;
                    let id = (n / KINDS.len() as u64) % 12;
                    let print = exchange(&mut writer, &mut reader, &KINDS[k], id)?;
                    *counts.entry((k, id, print)).or_default() += 1;
                    n += 1;
                }
                let mut seen = seen.lock().unwrap();
                for (key, count) in counts {
                    *seen.entry(key).or_default() += count;
                }
                Ok(())
            })
        })
        .collect();

    let started = Instant::now();
    while started.elapsed() < RUN {
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.join().unwrap().unwrap();
    }
    reloader.join().unwrap();
    server_handle.stop(true).await;

    let (mut total, mut only_a, mut only_b, mut errors) = (0u64, 0u64, 0u64, 0u64);
    let mut mixed = Vec::new();
    for ((k, id, print), count) in seen.lock().unwrap().iter() {
        total += count;
        if print.0 >= 500 {
            errors += count;
        }
        let (a, b) = (&under_a[&(*k, *id)] == print, &under_b[&(*k, *id)] == print);
        match (a, b) {
            (true, false) => only_a += count,
            (false, true) => only_b += count,
            (true, true) => {}
            (false, false) => mixed.push((KINDS[*k].method, KINDS[*k].origin, *id, print.clone())),
        }
    }
    let reloads = reloads.load(Ordering::Relaxed);
    println!(
        "{total} requests from {CLIENTS} clients to 2 workers in {RUN:?} while {reloads} reloads ran: \
         {only_a} answered as configuration A alone would, {only_b} as B alone would, the rest as both would; \
         {} matched neither, {errors} were 5xx",
        mixed.len()
    );
    assert!(
        mixed.is_empty(),
        "answers of neither configuration: {mixed:#?}"
    );
    assert_eq!(errors, 0);
    assert!(reloads > 1000, "{reloads} reloads");
    // Both configurations answered many times: the reloads took effect.
    assert!(only_a > 100 && only_b > 100, "A {only_a}, B {only_b}");
}
