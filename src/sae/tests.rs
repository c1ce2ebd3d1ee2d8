use super::*;
use crate::model::AlignedBlob;
use crate::train::sae::export::{ExportOptions, FloatSae};
use crate::FormatError;
use std::vec::Vec;

/// SplitMix64 → uniform f32 in [-1, 1).
fn rng(seed: u64) -> impl FnMut() -> f32 {
    let mut s = crate::rng::SplitMix64::new(seed);
    move || (s.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
}

const NO_DECODER: ExportOptions = ExportOptions {
    weights: Weights::Int8,
    decoder: false,
    threshold: 0.0,
    v1: false,
};

/// `W[i][j]` as the encoder stores it.
fn weight(sae: &Sae, i: usize, j: usize) -> i32 {
    sae.dot_block(i, j, &[1i8])
}

fn random_sae(input: Input, d_in: usize, h: usize, k: usize, seed: u64) -> FloatSae {
    let mut r = rng(seed);
    let mut v = |n: usize, s: f32| (0..n).map(|_| s * r()).collect::<Vec<f32>>();
    FloatSae {
        d_in,
        h,
        k,
        input,
        activation: crate::sae::Activation::TopK,
        thresholds: Vec::new(),
        w_enc: v(h * d_in, 0.3),
        b_enc: v(h, 0.2),
        b_pre: match input {
            Input::Bits => v(d_in, 0.0).iter().map(|_| 0.5).collect(),
            Input::Dense | Input::DensePerRow => v(d_in, 0.1),
        },
        w_dec: v(h * d_in, 0.3),
        b_dec: v(d_in, 0.1),
    }
}

fn bits(d_in: usize, seed: u64) -> (Vec<u32>, Vec<f32>) {
    let mut r = rng(seed);
    let mut words = vec![0u32; d_in.div_ceil(32)];
    let mut x = vec![0f32; d_in];
    for j in 0..d_in {
        if r() > 0.1 {
            words[j / 32] |= 1 << (j % 32);
            x[j] = 1.0;
        }
    }
    (words, x)
}

/// The top-k by brute force from all accumulators: (key desc, index asc), ReLU.
fn brute_force(sae: &Sae<'_>, acc: &[i32], unit: f64) -> Vec<u16> {
    let key = |i: usize| f64::from(acc[i]) * f64::from(f32_at(sae.enc_scale, i)) * unit;
    let mut order: Vec<usize> = (0..acc.len()).collect();
    order.sort_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
    order
        .into_iter()
        .take(sae.k())
        .filter(|&i| key(i) > 0.0)
        .map(|i| i as u16)
        .collect()
}

#[test]
fn bit_input_matches_brute_force_and_the_float_model() {
    let float = random_sae(Input::Bits, 100, 24, 4, 1);
    let blob = AlignedBlob::new(&float.to_blob(&[], &ExportOptions::default()).unwrap());
    let sae = Sae::from_bytes(blob.as_bytes()).unwrap();
    assert_eq!((sae.d_in(), sae.latents(), sae.k()), (100, 24, 4));
    let mut same_support = 0;
    for s in 0..200 {
        let (words, x) = bits(100, 100 + s);
        let mut top = TopK::<8>::new();
        sae.encode_bits(&words, &mut top).unwrap();
        let mut acc = vec![0i32; 24];
        sae.accumulators_bits(&words, &mut acc).unwrap();
        // Against the plain definition (the encoder's fast paths must agree with it).
        for (i, &a) in acc.iter().enumerate() {
            let naive: i32 = i32_at(sae.enc_bias, i)
                + (0..100)
                    .filter(|&j| words[j / 32] >> (j % 32) & 1 == 1)
                    .map(|j| weight(&sae, i, j))
                    .sum::<i32>();
            assert_eq!(a, naive);
        }
        assert_eq!(top.indices(), &brute_force(&sae, &acc, 1.0)[..]);
        assert!(top.values().windows(2).all(|w| w[0] >= w[1]));
        assert!(top.values().iter().all(|&v| v > 0.0));
        for (i, &a) in top.indices().iter().zip(top.accumulators()) {
            assert_eq!(a, acc[usize::from(*i)]);
        }
        // Against the float model: the same latents almost always, values close.
        let z = float.encode(&x);
        let float_idx: Vec<u16> = z.iter().map(|&(i, _)| i as u16).collect();
        if float_idx == top.indices() {
            same_support += 1;
            for ((_, fv), qv) in z.iter().zip(top.values()) {
                assert!((fv - qv).abs() <= 0.02 * fv.abs().max(1.0), "{fv} vs {qv}");
            }
        }
        // Reconstruction: float decode of the int8 code vs the int8 decoder.
        let mut xr = vec![0f32; 100];
        sae.decode(&top, &mut xr).unwrap();
        let code: Vec<(usize, f32)> = top.iter().map(|(i, v)| (usize::from(i), v)).collect();
        let reference = float.decode(&code);
        for (a, b) in xr.iter().zip(&reference) {
            assert!((a - b).abs() < 0.02, "{a} vs {b}");
        }
        // The same code given from outside decodes the same.
        let given = TopK::<8>::from_latents(top.indices(), top.values()).unwrap();
        let mut again = vec![0f32; 100];
        sae.decode(&given, &mut again).unwrap();
        assert_eq!(again, xr);
        let mut xb = vec![0u32; 4];
        sae.decode_bits(&top, &mut xb).unwrap();
        for j in 0..100 {
            assert_eq!((xb[j / 32] >> (j % 32)) & 1 == 1, xr[j] > 0.5);
        }
    }
    assert!(same_support >= 180, "{same_support}/200");
}

#[test]
fn dense_input_quantises_once_or_on_the_fly_alike() {
    let float = random_sae(Input::Dense, 37, 50, 6, 2);
    let mut r = rng(3);
    let calib: Vec<f32> = (0..37 * 64).map(|_| r()).collect();
    let hsae = float.to_hsae(&calib, &NO_DECODER).unwrap();
    // A bare HSAE blob, read unaligned on purpose.
    let mut shifted = vec![0u8];
    shifted.extend_from_slice(&hsae);
    let sae = Sae::from_bytes(&shifted[1..]).unwrap();
    assert!(!sae.has_decoder());
    let mut same = 0;
    for row in calib.chunks_exact(37) {
        let (mut a, mut b) = (TopK::<6>::new(), TopK::<6>::new());
        sae.encode_dense(row, &mut a).unwrap();
        let mut q = [0i8; 37];
        sae.quantize_input(row, &mut q).unwrap();
        sae.encode_i8(&q, &mut b).unwrap();
        assert_eq!(a, b);
        let float_idx: Vec<u16> = float.encode(row).iter().map(|&(i, _)| i as u16).collect();
        same += usize::from(float_idx == a.indices());
    }
    assert!(same >= 48, "{same}/64");
    let mut out = [0f32; 37];
    assert_eq!(
        sae.decode(&TopK::<6>::new(), &mut out),
        Err(Error::Format(FormatError::MissingSection { tag: *b"DSCL" }))
    );
}

#[test]
fn topk_breaks_ties_towards_the_lower_index() {
    // Every latent has the same weights and bias: all accumulators tie.
    let mut float = random_sae(Input::Bits, 32, 10, 3, 4);
    let row: Vec<f32> = float.w_enc[..32].to_vec();
    float.w_enc = row.repeat(10);
    float.b_enc = vec![5.0; 10];
    let blob = AlignedBlob::new(&float.to_blob(&[], &NO_DECODER).unwrap());
    let sae = Sae::from_bytes(blob.as_bytes()).unwrap();
    let mut top = TopK::<3>::new();
    sae.encode_bits(&[0], &mut top).unwrap();
    assert_eq!(top.indices(), &[0, 1, 2]);
    // With all values negative, ReLU leaves nothing.
    float.b_enc = vec![-5.0; 10];
    let blob = AlignedBlob::new(&float.to_blob(&[], &NO_DECODER).unwrap());
    let sae = Sae::from_bytes(blob.as_bytes()).unwrap();
    sae.encode_bits(&[0], &mut top).unwrap();
    assert!(top.is_empty());
}

fn reseal(b: &mut [u8]) {
    let n = b.len();
    let crc = crc32(&b[..n - 4]);
    b[n - 4..].copy_from_slice(&crc.to_le_bytes());
}

#[test]
fn bad_blobs_and_bad_calls_are_errors() {
    let float = random_sae(Input::Bits, 40, 8, 2, 5);
    let hsae = float.to_hsae(&[], &ExportOptions::default()).unwrap();
    assert!(Sae::from_hsae(&hsae).is_ok());
    for bit in (0..hsae.len() * 8).step_by(7) {
        let mut b = hsae.clone();
        b[bit / 8] ^= 1 << (bit % 8);
        assert!(Sae::from_bytes(&b).is_err(), "bit {bit}");
    }
    for len in [0, 3, 10, 51, hsae.len() - 1] {
        assert!(Sae::from_bytes(&hsae[..len]).is_err(), "len {len}");
    }
    let edit = |at: usize, bytes: &[u8]| {
        let mut b = hsae.clone();
        b[at..at + bytes.len()].copy_from_slice(bytes);
        reseal(&mut b);
        Sae::from_hsae(&b).map(|_| ())
    };
    assert_eq!(
        edit(4, &[4, 0]),
        Err(Error::Format(FormatError::UnsupportedVersion { found: 4 }))
    );
    assert_eq!(
        edit(4, &[0, 0]),
        Err(Error::Format(FormatError::UnsupportedVersion { found: 0 }))
    );
    // A v1 layout (48-byte header) claiming to be v2.
    assert!(matches!(
        edit(4, &[2, 0]),
        Err(Error::Format(FormatError::Inconsistent(_)))
    ));
    assert!(matches!(
        edit(6, &[40, 0]),
        Err(Error::Format(FormatError::Inconsistent(_)))
    ));
    assert!(matches!(
        edit(16, &[9, 0]),
        Err(Error::Format(FormatError::Inconsistent(_)))
    )); // k > h
    assert!(matches!(
        edit(16, &[0, 0]),
        Err(Error::Format(FormatError::Inconsistent(_)))
    ));
    assert!(matches!(
        edit(18, &[7]),
        Err(Error::Format(FormatError::Inconsistent(_)))
    ));
    assert!(matches!(
        edit(20, &f32::NAN.to_le_bytes()),
        Err(Error::Format(FormatError::Inconsistent(_)))
    ));
    assert!(matches!(
        edit(36, &u32::MAX.to_le_bytes()),
        Err(Error::Format(FormatError::SectionOutOfBounds { tag })) if &tag == b"ENCW"
    ));
    assert!(matches!(
        edit(8, &1_000_000u32.to_le_bytes()),
        Err(Error::Format(FormatError::SectionOutOfBounds { .. }))
    ));
    let encw = u32_at(&hsae, 36) as usize;
    assert!(matches!(
        edit(encw, &[0x80]),
        Err(Error::Format(FormatError::Inconsistent(_)))
    ));
    let ebia = u32_at(&hsae, 32) as usize;
    assert!(matches!(
        edit(ebia, &i32::MAX.to_le_bytes()),
        Err(Error::Format(FormatError::Inconsistent(_)))
    ));
    assert!(matches!(
        Sae::from_bytes(b"HBIT"),
        Err(Error::Format(FormatError::Truncated { .. }))
    ));

    let sae = Sae::from_hsae(&hsae).unwrap();
    let mut small = TopK::<1>::new();
    assert_eq!(
        sae.encode_bits(&[0, 0], &mut small),
        Err(Error::CapacityExceeded { capacity: 1 })
    );
    let mut top = TopK::<2>::new();
    assert!(matches!(
        sae.encode_bits(&[0], &mut top),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        sae.encode_bits(&[0, 1 << 8], &mut top),
        Err(Error::InvalidParameter(_))
    ));
    assert!(matches!(
        sae.encode_dense(&[0.0; 40], &mut top),
        Err(Error::InvalidParameter(_))
    ));
    sae.encode_bits(&[u32::MAX, 0xFF], &mut top).unwrap();
    assert!(sae.decode(&top, &mut [0f32; 39]).is_err());
    assert!(sae.decode_bits(&top, &mut [0u32; 1]).is_err());

    let dense = random_sae(Input::Dense, 4, 4, 2, 6);
    assert!(dense.to_hsae(&[], &NO_DECODER).is_err());
    let hsae = dense.to_hsae(&[1.0, 2.0, 3.0, 4.0], &NO_DECODER).unwrap();
    let sae = Sae::from_hsae(&hsae).unwrap();
    let mut top = TopK::<2>::new();
    assert!(sae
        .encode_dense(&[1.0, f32::NAN, 0.0, 0.0], &mut top)
        .is_err());
    assert!(sae.encode_i8(&[0, -128, 0, 0], &mut top).is_err());
    assert!(sae.encode_bits(&[0], &mut top).is_err());
    let mut bad = dense.clone();
    bad.w_enc[3] = f32::INFINITY;
    assert_eq!(
        bad.to_hsae(&[0.0; 4], &NO_DECODER),
        Err(Error::Format(FormatError::Inconsistent(
            "W_enc has a NaN or infinite value"
        )))
    );
    bad.w_enc.pop();
    assert_eq!(
        bad.to_hsae(&[0.0; 4], &NO_DECODER),
        Err(Error::Format(FormatError::Inconsistent(
            "W_enc must hold h × d_in values"
        )))
    );
}

#[test]
fn latents_from_outside_are_checked() {
    assert!(TopK::<2>::from_latents(&[1, 2, 3], &[1.0, 2.0, 3.0]).is_err());
    assert!(TopK::<4>::from_latents(&[1, 2], &[1.0]).is_err());
    assert!(TopK::<4>::from_latents(&[1], &[f32::NAN]).is_err());
    let z = TopK::<4>::from_latents(&[7, 3], &[0.5, 2.0]).unwrap();
    assert_eq!(
        (z.indices(), z.values(), z.len()),
        (&[7u16, 3][..], &[0.5f32, 2.0][..], 2)
    );
}

#[test]
fn rounding_is_half_to_even() {
    for (x, r) in [
        (0.5, 0),
        (1.5, 2),
        (2.5, 2),
        (-0.5, 0),
        (-1.5, -2),
        (-2.5, -2),
        (1.49, 1),
        (-1.51, -2),
        (127.0, 127),
    ] {
        assert_eq!(round_even(x), r, "{x}");
        assert_eq!(round_even(x), x.round_ties_even() as i32, "{x}");
    }
}

#[test]
fn bit_accumulators_follow_the_definition_across_blocks() {
    // d = 300: one full 256-bit block and a partial one; h = 40: a full and a partial chunk.
    let float = random_sae(Input::Bits, 300, 40, 5, 7);
    let blob = AlignedBlob::new(&float.to_blob(&[], &NO_DECODER).unwrap());
    let sae = Sae::from_bytes(blob.as_bytes()).unwrap();
    for s in 0..20 {
        let (words, _) = bits(300, 500 + s);
        let mut acc = vec![0i32; 40];
        sae.accumulators_bits(&words, &mut acc).unwrap();
        // Both encoder paths (64-bit hosts' masked rows, MCUs' set-bit lists) agree.
        for wide in [false, true] {
            let mut other = vec![0i32; 40];
            sae.for_each_acc_bits_on(&words, wide, |i, a| other[i] = a);
            assert_eq!(other, acc, "wide = {wide}");
        }
        for (i, &a) in acc.iter().enumerate() {
            let naive: i32 = i32_at(sae.enc_bias, i)
                + (0..300)
                    .filter(|&j| words[j / 32] >> (j % 32) & 1 == 1)
                    .map(|j| weight(&sae, i, j))
                    .sum::<i32>();
            assert_eq!(a, naive, "latent {i}");
        }
    }
}

#[test]
fn packed_ternary_and_binary_sum_like_their_int8_form() {
    // Spec §6 target 3: the popcount paths give the accumulators of the int8 path built on
    // the same ±1/0 weights (HSAE v1 stores those as int8).
    for (weights, d_in) in [
        (Weights::Ternary, 300),
        (Weights::Binary, 300),
        (Weights::Ternary, 64),
    ] {
        let float = random_sae(Input::Bits, d_in, 40, 6, 21);
        let packed_opts = ExportOptions {
            weights,
            ..ExportOptions::default()
        };
        let v1_opts = ExportOptions {
            v1: true,
            ..packed_opts.clone()
        };
        let packed_blob = AlignedBlob::new(&float.to_blob(&[], &packed_opts).unwrap());
        let v1_blob = AlignedBlob::new(&float.to_blob(&[], &v1_opts).unwrap());
        let packed = Sae::from_bytes(packed_blob.as_bytes()).unwrap();
        let v1 = Sae::from_bytes(v1_blob.as_bytes()).unwrap();
        assert!(packed.is_packed() && !v1.is_packed());
        assert_eq!((packed.weights(), v1.weights()), (weights, weights));
        // Packed: 2 (ternary) or 1 bit per weight instead of 8.
        let per_row = if weights == Weights::Ternary {
            8 * d_in.div_ceil(32)
        } else {
            4 * d_in.div_ceil(32)
        };
        // (v2's header is 8 bytes longer.)
        assert_eq!(
            v1_blob.as_bytes().len() - packed_blob.as_bytes().len(),
            40 * (d_in - per_row) - 8
        );
        for s in 0..50 {
            let (words, _) = bits(d_in, 900 + s);
            let (mut a, mut b) = (vec![0i32; 40], vec![0i32; 40]);
            packed.accumulators_bits(&words, &mut a).unwrap();
            v1.accumulators_bits(&words, &mut b).unwrap();
            assert_eq!(a, b, "{weights:?}");
            let (mut ta, mut tb) = (TopK::<8>::new(), TopK::<8>::new());
            packed.encode_bits(&words, &mut ta).unwrap();
            v1.encode_bits(&words, &mut tb).unwrap();
            assert_eq!(ta, tb);
        }
        // A blob at an odd address reads its masks word by word: the same sums.
        let hsae = float.to_hsae(&[], &packed_opts).unwrap();
        let mut shifted = vec![0u8; hsae.len() + 1];
        shifted[1..].copy_from_slice(&hsae);
        let odd = Sae::from_hsae(&shifted[1..]).unwrap();
        for s in 0..10 {
            let (words, _) = bits(d_in, 950 + s);
            let (mut a, mut b) = (vec![0i32; 40], vec![0i32; 40]);
            odd.accumulators_bits(&words, &mut a).unwrap();
            packed.accumulators_bits(&words, &mut b).unwrap();
            assert_eq!(a, b);
        }
        // The weights are the ternary/binary quantisation of the float rows.
        for i in 0..40 {
            let (_, q) = crate::train::sae::export::quantize_encoder_row(
                &float.w_enc[i * d_in..(i + 1) * d_in],
                weights,
            );
            for (j, &q) in q.iter().enumerate() {
                assert_eq!(weight(&packed, i, j), i32::from(q));
                assert_eq!(weight(&v1, i, j), i32::from(q));
            }
        }
    }
}

#[test]
fn packed_weights_on_dense_input_match_their_int8_form() {
    let float = random_sae(Input::Dense, 70, 24, 5, 4);
    let calib: Vec<f32> = (0..70 * 8)
        .map(|i| ((i * 37) % 101) as f32 / 50.0 - 1.0)
        .collect();
    for weights in [Weights::Ternary, Weights::Binary] {
        let o = ExportOptions {
            weights,
            ..ExportOptions::default()
        };
        let packed = AlignedBlob::new(&float.to_blob(&calib, &o).unwrap());
        let v1 = AlignedBlob::new(
            &float
                .to_blob(&calib, &ExportOptions { v1: true, ..o })
                .unwrap(),
        );
        let (packed, v1) = (
            Sae::from_bytes(packed.as_bytes()).unwrap(),
            Sae::from_bytes(v1.as_bytes()).unwrap(),
        );
        for row in calib.chunks_exact(70) {
            let (mut a, mut b) = (TopK::<5>::new(), TopK::<5>::new());
            packed.encode_dense(row, &mut a).unwrap();
            v1.encode_dense(row, &mut b).unwrap();
            assert_eq!(a, b);
        }
    }
}

#[test]
fn threshold_drops_small_latents_and_v2_headers_are_checked() {
    let float = random_sae(Input::Bits, 100, 24, 8, 5);
    let plain = AlignedBlob::new(&float.to_hsae(&[], &ExportOptions::default()).unwrap());
    let plain = Sae::from_bytes(plain.as_bytes()).unwrap();
    assert_eq!(plain.threshold(), 0.0);
    let mut found = false;
    for s in 0..40 {
        let (words, _) = bits(100, 300 + s);
        let mut top = TopK::<8>::new();
        plain.encode_bits(&words, &mut top).unwrap();
        if top.len() < 2 {
            continue;
        }
        // A threshold between the two smallest kept values drops exactly the smallest.
        let v = top.values();
        let tau = (v[v.len() - 1] + v[v.len() - 2]) / 2.0;
        if v[v.len() - 1] == v[v.len() - 2] {
            continue;
        }
        let o = ExportOptions {
            threshold: tau,
            ..ExportOptions::default()
        };
        let hsae = float.to_hsae(&[], &o).unwrap();
        assert_eq!(u16::from_le_bytes([hsae[4], hsae[5]]), 2);
        let cut = Sae::from_bytes(&hsae).unwrap();
        assert_eq!(cut.threshold(), tau);
        let mut short = TopK::<8>::new();
        cut.encode_bits(&words, &mut short).unwrap();
        assert_eq!(short.indices(), &top.indices()[..top.len() - 1]);
        found = true;
        // v2 header checks: bad threshold, unknown flags, a v1-length header.
        let reseal = |mut b: Vec<u8>| {
            let n = b.len() - 4;
            let crc = crate::model::crc32(&b[..n]);
            b[n..].copy_from_slice(&crc.to_le_bytes());
            b
        };
        for (at, bytes) in [
            (48, f32::NAN.to_le_bytes()),
            (48, (-1.0f32).to_le_bytes()),
            (52, 1u32.to_le_bytes()),
            (6, [48, 0, 0, 0]),
        ] {
            let mut bad = hsae.clone();
            let len = if at == 6 { 2 } else { 4 };
            bad[at..at + len].copy_from_slice(&bytes[..len]);
            assert!(
                matches!(
                    Sae::from_bytes(&reseal(bad)),
                    Err(Error::Format(FormatError::Inconsistent(_)))
                ),
                "byte {at}"
            );
        }
        let mut future = hsae.clone();
        future[4] = 4;
        assert!(matches!(
            Sae::from_bytes(&reseal(future)),
            Err(Error::Format(FormatError::UnsupportedVersion { found: 4 }))
        ));
        break;
    }
    assert!(found);
    assert!(float
        .to_hsae(
            &[],
            &ExportOptions {
                threshold: -1.0,
                ..ExportOptions::default()
            }
        )
        .is_err());
    assert!(float
        .to_hsae(
            &[],
            &ExportOptions {
                threshold: 0.5,
                v1: true,
                ..ExportOptions::default()
            }
        )
        .is_err());
}

#[test]
fn corrupt_packed_masks_are_rejected() {
    let float = random_sae(Input::Bits, 40, 8, 2, 6);
    let reseal = |mut b: Vec<u8>| {
        let n = b.len() - 4;
        let crc = crate::model::crc32(&b[..n]);
        b[n..].copy_from_slice(&crc.to_le_bytes());
        b
    };
    let o = ExportOptions {
        weights: Weights::Ternary,
        ..ExportOptions::default()
    };
    let hsae = float.to_hsae(&[], &o).unwrap();
    let at = u32::from_le_bytes(hsae[36..40].try_into().unwrap()) as usize;
    // Latent 0's masks: words 0-1 (+1), 2-3 (−1). A weight both +1 and −1:
    let mut both = hsae.clone();
    let p0 = u32::from_le_bytes(both[at..at + 4].try_into().unwrap());
    both[at + 8..at + 12].copy_from_slice(&p0.to_le_bytes());
    assert!(p0 != 0);
    assert!(matches!(
        Sae::from_bytes(&reseal(both)),
        Err(Error::Format(FormatError::Inconsistent(_)))
    ));
    // A bit past d_in (40 bits: word 1 bit 8 and up).
    let mut past = hsae.clone();
    past[at + 4 + 3] |= 0x80;
    assert!(matches!(
        Sae::from_bytes(&reseal(past)),
        Err(Error::Format(FormatError::Inconsistent(_)))
    ));
    // Truncated mask section.
    assert!(Sae::from_bytes(&reseal(hsae[..at + 16].to_vec())).is_err());
}

#[test]
fn calibrated_threshold_restores_the_float_models_l0() {
    // An L1-style model (k = h) with many latents near zero.
    let mut float = random_sae(Input::Dense, 12, 24, 24, 31);
    float.b_enc.iter_mut().for_each(|b| *b = -0.02);
    let rows: Vec<f32> = {
        let mut r = rng(77);
        (0..12 * 300).map(|_| r()).collect()
    };
    let o = ExportOptions::default();
    let tau = float.calibrate_threshold(&rows, &o).unwrap();
    let l0 = |threshold: f32| {
        let options = ExportOptions {
            threshold,
            ..o.clone()
        };
        let blob = AlignedBlob::new(&float.to_blob(&rows, &options).unwrap());
        let sae = Sae::from_bytes(blob.as_bytes()).unwrap();
        let mut top = TopK::<24>::new();
        rows.chunks_exact(12)
            .map(|r| {
                sae.encode_dense(r, &mut top).unwrap();
                top.len()
            })
            .sum::<usize>()
    };
    let float_l0: usize = rows.chunks_exact(12).map(|r| float.encode(r).len()).sum();
    assert!(l0(tau) <= float_l0, "{} > {float_l0}", l0(tau));
    // Rounding turned latents on here, and τ is the smallest threshold that drops them: a
    // bit below it keeps more than the float model.
    assert!(l0(0.0) > float_l0 && tau > 0.0);
    assert!(l0(tau * (1.0 - 1e-6)) > float_l0);
    // Bit models: rows must be 0/1.
    let bits = random_sae(Input::Bits, 40, 8, 8, 2);
    assert!(bits.calibrate_threshold(&[0.5; 40], &o).is_err());
    assert!(bits.calibrate_threshold(&[], &o).is_err());
    let ones: Vec<f32> = (0..400).map(|i| ((i * 7) % 3 == 0) as u8 as f32).collect();
    assert!(bits.calibrate_threshold(&ones, &o).unwrap() >= 0.0);
}

#[test]
fn fixed_point_conversion_is_exact_truncation() {
    let mut r = rng(99);
    for _ in 0..20_000 {
        let x = r() * 2f32.powi((r() * 60.0) as i32);
        for p in [-30, -3, 0, 1, 7, 23, 40] {
            let exact = f64::from(x) * 2f64.powi(p);
            if exact.abs() < 2f64.powi(62) {
                assert_eq!(to_fixed(x, p), exact.trunc() as i64, "{x} p {p}");
            }
        }
        if x != 0.0 {
            assert_eq!(exponent(x), f64::from(x.abs()).log2().floor() as i32, "{x}");
        }
    }
    let tiny = f32::from_bits(1); // 2^-149
    assert_eq!(exponent(tiny), -149);
    assert_eq!(exponent(f32::from_bits(0x0040_0000)), -127);
    assert_eq!(to_fixed(tiny, 149), 1);
    assert_eq!(to_fixed(-tiny, 149), -1);
    assert_eq!(to_fixed(f32::INFINITY, 0), 1 << 62);
    assert_eq!(to_fixed(f32::NEG_INFINITY, 0), -(1 << 62));
    assert_eq!(to_fixed(f32::NAN, 5), 0);
    assert_eq!(to_fixed(f32::MAX, 40), 1 << 62);
    assert_eq!(to_fixed(-0.75, 2), -3);
    assert_eq!(to_fixed(-0.7, 2), -2); // toward zero
}

#[test]
fn integer_decode_bits_thresholds_the_float_reconstruction() {
    // Many codes of a D = 300, h = 40 model with k = 16: the integer bits equal
    // `decode(z) > 0.5` wherever x̂ is not within the fixed-point resolution of 0.5.
    let float = random_sae(Input::Bits, 300, 40, 16, 12);
    let blob = AlignedBlob::new(&float.to_blob(&[], &ExportOptions::default()).unwrap());
    let sae = Sae::from_bytes(blob.as_bytes()).unwrap();
    let (mut near, mut bits_checked) = (0, 0);
    for s in 0..300 {
        let (words, _) = bits(300, 4000 + s);
        let mut top = TopK::<16>::new();
        sae.encode_bits(&words, &mut top).unwrap();
        let mut xr = vec![0f32; 300];
        sae.decode(&top, &mut xr).unwrap();
        let mut xb = vec![0u32; 10];
        sae.decode_bits(&top, &mut xb).unwrap();
        let (scale, _, _) = sae.decoder.unwrap();
        let total: f32 = top
            .iter()
            .map(|(i, v)| (v * f32_at(scale, usize::from(i))).abs())
            .sum();
        let resolution = 2.0 * 128.0 * 16.0 * total / (1 << 23) as f32;
        for j in 0..300 {
            if (xr[j] - 0.5).abs() <= resolution {
                near += 1;
                continue;
            }
            bits_checked += 1;
            assert_eq!(
                (xb[j / 32] >> (j % 32)) & 1 == 1,
                xr[j] > 0.5,
                "case {s} bit {j}"
            );
        }
    }
    assert!(bits_checked > 89_000 && near < 100, "{bits_checked} {near}");
    // The empty code reconstructs b_dec > 0.5.
    let mut xb = vec![0u32; 10];
    sae.decode_bits(&TopK::<16>::new(), &mut xb).unwrap();
    let (_, _, b_dec) = sae.decoder.unwrap();
    for j in 0..300 {
        assert_eq!((xb[j / 32] >> (j % 32)) & 1 == 1, f32_at(b_dec, j) > 0.5);
    }
}

#[test]
fn the_input_code_travels_in_the_blob() {
    use crate::encode::ThresholdCode;
    let float = random_sae(Input::Bits, 64, 8, 3, 40);
    let rows: Vec<f32> = (0..300).map(|i| ((i * 13) % 29) as f32 / 7.0).collect();
    let thresholds = ThresholdCode::fit(5, 3, 64, &rows).unwrap();
    let code = ThresholdCode::new(5, 3, &thresholds).unwrap();
    let blob = AlignedBlob::new(
        &float
            .to_blob_with_code(&ExportOptions::default(), &code)
            .unwrap(),
    );
    let sae = Sae::from_bytes(blob.as_bytes()).unwrap();
    assert_eq!(sae.input_code(), Some(&code));
    // Features → bits → latents on the device equal the host's bits → latents.
    let (mut a, mut b) = ([0u32; 2], [0u32; 2]);
    sae.input_code()
        .unwrap()
        .encode(&[1.0, 2.5, 0.5], &mut a)
        .unwrap();
    code.encode(&[1.0, 2.5, 0.5], &mut b).unwrap();
    assert_eq!(a, b);
    let (mut ta, mut tb) = (TopK::<3>::new(), TopK::<3>::new());
    sae.encode_bits(&a, &mut ta).unwrap();
    let plain = AlignedBlob::new(&float.to_blob(&[], &ExportOptions::default()).unwrap());
    let plain = Sae::from_bytes(plain.as_bytes()).unwrap();
    assert_eq!(plain.input_code(), None);
    plain.encode_bits(&b, &mut tb).unwrap();
    assert_eq!(ta, tb);
    // A code of the wrong width, or on a dense model, is refused when writing.
    let short = ThresholdCode::new(5, 3, &thresholds[..128]).unwrap();
    assert!(float
        .to_blob_with_code(&ExportOptions::default(), &short)
        .is_err());
    let dense = random_sae(Input::Dense, 64, 8, 3, 41);
    assert!(dense
        .to_blob_with_code(&ExportOptions::default(), &code)
        .is_err());
    // A corrupt code section is an error when reading: a NaN threshold, zero features, and a
    // truncated section (each written with a valid container checksum).
    let hsae = float.to_hsae(&[], &ExportOptions::default()).unwrap();
    let mut good = Vec::new();
    good.extend_from_slice(&5u64.to_le_bytes());
    good.extend_from_slice(&3u32.to_le_bytes());
    good.extend_from_slice(&thresholds);
    let mut nan = good.clone();
    nan[12..16].copy_from_slice(&f32::NAN.to_le_bytes());
    let mut zero = good.clone();
    zero[8..12].copy_from_slice(&0u32.to_le_bytes());
    for (section, ok) in [
        (good.clone(), true),
        (nan, false),
        (zero, false),
        (good[..10].to_vec(), false),
    ] {
        let mut w = crate::model::ModelWriter::new(Kind::Sae);
        w.section(SECTION, &hsae).unwrap();
        w.section(CODE_SECTION, &section).unwrap();
        let blob = AlignedBlob::new(&w.finish().unwrap());
        assert_eq!(Sae::from_bytes(blob.as_bytes()).is_ok(), ok);
    }
}

#[test]
fn heap_selection_equals_a_full_sort_with_many_ties() {
    let mut r = rng(123);
    for k in [1usize, 2, 3, 7, 8, 16, 40, 64] {
        for trial in 0..200 {
            let h = 1 + (trial * 7) % 90;
            // Few distinct keys, many ties, some ≤ 0 and some below the threshold.
            let keys: Vec<f32> = (0..h).map(|_| ((r() * 4.0).round()) * 0.5).collect();
            let threshold = if trial % 3 == 0 { 0.6 } else { 0.0 };
            // Past 32 kept, finish sorts with the heap instead of insertion.
            let mut out = TopK::<64>::new();
            let (index, keys_out, acc) = out.slots(k).unwrap();
            let mut sel = Selector::new(index, keys_out, acc, k, threshold);
            for (i, &key) in keys.iter().enumerate() {
                sel.offer(i, key, i as i32 * 10);
            }
            let len = sel.finish();
            out.set_len(len);
            let mut order: Vec<usize> = (0..h).collect();
            order.sort_by(|&a, &b| keys[b].total_cmp(&keys[a]).then(a.cmp(&b)));
            let expected: Vec<u16> = order
                .into_iter()
                .take(k)
                .filter(|&i| keys[i] > 0.0 && keys[i] > threshold)
                .map(|i| i as u16)
                .collect();
            assert_eq!(out.indices(), &expected[..], "k {k} trial {trial}");
            for (j, &i) in out.indices().iter().enumerate() {
                assert_eq!(out.values()[j], keys[usize::from(i)]);
                assert_eq!(out.accumulators()[j], i32::from(i) * 10);
            }
        }
    }
}

/// Every dense kind (per-row, calibrated; TopK, ReLU, JumpReLU; int8 and ternary weights):
/// the batch encoder gives the row-by-row codes exactly, and `accumulators_dense` with
/// `latent_value` gives the values selected.
#[test]
fn batch_encoding_equals_row_by_row() {
    let (d, h, n) = (300, 70, 37);
    let mut r = rng(77);
    let rows: Vec<f32> = (0..n)
        .flat_map(|i| {
            let size = 0.1 + (i % 9) as f32;
            (0..d).map(|_| size * r()).collect::<Vec<_>>()
        })
        .collect();
    for input in [Input::DensePerRow, Input::Dense] {
        for activation in [Activation::TopK, Activation::Relu, Activation::JumpRelu] {
            for weights in [Weights::Int8, Weights::Ternary] {
                let mut float = random_sae(
                    input,
                    d,
                    h,
                    if activation == Activation::TopK { 5 } else { h },
                    8,
                );
                float.activation = activation;
                if activation == Activation::JumpRelu {
                    float.thresholds = (0..h).map(|i| (i % 7) as f32 * 0.3).collect();
                }
                let options = ExportOptions {
                    weights,
                    ..NO_DECODER
                };
                let blob = AlignedBlob::new(&float.to_blob(&rows, &options).unwrap());
                let sae = Sae::from_bytes(blob.as_bytes()).unwrap();
                assert_eq!((sae.input(), sae.activation()), (input, activation));
                let mut batch = vec![LatentVec::new(); n];
                sae.encode_dense_batch(&rows, &mut batch).unwrap();
                let mut acc = vec![0i32; h];
                for (row, code) in rows.chunks_exact(d).zip(&batch) {
                    let mut one = LatentVec::new();
                    sae.encode_dense(row, &mut one).unwrap();
                    assert_eq!(&one, code, "{input:?} {activation:?} {weights:?}");
                    let step = sae.accumulators_dense(row, &mut acc).unwrap();
                    for (&i, &v) in one.indices().iter().zip(one.values()) {
                        let value = sae.latent_value(usize::from(i), acc[usize::from(i)], step);
                        assert_eq!(value.unwrap(), v);
                    }
                }
                let total: usize = batch.iter().map(LatentVec::len).sum();
                assert!(
                    total > n,
                    "{input:?} {activation:?}: too few active latents to test"
                );
                assert!(sae.encode_dense_batch(&rows[1..], &mut batch).is_err());
            }
        }
    }
}
