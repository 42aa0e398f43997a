//! `--har FILE`: the five questions for every cross-origin request a browser
//! recorded, from the recorded headers alone.

use crate::args::Har;
use crate::diagnose::{diagnose, page_request, ActualSeen, Case, Diagnosis, PreflightSeen, Seen};
use crate::http::{header, Target};
use crate::render;
use cors_core::browser::{check_preflight, preflight_for, Preflight, Response};
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
    /// Chromium's `response._error`, such as `net::ERR_FAILED`.
    error: Option<String>,
}

impl Entry {
    fn header(&self, name: &str) -> Option<String> {
        header(&self.headers, name)
    }

    fn is_preflight(&self) -> bool {
        self.method.eq_ignore_ascii_case("OPTIONS")
            && self.header("Access-Control-Request-Method").is_some()
    }

    /// Whether the request was made in CORS mode: `Sec-Fetch-Mode` says so
    /// when recorded; otherwise Chromium's resource type, when it is one that
    /// is always or never CORS; `None` when the HAR does not tell.
    fn cors_mode(&self) -> Option<bool> {
        if let Some(mode) = self.header("Sec-Fetch-Mode") {
            return Some(mode.eq_ignore_ascii_case("cors"));
        }
        // Sent on navigations only (where `Sec-Fetch-*` is not: plain http).
        if self.header("Upgrade-Insecure-Requests").is_some() {
            return Some(false);
        }
        // Images, scripts and fonts may be either: their `Origin` tells.
        match self.resource_type.as_deref()? {
            "fetch" | "xhr" | "eventsource" => Some(true),
            "document" | "ping" | "websocket" | "manifest" => Some(false),
            _ => None,
        }
    }
}

/// Headers browsers add themselves that are not forbidden request-headers, so the
/// oracle would take them for the page's; DevTools' "Disable cache" adds
/// `Cache-Control` and `Pragma`.
const ADDED_BY_BROWSER: [&str; 8] = [
    "alt-used",
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
    let statuses: Vec<u8> = diagnosed
        .iter()
        .map(|(_, _, diagnoses)| render::exit_status(diagnoses))
        .collect();
    let count = |wanted: u8| statuses.iter().filter(|&&status| status == wanted).count();
    let (blocked, unchecked) = (count(1), count(2));
    // As for one probe: 1 when a request was blocked; 2 when one could not be
    // checked, or none was found; 0 when all passed.
    let exit_status = match (blocked, unchecked, statuses.is_empty()) {
        (1.., _, _) => 1,
        (0, 1.., _) | (0, 0, true) => 2,
        (0, 0, false) => 0,
    };
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
            "unchecked": unchecked,
            "exit_status": exit_status,
        });
        println!("{report:#}");
    } else {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}: {} entries, {} cross-origin requests: {blocked} blocked, {unchecked} not \
             checked\n",
            har.file.display(),
            entries.len(),
            diagnosed.len()
        );
        for (index, case, diagnoses) in &diagnosed {
            let credentials = if case.credentials {
                " (credentials included)"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "── entry {index}: {} {} from origin {}{credentials}\n",
                case.method, case.url, case.origin
            );
            if let ActualSeen::NoResponse = &case.actual {
                let _ = writeln!(out, "the HAR has no response for it\n");
            }
            render::text(case, diagnoses, &mut out);
        }
        let _ = writeln!(out, "({})", render::legend());
        print!("{}", render::printable(&out));
    }
    Ok(exit_status)
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
            error: text(&entry["response"]["_error"]),
        });
    }
    Ok(parsed)
}

/// The cross-origin requests in CORS mode (preflights aside), each with its
/// preflight.
fn cases(entries: &[Entry], origin_filter: Option<&str>) -> Vec<(usize, Case)> {
    let candidates: Vec<usize> = (0..entries.len())
        .filter(|&index| {
            !entries[index].is_preflight() && entries[index].cors_mode() != Some(false)
        })
        .collect();
    // Requests that got a response pick first: they can only have had a
    // preflight that passed; the others take what is left.
    let mut used = vec![false; entries.len()];
    let mut preflights = vec![None; entries.len()];
    let (answered, unanswered): (Vec<usize>, Vec<usize>) = candidates
        .iter()
        .partition(|&&index| entries[index].response.is_some());
    for index in answered.into_iter().chain(unanswered) {
        let origin = entries[index].header("Origin");
        preflights[index] = find_preflight(entries, &mut used, index, origin.as_deref());
    }
    let mut cases = Vec::new();
    for index in candidates {
        let entry = &entries[index];
        let cors = entry.cors_mode();
        let Ok(target) = Target::parse(&entry.url) else {
            continue;
        };
        let own_origin = entry.header("Origin");
        let preflight = preflights[index].map(|found| &entries[found]);
        // Chromium records a request it never sent without its `Origin`: take
        // the preflight's, or, for a request known to be CORS, the page's from
        // the `Referer`, or the one given.
        let known_cors = || cors == Some(true);
        let referer_origin = || {
            let referer = entry.header("Referer").filter(|_| known_cors())?;
            Some(Target::parse(&referer).ok()?.origin())
        };
        let Some(origin) = own_origin
            .or_else(|| preflight.and_then(|preflight| preflight.header("Origin")))
            .or_else(referer_origin)
            .or_else(|| origin_filter.filter(|_| known_cors()).map(str::to_owned))
        else {
            continue;
        };
        if origin == target.origin() || origin_filter.is_some_and(|filter| filter != origin) {
            continue;
        }
        let headers = page_headers(entry, &listed_names(preflight));
        let preflight = match preflight.map(|preflight| &preflight.response) {
            Some(Some(seen)) => PreflightSeen::Answered(seen.clone()),
            Some(None) => PreflightSeen::NoResponse,
            None => PreflightSeen::NotRecorded,
        };
        let actual = match &entry.response {
            Some(seen) => ActualSeen::Answered(seen.clone()),
            None => ActualSeen::NoResponse,
        };
        let credentials = credentialed(entry);
        cases.push((
            index,
            Case {
                url: target.url(),
                origin,
                method: entry.method.clone(),
                headers,
                credentials,
                private_network: false,
                preflight,
                other_preflights: Vec::new(),
                actual,
                recorded_error: entry.error.clone(),
            },
        ));
    }
    cases
}

/// The preflight the browser would send for `entry` from `origin`, with the
/// headers of the entry (those the browser adds itself only when `listed`).
fn asked_preflight(entry: &Entry, origin: &str, listed: &[String]) -> Option<Preflight> {
    let headers = page_headers(entry, listed);
    preflight_for(&page_request(origin, &entry.method, &headers, false))
}

/// A HAR does not record the credentials mode: a `Cookie` shows it, and so
/// does `Sec-Fetch-Storage-Access`, which browsers send only on requests whose
/// credentials mode is "include".
fn credentialed(entry: &Entry) -> bool {
    entry.header("Cookie").is_some() || entry.header("Sec-Fetch-Storage-Access").is_some()
}

/// The preflight of the request at `index`: the one Chromium's ids link to it;
/// or else an unused one for the same URL and origin, not linked to another
/// request, that asks exactly what the oracle says the browser asks for it
/// (method and unsafe headers) and, when the request got a response, passed:
/// the first after it (both browsers start a fetch() before its preflight, and
/// record it so), or else the nearest before it. Among identical requests,
/// the one shown without a preflight ("cached") may be another than the
/// browser's; their verdicts are the same.
fn find_preflight(
    entries: &[Entry],
    used: &mut [bool],
    index: usize,
    origin: Option<&str>,
) -> Option<usize> {
    let request = &entries[index];
    let linked = request.request_id.as_ref().and_then(|id| {
        entries
            .iter()
            .position(|candidate| candidate.preflight_for.as_ref() == Some(id))
    });
    if let Some(found) = linked {
        if used[found] {
            return None;
        }
        used[found] = true;
        return Some(found);
    }
    let matches = |candidate: &Entry| {
        let origin = match (origin, candidate.header("Origin")) {
            (Some(origin), Some(theirs)) if origin == theirs => theirs,
            (None, Some(theirs)) => theirs,
            _ => return false,
        };
        let linked_elsewhere = candidate.preflight_for.as_ref().is_some_and(|id| {
            entries
                .iter()
                .any(|other| other.request_id.as_ref() == Some(id))
        });
        let asked = asked_preflight(request, &origin, &listed_names(Some(candidate)));
        let sent_headers = candidate
            .header("Access-Control-Request-Headers")
            .map(|value| value.to_ascii_lowercase());
        // A request that got a response never had a preflight that failed.
        let consistent = match (&request.response, &candidate.response) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(_), Some(seen)) => {
                let headers = page_headers(request, &listed_names(Some(candidate)));
                let page = page_request(&origin, &request.method, &headers, credentialed(request));
                check_preflight(&page, &Response::from_lines(seen.status, &seen.headers)).is_ok()
            }
        };
        candidate.is_preflight()
            && candidate.url == request.url
            && !linked_elsewhere
            && consistent
            && asked.is_some_and(|asked| {
                candidate.header("Access-Control-Request-Method").as_deref()
                    == Some(asked.request_method.as_str())
                    && sent_headers == asked.request_headers
            })
    };
    let after = (index + 1..entries.len()).find(|&i| !used[i] && matches(&entries[i]));
    let found = after.or_else(|| (0..index).rev().find(|&i| !used[i] && matches(&entries[i])))?;
    used[found] = true;
    Some(found)
}
