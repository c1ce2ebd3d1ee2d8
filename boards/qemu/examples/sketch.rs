//! Sketch queries on the emulated MCU between the instruction-count markers
//! (`./insncount.sh <target> sketch`): a Bloom sketch read in place from flash (2,464 bits,
//! k = 27), a member and a non-member query, and an intersection estimate.
#![no_std]
#![no_main]

use core::hint::black_box;
use hyperbits::sketch::Bloom;
use hyperbits_qemu::{bench_start, bench_stop, entry, semihosting, SKETCH_MODEL, SKETCH_WORDS};

#[entry]
fn main() -> ! {
    let Ok(a) = Bloom::from_bytes(SKETCH_MODEL) else {
        semihosting::eprintln!("cannot load the sketch");
        semihosting::process::exit(1)
    };
    let Ok(mut b) = Bloom::new([0u32; SKETCH_WORDS], a.k(), a.seed()) else {
        semihosting::process::exit(1)
    };
    (32..96u64).for_each(|k| b.insert(k));
    semihosting::println!("region: (empty)");
    bench_start();
    bench_stop();
    semihosting::println!("region: Bloom contains, member (D=2464, k=27)");
    bench_start();
    let member = a.contains(black_box(5));
    bench_stop();
    semihosting::println!("region: Bloom contains, non-member (D=2464, k=27)");
    bench_start();
    let absent = a.contains(black_box(1_000_000));
    bench_stop();
    semihosting::println!("region: Bloom insert (D=2464, k=27)");
    bench_start();
    b.insert(black_box(7));
    bench_stop();
    semihosting::println!("region: Bloom intersection estimate (D=2464)");
    bench_start();
    let estimate = a.estimate_intersection(black_box(&b));
    bench_stop();
    let ok = member && !absent && estimate.is_ok();
    semihosting::println!(
        "sketch on {}: member {}, non-member {}",
        hyperbits_qemu::TARGET,
        member,
        absent
    );
    semihosting::println!("done");
    semihosting::process::exit(if ok { 0 } else { 1 })
}
