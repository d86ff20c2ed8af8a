//! cargo-fuzz entry point; the body and its properties are `waba_fuzz::csv_recipients`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| waba_fuzz::csv_recipients(data));
