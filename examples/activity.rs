//! Activity recognition from a waist-worn phone's accelerometer and gyroscope, end to end:
//! trains a window classifier on the HAR windows shipped in `examples/data/har` (volunteers
//! 1-15), measures it on unseen volunteers (16-21), writes the model blob, and replays every
//! test window sample by sample through the device's streaming path ([`Stream`]), checking
//! that each prediction is the host's.
//!
//! Run: `cargo run --release --example activity [-- --seed N --dim-check]`

use flate2::read::GzDecoder;
use hyperbits::model::AlignedBlob;
use hyperbits::series::{Stream, WindowClassifier};
use hyperbits::train::csv::parse_csv;
use hyperbits::train::{train_series, SeriesOptions, Windows};
use hyperbits::words;
use std::io::Read;
use std::path::Path;
use std::time::Instant;

const W: usize = words(2048);
/// Six channels: accelerometer x, y, z (milli-g), gyroscope x, y, z (milli-rad/s).
const CHANNELS: usize = 6;

fn read(path: &Path, classes: Option<&[String]>) -> Result<Windows, Box<dyn std::error::Error>> {
    let mut text = String::new();
    GzDecoder::new(std::fs::File::open(path)?).read_to_string(&mut text)?;
    let table = parse_csv(&text, path, true, None)?;
    Ok(Windows::from_table(&table, CHANNELS, path, classes)?)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seed = std::env::args()
        .skip_while(|a| a != "--seed")
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(0);
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/har");
    let train = read(&dir.join("train.csv.gz"), None)?;
    let valid = read(&dir.join("valid.csv.gz"), Some(&train.class_names))?;
    println!(
        "har: {} training windows, {} test windows (other volunteers), {} channels × {} samples, \
         {} classes, D = {}",
        train.len(),
        valid.len(),
        train.channels,
        train.length,
        train.class_names.len(),
        32 * W
    );

    let mut options = SeriesOptions {
        vectors: vec![0, 3],
        ..SeriesOptions::default()
    };
    options.classifier.seed = seed;
    let start = Instant::now();
    let model = train_series::<W>(&train, &options, &mut |_, _| {})?;
    println!(
        "trained in {:.2} s: {} features per window",
        start.elapsed().as_secs_f64(),
        model.window()?.features()
    );
    println!("accuracy: {:.4}", model.accuracy(&valid)?);

    let blob = model.to_blob()?;
    let out = std::env::temp_dir().join("har.hbm");
    std::fs::write(&out, &blob)?;
    println!("model: {} bytes, written to {}", blob.len(), out.display());

    // The device's path: the blob read in place, the windows replayed one sample at a time.
    // Consecutive test windows overlap by half, so each is replayed into a fresh stream.
    let aligned = AlignedBlob::read(&out)?;
    let device = WindowClassifier::<W, 1>::from_bytes(aligned.as_bytes())?;
    let host = model.predictions(&valid)?;
    let mut same = 0;
    for (i, expected) in host.iter().enumerate() {
        let mut stream = Stream::<512, 64>::new();
        let mut last = None;
        for sample in valid.window(i).chunks_exact(CHANNELS) {
            last = stream.push(&device, sample)?.or(last);
        }
        if last.map(|d| d.prediction) == Some(*expected) {
            same += 1;
        }
    }
    println!(
        "streamed on the device path: {same} of {} predictions identical",
        valid.len()
    );
    if same != valid.len() {
        return Err("the device's streaming path disagrees with the host".into());
    }
    Ok(())
}
