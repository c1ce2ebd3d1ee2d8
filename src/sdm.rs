//! Sparse distributed memory (Kanerva, *Sparse Distributed Memory*, MIT Press 1988): N hard
//! locations at random addresses, each with a counter per data bit; a word is written into, and
//! read from, every location within a Hamming radius of its address.
//!
//! **What.** [`Sdm::write`] adds the data word (bit 1 = +1, bit 0 = −1) to the counters of the
//! locations whose address is within [`Sdm::radius`] of the given address; [`Sdm::read`] sums
//! the counters of the locations within the radius of the query and takes the sign (a sum of
//! 0 reads as 0). Heteroassociative use stores `data` under `address`; autoassociative use
//! (`V == W`) stores a word under itself, and [`Sdm::recall`] iterates reads from a noisy cue
//! until the word stops changing. Counters are `i8` and saturate at ±127 (torchhd's `kappa`
//! clipping), so a location written more than 127 times forgets the excess.
//!
//! **Analysis.** With an activation probability `p` (the share of all addresses within the
//! radius, [`activation_probability`]), a read at a stored address sees a signal of A active
//! locations (A ~ Binomial(N, p)), and each of the T − 1 other stored words adds noise: ±1 for
//! each location in both activation circles, Binomial(A, p). The bit error is about
//! `E_A Q(A / √((T − 1)(A·p·(1 − p) + A²p²)))` ([`bit_error`]), so the capacity at a target
//! error grows as N / (1 + N p²) ([`capacity`]); `examples/sdm.rs` measures both against these
//! values.
//!
//! [`SdmSlices`] is the same memory on slices the caller owns, shaped at run time (the Python
//! package's `Sdm`, the C library's `HbSdm`); the typed [`Sdm`] runs the same loops.
//!
//! **Cost.** RAM: N addresses of W words and N × 32·V counters of one byte. A write or a read
//! is N Hamming distances plus 32·V counter updates (or additions) for each active location.
//! Addresses come from a [`Codebook`] seed, so the same seed gives the same memory on every
//! target; everything else is integer arithmetic.
#![forbid(unsafe_code)]

use crate::binary::BinaryVector;
use crate::codebook::Codebook;
use crate::error::Error;
use crate::kernel;
use crate::plan::gaussian_tail;

/// The result of a read: the word, and how many locations it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Read<const V: usize> {
    /// The word read (bit 1 where the summed counters are positive).
    pub data: BinaryVector<V>,
    /// The number of locations within the radius of the query.
    pub locations: usize,
}

/// A sparse distributed memory of N locations, addresses of 32·W bits, data words of 32·V
/// bits.
#[derive(Clone)]
pub struct Sdm<const W: usize, const V: usize, const N: usize> {
    addresses: [BinaryVector<W>; N],
    counters: [[[i8; 32]; V]; N],
    radius: u32,
    writes: u32,
}

impl<const W: usize, const V: usize, const N: usize> Sdm<W, V, N> {
    /// An empty memory whose location addresses are items `0..N` of `Codebook::new(seed)`,
    /// activated within Hamming distance `radius` (at most D = 32·W).
    ///
    /// Errors: no location, or a radius past the dimension.
    pub fn new(seed: u64, radius: u32) -> Result<Self, Error> {
        if N == 0 {
            return Err(Error::InvalidParameter(
                "a memory needs at least one location",
            ));
        }
        if radius as usize > BinaryVector::<W>::DIM {
            return Err(Error::InvalidParameter(
                "the radius is larger than the dimension",
            ));
        }
        let mut addresses = [BinaryVector::<W>::zero(); N];
        fill_addresses(
            seed,
            addresses.iter_mut().map(|a| &mut a.as_words_mut()[..]),
        );
        Ok(Sdm {
            addresses,
            counters: [[[0; 32]; V]; N],
            radius,
            writes: 0,
        })
    }

    /// The activation radius.
    pub fn radius(&self) -> u32 {
        self.radius
    }

    /// The number of writes since the memory was made or cleared.
    pub fn writes(&self) -> u32 {
        self.writes
    }

    /// The address of location `index`.
    pub fn address(&self, index: usize) -> Result<&BinaryVector<W>, Error> {
        self.addresses
            .get(index)
            .ok_or(Error::IndexOutOfRange { index, len: N })
    }

    /// Forgets everything written.
    pub fn clear(&mut self) {
        self.counters = [[[0; 32]; V]; N];
        self.writes = 0;
    }

    /// Writes `data` at `address`: every location within the radius counts each bit up (1) or
    /// down (0). Returns how many locations were written (0 when none is within the radius).
    pub fn write(&mut self, address: &BinaryVector<W>, data: &BinaryVector<V>) -> usize {
        let rows = self.addresses.iter().map(|a| &a.as_words()[..]);
        let counters = self.counters.iter_mut().map(|c| c.as_flattened_mut());
        self.writes = self.writes.saturating_add(1);
        write_rows(
            rows.zip(counters),
            self.radius,
            address.as_words(),
            data.as_words(),
        )
    }

    /// Reads at `address`: the sign of the summed counters of the locations within the radius.
    ///
    /// Errors: [`Error::EmptyMemory`] when no location is within the radius of `address`.
    pub fn read(&self, address: &BinaryVector<W>) -> Result<Read<V>, Error> {
        let mut sums = [[0i32; 32]; V];
        let mut data = BinaryVector::<V>::zero();
        let rows = self.addresses.iter().map(|a| &a.as_words()[..]);
        let counters = self.counters.iter().map(|c| c.as_flattened());
        let locations = read_rows(
            rows.zip(counters),
            self.radius,
            address.as_words(),
            sums.as_flattened_mut(),
            data.as_words_mut(),
        )?;
        Ok(Read { data, locations })
    }
}

impl<const W: usize, const N: usize> Sdm<W, W, N> {
    /// Autoassociative recall: reads at the cue, then at what was read, until the word stops
    /// changing or after `max_steps` reads. Returns the last word and the reads made.
    ///
    /// Errors: [`Error::EmptyMemory`] when a read finds no location within the radius.
    pub fn recall(
        &self,
        cue: &BinaryVector<W>,
        max_steps: u32,
    ) -> Result<(BinaryVector<W>, u32), Error> {
        let mut word = *cue;
        for step in 1..=max_steps {
            let next = self.read(&word)?.data;
            if next == word {
                return Ok((word, step));
            }
            word = next;
        }
        Ok((word, max_steps))
    }
}

/// Fills each address with the codebook item of its index (location i: item i of `seed`).
fn fill_addresses<'a>(seed: u64, rows: impl Iterator<Item = &'a mut [u32]>) {
    let book = Codebook::new(seed);
    for (i, address) in rows.enumerate() {
        book.fill(i as u32, address);
    }
}

/// Adds `data` (bit 1: +1, bit 0: −1, saturating) to the counters (32 a data word) of every
/// location whose address is within `radius` of `address`; the locations written.
fn write_rows<'a>(
    rows: impl Iterator<Item = (&'a [u32], &'a mut [i8])>,
    radius: u32,
    address: &[u32],
    data: &[u32],
) -> usize {
    let mut written = 0;
    for (location, counters) in rows {
        if kernel::hamming(location, address) > radius {
            continue;
        }
        written += 1;
        for (word, bits) in counters.chunks_exact_mut(32).zip(data) {
            for (b, counter) in word.iter_mut().enumerate() {
                let step = if (bits >> b) & 1 == 1 { 1 } else { -1 };
                *counter = counter.saturating_add(step);
            }
        }
    }
    written
}

/// Sums into `sums` (zeroed first, 32 a data word) the counters of every location within
/// `radius` of `address`, and writes their signs to `data`; the locations read, or
/// [`Error::EmptyMemory`] for none.
fn read_rows<'a>(
    rows: impl Iterator<Item = (&'a [u32], &'a [i8])>,
    radius: u32,
    address: &[u32],
    sums: &mut [i32],
    data: &mut [u32],
) -> Result<usize, Error> {
    sums.fill(0);
    let mut locations = 0;
    for (location, counters) in rows {
        if kernel::hamming(location, address) > radius {
            continue;
        }
        locations += 1;
        for (s, &c) in sums.iter_mut().zip(counters) {
            *s += i32::from(c);
        }
    }
    if locations == 0 {
        return Err(Error::EmptyMemory);
    }
    for (out, sum) in data.iter_mut().zip(sums.chunks_exact(32)) {
        *out = sum
            .iter()
            .enumerate()
            .fold(0, |w, (b, &s)| w | (u32::from(s > 0) << b));
    }
    Ok(locations)
}

/// A sparse distributed memory over storage the caller owns, its shape given at run time (for
/// the Python package and the C library's `HbSdm`): N addresses of `W` words in one slice, N·32·V `i8` counters in
/// another. The same loops as [`Sdm`], so the same reads for the same seed and writes.
pub struct SdmSlices<'a> {
    addresses: &'a [u32],
    counters: &'a mut [i8],
    words: usize,
    data_words: usize,
    radius: u32,
}

impl core::fmt::Debug for SdmSlices<'_> {
    /// The shape and radius (not the counters: megabytes for a large memory).
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SdmSlices")
            .field("locations", &(self.addresses.len() / self.words))
            .field("words", &self.words)
            .field("data_words", &self.data_words)
            .field("radius", &self.radius)
            .finish()
    }
}

impl<'a> SdmSlices<'a> {
    /// A memory over `addresses` (N rows of `words` words) and `counters` (N·32·V, which
    /// gives V), activated within `radius`.
    ///
    /// Errors: no location, `addresses` not whole rows, counters that are not 32·V per
    /// location for some V ≥ 1, or a radius past the dimension.
    pub fn new(
        addresses: &'a [u32],
        counters: &'a mut [i8],
        words: usize,
        radius: u32,
    ) -> Result<Self, Error> {
        if words == 0 || addresses.is_empty() || !addresses.len().is_multiple_of(words) {
            return Err(Error::InvalidParameter(
                "addresses are whole rows of at least one word, and at least one row",
            ));
        }
        let n = addresses.len() / words;
        if counters.is_empty() || !counters.len().is_multiple_of(32 * n) {
            return Err(Error::InvalidParameter(
                "counters are 32 per data bit word for every location",
            ));
        }
        if radius as usize > 32 * words {
            return Err(Error::InvalidParameter(
                "the radius is larger than the dimension",
            ));
        }
        let data_words = counters.len() / (32 * n);
        Ok(SdmSlices {
            addresses,
            counters,
            words,
            data_words,
            radius,
        })
    }

    /// Fills `addresses` (rows of `words` words) as [`Sdm::new`] does for the same seed.
    pub fn fill_addresses(seed: u64, words: usize, addresses: &mut [u32]) {
        fill_addresses(seed, addresses.chunks_exact_mut(words.max(1)));
    }

    /// Words of an address (W).
    pub fn words(&self) -> usize {
        self.words
    }

    /// Words of a data word (V).
    pub fn data_words(&self) -> usize {
        self.data_words
    }

    fn check(&self, address: &[u32], data: &[u32]) -> Result<(), Error> {
        for (expected, found) in [(self.words, address.len()), (self.data_words, data.len())] {
            if expected != found {
                return Err(Error::LengthMismatch { expected, found });
            }
        }
        Ok(())
    }

    /// [`Sdm::write`]: the locations written. Errors: an address or data word of another
    /// length.
    pub fn write(&mut self, address: &[u32], data: &[u32]) -> Result<usize, Error> {
        self.check(address, data)?;
        let rows = self.addresses.chunks_exact(self.words);
        let counters = self.counters.chunks_exact_mut(32 * self.data_words);
        Ok(write_rows(rows.zip(counters), self.radius, address, data))
    }

    /// [`Sdm::read`] into `data`, with `sums` (32·V of them) as scratch: the locations read.
    /// Errors: other lengths, or [`Error::EmptyMemory`] when no location is within the
    /// radius.
    pub fn read(
        &self,
        address: &[u32],
        sums: &mut [i32],
        data: &mut [u32],
    ) -> Result<usize, Error> {
        self.check(address, data)?;
        if sums.len() != 32 * self.data_words {
            return Err(Error::LengthMismatch {
                expected: 32 * self.data_words,
                found: sums.len(),
            });
        }
        let rows = self.addresses.chunks_exact(self.words);
        let counters = self.counters.chunks_exact(32 * self.data_words);
        read_rows(rows.zip(counters), self.radius, address, sums, data)
    }
}

/// `ln C(n, k)`.
fn ln_choose(n: u32, k: u32) -> f64 {
    libm::lgamma(f64::from(n) + 1.0)
        - libm::lgamma(f64::from(k) + 1.0)
        - libm::lgamma(f64::from(n - k) + 1.0)
}

/// The share of all addresses of `dim` bits within Hamming distance `radius` of a given one:
/// `P(Binomial(dim, ½) ≤ radius)`.
pub fn activation_probability(dim: u32, radius: u32) -> f64 {
    let half = f64::from(dim) * core::f64::consts::LN_2;
    (0..=radius.min(dim))
        .map(|k| libm::exp(ln_choose(dim, k) - half))
        .sum::<f64>()
        .min(1.0)
}

/// The smallest radius whose activation probability at `dim` bits is at least `p`.
pub fn radius_for(dim: u32, p: f64) -> u32 {
    let half = f64::from(dim) * core::f64::consts::LN_2;
    let mut total = 0.0;
    for k in 0..=dim {
        total += libm::exp(ln_choose(dim, k) - half);
        if total >= p {
            return k;
        }
    }
    dim
}

/// The expected bit error of a read at a stored address after `items` random words were
/// written into `locations` locations activated with probability `p` (the Gaussian model of
/// the module docs, averaged over the number of active locations).
pub fn bit_error(locations: u32, p: f64, items: u32) -> f64 {
    if items <= 1 {
        // One word alone is read back exactly wherever a location is active.
        return 0.5 * libm::pow(1.0 - p, f64::from(locations));
    }
    let others = f64::from(items - 1);
    let n = f64::from(locations);
    let mut error = 0.0;
    for a in 0..=locations {
        let ln_pmf = ln_choose(locations, a)
            + f64::from(a) * libm::log(p)
            + (n - f64::from(a)) * libm::log1p(-p);
        let weight = libm::exp(ln_pmf);
        if weight < 1e-15 {
            continue;
        }
        let a = f64::from(a);
        let e = if a == 0.0 {
            0.5
        } else {
            let sd = libm::sqrt(others * (a * p * (1.0 - p) + a * a * p * p));
            gaussian_tail(a / sd)
        };
        error += weight * e;
    }
    error
}

/// The largest number of random words that can be written before [`bit_error`] exceeds
/// `error` (0 if even one word does).
pub fn capacity(locations: u32, p: f64, error: f64) -> u32 {
    let (mut lo, mut hi) = (0u32, 1u32);
    while bit_error(locations, p, hi) <= error {
        lo = hi;
        if hi >= 1 << 24 {
            return hi;
        }
        hi *= 2;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if bit_error(locations, p, mid) <= error {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::boxed::Box;

    const W: usize = 8; // 256-bit addresses and words
    const N: usize = 512;

    fn word(seed: u64, i: u32) -> BinaryVector<W> {
        Codebook::new(seed).vector(i)
    }

    #[test]
    fn activation_and_radius_agree() {
        assert!((activation_probability(256, 128) - 0.5249).abs() < 1e-3);
        let r = radius_for(256, 0.02);
        assert!(activation_probability(256, r) >= 0.02);
        assert!(activation_probability(256, r - 1) < 0.02);
        assert_eq!(activation_probability(8, 8), 1.0);
    }

    #[test]
    fn heteroassociative_reads_follow_the_analysis() {
        let radius = radius_for(256, 0.04);
        let p = activation_probability(256, radius);
        let mut sdm = Box::new(Sdm::<W, W, N>::new(1, radius).unwrap());
        let items = 40u32;
        for i in 0..items {
            sdm.write(&word(2, i), &word(3, i));
        }
        assert_eq!(sdm.writes(), items);
        let wrong: u32 = (0..items)
            .map(|i| sdm.read(&word(2, i)).unwrap().data.hamming(&word(3, i)))
            .sum();
        let measured = f64::from(wrong) / f64::from(items * 256);
        let predicted = bit_error(N as u32, p, items);
        assert!(
            (measured - predicted).abs() < 0.01 + 0.3 * predicted,
            "measured {measured}, predicted {predicted}"
        );
        assert!(capacity(N as u32, p, predicted) >= items - 1);
        assert!(bit_error(N as u32, p, 4 * items) > predicted);
    }

    #[test]
    fn autoassociative_recall_cleans_a_noisy_cue() {
        let radius = radius_for(256, 0.05);
        let mut sdm = Box::new(Sdm::<W, W, N>::new(5, radius).unwrap());
        for i in 0..10 {
            sdm.write(&word(7, i), &word(7, i));
        }
        let truth = word(7, 3);
        assert_eq!(sdm.read(&truth).unwrap().data, truth);
        let mut cue = truth;
        for b in 0..8 {
            cue.set_bit(b * 31, !cue.bit(b * 31).unwrap()).unwrap();
        }
        let (recalled, steps) = sdm.recall(&cue, 10).unwrap();
        // Eight bits off (3 %) is inside the critical distance of these parameters: the
        // iteration settles at most two bits from the word (`examples/sdm.rs` measures it).
        assert!(recalled.hamming(&truth) <= 2, "{steps} steps");
        assert!((2..10).contains(&steps));
    }

    #[test]
    fn the_run_time_shape_reads_what_the_typed_memory_reads() {
        const V: usize = 3;
        let radius = radius_for(256, 0.05);
        let mut typed = Box::new(Sdm::<W, V, 64>::new(4, radius).unwrap());
        let mut addresses = std::vec![0u32; 64 * W];
        let mut counters = std::vec![0i8; 64 * 32 * V];
        SdmSlices::fill_addresses(4, W, &mut addresses);
        assert_eq!(
            &addresses[5 * W..6 * W],
            typed.address(5).unwrap().as_words()
        );
        let mut slices = SdmSlices::new(&addresses, &mut counters, W, radius).unwrap();
        assert_eq!((slices.words(), slices.data_words()), (W, V));
        let shown = std::format!("{slices:?}");
        assert!(
            shown.contains("locations: 64") && shown.len() < 100,
            "{shown}"
        );
        for i in 0..12 {
            let data = Codebook::new(6).vector::<V>(i);
            let at = word(5, i);
            let written = slices.write(at.as_words(), data.as_words()).unwrap();
            assert_eq!(written, typed.write(&at, &data));
        }
        let (mut sums, mut data) = ([0i32; 32 * V], [0u32; V]);
        for i in 0..16 {
            let at = word(5, i);
            match typed.read(&at) {
                Ok(read) => {
                    let found = slices.read(at.as_words(), &mut sums, &mut data).unwrap();
                    assert_eq!((found, &data), (read.locations, read.data.as_words()));
                }
                Err(e) => assert_eq!(slices.read(at.as_words(), &mut sums, &mut data), Err(e)),
            }
        }
        // Shapes that do not fit are errors.
        let at = word(5, 0);
        assert!(slices.write(&at.as_words()[1..], &data).is_err());
        assert!(slices.write(at.as_words(), &data[1..]).is_err());
        assert!(slices
            .read(at.as_words(), &mut sums[1..], &mut data)
            .is_err());
        assert!(SdmSlices::new(&addresses[1..], &mut counters, W, 0).is_err());
        assert!(SdmSlices::new(&addresses, &mut counters[1..], W, 0).is_err());
        assert!(SdmSlices::new(&addresses, &mut [], W, 0).is_err());
        assert!(SdmSlices::new(&addresses, &mut counters, 0, 0).is_err());
        assert!(SdmSlices::new(&addresses, &mut counters, W, 257).is_err());
    }

    #[test]
    fn edge_cases_are_errors_or_defined() {
        assert!(Sdm::<W, W, 4>::new(0, 257).is_err());
        assert!(Sdm::<W, W, 0>::new(0, 10).is_err());
        let mut sdm = Sdm::<W, 1, 4>::new(0, 0).unwrap();
        // Radius 0: nothing but the exact location address activates.
        assert_eq!(sdm.read(&word(9, 0)).err(), Some(Error::EmptyMemory));
        let at = *sdm.address(2).unwrap();
        let data = Codebook::new(1).vector::<1>(0);
        assert_eq!(sdm.write(&at, &data), 1);
        assert_eq!(sdm.read(&at).unwrap().data, data);
        assert!(sdm.address(4).is_err());
        // Counters saturate instead of wrapping.
        for _ in 0..300 {
            sdm.write(&at, &data);
        }
        assert_eq!(sdm.read(&at).unwrap().data, data);
        sdm.clear();
        assert_eq!(sdm.read(&at).unwrap().data, BinaryVector::zero());
    }
}
