//! Compares the learning methods and encoders on the digits split (D = 2048).
//!
//! Run: `cargo run --release --example methods`

use hyperbits::train::csv::read_csv;
use hyperbits::train::{train, EncoderChoice, Method, Options};
use hyperbits::words;
use std::path::Path;
use std::time::Instant;

const W: usize = words(2048);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data/digits");
    let (tr, te) = (dir.join("train.csv"), dir.join("test.csv"));
    let table = read_csv(&tr, true, None)?;
    let (classes, _) = table.classes();
    let train_set = table.dataset(&tr, &classes)?;
    let test_set = read_csv(&te, true, Some(&table.columns))?.dataset(&te, &classes)?;
    let methods = [
        ("centroid", Method::Centroid),
        (
            "OnlineHD, 20 epochs, rate 1",
            Method::OnlineHd {
                epochs: 20,
                rate: 1.0,
            },
        ),
        (
            "margin perceptron (default)",
            Method::Perceptron {
                epochs: 30,
                margin: None,
            },
        ),
    ];
    let encoders = [
        ("projection", EncoderChoice::Projection),
        ("record, 16 levels", EncoderChoice::Record { levels: 16 }),
    ];
    println!("| encoder | method | test accuracy (seeds 0, 1, 2) | training |");
    println!("|---|---|---|---:|");
    for (ename, encoder) in encoders {
        for (mname, method) in methods {
            let mut accs = Vec::new();
            let start = Instant::now();
            for seed in 0..3 {
                let m = train::<W>(
                    &train_set,
                    &Options {
                        encoder,
                        method,
                        seed,
                        ..Options::default()
                    },
                )?;
                accs.push(format!("{:.4}", m.accuracy(&test_set)?));
            }
            let t = start.elapsed().as_secs_f64() / 3.0;
            println!("| {ename} | {mname} | {} | {t:.3} s |", accs.join(", "));
        }
    }
    Ok(())
}
