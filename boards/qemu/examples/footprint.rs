//! Footprint of the digits classifier firmware (D = 2048, 10 classes, 64 features): the model
//! blob from flash, one inference. The free stack is painted before and scanned after, so the
//! program reports its stack high-water mark (everything the program used, `main` included);
//! flash and static RAM come from the ELF (`boards/qemu/footprint.sh`).
#![no_std]
#![no_main]

use core::hint::black_box;
use hyperbits::classify::Classifier;
use hyperbits_qemu::stack::{high_water, paint};
use hyperbits_qemu::{entry, semihosting, DIGITS_MODEL};

/// One digits test row: the host's prediction, three zero bytes, 64 × `f32`.
static SAMPLE: &[u8; 260] = include_bytes!("../data/digits-sample.bin");

#[entry]
fn main() -> ! {
    let host = SAMPLE[0];
    let features: [f32; 64] = core::array::from_fn(|i| {
        let b = &SAMPLE[4 + 4 * i..8 + 4 * i];
        f32::from_le_bytes([b[0], b[1], b[2], b[3]])
    });
    paint();
    let class = match Classifier::<64>::from_bytes(black_box(DIGITS_MODEL)) {
        Ok(c) => c
            .predict(black_box(&features))
            .map(|p| p.class)
            .unwrap_or(usize::MAX),
        Err(_) => usize::MAX,
    };
    let used = high_water();
    semihosting::println!("stack used by load + inference: {} bytes", used);
    semihosting::println!("done");
    semihosting::process::exit(if class == usize::from(host) { 0 } else { 1 })
}
