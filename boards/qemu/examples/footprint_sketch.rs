//! Footprint of a sketch firmware: the Bloom sketch of `data/sketch.hbm` (2,464 bits, k = 27)
//! read in place, one membership query (`boards/qemu/footprint.sh <target> footprint_sketch`).
#![no_std]
#![no_main]

use core::hint::black_box;
use hyperbits::sketch::Bloom;
use hyperbits_qemu::stack::{high_water, paint};
use hyperbits_qemu::{entry, semihosting, SKETCH_MODEL};

#[entry]
fn main() -> ! {
    paint();
    let found = Bloom::from_bytes(black_box(SKETCH_MODEL)).map(|s| s.contains(black_box(5)));
    let used = high_water();
    semihosting::println!("stack used by load + inference: {} bytes", used);
    semihosting::println!("done");
    semihosting::process::exit(if found == Ok(true) { 0 } else { 1 })
}
