//! The two generators that define the model format: **SplitMix64** (Steele, Lea & Flood 2014)
//! and **Xoshiro128++** (Blackman & Vigna 2018).
//!
//! Codebook vectors, sketch hashes, projection signs and seeded tie vectors are all derived
//! from these two, so a blob written today must be read with the same bits by every later
//! version on every target. That is why they are ours, written out here, rather than a
//! dependency whose semver could move the bits: the golden hashes in `tests/golden.rs` and the
//! QEMU on-target tests check them bit for bit, and the unit tests below check the published
//! reference outputs. Cost: SplitMix64 is 9 operations on `u64` per output (about 30
//! instructions on a 32-bit core); Xoshiro128++ works on 32-bit words only, about 10
//! instructions per output word on a Cortex-M0.
//!
//! Host training draws its randomness from [`SplitMix64`] too, so a training run repeats
//! exactly from its seed.
#![forbid(unsafe_code)]

/// SplitMix64: a 64-bit state advanced by a Weyl sequence, output through a bijective mix.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// The generator whose state is `seed` (the reference implementation's seeding).
    pub const fn new(seed: u64) -> Self {
        SplitMix64 { state: seed }
    }

    /// The next 64 random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix64(self.state)
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `0..n` (`n > 0`; a modulo, so a bias of at most `n / 2^64`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// SplitMix64's output function: a bijection of `u64` (so distinct inputs give distinct
/// outputs).
#[inline]
pub const fn mix64(x: u64) -> u64 {
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Xoshiro128++: 128 bits of state in four `u32`, one 32-bit output per step.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Xoshiro128PlusPlus {
    s: [u32; 4],
}

impl Xoshiro128PlusPlus {
    /// The generator whose state is the 16 bytes of `seed`, read as four little-endian words.
    /// The all-zero state (a fixed point) is replaced by the first 16 bytes of
    /// `SplitMix64::new(0)`, as the `rand_xoshiro` crate does, so the streams are that crate's.
    pub fn from_seed(seed: [u8; 16]) -> Self {
        let seed = if seed == [0; 16] {
            let mut sm = SplitMix64::new(0);
            let mut b = [0u8; 16];
            b[..8].copy_from_slice(&sm.next_u64().to_le_bytes());
            b[8..].copy_from_slice(&sm.next_u64().to_le_bytes());
            b
        } else {
            seed
        };
        let word = |i: usize| u32::from_le_bytes([seed[i], seed[i + 1], seed[i + 2], seed[i + 3]]);
        Xoshiro128PlusPlus {
            s: [word(0), word(4), word(8), word(12)],
        }
    }

    /// The generator seeded with two `u64` halves, `low` then `high` (little-endian bytes):
    /// `from_seed` of those 16 bytes, without going through them.
    #[inline]
    pub fn from_halves(low: u64, high: u64) -> Self {
        if low == 0 && high == 0 {
            return Self::from_seed([0; 16]);
        }
        Xoshiro128PlusPlus {
            s: [
                low as u32,
                (low >> 32) as u32,
                high as u32,
                (high >> 32) as u32,
            ],
        }
    }

    /// The next 32 random bits.
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(7).wrapping_add(s[0]);
        let t = s[1] << 9;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(11);
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference outputs of `splitmix64.c` for this seed (as the `rand_xoshiro` crate's
    /// tests list them).
    #[test]
    fn splitmix64_matches_the_reference() {
        let mut rng = SplitMix64::new(1_477_776_061_723_855_037);
        let expected: [u64; 4] = [
            1_985_237_415_132_408_290,
            2_979_275_885_539_914_483,
            13_511_426_838_097_143_398,
            8_488_337_342_461_049_707,
        ];
        for e in expected {
            assert_eq!(rng.next_u64(), e);
        }
    }

    /// The reference outputs of `xoshiro128plusplus.c` from the state {1, 2, 3, 4}.
    #[test]
    fn xoshiro128plusplus_matches_the_reference() {
        let mut rng =
            Xoshiro128PlusPlus::from_seed([1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0]);
        let expected: [u32; 10] = [
            641,
            1_573_767,
            3_222_811_527,
            3_517_856_514,
            836_907_274,
            4_247_214_768,
            3_867_114_732,
            1_355_841_295,
            495_546_011,
            621_204_420,
        ];
        for e in expected {
            assert_eq!(rng.next_u32(), e);
        }
    }

    #[test]
    fn the_zero_state_is_replaced() {
        let mut z = Xoshiro128PlusPlus::from_seed([0; 16]);
        assert_ne!((z.next_u32(), z.next_u32()), (0, 0));
    }

    #[test]
    fn uniforms_are_uniform() {
        let mut rng = SplitMix64::new(9);
        let (mut sum, mut sq) = (0.0, 0.0);
        for _ in 0..10_000 {
            let u = rng.uniform();
            assert!((0.0..1.0).contains(&u));
            sum += u;
            sq += u * u;
        }
        // Mean 1/2, mean square 1/3.
        assert!((sum / 10_000.0 - 0.5).abs() < 0.01 && (sq / 10_000.0 - 1.0 / 3.0).abs() < 0.01);
        assert!(rng.below(7) < 7);
    }
}
