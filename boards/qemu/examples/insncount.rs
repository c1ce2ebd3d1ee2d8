//! Instruction counts per operation on the emulated MCU.
//!
//! Each operation runs once between `bench_start()` and `bench_stop()`; the QEMU plugin in
//! `insncount/` counts the instructions executed in each region, and `insncount.sh` pairs the
//! counts with the names printed here. Region 0 is empty and calibrates the marker overhead.
#![no_std]
#![no_main]

use core::hint::black_box;
use hyperbits::encode::{Level, Record};
use hyperbits::{Accumulator, BinaryVector, Codebook, ItemMemory};
use hyperbits_qemu::{bench_start, bench_stop, entry, semihosting::println};

const W: usize = hyperbits::words(2048);

fn region<R>(name: &str, f: impl FnOnce() -> R) -> R {
    println!("region: {}", name);
    bench_start();
    let r = black_box(f());
    bench_stop();
    r
}

// Each group of regions runs in its own function, so their vectors live in one frame at a
// time: the Cortex-M0 has 16 KiB of RAM.
#[inline(never)]
fn d10016(book: &Codebook) {
    let (a, b): (BinaryVector<313>, BinaryVector<313>) = (book.vector(0), book.vector(1));
    region("hamming D=10016", || black_box(&a).hamming(black_box(&b)));
}

#[inline(never)]
fn d2048(book: &Codebook) {
    let v: [BinaryVector<W>; 9] = core::array::from_fn(|i| book.vector(i as u32));
    region("codebook vector D=2048", || book.vector::<W>(black_box(77)));
    region("hamming D=2048", || {
        black_box(&v[0]).hamming(black_box(&v[1]))
    });
    region("bind D=2048", || black_box(&v[0]).bind(black_box(&v[1])));
    region("permute D=2048", || {
        black_box(&v[0]).permute(black_box(999))
    });
    region("bundle3 D=2048", || {
        BinaryVector::bundle3(black_box(&v[0]), black_box(&v[1]), black_box(&v[2]))
    });
    let refs: [&BinaryVector<W>; 9] = core::array::from_fn(|i| &v[i]);
    let _ = region("bundle9 D=2048", || {
        BinaryVector::bundle(black_box(&refs), 0)
    });
    {
        let mut acc = Accumulator::<W, i8>::new();
        region("accumulator add D=2048 (i8)", || acc.add(black_box(&v[3])));
    }
    {
        let mut memory = ItemMemory::<W, 8, u8>::new();
        for i in 0..8u8 {
            let _ = memory.insert(i, book.vector(100 + u32::from(i)));
        }
        let _ = region("nearest of 8 D=2048", || memory.nearest(black_box(&v[4])));
    }
}

#[inline(never)]
fn encoders() {
    let level = Level::new(2, 16).unwrap_or_else(|_| panic!("valid level count"));
    let _ = region("level vector D=2048", || level.vector::<W>(black_box(9)));
    let record = Record::new(3, level);
    let levels: [u16; 16] = core::array::from_fn(|i| (i * 7 % 16) as u16);
    let _ = region("record of 16 features D=2048", || {
        record.encode_levels::<W>(black_box(&levels), 0)
    });
}

#[entry]
fn main() -> ! {
    let book = Codebook::new(1);
    region("(empty)", || ());
    d10016(&book);
    d2048(&book);
    encoders();
    println!("done");
    hyperbits_qemu::semihosting::process::exit(0)
}
