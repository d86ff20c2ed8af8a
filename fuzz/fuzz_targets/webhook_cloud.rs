//! cargo-fuzz entry point; the body and its properties are `waba_fuzz::webhook_cloud`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| waba_fuzz::webhook_cloud(data));
