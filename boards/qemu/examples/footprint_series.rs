//! Footprint of a streaming firmware: the HAR window classifier of `data/har.hbm` read in
//! place, its stream (3.5 KiB, on the stack here) fed 64 samples of a made-up signal until
//! the first decision (`boards/qemu/footprint.sh <target> footprint_series`).
#![no_std]
#![no_main]

use core::hint::black_box;
use hyperbits::series::{Stream, WindowClassifier};
use hyperbits_qemu::stack::{high_water, paint};
use hyperbits_qemu::{entry, semihosting, HAR_MODEL};

#[entry]
fn main() -> ! {
    paint();
    let mut decided = false;
    if let Ok(clf) = WindowClassifier::<64, 1>::from_bytes(black_box(HAR_MODEL)) {
        let mut stream = Stream::<512, 64>::new();
        for t in 0..64i16 {
            // Gravity on x, a slow sway on the other axes.
            let sway = (t % 16 - 8) * 20;
            let sample = [-1000 + sway, sway, 50, sway / 4, -sway / 4, 3];
            decided |= matches!(stream.push(&clf, black_box(&sample)), Ok(Some(_)));
        }
    }
    let used = high_water();
    semihosting::println!("stack used by load + inference: {} bytes", used);
    semihosting::println!("done");
    semihosting::process::exit(if decided { 0 } else { 1 })
}
