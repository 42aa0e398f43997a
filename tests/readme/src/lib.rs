//! Every Rust block of the workspace's README, compiled as a doctest with the
//! dependencies the README lists (see `Cargo.toml`).
//!
//! A block marked ```` ```rust,ignore ```` is deliberately partial: it shows a
//! fragment (items without their imports, or a `let` outside a function),
//! and the block says so in its first line. Every other block is a whole
//! program.

#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct Readme;
