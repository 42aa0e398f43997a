//! Differential test of the route table against actix-web's own router.
//!
//! Random scope trees are built at run time around a fixed pool of compiled
//! `#[cors]` handlers, `attach` resources and unannotated resources, each
//! answering with its own name. Every policy is told apart by a header of
//! its own (`x-h3` in `Access-Control-Allow-Headers` and `-Expose-Headers`),
//! so each response shows which policy `Cors` applied.
//!
//! - An actual request must get the policy of the handler that served it
//!   (its body names it).
//! - A preflight must get the policy of the handler that an identical App
//!   without `Cors` routes the requested method to.
//!
//! The exceptions are the cases the README names, recognised explicitly
//! below and counted, never tolerated: where no `#[cors]` handler runs (an
//! unannotated or attached route, a 404 or 405), and for preflights whose
//! reference is not an annotated handler, the policy is the one found
//! before routing: the first annotated or attached route, in registration
//! order, whose full pattern matches the path and that serves the method,
//! else the App defaults. The test models that rule with actix-router's own
//! `ResourceDef`s, scope by scope, from the tree it built. For routes whose
//! prefix the report marks unconfirmed, it models the loose reading and the
//! marker probe (a walk of the tree as actix-web's resource map walks it);
//! an unsure lookup must refuse. A preflight whose path no resource matches
//! but finds an annotated route once normalised must be refused.
//!
//! The first request to every App carries a hostile `Host` or
//! `X-Forwarded-*` header. `CORS_DIFFERENTIAL_APPS` sets the number of Apps
//! (default 400, at 28 requests each) and `CORS_DIFFERENTIAL_SEED` the seed.

use actix_web::dev::{ResourceDef, Service, ServiceResponse, Url};
use actix_web::http::{Method, Uri};
use actix_web::{
    delete, get, patch, post, routes, test as atest, web, App, HttpResponse, Responder, Scope,
};
use cors_actix::{attach, cors, Cors, CorsPolicy};
use std::collections::BTreeMap;

const ORIGIN: &str = "https://app.example.com";

macro_rules! handlers {
    ($($name:ident: $(#[$attr:meta])* ;)*) => {
        $(
            $(#[$attr])*
            async fn $name() -> impl Responder {
                HttpResponse::Ok().body(stringify!($name))
            }
        )*
    };
}

handlers! {
    h0: #[cors(origins = ["https://app.example.com"], headers = ["x-h0"], expose = ["x-h0"])] #[get("/items")];
    h1: #[cors(origins = ["https://app.example.com"], headers = ["x-h1"], expose = ["x-h1"])] #[get("/items/{id}")];
    h2: #[cors(origins = ["https://app.example.com"], headers = ["x-h2"], expose = ["x-h2"])] #[post("/items/{id}")];
    h3: #[cors(origins = ["https://app.example.com"], headers = ["x-h3"], expose = ["x-h3"])] #[get("noslash")];
    h4: #[cors(origins = ["https://app.example.com"], headers = ["x-h4"], expose = ["x-h4"])] #[routes] #[get("/multi")] #[put("/multi")];
    h5: #[cors(origins = ["https://app.example.com"], headers = ["x-h5"], expose = ["x-h5"])] #[get("/files/{tail}*")];
    h6: #[cors(origins = ["https://app.example.com"], headers = ["x-h6"], expose = ["x-h6"])] #[get("/{id:\\d+}")];
    h7: #[cors(origins = ["https://app.example.com"], headers = ["x-h7"], expose = ["x-h7"])] #[delete("/v{ver}/x")];
    h8: #[cors(origins = ["https://app.example.com"], headers = ["x-h8"], expose = ["x-h8"])] #[get("/caf\u{e9}")];
    h9: #[cors(disable)] #[get("/off")];
    h10: #[cors(origins = ["https://app.example.com"], headers = ["x-h10"], expose = ["x-h10"])] #[get("")];
    h11: #[cors(origins = ["https://app.example.com"], headers = ["x-h11"], expose = ["x-h11"])] #[get("/{all:.*}")];
    h12: #[cors(origins = ["https://app.example.com"], headers = ["x-h12"], expose = ["x-h12"])] #[patch("/items/{id}/sub")];
    h13: #[cors(origins = ["https://app.example.com"], headers = ["x-h13"], expose = ["x-h13"])] #[get("/a%2Fb")];
    h14: #[cors(headers = ["x-h14"], expose = ["x-h14"])] #[get("/partial")];
    h15: #[cors(origins = ["https://app.example.com"], headers = ["x-h15"], expose = ["x-h15"])] #[routes] #[post("/items")] #[delete("/items")];
}

/// A route of the pool: how to mount it, its pattern and methods, and the
/// name of its policy (`None`: disabled; unannotated routes have no entry).
#[derive(Clone, Copy)]
struct Leaf {
    kind: Kind,
    pattern: &'static str,
    methods: &'static [&'static str],
    name: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Annotated { policy: Option<&'static str> },
    Attached,
    Plain,
}

const fn annotated(
    name: &'static str,
    pattern: &'static str,
    methods: &'static [&'static str],
) -> Leaf {
    Leaf {
        kind: Kind::Annotated { policy: Some(name) },
        pattern,
        methods,
        name,
    }
}

const POOL: &[Leaf] = &[
    annotated("h0", "/items", &["GET"]),
    annotated("h1", "/items/{id}", &["GET"]),
    annotated("h2", "/items/{id}", &["POST"]),
    annotated("h3", "noslash", &["GET"]),
    annotated("h4", "/multi", &["GET", "PUT"]),
    annotated("h5", "/files/{tail}*", &["GET"]),
    annotated("h6", "/{id:\\d+}", &["GET"]),
    annotated("h7", "/v{ver}/x", &["DELETE"]),
    annotated("h8", "/caf\u{e9}", &["GET"]),
    Leaf {
        kind: Kind::Annotated { policy: None },
        pattern: "/off",
        methods: &["GET"],
        name: "h9",
    },
    annotated("h10", "", &["GET"]),
    annotated("h11", "/{all:.*}", &["GET"]),
    annotated("h12", "/items/{id}/sub", &["PATCH"]),
    annotated("h13", "/a%2Fb", &["GET"]),
    annotated("h14", "/partial", &["GET"]),
    annotated("h15", "/items", &["POST", "DELETE"]),
    Leaf {
        kind: Kind::Attached,
        pattern: "/att/{id}",
        methods: &["GET"],
        name: "a0",
    },
    Leaf {
        kind: Kind::Attached,
        pattern: "att2",
        methods: &["GET", "POST"],
        name: "a1",
    },
    Leaf {
        kind: Kind::Plain,
        pattern: "/items/special",
        methods: &["GET"],
        name: "u0",
    },
    Leaf {
        kind: Kind::Plain,
        pattern: "/{rest:.*}",
        methods: &["GET"],
        name: "u1",
    },
    Leaf {
        kind: Kind::Plain,
        pattern: "/multi",
        methods: &["POST"],
        name: "u2",
    },
    Leaf {
        kind: Kind::Plain,
        pattern: "plain",
        methods: &["GET", "PATCH"],
        name: "u3",
    },
];

const PREFIXES: &[&str] = &[
    "/api",
    "api",
    "/v{n:\\d+}",
    "/{tenant}",
    "/a%2Fb",
    "/caf\u{e9}",
    "/x y",
    "",
    "/api/",
    "/t-{t}",
];

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

const HOSTILE: &[(&str, &str)] = &[
    ("x-forwarded-proto", "1"),
    ("x-forwarded-host", "bad host"),
    ("host", ""),
    ("forwarded", "host=\"a b\""),
    ("host", "[fe80::1%25eth0]:8080"),
];

/// xorshift64*: reproducible without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

enum Node {
    Leaf(Leaf),
    Scope(&'static str, Vec<Node>),
}

fn tree(rng: &mut Rng, depth: usize, used: &mut Vec<&'static str>) -> Vec<Node> {
    let count = 2 + rng.below(5);
    let mut nodes = Vec::new();
    for _ in 0..count {
        if depth < 2 && rng.below(3) == 0 {
            let prefix: &'static str = PREFIXES[rng.below(PREFIXES.len())];
            nodes.push(Node::Scope(prefix, tree(rng, depth + 1, used)));
        } else {
            let leaf = *rng.pick(POOL);
            // A handler is a unit struct: each is mounted once per App.
            if !used.contains(&leaf.name) {
                used.push(leaf.name);
                nodes.push(Node::Leaf(leaf));
            }
        }
    }
    nodes
}

fn plain_resource(leaf: &Leaf) -> actix_web::Resource {
    let mut resource = web::resource(leaf.pattern);
    for method in leaf.methods {
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        let name = leaf.name;
        resource = resource
            .route(web::method(method).to(move || async move { HttpResponse::Ok().body(name) }));
    }
    resource
}

fn mount(scope: Scope, leaf: &Leaf) -> Scope {
    match leaf.name {
        "h0" => scope.service(h0),
        "h1" => scope.service(h1),
        "h2" => scope.service(h2),
        "h3" => scope.service(h3),
        "h4" => scope.service(h4),
        "h5" => scope.service(h5),
        "h6" => scope.service(h6),
        "h7" => scope.service(h7),
        "h8" => scope.service(h8),
        "h9" => scope.service(h9),
        "h10" => scope.service(h10),
        "h11" => scope.service(h11),
        "h12" => scope.service(h12),
        "h13" => scope.service(h13),
        "h14" => scope.service(h14),
        "h15" => scope.service(h15),
        name => match leaf.kind {
            Kind::Attached => scope.service(attach(
                leaf.pattern,
                leaf.methods.iter().copied(),
                CorsPolicy::new()
                    .origins([ORIGIN])
                    .headers([format!("x-{name}")])
                    .expose([format!("x-{name}")]),
                plain_resource(leaf),
            )),
            _ => scope.service(plain_resource(leaf)),
        },
    }
}

/// The whole tree as one scope with an empty prefix, which actix-web routes
/// exactly as the App's own root.
fn build(nodes: &[Node]) -> Scope {
    build_scope("", nodes)
}

fn build_scope(prefix: &'static str, nodes: &[Node]) -> Scope {
    nodes.iter().fold(web::scope(prefix), |s, n| match n {
        Node::Leaf(leaf) => mount(s, leaf),
        Node::Scope(p, c) => s.service(build_scope(p, c)),
    })
}

/// A route of the built App, in registration order, with its chain of
/// `ResourceDef`s as actix-web builds them.
struct Mounted {
    leaf: Leaf,
    chain: Vec<ResourceDef>,
    /// The full pattern as the lookup reads it loosely: each dynamic scope
    /// segment matching any text, one segment or several.
    loose_full: ResourceDef,
    /// The full pattern, for making request paths.
    full: String,
}

/// A scope pattern without the regexes of its segments.
fn loose(prefix: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in prefix.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    out.push_str("{p");
                }
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    out.push('}');
                }
            }
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn flatten(nodes: &[Node], chain: &[ResourceDef], full: &str, out: &mut Vec<Mounted>) {
    for node in nodes {
        match node {
            Node::Leaf(leaf) => {
                let pattern = if leaf.pattern.is_empty() || leaf.pattern.starts_with('/') {
                    leaf.pattern.to_owned()
                } else {
                    format!("/{}", leaf.pattern)
                };
                let mut chain = chain.to_vec();
                chain.push(ResourceDef::new(pattern.as_str()));
                let mut loose_full = String::new();
                for (i, part) in loose(full).split("{p}").enumerate() {
                    if i > 0 {
                        loose_full.push_str(&format!("{{s{i}:.+}}"));
                    }
                    loose_full.push_str(part);
                }
                loose_full.push_str(&pattern);
                out.push(Mounted {
                    leaf: *leaf,
                    chain,
                    loose_full: ResourceDef::new(loose_full),
                    full: format!("{full}{pattern}"),
                });
            }
            Node::Scope(prefix, children) => {
                let def = ResourceDef::root_prefix(prefix);
                let text = def.pattern().unwrap_or("").to_owned();
                let mut chain = chain.to_vec();
                chain.push(def);
                flatten(children, &chain, &format!("{full}{text}"), out);
            }
        }
    }
}

/// Whether the chain matches the path, level by level, as the router does.
fn chain_matches(chain: &[ResourceDef], path: &str) -> bool {
    let mut rest = path;
    for (i, def) in chain.iter().enumerate() {
        if i + 1 == chain.len() {
            return def.is_match(rest);
        }
        match def.find_match(rest) {
            Some(len) => rest = &rest[len..],
            None => return false,
        }
    }
    false
}

/// The documented rule before routing: the first annotated or attached
/// route, in registration order, whose full pattern matches and that serves
/// the method (`None`: none, so the App defaults apply).
///
/// `unconfirmed` are the routes whose prefix the resource map could not
/// confirm (from the report): their scope segments match any one segment,
/// and a match counts only if the path's own prefix, followed by the
/// route's marker, leads the resource map to that marker (`probe`).
fn found_before_routing<'r>(
    tree: &[Node],
    routes: &'r [Mounted],
    unconfirmed: &[&str],
    path: &str,
    method: &str,
) -> Found<'r> {
    for route in routes
        .iter()
        .filter(|r| r.leaf.kind != Kind::Plain && r.leaf.methods.contains(&method))
    {
        if !unconfirmed.contains(&route.leaf.name) {
            if chain_matches(&route.chain, path) {
                return Found::Route(route);
            }
            continue;
        }
        if !route.loose_full.is_match(path) {
            continue;
        }
        // The request's own prefix (any cut the loose prefix matches), then
        // the marker, must lead the map to the marker; else unsure.
        let prefix = route
            .full
            .strip_suffix(route_pattern(&route.leaf).as_str())
            .unwrap_or("");
        let mut loose_prefix = String::new();
        for (i, part) in loose(prefix).split("{p}").enumerate() {
            if i > 0 {
                loose_prefix.push_str(&format!("{{s{i}:.+}}"));
            }
            loose_prefix.push_str(part);
        }
        let loose_prefix = ResourceDef::new(loose_prefix);
        let own = ResourceDef::new(route_pattern(&route.leaf));
        let reaches = path
            .char_indices()
            .filter(|&(_, c)| c == '/')
            .map(|(i, _)| i)
            .take(32)
            .chain([path.len()])
            .filter(|&cut| loose_prefix.is_match(&path[..cut]) && own.is_match(&path[cut..]))
            .any(|cut| {
                let probe = format!("{}{MARKER}", &path[..cut]);
                probe_reaches(tree, &probe, route.leaf.name) == Some(true)
            });
        return match reaches {
            true => Found::Route(route),
            false => Found::Unsure(route),
        };
    }
    Found::None
}

/// What the rule finds.
#[derive(Clone, Copy)]
enum Found<'r> {
    Route(&'r Mounted),
    /// Only a loose match that the resource map does not confirm: refused.
    Unsure(&'r Mounted),
    None,
}

/// A leaf's pattern as actix-web normalises it.
fn route_pattern(leaf: &Leaf) -> String {
    if leaf.pattern.is_empty() || leaf.pattern.starts_with('/') {
        leaf.pattern.to_owned()
    } else {
        format!("/{}", leaf.pattern)
    }
}

/// Stands for a route's marker resource, mounted just before the route.
const MARKER: &str = "/~cors~marker";

/// Walks the tree as actix-web's resource map does (first match at each
/// level, scopes by prefix, guards ignored, never sideways out of a scope
/// that matched): `Some(true)` when the probe reaches the marker of
/// `target`, `Some(false)` when another resource takes it first.
fn probe_reaches(tree: &[Node], probe: &str, target: &str) -> Option<bool> {
    fn walk(nodes: &[Node], rest: &str, target: &str) -> Option<bool> {
        for node in nodes {
            match node {
                Node::Leaf(leaf) => {
                    if leaf.name == target && rest == MARKER {
                        return Some(true);
                    }
                    let pattern = if leaf.pattern.is_empty() || leaf.pattern.starts_with('/') {
                        leaf.pattern.to_owned()
                    } else {
                        format!("/{}", leaf.pattern)
                    };
                    if ResourceDef::new(pattern).is_match(rest) {
                        return Some(false);
                    }
                }
                Node::Scope(prefix, children) => {
                    if let Some(len) = ResourceDef::root_prefix(prefix).find_match(rest) {
                        return walk(children, &rest[len..], target);
                    }
                }
            }
        }
        None
    }
    walk(tree, probe, target)
}

/// The name of the policy that what the rule found applies (`None`:
/// disabled, or unsure).
fn policy_of(found: Found<'_>) -> Option<&'static str> {
    match found {
        Found::None => Some("defaults"),
        Found::Unsure(_) => None,
        Found::Route(route) => match route.leaf.kind {
            Kind::Annotated { policy } => policy,
            _ => Some(route.leaf.name),
        },
    }
}

/// The path as `NormalizePath` makes it, when that changes it.
/// The path as `NormalizePath` may make it (merged, then trimmed or with a
/// trailing slash), where that changes it.
fn normalise(path: &str) -> Vec<String> {
    let joined: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let trimmed = format!("/{}", joined.join("/"));
    let slashed = match joined.is_empty() {
        true => "/".to_owned(),
        false => format!("{trimmed}/"),
    };
    [trimmed, slashed]
        .into_iter()
        .filter(|n| n != path)
        .collect()
}

/// A path for a full pattern: parameters filled in, characters a URI may
/// not hold percent-encoded.
fn instantiate(rng: &mut Rng, pattern: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        let value = *rng.pick(&["7", "abc", "1/2", "x%2Fy", "a b", ""]);
        out.push_str(value);
        rest = rest.get(close..).unwrap_or("");
        rest = rest.strip_prefix('*').unwrap_or(rest);
    }
    out.push_str(rest);
    match rng.below(6) {
        0 => out.push('/'),
        1 => out.push_str("/extra"),
        _ => {}
    }
    let mut uri = String::new();
    for b in out.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~%!$&'()*+,;=:@".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    if !uri.starts_with('/') {
        uri.insert(0, '/');
    }
    uri
}

/// The policy name a response shows: the `x-...` header its policy lists.
fn shown<B>(response: &ServiceResponse<B>, preflight: bool) -> Option<String> {
    let name = if preflight {
        if response.status() != 204 {
            return None;
        }
        "access-control-allow-headers"
    } else {
        // Only an allowed origin's response names its policy.
        response.headers().get("access-control-allow-origin")?;
        "access-control-expose-headers"
    };
    let value = response.headers().get(name)?.to_str().ok()?;
    value.strip_prefix("x-").map(str::to_owned)
}

async fn body_of<B: actix_web::body::MessageBody>(response: ServiceResponse<B>) -> String {
    let bytes = actix_web::body::to_bytes(response.into_body())
        .await
        .unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

fn defaults() -> Cors {
    Cors::builder()
        .origins([ORIGIN])
        .methods(METHODS.iter().copied())
        .headers(["x-defaults"])
        .expose(["x-defaults"])
        .build()
        .unwrap()
}

#[actix_web::test]
async fn the_policy_applied_is_the_routed_handlers() {
    let apps: usize = std::env::var("CORS_DIFFERENTIAL_APPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400);
    let seed: u64 = std::env::var("CORS_DIFFERENTIAL_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5eed_c0de);
    let mut rng = Rng(seed | 1);
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut pairs = 0usize;
    for app_index in 0..apps {
        let mut used = Vec::new();
        let nodes = tree(&mut rng, 0, &mut used);
        if std::env::var("CORS_DIFFERENTIAL_SHOW").is_ok_and(|v| v == app_index.to_string()) {
            for route in {
                let mut all = Vec::new();
                let root = [ResourceDef::root_prefix("")];
                flatten(&nodes, &root, "", &mut all);
                all
            } {
                eprintln!(
                    "{} {} {:?}",
                    route.leaf.name, route.full, route.leaf.methods
                );
            }
        }
        let mut routes = Vec::new();
        let root = [ResourceDef::root_prefix("")];
        flatten(&nodes, &root, "", &mut routes);
        if routes.is_empty() {
            continue;
        }
        let cors = defaults();
        let with = atest::init_service(App::new().wrap(cors.clone()).service(build(&nodes))).await;
        let mut unconfirmed: Vec<&str> = Vec::new();
        let without = atest::init_service(App::new().service(build(&nodes))).await;
        for request in 0..28 {
            let preflight = rng.below(2) == 0;
            let target = &routes[rng.below(routes.len())];
            // Mostly a method the target serves.
            let method = match rng.below(4) {
                0 => *rng.pick(METHODS),
                _ => *rng.pick(target.leaf.methods),
            };
            let uri = if rng.below(8) == 0 {
                format!(
                    "/{}",
                    rng.pick(&["items", "nope", "api/x", "caf%C3%A9", "7", ""][..])
                )
            } else {
                instantiate(&mut rng, &target.full)
            };
            let Ok(parsed) = uri.parse::<Uri>() else {
                continue;
            };
            let path = Url::new(parsed).path().to_owned();
            let context = format!("app {app_index} ({seed}): {method} {uri} preflight={preflight}");
            let mut req = atest::TestRequest::default()
                .uri(&uri)
                .insert_header(("origin", ORIGIN));
            if request == 0 {
                let (name, value) = *rng.pick(HOSTILE);
                req = req.insert_header((name, value));
            }
            let req = if preflight {
                req.method(Method::OPTIONS)
                    .insert_header(("access-control-request-method", method))
            } else {
                req.method(Method::from_bytes(method.as_bytes()).unwrap())
            };
            let response = match with.call(req.to_request()).await {
                Ok(response) => response,
                Err(error) => panic!("{context}: error {error}"),
            };
            assert_ne!(response.status(), 500, "{context}");
            let got = shown(&response, preflight);
            let body = if preflight {
                String::new()
            } else {
                body_of(response).await
            };
            // The reference: who serves the (requested) method.
            let served = if preflight {
                let reference = atest::TestRequest::default()
                    .uri(&uri)
                    .method(Method::from_bytes(method.as_bytes()).unwrap())
                    .to_request();
                match without.call(reference).await {
                    Ok(response) => body_of(response).await,
                    Err(_) => String::new(),
                }
            } else {
                body
            };
            let served_leaf = routes
                .iter()
                .find(|r| r.leaf.name == served)
                .map(|r| r.leaf);
            if request == 0 {
                // The first request completed the table.
                let report = cors.report().expect("a report");
                for route in report.routes.iter().filter(|r| !r.confirmed) {
                    let name = route.handler.rsplit("::").next().unwrap_or("");
                    let name = name.strip_prefix("attach(").map_or(name, |_| {
                        routes
                            .iter()
                            .find(|m| {
                                m.leaf.kind == Kind::Attached
                                    && route.handler.ends_with(&format!(
                                        "{})",
                                        m.leaf.pattern.trim_start_matches('/')
                                    ))
                            })
                            .map_or("", |m| m.leaf.name)
                    });
                    if let Some(leaf) = POOL.iter().find(|l| l.name == name) {
                        if !unconfirmed.contains(&leaf.name) {
                            unconfirmed.push(leaf.name);
                        }
                    }
                }
                *counts
                    .entry("routes with an unconfirmed prefix")
                    .or_default() += unconfirmed.len();
            }
            let found = found_before_routing(&nodes, &routes, &unconfirmed, &path, method);
            let before = policy_of(found);
            let (expected, case): (Option<&str>, &str) = match served_leaf.map(|l| l.kind) {
                Some(Kind::Annotated { policy }) if !preflight => {
                    (policy, "actual: routed handler")
                }
                Some(Kind::Annotated { policy }) => {
                    // With exact patterns the rule agrees with the router.
                    let exact =
                        policy_of(found_before_routing(&nodes, &routes, &[], &path, method));
                    assert_eq!(
                        exact, policy,
                        "{context}: the model disagrees with the router"
                    );
                    match found {
                        Found::Route(route) if route.leaf.name == served => {
                            (policy, "preflight: routed handler")
                        }
                        // Only a route whose prefix the resource map could not
                        // confirm may be unsure, and then it is refused.
                        Found::Unsure(route) => {
                            assert!(
                                unconfirmed.contains(&route.leaf.name),
                                "{context}: unsure of a confirmed route"
                            );
                            (None, "preflight: refused, an unconfirmed prefix")
                        }
                        Found::Route(route) => panic!(
                            "{context}: a preflight must find the handler the router picks ({served}), not {}",
                            route.leaf.name
                        ),
                        Found::None => panic!("{context}: a preflight must find {served}"),
                    }
                }
                Some(Kind::Attached) if before == Some(served.as_str()) => {
                    (before, "attached route")
                }
                Some(Kind::Attached) => (before, "attached route under an earlier pattern"),
                // A preflight whose path finds no route, but finds an
                // annotated route once normalised (as `NormalizePath` inside
                // `Cors` would send it), is refused, whoever serves the path
                // as sent.
                Some(Kind::Plain) | None
                    if preflight
                        && before == Some("defaults")
                        && normalise(&path).iter().any(|n| {
                            !matches!(
                                found_before_routing(&nodes, &routes, &unconfirmed, n, method),
                                Found::None
                            )
                        }) =>
                {
                    (
                        None,
                        "preflight refused: an annotated route once normalised",
                    )
                }
                Some(Kind::Plain) if before == Some("defaults") => (before, "unannotated route"),
                Some(Kind::Plain) => (before, "unannotated route under an annotated pattern"),
                None => (before, "no handler (404 or 405)"),
            };
            // A disabled route, and a defaults policy for a method it does
            // not list, show no policy.
            assert_eq!(
                got.as_deref(),
                expected,
                "{context}: served by {served:?} ({case})"
            );
            *counts.entry(case).or_default() += 1;
            pairs += 1;
        }
    }
    eprintln!("differential: {pairs} (App, request) pairs over {apps} Apps; by case: {counts:?}");
    if std::env::var("CORS_DIFFERENTIAL_APPS").is_err() {
        assert!(pairs >= 10_000, "{pairs} pairs");
    }
    for case in ["actual: routed handler", "preflight: routed handler"] {
        assert!(
            counts.get(case).copied().unwrap_or(0) > 100,
            "{case}: {counts:?}"
        );
    }
}
