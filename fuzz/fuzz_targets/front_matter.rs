//! Front matter: reading any text never panics.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &str| {
    let _ = specwork_core::text::front_matter::read(data);
});
