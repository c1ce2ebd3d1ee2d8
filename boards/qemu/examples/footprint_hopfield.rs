//! Footprint of a Hopfield firmware: the classic memory of `data/hopfield.hbm` (N = 1024,
//! P = 102) read in place, one synchronous recall from a 10 %-noisy cue
//! (`boards/qemu/footprint.sh <target> footprint_hopfield`).
#![no_std]
#![no_main]

use core::hint::black_box;
use hyperbits::hopfield::{HopfieldView, Update};
use hyperbits_qemu::stack::{high_water, paint};
use hyperbits_qemu::{entry, hopfield_case, semihosting, HOPFIELD_MODEL};

#[entry]
fn main() -> ! {
    let (_, cue, expected) = hopfield_case();
    paint();
    let state = HopfieldView::<32>::from_bytes(black_box(HOPFIELD_MODEL))
        .map(|m| m.recall(black_box(&cue), Update::Synchronous, 20).state);
    let used = high_water();
    semihosting::println!("stack used by load + inference: {} bytes", used);
    semihosting::println!("done");
    semihosting::process::exit(if state == Ok(expected) { 0 } else { 1 })
}
