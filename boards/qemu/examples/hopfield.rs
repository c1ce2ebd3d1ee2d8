//! One classic Hopfield recall on the emulated MCU (N = 1024, P = 102, patterns read in place
//! from flash), between the instruction-count markers (`./insncount.sh <target> hopfield`).
#![no_std]
#![no_main]

use core::hint::black_box;
use hyperbits::hopfield::{HopfieldView, Update};
use hyperbits_qemu::{bench_start, bench_stop, entry, hopfield_case, semihosting, HOPFIELD_MODEL};

#[entry]
fn main() -> ! {
    let Ok(memory) = HopfieldView::<32>::from_bytes(HOPFIELD_MODEL) else {
        semihosting::eprintln!("cannot load the Hopfield model");
        semihosting::process::exit(1)
    };
    let (steps, cue, state) = hopfield_case();
    semihosting::println!("region: (empty)");
    bench_start();
    bench_stop();
    semihosting::println!("region: Hopfield recall (N=1024, P=102, sync)");
    bench_start();
    let r = memory.recall(black_box(&cue), Update::Synchronous, 20);
    bench_stop();
    let same = r.state == state && r.steps == steps;
    semihosting::println!(
        "Hopfield on {}: {} steps, {} of 1024 bits from the stored pattern, identical to the host: {}",
        hyperbits_qemu::TARGET,
        r.steps,
        memory.nearest(&r.state).map_or(0, |(_, d)| d),
        same
    );
    semihosting::println!("done");
    semihosting::process::exit(if same { 0 } else { 1 })
}
