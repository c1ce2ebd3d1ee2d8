//! Stack high-water marks: paint the free stack before the code under test, scan it after.
//! [`high_water`] counts everything the program used, `main` included.

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
pub fn paint() {
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

/// Stack bytes used so far (call after [`paint`]): from the stack top down to the deepest overwritten word.
pub fn high_water() -> usize {
    let (top, bottom) = bounds();
    let mut p = (bottom + 3) & !3;
    // SAFETY: the same region `paint` wrote, read back; within RAM.
    while p < top && unsafe { core::ptr::read_volatile(p as *const u32) } == PAINT {
        p += 4;
    }
    top - p
}
