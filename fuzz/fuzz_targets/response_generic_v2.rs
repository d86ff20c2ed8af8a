//! cargo-fuzz entry point; the body and its properties are `waba_fuzz::response_generic_v2`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| waba_fuzz::response_generic_v2(data));
