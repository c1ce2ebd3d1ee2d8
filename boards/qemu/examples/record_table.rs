//! Instruction count of the record encoder reading its key and level vectors from a table in
//! flash (`RecordTable`, 16 features, 16 levels, D = 2048: 8 KiB of table) instead of
//! regenerating them, as `insncount.rs` measures the regenerating one. A binary of its own: in
//! one binary with the regenerating encoder, the shared helpers are inlined differently and
//! the Cortex-M0's other counts move by up to 10 %, which no firmware (using one of the two)
//! would see.
//!
//! Run: `./insncount.sh <target> record_table`
#![no_std]
#![no_main]

use core::hint::black_box;
use hyperbits::encode::RecordTable;
use hyperbits_qemu::{bench_start, bench_stop, entry, semihosting::println};

#[entry]
fn main() -> ! {
    println!("region: (empty)");
    bench_start();
    bench_stop();
    let (keys, values) = hyperbits_qemu::record_table();
    let table = RecordTable::new(keys, values).unwrap_or_else(|_| panic!("a table"));
    let levels: [u16; 16] = core::array::from_fn(|i| (i * 7 % 16) as u16);
    println!("region: record of 16 features D=2048, table in flash");
    bench_start();
    let r = black_box(table.encode_levels(black_box(&levels), 0));
    bench_stop();
    // The same bits as the regenerating encoder (checked on the host by the core's tests).
    let _ = black_box(r);
    println!("done");
    hyperbits_qemu::semihosting::process::exit(0)
}
