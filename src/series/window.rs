//! The window stage: C channels × T samples of integers → a fixed set of per-channel
//! statistics, in integer arithmetic (the same features on every target).
#![forbid(unsafe_code)]

use crate::error::Error;
use crate::FormatError;

/// The most input channels a window takes.
pub const MAX_CHANNELS: usize = 32;
/// The most 3-axis vector channels whose magnitude is added as a channel.
pub const MAX_VECTORS: usize = 8;
/// The most channels after the magnitudes are added.
pub const MAX_DERIVED: usize = MAX_CHANNELS + MAX_VECTORS;
/// The longest window in samples (keeps every sum inside 64 bits).
pub const MAX_LENGTH: usize = 1024;
/// The most spectral bands per channel.
pub const MAX_BANDS: usize = 16;
/// The most features a window yields (they are held on the stack while classifying: 2 KiB).
pub const MAX_FEATURES: usize = 512;
/// Statistics per channel before the bands: mean, standard deviation, minimum, maximum, the
/// three quartiles, mean absolute difference.
pub const STATISTICS: usize = 8;

/// Words of the `WPAR` section before the vector and band lists.
const HEADER_WORDS: usize = 6;

/// What the window stage gives the classifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Stage {
    /// Per-channel statistics and band energies (code 0).
    Statistics,
    /// The samples themselves, T steps × (C + V) channels, time-major (code 1), for a
    /// temporal encoder ([`crate::encode::Temporal`]).
    Samples,
}

/// What a window is and which features it yields, read in place from a blob's `WPAR` words:
/// `[channels, length, hop, vectors V, bands B, stage, V first channels…, B + 1 band
/// edges…]` (stage 0: statistics, 1: the samples).
///
/// - `channels` C (1 to 32) values per sample, `length` T (2 to 1024) samples per window,
///   a prediction every `hop` samples (1 to T) once T have arrived;
/// - each listed vector (the first of three consecutive channels, e.g. an accelerometer's
///   x, y, z) adds a channel: the magnitude `⌊√(x² + y² + z²)⌋`;
/// - per channel (inputs, then magnitudes): [`STATISTICS`] statistics, then B band energies
///   `log2(1 + Σ_{k=e_b}^{e_{b+1}−1} |X_k|²)` over the DFT bins `X_k` (k from `e_0` to
///   `e_B − 1`) of the window with its mean removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window<'a> {
    words: &'a [u32],
}

impl<'a> Window<'a> {
    /// Validates `words` as a window description. Errors: [`FormatError::Inconsistent`]
    /// naming the field out of range.
    pub fn from_words(words: &'a [u32]) -> Result<Self, Error> {
        let bad = |what| Err(Error::Format(FormatError::Inconsistent(what)));
        let [channels, length, hop, vectors, bands, stage] = match words.get(..HEADER_WORDS) {
            Some(&[c, l, h, v, b, s]) => [c, l, h, v, b, s].map(|x| x as usize),
            _ => return bad("WPAR is shorter than its header"),
        };
        if stage > 1 {
            return bad("the window stage is 0 (statistics) or 1 (samples)");
        }
        if !(1..=MAX_CHANNELS).contains(&channels) {
            return bad("a window has 1 to 32 channels");
        }
        if !(2..=MAX_LENGTH).contains(&length) {
            return bad("a window has 2 to 1024 samples");
        }
        if !(1..=length).contains(&hop) {
            return bad("the hop must be 1 to the window length");
        }
        if vectors > MAX_VECTORS || bands > MAX_BANDS {
            return bad("at most 8 vectors and 16 bands");
        }
        if words.len() != HEADER_WORDS + vectors + bands + 1 {
            return bad("WPAR's length disagrees with its vector and band counts");
        }
        let w = Window { words };
        if w.vectors().iter().any(|&v| v as usize + 3 > channels) {
            return bad("a vector's three channels must be inside the window");
        }
        let edges = w.band_edges();
        if edges[0] < 1
            || edges.windows(2).any(|e| e[0] >= e[1])
            || edges[bands] as usize > length / 2 + 1
        {
            return bad("band edges must rise from bin 1 to at most bin T/2 + 1");
        }
        if w.features() > MAX_FEATURES {
            return bad("a window yields at most 512 features");
        }
        Ok(w)
    }

    /// The words as stored.
    pub fn words(&self) -> &'a [u32] {
        self.words
    }

    /// Input channels per sample.
    pub fn channels(&self) -> usize {
        self.words[0] as usize
    }

    /// Samples per window.
    pub fn length(&self) -> usize {
        self.words[1] as usize
    }

    /// Samples between predictions.
    pub fn hop(&self) -> usize {
        self.words[2] as usize
    }

    /// The first channel of each 3-axis vector.
    pub fn vectors(&self) -> &'a [u32] {
        &self.words[HEADER_WORDS..HEADER_WORDS + self.words[3] as usize]
    }

    /// The band edges in DFT bins: band b covers bins `e_b .. e_{b+1}`.
    pub fn band_edges(&self) -> &'a [u32] {
        &self.words[HEADER_WORDS + self.words[3] as usize..]
    }

    /// Channels after the magnitudes are added.
    pub fn derived_channels(&self) -> usize {
        self.channels() + self.vectors().len()
    }

    /// What the stage gives the classifier.
    pub fn stage(&self) -> Stage {
        if self.words[5] == 1 {
            Stage::Samples
        } else {
            Stage::Statistics
        }
    }

    /// Features per channel: the statistics, then the band energies (or, for
    /// [`Stage::Samples`], the window's length).
    pub fn features_per_channel(&self) -> usize {
        match self.stage() {
            Stage::Statistics => STATISTICS + self.band_edges().len() - 1,
            Stage::Samples => self.length(),
        }
    }

    /// Features per window.
    pub fn features(&self) -> usize {
        self.derived_channels() * self.features_per_channel()
    }

    /// Derived channel `c` of one sample (`sample.len()` is the channel count).
    #[inline]
    pub(crate) fn derived(&self, sample: &[i16], c: usize) -> i32 {
        match sample.get(c) {
            Some(&x) => i32::from(x),
            None => {
                let v = self.vectors()[c - sample.len()] as usize;
                let sq = |x: i16| i32::from(x).unsigned_abs().pow(2);
                // Three squares of i16 values: at most 3·2^30 < 2^32.
                (sq(sample[v]) + sq(sample[v + 1]) + sq(sample[v + 2])).isqrt() as i32
            }
        }
    }

    /// The features of one whole window (`samples`: T × C values, time-major) into `out`
    /// ([`Self::features`] values). `dft` must be built for this window's length. Errors:
    /// wrong lengths.
    pub fn features_of<const L: usize>(
        &self,
        samples: &[i16],
        dft: &Dft<L>,
        out: &mut [f32],
    ) -> Result<(), Error> {
        let (c, t) = (self.channels(), self.length());
        if samples.len() != c * t {
            return Err(Error::LengthMismatch {
                expected: c * t,
                found: samples.len(),
            });
        }
        self.check(dft, out)?;
        if self.stage() == Stage::Samples {
            let d = self.derived_channels();
            for (sample, out) in samples.chunks_exact(c).zip(out.chunks_exact_mut(d)) {
                for (k, o) in out.iter_mut().enumerate() {
                    *o = self.derived(sample, k) as f32;
                }
            }
            return Ok(());
        }
        let mut scratch = [0i32; L];
        let per = self.features_per_channel();
        for (d, out) in out.chunks_exact_mut(per).enumerate() {
            let values = &mut scratch[..t];
            for (v, sample) in values.iter_mut().zip(samples.chunks_exact(c)) {
                *v = self.derived(sample, d);
            }
            let sums = Sums::of(values);
            self.channel_features(values, &sums, dft, out);
        }
        Ok(())
    }

    /// Checks a DFT table and an output buffer against this window.
    pub(crate) fn check<const L: usize>(&self, dft: &Dft<L>, out: &[f32]) -> Result<(), Error> {
        if dft.length != self.length() {
            return Err(Error::LengthMismatch {
                expected: self.length(),
                found: dft.length,
            });
        }
        if out.len() != self.features() {
            return Err(Error::LengthMismatch {
                expected: self.features(),
                found: out.len(),
            });
        }
        Ok(())
    }

    /// One channel's features from its values in time order (sorted in place at the end) and
    /// their running sums.
    pub(crate) fn channel_features<const L: usize>(
        &self,
        values: &mut [i32],
        sums: &Sums,
        dft: &Dft<L>,
        out: &mut [f32],
    ) {
        let t = values.len() as i64;
        let n = t as f32;
        // |sum| ≤ 2^10·2^17: exact in i64; T·Σx² ≤ 2^10·2^10·2^34 < 2^63.
        let spread = (t as u64 * sums.squares).saturating_sub((sums.sum * sums.sum) as u64);
        out[0] = sums.sum as f32 / n;
        out[1] = spread.isqrt() as f32 / n;
        out[7] = sums.variation as f32 / (n - 1.0);
        // The mean, rounded to an integer, is removed before the DFT (bins k ≥ 1 do not need
        // it; it keeps the products small).
        let mean = (2 * sums.sum + t).div_euclid(2 * t) as i32;
        let edges = self.band_edges();
        for (b, e) in edges.windows(2).enumerate() {
            let mut energy = 0u64;
            for k in e[0] as usize..e[1] as usize {
                energy = energy.saturating_add(dft.power(values, mean, k));
            }
            out[STATISTICS + b] = log2_plus_one(energy);
        }
        heapsort(values);
        let last = values.len() - 1;
        let quantile = |q: usize| values[(q * last + 2) / 4] as f32;
        out[2] = values[0] as f32;
        out[3] = values[last] as f32;
        out[4] = quantile(1);
        out[5] = quantile(2);
        out[6] = quantile(3);
    }

    /// The words of a window description (host side): `bands` geometric bands over the DFT
    /// bins 1..=T/2 (fewer when there are fewer bins than bands; none for
    /// [`Stage::Samples`]). Errors: as [`Self::from_words`].
    #[cfg(feature = "alloc")]
    pub fn describe(
        channels: usize,
        length: usize,
        hop: usize,
        vectors: &[usize],
        bands: usize,
        stage: Stage,
    ) -> Result<alloc::vec::Vec<u32>, Error> {
        let bins = length / 2;
        let bands = match stage {
            Stage::Statistics => bands.min(bins),
            Stage::Samples => 0,
        };
        let mut edges = alloc::vec::Vec::with_capacity(bands + 1);
        for b in 0..=bands {
            let e = if bands == 0 {
                1
            } else {
                libm::round(libm::pow((bins + 1) as f64, b as f64 / bands as f64)) as u32
            };
            let floor = edges.last().map_or(1, |&p: &u32| p + 1);
            edges.push(e.max(floor));
        }
        // Rounding up the low edges may push the last past the top; pull the tail back.
        let top = (bins + 1) as u32;
        for b in (0..=bands).rev() {
            let cap = top - (bands - b) as u32;
            edges[b] = edges[b].min(cap);
        }
        let mut words = alloc::vec![
            channels as u32,
            length as u32,
            hop as u32,
            vectors.len() as u32,
            bands as u32,
            u32::from(stage == Stage::Samples)
        ];
        words.extend(vectors.iter().map(|&v| v as u32));
        words.extend(edges);
        Window::from_words(&words)?;
        Ok(words)
    }
}

/// The running sums of one channel over a window: `Σx`, `Σx²` and `Σ|x_t − x_{t−1}|`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Sums {
    pub(crate) sum: i64,
    pub(crate) squares: u64,
    pub(crate) variation: u64,
}

impl Sums {
    /// No values.
    pub(crate) const ZERO: Sums = Sums {
        sum: 0,
        squares: 0,
        variation: 0,
    };

    /// The sums over `values` in time order.
    pub(crate) fn of(values: &[i32]) -> Self {
        let mut s = Sums::default();
        for (t, &v) in values.iter().enumerate() {
            s.add(v, t.checked_sub(1).map(|p| values[p]));
        }
        s
    }

    /// Adds the newest value `v`, after `previous` (if the window held one).
    #[inline]
    pub(crate) fn add(&mut self, v: i32, previous: Option<i32>) {
        self.sum += i64::from(v);
        self.squares += u64::from(v.unsigned_abs()).pow(2);
        if let Some(p) = previous {
            self.variation += u64::from(v.abs_diff(p));
        }
    }

    /// Removes the oldest value `v`, followed by `next`.
    #[inline]
    pub(crate) fn remove(&mut self, v: i32, next: i32) {
        self.sum -= i64::from(v);
        self.squares -= u64::from(v.unsigned_abs()).pow(2);
        self.variation -= u64::from(next.abs_diff(v));
    }
}

/// `log2(1 + e)` with 16 fractional bits (the mantissa read linearly), as `f32`: exact
/// integer arithmetic, so every target gives the same value.
pub(crate) fn log2_plus_one(e: u64) -> f32 {
    let x = e.saturating_add(1);
    let n = 63 - x.leading_zeros();
    let fraction = if n >= 16 {
        (x >> (n - 16)) & 0xFFFF
    } else {
        (x << (16 - n)) & 0xFFFF
    };
    // n·2^16 + fraction < 2^22: exact in f32.
    (u64::from(n) << 16 | fraction) as f32 / 65536.0
}

/// `sin(2π·turn/2^32)` in Q14, in integer arithmetic (the same on every target, and no
/// floating-point trigonometry in the firmware): the quarter wave by a 9th-order odd
/// polynomial in Q30, mirrored into the other quarters; within half a unit of Q14 but for
/// values within 10^-3 of a rounding tie.
pub(crate) fn sin_q14(turn: u32) -> i16 {
    let quadrant = turn >> 30;
    let within = i64::from(turn & 0x3FFF_FFFF); // Q30: 0 ≤ x < 1 quarter turn
    let x = if quadrant & 1 == 0 {
        within
    } else {
        (1 << 30) - within
    };
    // sin(πx/2) ≈ x·(c1 − x²·(c3 − x²·(c5 − x²·(c7 − c9·x²)))): least-squares coefficients
    // in Q30 (error below 10^-8).
    const C1: i64 = 1_686_629_684;
    const C3: i64 = 693_598_038;
    const C5: i64 = 85_565_513;
    const C7: i64 = 5_017_743;
    const C9: i64 = 162_418;
    let q30 = |a: i64| (a + (1 << 29)) >> 30; // a product back to Q30, rounded
    let x2 = q30(x * x);
    let p = C7 - q30(C9 * x2);
    let p = C5 - q30(p * x2);
    let p = C3 - q30(p * x2);
    let p = C1 - q30(p * x2);
    let y = q30(p * x); // 0 ≤ y ≤ 1
    let q14 = ((y + (1 << 15)) >> 16) as i16;
    if quadrant >= 2 {
        -q14
    } else {
        q14
    }
}

/// Sorts `values` in place: heapsort, no recursion and little code (the firmware does not
/// carry the standard library's sort).
pub(crate) fn heapsort(values: &mut [i32]) {
    fn sift(v: &mut [i32], mut root: usize, end: usize) {
        loop {
            let mut child = 2 * root + 1;
            if child >= end {
                return;
            }
            if child + 1 < end && v[child] < v[child + 1] {
                child += 1;
            }
            if v[root] >= v[child] {
                return;
            }
            v.swap(root, child);
            root = child;
        }
    }
    let n = values.len();
    for root in (0..n / 2).rev() {
        sift(values, root, n);
    }
    for end in (1..n).rev() {
        values.swap(0, end);
        sift(values, 0, end);
    }
}

/// `acc + d·c`, exact. `|d| < 2^17` (inputs are i16, magnitudes below 56,756) and
/// `|c| ≤ 2^14`, so the product fits `i32`: the Cortex-M0, whose 64-bit multiply is a
/// library call, multiplies in 32 bits; elsewhere the 64-bit form is as cheap or cheaper
/// (one SMLAL on Thumb-2).
#[inline(always)]
fn multiply_add(acc: i64, d: i32, c: i16) -> i64 {
    if cfg!(all(target_arch = "arm", not(hyperbits_thumb2))) {
        acc + i64::from(d * i32::from(c))
    } else {
        acc + i64::from(d) * i64::from(c)
    }
}

/// Q14 cosine and sine tables of one window length (up to `L` samples), for the band
/// energies. Built once per stream: `2·L` bytes each.
#[derive(Debug, Clone)]
pub struct Dft<const L: usize> {
    cos: [i16; L],
    sin: [i16; L],
    length: usize,
}

impl<const L: usize> Dft<L> {
    /// The tables for windows of `length` samples. Errors: `length` above `L` or
    /// [`MAX_LENGTH`], or below 2.
    pub fn new(length: usize) -> Result<Self, Error> {
        if !(2..=L.min(MAX_LENGTH)).contains(&length) {
            return Err(Error::InvalidParameter(
                "the DFT table must hold 2 to L (and at most 1024) samples",
            ));
        }
        let mut dft = Self::EMPTY;
        dft.rebuild(length)?;
        Ok(dft)
    }

    /// No tables (length 0), until [`Self::rebuild`].
    pub(crate) const EMPTY: Self = Dft {
        cos: [0; L],
        sin: [0; L],
        length: 0,
    };

    /// Rebuilds the tables in place for windows of `length` samples. Errors: as
    /// [`Self::new`].
    pub(crate) fn rebuild(&mut self, length: usize) -> Result<(), Error> {
        if !(2..=L.min(MAX_LENGTH)).contains(&length) {
            return Err(Error::InvalidParameter(
                "the DFT table must hold 2 to L (and at most 1024) samples",
            ));
        }
        for j in 0..length {
            // The angle as a fraction of a turn in 32 bits (j < length, so below one turn).
            let turn = ((j as u64) << 32) / length as u64;
            self.sin[j] = sin_q14(turn as u32);
            self.cos[j] = sin_q14((turn as u32).wrapping_add(1 << 30));
        }
        self.length = length;
        Ok(())
    }

    /// The window length the tables are for.
    pub fn length(&self) -> usize {
        self.length
    }

    /// `|X_k|²` of `values − mean`, each part rounded to the input's units first.
    #[inline]
    fn power(&self, values: &[i32], mean: i32, k: usize) -> u64 {
        let (mut re, mut im) = (0i64, 0i64);
        let mut j = 0usize;
        for &v in values {
            let d = v - mean;
            re = multiply_add(re, d, self.cos[j]);
            im = multiply_add(im, d, self.sin[j]);
            j += k;
            if j >= self.length {
                j -= self.length;
            }
        }
        let unit = |x: i64| ((x + (1 << 13)) >> 14).unsigned_abs();
        unit(re).pow(2).saturating_add(unit(im).pow(2))
    }
}
