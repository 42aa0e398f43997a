//! `cargo fuzz run request_headers`: see `cors_core_fuzz::checks::request_headers`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cors_core_fuzz::checks::request_headers(data));
