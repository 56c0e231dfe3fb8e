//! Any bytes, read as a file someone imports (see `burnrate::domain::import::harness`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    burnrate::domain::import::harness::import_bytes(data);
});
