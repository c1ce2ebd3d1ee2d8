//! Sparse distributed memory against its analysis: the bit error of reads at stored addresses
//! as words are written, measured and predicted (`hyperbits::sdm::bit_error`), the capacity at
//! 1 % bit error both ways, and autoassociative recall from noisy cues.
//!
//! Parameters: N = 2048 locations, 256-bit addresses and words, activation probability 1 %
//! and 5 % (radius from `radius_for`), random words from seeded codebooks. Autoassociative
//! recall stores an eighth, a quarter and half the predicted capacity.
//!
//! Run: `cargo run --release --example sdm`

use hyperbits::sdm::{activation_probability, bit_error, capacity, radius_for, Sdm};
use hyperbits::{BinaryVector, Codebook};

const W: usize = 8;
const N: usize = 2048;
const DIM: u32 = 256;

fn word(seed: u64, i: u32) -> BinaryVector<W> {
    Codebook::new(seed).vector(i)
}

/// The mean bit error of reads at the first `items` stored addresses.
fn measured_error(sdm: &Sdm<W, W, N>, items: u32) -> f64 {
    let wrong: u32 = (0..items)
        .map(|i| match sdm.read(&word(1, i)) {
            Ok(read) => read.data.hamming(&word(2, i)),
            Err(_) => DIM / 2,
        })
        .sum();
    f64::from(wrong) / f64::from(items * DIM)
}

fn noisy(v: &BinaryVector<W>, bits: u32, seed: u32) -> BinaryVector<W> {
    let mut out = *v;
    let mut flipped = 0;
    let mut k = 0;
    while flipped < bits {
        let i = (Codebook::new(99).vector::<1>(seed * 4096 + k).as_words()[0] % DIM) as usize;
        k += 1;
        if out.bit(i) == v.bit(i) {
            let _ = out.set_bit(i, !v.bit(i).unwrap_or(false));
            flipped += 1;
        }
    }
    out
}

fn main() {
    for target in [0.01, 0.05] {
        let radius = radius_for(DIM, target);
        let p = activation_probability(DIM, radius);
        let mut sdm = Box::new(Sdm::<W, W, N>::new(7, radius).expect("valid parameters"));
        println!("N={N} D={DIM} radius={radius} p={p:.4}");
        let mut written = 0;
        let (mut last_within, mut first_above) = (0, None);
        for items in [25u32, 50, 100, 150, 200, 300, 400, 600, 800] {
            while written < items {
                sdm.write(&word(1, written), &word(2, written));
                written += 1;
            }
            let measured = measured_error(&sdm, items);
            let predicted = bit_error(N as u32, p, items);
            if measured <= 0.01 && first_above.is_none() {
                last_within = items;
            } else if first_above.is_none() {
                first_above = Some(items);
            }
            println!("  T={items:4} bit_error measured={measured:.4} predicted={predicted:.4}");
        }
        println!(
            "  capacity at 1% bit error: predicted {} words; measured within 1% at T={last_within}, \
             above at T={}",
            capacity(N as u32, p, 0.01),
            first_above.map_or("-".into(), |t| t.to_string())
        );
        // Autoassociative: an eighth, a quarter and half the predicted capacity, each word
        // stored under itself, recalled from cues with bits flipped.
        for share in [8u32, 4, 2] {
            let mut auto = Box::new(Sdm::<W, W, N>::new(8, radius).expect("valid parameters"));
            let stored = capacity(N as u32, p, 0.01) / share;
            for i in 0..stored {
                auto.write(&word(3, i), &word(3, i));
            }
            let mut line = format!("  autoassociative T={stored:3}: exact recall from a cue");
            for noise in [8u32, 16, 26, 38] {
                let exact = (0..stored)
                    .filter(|&i| {
                        let cue = noisy(&word(3, i), noise, i);
                        matches!(auto.recall(&cue, 20), Ok((w, _)) if w == word(3, i))
                    })
                    .count();
                line += &format!(" {noise} bits off {exact}/{stored},");
            }
            println!("{}", line.trim_end_matches(','));
        }
    }
}
