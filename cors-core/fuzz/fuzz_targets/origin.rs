//! `cargo fuzz run origin`: see `cors_core_fuzz::checks::origin`.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| cors_core_fuzz::checks::origin(data));
