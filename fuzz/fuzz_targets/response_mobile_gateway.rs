//! cargo-fuzz entry point; the body and its properties are `waba_fuzz::response_mobile_gateway`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| waba_fuzz::response_mobile_gateway(data));
