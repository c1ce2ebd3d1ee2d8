//! Footprint of the digits classifier firmware (D = 2048, 10 classes, 64 features): the model
//! blob from flash, one inference. The free stack is painted before and scanned after, so the
//! program reports its stack high-water mark (everything the program used, `main` included);
//! flash and static RAM come from the ELF (`boards/qemu/footprint.sh`).
#![no_std]
#![no_main]

use core::hint::black_box;
use hyperbits::classify::Classifier;
use hyperbits_qemu::{entry, semihosting, DIGITS_MODEL};

/// One digits test row: the host's prediction, three zero bytes, 64 × `f32`.
static SAMPLE: &[u8; 260] = include_bytes!("../data/digits-sample.bin");

const PAINT: u32 = 0xDEAD_C0DE;

extern "C" {
    /// The top of the stack (cortex-m-rt and riscv-rt linker scripts).
    static _stack_start: u32;
    /// The end of the statically allocated RAM.
    static __ebss: u32;
}

/// The addresses of the linker's stack top and end of static RAM.
fn bounds() -> (usize, usize) {
    // Only the addresses of the linker symbols are taken; they are never read.
    (
        core::ptr::addr_of!(_stack_start) as usize,
        core::ptr::addr_of!(__ebss) as usize,
    )
}

/// Fills the free stack (from the end of the statics up to just below this frame) with
/// `PAINT`.
#[inline(never)]
fn paint() {
    let marker = 0u32;
    let below_frame = core::ptr::addr_of!(marker) as usize - 64;
    let (_, bottom) = bounds();
    let mut p = (bottom + 3) & !3;
    while p < below_frame {
        // SAFETY: [end of statics, below this frame) is unused stack memory at this point:
        // no live frame lies below the current one, and the statics end at `__ebss`.
        unsafe { core::ptr::write_volatile(p as *mut u32, PAINT) };
        p += 4;
    }
}

/// Stack bytes used so far: from the stack top down to the deepest overwritten word.
fn high_water() -> usize {
    let (top, bottom) = bounds();
    let mut p = (bottom + 3) & !3;
    // SAFETY: the same region `paint` wrote, read back; within RAM.
    while p < top && unsafe { core::ptr::read_volatile(p as *const u32) } == PAINT {
        p += 4;
    }
    top - p
}

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
