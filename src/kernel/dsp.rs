//! ARMv7E-M (Cortex-M4/M7) DSP extension: the `i8` dot products with SMLAD, two 16-bit
//! multiply-adds per instruction.

//! The int8 dot product with the ARMv7E-M DSP extension: per 4 bytes, one word load of
//! each operand, SXTB16 to sign-extend bytes 0/2 and (rotated) 1/3 into halfword pairs,
//! and two SMLADs: 10 instructions per 4 multiply-adds.

use core::arch::asm;

pub(super) fn dot_i8(w: &[i8], x: &[i8]) -> i32 {
    let n = w.len().min(x.len());
    let quads = n / 4;
    let tail = if n.is_multiple_of(4) {
        0
    } else {
        super::dot_i8_portable(&w[4 * quads..n], &x[4 * quads..n])
    };
    if quads == 0 {
        return tail;
    }
    let mut acc = 0i32;
    let mut pw = w.as_ptr();
    let mut px = x.as_ptr();
    let end = w[4 * quads..].as_ptr();
    // SAFETY: `pw` and `px` point into `w` and `x`, which hold at least `4 * quads`
    // bytes each (`quads <= n / 4`); the loop reads exactly `4 * quads` bytes from each
    // (it runs while `pw` has not reached `end`, `quads >= 1`). The word loads may be
    // unaligned, which ARMv7E-M allows for LDR (CCR.UNALIGN_TRP is clear by default and
    // this crate never sets it). The asm only reads memory; every register it writes is
    // an operand; flags are clobbered (no `preserves_flags`).
    unsafe {
        asm!(
            "2:",
            "ldr {a}, [{pw}], #4",
            "ldr {b}, [{px}], #4",
            "sxtb16 {c}, {a}",
            "sxtb16 {d}, {b}",
            "smlad {acc}, {c}, {d}, {acc}",
            "sxtb16 {c}, {a}, ror #8",
            "sxtb16 {d}, {b}, ror #8",
            "smlad {acc}, {c}, {d}, {acc}",
            "cmp {pw}, {end}",
            "bne 2b",
            pw = inout(reg) pw,
            px = inout(reg) px,
            end = in(reg) end,
            acc = inout(reg) acc,
            a = out(reg) _,
            b = out(reg) _,
            c = out(reg) _,
            d = out(reg) _,
            options(nostack, readonly),
        );
    }
    let _ = (pw, px);
    acc.wrapping_add(tail)
}

pub(super) fn dot2_i8(w0: &[i8], w1: &[i8], x: &[i8]) -> [i32; 2] {
    let n = x.len();
    let (w0, w1) = (&w0[..n], &w1[..n]);
    let quads = n / 4;
    let mut acc = [0i32; 2];
    if !n.is_multiple_of(4) {
        let (t0, t1, tx) = (&w0[4 * quads..], &w1[4 * quads..], &x[4 * quads..]);
        acc = [
            super::dot_i8_portable(t0, tx),
            super::dot_i8_portable(t1, tx),
        ];
    }
    if quads == 0 {
        return acc;
    }
    let [mut acc0, mut acc1] = [0i32; 2];
    let mut p0 = w0.as_ptr();
    let mut p1 = w1.as_ptr();
    let mut px = x.as_ptr();
    let end = x[4 * quads..].as_ptr();
    // SAFETY: `p0`, `p1` and `px` point into `w0`, `w1` and `x`, each `n` bytes long
    // (`w0`, `w1` were cut to `n`); the loop reads exactly `4 * quads <= n` bytes from
    // each (it runs while `px` has not reached `end`, `quads >= 1`). Word loads may be
    // unaligned, which ARMv7E-M allows for LDR (CCR.UNALIGN_TRP is clear by default and
    // this crate never sets it). The asm only reads memory; every register it writes is
    // an operand (`xa` is reused as scratch once `xe`, `xo` hold x's halves); flags are
    // clobbered (no `preserves_flags`).
    unsafe {
        asm!(
            "2:",
            "ldr {xa}, [{px}], #4",
            "ldr {a}, [{p0}], #4",
            "ldr {b}, [{p1}], #4",
            "sxtb16 {xe}, {xa}",
            "sxtb16 {xo}, {xa}, ror #8",
            "sxtb16 {xa}, {a}",
            "smlad {acc0}, {xa}, {xe}, {acc0}",
            "sxtb16 {xa}, {a}, ror #8",
            "smlad {acc0}, {xa}, {xo}, {acc0}",
            "sxtb16 {xa}, {b}",
            "smlad {acc1}, {xa}, {xe}, {acc1}",
            "sxtb16 {xa}, {b}, ror #8",
            "smlad {acc1}, {xa}, {xo}, {acc1}",
            "cmp {px}, {end}",
            "bne 2b",
            p0 = inout(reg) p0,
            p1 = inout(reg) p1,
            px = inout(reg) px,
            end = in(reg) end,
            acc0 = inout(reg) acc0,
            acc1 = inout(reg) acc1,
            xa = out(reg) _,
            a = out(reg) _,
            b = out(reg) _,
            xe = out(reg) _,
            xo = out(reg) _,
            options(nostack, readonly),
        );
    }
    let _ = (p0, p1, px);
    [acc0.wrapping_add(acc[0]), acc1.wrapping_add(acc[1])]
}

/// `[Σ w0[j]·x[j], Σ w1[j]·x[j]]` over `x.len()` `i16` inputs stored in quad-pair order
/// ([`super::pair_order`]: each quad `x0 x1 x2 x3` as `x0 x2 x1 x3`, the last `len % 4` in
/// order), so one word load gives the halves SMLAD pairs with `SXTB16(w)` = `(w0, w2)` and
/// `SXTB16(w, ror 8)` = `(w1, w3)`: four multiply-adds per latent per 13 instructions, as
/// the int8 kernel.
pub(super) fn dot2_i8_i16_paired(w0: &[i8], w1: &[i8], x: &[i16]) -> [i32; 2] {
    let n = x.len();
    let (w0, w1) = (&w0[..n], &w1[..n]);
    let quads = n / 4;
    let tail = |w: &[i8]| -> i32 {
        w[4 * quads..]
            .iter()
            .zip(&x[4 * quads..])
            .map(|(&w, &x)| i32::from(w) * i32::from(x))
            .sum()
    };
    let (t0, t1) = (tail(w0), tail(w1));
    if quads == 0 {
        return [t0, t1];
    }
    let [mut acc0, mut acc1] = [0i32; 2];
    let mut p0 = w0.as_ptr();
    let mut p1 = w1.as_ptr();
    let mut px = x.as_ptr();
    let end = w0[4 * quads..].as_ptr();
    // SAFETY: `p0` and `p1` point into `w0` and `w1` (cut to `n` bytes), `px` into `x` (`n`
    // halfwords); each pass reads 4 bytes of each weight row and 8 bytes (4 halfwords) of
    // `x`, and the loop runs `quads >= 1` times (until `p0` reaches `end`, `4 * quads <= n`
    // bytes in), so it reads exactly the first `4 * quads` weights and inputs. Word loads may
    // be unaligned, which ARMv7E-M allows for LDR (CCR.UNALIGN_TRP is clear by default and
    // this crate never sets it). The asm only reads memory; every register it writes is an
    // operand; flags are clobbered (no `preserves_flags`).
    unsafe {
        asm!(
            "2:",
            "ldr {xe}, [{px}], #4",
            "ldr {xo}, [{px}], #4",
            "ldr {a}, [{p0}], #4",
            "ldr {b}, [{p1}], #4",
            "sxtb16 {c}, {a}",
            "smlad {acc0}, {c}, {xe}, {acc0}",
            "sxtb16 {c}, {a}, ror #8",
            "smlad {acc0}, {c}, {xo}, {acc0}",
            "sxtb16 {c}, {b}",
            "smlad {acc1}, {c}, {xe}, {acc1}",
            "sxtb16 {c}, {b}, ror #8",
            "smlad {acc1}, {c}, {xo}, {acc1}",
            "cmp {p0}, {end}",
            "bne 2b",
            p0 = inout(reg) p0,
            p1 = inout(reg) p1,
            px = inout(reg) px,
            end = in(reg) end,
            acc0 = inout(reg) acc0,
            acc1 = inout(reg) acc1,
            a = out(reg) _,
            b = out(reg) _,
            c = out(reg) _,
            xe = out(reg) _,
            xo = out(reg) _,
            options(nostack, readonly),
        );
    }
    let _ = (p0, p1, px);
    [acc0.wrapping_add(t0), acc1.wrapping_add(t1)]
}
