//! Writes what the emulated-board tests need to check the digits classifier on the MCU:
//! the blob trained with the default options (as `quickstart` does), and the test rows with
//! their true labels and the host's predictions. The files are committed; CI runs this again
//! and fails if they changed, so the on-target tests always check the current trainer.
//!
//! Run: `cargo run --release --example qemu_digits_data`
//!
//! `boards/qemu/data/digits-test.bin`, little-endian: `rows: u32`, `features: u32`, then per
//! row `label: u8`, `host prediction: u8`, two zero bytes, `features × f32`.

use hyperbits::io::read_csv;
use hyperbits::train::{train, Options};
use hyperbits::words;
use std::path::Path;

const W: usize = words(2048);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("examples/data/digits");
    let (tr, te) = (data.join("train.csv"), data.join("test.csv"));
    let table = read_csv(&tr, true, None)?;
    let (classes, _) = table.classes();
    let train_set = table.dataset(&tr, &classes)?;
    let test_set = read_csv(&te, true, Some(&table.columns))?.dataset(&te, &classes)?;
    let model = train::<W>(&train_set, &Options::default())?;
    let out = root.join("boards/qemu/data");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("digits.hbm"), model.to_blob()?)?;
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&(test_set.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&(test_set.features as u32).to_le_bytes());
    for i in 0..test_set.len() {
        let predicted = model.predict(test_set.row(i))?.class;
        bytes.extend_from_slice(&[test_set.labels[i] as u8, predicted as u8, 0, 0]);
        for x in test_set.row(i) {
            bytes.extend_from_slice(&x.to_le_bytes());
        }
    }
    std::fs::write(out.join("digits-test.bin"), bytes)?;
    println!("wrote {}", out.display());
    Ok(())
}
