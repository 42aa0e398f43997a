//! The report, as text for people and as JSON for scripts.

use crate::args::engine_name;
use crate::diagnose::{ActualSeen, Case, Diagnosis, Mark, Outcome, PreflightSeen, Seen};
use cors_core::browser::{BlockedKind, Browser};
use cors_core::Question;
use serde_json::{json, Value};
use std::fmt::Write;

/// The exit status of a set of diagnoses: 1 when a browser blocks, 2 when
/// nothing could be checked, 0 otherwise.
pub fn exit_status<'a>(diagnoses: impl IntoIterator<Item = &'a Diagnosis>) -> u8 {
    let mut status = 0;
    for diagnosis in diagnoses {
        match diagnosis.outcome {
            Outcome::Blocked(_) => return 1,
            Outcome::Unchecked(_) | Outcome::Redirected(_) => status = 2,
            Outcome::Allowed | Outcome::PreflightPassed => {}
        }
    }
    status
}

/// The five questions and the verdict, engines that agree printed once.
pub fn text(case: &Case, diagnoses: &[Diagnosis], out: &mut String) {
    let mut groups: Vec<Vec<&Diagnosis>> = Vec::new();
    for diagnosis in diagnoses {
        match groups.iter_mut().find(|group| group[0].same_as(diagnosis)) {
            Some(group) => group.push(diagnosis),
            None => groups.push(vec![diagnosis]),
        }
    }
    for group in &groups {
        let engines: Vec<&str> = group.iter().map(|d| engine_name(d.engine)).collect();
        let engines = engines.join(", ");
        if groups.len() > 1 {
            let _ = writeln!(out, "{engines}:");
        }
        group_text(case, group[0], &engines, out);
        out.push('\n');
    }
    let cached: Vec<String> = diagnoses
        .iter()
        .filter_map(|d| {
            let seconds = d.cache_seconds?;
            let cap = d.engine.max_age_cap();
            let capped = if seconds == cap { " (its cap)" } else { "" };
            Some(match seconds {
                0 => format!("{} not cached", engine_name(d.engine)),
                _ => format!("{} {seconds} s{capped}", engine_name(d.engine)),
            })
        })
        .collect();
    if let (false, PreflightSeen::Answered(preflight)) = (cached.is_empty(), &case.preflight) {
        let max_age = crate::http::header(&preflight.headers, "Access-Control-Max-Age");
        let max_age = match max_age {
            Some(value) => format!("Access-Control-Max-Age: {value}"),
            None => "no Access-Control-Max-Age".into(),
        };
        let line = if diagnoses.iter().all(|d| d.cache_seconds == Some(0)) {
            "not cached; the next request like this one is preflighted again".to_owned()
        } else {
            format!(
                "{}; while cached, requests like this one skip the preflight",
                cached.join(", ")
            )
        };
        let _ = writeln!(out, "preflight cache ({max_age}): {line}\n");
    }
    for (what, seen) in seen_responses(case) {
        if let Some(reason) = crate::http::header(&seen.headers, "x-cors-reason") {
            let _ = writeln!(out, "x-cors-reason ({what}): {reason}");
        }
    }
}

fn group_text(case: &Case, diagnosis: &Diagnosis, engines: &str, out: &mut String) {
    let width = diagnosis
        .answers
        .iter()
        .map(|answer| answer.question.text().chars().count())
        .max()
        .unwrap_or(0);
    let stop = match &diagnosis.outcome {
        // Local Network Access holds the request before anything is sent.
        Outcome::Blocked(blocked) if blocked.kind == BlockedKind::LocalNetworkPermission => {
            Some(Question::PreflightSent)
        }
        Outcome::Blocked(blocked) => blocked.question(),
        _ => None,
    };
    // The oracle words refusals as Chrome's console does.
    let console = if diagnosis.engine == Browser::Chrome {
        "console"
    } else {
        "console (Chrome's wording)"
    };
    for answer in &diagnosis.answers {
        let text = answer.question.text();
        let _ = writeln!(
            out,
            "{text:width$}  {} {}",
            answer.mark.symbol(),
            answer.detail
        );
        if stop == Some(answer.question) {
            if let (Some(message), Some(fix)) = (&diagnosis.console, &diagnosis.fix) {
                let status_failed = diagnosis.answers.iter().any(|other| {
                    other.question == Question::PreflightStatus && other.mark == Mark::Fail
                });
                let before_status = matches!(
                    answer.question,
                    Question::AllowOrigin | Question::Credentials
                );
                let _ = if status_failed && before_status {
                    writeln!(
                        out,
                        "   the browser stops here (it checks this before the status)."
                    )
                } else {
                    writeln!(out, "   the browser stops here.")
                };
                let _ = writeln!(out, "   {console}: {message}");
                let _ = writeln!(out, "   fix: {fix}");
            }
        }
    }
    for warning in &diagnosis.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    out.push('\n');
    match &diagnosis.outcome {
        Outcome::Allowed => {
            let status = match &case.actual {
                ActualSeen::Answered(seen) => seen.status.to_string(),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "verdict: allowed ({engines}): the page reads the {status} response"
            );
            if !diagnosis.readable.is_empty() {
                let _ = writeln!(
                    out,
                    "  JavaScript can read: {}",
                    diagnosis.readable.join(", ")
                );
            }
            if !diagnosis.hidden.is_empty() {
                let _ = writeln!(
                    out,
                    "  hidden from JavaScript (not in Access-Control-Expose-Headers): {}",
                    diagnosis.hidden.join(", ")
                );
            }
        }
        Outcome::PreflightPassed => {
            let _ = writeln!(
                out,
                "verdict: the preflight passes ({engines}); the actual request was not sent, \
                 so its response is unchecked"
            );
        }
        Outcome::Blocked(_) => {
            let _ = writeln!(out, "verdict: blocked ({engines})");
            if diagnosis.console.is_some() && stop.is_none() {
                let _ = writeln!(
                    out,
                    "  console: {}",
                    diagnosis.console.as_deref().unwrap_or_default()
                );
            }
        }
        Outcome::Redirected(location) => {
            let _ = writeln!(
                out,
                "verdict: this response passes ({engines}), but it is a redirect: the browser \
                 follows it to {location}, which the page reads instead. Probe that URL (if \
                 it is on another origin, the browser may send `Origin: null` there)"
            );
        }
        Outcome::Unchecked(why) => {
            let _ = writeln!(out, "verdict: not checked ({engines}): {why}");
        }
    }
}

fn seen_responses(case: &Case) -> Vec<(&'static str, &Seen)> {
    let mut seen = Vec::new();
    if let PreflightSeen::Answered(preflight) = &case.preflight {
        seen.push(("preflight", preflight));
    }
    if let ActualSeen::Answered(actual) = &case.actual {
        seen.push(("response", actual));
    }
    seen
}

fn lines(lines: &[(String, String)]) -> Value {
    Value::Array(
        lines
            .iter()
            .map(|(name, value)| json!([name, value]))
            .collect(),
    )
}

/// The same report as JSON.
pub fn json(case: &Case, diagnoses: &[Diagnosis]) -> Value {
    let response = |seen: &Seen| json!({ "status": seen.status, "headers": lines(&seen.headers) });
    let preflight = match &case.preflight {
        PreflightSeen::Answered(seen) => json!({ "seen": "answered", "response": response(seen) }),
        PreflightSeen::NotSent => json!({ "seen": "not_sent" }),
        PreflightSeen::NotRecorded => json!({ "seen": "not_recorded" }),
        PreflightSeen::NoResponse => json!({ "seen": "no_response" }),
    };
    let actual = match &case.actual {
        ActualSeen::Answered(seen) => json!({ "seen": "answered", "response": response(seen) }),
        ActualSeen::NotSent(why) => json!({ "seen": "not_sent", "why": why }),
        ActualSeen::NoResponse => json!({ "seen": "no_response" }),
    };
    let engines: Vec<Value> = diagnoses
        .iter()
        .map(|diagnosis| {
            let (verdict, blocked) = match &diagnosis.outcome {
                Outcome::Allowed => ("allowed", Value::Null),
                Outcome::PreflightPassed => ("preflight_passed", Value::Null),
                Outcome::Unchecked(_) => ("unchecked", Value::Null),
                Outcome::Redirected(_) => ("redirected", Value::Null),
                Outcome::Blocked(blocked) => (
                    "blocked",
                    json!({
                        "kind": format!("{:?}", blocked.kind),
                        "stage": format!("{:?}", blocked.stage).to_ascii_lowercase(),
                        "header": blocked.header,
                        "value": blocked.value,
                        "question": blocked.question().map(|q| q.text()),
                        "console": diagnosis.console,
                        "fix": diagnosis.fix,
                    }),
                ),
            };
            json!({
                "engine": engine_name(diagnosis.engine),
                "preflight_needed": diagnosis.preflight_needed,
                "questions": diagnosis.answers.iter().map(|answer| json!({
                    "question": answer.question.text(),
                    "result": answer.mark.word(),
                    "detail": answer.detail,
                })).collect::<Vec<_>>(),
                "verdict": verdict,
                "blocked": blocked,
                "redirect": match &diagnosis.outcome {
                    Outcome::Redirected(location) => json!(location),
                    _ => Value::Null,
                },
                "preflight_cache_seconds": diagnosis.cache_seconds,
                "readable": diagnosis.readable,
                "hidden": diagnosis.hidden,
                "warnings": diagnosis.warnings,
            })
        })
        .collect();
    let mut reasons = serde_json::Map::new();
    for (what, seen) in seen_responses(case) {
        if let Some(reason) = crate::http::header(&seen.headers, "x-cors-reason") {
            reasons.insert(what.to_owned(), reason.into());
        }
    }
    let other_preflights: Vec<Value> = case
        .other_preflights
        .iter()
        .map(|(preflight, seen)| {
            json!({ "request_headers": preflight.request_headers, "response": response(seen) })
        })
        .collect();
    json!({
        "x_cors_reason": reasons,
        "private_network": case.private_network,
        "other_preflights": other_preflights,
        "recorded_error": case.recorded_error,
        "url": case.url,
        "origin": case.origin,
        "method": case.method,
        "headers": lines(&case.headers),
        "credentials": case.credentials,
        "preflight": preflight,
        "actual": actual,
        "engines": engines,
        "exit_status": exit_status(diagnoses),
    })
}

/// `text` with control characters (line breaks aside) shown escaped: header
/// values come from the server, or from a HAR file, and must not drive the
/// terminal.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Bidirectional overrides and isolates could reorder what is shown.
    let bidi = |c: char| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    for c in text.chars() {
        if (c.is_control() && c != '\n') || bidi(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// What the marks mean.
pub fn legend() -> String {
    [Mark::Pass, Mark::Fail, Mark::Skipped, Mark::Unknown]
        .map(|mark| format!("{} {}", mark.symbol(), mark.word()))
        .join(" · ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_escaped() {
        assert_eq!(
            super::printable("a\u{1b}[31mb\u{9b}c\td\ne\u{202e}f"),
            "a\\u{1b}[31mb\\u{9b}c\\u{9}d\ne\\u{202e}f"
        );
    }
}
