//! Fuzz targets for `cors-core`, run with `cargo fuzz` (see `README.md`).
//!
//! The checks live in [`checks`], a plain module without any fuzzing
//! dependency: `cors-core/tests/fuzz_corpus.rs` includes the same file by path
//! and replays the checked-in corpus on the stable toolchain under `cargo test`.

pub mod checks;
