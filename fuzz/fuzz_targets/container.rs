//! The model container: any bytes are rejected with an `Error` or give a model whose sections
//! read without panicking. Run: `cargo +nightly fuzz run container --fuzz-dir fuzz`
#![no_main]

use hyperbits::model::Model;
use hyperbits_fuzz::with_and_without_checksum;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    with_and_without_checksum(data, |bytes| {
        if let Ok(model) = Model::new_checked(bytes) {
            let _ = (model.kind(), model.version());
            // The tags of every model kind, and one that no kind uses.
            for tag in [
                *b"CPAR", *b"CLSV", *b"SMIN", *b"SPAR", *b"SBIT", *b"HPAR", *b"HPAT", *b"HSAE",
                *b"HCOD", *b"NONE",
            ] {
                let _ = model.section(tag);
                let _ = model.section_u32(tag);
                let _ = model.section_f32(tag);
            }
        }
    });
});
