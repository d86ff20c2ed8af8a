//! cargo-fuzz entry point; the body and its properties are `waba_fuzz::phone_parse`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| waba_fuzz::phone_parse(data));
