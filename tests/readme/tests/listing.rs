//! The README's blocks against this crate: its doctests compile every Rust
//! block, so the crates they may use must be exactly those the README tells
//! a reader to add, and a block left out of the doctests must say why.

const README: &str = include_str!("../../../README.md");
const MANIFEST: &str = include_str!("../Cargo.toml");

#[path = "../src/fences.rs"]
mod fences;

/// The fenced blocks of `text`: (info string, body).
fn blocks(text: &str) -> Vec<(String, String)> {
    fences::blocks(text)
        .into_iter()
        .map(|b| (b.info, b.body))
        .collect()
}

/// The crate names of the `table` (`[dependencies]`) in `toml`.
fn dependencies(toml: &str, table: &str) -> Vec<String> {
    let mut names: Vec<String> = toml
        .lines()
        .skip_while(|line| line.trim() != table)
        .skip(1)
        .take_while(|line| !line.trim_start().starts_with('['))
        .filter_map(|line| line.split_once('=').map(|(name, _)| name.trim()))
        .filter(|name| !name.is_empty() && !name.starts_with('#'))
        .map(|name| name.split('.').next().unwrap_or(name).to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn the_readme_lists_exactly_the_crates_its_blocks_compile_with() {
    for table in ["[dependencies]", "[dev-dependencies]"] {
        let listed: Vec<String> = blocks(README)
            .iter()
            .filter(|(info, body)| info == "toml" && body.contains(table))
            .flat_map(|(_, body)| dependencies(body, table))
            .collect();
        assert!(!listed.is_empty(), "the README lists no {table}");
        assert_eq!(listed, dependencies(MANIFEST, table), "{table}");
    }
}

/// Info strings rustdoc reads as Rust, besides those starting with `rust`.
const RUSTDOC_WORDS: [&str; 6] = [
    "ignore",
    "no_run",
    "compile_fail",
    "should_panic",
    "edition",
    "test_harness",
];

#[test]
fn every_block_names_its_language_and_rust_is_spelled_one_way() {
    for fences::Block { line, info, body } in fences::blocks(README) {
        assert!(
            !info.is_empty(),
            "README.md:{line}: a block without a language is Rust to rustdoc; name it:\n{body}"
        );
        let lower = info.to_ascii_lowercase();
        let rustish = lower.contains("rust") || RUSTDOC_WORDS.iter().any(|w| lower.contains(w));
        if rustish {
            assert!(
                matches!(
                    info.as_str(),
                    "rust" | "rust,no_run" | "rust,compile_fail" | "rust,ignore"
                ),
                "README.md:{line}: `{info}`: write `rust`, `rust,no_run`, `rust,compile_fail` or `rust,ignore`"
            );
        }
    }
}

#[test]
fn blocks_with_tests_are_run_as_tests() {
    // `build.rs` copies these into `tests/blocks.rs`; rustdoc alone would
    // drop their `#[test]` functions unchecked.
    let generated = include_str!(concat!(env!("OUT_DIR"), "/blocks.rs"));
    let with_tests = blocks(README)
        .into_iter()
        .filter(|(info, body)| fences::is_compiled(info) && fences::has_tests(body))
        .count();
    assert!(with_tests >= 1, "the README's testing section has a test");
    assert_eq!(generated.matches("mod readme_line_").count(), with_tests);
}

#[test]
fn every_rust_block_is_compiled_or_says_why_not() {
    let rust: Vec<(String, String)> = blocks(README)
        .into_iter()
        .filter(|(info, _)| info.starts_with("rust"))
        .collect();
    assert!(rust.len() >= 10, "only {} Rust blocks found", rust.len());
    for (info, body) in rust {
        match info.as_str() {
            // Compiled; a server's `main` is not run, a refused policy must not compile.
            "rust" | "rust,no_run" | "rust,compile_fail" => {}
            "rust,ignore" => assert!(
                body.starts_with("// Partial:"),
                "a block left out of the doctests must start with `// Partial:` and say what it leaves out:\n{body}"
            ),
            other => panic!("`{other}`: a Rust block is `rust`, `rust,no_run`, `rust,compile_fail` or `rust,ignore` (partial)"),
        }
        // Rustdoc's hidden lines would show on GitHub and crates.io.
        for line in body.lines() {
            assert!(
                !(line.starts_with("# ") || line == "#"),
                "a hidden doctest line shows literally outside rustdoc: {line}"
            );
        }
    }
}

#[test]
fn the_fence_reader_sees_what_rustdoc_sees() {
    let text = "~~~rust\n#[ test ]\nfn t() {}\n~~~\n\n  ````rust,ignore\n  ```\n  inside\n  ````\n";
    let found = fences::blocks(text);
    assert_eq!(found.len(), 2);
    assert_eq!((found[0].line, found[0].info.as_str()), (1, "rust"));
    assert!(fences::has_tests(&found[0].body));
    assert_eq!(found[1].info, "rust,ignore");
    assert_eq!(found[1].body, "```\ninside\n");
    for attr in [
        "#[::actix_web::test]",
        "#[tokio::test(flavor = \"multi_thread\")]",
        "#[test]",
    ] {
        assert!(fences::has_tests(attr), "{attr}");
    }
    assert!(!fences::has_tests("#[get(\"/test\")]"));
}

/// The keys of the first Markdown table in `text` whose header starts with
/// `| key |`, in order (`prefix` is what each line starts with, such as
/// `/// ` in Rust docs).
fn key_table(text: &str, prefix: &str) -> Vec<String> {
    text.lines()
        .map(|line| line.strip_prefix(prefix).unwrap_or(line))
        .skip_while(|line| !line.starts_with("| key |"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .filter_map(|line| line.split('`').nth(1).map(str::to_owned))
        .collect()
}

#[test]
fn the_key_tables_list_the_declared_keys_in_order() {
    let declared: Vec<&str> = cors_actix::cors_core::KEYS.iter().map(|k| k.name).collect();
    assert_eq!(key_table(README, ""), declared, "README.md");
    let docs = include_str!("../../../cors-actix/src/lib.rs");
    assert_eq!(key_table(docs, "/// "), declared, "the docs of #[cors]");
}
