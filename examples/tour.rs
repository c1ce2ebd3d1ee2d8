//! A tour of hyperbits: records, analogies, clean-up memory and sequence profiles, at D = 8192.
//!
//! Run: `cargo run --release --example tour`

use hyperbits::encode::{Level, NgramStream, Record};
use hyperbits::{words, Accumulator, BinaryVector, Codebook, ItemMemory};

const W: usize = words(8192);
type V = BinaryVector<W>;

fn main() -> Result<(), hyperbits::Error> {
    // 1. Records and analogy (Kanerva 2010, "What we mean when we say 'What's the dollar of
    //    Mexico?'"): bind roles to fillers, bundle the pairs, and query by unbinding.
    let book = Codebook::new(2010);
    let names = [
        "country",
        "capital",
        "currency",
        "USA",
        "Washington",
        "dollar",
        "Mexico",
        "Mexico City",
        "peso",
    ];
    let v: Vec<V> = (0..names.len() as u32).map(|i| book.vector(i)).collect();
    let (country, capital, currency) = (&v[0], &v[1], &v[2]);
    let usa = V::bundle(
        &[
            &country.bind(&v[3]),
            &capital.bind(&v[4]),
            &currency.bind(&v[5]),
        ],
        0,
    )?;
    let mexico = V::bundle(
        &[
            &country.bind(&v[6]),
            &capital.bind(&v[7]),
            &currency.bind(&v[8]),
        ],
        0,
    )?;
    let mut memory = ItemMemory::<W, 16, &str>::new();
    for (name, vector) in names.iter().zip(&v) {
        memory.insert(name, *vector)?;
    }
    // The mapping USA -> Mexico is usa ⊗ mexico; applied to "dollar" it gives "peso".
    let answer = memory.nearest(&usa.bind(&mexico).bind(&v[5]))?;
    println!(
        "1. the dollar of Mexico is: {} (distance {} of {} bits)",
        answer.label,
        answer.distance,
        V::DIM
    );
    let capital_of_mexico = memory.nearest(&mexico.unbind(capital))?;
    println!("   the capital of Mexico is: {}", capital_of_mexico.label);

    // 2. Noise tolerance: flip a random quarter of the bits of "peso" (the AND of two random
    //    vectors has a quarter of its bits set) and clean it up.
    let mask = Codebook::new(7).vector::<W>(0);
    let mask = V::from_words(core::array::from_fn(|i| {
        mask.as_words()[i] & Codebook::new(7).vector::<W>(1).as_words()[i]
    }));
    let noisy = v[8].bind(&mask);
    let found = memory.nearest(&noisy)?;
    println!(
        "2. {:.1} % of the bits flipped; the memory still answers: {}",
        100.0 * (1.0 - noisy.similarity(&v[8])),
        found.label
    );

    // 3. Sequences: trigram profiles of two "languages" (Markov sources over 26 letters with
    //    different transition rules), then classify short new texts by their nearest profile.
    let letters = Codebook::new(26);
    let text = |seed: u32, len: usize, (mul, add): (u32, u32)| -> Vec<u32> {
        let (mut x, mut prev) = (seed, 0u32);
        (0..len)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let r = (x >> 16) % 100;
                prev = if r < 70 {
                    (prev * mul + add) % 26
                } else {
                    r % 26
                };
                prev
            })
            .collect()
    };
    let profile = |symbols: &[u32]| -> V {
        let mut acc = Accumulator::<W>::new();
        let mut stream = NgramStream::<W, 3>::new(letters);
        for &s in symbols {
            stream.push(s, &mut acc);
        }
        acc.to_binary(0)
    };
    let mut languages = ItemMemory::<W, 2, &str>::new();
    let (rule_a, rule_b) = ((3, 1), (5, 2));
    languages.insert("language A", profile(&text(1, 4000, rule_a)))?;
    languages.insert("language B", profile(&text(2, 4000, rule_b)))?;
    let mut right = 0;
    for trial in 0..20u32 {
        let (truth, rule) = if trial % 2 == 0 {
            ("language A", rule_a)
        } else {
            ("language B", rule_b)
        };
        if languages
            .nearest(&profile(&text(100 + trial, 100, rule)))?
            .label
            == truth
        {
            right += 1;
        }
    }
    println!("3. 100-letter texts classified by trigram profile: {right} of 20 right");

    // 4. Level x id records: similar feature vectors give similar hypervectors.
    let record = Record::new(5, Level::new(6, 16)?);
    let a: V = record.encode_levels(&[1, 5, 9, 13], 0)?;
    let b: V = record.encode_levels(&[1, 6, 9, 13], 0)?;
    let c: V = record.encode_levels(&[15, 15, 0, 0], 0)?;
    println!(
        "4. record similarity: one level apart {:.3}, far apart {:.3}",
        a.similarity(&b),
        a.similarity(&c)
    );
    Ok(())
}
