//! The sinusoid-encoded checkerboard classifier on the emulated MCU: the host's answers for
//! every test row, and one inference with its confidence between the instruction-count
//! markers, the same through the model that decorrelates its features first, and one vote of
//! an ensemble of three (`./insncount.sh <target> checkerboard`).
#![no_std]
#![no_main]

use core::hint::black_box;
use hyperbits::classify::Classifier;
use hyperbits::ensemble::Ensemble;
use hyperbits_qemu::{
    bench_start, bench_stop, checkerboard_rows, entry, semihosting,
    CHECKERBOARD_DECORRELATED_MODEL, CHECKERBOARD_ENSEMBLE_MODEL, CHECKERBOARD_EXPECTED,
    CHECKERBOARD_MODEL,
};

#[entry]
fn main() -> ! {
    let clf = match Classifier::<64>::from_bytes(CHECKERBOARD_MODEL) {
        Ok(c) => c,
        Err(e) => {
            semihosting::eprintln!("cannot load the model: {}", e);
            semihosting::process::exit(1)
        }
    };
    let (mut rows, mut same) = (0usize, 0usize);
    for (features, class, margin, probability) in checkerboard_rows(CHECKERBOARD_EXPECTED) {
        let host = (class, margin, probability);
        let got = clf
            .predict_with_confidence(&features)
            .map(|c| (c.prediction.class as u32, c.margin, c.probability));
        rows += 1;
        same += usize::from(got == Ok(host));
    }
    semihosting::println!(
        "checkerboard on {}: {} of {} answers (class, margin, probability) identical to the host",
        hyperbits_qemu::TARGET,
        same,
        rows
    );
    let (features, ..) = checkerboard_rows(CHECKERBOARD_EXPECTED)
        .next()
        .unwrap_or(([0.0; 3], 0, 0, 0));
    semihosting::println!("region: (empty)");
    bench_start();
    bench_stop();
    semihosting::println!(
        "region: sinusoid inference with confidence (D=2048, 3 features, 2 classes)"
    );
    bench_start();
    let c = clf.predict_with_confidence(black_box(&features));
    bench_stop();
    black_box(c).ok();
    let decorrelated = match Classifier::<64>::from_bytes(CHECKERBOARD_DECORRELATED_MODEL) {
        Ok(c) => c,
        Err(e) => {
            semihosting::eprintln!("cannot load the decorrelated model: {}", e);
            semihosting::process::exit(1)
        }
    };
    semihosting::println!(
        "region: decorrelated sinusoid inference with confidence (D=2048, 3 features, 2 classes)"
    );
    bench_start();
    let c = decorrelated.predict_with_confidence(black_box(&features));
    bench_stop();
    black_box(c).ok();
    let ensemble = match Ensemble::<64, 3>::from_bytes(CHECKERBOARD_ENSEMBLE_MODEL) {
        Ok(e) => e,
        Err(e) => {
            semihosting::eprintln!("cannot load the ensemble: {}", e);
            semihosting::process::exit(1)
        }
    };
    semihosting::println!("region: ensemble of 3 with confidence (D=2048, 3 features, 2 classes)");
    bench_start();
    let c = ensemble.predict_with_confidence(black_box(&features));
    bench_stop();
    black_box(c).ok();
    semihosting::println!("done");
    semihosting::process::exit(if same == rows { 0 } else { 1 })
}
