//! ARMv7-M / ARMv8-M Mainline (Cortex-M3/M4/M7/M33): the Harley–Seal Hamming loop in
//! hand-scheduled Thumb-2 assembly (the compiler's schedule spills registers).

//! Harley–Seal Hamming distance in Thumb-2 assembly (Cortex-M3/M4/M7/M33).
//!
//! The compiler's version of the same loop spills (the scheduler hoists all loads), so
//! the 8-word step is scheduled by hand: `ldm` loads, 7 carry-save adders, one SWAR
//! popcount to byte lanes. 59 instructions per 8 words, against 15 per word for a
//! plain `count_ones` loop. Byte lanes hold at most 8 per step, so at most 31 steps run
//! per call before the lanes are folded (248 < 256).

use core::arch::asm;

const MAX_STEPS: usize = 31;

pub(super) fn hamming(a: &[u32], b: &[u32]) -> u32 {
    let n = a.len().min(b.len());
    let steps = n / 8;
    let (mut ones, mut twos, mut fours) = (0u32, 0u32, 0u32);
    let mut eights = 0u32;
    // The pointers run on from chunk to chunk (the loop advances them): no re-slicing.
    let (mut pa, mut pb) = (a.as_ptr(), b.as_ptr());
    let mut left = steps;
    while left > 0 {
        let chunk = left.min(MAX_STEPS);
        // `pa` is `8 * (steps - left)` words into `a`, and `steps <= n / 8`, so `end` is at
        // most `a.as_ptr() + 8 * steps`, inside `a` or one past it.
        let end = pa.wrapping_add(8 * chunk);
        let mut bytes = 0u32;
        // SAFETY: `pa` and `pb` point `8 * (steps - left)` words into `a` and `b`, which hold
        // at least `8 * steps` words each (`steps <= n / 8`); the loop reads exactly
        // `8 * chunk` words from each (`1 <= chunk <= left`, so the `bne` loop runs and stops
        // when `pa` reaches `end`) and leaves both pointers just past them. Every operand is
        // an explicit register; r6 and r7 (which LLVM reserves and which cannot be operands)
        // are saved and restored around the loop on the stack; every other register written
        // is an operand or a declared clobber. Flags are clobbered (no `preserves_flags`).
        unsafe {
            asm!(
                "push {{r6, r7}}",
                "2:",
                // words 0..4: a in r6, r7, r9, r10; b through r11, r12
                "ldm r0!, {{r6, r7, r9, r10}}",
                "ldm r1!, {{r11, r12}}",
                "eor r6, r6, r11",
                "eor r7, r7, r12",
                "ldm r1!, {{r11, r12}}",
                "eor r9, r9, r11",
                "eor r10, r10, r12",
                // twos_a = carry(ones + x0 + x1) -> r6
                "eor r11, r6, r7",
                "and r6, r6, r7",
                "and r7, r3, r11",
                "eor r3, r3, r11",
                "orr r6, r6, r7",
                // twos_b = carry(ones + x2 + x3) -> r9
                "eor r11, r9, r10",
                "and r9, r9, r10",
                "and r10, r3, r11",
                "eor r3, r3, r11",
                "orr r9, r9, r10",
                // fours_a = carry(twos + twos_a + twos_b) -> r6
                "eor r11, r6, r9",
                "and r6, r6, r9",
                "and r9, r4, r11",
                "eor r4, r4, r11",
                "orr r6, r6, r9",
                // words 4..8: a in r7, r9, r10, r11; b through r12, lr
                "ldm r0!, {{r7, r9, r10, r11}}",
                "ldm r1!, {{r12, lr}}",
                "eor r7, r7, r12",
                "eor r9, r9, lr",
                "ldm r1!, {{r12, lr}}",
                "eor r10, r10, r12",
                "eor r11, r11, lr",
                // twos_a -> r7
                "eor r12, r7, r9",
                "and r7, r7, r9",
                "and r9, r3, r12",
                "eor r3, r3, r12",
                "orr r7, r7, r9",
                // twos_b -> r10
                "eor r12, r10, r11",
                "and r10, r10, r11",
                "and r11, r3, r12",
                "eor r3, r3, r12",
                "orr r10, r10, r11",
                // fours_b -> r7
                "eor r12, r7, r10",
                "and r7, r7, r10",
                "and r10, r4, r12",
                "eor r4, r4, r12",
                "orr r7, r7, r10",
                // eights = carry(fours + fours_a + fours_b) -> r6
                "eor r12, r6, r7",
                "and r6, r6, r7",
                "and r7, r5, r12",
                "eor r5, r5, r12",
                "orr r6, r6, r7",
                // popcount(eights) into byte lanes
                // x - ((x & 0xaaaaaaaa) >> 1): 2-bit counts
                "bic r7, r6, #0x55555555",
                "sub r6, r6, r7, lsr #1",
                // (x & 0x33333333) + ((x & 0xcccccccc) >> 2): 4-bit counts
                "and r7, r6, #0x33333333",
                "bic r6, r6, #0x33333333",
                "add r6, r7, r6, lsr #2",
                // (x + (x >> 4)) & 0x0f0f0f0f: byte counts
                "add r6, r6, r6, lsr #4",
                "and r6, r6, #0x0f0f0f0f",
                "add r8, r8, r6",
                "cmp r0, r2",
                "bne 2b",
                "pop {{r6, r7}}",
                inout("r0") pa,
                inout("r1") pb,
                in("r2") end,
                inout("r3") ones,
                inout("r4") twos,
                inout("r5") fours,
                inout("r8") bytes,
                out("r9") _,
                out("r10") _,
                out("r11") _,
                out("r12") _,
                out("lr") _,
            );
        }
        eights += (bytes & 0xff) + ((bytes >> 8) & 0xff) + ((bytes >> 16) & 0xff) + (bytes >> 24);
        left -= chunk;
    }
    let rest: u32 = a[8 * steps..n]
        .iter()
        .zip(&b[8 * steps..n])
        .map(|(x, y)| (x ^ y).count_ones())
        .sum();
    8 * eights + 4 * fours.count_ones() + 2 * twos.count_ones() + ones.count_ones() + rest
}
