//! Writes every README block that holds tests (`#[actix_web::test]`,
//! `#[test]`) into `$OUT_DIR/blocks.rs`, one module per block, for
//! `tests/blocks.rs` to run: rustdoc compiles doctests without `--test`, so
//! it would drop those functions unchecked.

use std::fmt::Write as _;

fn main() {
    let readme = "../../README.md";
    println!("cargo::rerun-if-changed={readme}");
    let text = std::fs::read_to_string(readme).expect("the workspace README");
    let mut out = String::new();
    let mut lines = text.lines().enumerate();
    while let Some((number, line)) = lines.next() {
        let trimmed = line.trim_start();
        let Some(info) = trimmed.strip_prefix("```") else {
            continue;
        };
        let indent = line.len() - trimmed.len();
        let mut body = String::new();
        for (_, inner) in lines.by_ref() {
            if inner.trim_start().starts_with("```") {
                break;
            }
            body.push_str(inner.get(indent..).unwrap_or(inner.trim_start()));
            body.push('\n');
        }
        let compiled = matches!(info.trim(), "rust" | "rust,no_run");
        if compiled && (body.contains("#[actix_web::test]") || body.contains("#[test]")) {
            let line = number + 1;
            writeln!(
                out,
                "/// README.md, the block at line {line}.\nmod readme_line_{line} {{\n{body}}}"
            )
            .unwrap();
        }
    }
    let dir = std::env::var("OUT_DIR").expect("OUT_DIR");
    std::fs::write(format!("{dir}/blocks.rs"), out).expect("write blocks.rs");
}
