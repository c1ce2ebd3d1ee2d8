//! Sparse-autoencoder (SAE) inference from flash: int8 encoder weights read in place, the k
//! largest latents kept in a fixed-size [`TopK`], an optional int8 decoder. No heap.
//!
//! An SAE maps an input (a float vector, or a bit-packed hypervector) to a few active latents
//! ("features"): `pre_i = b_enc_i + Σ_j W_enc[i][j]·(x_j − b_pre_j)`, `z = ReLU(TopK_k(pre))`,
//! and back: `x̂_j = b_dec_j + Σ_{i ∈ support(z)} z_i·W_dec[i][j]`. The weights are int8 with
//! one scale per latent, or for the encoder ternary / binary sign masks summed with popcounts
//! (2 / 1 bits per weight: for feature detection; reconstruction suffers). The encoder runs in
//! `i32` accumulators (their bound is checked when the model is opened, so they cannot
//! overflow) and ranks `acc_i · scale_i` with ties to the lower index; an optional threshold τ
//! drops kept latents whose value is not above it. The design, its measurements and the blob
//! layout are in `docs/sae.md`.
//!
//! # Model format
//! [`Sae::from_bytes`] reads the **HSAE v1** blob of that spec and our **v2** (48- and 56-byte
//! headers, offsets from the blob's start, CRC-32 at the end; every field read with
//! `from_le_bytes`, so a blob from `include_bytes!` needs no alignment), either bare or as the
//! `HSAE` section of a [`crate::model`] container of kind [`Kind::Sae`] (the form the library
//! writes; it may also hold the bit model's input code, [`CODE_SECTION`]).
//!
//! | offset | type | field |
//! |---:|---|---|
//! | 0 | `[u8; 4]` | magic `HSAE` |
//! | 4 | `u16` | version, 1 or 2 |
//! | 6 | `u16` | header length (≥ 48; v2 ≥ 56) |
//! | 8 | `u32` | `d_in` (bits for bit input) |
//! | 12 | `u32` | latents `h` |
//! | 16 | `u16` | `k` (`h` for no TopK) |
//! | 18 | `u8` | input: 0 dense (int8 after `(x − b_pre)/in_scale`), 1 bit-packed 0/1 |
//! | 19 | `u8` | encoder weights: 1 int8, 2 ternary, 3 binary (stored as int8 in v1, packed in v2) |
//! | 20 | `f32` | `in_scale` (1 for bits) |
//! | 24 | `u32` | offset of `b_pre`: `d_in × f32` |
//! | 28 | `u32` | offset of the encoder scales: `h × f32` |
//! | 32 | `u32` | offset of the encoder biases: `h × i32`, accumulator units (`b_pre` folded in for bits) |
//! | 36 | `u32` | offset of the encoder weights: `h × d_in × i8`, latent-major; v2 ternary: per latent `ceil(d_in/32)` `u32` words of the +1 mask, then as many of the −1 mask; v2 binary: the +1 mask only (a clear bit is −1) |
//! | 40 | `u32` | offset of the decoder scales: `h × f32` (0: no decoder) |
//! | 44 | `u32` | offset of the decoder weights: `h × d_in × i8`, then `b_dec`: `d_in × f32` |
//! | 48 | `f32` | v2 only: activation threshold τ ≥ 0 (value units) |
//! | 52 | `u32` | v2 only: flags, 0 (reserved; a reader rejects unknown flags) |
//! | end − 4 | `u32` | CRC-32 (ISO-HDLC) of every byte before it |
//!
//! The host writer (`train::sae::export::FloatSae::to_hsae`, feature `std`) emits v1 for int8 models without a threshold,
//! so readers of the reference format can load them, and v2 otherwise.
#![forbid(unsafe_code)]

use crate::encode::ThresholdCode;
use crate::error::Error;
use crate::kernel;
use crate::model::{crc32, Kind, Model, MAGIC as CONTAINER_MAGIC};
use crate::FormatError;

/// The first four bytes of an HSAE blob.
pub const HSAE_MAGIC: [u8; 4] = *b"HSAE";
/// The newest HSAE version this build reads and writes (it reads version 1 too).
pub const HSAE_VERSION: u16 = 2;
/// Bytes of the HSAE v1 header.
pub const HEADER_LEN: usize = 48;
/// Bytes of the HSAE v2 header (v1's, then the threshold τ and a flag word).
pub const HEADER_LEN_V2: usize = 56;
/// Latents whose accumulators the bit-input encoder keeps at once (128 bytes of stack).
const CHUNK: usize = 32;
/// Whether the bit-input encoder uses the masked dense path (64-bit hosts, where it
/// vectorises) instead of walking the set bits (MCUs); both give the same exact sums.
const WIDE: bool = cfg!(target_pointer_width = "64");
/// The container section that holds an HSAE blob.
pub const SECTION: [u8; 4] = *b"HSAE";
/// The optional container section with the bit-input model's [`ThresholdCode`]: seed (`u64`),
/// features (`u32`), then one `f32` threshold per input bit, little-endian.
pub const CODE_SECTION: [u8; 4] = *b"HCOD";

/// What an SAE takes as input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Input {
    /// Floats, quantised to int8 as `clamp(round((x − b_pre)/in_scale), ±127)`.
    Dense,
    /// A bit-packed 0/1 vector, `d_in` bits, LSB first (a [`crate::BinaryVector`]'s words).
    Bits,
}

/// How the encoder weights were quantised. HSAE v1 stores all three as int8; v2 packs ternary
/// weights as two sign masks and binary weights as one, and sums them with popcounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Weights {
    /// int8, symmetric, one scale per latent.
    #[default]
    Int8,
    /// Ternary {−1, 0, +1} times a per-latent scale.
    Ternary,
    /// Binary {−1, +1} times a per-latent scale.
    Binary,
}

/// The k largest latents of one input, sorted by value (descending; ties: lower index first),
/// with ReLU applied: latents whose value is not positive are dropped, so `len() ≤ K`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct TopK<const K: usize> {
    index: [u16; K],
    value: [f32; K],
    acc: [i32; K],
    len: usize,
}

impl<const K: usize> Default for TopK<K> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const K: usize> TopK<K> {
    /// An empty selection.
    pub const fn new() -> Self {
        TopK {
            index: [0; K],
            value: [0.0; K],
            acc: [0; K],
            len: 0,
        }
    }

    /// Latents given from outside (an edited code, a code computed elsewhere), for
    /// [`Sae::decode`] and [`Sae::decode_bits`]: `indices[i]` has value `values[i]`; the
    /// accumulators are zero. Errors: lengths that differ, more than `K` latents, a value that
    /// is not finite.
    pub fn from_latents(indices: &[u16], values: &[f32]) -> Result<Self, Error> {
        if indices.len() != values.len() {
            return Err(Error::LengthMismatch {
                expected: indices.len(),
                found: values.len(),
            });
        }
        if indices.len() > K {
            return Err(Error::CapacityExceeded { capacity: K });
        }
        if values.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidParameter("a latent value is NaN or infinite"));
        }
        let mut top = Self::new();
        top.index[..indices.len()].copy_from_slice(indices);
        top.value[..values.len()].copy_from_slice(values);
        top.len = indices.len();
        Ok(top)
    }

    /// The number of active latents.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no latent is active.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The active latents' indices, largest value first.
    pub fn indices(&self) -> &[u16] {
        &self.index[..self.len]
    }

    /// The active latents' values (`scale_i · acc_i`, in the model's float units).
    pub fn values(&self) -> &[f32] {
        &self.value[..self.len]
    }

    /// The active latents' integer accumulators.
    pub fn accumulators(&self) -> &[i32] {
        &self.acc[..self.len]
    }

    /// `(index, value)` pairs, largest value first.
    pub fn iter(&self) -> impl Iterator<Item = (u16, f32)> + '_ {
        self.indices()
            .iter()
            .copied()
            .zip(self.values().iter().copied())
    }
}

/// Streaming top-k selection over `(index, rank key)`, keys compared as `f32`: a binary
/// min-heap of the k best so far (root: the worst kept), `O(h log k)`, sorted once at the end.
struct Selector<'t, const K: usize> {
    out: &'t mut TopK<K>,
    keys: [f32; K],
    k: usize,
    threshold: f32,
}

impl<'t, const K: usize> Selector<'t, K> {
    fn new(out: &'t mut TopK<K>, k: usize, threshold: f32) -> Self {
        out.len = 0;
        Selector {
            out,
            keys: [0.0; K],
            k: k.min(K),
            threshold,
        }
    }

    /// Whether entry `a` ranks below entry `b`: a smaller key, or an equal key and a larger
    /// index (ties go to the lower index).
    fn worse(&self, a: usize, b: usize) -> bool {
        let (ka, kb) = (self.keys[a], self.keys[b]);
        ka < kb || (ka == kb && self.out.index[a] > self.out.index[b])
    }

    fn swap(&mut self, a: usize, b: usize) {
        self.keys.swap(a, b);
        self.out.index.swap(a, b);
        self.out.acc.swap(a, b);
    }

    /// Offers latent `index` (offered in increasing index order, so an equal key never
    /// displaces a kept one: ties go to the lower index).
    fn offer(&mut self, index: usize, key: f32, acc: i32) {
        let len = self.out.len;
        if len == self.k {
            // Full: the newcomer must beat the root (an equal key has a larger index).
            if self.k == 0 || key <= self.keys[0] {
                return;
            }
            self.keys[0] = key;
            self.out.index[0] = index as u16;
            self.out.acc[0] = acc;
            // Sift down.
            let mut at = 0;
            loop {
                let (l, r) = (2 * at + 1, 2 * at + 2);
                let mut low = at;
                if l < len && self.worse(l, low) {
                    low = l;
                }
                if r < len && self.worse(r, low) {
                    low = r;
                }
                if low == at {
                    break;
                }
                self.swap(at, low);
                at = low;
            }
        } else {
            self.keys[len] = key;
            self.out.index[len] = index as u16;
            self.out.acc[len] = acc;
            self.out.len = len + 1;
            // Sift up.
            let mut at = len;
            while at > 0 && self.worse(at, (at - 1) / 2) {
                self.swap(at, (at - 1) / 2);
                at = (at - 1) / 2;
            }
        }
    }

    /// Sorts the kept entries (value desc, index asc), then applies ReLU and the threshold:
    /// keeps the prefix whose values exceed both 0 and τ.
    fn finish(mut self) {
        let len = self.out.len;
        // Insertion sort, best first (k is small; runs once).
        for i in 1..len {
            let mut j = i;
            while j > 0 && self.worse(j - 1, j) {
                self.swap(j - 1, j);
                j -= 1;
            }
        }
        let keep = self.keys[..len]
            .iter()
            .take_while(|&&k| k > 0.0 && k > self.threshold)
            .count();
        for j in 0..keep {
            self.out.value[j] = self.keys[j];
        }
        self.out.len = keep;
    }
}

/// The encoder weights as stored.
#[derive(Debug, Clone, Copy)]
enum Matrix<'a> {
    /// int8, `h × d_in`, latent-major (v1, and v2 int8).
    Int8(&'a [i8]),
    /// v2 ternary / binary: per latent, `ceil(d_in/32)` little-endian `u32` words of the +1
    /// mask, then (ternary only) as many of the −1 mask; a binary weight whose bit is clear
    /// is −1.
    Packed(&'a [u8]),
}

/// A sparse autoencoder read in place from an HSAE blob.
#[derive(Debug, Clone, Copy)]
pub struct Sae<'a> {
    d_in: usize,
    h: usize,
    k: usize,
    input: Input,
    weights: Weights,
    in_scale: f32,
    threshold: f32,
    b_pre: &'a [u8],
    enc_scale: &'a [u8],
    enc_bias: &'a [u8],
    enc_w: Matrix<'a>,
    decoder: Option<(&'a [u8], &'a [i8], &'a [u8])>,
    code: Option<ThresholdCode<'a>>,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

/// The little-endian `u32` at byte `at` (one bounds check; a single unaligned load where the
/// core allows it).
fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(word)
}

fn f32_at(b: &[u8], i: usize) -> f32 {
    f32::from_bits(u32_at(b, 4 * i))
}

fn i32_at(b: &[u8], i: usize) -> i32 {
    u32_at(b, 4 * i) as i32
}

/// Whether [`sum_at`] keeps four running sums: fewer loop branches and more loads in flight
/// on cores with registers to spare (Cortex-M4, when introduced: 159 k → 125 k instructions
/// per encode at D = 512, h = 64), but not on the Cortex-M0 (now 122 k plain, 135 k
/// unrolled).
const UNROLL: bool = !cfg!(all(target_arch = "arm", not(hyperbits_thumb2)));

/// `Σ_p w[p]` over the positions `pos` (all `< w.len()`). A full block of 256 weights is
/// indexed by `u8` positions, so the compiler drops the bounds checks.
fn sum_at(w: &[i8], pos: &[u8]) -> i32 {
    match <&[i8; 256]>::try_from(w) {
        Ok(full) => sum_with(pos, |p| full[usize::from(p)]),
        Err(_) => sum_with(pos, |p| w[usize::from(p)]),
    }
}

#[inline(always)]
fn sum_with(pos: &[u8], w: impl Fn(u8) -> i8) -> i32 {
    if UNROLL {
        let mut sums = [0i32; 4];
        let quads = pos.chunks_exact(4);
        let rest = quads.remainder();
        for q in quads {
            for (s, &p) in sums.iter_mut().zip(q) {
                *s += i32::from(w(p));
            }
        }
        for &p in rest {
            sums[0] += i32::from(w(p));
        }
        sums.iter().sum()
    } else {
        pos.iter().map(|&p| i32::from(w(p))).sum()
    }
}

/// `popcount(x & mask)`, the mask given as little-endian words: read in place as `&[u32]`
/// when the bytes are 4-aligned on a little-endian target (blobs from `include_model!` or
/// [`crate::model::AlignedBlob`] are), word by word otherwise.
fn and_count(x: &[u32], mask: &[u8]) -> u32 {
    #[cfg(target_endian = "little")]
    if let Ok(words) = bytemuck::try_cast_slice::<u8, u32>(mask) {
        return kernel::and_count(x, words);
    }
    x.iter()
        .enumerate()
        .map(|(t, &xw)| (xw & u32_at(mask, 4 * t)).count_ones())
        .sum()
}

/// Checks packed sign masks (`masks` per latent, `ceil(d_in/32)` words each): no bit past
/// `d_in`, and (ternary) no weight both +1 and −1.
fn check_masks(m: &[u8], d_in: usize, masks: usize) -> Result<(), Error> {
    let words = d_in.div_ceil(32);
    let tail = if d_in.is_multiple_of(32) {
        0
    } else {
        u32::MAX << (d_in % 32)
    };
    for row in m.chunks_exact(4 * words * masks) {
        let word = |t: usize| u32_at(row, 4 * t);
        for t in 0..words {
            let last = t + 1 == words;
            if (0..masks).any(|k| last && word(k * words + t) & tail != 0) {
                return Err(Error::Format(FormatError::Inconsistent(
                    "a packed weight bit is set past d_in",
                )));
            }
            if masks == 2 && word(t) & word(words + t) != 0 {
                return Err(Error::Format(FormatError::Inconsistent(
                    "a ternary weight is both +1 and -1",
                )));
            }
        }
    }
    Ok(())
}

/// Rounds half to even (numpy's and torch's rule), for `|x| < 2^31`.
fn round_even(x: f32) -> i32 {
    let t = x as i32; // towards zero
    let frac = x - t as f32;
    let away = if x < 0.0 { -1 } else { 1 };
    if frac.abs() > 0.5 || (frac.abs() == 0.5 && t % 2 != 0) {
        t + away
    } else {
        t
    }
}

impl<'a> Sae<'a> {
    /// Opens an HSAE v1 or v2 blob, bare or inside a [`crate::model`] container of kind
    /// [`Kind::Sae`] (with its input code, if any). Validated once: magic, version, header
    /// length, CRC-32, every offset and length, finite scales, packed masks, the threshold and
    /// flags, and that no accumulator can overflow `i32`.
    pub fn from_bytes(bytes: &'a [u8]) -> Result<Self, Error> {
        if bytes.get(..4) == Some(&CONTAINER_MAGIC[..]) {
            let model = Model::new_checked(bytes)?;
            model.expect_kind(Kind::Sae)?;
            let mut sae = Self::from_hsae(model.section(SECTION)?)?;
            match model.section(CODE_SECTION) {
                Ok(code) => {
                    let code = parse_code(code)?;
                    if sae.input != Input::Bits || code.bits() != sae.d_in {
                        return Err(Error::Format(FormatError::Inconsistent(
                            "the input code must give the bit model's d_in bits",
                        )));
                    }
                    sae.code = Some(code);
                }
                Err(Error::Format(FormatError::MissingSection { .. })) => {}
                Err(e) => return Err(e),
            }
            return Ok(sae);
        }
        Self::from_hsae(bytes)
    }

    /// Opens a bare HSAE v1 or v2 blob (see [`Self::from_bytes`]).
    pub fn from_hsae(b: &'a [u8]) -> Result<Self, Error> {
        if b.len() < 4 || b[..4] != HSAE_MAGIC {
            return Err(Error::Format(FormatError::BadMagic));
        }
        if b.len() < HEADER_LEN + 4 {
            return Err(Error::Format(FormatError::Truncated {
                expected: HEADER_LEN + 4,
                found: b.len(),
            }));
        }
        let version = u16_at(b, 4);
        if version == 0 || version > HSAE_VERSION {
            return Err(Error::Format(FormatError::UnsupportedVersion {
                found: version,
            }));
        }
        let body = b.len() - 4;
        let (stored, computed) = (u32_at(b, body), crc32(&b[..body]));
        if stored != computed {
            return Err(Error::Format(FormatError::ChecksumMismatch {
                stored,
                computed,
            }));
        }
        let header_len = if version == 1 {
            HEADER_LEN
        } else {
            HEADER_LEN_V2
        };
        if (u16_at(b, 6) as usize) < header_len || body < header_len {
            return Err(Error::Format(FormatError::Inconsistent(
                "HSAE header shorter than its version's (48 bytes in v1, 56 in v2)",
            )));
        }
        let (threshold, flags) = if version == 1 {
            (0.0, 0)
        } else {
            (f32::from_bits(u32_at(b, 48)), u32_at(b, 52))
        };
        if !(threshold.is_finite() && threshold >= 0.0) {
            return Err(Error::Format(FormatError::Inconsistent(
                "the activation threshold must be finite and ≥ 0",
            )));
        }
        if flags != 0 {
            return Err(Error::Format(FormatError::Inconsistent(
                "unknown HSAE flags",
            )));
        }
        let (d_in, h, k) = (
            u32_at(b, 8) as usize,
            u32_at(b, 12) as usize,
            u16_at(b, 16) as usize,
        );
        if d_in == 0 || h == 0 || h > usize::from(u16::MAX) + 1 {
            return Err(Error::Format(FormatError::Inconsistent(
                "an SAE needs 1..=65536 latents and inputs",
            )));
        }
        if k == 0 || k > h {
            return Err(Error::Format(FormatError::Inconsistent(
                "k must be in 1..=h",
            )));
        }
        let input = match b[18] {
            0 => Input::Dense,
            1 => Input::Bits,
            _ => {
                return Err(Error::Format(FormatError::Inconsistent(
                    "unknown SAE input kind",
                )))
            }
        };
        let weights = match b[19] {
            1 => Weights::Int8,
            2 => Weights::Ternary,
            3 => Weights::Binary,
            _ => {
                return Err(Error::Format(FormatError::Inconsistent(
                    "unknown SAE weight kind",
                )))
            }
        };
        let in_scale = f32::from_bits(u32_at(b, 20));
        if !(in_scale.is_finite() && in_scale > 0.0) {
            return Err(Error::Format(FormatError::Inconsistent(
                "in_scale must be finite and positive",
            )));
        }
        let matrix = h
            .checked_mul(d_in)
            .ok_or(Error::Format(FormatError::Inconsistent("SAE too large")))?;
        // A section of `len` bytes at the offset stored at header byte `field`.
        let section = |field: usize, tag: &[u8; 4], len: usize| -> Result<&'a [u8], Error> {
            let at = u32_at(b, field) as usize;
            at.checked_add(len)
                .filter(|&end| at >= header_len && end <= body)
                .map(|end| &b[at..end])
                .ok_or(Error::Format(FormatError::SectionOutOfBounds { tag: *tag }))
        };
        // Lengths in bytes, checked: `4·d_in` can overflow a 32-bit usize.
        let too_large = Error::Format(FormatError::Inconsistent("SAE too large"));
        let floats_in = d_in.checked_mul(4).ok_or(too_large)?;
        let b_pre = section(24, b"BPRE", floats_in)?;
        let enc_scale = section(28, b"ESCL", 4 * h)?;
        let enc_bias = section(32, b"EBIA", 4 * h)?;
        let words = d_in.div_ceil(32);
        let enc_w = match (version, weights) {
            (1, _) | (_, Weights::Int8) => {
                let w: &[i8] = bytemuck::cast_slice(section(36, b"ENCW", matrix)?);
                if w.contains(&i8::MIN) {
                    return Err(Error::Format(FormatError::Inconsistent(
                        "int8 weights must be in -127..=127",
                    )));
                }
                Matrix::Int8(w)
            }
            (_, packed) => {
                let masks = if packed == Weights::Ternary { 2 } else { 1 };
                let len = h
                    .checked_mul(words * 4 * masks)
                    .ok_or(Error::Format(FormatError::Inconsistent("SAE too large")))?;
                let m = section(36, b"ENCW", len)?;
                check_masks(m, d_in, masks)?;
                Matrix::Packed(m)
            }
        };
        let decoder = if u32_at(b, 40) == 0 {
            None
        } else {
            let dec_scale = section(40, b"DSCL", 4 * h)?;
            let both = section(44, b"DECW", matrix.checked_add(floats_in).ok_or(too_large)?)?;
            let (w, b_dec) = both.split_at(matrix);
            Some((dec_scale, bytemuck::cast_slice(w), b_dec))
        };
        let finite = |s: &[u8]| (0..s.len() / 4).all(|i| f32_at(s, i).is_finite());
        if !finite(b_pre)
            || !finite(enc_scale)
            || !decoder.is_none_or(|(s, _, d)| finite(s) && finite(d))
        {
            return Err(Error::Format(FormatError::Inconsistent(
                "SAE scales and biases must be finite",
            )));
        }
        // |acc| ≤ |bias| + max|w|·(d_in for bits, 127·d_in for int8 inputs) must fit an i32.
        let max_w: i64 = match enc_w {
            Matrix::Int8(_) => 127,
            Matrix::Packed(_) => 1,
        };
        let per_input = match input {
            Input::Bits => max_w,
            Input::Dense => max_w * 127,
        };
        let max_bias = (0..h)
            .map(|i| i64::from(i32_at(enc_bias, i)).abs())
            .max()
            .unwrap_or(0);
        if max_bias + per_input * d_in as i64 > i64::from(i32::MAX) {
            return Err(Error::Format(FormatError::Inconsistent(
                "SAE accumulators could overflow i32 (d_in too large)",
            )));
        }
        Ok(Sae {
            d_in,
            h,
            k,
            input,
            weights,
            in_scale,
            threshold,
            b_pre,
            enc_scale,
            enc_bias,
            enc_w,
            decoder,
            code: None,
        })
    }

    /// Inputs per sample (bits for [`Input::Bits`]).
    pub fn d_in(&self) -> usize {
        self.d_in
    }

    /// Latents.
    pub fn latents(&self) -> usize {
        self.h
    }

    /// Latents kept per input.
    pub fn k(&self) -> usize {
        self.k
    }

    /// The input kind.
    pub fn input(&self) -> Input {
        self.input
    }

    /// The encoder weight kind.
    pub fn weights(&self) -> Weights {
        self.weights
    }

    /// Whether the model has a decoder.
    pub fn has_decoder(&self) -> bool {
        self.decoder.is_some()
    }

    /// The code that turns feature vectors into this bit model's input, when the blob carries
    /// one (a [`CODE_SECTION`]): `code.encode(&features, &mut words)`, then
    /// [`Self::encode_bits`].
    pub fn input_code(&self) -> Option<&ThresholdCode<'a>> {
        self.code.as_ref()
    }

    /// The activation threshold τ: kept latents need a value above it (0 in HSAE v1).
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Whether the encoder weights are packed sign masks (HSAE v2 ternary / binary), summed
    /// with popcounts.
    pub fn is_packed(&self) -> bool {
        matches!(self.enc_w, Matrix::Packed(_))
    }

    /// Latent `i`'s packed masks: (+1 mask, −1 mask for ternary), `ceil(d_in/32)` words each.
    fn masks(&self, m: &'a [u8], i: usize) -> (&'a [u8], Option<&'a [u8]>) {
        let bytes = self.d_in.div_ceil(32) * 4;
        if self.weights == Weights::Ternary {
            let row = &m[2 * i * bytes..2 * (i + 1) * bytes];
            let (p, n) = row.split_at(bytes);
            (p, Some(n))
        } else {
            (&m[i * bytes..(i + 1) * bytes], None)
        }
    }

    /// `Σ_j W[i][start + j]·x[j]`: latent `i`'s weights on inputs `start..start + x.len()`.
    fn dot_block(&self, i: usize, start: usize, x: &[i8]) -> i32 {
        let d = self.d_in;
        match self.enc_w {
            Matrix::Int8(w) => kernel::dot_i8(&w[i * d + start..i * d + start + x.len()], x),
            Matrix::Packed(m) => {
                let (p, n) = self.masks(m, i);
                let bit = |mask: &[u8], j: usize| (u32_at(mask, 4 * (j / 32)) >> (j % 32)) & 1 == 1;
                x.iter()
                    .enumerate()
                    .map(|(t, &v)| {
                        let (j, v) = (start + t, i32::from(v));
                        if bit(p, j) {
                            v
                        } else if n.is_none_or(|n| bit(n, j)) {
                            -v
                        } else {
                            0
                        }
                    })
                    .sum()
            }
        }
    }

    /// Calls `f(i, acc_i)` for every latent in index order, for a dense input whose value `j`
    /// in int8 units is `quantised(j)` (bias included). Latents go in chunks of [`CHUNK`] and
    /// inputs in blocks of 256, quantised once per chunk into a stack buffer, so a float input
    /// is quantised `h/CHUNK` times, not `h` times.
    fn for_each_acc_dense(&self, quantised: impl Fn(usize) -> i8, mut f: impl FnMut(usize, i32)) {
        let d = self.d_in;
        let mut xq = [0i8; 256];
        for base in (0..self.h).step_by(CHUNK) {
            let n = CHUNK.min(self.h - base);
            let mut acc = [0i32; CHUNK];
            for (c, a) in acc[..n].iter_mut().enumerate() {
                *a = i32_at(self.enc_bias, base + c);
            }
            for start in (0..d).step_by(256) {
                let block = &mut xq[..256.min(d - start)];
                for (j, q) in block.iter_mut().enumerate() {
                    *q = quantised(start + j);
                }
                let block: &[i8] = block;
                match self.enc_w {
                    Matrix::Int8(w) => {
                        // Two latents per pass over the inputs.
                        let row = |c: usize| &w[(base + c) * d + start..][..block.len()];
                        for (c, pair) in acc[..n].chunks_mut(2).enumerate() {
                            if let [a0, a1] = pair {
                                let [s0, s1] = kernel::dot2_i8(row(2 * c), row(2 * c + 1), block);
                                *a0 += s0;
                                *a1 += s1;
                            } else {
                                pair[0] += kernel::dot_i8(row(2 * c), block);
                            }
                        }
                    }
                    Matrix::Packed(_) => {
                        for (c, a) in acc[..n].iter_mut().enumerate() {
                            *a += self.dot_block(base + c, start, block);
                        }
                    }
                }
            }
            for (c, &a) in acc[..n].iter().enumerate() {
                f(base + c, a);
            }
        }
    }

    fn check_input(&self, want: Input) -> Result<(), Error> {
        if self.input != want {
            return Err(Error::InvalidParameter(match self.input {
                Input::Dense => "this SAE takes dense input (encode_dense / encode_i8)",
                Input::Bits => "this SAE takes bit-packed input (encode_bits)",
            }));
        }
        Ok(())
    }

    fn check<const K: usize>(&self, want: Input) -> Result<(), Error> {
        self.check_input(want)?;
        if K < self.k {
            return Err(Error::CapacityExceeded { capacity: K });
        }
        Ok(())
    }

    /// The rank key (and value) of latent `i`: `acc · scale_i` (times `in_scale` for dense
    /// input), in `f32`.
    fn key(&self, i: usize, acc: i32) -> f32 {
        let v = acc as f32 * f32_at(self.enc_scale, i);
        match self.input {
            Input::Dense => v * self.in_scale,
            Input::Bits => v,
        }
    }

    /// Calls `f(i, acc_i)` for every latent in index order, for a bit-packed input (bias
    /// included). Latents go in chunks of [`CHUNK`]: the set bits are walked once per chunk
    /// and each adds its weight to the chunk's accumulators (a strided column), so the bit
    /// positions are decoded `h/CHUNK` times instead of `h` times.
    fn for_each_acc_bits(&self, x: &[u32], f: impl FnMut(usize, i32)) {
        self.for_each_acc_bits_on(x, WIDE, f)
    }

    /// [`Self::for_each_acc_bits`] with the path chosen (`wide`: masked rows; else the set-bit
    /// list), so tests can check both on the host.
    fn for_each_acc_bits_on(&self, x: &[u32], wide: bool, mut f: impl FnMut(usize, i32)) {
        let d = self.d_in;
        let w = match self.enc_w {
            Matrix::Int8(w) => w,
            Matrix::Packed(m) => {
                // Binary: Σ_{set} ±1 = 2·popcount(x & P) − popcount(x); ternary:
                // popcount(x & P) − popcount(x & N).
                let ones: u32 = x.iter().map(|w| w.count_ones()).sum();
                for i in 0..self.h {
                    let (p, n) = self.masks(m, i);
                    let count = |mask: &[u8]| and_count(x, mask) as i32;
                    let sum = match n {
                        Some(n) => count(p) - count(n),
                        None => 2 * count(p) - ones as i32,
                    };
                    f(i, i32_at(self.enc_bias, i) + sum);
                }
                return;
            }
        };
        for base in (0..self.h).step_by(CHUNK) {
            let n = CHUNK.min(self.h - base);
            let mut acc = [0i32; CHUNK];
            for (c, a) in acc[..n].iter_mut().enumerate() {
                *a = i32_at(self.enc_bias, base + c);
            }
            let block = &w[base * d..(base + n) * d];
            if wide {
                // 64-bit hosts: expand 256 input bits at a time to a 0/−1 byte mask and AND
                // it with each weight row: branch-free, vectorised (`sae/encode` bench: the
                // set-bit walk below is several times slower there).
                let mut mask = [0i8; 256];
                for (start, words) in (0..d).step_by(256).zip(x.chunks(8)) {
                    let len = 256.min(d - start);
                    for (j, m) in mask[..len].iter_mut().enumerate() {
                        *m = -(((words[j / 32] >> (j % 32)) & 1) as i8);
                    }
                    for (a, row) in acc[..n].iter_mut().zip(block.chunks_exact(d)) {
                        let w = &row[start..start + len];
                        // 256 terms of |w| ≤ 127 fit an i16 (≤ 32,512).
                        let sum: i16 = w
                            .iter()
                            .zip(&mask[..len])
                            .map(|(&w, &m)| i16::from(w & m))
                            .sum();
                        *a += i32::from(sum);
                    }
                }
            } else {
                // MCUs: list the set bits of 256 inputs at a time (256 bytes of stack), then
                // each latent of the chunk adds its weights at those positions.
                let mut pos = [0u8; 256];
                for (start, words) in (0..d).step_by(256).zip(x.chunks(8)) {
                    let mut count = 0;
                    for (wi, &word) in words.iter().enumerate() {
                        let mut bits = word;
                        while bits != 0 {
                            // < 256: at most 8 words of 32 bits.
                            pos[count] = (32 * wi + bits.trailing_zeros() as usize) as u8;
                            count += 1;
                            bits &= bits - 1;
                        }
                    }
                    let len = 256.min(d - start);
                    for (a, row) in acc[..n].iter_mut().zip(block.chunks_exact(d)) {
                        let w = &row[start..start + len];
                        *a += sum_at(w, &pos[..count]);
                    }
                }
            }
            for (c, &a) in acc[..n].iter().enumerate() {
                f(base + c, a);
            }
        }
    }

    /// Checks a bit-packed input: `ceil(d_in/32)` words, no bit set past `d_in`.
    fn check_bits(&self, x: &[u32]) -> Result<(), Error> {
        let words = self.d_in.div_ceil(32);
        if x.len() != words {
            return Err(Error::LengthMismatch {
                expected: words,
                found: x.len(),
            });
        }
        let tail = self.d_in % 32;
        if tail != 0 && x[words - 1] >> tail != 0 {
            return Err(Error::InvalidParameter("a bit is set past d_in"));
        }
        Ok(())
    }

    /// Encodes a bit-packed input (`ceil(d_in/32)` words, bit `j` = bit `j % 32` of word
    /// `j / 32`): `acc_i = c_i + Σ_{bit j set} W[i][j]`, `nnz·h` adds. Errors: a dense model,
    /// `K < k`, the wrong number of words, a bit set past `d_in`.
    pub fn encode_bits<const K: usize>(&self, x: &[u32], out: &mut TopK<K>) -> Result<(), Error> {
        self.check::<K>(Input::Bits)?;
        self.check_bits(x)?;
        let mut sel = Selector::new(out, self.k, self.threshold);
        self.for_each_acc_bits(x, |i, a| sel.offer(i, self.key(i, a), a));
        sel.finish();
        Ok(())
    }

    /// Quantises a float input as the encoder expects: `clamp(round((x − b_pre)/in_scale), ±127)`
    /// (half to even). Errors: wrong length, a NaN or infinite value.
    pub fn quantize_input(&self, x: &[f32], out: &mut [i8]) -> Result<(), Error> {
        if x.len() != self.d_in || out.len() != self.d_in {
            return Err(Error::LengthMismatch {
                expected: self.d_in,
                found: if x.len() != self.d_in {
                    x.len()
                } else {
                    out.len()
                },
            });
        }
        for (j, (&v, q)) in x.iter().zip(out.iter_mut()).enumerate() {
            if !v.is_finite() {
                return Err(Error::InvalidParameter("an input value is NaN or infinite"));
            }
            *q = self.quantize(j, v) as i8;
        }
        Ok(())
    }

    /// Input `j` in int8 units: `clamp(round((v − b_pre_j)/in_scale), ±127)`.
    fn quantize(&self, j: usize, v: f32) -> i32 {
        let s = (v - f32_at(self.b_pre, j)) / self.in_scale;
        round_even(s.clamp(-127.0, 127.0))
    }

    /// Errors unless `len` is `d_in`.
    fn check_len(&self, len: usize) -> Result<(), Error> {
        if len != self.d_in {
            return Err(Error::LengthMismatch {
                expected: self.d_in,
                found: len,
            });
        }
        Ok(())
    }

    /// Ranks the dense-input accumulators `bq_i + Σ_j W[i][j]·x(j)` into `out`.
    fn select_dense<const K: usize>(&self, out: &mut TopK<K>, x: impl Fn(usize) -> i8) {
        let mut sel = Selector::new(out, self.k, self.threshold);
        self.for_each_acc_dense(x, |i, a| sel.offer(i, self.key(i, a), a));
        sel.finish();
    }

    /// Encodes an input already quantised with [`Self::quantize_input`]:
    /// `acc_i = bq_i + Σ_j W[i][j]·x_j`. Errors: a bit-input model, `K < k`, wrong length,
    /// a value of −128.
    pub fn encode_i8<const K: usize>(&self, x: &[i8], out: &mut TopK<K>) -> Result<(), Error> {
        self.check::<K>(Input::Dense)?;
        self.check_len(x.len())?;
        if x.contains(&i8::MIN) {
            return Err(Error::InvalidParameter(
                "quantised inputs are in -127..=127",
            ));
        }
        self.select_dense(out, |j| x[j]);
        Ok(())
    }

    /// Quantises and encodes a float input, quantising each value where it is used (no buffer
    /// of `d_in`; `h·d_in` quantisations, so for speed quantise once with
    /// [`Self::quantize_input`] and call [`Self::encode_i8`]: the same result). Errors: as
    /// those two.
    pub fn encode_dense<const K: usize>(&self, x: &[f32], out: &mut TopK<K>) -> Result<(), Error> {
        self.check::<K>(Input::Dense)?;
        self.check_len(x.len())?;
        if x.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidParameter("an input value is NaN or infinite"));
        }
        self.select_dense(out, |j| self.quantize(j, x[j]) as i8);
        Ok(())
    }

    /// The pre-TopK accumulator of every latent, for a bit-packed input (for checking against
    /// golden vectors; `out` holds `h` values). Errors: as [`Self::encode_bits`].
    pub fn accumulators_bits(&self, x: &[u32], out: &mut [i32]) -> Result<(), Error> {
        self.check_input(Input::Bits)?;
        self.check_bits(x)?;
        if out.len() != self.h {
            return Err(Error::LengthMismatch {
                expected: self.h,
                found: out.len(),
            });
        }
        self.for_each_acc_bits(x, |i, a| out[i] = a);
        Ok(())
    }

    /// The pre-TopK accumulator of every latent, for an input quantised with
    /// [`Self::quantize_input`] (`out` holds `h` values). Errors: as [`Self::encode_i8`].
    pub fn accumulators_i8(&self, x: &[i8], out: &mut [i32]) -> Result<(), Error> {
        self.check_input(Input::Dense)?;
        self.check_len(x.len())?;
        if x.contains(&i8::MIN) {
            return Err(Error::InvalidParameter(
                "quantised inputs are in -127..=127",
            ));
        }
        if out.len() != self.h {
            return Err(Error::LengthMismatch {
                expected: self.h,
                found: out.len(),
            });
        }
        self.for_each_acc_dense(|j| x[j], |i, a| out[i] = a);
        Ok(())
    }

    /// The value latent `i` has at accumulator `acc` (`acc · scale_i`, times `in_scale` for
    /// dense input): what TopK ranks and reports. Errors: `i ≥ h`.
    pub fn latent_value(&self, i: usize, acc: i32) -> Result<f32, Error> {
        if i >= self.h {
            return Err(Error::IndexOutOfRange {
                index: i,
                len: self.h,
            });
        }
        Ok(self.key(i, acc))
    }

    /// Reconstructs the input from `z`: `x̂_j = b_dec_j + Σ_i z_i·sd_i·W_dec[i][j]` into `out`
    /// (`d_in` floats). Errors: no decoder, wrong length, a latent index past `h`.
    pub fn decode<const K: usize>(&self, z: &TopK<K>, out: &mut [f32]) -> Result<(), Error> {
        let (scale, w, b_dec) = self
            .decoder
            .ok_or(Error::Format(FormatError::MissingSection { tag: *b"DSCL" }))?;
        if out.len() != self.d_in {
            return Err(Error::LengthMismatch {
                expected: self.d_in,
                found: out.len(),
            });
        }
        for (j, o) in out.iter_mut().enumerate() {
            *o = f32_at(b_dec, j);
        }
        for (i, v) in z.iter() {
            let i = usize::from(i);
            if i >= self.h {
                return Err(Error::IndexOutOfRange {
                    index: i,
                    len: self.h,
                });
            }
            let zs = v * f32_at(scale, i);
            let row = &w[i * self.d_in..(i + 1) * self.d_in];
            for (o, &wq) in out.iter_mut().zip(row) {
                *o += zs * f32::from(wq);
            }
        }
        Ok(())
    }

    /// Reconstructs a bit-packed input: bit `j` set where `x̂_j > 0.5`, written without a
    /// `d_in` float buffer. `popcount(x ^ x̂)` is the reconstruction error (an anomaly score).
    ///
    /// Integer arithmetic only, so every target gives the same bits fast, FPU or not: each
    /// term `s_i = z_i·sd_i` becomes a fixed-point integer with 24 significant bits for
    /// their sum (`Σ|s_i|`), `b_dec_j − 0.5` is converted at the same scale (truncated), and
    /// the `i32` sum of `q_i·W_dec[i][j]` is compared with it. The bits equal thresholding
    /// [`Self::decode`] except where `x̂_j` is within about `2^-24·Σ|s_i|·127` of 0.5.
    /// Errors: as [`Self::decode`]; `out` must hold `ceil(d_in/32)` words; values whose
    /// products with the decoder scales overflow `f32`.
    pub fn decode_bits<const K: usize>(&self, z: &TopK<K>, out: &mut [u32]) -> Result<(), Error> {
        let (scale, w, b_dec) = self
            .decoder
            .ok_or(Error::Format(FormatError::MissingSection { tag: *b"DSCL" }))?;
        let words = self.d_in.div_ceil(32);
        if out.len() != words {
            return Err(Error::LengthMismatch {
                expected: words,
                found: out.len(),
            });
        }
        if let Some(&i) = z.indices().iter().find(|&&i| usize::from(i) >= self.h) {
            return Err(Error::IndexOutOfRange {
                index: usize::from(i),
                len: self.h,
            });
        }
        out.fill(0);
        // s_i = z_i·sd_i (the products `decode` forms) and the fixed-point scale 2^p with
        // Σ|s_i|·2^p < 2^24, so Σ_i |q_i·W[i][j]| < 2^31: the sums below fit an i32.
        let mut terms = [(0usize, 0f32); K];
        let mut total = 0f32;
        for (slot, (i, v)) in terms.iter_mut().zip(z.iter()) {
            let s = v * f32_at(scale, usize::from(i));
            total += s.abs();
            *slot = (usize::from(i) * self.d_in, s);
        }
        let terms = &terms[..z.len()];
        if !total.is_finite() {
            return Err(Error::InvalidParameter(
                "latent values times decoder scales overflow f32",
            ));
        }
        let p = if total > 0.0 {
            (23 - exponent(total)).min(FIXED_MAX_FRACTION)
        } else {
            FIXED_MAX_FRACTION
        };
        let mut q = [(0usize, 0i32); K];
        for (slot, &(row, s)) in q.iter_mut().zip(terms) {
            // |q| ≤ 2^24 by the choice of p (the clamp only guards the f32 rounding of
            // `total`), so Σ|q·w| ≤ 127·(2^24 + K) < 2^31.
            *slot = (row, to_fixed(s, p).clamp(-(1 << 24), 1 << 24) as i32);
        }
        let q = &q[..terms.len()];
        let half = to_fixed(0.5, p);
        // 32 outputs (one word) at a time: each latent adds its row's 32 weights.
        for (word, start) in out.iter_mut().zip((0..self.d_in).step_by(32)) {
            let n = 32.min(self.d_in - start);
            let mut sums = [0i32; 32];
            for &(row, qi) in q {
                let weights = &w[row + start..row + start + n];
                for (sum, &wj) in sums.iter_mut().zip(weights) {
                    *sum += qi * i32::from(wj);
                }
            }
            for (b, &sum) in sums[..n].iter().enumerate() {
                if i64::from(sum) + to_fixed(f32_at(b_dec, start + b), p) > half {
                    *word |= 1 << b;
                }
            }
        }
        Ok(())
    }
}

/// Reads a [`CODE_SECTION`].
fn parse_code(b: &[u8]) -> Result<ThresholdCode<'_>, Error> {
    if b.len() < 12 {
        return Err(Error::Format(FormatError::Truncated {
            expected: 12,
            found: b.len(),
        }));
    }
    let seed = u64::from(u32_at(b, 0)) | u64::from(u32_at(b, 4)) << 32;
    let features = u32_at(b, 8) as usize;
    ThresholdCode::new(seed, features, &b[12..])
        .map_err(|_| Error::Format(FormatError::Inconsistent("bad input code section")))
}

/// The largest number of fractional bits [`Sae::decode_bits`] uses (so `b_dec` up to 2^22
/// stays exact in an `i64`).
const FIXED_MAX_FRACTION: i32 = 40;

/// `floor(log2 |x|)` of a finite, non-zero `f32`, from its bits.
fn exponent(x: f32) -> i32 {
    let bits = x.to_bits();
    let biased = ((bits >> 23) & 0xff) as i32;
    if biased == 0 {
        // Subnormal: 2^-149 times the 23-bit fraction.
        -149 + (31 - (bits & 0x7f_ffff).leading_zeros() as i32)
    } else {
        biased - 127
    }
}

/// `x·2^p` truncated toward zero, from the bits of `x` (no float arithmetic), saturated to
/// ±2^62; NaN is 0.
fn to_fixed(x: f32, p: i32) -> i64 {
    const LIMIT: i64 = 1 << 62;
    if x.is_nan() {
        return 0;
    }
    let bits = x.to_bits();
    let biased = ((bits >> 23) & 0xff) as i32;
    let fraction = i64::from(bits & 0x7f_ffff);
    // |x| = m·2^e.
    let (m, e) = if biased == 0 {
        (fraction, -149)
    } else {
        (fraction | 0x80_0000, biased - 150)
    };
    let shift = e + p;
    let magnitude = if biased == 0xff || shift > 38 {
        LIMIT // infinite, or ≥ 2^62
    } else if shift >= 0 {
        m << shift
    } else if shift > -64 {
        m >> -shift
    } else {
        0
    };
    if bits >> 31 == 1 {
        -magnitude
    } else {
        magnitude
    }
}

#[cfg(all(test, feature = "std"))]
mod tests;
