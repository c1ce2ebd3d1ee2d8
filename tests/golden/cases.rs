// Golden cases: operations whose exact output bits are pinned by a 64-bit FNV-1a hash.
//
// This file is shared (through `include!`) by the host test `tests/golden.rs` and by the
// on-target tests in `boards/qemu`, so one list of expected hashes, computed on x86_64, is
// checked bit for bit on thumbv6m, thumbv7em and riscv32imc. To print the values after a
// deliberate change of output: `HYPERBITS_PRINT_GOLDEN=1 cargo test --test golden -- --nocapture`.
// Sizes stay small enough for a Cortex-M0 with 16 KiB of RAM.

use hyperbits::encode::{
    ngram, Circular, Level, NgramStream, Projection, Record, RecordTable, Thermometer,
    ThresholdCode,
};
use hyperbits::block::{BlockAccumulator, BlockVector};
use hyperbits::resonator::{Method, Options, Resonator};
use hyperbits::sdm::Sdm;
use hyperbits::structures::Automaton;
use hyperbits::{Accumulator, BinaryVector, Codebook, IntegerVector, ItemMemory};

/// 64-bit FNV-1a over the little-endian bytes of the words.
pub fn fnv1a(words: &[u32]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in words {
        for b in w.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

fn hv<const W: usize>(v: &BinaryVector<W>) -> u64 {
    fnv1a(v.as_words())
}

fn codebook_2048() -> u64 {
    hv(&Codebook::new(42).vector::<64>(0))
}

fn codebook_10016() -> u64 {
    hv(&Codebook::new(0xDEAD_BEEF).vector::<313>(12_345))
}

fn bind_and_hamming() -> u64 {
    let book = Codebook::new(1);
    let (a, b) = (book.vector::<64>(0), book.vector::<64>(1));
    hv(&a.bind(&b)) ^ u64::from(a.hamming(&b))
}

fn permute_10016() -> u64 {
    let v = Codebook::new(2).vector::<313>(0);
    hv(&v.permute(1000)) ^ hv(&v.inverse_permute(33)).rotate_left(1)
}

fn bundles() -> u64 {
    let book = Codebook::new(3);
    let v: [BinaryVector<64>; 7] = core::array::from_fn(|i| book.vector(i as u32));
    let r: [&BinaryVector<64>; 7] = core::array::from_fn(|i| &v[i]);
    let mut h = 0u64;
    for k in 1..=7 {
        h = h.rotate_left(5) ^ hv(&BinaryVector::bundle(&r[..k], 99).unwrap_or_default());
    }
    let w = BinaryVector::bundle_weighted(&[(r[0], 2), (r[1], 3), (r[2], 1)], 5).unwrap_or_default();
    h ^ hv(&w).rotate_left(17)
}

fn accumulator() -> u64 {
    let book = Codebook::new(4);
    let mut acc = Accumulator::<64, i16>::new();
    for i in 0..10u32 {
        acc.add_weighted(&book.vector(i), (i as i16) - 3);
    }
    let sums = acc.sums().as_slice();
    let mut h = hv(&acc.to_binary(8));
    for s in sums {
        h = h.rotate_left(3) ^ (*s as u16 as u64);
    }
    h
}

fn level_circular_thermometer() -> u64 {
    let level = Level::new(7, 16).unwrap();
    let circ = Circular::new(8, 12).unwrap();
    let thermo = Thermometer::new(10).unwrap();
    let mut h = 0u64;
    for i in 0..16u16 {
        h = h.rotate_left(7) ^ hv(&level.vector::<64>(i).unwrap_or_default());
    }
    for i in 0..12u16 {
        h = h.rotate_left(7) ^ hv(&circ.vector::<64>(i).unwrap_or_default());
    }
    h ^ hv(&thermo.vector::<64>(3).unwrap_or_default()) ^ hv(&level.encode::<64>(0.37, 0.0, 1.0))
}

fn projection() -> u64 {
    let p = Projection::new(9);
    let x = [1.5f32, -2.25, 0.125, 3.0, -0.7, 1e-3, 12.5];
    hv(&p.encode::<64>(&x).unwrap_or_default())
}

fn threshold_code() -> u64 {
    // 100 bits of a 5-feature code: thresholds spread over the projections' range.
    let mut t = [0u8; 400];
    for (j, c) in t.chunks_exact_mut(4).enumerate() {
        c.copy_from_slice(&((j as f32 - 50.0) * 7.25).to_le_bytes());
    }
    let code = ThresholdCode::new(18, 5, &t).unwrap();
    let mut out = [0u32; 4];
    let mut h = 0u64;
    for x in [[0.5f32, -1.25, 2.0, 0.0, 3.5], [-4.0, 0.125, 1e-3, 9.0, -0.75]] {
        let _ = code.encode(&x, &mut out);
        h = h.rotate_left(7) ^ fnv1a(&out);
    }
    h
}

fn records_and_ngrams() -> u64 {
    let enc = Record::new(10, Level::new(11, 8).unwrap());
    let r = enc.encode_levels::<64>(&[0, 1, 2, 7, 6, 5, 3, 3], 12).unwrap_or_default();
    let book = Codebook::new(13);
    let mut stream = NgramStream::<64, 3>::new(book);
    let mut profile = Accumulator::<64, i8>::new();
    for s in [3u32, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5] {
        stream.push(s, &mut profile);
    }
    let (a, b) = (book.vector::<64>(1), book.vector::<64>(2));
    hv(&r) ^ hv(&profile.to_binary(14)).rotate_left(9) ^ hv(&ngram(&[&a, &b, &a]).unwrap_or_default()).rotate_left(21)
}

fn map_i() -> u64 {
    let book = Codebook::new(15);
    let v: [IntegerVector<i16, 16>; 3] =
        core::array::from_fn(|i| IntegerVector::from_binary(&book.vector(i as u32)));
    let set = v[0].bundle(&v[1]).bundle(&v[2]).bundle(&v[2]);
    let bound = set.bind(&v[1]).permute(37);
    let mut h = hv(&bound.to_binary(16)) ^ (set.dot(&v[2]) as u64).rotate_left(11);
    h ^= u64::from(set.cosine(&v[0]).to_bits()) << 20;
    h
}

fn item_memory() -> u64 {
    let book = Codebook::new(17);
    let mut m = ItemMemory::<64, 20, u16>::new();
    for i in 0..20u16 {
        let _ = m.insert(i * 3, book.vector(u32::from(i)));
    }
    let q = BinaryVector::bundle3(&book.vector(4), &book.vector(9), &book.vector(200));
    let mut h = 0u64;
    if let Ok(top) = m.top_k::<3>(&q) {
        for t in top {
            h = h.rotate_left(13) ^ u64::from(t.label) ^ (u64::from(t.distance) << 32);
        }
    }
    h
}

fn record_table() -> u64 {
    // The table path gives the regenerating encoder's bits (0 if it does not).
    let enc = Record::new(10, Level::new(11, 8).unwrap());
    let (mut keys, mut values) = ([[0u32; 16]; 8], [[0u32; 16]; 8]);
    if enc.fill_table(&mut keys, &mut values).is_err() {
        return 0;
    }
    let levels = [0, 1, 2, 7, 6, 5, 3, 3];
    let Ok(table) = RecordTable::new(&keys, &values) else { return 0 };
    match (table.encode_levels(&levels, 12), enc.encode_levels::<16>(&levels, 12)) {
        (Ok(a), Ok(b)) if a == b => hv(&a),
        _ => 0,
    }
}

fn block_codes() -> u64 {
    type Code = BlockVector<16, 32>;
    let book = Codebook::new(18);
    let v: [Code; 5] = core::array::from_fn(|i| Code::random(&book, i as u32));
    let positions = |c: &Code| fnv1a(&c.positions().map(u32::from));
    let bound = v[0].bind(&v[1]).unbind(&v[2]).permute(3);
    let bundle = Code::bundle(&[&v[0], &v[1], &v[2], &v[3], &v[4]], 19).unwrap_or(Code::identity());
    let mut acc = BlockAccumulator::<16, 32>::new();
    acc.add_weighted(&v[3], 2);
    acc.add(&v[4]);
    acc.add(&v[4]);
    let streamed = acc.to_vector(20).unwrap_or(Code::identity());
    positions(&bound)
        ^ positions(&bundle).rotate_left(7)
        ^ positions(&streamed).rotate_left(14)
        ^ u64::from(bundle.matches(&v[0])) << 40
}

fn resonator() -> u64 {
    // D = 512, three codebooks of 12: both methods on four products.
    let books: [[BinaryVector<16>; 12]; 3] = core::array::from_fn(|f| {
        let book = Codebook::new(21 + f as u64);
        core::array::from_fn(|m| book.vector(m as u32))
    });
    let refs = [&books[0][..], &books[1][..], &books[2][..]];
    let mut h = 0u64;
    for method in [Method::Plain, Method::default()] {
        let options = Options { method, seed: 22, ..Options::default() };
        let Ok(net) = Resonator::<16, 3, 12>::new(refs, options) else { return 0 };
        for t in 0..4usize {
            let truth = [t * 5 % 12, (t * 7 + 3) % 12, (t * 11 + 1) % 12];
            let product = books[0][truth[0]].bind(&books[1][truth[1]]).bind(&books[2][truth[2]]);
            let found = net.factorize(&product);
            for i in found.indices {
                h = h.rotate_left(5) ^ i as u64;
            }
            h = h.rotate_left(9) ^ u64::from(found.sweeps) ^ u64::from(found.restarts) << 16
                ^ u64::from(found.distance) << 32;
        }
    }
    h
}

fn sparse_distributed_memory() -> u64 {
    // 32 locations, 128-bit addresses, 64-bit words: 2 KiB of counters.
    let book = Codebook::new(23);
    let Ok(mut sdm) = Sdm::<4, 2, 32>::new(24, 56) else { return 0 };
    for i in 0..6 {
        sdm.write(&book.vector(i), &book.vector(100 + i));
    }
    let mut h = 0u64;
    for i in 0..8 {
        if let Ok(read) = sdm.read(&book.vector(i)) {
            h = h.rotate_left(11) ^ fnv1a(read.data.as_words()) ^ read.locations as u64;
        }
    }
    h
}

fn structures() -> u64 {
    // The automaton: the structures' shared bundle, binding, rotation and clean-up.
    let mut h = 0u64;
    if let Ok(mut a) = Automaton::<16>::new(29, 6, 30, 3) {
        for (from, token, to) in [(0, 0, 1), (1, 1, 2), (2, 0, 3), (3, 1, 0), (3, 2, 5), (5, 0, 4)] {
            let _ = a.add_transition(from, token, to);
        }
        for tokens in [&[0, 1, 0, 1, 0][..], &[1], &[0, 1, 0, 2, 0], &[2, 2]] {
            h = h.rotate_left(7) ^ a.run(0, tokens).map_or(0xFFFF, u64::from);
        }
    }
    h
}

/// `(name, computation, expected hash)`.
pub type Case = (&'static str, fn() -> u64, u64);

/// Every golden case.
pub const CASES: &[Case] = &[
    ("codebook_2048", codebook_2048, 0xbdb9_8590_3452_7862),
    ("codebook_10016", codebook_10016, 0xb364_e8c8_464f_6887),
    ("bind_and_hamming", bind_and_hamming, 0x8f13_5510_830a_96d6),
    ("permute_10016", permute_10016, 0xa6f1_2982_e736_cf7e),
    ("bundles", bundles, 0xc58a_9772_b0ab_13c4),
    ("accumulator", accumulator, 0x71d3_4483_28ef_27f0),
    ("level_circular_thermometer", level_circular_thermometer, 0xdd69_9373_59ea_3379),
    ("projection", projection, 0xb0ae_0b97_acd7_d280),
    ("threshold_code", threshold_code, 0xa203_35c9_9a07_a90c),
    ("records_and_ngrams", records_and_ngrams, 0x8a87_4c99_303b_1769),
    ("map_i", map_i, 0x2ca4_5575_6c48_1157),
    ("item_memory", item_memory, 0x8840_03cb_6c01_8020),
    ("record_table", record_table, 0x1676_4ded_6cc9_0c48),
    ("block_codes", block_codes, 0x2882_d385_63eb_f1f9),
    ("resonator", resonator, 0xbbdb_4078_85de_5b7e),
    ("sparse_distributed_memory", sparse_distributed_memory, 0x1c23_1dd1_cb4e_605b),
    ("structures", structures, 0x0000_0000_3fdf_3dff),
];
