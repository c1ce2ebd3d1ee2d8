//! The digits classifier on the emulated MCU: test accuracy of the host-trained blob, and one
//! inference between the instruction-count markers (`./insncount.sh <target> digits`).
#![no_std]
#![no_main]

use core::hint::black_box;
use hyperbits::classify::Classifier;
use hyperbits_qemu::{bench_start, bench_stop, digits_rows, entry, semihosting, DIGITS_MODEL};

#[entry]
fn main() -> ! {
    let clf = match Classifier::<64>::from_bytes(DIGITS_MODEL) {
        Ok(c) => c,
        Err(e) => {
            semihosting::eprintln!("cannot load the model: {}", e);
            semihosting::process::exit(1)
        }
    };
    let (mut rows, mut right, mut same) = (0usize, 0usize, 0usize);
    for (label, host, features) in digits_rows() {
        let class = clf
            .predict(&features)
            .map(|p| p.class)
            .unwrap_or(usize::MAX);
        rows += 1;
        right += usize::from(class == usize::from(label));
        same += usize::from(class == usize::from(host));
    }
    semihosting::println!(
        "digits on {}: accuracy {}/{} = {}.{:04}, {} of {} predictions identical to the host",
        hyperbits_qemu::TARGET,
        right,
        rows,
        (right * 10_000 + rows / 2) / rows / 10_000,
        (right * 10_000 + rows / 2) / rows % 10_000,
        same,
        rows
    );
    let (_, _, features) = digits_rows().next().unwrap_or((0, 0, [0.0; 64]));
    semihosting::println!("region: (empty)");
    bench_start();
    bench_stop();
    semihosting::println!("region: digits inference (D=2048, 64 features, 10 classes)");
    bench_start();
    let p = clf.predict(black_box(&features));
    bench_stop();
    black_box(p).ok();
    semihosting::println!("done");
    semihosting::process::exit(if same == rows { 0 } else { 1 })
}
