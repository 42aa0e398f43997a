//! `cargo fuzz run decision`: see `cors_core_fuzz::checks::decision`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cors_core_fuzz::checks::decision(data));
