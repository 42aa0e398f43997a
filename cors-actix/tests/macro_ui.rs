//! Compile-time tests of `#[cors]` and `cors_policy!`, run with trybuild.
//!
//! - `ui/fail/*.rs`: one case per compile-time rule; each `.stderr` holds
//!   the exact message and the token it points at. Regenerate with
//!   `TRYBUILD=overwrite cargo test -p cors-actix --test macro_ui`, then
//!   review every changed `.stderr` by reading it.
//! - `ui/pass/*.rs`: every supported route-attribute form and key, each
//!   registered on an `App` wrapped in `Cors`, so the generated code
//!   type-checks.

#[test]
fn macro_ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
