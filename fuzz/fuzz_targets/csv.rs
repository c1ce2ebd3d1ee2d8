//! The CSV reader of the trainer and the command-line tool: any text is rejected with a
//! `CsvError` naming the line, or gives a table that turns into a data set without panicking.
//! Run: `cargo +nightly fuzz run csv --fuzz-dir fuzz`
#![no_main]

use hyperbits::train::csv::parse_csv;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let path = Path::new("fuzz.csv");
    for require_label in [true, false] {
        if let Ok(table) = parse_csv(text, path, require_label, None) {
            let (names, _) = table.classes();
            let _ = table.dataset(path, &names);
            let _ = parse_csv(text, path, require_label, Some(&table.columns));
        }
    }
});
