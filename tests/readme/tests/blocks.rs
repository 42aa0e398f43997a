//! The README's blocks that hold tests, run as tests (see `build.rs`).

include!(concat!(env!("OUT_DIR"), "/blocks.rs"));
