//! The fuzz targets' checks, replayed on the stable toolchain.
//!
//! `cors-core/fuzz` holds libFuzzer targets for `cargo fuzz` (see its
//! `README.md`); their checks live in `fuzz/src/checks.rs`, which this test
//! includes by path. Here every input of the checked-in corpus
//! (`fuzz/corpus/<target>/`: minimised fuzzer findings, seeds, and the inputs
//! of every bug the fuzzers found) is run through its check, then a bounded
//! number of deterministic mutations of them: 2,000 per target by default,
//! `FUZZ_CASES=<n>` for a longer run.

#[path = "../fuzz/src/checks.rs"]
mod checks;

use std::path::PathBuf;

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut inputs: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    inputs.sort();
    assert!(
        inputs.len() >= 10,
        "{}: the corpus is missing",
        dir.display()
    );
    inputs
}

fn cases() -> usize {
    std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000)
}

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Bytes and pieces that matter to the parsers.
const INTERESTING: &[&[u8]] = &[
    b"://",
    b".",
    b":",
    b"*",
    b"\n",
    b" ",
    b",",
    b"\t",
    b"/",
    b"[",
    b"]",
    b"@",
    b"\xff",
    b"0",
    b"9",
    b"A",
    b"-",
    b"_",
    b"null",
    b"https",
    b"example.com",
    b":443",
    b":80",
    b"*.",
];

fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(out.len() + 1);
        match rng.below(6) {
            0 if !out.is_empty() => {
                let i = rng.below(out.len());
                out[i] ^= 1 << rng.below(8);
            }
            1 if !out.is_empty() => {
                let end = (at + 1 + rng.below(8)).min(out.len());
                out.drain(at.min(end)..end);
            }
            2 => {
                let piece = INTERESTING[rng.below(INTERESTING.len())];
                out.splice(at..at, piece.iter().copied());
            }
            3 if !other.is_empty() => {
                let start = rng.below(other.len());
                let end = (start + 1 + rng.below(32)).min(other.len());
                out.splice(at..at, other[start..end].iter().copied());
            }
            4 if !out.is_empty() => {
                let start = rng.below(out.len());
                let end = (start + 1 + rng.below(16)).min(out.len());
                let chunk = out[start..end].to_vec();
                out.splice(at..at, chunk);
            }
            _ => out.insert(at, rng.next() as u8),
        }
    }
    out
}

fn run(target: &str, name: &str, input: &[u8], check: fn(&[u8])) {
    if std::panic::catch_unwind(|| check(input)).is_err() {
        panic!(
            "{target}: the check fails on {name}: {:?}",
            String::from_utf8_lossy(input)
        );
    }
}

fn replay(target: &str, seed: u64, check: fn(&[u8])) {
    let inputs = corpus(target);
    for (name, input) in &inputs {
        run(target, name, input, check);
    }
    let mut rng = Rng(seed);
    for case in 0..cases() {
        let (_, input) = &inputs[rng.below(inputs.len())];
        let (_, other) = &inputs[rng.below(inputs.len())];
        let mutated = mutate(&mut rng, input, other);
        run(target, &format!("mutation {case}"), &mutated, check);
    }
}

#[test]
fn origin_corpus() {
    replay("origin", 0x0123_4567_89ab_cdef, checks::origin);
}

#[test]
fn request_headers_corpus() {
    replay(
        "request_headers",
        0x0fed_cba9_8765_4321,
        checks::request_headers,
    );
}

#[test]
fn decision_corpus() {
    replay("decision", 0x5555_aaaa_3333_cccc, checks::decision);
}

/// The checks can fail: the reference matcher refuses what the documented
/// rules refuse, so a matcher that allowed these would be caught.
#[test]
fn the_reference_matcher_refuses_near_misses() {
    use cors_core::origin::parse_config_origin;
    let specs = [
        parse_config_origin("https://*.example.com").unwrap(),
        parse_config_origin("https://example.com").unwrap(),
        parse_config_origin("http://localhost:*").unwrap(),
    ];
    for allowed in [
        &b"https://a.example.com"[..],
        b"https://a.b.example.com",
        b"https://example.com",
        b"http://localhost",
        b"http://localhost:3000",
    ] {
        assert!(checks::reference_allows(&specs, allowed, None));
    }
    for refused in [
        &b"https://evilexample.com"[..],
        b"https://example.com.evil.net",
        b"https://a.example.com.evil.net",
        b"http://a.example.com",
        b"https://a.example.com:8443",
        b"https://example.com/",
        b"https://A.example.com",
        b"http://localhost:80",
        b"http://a.localhost:3000",
        b"null",
        b"https://\xff.example.com",
    ] {
        assert!(
            !checks::reference_allows(&specs, refused, None),
            "{}",
            String::from_utf8_lossy(refused)
        );
    }
}
