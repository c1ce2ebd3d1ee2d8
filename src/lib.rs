//! # hyperbits
//!
//! Hyperdimensional computing (vector-symbolic architectures) for microcontrollers and hosts:
//! bit-packed hypervectors, their algebra, encoders and an item memory, in a `#![no_std]` core
//! that never allocates.
//!
//! **Why.** HDC classifiers and associative memories need only XOR, popcount and majority over
//! long bit vectors: cheap on a Cortex-M0, robust to noise, and trainable in one pass. Peer
//! libraries (torchhd, bhv) are host-only and store one byte per bit; hyperbits stores one bit
//! per bit, regenerates its random vectors from a seed instead of storing them, and gives the
//! same bits on x86_64, Cortex-M and RISC-V.
//!
//! **What.** The modules, one concept each:
//! - [`BinaryVector`] (BSC / MAP-B): bind, bundle (majority, weighted, seeded ties), permute,
//!   Hamming distance, similarity, density.
//! - [`IntegerVector`] (MAP-I): `i8`/`i16`/`i32`, saturating bind and bundle, sign, dot, cosine.
//! - [`Accumulator`]: streaming bundling with saturating counters.
//! - [`packed`]: the same operations on `&[u32]` slices whose length is known at run time.
//! - [`block`]: sparse block codes (one active position in each of B blocks of L).
//! - [`Codebook`]: item vectors from `(seed, index)`, portable and random-access; [`rng`]: the
//!   two generators that define every seeded bit of the format.
//! - [`encode`]: level, thermometer, circular, random projection, threshold code, n-gram,
//!   key-value record.
//! - [`ItemMemory`]: fixed-capacity clean-up memory with nearest and top-k search.
//! - [`sketch`]: Bloom-style set sketches (plain, blocked, counting, segmented, thinning, MAP-I
//!   and MAP-B sets); [`plan`]: the dimension planner for them and for Hopfield set memories.
//! - [`hopfield`]: classic and dense Hopfield memories over bit-packed patterns.
//! - [`resonator`]: resonator networks that factorise a product of codebook items.
//! - [`sae`]: sparse-autoencoder inference from HSAE blobs read in place.
//! - [`sdm`]: Kanerva's sparse distributed memory.
//! - [`structures`]: multiset, dictionary, sequence, stack, graph, tree and finite-state
//!   automaton, each in one hypervector.
//! - [`series`]: multichannel sensor windows (IMU, EMG) classified whole or streaming, one
//!   sample at a time.
//! - [`model`]: the one checked container every model kind is stored in.
//! - [`classify`]: classifiers read from a blob in flash; [`learn`]: adding and correcting
//!   classes on the device; [`persist`]: power-safe storage of a model in NOR flash.
//! - `train` (feature `std`): host training of classifiers and SAEs, CSV and safetensors
//!   import; nothing in the `no_std` modules uses it.
//! - [`Error`]: what every fallible call returns instead of panicking.
//!
//! ```
//! use hyperbits::{words, BinaryVector, Codebook, ItemMemory};
//! const W: usize = words(2048);
//! let book = Codebook::new(2024);
//! let (name, age, alice, thirty): (BinaryVector<W>, _, _, _) =
//!     (book.vector(0), book.vector(1), book.vector(2), book.vector(3));
//! // A record {name: alice, age: thirty}; majority of two pairs, ties seeded.
//! let person = BinaryVector::bundle(&[&name.bind(&alice), &age.bind(&thirty)], 7).unwrap();
//! // Ask for the name: unbind, then clean up against the known values.
//! let mut values = ItemMemory::<W, 4, &str>::new();
//! values.insert("alice", alice).unwrap();
//! values.insert("thirty", thirty).unwrap();
//! assert_eq!(values.nearest(&person.unbind(&name)).unwrap().label, "alice");
//! ```
//!
//! **Features.** `alloc`: blob writers that return owned buffers (`to_blob`). `std` (default;
//! includes `alloc`): run-time selection of AVX-512 / AVX2 kernels on x86_64, file I/O and
//! host training (`train`); firmware uses `default-features = false`. `defmt`:
//! `defmt::Format` for the public types. `safetensors`: SAE import from safetensors files.
//! `record`, `sinusoid`, `thermometer`, `temporal` (all on with `std`): the classifier
//! encoders besides the projection; a firmware enables those its models name (a blob naming
//! one left out is refused with an error), and carries no others (8.1 KB of a Cortex-M0
//! classifier firmware's flash for the first three). The command-line tool and the C library are crates of their own (`crates/`), over this one.
//!
//! **Dependencies, and what each serves.** `heapless` (fixed-capacity containers: item memory,
//! Hopfield patterns, the learner), `bytemuck` (zero-copy section casts, alignment checked),
//! `crc` (the container's CRC-32), `embedded-storage` (the NOR-flash trait of [`persist`]),
//! `bitvec` (the [`BinaryVector::as_bits`] views, for bit-level access and iteration),
//! `micromath` (the fast `sqrt` estimate that integer cosine refines with Newton steps, cheap
//! on cores without an FPU), `libm` (correctly rounded functions wherever a value must be the
//! same on every target or accurate: the planner's tails, capacity figures, threshold codes).
//! The random generators that define the format are ours ([`rng`]), not a dependency's.
//!
//! Nothing in the crate panics on user input: sizes are checked at compile time, and indices,
//! empty bundles and full memories return an [`Error`].

#![no_std]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

#[cfg(any(feature = "alloc", test))]
extern crate alloc;
#[cfg(any(feature = "std", test))]
#[cfg_attr(test, macro_use)]
extern crate std;

mod accumulator;
mod binary;
pub mod block;
pub mod classify;
mod codebook;
pub mod encode;
pub mod ensemble;
mod error;
pub mod hopfield;
mod integer;
mod kernel;
pub mod learn;
mod memory;
pub mod model;
pub mod packed;
pub mod persist;
pub mod plan;
pub mod resonator;
pub mod rng;
pub mod sae;
pub mod sdm;
pub mod series;
pub mod sketch;
pub mod structures;
#[cfg(feature = "std")]
pub mod train;

pub use accumulator::Accumulator;
pub use binary::{words, BinaryVector};
pub use codebook::{Codebook, TIE_INDEX};
pub use error::{Error, FormatError, Full, StorageError};
pub use integer::{Element, IntegerVector};
pub use memory::{ItemMemory, Match};

/// The largest word count [`with_words!`] supports (320 words, 10,240 bits): the size of a
/// buffer that holds a vector of any dimension the host tools and the C library take.
pub const MAX_WORDS: usize = 320;

/// Runs `$body` with `const $w: usize` set to a word count chosen at run time, for the
/// dimensions that host tools and the C API support: 8, 16, 32, 64, 128, 256, 313 and 320
/// words (256 to 10,240 bits, 10,016 included). Any other value evaluates `$otherwise`.
///
/// ```
/// let dim_bits = 2048;
/// let words = hyperbits::with_words!(dim_bits / 32, W => Some(W), else None);
/// assert_eq!(words, Some(64));
/// ```
#[macro_export]
macro_rules! with_words {
    ($words:expr, $w:ident => $body:expr, else $otherwise:expr) => {
        match $words {
            8 => {
                const $w: usize = 8;
                $body
            }
            16 => {
                const $w: usize = 16;
                $body
            }
            32 => {
                const $w: usize = 32;
                $body
            }
            64 => {
                const $w: usize = 64;
                $body
            }
            128 => {
                const $w: usize = 128;
                $body
            }
            256 => {
                const $w: usize = 256;
                $body
            }
            313 => {
                const $w: usize = 313;
                $body
            }
            320 => {
                const $w: usize = 320;
                $body
            }
            _ => $otherwise,
        }
    };
}

#[cfg(test)]
mod tests {
    #[test]
    fn max_words_bounds_every_supported_word_count() {
        let supported: usize = (0..=4 * super::MAX_WORDS)
            .filter(|&n| {
                crate::with_words!(n, W => {
                    const { assert!(W <= super::MAX_WORDS) };
                    true
                }, else false)
            })
            .count();
        assert_eq!(supported, 8);
        assert_eq!(
            crate::with_words!(super::MAX_WORDS, W => W, else 0),
            super::MAX_WORDS
        );
    }
}

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
