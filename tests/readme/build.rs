//! Writes every README block that holds tests (`#[actix_web::test]`,
//! `#[test]`) into `$OUT_DIR/blocks.rs`, one module per block, for
//! `tests/blocks.rs` to run: rustdoc compiles doctests without `--test`, so
//! it would drop those functions unchecked.

#[path = "src/fences.rs"]
mod fences;

use std::fmt::Write as _;

fn main() {
    let readme = "../../README.md";
    println!("cargo::rerun-if-changed={readme}");
    println!("cargo::rerun-if-changed=src/fences.rs");
    let text = std::fs::read_to_string(readme).expect("the workspace README");
    let mut out = String::new();
    for block in fences::blocks(&text) {
        if fences::is_compiled(&block.info) && fences::has_tests(&block.body) {
            let line = block.line;
            let body = &block.body;
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
