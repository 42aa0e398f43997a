//! `--har FILE`: the five questions for every cross-origin request a browser
//! recorded, from the recorded headers alone.

use crate::args::Har;
use crate::diagnose::{diagnose, ActualSeen, Case, Diagnosis, PreflightSeen, Seen};
use crate::http::{header, Target};
use crate::render;
use cors_core::browser::Request;
use serde_json::Value;
use std::fmt::Write;

/// One request of the HAR.
#[derive(Debug, Clone)]
struct Entry {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    /// `None` when the HAR has no response (status 0: blocked or cancelled).
    response: Option<Seen>,
    /// Chromium's `_resourceType`, such as `fetch` or `preflight`.
    resource_type: Option<String>,
    /// Chromium's request id (`_requestId`), and for a preflight the id of
    /// the request it was sent for (`_initiator.requestId`).
    request_id: Option<String>,
    preflight_for: Option<String>,
}

impl Entry {
    fn header(&self, name: &str) -> Option<String> {
        header(&self.headers, name)
    }

    fn is_preflight(&self) -> bool {
        self.method.eq_ignore_ascii_case("OPTIONS")
            && self.header("Access-Control-Request-Method").is_some()
    }
}

/// Headers browsers add themselves that are not forbidden request-headers, so the
/// oracle would take them for the page's; DevTools' "Disable cache" adds
/// `Cache-Control` and `Pragma`.
const ADDED_BY_BROWSER: [&str; 7] = [
    "cache-control",
    "pragma",
    "priority",
    "purpose",
    "upgrade-insecure-requests",
    "user-agent",
    "x-client-data",
];

/// The names an `Access-Control-Request-Headers` value lists, lowercased and
/// sorted.
fn listed_names(preflight: Option<&Entry>) -> Vec<String> {
    let value = preflight
        .and_then(|preflight| preflight.header("Access-Control-Request-Headers"))
        .unwrap_or_default();
    let mut names: Vec<String> = value
        .split(',')
        .map(|name| name.trim().to_ascii_lowercase())
        .filter(|name| !name.is_empty())
        .collect();
    names.sort_unstable();
    names
}

/// The headers of `entry` that the page's script set, as far as the HAR
/// tells: those the browser adds itself are left out, unless the preflight
/// lists them.
fn page_headers(entry: &Entry, listed: &[String]) -> Vec<(String, String)> {
    entry
        .headers
        .iter()
        .filter(|(name, _)| {
            let lower = name.to_ascii_lowercase();
            !ADDED_BY_BROWSER.contains(&lower.as_str()) || listed.contains(&lower)
        })
        .cloned()
        .collect()
}

pub fn run(har: &Har) -> Result<u8, String> {
    let text = std::fs::read_to_string(&har.file)
        .map_err(|error| format!("{}: {error}", har.file.display()))?;
    let entries = parse(&text).map_err(|error| format!("{}: {error}", har.file.display()))?;
    let cases = cases(&entries, har.origin.as_deref());
    let engines = &har.output.engines;
    let diagnosed: Vec<(usize, Case, Vec<Diagnosis>)> = cases
        .into_iter()
        .map(|(index, case)| {
            let diagnoses = engines
                .iter()
                .map(|&engine| diagnose(&case, engine))
                .collect();
            (index, case, diagnoses)
        })
        .collect();
    let blocked = diagnosed
        .iter()
        .filter(|(_, _, diagnoses)| render::exit_status(diagnoses) == 1)
        .count();
    if har.output.json {
        let requests: Vec<Value> = diagnosed
            .iter()
            .map(|(index, case, diagnoses)| {
                let mut value = render::json(case, diagnoses);
                value["entry"] = (*index).into();
                value
            })
            .collect();
        let report = serde_json::json!({
            "file": har.file.display().to_string(),
            "entries": entries.len(),
            "requests": requests,
            "blocked": blocked,
        });
        println!("{report:#}");
    } else {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}: {} entries, {} cross-origin requests, {blocked} blocked\n",
            har.file.display(),
            entries.len(),
            diagnosed.len()
        );
        for (index, case, diagnoses) in &diagnosed {
            let credentials = if case.credentials {
                " (with cookies: credentials included)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "── entry {index}: {} {} from origin {}{credentials}\n",
                case.method, case.url, case.origin
            );
            if let ActualSeen::NotSent(why) = &case.actual {
                let _ = writeln!(out, "{why}\n");
            }
            render::text(case, diagnoses, &mut out);
        }
        let _ = writeln!(out, "({})", render::legend());
        print!("{}", render::printable(&out));
    }
    Ok(u8::from(blocked > 0))
}

/// The entries of a HAR 1.2 document.
fn parse(text: &str) -> Result<Vec<Entry>, String> {
    let document: Value =
        serde_json::from_str(text).map_err(|error| format!("not JSON: {error}"))?;
    let entries = document["log"]["entries"]
        .as_array()
        .ok_or("not a HAR file: no log.entries")?;
    let lines = |value: &Value| -> Vec<(String, String)> {
        value
            .as_array()
            .map(|lines| {
                lines
                    .iter()
                    .filter_map(|line| {
                        Some((
                            line["name"].as_str()?.to_owned(),
                            line["value"].as_str()?.trim_matches([' ', '\t']).to_owned(),
                        ))
                    })
                    // HTTP/2 pseudo-headers are not header lines.
                    .filter(|(name, _)| !name.starts_with(':'))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut parsed = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let request = &entry["request"];
        let (Some(method), Some(url)) = (request["method"].as_str(), request["url"].as_str())
        else {
            return Err(format!("entry {index} has no request method or URL"));
        };
        let status = entry["response"]["status"].as_u64().unwrap_or(0);
        let response = u16::try_from(status)
            .ok()
            .filter(|&status| status >= 100)
            .map(|status| Seen {
                status,
                headers: lines(&entry["response"]["headers"]),
            });
        let text = |value: &Value| value.as_str().map(str::to_owned);
        parsed.push(Entry {
            method: method.to_owned(),
            url: url.to_owned(),
            headers: lines(&request["headers"]),
            response,
            resource_type: text(&entry["_resourceType"]),
            request_id: text(&entry["_requestId"]),
            preflight_for: text(&entry["_initiator"]["requestId"]),
        });
    }
    Ok(parsed)
}

/// The cross-origin requests (preflights aside), each with its preflight.
fn cases(entries: &[Entry], origin_filter: Option<&str>) -> Vec<(usize, Case)> {
    let mut used = vec![false; entries.len()];
    let mut cases = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        if entry.is_preflight() {
            continue;
        }
        let Ok(target) = Target::parse(&entry.url) else {
            continue;
        };
        let own_origin = entry.header("Origin");
        let preflight = find_preflight(entries, &mut used, index, own_origin.as_deref());
        // Chromium records a request it never sent without its `Origin`: take
        // the preflight's, or the page's from the `Referer` of a fetch().
        let script = matches!(entry.resource_type.as_deref(), Some("fetch" | "xhr"));
        let referer_origin = || {
            let referer = entry.header("Referer").filter(|_| script)?;
            Some(Target::parse(&referer).ok()?.origin())
        };
        let Some(origin) = own_origin
            .or_else(|| preflight.and_then(|preflight| preflight.header("Origin")))
            .or_else(referer_origin)
            .or_else(|| origin_filter.map(str::to_owned))
        else {
            continue;
        };
        if origin == target.origin() || origin_filter.is_some_and(|filter| filter != origin) {
            continue;
        }
        let headers = page_headers(entry, &listed_names(preflight));
        let preflight = match preflight.map(|preflight| &preflight.response) {
            Some(Some(seen)) => PreflightSeen::Answered(seen.clone()),
            _ => PreflightSeen::NotRecorded,
        };
        let actual = match &entry.response {
            Some(seen) => ActualSeen::Answered(seen.clone()),
            None => ActualSeen::NotSent(
                "the HAR has no response for it: the browser blocked or cancelled it before one \
                 arrived"
                    .into(),
            ),
        };
        cases.push((
            index,
            Case {
                url: target.url(),
                origin,
                method: entry.method.clone(),
                headers,
                credentials: entry.header("Cookie").is_some(),
                preflight,
                actual,
            },
        ));
    }
    cases
}

/// The preflight of the request at `index`: the one Chromium's ids link to it;
/// or else the nearest unused one with the same URL, method and unsafe headers
/// (and origin, when known) recorded before it (Firefox's order), or after it and before
/// the same request again (Chromium's order: a fetch() starts before its
/// preflight).
fn find_preflight<'e>(
    entries: &'e [Entry],
    used: &mut [bool],
    index: usize,
    origin: Option<&str>,
) -> Option<&'e Entry> {
    let request = &entries[index];
    // A preflight asks for the method and exactly the request's unsafe headers.
    let matches = |candidate: &Entry| {
        let listed = listed_names(Some(candidate));
        let headers = page_headers(request, &listed);
        let mut asked = Request::new(origin.unwrap_or("null"), &request.method);
        for (name, value) in &headers {
            asked = asked.header(name, value);
        }
        candidate.is_preflight()
            && candidate.url == request.url
            && origin.is_none_or(|origin| candidate.header("Origin").as_deref() == Some(origin))
            && candidate.header("Access-Control-Request-Method").as_deref()
                == Some(asked.normalized_method())
            && asked.unsafe_header_names() == listed
    };
    let linked = request.request_id.as_ref().and_then(|id| {
        entries
            .iter()
            .position(|candidate| candidate.preflight_for.as_ref() == Some(id))
    });
    let before = || (0..index).rev().find(|&i| !used[i] && matches(&entries[i]));
    let after = || (index + 1..entries.len()).find(|&i| !used[i] && matches(&entries[i]));
    let found = linked.or_else(before).or_else(after)?;
    used[found] = true;
    Some(&entries[found])
}
