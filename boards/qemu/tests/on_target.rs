//! On-target tests: the host's golden hashes, checked bit for bit on the emulated MCU, and
//! the no-panic error paths.
#![no_std]
#![no_main]

use hyperbits::classify::Classifier;
use hyperbits::ensemble::Ensemble;
use hyperbits::hopfield::{HopfieldView, Update};
use hyperbits::learn::Learner;
use hyperbits::sketch::Bloom;
use hyperbits::{BinaryVector, Codebook, Error, ItemMemory};
use hyperbits_qemu::{
    checkerboard_rows, digits_rows, entry, har_decisions, har_sample, har_samples, hopfield_case,
    run_tests, u32_at, CHECKERBOARD_DECORRELATED_EXPECTED, CHECKERBOARD_DECORRELATED_MODEL,
    CHECKERBOARD_ENSEMBLE_EXPECTED, CHECKERBOARD_ENSEMBLE_MODEL, CHECKERBOARD_EXPECTED,
    CHECKERBOARD_MODEL, CHECKERBOARD_THERMOMETER_EXPECTED, CHECKERBOARD_THERMOMETER_MODEL,
    DIGITS_LEARNED, DIGITS_MODEL, HAR_MODEL, HAR_TEMPORAL_EXPECTED, HAR_TEMPORAL_MODEL,
    HOPFIELD_MODEL, SKETCH_EXPECTED, SKETCH_MODEL, SKETCH_WORDS,
};

#[allow(dead_code)]
mod golden {
    include!("../../../tests/golden/cases.rs");
}

fn golden_hashes_match_the_host() {
    for (name, f, expected) in golden::CASES {
        let got = f();
        assert_eq!(got, *expected, "golden case {} differs", name);
    }
}

fn hamming_at_10016_bits() {
    let book = Codebook::new(5);
    let (a, b): (BinaryVector<313>, BinaryVector<313>) = (book.vector(0), book.vector(1));
    assert_eq!(a.hamming(&a), 0);
    assert_eq!(a.hamming(&a.complement()), 10_016);
    let naive: u32 = a
        .as_words()
        .iter()
        .zip(b.as_words())
        .map(|(x, y)| (x ^ y).count_ones())
        .sum();
    assert_eq!(a.hamming(&b), naive);
    // The kernel called with every length around its 8-word steps (tails of 0-7 words) and
    // the 31-step chunks of the Thumb-2 loop (248 words), through the run-time-length entry
    // point, so the Thumb-2 path really sees each length; at two start offsets.
    for start in [0, 1] {
        for n in (0..=20).chain([247, 248, 249, 255, 256, 257, 311]) {
            let (x, y) = (
                &a.as_words()[start..start + n],
                &b.as_words()[start..start + n],
            );
            let naive: u32 = x.iter().zip(y).map(|(p, q)| (p ^ q).count_ones()).sum();
            assert_eq!(
                hyperbits::packed::hamming(x, y),
                Ok(naive),
                "n={} start={}",
                n,
                start
            );
        }
    }
}

fn errors_instead_of_panics() {
    let v = BinaryVector::<8>::zero();
    assert_eq!(BinaryVector::<8>::bundle(&[], 0), Err(Error::EmptyBundle));
    assert!(v.bit(256).is_err());
    let mut m = ItemMemory::<8, 1>::new();
    assert_eq!(m.nearest(&v), Err(Error::EmptyMemory));
    assert!(m.insert(0, v).is_ok());
    assert!(m.insert(1, v).is_err());
    assert!(hyperbits::encode::Level::new(0, 1).is_err());
}

/// The host-trained digits blob, read in place from flash, predicts every test row exactly
/// as the host did.
fn digits_classifier_matches_the_host() {
    let clf = Classifier::<64>::from_bytes(DIGITS_MODEL).unwrap();
    let (mut rows, mut right) = (0, 0);
    for (label, host, features) in digits_rows() {
        let p = clf.predict(&features).unwrap();
        assert_eq!(p.class, usize::from(host), "row {}", rows);
        rows += 1;
        right += usize::from(p.class == usize::from(label));
    }
    assert_eq!(rows, 450);
    assert!(right * 100 >= 96 * rows, "accuracy {} of {}", right, rows);
    // A corrupted copy is rejected, not misread.
    let mut copy = [0u32; 1024];
    let bytes: &mut [u8] = bytemuck_bytes(&mut copy, DIGITS_MODEL.len());
    bytes.copy_from_slice(DIGITS_MODEL);
    bytes[100] ^= 4;
    assert!(Classifier::<64>::from_bytes(bytes).is_err());
}

/// Learning on the device: the same steps as the host's learner give the same blob (length
/// and CRC), and that blob, read back, predicts as the learner did. Not on the emulated
/// micro:bit: an 11-class learner, its blob and the test's buffers need about 17 KiB of
/// stack (the learner and its `Result` are each 3.2 KiB), and it has 16 KiB of RAM.
fn learning_matches_the_host() {
    if cfg!(all(target_arch = "arm", not(target_abi = "eabihf"))) {
        hyperbits_qemu::semihosting::print!("skipped: needs 17 KiB of RAM ... ");
        return;
    }
    // The learned blob is 3,948 bytes; every byte of stack counts on the Cortex-M0.
    let mut out = [0u32; 987];
    let bytes: &mut [u8] = bytemuck::cast_slice_mut(&mut out);
    let mut predicted = [0u8; 450];
    let len = learn_on_digits(bytes, &mut predicted);
    assert_eq!(len as u32, u32_at(DIGITS_LEARNED, 0));
    assert_eq!(u32_at(bytes, len - 4), u32_at(DIGITS_LEARNED, 4));
    let saved = Classifier::<64>::from_bytes(&bytes[..len]).unwrap();
    assert_eq!(saved.label(10), Ok("mixed"));
    for ((_, _, features), &p) in digits_rows().zip(&predicted) {
        assert_eq!(saved.predict(&features).unwrap().class, usize::from(p));
    }
}

/// The learning steps of `examples/qemu_data.rs`: writes the blob into `out`, the learner's
/// predictions for the test rows into `predicted`, returns the blob's length. A frame of its
/// own, one sample buffer reused, so it fits the Cortex-M0's 16 KiB of RAM.
#[inline(never)]
fn learn_on_digits(out: &mut [u8], predicted: &mut [u8; 450]) -> usize {
    let clf = Classifier::<64>::from_bytes(DIGITS_MODEL).unwrap();
    let mut learner = Learner::<64, 11>::new(clf).unwrap();
    let mut samples = heapless::Vec::<BinaryVector<64>, 6>::new();
    for (label, _, features) in digits_rows() {
        if label == 3 && !samples.is_full() {
            samples.push(encode(&learner, &features)).unwrap();
        }
    }
    learner.learn(3, &samples, 4).unwrap();
    samples.clear();
    for (_, _, features) in digits_rows().take(6) {
        samples.push(encode(&learner, &features)).unwrap();
    }
    assert_eq!(learner.add_class("mixed", &samples), Ok(10));
    for ((_, _, features), p) in digits_rows().zip(predicted.iter_mut()) {
        *p = learner.classify(&encode(&learner, &features)).class as u8;
    }
    learner.write_blob(out).unwrap()
}

/// Encoding in its own frame (the projection's counters would add to the caller's).
#[inline(never)]
fn encode(learner: &Learner<'static, 64, 11>, features: &[f32]) -> BinaryVector<64> {
    learner.encode(features).unwrap()
}

/// A byte view of a word buffer (so it is aligned for the in-place reader).
fn bytemuck_bytes(words: &mut [u32; 1024], len: usize) -> &mut [u8] {
    let bytes: &mut [u8; 4096] = bytemuck::cast_mut(words);
    &mut bytes[..len]
}

/// The Hopfield memory, read in place from flash, recalls exactly what the host recalled.
fn hopfield_recall_matches_the_host() {
    let memory = HopfieldView::<32>::from_bytes(HOPFIELD_MODEL).unwrap();
    assert_eq!(memory.len(), 102);
    let (steps, cue, state) = hopfield_case();
    let r = memory.recall(&cue, Update::Synchronous, 20);
    assert_eq!(r.state, state);
    assert_eq!(r.steps, steps);
    assert!(HopfieldView::<16>::from_bytes(HOPFIELD_MODEL).is_err());
}

/// The sketch, read in place, answers every membership query and estimates the intersection
/// bit for bit as the host did (the `f64` estimate included).
fn sketch_matches_the_host() {
    let a = Bloom::from_bytes(SKETCH_MODEL).unwrap();
    assert_eq!(a.words().len(), SKETCH_WORDS);
    for key in 0..256u64 {
        assert_eq!(
            a.contains(key),
            SKETCH_EXPECTED[key as usize] == 1,
            "key {}",
            key
        );
    }
    let mut b = Bloom::new([0u32; SKETCH_WORDS], a.k(), a.seed()).unwrap();
    (32..96u64).for_each(|k| b.insert(k));
    let estimate = a.estimate_intersection(&b).unwrap();
    let expected = u64::from_le_bytes(SKETCH_EXPECTED[256..264].try_into().unwrap());
    assert_eq!(estimate.to_bits(), expected);
}

/// The sinusoid and thermometer encoders, the decorrelation and the confidence table on the
/// device: the host's class, margin and probability for every row, and a refusal threshold
/// that keeps exactly the rows whose probability reaches it.
fn sinusoid_thermometer_and_confidence_match_the_host() {
    for (model, expected) in [
        (CHECKERBOARD_MODEL, CHECKERBOARD_EXPECTED),
        (
            CHECKERBOARD_THERMOMETER_MODEL,
            CHECKERBOARD_THERMOMETER_EXPECTED,
        ),
        (
            CHECKERBOARD_DECORRELATED_MODEL,
            CHECKERBOARD_DECORRELATED_EXPECTED,
        ),
    ] {
        let clf = Classifier::<64>::from_bytes(model).unwrap();
        let (mut rows, mut kept) = (0, 0);
        for (features, class, margin, probability) in checkerboard_rows(expected) {
            let c = clf.predict_with_confidence(&features).unwrap();
            assert_eq!(c.prediction.class as u32, class);
            assert_eq!(c.margin, margin);
            assert_eq!(c.probability, probability);
            assert_eq!(clf.predict(&features).unwrap(), c.prediction);
            rows += 1;
            kept += usize::from(c.is_at_least(3 << 14));
        }
        assert_eq!(rows, 64);
        assert!(kept <= rows);
    }
}

/// An ensemble of three members on the device: the host's vote, margin and probability for
/// every row.
fn ensemble_matches_the_host() {
    let e = Ensemble::<64, 3>::from_bytes(CHECKERBOARD_ENSEMBLE_MODEL).unwrap();
    assert_eq!(e.members().len(), 3);
    let mut rows = 0;
    for (features, class, margin, probability) in checkerboard_rows(CHECKERBOARD_ENSEMBLE_EXPECTED)
    {
        let c = e.predict_with_confidence(&features).unwrap();
        assert_eq!(
            (c.prediction.class as u32, c.margin, c.probability),
            (class, margin, probability)
        );
        rows += 1;
    }
    assert_eq!(rows, 64);
}

/// The HAR window classifier fed one sample at a time: at every hop the host's class,
/// margin and probability; a whole window through `predict_window` agrees too. (Two frames:
/// the stream and the whole window do not share the Cortex-M0's 16 KiB.)
fn window_stream_matches_the_host() {
    let clf = hyperbits::series::WindowClassifier::<64, 1>::from_bytes(HAR_MODEL).unwrap();
    assert_eq!(streamed_decisions(&clf, har_decisions()), 19);
    whole_window_agrees(&clf);
}

/// The temporal stage on the device: the host's decisions on the same stream. Its counters
/// and the record's frame need more than the Cortex-M0's 16 KiB beside the test harness.
fn temporal_stream_matches_the_host() {
    if cfg!(all(target_arch = "arm", not(target_abi = "eabihf"))) {
        hyperbits_qemu::semihosting::print!("skipped: needs 20 KiB of RAM ... ");
        return;
    }
    let clf = hyperbits::series::WindowClassifier::<64, 1>::from_bytes(HAR_TEMPORAL_MODEL).unwrap();
    assert_eq!(clf.window().stage(), hyperbits::series::Stage::Samples);
    assert_eq!(
        streamed_decisions(&clf, hyperbits_qemu::decisions(HAR_TEMPORAL_EXPECTED)),
        19
    );
}

#[inline(never)]
fn streamed_decisions(
    clf: &hyperbits::series::WindowClassifier<'_, 64, 1>,
    mut expected: impl Iterator<Item = (u32, u32, u32)>,
) -> usize {
    let mut stream = hyperbits::series::Stream::<512, 64>::new();
    let mut decisions = 0;
    for i in 0..har_samples() {
        if let Some(d) = stream.push(clf, &har_sample(i)).unwrap() {
            let host = expected.next().unwrap();
            assert_eq!(
                (d.prediction.class as u32, d.margin, d.probability),
                (host.0, host.1, Some(host.2))
            );
            decisions += 1;
        }
    }
    assert!(expected.next().is_none());
    decisions
}

#[inline(never)]
fn whole_window_agrees(clf: &hyperbits::series::WindowClassifier<'_, 64, 1>) {
    let dft = hyperbits::series::Dft::<64>::new(64).unwrap();
    let mut window = [0i16; 384];
    for (t, chunk) in window.chunks_exact_mut(6).enumerate() {
        chunk.copy_from_slice(&har_sample(t));
    }
    let first = har_decisions().next().unwrap();
    let d = clf.predict_window(&window, &dft).unwrap();
    assert_eq!(d.prediction.class as u32, first.0);
    assert_eq!(d.margin, first.1);
}

#[entry]
fn main() -> ! {
    run_tests!(
        golden_hashes_match_the_host,
        hamming_at_10016_bits,
        errors_instead_of_panics,
        digits_classifier_matches_the_host,
        sinusoid_thermometer_and_confidence_match_the_host,
        ensemble_matches_the_host,
        window_stream_matches_the_host,
        temporal_stream_matches_the_host,
        learning_matches_the_host,
        hopfield_recall_matches_the_host,
        sketch_matches_the_host
    )
}
