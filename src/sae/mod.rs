//! Sparse-autoencoder (SAE) inference from flash: int8 encoder weights read in place, TopK,
//! ReLU or JumpReLU, the largest latents kept in a fixed-size [`TopK`], an optional int8
//! decoder. No heap.
//!
//! An SAE maps an input (a float vector, or a bit-packed hypervector) to a few active latents
//! ("features"): `pre_i = b_enc_i + Σ_j W_enc[i][j]·(x_j − b_pre_j)`, then [`Activation`]:
//! `z = ReLU(TopK_k(pre))`, `ReLU(pre)` or JumpReLU's `pre·[pre > θ_i]`, at most k kept; and
//! back: `x̂_j = b_dec_j + Σ_{i ∈ support(z)} z_i·W_dec[i][j]`. The weights are int8 with
//! one scale per latent, or for the encoder ternary / binary sign masks summed with popcounts
//! (2 / 1 bits per weight: for feature detection; reconstruction suffers). The encoder runs in
//! `i32` accumulators (their bound is checked when the model is opened, so they cannot
//! overflow) and ranks `acc_i · scale_i` with ties to the lower index; an optional threshold τ
//! drops kept latents whose value is not above it. The design, its measurements and the blob
//! layout are in `docs/sae.md`.
//!
//! # Model format
//! [`Sae::from_bytes`] reads the **HSAE v1** blob of that spec and our **v2** and **v3** (48-,
//! 56- and 64-byte headers, offsets from the blob's start, CRC-32 at the end; every field read
//! with `from_le_bytes`, so a blob from `include_bytes!` needs no alignment), either bare or as
//! the `HSAE` section of a [`crate::model`] container of kind [`Kind::Sae`] (the form the
//! library writes; it may also hold the bit model's input code, [`CODE_SECTION`]).
//!
//! | offset | type | field |
//! |---:|---|---|
//! | 0 | `[u8; 4]` | magic `HSAE` |
//! | 4 | `u16` | version, 1, 2 or 3 |
//! | 6 | `u16` | header length (≥ 48; v2 ≥ 56; v3 ≥ 64) |
//! | 8 | `u32` | `d_in` (bits for bit input) |
//! | 12 | `u32` | latents `h` |
//! | 16 | `u16` | `k`: most latents kept (`h`: no cap) |
//! | 18 | `u8` | input: 0 dense, int8 after `(x − b_pre)/in_scale`; 1 bit-packed 0/1; 2 (v3) dense, quantised with each row's own scale |
//! | 19 | `u8` | encoder weights: 1 int8, 2 ternary, 3 binary (stored as int8 in v1, packed in v2 and v3) |
//! | 20 | `f32` | `in_scale` (1 for bits and per-row input) |
//! | 24 | `u32` | offset of `b_pre`: `d_in × f32` |
//! | 28 | `u32` | offset of the encoder scales: `h × f32` |
//! | 32 | `u32` | offset of the encoder biases: `h × i32`, accumulator units (`b_pre` folded in for bits); per-row input: `h × f32`, value units |
//! | 36 | `u32` | offset of the encoder weights: `h × d_in × i8`, latent-major; ternary: per latent `ceil(d_in/32)` `u32` words of the +1 mask, then as many of the −1 mask; binary: the +1 mask only (a clear bit is −1) |
//! | 40 | `u32` | offset of the decoder scales: `h × f32` (0: no decoder) |
//! | 44 | `u32` | offset of the decoder weights: `h × d_in × i8`, then `b_dec`: `d_in × f32` |
//! | 48 | `f32` | v2, v3: activation threshold τ ≥ 0 (value units) for every latent |
//! | 52 | `u32` | v2, v3: flags, 0 (reserved; a reader rejects unknown flags) |
//! | 56 | `u8` | v3: activation, 0 TopK, 1 ReLU, 2 JumpReLU (v1 and v2: TopK); then 3 zero bytes |
//! | 60 | `u32` | v3: offset of the JumpReLU thresholds (0 for the others): `h × i32` in accumulator units (latent `i` fires when `acc_i > t_i`), per-row input: `h × f32`, value units (fires when its value is above `θ_i`) |
//! | end − 4 | `u32` | CRC-32 (ISO-HDLC) of every byte before it |
//!
//! The host writer (`train::sae::export::FloatSae::to_hsae`, feature `std`) emits v1 for int8
//! TopK models with a calibrated input scale and no threshold, so readers of the reference
//! format can load them; v2 for the other TopK models with a calibrated scale or bit input;
//! v3 for per-row input and for ReLU and JumpReLU.
//!
//! # Float input
//! A dense model quantises each input row before the integer dot products. By default
//! ([`Input::DensePerRow`]) every row uses its own step, `max_j |x_j − b_pre_j| / L`, found on
//! the device, with `L` as many levels as the `i32` accumulators allow at this `d_in` (`i16`
//! inputs: 32,767 up to `d_in` = 516, 7,338 at 2,304, never fewer than 127): an input whose
//! size varies from row to row (a language model's residual stream) keeps its precision, for
//! one more multiply-add per latent (`value_i = acc_i·s_i·r + b_i`, biases in `f32`).
//! [`Input::Dense`] uses one int8 scale fixed by calibration rows at export, so the bias folds
//! into the integer accumulator (an integer-only pipeline; the Cortex-M4's SMLAD kernel).
//! [`Sae::encode_f32`] skips the input quantisation (f32 arithmetic, for the host and cores
//! with an FPU). Every step of the integer paths is integer or a correctly rounded `f32`
//! operation in a fixed order, so they give the same bits on every target.
//!
//! Measured on SAELens folders of each architecture with inputs 50× apart in size
//! (`tests/saelens.rs`): the per-row path keeps the float64 forward's active set on every row
//! that is not a near tie, each value within 0.8 % of the row's largest activation.
#![forbid(unsafe_code)]

use crate::encode::ThresholdCode;
use crate::error::Error;
use crate::kernel;
use crate::model::{crc32, Kind, Model, MAGIC as CONTAINER_MAGIC};
use crate::FormatError;

/// The first four bytes of an HSAE blob.
pub const HSAE_MAGIC: [u8; 4] = *b"HSAE";
/// The newest HSAE version this build reads and writes (it reads versions 1 and 2 too).
pub const HSAE_VERSION: u16 = 3;
/// Bytes of the HSAE v1 header.
pub const HEADER_LEN: usize = 48;
/// Bytes of the HSAE v2 header (v1's, then the threshold τ and a flag word).
pub const HEADER_LEN_V2: usize = 56;
/// Bytes of the HSAE v3 header (v2's, then the activation and the JumpReLU thresholds' offset).
pub const HEADER_LEN_V3: usize = 64;
/// Latents whose accumulators the bit-input encoder keeps at once (128 bytes of stack).
const CHUNK: usize = 32;
/// Latents the dense encoders keep at once: each input block is quantised (or centred) once
/// per chunk, so on hosts a larger chunk (2 KiB of stack) saves most of that work; MCUs keep
/// 32 (128 bytes).
const DENSE_CHUNK: usize = if WIDE { 512 } else { CHUNK };
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
    /// Floats, quantised to int8 as `clamp(round((x − b_pre)/in_scale), ±127)` with one scale
    /// fixed by calibration rows at export (the encoder bias folds into the accumulator).
    Dense,
    /// A bit-packed 0/1 vector, `d_in` bits, LSB first (a [`crate::BinaryVector`]'s words).
    Bits,
    /// Floats, quantised with each row's own step `r = max_j |x_j − b_pre_j| / L` to `i16`
    /// (`L` = [`Sae::input_levels`]; found on the device, no calibration), the encoder bias
    /// added in `f32`. The default for float input.
    DensePerRow,
}

impl Input {
    /// Whether the input is floats (quantised either way).
    pub fn is_dense(self) -> bool {
        self != Input::Bits
    }
}

/// The SAE's activation function, applied to the pre-activations `pre_i`; every kind then
/// keeps at most `k` latents, the largest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Activation {
    /// `ReLU(TopK_k(pre))`: the k largest, those above 0.
    #[default]
    TopK,
    /// `ReLU(pre)` (SAELens's `standard`), capped at the k largest when `k < h`.
    Relu,
    /// `pre·[pre > θ_i]` with a threshold per latent, and ReLU (Gemma Scope's kind).
    JumpRelu,
}

impl Activation {
    /// The name SAELens gives the architecture (`topk`, `standard`, `jumprelu`).
    pub fn name(self) -> &'static str {
        match self {
            Activation::TopK => "topk",
            Activation::Relu => "standard",
            Activation::JumpRelu => "jumprelu",
        }
    }
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

/// The active latents of one input, at most `K` on the stack: the k largest after the
/// activation (latents whose value is not positive, or not above a JumpReLU threshold or τ,
/// are dropped), sorted by value (descending; ties: lower index first).
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

/// A selection's storage: indices, values (the rank keys while selecting), accumulators.
#[doc(hidden)]
pub type Slots<'a> = (&'a mut [u16], &'a mut [f32], &'a mut [i32]);

/// Where an encoder writes the latents it keeps: a fixed-size [`TopK`] (no heap; it must hold
/// the model's `k`), or with feature `alloc` a [`LatentVec`] that grows to `k`. Sealed: the
/// library implements it for those two.
pub trait Latents: sealed::Sealed {
    /// The active latents' indices, largest value first.
    fn indices(&self) -> &[u16];
    /// The active latents' values, in the same order.
    fn values(&self) -> &[f32];
    /// Storage for `k` latents (indices, values, accumulators). Errors: it cannot hold `k`.
    #[doc(hidden)]
    fn slots(&mut self, k: usize) -> Result<Slots<'_>, Error>;
    /// Sets the number of active latents after a selection.
    #[doc(hidden)]
    fn set_len(&mut self, len: usize);
}

mod sealed {
    pub trait Sealed {}
    impl<const K: usize> Sealed for super::TopK<K> {}
    #[cfg(feature = "alloc")]
    impl Sealed for super::LatentVec {}
}

impl<const K: usize> Latents for TopK<K> {
    fn indices(&self) -> &[u16] {
        TopK::indices(self)
    }

    fn values(&self) -> &[f32] {
        TopK::values(self)
    }

    fn slots(&mut self, k: usize) -> Result<Slots<'_>, Error> {
        if K < k {
            return Err(Error::CapacityExceeded { capacity: K });
        }
        self.len = 0;
        Ok((&mut self.index, &mut self.value, &mut self.acc))
    }

    fn set_len(&mut self, len: usize) {
        self.len = len;
    }
}

/// The latents of one input on the heap (feature `alloc`): like [`TopK`], for a model whose
/// `k` is large or only known at run time (a ReLU or JumpReLU SAE keeps up to `h`).
#[cfg(feature = "alloc")]
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LatentVec {
    index: alloc::vec::Vec<u16>,
    value: alloc::vec::Vec<f32>,
    acc: alloc::vec::Vec<i32>,
    len: usize,
}

#[cfg(feature = "alloc")]
impl LatentVec {
    /// An empty code.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of active latents.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no latent is active.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Latents given from outside (an edited code), for [`Sae::decode`]: `indices[i]` has value
    /// `values[i]`; the accumulators are zero. Errors: lengths that differ, a value that is not
    /// finite.
    pub fn from_latents(indices: &[u16], values: &[f32]) -> Result<Self, Error> {
        if indices.len() != values.len() {
            return Err(Error::LengthMismatch {
                expected: indices.len(),
                found: values.len(),
            });
        }
        if values.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidParameter("a latent value is NaN or infinite"));
        }
        Ok(LatentVec {
            index: indices.to_vec(),
            value: values.to_vec(),
            acc: alloc::vec![0; indices.len()],
            len: indices.len(),
        })
    }

    /// The active latents' accumulators (0 for [`Sae::encode_f32`] on per-row input).
    pub fn accumulators(&self) -> &[i32] {
        &self.acc[..self.len]
    }

    /// `(index, value)` pairs, largest value first.
    pub fn iter(&self) -> impl Iterator<Item = (u16, f32)> + '_ {
        let (i, v) = (Latents::indices(self), Latents::values(self));
        i.iter().copied().zip(v.iter().copied())
    }
}

#[cfg(feature = "alloc")]
impl Latents for LatentVec {
    fn indices(&self) -> &[u16] {
        &self.index[..self.len]
    }

    fn values(&self) -> &[f32] {
        &self.value[..self.len]
    }

    fn slots(&mut self, k: usize) -> Result<Slots<'_>, Error> {
        self.len = 0;
        self.index.resize(k, 0);
        self.value.resize(k, 0.0);
        self.acc.resize(k, 0);
        Ok((&mut self.index, &mut self.value, &mut self.acc))
    }

    fn set_len(&mut self, len: usize) {
        self.len = len;
    }
}

/// Streaming top-k selection over `(index, rank key)`, keys compared as `f32`: a binary
/// min-heap of the k best so far (root: the worst kept), `O(h log k)`, sorted once at the end.
/// It works in slices of at least `k` entries (a [`TopK`]'s arrays, or vectors on the host);
/// the keys become the values.
struct Selector<'t> {
    index: &'t mut [u16],
    keys: &'t mut [f32],
    acc: &'t mut [i32],
    len: usize,
    k: usize,
    threshold: f32,
}

impl<'t> Selector<'t> {
    /// A selector of the `k` largest (at most the slices' length) above `threshold` and 0.
    fn new(
        index: &'t mut [u16],
        keys: &'t mut [f32],
        acc: &'t mut [i32],
        k: usize,
        threshold: f32,
    ) -> Self {
        let k = k.min(index.len()).min(keys.len()).min(acc.len());
        // All three cut to k: equal lengths, so one bounds check covers the three.
        Selector {
            index: &mut index[..k],
            keys: &mut keys[..k],
            acc: &mut acc[..k],
            len: 0,
            k,
            threshold,
        }
    }

    /// States what `new` made true (the three slices hold `k` entries, `len ≤ k`), so the
    /// compiler drops the bounds checks it implies; it cannot fail.
    #[inline(always)]
    fn assume_equal_lengths(&self) {
        let k = self.keys.len();
        assert!(self.index.len() == k && self.acc.len() == k && self.len <= k);
    }

    /// Whether entry `a` ranks below entry `b`: a smaller key, or an equal key and a larger
    /// index (ties go to the lower index).
    #[inline(always)]
    fn worse(&self, a: usize, b: usize) -> bool {
        let (ka, kb) = (self.keys[a], self.keys[b]);
        ka < kb || (ka == kb && self.index[a] > self.index[b])
    }

    #[inline(always)]
    fn swap(&mut self, a: usize, b: usize) {
        self.keys.swap(a, b);
        self.index.swap(a, b);
        self.acc.swap(a, b);
    }

    /// Offers latent `index` (offered in increasing index order, so an equal key never
    /// displaces a kept one: ties go to the lower index). The common case, a key that does not
    /// beat the worst kept, is decided here (inlined into the encoders' loops); the heap work
    /// is out of line.
    #[inline(always)]
    fn offer(&mut self, index: usize, key: f32, acc: i32) {
        if self.len == self.k && (self.k == 0 || key <= self.keys[0]) {
            return;
        }
        self.insert(index, key, acc);
    }

    /// Puts latent `index` into the heap: in place of the worst kept when full (the caller
    /// checked that it beats it), else at the end.
    #[cold]
    fn insert(&mut self, index: usize, key: f32, acc: i32) {
        self.assume_equal_lengths();
        let len = self.len;
        if len == self.k {
            // Full: the newcomer beats the root (an equal key has a larger index).
            self.keys[0] = key;
            self.index[0] = index as u16;
            self.acc[0] = acc;
            self.sift_down(len);
        } else {
            self.keys[len] = key;
            self.index[len] = index as u16;
            self.acc[len] = acc;
            self.len = len + 1;
            // Sift up.
            let mut at = len;
            while at > 0 && self.worse(at, (at - 1) / 2) {
                self.swap(at, (at - 1) / 2);
                at = (at - 1) / 2;
            }
        }
    }

    /// Restores the min-heap over the first `end` entries after the root changed: moves it
    /// down below any worse child.
    #[inline(always)]
    fn sift_down(&mut self, end: usize) {
        let mut at = 0;
        loop {
            let (l, r) = (2 * at + 1, 2 * at + 2);
            let mut low = at;
            if l < end && self.worse(l, low) {
                low = l;
            }
            if r < end && self.worse(r, low) {
                low = r;
            }
            if low == at {
                break;
            }
            self.swap(at, low);
            at = low;
        }
    }

    /// Sorts the kept entries (value desc, index asc), then applies ReLU and the threshold:
    /// returns the length of the prefix whose values exceed both 0 and τ.
    fn finish(mut self) -> usize {
        self.assume_equal_lengths();
        let len = self.len;
        if len > 32 {
            // Heap sort: the root is the worst kept, so moving it to the end sorts best first.
            for end in (1..len).rev() {
                self.swap(0, end);
                self.sift_down(end);
            }
        } else {
            // Insertion sort, best first (k is small; runs once).
            for i in 1..len {
                let mut j = i;
                while j > 0 && self.worse(j - 1, j) {
                    self.swap(j - 1, j);
                    j -= 1;
                }
            }
        }
        self.keys[..len]
            .iter()
            .take_while(|&&k| k > 0.0 && k > self.threshold)
            .count()
    }
}

/// A quantised dense input value: `i8` (calibrated input) or `i16` (per-row input, as many
/// levels as the `i32` accumulators allow).
trait Level: Copy + Default + Into<i32> {
    /// `Σ w[j]·x[j]`.
    fn dot(w: &[i8], x: &[Self]) -> i32;
    /// Two weight rows against one input.
    fn dot2(w0: &[i8], w1: &[i8], x: &[Self]) -> [i32; 2];
    /// One weight row against four inputs (the batch encoder).
    #[cfg(feature = "alloc")]
    fn dot4(w: &[i8], x: [&[Self]; 4]) -> [i32; 4] {
        x.map(|x| Self::dot(w, x))
    }
    /// Reorders a block of inputs for [`Level::dot2_ordered`] (in place; by default not at
    /// all).
    fn order(_block: &mut [Self]) {}
    /// [`Level::dot2`] over a block [`Level::order`] reordered.
    fn dot2_ordered(w0: &[i8], w1: &[i8], x: &[Self]) -> [i32; 2] {
        Self::dot2(w0, w1, x)
    }
    /// `v`, which the caller keeps within the type's range.
    fn from_i32(v: i32) -> Self;
}

impl Level for i8 {
    #[inline(always)]
    fn dot(w: &[i8], x: &[i8]) -> i32 {
        kernel::dot_i8(w, x)
    }
    #[inline(always)]
    fn dot2(w0: &[i8], w1: &[i8], x: &[i8]) -> [i32; 2] {
        kernel::dot2_i8(w0, w1, x)
    }
    fn from_i32(v: i32) -> Self {
        v as i8
    }
}

impl Level for i16 {
    fn dot(w: &[i8], x: &[i16]) -> i32 {
        kernel::dot_i8_i16(w, x)
    }
    fn dot2(w0: &[i8], w1: &[i8], x: &[i16]) -> [i32; 2] {
        [kernel::dot_i8_i16(w0, x), kernel::dot_i8_i16(w1, x)]
    }
    #[cfg(feature = "alloc")]
    fn dot4(w: &[i8], x: [&[i16]; 4]) -> [i32; 4] {
        kernel::dot4_i8_i16(w, x)
    }
    fn order(block: &mut [i16]) {
        kernel::pair_order(block)
    }
    fn dot2_ordered(w0: &[i8], w1: &[i8], x: &[i16]) -> [i32; 2] {
        kernel::dot2_i8_i16_paired(w0, w1, x)
    }
    fn from_i32(v: i32) -> Self {
        v as i16
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
    activation: Activation,
    in_scale: f32,
    /// The largest quantised input magnitude: 127, or for per-row input the most the `i32`
    /// accumulators allow (up to 32,767).
    levels: i32,
    threshold: f32,
    /// JumpReLU: `h` thresholds, `i32` accumulator units or (per-row input) `f32` values.
    gate: Option<&'a [u8]>,
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

/// The smallest integer ≥ `x`, saturated to the `i32` range (so `ceil_i32(x) > t` exactly
/// when `x > t` for an integer `t`).
fn ceil_i32(x: f32) -> i32 {
    let t = x as i32; // towards zero, saturating
    if (t as f32) < x {
        t.saturating_add(1)
    } else {
        t
    }
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
        let header_len = match version {
            1 => HEADER_LEN,
            2 => HEADER_LEN_V2,
            _ => HEADER_LEN_V3,
        };
        if (u16_at(b, 6) as usize) < header_len || body < header_len {
            return Err(Error::Format(FormatError::Inconsistent(
                "HSAE header shorter than its version's (48 bytes in v1, 56 in v2, 64 in v3)",
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
            2 if version >= 3 => Input::DensePerRow,
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
        let activation = match (version, b.get(56..60)) {
            (1 | 2, _) => Activation::TopK,
            (_, Some([0, 0, 0, 0])) => Activation::TopK,
            (_, Some([1, 0, 0, 0])) => Activation::Relu,
            (_, Some([2, 0, 0, 0])) => Activation::JumpRelu,
            _ => {
                return Err(Error::Format(FormatError::Inconsistent(
                    "unknown SAE activation",
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
        let gate = if activation == Activation::JumpRelu {
            Some(section(60, b"THRS", 4 * h)?)
        } else if version >= 3 && u32_at(b, 60) != 0 {
            return Err(Error::Format(FormatError::Inconsistent(
                "only a JumpReLU SAE has per-latent thresholds",
            )));
        } else {
            None
        };
        let per_row = input == Input::DensePerRow;
        let finite = |s: &[u8]| (0..s.len() / 4).all(|i| f32_at(s, i).is_finite());
        if !finite(b_pre)
            || !finite(enc_scale)
            || (per_row && !finite(enc_bias))
            || (per_row && !gate.is_none_or(finite))
            || !decoder.is_none_or(|(s, _, d)| finite(s) && finite(d))
        {
            return Err(Error::Format(FormatError::Inconsistent(
                "SAE scales, biases and thresholds must be finite",
            )));
        }
        // |acc| ≤ |bias| + max|w|·(d_in for bits, 127·d_in for int8 inputs) must fit an i32.
        let max_w: i64 = match enc_w {
            Matrix::Int8(_) => 127,
            Matrix::Packed(_) => 1,
        };
        // Per-row input gets as many levels as keep |acc| ≤ max_w·levels·d_in within i32.
        let levels: i64 = match input {
            Input::DensePerRow => (i64::from(i32::MAX) / (max_w * d_in as i64)).min(32_767),
            _ => 127,
        };
        if levels < 127 {
            return Err(Error::Format(FormatError::Inconsistent(
                "SAE accumulators could overflow i32 (d_in too large)",
            )));
        }
        let per_input = match input {
            Input::Bits => max_w,
            Input::Dense | Input::DensePerRow => max_w * levels,
        };
        // Per-row input adds its (f32) bias after the sum.
        let max_bias = match input {
            Input::DensePerRow => 0,
            _ => (0..h)
                .map(|i| i64::from(i32_at(enc_bias, i)).abs())
                .max()
                .unwrap_or(0),
        };
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
            activation,
            in_scale,
            levels: levels as i32,
            threshold,
            gate,
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

    /// Most latents kept per input (TopK's k; `h` when a ReLU or JumpReLU model is not capped).
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

    /// The activation function (TopK for HSAE v1 and v2).
    pub fn activation(&self) -> Activation {
        self.activation
    }

    /// The input scale fixed at export ([`Input::Dense`]; 1 for the other inputs).
    pub fn input_scale(&self) -> f32 {
        self.in_scale
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
    fn dot_block<T: Level>(&self, i: usize, start: usize, x: &[T]) -> i32 {
        let d = self.d_in;
        match self.enc_w {
            Matrix::Int8(w) => T::dot(&w[i * d + start..i * d + start + x.len()], x),
            Matrix::Packed(m) => {
                let (p, n) = self.masks(m, i);
                let bit = |mask: &[u8], j: usize| (u32_at(mask, 4 * (j / 32)) >> (j % 32)) & 1 == 1;
                x.iter()
                    .enumerate()
                    .map(|(t, &v)| {
                        let (j, v) = (start + t, v.into());
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

    /// Latent `i`'s accumulator before any input: its bias in accumulator units (0 for per-row
    /// input, whose bias is added to the value).
    fn acc_bias(&self, i: usize) -> i32 {
        match self.input {
            Input::DensePerRow => 0,
            _ => i32_at(self.enc_bias, i),
        }
    }

    /// Calls `f(i, acc_i)` for every latent in index order, for a dense input whose value `j`
    /// in quantised units is `quantised(j)` ([`Self::acc_bias`] included). Latents go in
    /// chunks of [`DENSE_CHUNK`] and inputs in blocks of 256, quantised once per chunk into a
    /// stack buffer, so a float input is quantised `h/DENSE_CHUNK` times, not `h` times.
    fn for_each_acc_dense<T: Level>(
        &self,
        quantised: impl Fn(usize) -> T,
        mut f: impl FnMut(usize, i32),
    ) {
        let d = self.d_in;
        let mut xq = [T::default(); 256];
        for base in (0..self.h).step_by(DENSE_CHUNK) {
            let n = DENSE_CHUNK.min(self.h - base);
            let mut acc = [0i32; DENSE_CHUNK];
            for (c, a) in acc[..n].iter_mut().enumerate() {
                *a = self.acc_bias(base + c);
            }
            for start in (0..d).step_by(256) {
                let block = &mut xq[..256.min(d - start)];
                for (j, q) in block.iter_mut().enumerate() {
                    *q = quantised(start + j);
                }
                match self.enc_w {
                    Matrix::Int8(w) => {
                        // Two latents per pass over the inputs, in the order the kernel reads.
                        T::order(block);
                        let block: &[T] = block;
                        let row = |c: usize| &w[(base + c) * d + start..][..block.len()];
                        for (c, pair) in acc[..n].chunks_mut(2).enumerate() {
                            if let [a0, a1] = pair {
                                let [s0, s1] = T::dot2_ordered(row(2 * c), row(2 * c + 1), block);
                                *a0 += s0;
                                *a1 += s1;
                            } else {
                                let r = row(2 * c);
                                pair[0] += T::dot2_ordered(r, r, block)[0];
                            }
                        }
                    }
                    Matrix::Packed(_) => {
                        let block: &[T] = block;
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

    /// Errors unless the model takes bits (`bits`) or floats (`!bits`).
    fn check_input(&self, bits: bool) -> Result<(), Error> {
        if (self.input == Input::Bits) != bits {
            return Err(Error::InvalidParameter(if bits {
                "this SAE takes dense input (encode_dense / encode_f32)"
            } else {
                "this SAE takes bit-packed input (encode_bits)"
            }));
        }
        Ok(())
    }

    /// The value of latent `i` at accumulator `acc`, what TopK ranks and reports:
    /// `acc·s_i` for bits, `acc·s_i·in_scale` for calibrated input, `acc·s_i·r + b_i` for
    /// per-row input with the row's scale `r`, each in `f32` in that order.
    fn value(&self, i: usize, acc: i32, r: f32) -> f32 {
        let v = acc as f32 * f32_at(self.enc_scale, i);
        match self.input {
            Input::Bits => v,
            Input::Dense => v * self.in_scale,
            Input::DensePerRow => v * r + f32_at(self.enc_bias, i),
        }
    }

    /// Whether latent `i` passes its JumpReLU threshold (always, for the other activations):
    /// `acc > t_i` in accumulator units, or `value > θ_i` for per-row input.
    fn fires(&self, i: usize, acc: i32, value: f32) -> bool {
        match self.gate {
            None => true,
            Some(t) if self.input == Input::DensePerRow => value > f32_at(t, i),
            Some(t) => acc > i32_at(t, i),
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
                    f(i, self.acc_bias(i) + sum);
                }
                return;
            }
        };
        for base in (0..self.h).step_by(CHUNK) {
            let n = CHUNK.min(self.h - base);
            let mut acc = [0i32; CHUNK];
            for (c, a) in acc[..n].iter_mut().enumerate() {
                *a = self.acc_bias(base + c);
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

    /// Ranks latent values into `out`: `feed` calls its argument with `(i, acc_i, value_i)`
    /// for every latent in index order; JumpReLU's thresholds, ReLU and τ apply.
    fn select<L: Latents + ?Sized>(
        &self,
        out: &mut L,
        feed: impl FnOnce(&mut Selector<'_>),
    ) -> Result<(), Error> {
        let (index, keys, acc) = out.slots(self.k)?;
        let mut sel = Selector::new(index, keys, acc, self.k, self.threshold);
        feed(&mut sel);
        let len = sel.finish();
        out.set_len(len);
        Ok(())
    }

    /// Offers latent `i` (accumulator `a`, value `v`) to `sel` if it passes its threshold.
    #[inline(always)]
    fn offer(&self, sel: &mut Selector<'_>, i: usize, a: i32, v: f32) {
        if self.fires(i, a, v) {
            sel.offer(i, v, a)
        }
    }

    /// Encodes a bit-packed input (`ceil(d_in/32)` words, bit `j` = bit `j % 32` of word
    /// `j / 32`): `acc_i = c_i + Σ_{bit j set} W[i][j]`, `nnz·h` adds. Errors: a dense model,
    /// an output that holds fewer than `k` latents, the wrong number of words, a bit set past
    /// `d_in`.
    pub fn encode_bits<L: Latents + ?Sized>(&self, x: &[u32], out: &mut L) -> Result<(), Error> {
        self.check_input(true)?;
        self.check_bits(x)?;
        self.select(out, |sel| {
            self.for_each_acc_bits(x, |i, a| self.offer(sel, i, a, self.value(i, a, 1.0)))
        })
    }

    /// Quantises a float input for a calibrated model ([`Input::Dense`]) as the encoder
    /// expects: `clamp(round((x_j − b_pre_j)/in_scale), ±127)` (half to even). Errors: a model
    /// of another input, wrong length, a NaN or infinite value.
    pub fn quantize_input(&self, x: &[f32], out: &mut [i8]) -> Result<(), Error> {
        self.check_calibrated()?;
        self.check_len(out.len())?;
        self.row_scale(x)?;
        for (j, (&v, q)) in x.iter().zip(out.iter_mut()).enumerate() {
            *q = self.quantize(j, v, 1.0) as i8;
        }
        Ok(())
    }

    /// Errors unless the model takes calibrated int8 input.
    fn check_calibrated(&self) -> Result<(), Error> {
        if self.input != Input::Dense {
            return Err(Error::InvalidParameter(
                "int8 inputs are for a calibrated model (Input::Dense): use encode_dense",
            ));
        }
        Ok(())
    }

    /// The largest quantised input magnitude: 127, or for per-row input as many levels as the
    /// `i32` accumulators allow at this `d_in` (32,767 up to `d_in` = 516, 7,338 at 2,304;
    /// `i16` inputs).
    pub fn input_levels(&self) -> i32 {
        self.levels
    }

    /// Checks a float row and finds its step for per-row input: `(r, 1/r)` with
    /// `r = max_j |x_j − b_pre_j| / levels` (`(0, 0)` for a row equal to `b_pre`); `(in_scale,
    /// 1)` for calibrated input. Errors: wrong length, a value that is not finite, or whose
    /// distance from `b_pre` overflows `f32`.
    fn row_scale(&self, x: &[f32]) -> Result<(f32, f32), Error> {
        self.check_len(x.len())?;
        if x.iter().any(|v| !v.is_finite()) {
            return Err(Error::InvalidParameter("an input value is NaN or infinite"));
        }
        if self.input != Input::DensePerRow {
            return Ok((self.in_scale, 1.0));
        }
        let m = x
            .iter()
            .enumerate()
            .fold(0f32, |m, (j, &v)| m.max((v - f32_at(self.b_pre, j)).abs()));
        if !m.is_finite() {
            return Err(Error::InvalidParameter(
                "an input value minus b_pre overflows f32",
            ));
        }
        let levels = self.levels as f32;
        Ok(if m > 0.0 {
            (m / levels, levels / m)
        } else {
            (0.0, 0.0)
        })
    }

    /// Input `j` in quantised units: `clamp(round((v − b_pre_j)/in_scale), ±127)`, or for
    /// per-row input `clamp(round((v − b_pre_j)·inv), ±levels)` with `inv` = 1 / the row's
    /// step.
    #[inline(always)]
    fn quantize(&self, j: usize, v: f32, inv: f32) -> i32 {
        let c = v - f32_at(self.b_pre, j);
        match self.input {
            Input::DensePerRow => {
                let l = self.levels as f32;
                round_even((c * inv).max(-l).min(l))
            }
            _ => round_even((c / self.in_scale).clamp(-127.0, 127.0)),
        }
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

    /// Errors unless `x` is a calibrated model's quantised input (`d_in` values in
    /// −127..=127).
    fn check_i8(&self, x: &[i8]) -> Result<(), Error> {
        self.check_calibrated()?;
        self.check_len(x.len())?;
        if x.contains(&i8::MIN) {
            return Err(Error::InvalidParameter(
                "quantised inputs are in -127..=127",
            ));
        }
        Ok(())
    }

    /// Encodes an input already quantised with [`Self::quantize_input`] (a calibrated model):
    /// `acc_i = bq_i + Σ_j W[i][j]·x_j`. Errors: a model of another input, an output that
    /// holds fewer than `k` latents, wrong length, a value of −128.
    pub fn encode_i8<L: Latents + ?Sized>(&self, x: &[i8], out: &mut L) -> Result<(), Error> {
        self.check_i8(x)?;
        self.select(out, |sel| {
            self.for_each_acc_dense(
                |j| x[j],
                |i, a| self.offer(sel, i, a, self.value(i, a, 1.0)),
            )
        })
    }

    /// Calls `f(i, acc_i, value_i)` for every latent of a float input (checked, with its
    /// step `r` and `inv` from [`Self::row_scale`]), quantised as the model says (per row in
    /// `i16`, or calibrated in `i8`; each input quantised `h/32` times, with no buffer of
    /// `d_in`).
    fn for_each_dense(&self, x: &[f32], (r, inv): (f32, f32), mut f: impl FnMut(usize, i32, f32)) {
        let value = |i, a| self.value(i, a, r);
        if self.input == Input::DensePerRow {
            let q = |j: usize| i16::from_i32(self.quantize(j, x[j], inv));
            self.for_each_acc_dense(q, |i, a| f(i, a, value(i, a)));
        } else {
            // The calibrated quantisation, without the per-row arm.
            let q = |j: usize| {
                let c = (x[j] - f32_at(self.b_pre, j)) / self.in_scale;
                round_even(c.clamp(-127.0, 127.0)) as i8
            };
            self.for_each_acc_dense(q, |i, a| f(i, a, value(i, a)));
        }
    }

    /// Quantises and encodes a float input: per row (each row's own step,
    /// `max_j |x_j − b_pre_j| / levels`, found here) or with the calibrated scale, as the
    /// model says; integer dot products, the same bits on every target. Errors: a bit model,
    /// an output that holds fewer than `k` latents, wrong length, a NaN or infinite value.
    pub fn encode_dense<L: Latents + ?Sized>(&self, x: &[f32], out: &mut L) -> Result<(), Error> {
        self.check_input(false)?;
        let step = self.row_scale(x)?;
        self.select(out, |sel| {
            self.for_each_dense(x, step, |i, a, v| self.offer(sel, i, a, v))
        })
    }

    /// Encodes a batch of float rows (`x`: `out.len()` rows of `d_in`, row-major) into `out`:
    /// the codes [`Self::encode_dense`] gives row by row, faster on hosts, where 16 rows share
    /// each pass over the weights (feature `alloc`). Errors: as [`Self::encode_dense`] (the
    /// first bad row), `x` not `out.len() · d_in` long.
    #[cfg(feature = "alloc")]
    pub fn encode_dense_batch(&self, x: &[f32], out: &mut [LatentVec]) -> Result<(), Error> {
        self.check_input(false)?;
        if Some(x.len()) != out.len().checked_mul(self.d_in) {
            return Err(Error::LengthMismatch {
                expected: out.len().saturating_mul(self.d_in),
                found: x.len(),
            });
        }
        if self.input == Input::DensePerRow {
            self.batch_dense::<i16>(x, out)
        } else {
            self.batch_dense::<i8>(x, out)
        }
    }

    /// [`Self::encode_dense_batch`] with inputs quantised to `T`.
    #[cfg(feature = "alloc")]
    fn batch_dense<T: Level>(&self, x: &[f32], out: &mut [LatentVec]) -> Result<(), Error> {
        const GROUP: usize = 16;
        let (d, h) = (self.d_in, self.h);
        let mut xq = alloc::vec![T::default(); GROUP * d];
        let mut acc = alloc::vec![0i32; GROUP * DENSE_CHUNK];
        for (rows, codes) in x.chunks(GROUP * d).zip(out.chunks_mut(GROUP)) {
            let mut steps = [0f32; GROUP];
            for (r, row) in rows.chunks_exact(d).enumerate() {
                let (step, inv) = self.row_scale(row)?;
                steps[r] = step;
                for (j, q) in xq[r * d..(r + 1) * d].iter_mut().enumerate() {
                    *q = T::from_i32(self.quantize(j, row[j], inv));
                }
            }
            let mut selectors = alloc::vec::Vec::with_capacity(codes.len());
            for code in codes.iter_mut() {
                let (index, keys, accs) = code.slots(self.k)?;
                selectors.push(Selector::new(index, keys, accs, self.k, self.threshold));
            }
            for base in (0..h).step_by(DENSE_CHUNK) {
                let n = DENSE_CHUNK.min(h - base);
                for r in 0..selectors.len() {
                    for c in 0..n {
                        acc[r * DENSE_CHUNK + c] = self.acc_bias(base + c);
                    }
                }
                let g = selectors.len();
                let row = |r: usize| &xq[r * d..(r + 1) * d];
                // One latent's weights, then every row of the group against them, four at a
                // time for int8 weights.
                for c in 0..n {
                    let i = base + c;
                    let mut r = 0;
                    if let Matrix::Int8(w) = self.enc_w {
                        let w = &w[i * d..(i + 1) * d];
                        while r + 4 <= g {
                            let sums = T::dot4(w, [row(r), row(r + 1), row(r + 2), row(r + 3)]);
                            for (t, s) in sums.into_iter().enumerate() {
                                acc[(r + t) * DENSE_CHUNK + c] += s;
                            }
                            r += 4;
                        }
                    }
                    for r in r..g {
                        acc[r * DENSE_CHUNK + c] += self.dot_block(i, 0, row(r));
                    }
                }
                for (r, sel) in selectors.iter_mut().enumerate() {
                    for c in 0..n {
                        let (i, a) = (base + c, acc[r * DENSE_CHUNK + c]);
                        self.offer(sel, i, a, self.value(i, a, steps[r]));
                    }
                }
            }
            let lens: alloc::vec::Vec<usize> =
                selectors.into_iter().map(Selector::finish).collect();
            for (code, len) in codes.iter_mut().zip(lens) {
                code.set_len(len);
            }
        }
        Ok(())
    }

    /// The accumulator of every latent before the activation, for a float input quantised as
    /// [`Self::encode_dense`] does (`out` holds `h` values; per-row input: without the bias,
    /// which is added to the value); returns the input step, for [`Self::latent_value`].
    /// Errors: as [`Self::encode_dense`], `out` not of length `h`.
    pub fn accumulators_dense(&self, x: &[f32], out: &mut [i32]) -> Result<f32, Error> {
        self.check_input(false)?;
        self.check_latents(out.len())?;
        let step = self.row_scale(x)?;
        self.for_each_dense(x, step, |i, a, _| out[i] = a);
        Ok(step.0)
    }

    /// Encodes a float input without quantising it, in `f32` with the int8 weights as stored:
    /// `pre_i = s_i·Σ_j W[i][j]·(x_j − b_pre_j) + b_i`, then the activation. Only the weights'
    /// rounding remains (a calibrated model also loses its input rounding), at the cost of
    /// `f32` multiply-adds: for the host and cores with an FPU (on others it runs, in software
    /// floating point). Its results may differ between targets in the last bits (summation
    /// order); the integer paths do not. Errors: as [`Self::encode_dense`].
    pub fn encode_f32<L: Latents + ?Sized>(&self, x: &[f32], out: &mut L) -> Result<(), Error> {
        self.check_input(false)?;
        self.row_scale(x)?;
        let d = self.d_in;
        let mut centred = [0f32; 256];
        self.select(out, |sel| {
            for base in (0..self.h).step_by(DENSE_CHUNK) {
                let n = DENSE_CHUNK.min(self.h - base);
                let mut sums = [0f32; DENSE_CHUNK];
                for start in (0..d).step_by(256) {
                    let block = &mut centred[..256.min(d - start)];
                    for (j, c) in block.iter_mut().enumerate() {
                        *c = x[start + j] - f32_at(self.b_pre, start + j);
                    }
                    let block: &[f32] = block;
                    for (c, sum) in sums[..n].iter_mut().enumerate() {
                        *sum += self.dot_block_f32(base + c, start, block);
                    }
                }
                for (c, &sum) in sums[..n].iter().enumerate() {
                    let i = base + c;
                    let s = f32_at(self.enc_scale, i);
                    let (value, acc) = match self.input {
                        Input::DensePerRow => (sum * s + f32_at(self.enc_bias, i), 0),
                        _ => {
                            // The bias and threshold are in accumulator units of in_scale·s_i.
                            let units = sum / self.in_scale + i32_at(self.enc_bias, i) as f32;
                            (units * s * self.in_scale, ceil_i32(units))
                        }
                    };
                    self.offer(sel, i, acc, value);
                }
            }
        })
    }

    /// `Σ_j W[i][start + j]·x[j]` in `f32` (eight running sums for int8 weights).
    fn dot_block_f32(&self, i: usize, start: usize, x: &[f32]) -> f32 {
        let d = self.d_in;
        match self.enc_w {
            Matrix::Int8(w) => kernel::dot_i8_f32(&w[i * d + start..i * d + start + x.len()], x),
            Matrix::Packed(m) => {
                let (p, n) = self.masks(m, i);
                let bit = |mask: &[u8], j: usize| (u32_at(mask, 4 * (j / 32)) >> (j % 32)) & 1 == 1;
                x.iter()
                    .enumerate()
                    .map(|(t, &v)| {
                        let j = start + t;
                        if bit(p, j) {
                            v
                        } else if n.is_none_or(|n| bit(n, j)) {
                            -v
                        } else {
                            0.0
                        }
                    })
                    .sum()
            }
        }
    }

    /// The accumulator of every latent before the activation, for a bit-packed input (for
    /// checking against golden vectors; `out` holds `h` values). Errors: as
    /// [`Self::encode_bits`].
    pub fn accumulators_bits(&self, x: &[u32], out: &mut [i32]) -> Result<(), Error> {
        self.check_input(true)?;
        self.check_bits(x)?;
        self.check_latents(out.len())?;
        self.for_each_acc_bits(x, |i, a| out[i] = a);
        Ok(())
    }

    /// Errors unless `len` is `h`.
    fn check_latents(&self, len: usize) -> Result<(), Error> {
        if len != self.h {
            return Err(Error::LengthMismatch {
                expected: self.h,
                found: len,
            });
        }
        Ok(())
    }

    /// The accumulator of every latent before the activation, for an input quantised with
    /// [`Self::quantize_input`] (`out` holds `h` values). Errors: as [`Self::encode_i8`].
    pub fn accumulators_i8(&self, x: &[i8], out: &mut [i32]) -> Result<(), Error> {
        self.check_i8(x)?;
        self.check_latents(out.len())?;
        self.for_each_acc_dense(|j| x[j], |i, a| out[i] = a);
        Ok(())
    }

    /// The value latent `i` has at accumulator `acc` before the activation, what TopK ranks
    /// and reports: `acc·s_i` (bits), times `in_scale` (calibrated input), or `acc·s_i·step
    /// + b_i` (per-row input, `step` as [`Self::accumulators_dense`] returned it; the others
    /// ignore it). Errors: `i ≥ h`.
    pub fn latent_value(&self, i: usize, acc: i32, step: f32) -> Result<f32, Error> {
        if i >= self.h {
            return Err(Error::IndexOutOfRange {
                index: i,
                len: self.h,
            });
        }
        Ok(self.value(i, acc, step))
    }

    /// Reconstructs the input from `z`: `x̂_j = b_dec_j + Σ_i z_i·sd_i·W_dec[i][j]` into `out`
    /// (`d_in` floats). Errors: no decoder, wrong length, a latent index past `h`.
    pub fn decode<L: Latents + ?Sized>(&self, z: &L, out: &mut [f32]) -> Result<(), Error> {
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
        for (&i, &v) in z.indices().iter().zip(z.values()) {
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
