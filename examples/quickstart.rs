//! Train on the host, run like the chip: learns a 1-bit HDC classifier for the digits data
//! shipped in `examples/data/digits`, writes the model blob, reloads it through the no_std
//! zero-copy loader and checks that the predictions are identical.
//!
//! Run: `cargo run --release --example quickstart`

use hyperbits::classify::Classifier;
use hyperbits::model::AlignedBlob;
use hyperbits::train::csv::read_csv;
use hyperbits::train::{train, Options};
use hyperbits::words;
use std::path::Path;
use std::time::Instant;

const W: usize = words(2048);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/digits");
    let (train_path, test_path) = (dir.join("train.csv"), dir.join("test.csv"));
    let train_table = read_csv(&train_path, true, None)?;
    let (classes, _) = train_table.classes();
    let train_set = train_table.dataset(&train_path, &classes)?;
    let test_set =
        read_csv(&test_path, true, Some(&train_table.columns))?.dataset(&test_path, &classes)?;
    println!(
        "digits: {} training rows, {} test rows, {} features, {} classes, D = {}",
        train_set.len(),
        test_set.len(),
        train_set.features,
        classes.len(),
        32 * W
    );

    let start = Instant::now();
    let model = train::<W>(&train_set, &Options::default())?;
    let train_time = start.elapsed();
    let accuracy = model.accuracy(&test_set)?;
    println!("test accuracy: {accuracy:.4}");
    println!(
        "training time: {:.3} s (margin chosen: {} bits)",
        train_time.as_secs_f64(),
        model.margin.unwrap_or(0)
    );

    let blob = model.to_blob()?;
    let out = std::env::temp_dir().join("digits.hbm");
    std::fs::write(&out, &blob)?;
    println!("model: {} bytes, written to {}", blob.len(), out.display());

    // Reload through the no_std loader (in place, no copy) and compare every prediction.
    let aligned = AlignedBlob::read(&out)?;
    let device = Classifier::<W>::from_bytes(aligned.as_bytes())?;
    let mut same = 0;
    for i in 0..test_set.len() {
        if device.predict(test_set.row(i))? == model.predict(test_set.row(i))? {
            same += 1;
        }
    }
    println!(
        "reloaded blob: {same} of {} predictions identical",
        test_set.len()
    );

    // Throughput, encode + classify, one thread: the host model (cached projection rows,
    // vectorised kernels) and the device code path (rows regenerated from the seed).
    let rate = |f: &dyn Fn(&[f32]) -> usize| -> f64 {
        let start = Instant::now();
        let mut checksum = 0;
        let rounds = 20;
        for _ in 0..rounds {
            for i in 0..test_set.len() {
                checksum += f(test_set.row(i));
            }
        }
        std::hint::black_box(checksum);
        (rounds * test_set.len()) as f64 / start.elapsed().as_secs_f64()
    };
    let host = rate(&|x| model.predict(x).map(|p| p.class).unwrap_or(0));
    let on_device_path = rate(&|x| device.predict(x).map(|p| p.class).unwrap_or(0));
    println!("inference: {host:.0} samples/s (host model); {on_device_path:.0} samples/s (device code path on this CPU)");
    if same != test_set.len() {
        return Err("the reloaded model disagrees with the host model".into());
    }
    Ok(())
}
