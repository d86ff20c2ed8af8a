//! cargo-fuzz entry point; the body and its properties are `waba_fuzz::receiver`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| waba_fuzz::receiver(data));
