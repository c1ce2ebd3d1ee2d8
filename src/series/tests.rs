use super::*;
use crate::rng::SplitMix64;
use alloc::vec::Vec;

const HAR: [usize; 2] = [0, 3];

fn window_words(channels: usize, length: usize, hop: usize, vectors: &[usize]) -> Vec<u32> {
    Window::describe(channels, length, hop, vectors, 6, Stage::Statistics).unwrap()
}

/// Samples of `channels` channels: a sine of a few cycles per channel plus noise.
fn samples(channels: usize, count: usize, seed: u64) -> Vec<i16> {
    let mut rng = SplitMix64::new(seed);
    (0..count * channels)
        .map(|i| {
            let (t, c) = ((i / channels) as f64, (i % channels) as f64);
            let wave = libm::sin(t * (0.2 + 0.1 * c)) * 900.0 + 100.0 * c;
            let noise = (rng.next_u64() % 401) as f64 - 200.0;
            (wave + noise) as i16
        })
        .collect()
}

#[test]
fn describe_spaces_bands_geometrically_and_validates() {
    let w = window_words(6, 64, 32, &HAR);
    let window = Window::from_words(&w).unwrap();
    assert_eq!(window.band_edges(), &[1, 2, 3, 6, 10, 18, 33]);
    assert_eq!(window.derived_channels(), 8);
    assert_eq!(window.features(), 8 * 14);
    // Fewer bins than bands: one band per bin.
    let short = Window::describe(1, 4, 1, &[], 6, Stage::Statistics).unwrap();
    assert_eq!(Window::from_words(&short).unwrap().band_edges(), &[1, 2, 3]);
    // Out of range: channels, length, hop, a vector past the channels, band order.
    for bad in [
        Window::describe(0, 64, 32, &[], 6, Stage::Statistics),
        Window::describe(6, 1, 1, &[], 6, Stage::Statistics),
        Window::describe(6, 64, 65, &[], 6, Stage::Statistics),
        Window::describe(6, 64, 32, &[4], 6, Stage::Statistics),
    ] {
        assert!(bad.is_err());
    }
    let mut unordered = w.clone();
    let n = unordered.len();
    unordered.swap(n - 1, n - 2);
    assert!(Window::from_words(&unordered).is_err());
    assert!(Window::from_words(&w[..4]).is_err());
}

#[test]
fn statistics_match_their_definitions() {
    // One channel, 8 samples.
    let x: [i16; 8] = [3, -1, 4, 1, -5, 9, 2, 6];
    let words = Window::describe(1, 8, 8, &[], 2, Stage::Statistics).unwrap();
    let w = Window::from_words(&words).unwrap();
    let dft = Dft::<8>::new(8).unwrap();
    let mut f = [0f32; 10];
    w.features_of(&x, &dft, &mut f).unwrap();
    let n = 8.0f64;
    let mean = x.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let var = x
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n;
    let mad = x
        .windows(2)
        .map(|p| f64::from((p[1] - p[0]).abs()))
        .sum::<f64>()
        / 7.0;
    assert_eq!(f[0], mean as f32);
    assert!(
        (f64::from(f[1]) - var.sqrt()).abs() < 1.0 / n,
        "{} {}",
        f[1],
        var.sqrt()
    );
    assert_eq!(&f[2..7], &[-5.0, 9.0, 1.0, 3.0, 4.0]);
    assert!((f64::from(f[7]) - mad).abs() < 1e-6);
    // Band energies against a floating-point DFT of the mean-removed window.
    let mean_int = (mean + 0.5).floor();
    for (b, e) in w.band_edges().windows(2).enumerate() {
        let energy: f64 = (e[0]..e[1])
            .map(|k| {
                let (mut re, mut im) = (0.0, 0.0);
                for (t, &v) in x.iter().enumerate() {
                    let a = 2.0 * core::f64::consts::PI * f64::from(k) * t as f64 / n;
                    re += (f64::from(v) - mean_int) * a.cos();
                    im += (f64::from(v) - mean_int) * a.sin();
                }
                re * re + im * im
            })
            .sum();
        let expected = (1.0 + energy).log2();
        assert!(
            (f64::from(f[8 + b]) - expected).abs() < 0.1,
            "{b}: {} {expected}",
            f[8 + b]
        );
    }
}

#[test]
fn log2_is_monotone_and_exact_at_powers_of_two() {
    assert_eq!(window::log2_plus_one(0), 0.0);
    assert_eq!(window::log2_plus_one(1023), 10.0);
    assert_eq!(
        window::log2_plus_one(u64::MAX),
        64.0 - 1.0 + 65535.0 / 65536.0
    );
    let mut last = -1.0;
    for e in (0..100_000u64).step_by(7) {
        let v = window::log2_plus_one(e);
        assert!(v >= last);
        last = v;
    }
}

#[test]
fn magnitude_is_the_floor_of_the_norm() {
    let words = Window::describe(4, 4, 4, &[1], 1, Stage::Statistics).unwrap();
    let w = Window::from_words(&words).unwrap();
    assert_eq!(w.derived(&[7, 3, 4, 12], 4), 13);
    assert_eq!(w.derived(&[0, i16::MIN, i16::MIN, i16::MIN], 4), 56755);
    assert_eq!(w.derived(&[0, 1, 1, 1], 4), 1);
}

fn har_blob(channels: usize, length: usize, hop: usize, vectors: &[usize]) -> Vec<u8> {
    use crate::classify::{ClassifierRepr, Encoding};
    let words = window_words(channels, length, hop, vectors);
    let window = Window::from_words(&words).unwrap();
    let f = window.features();
    let (min, scale, center) = (
        alloc::vec![-1000f32; f],
        alloc::vec![1e-3f32; f],
        alloc::vec![0.5f32; f],
    );
    let book = crate::Codebook::new(5);
    let protos: Vec<Vec<u8>> = (0..3u32)
        .map(|c| bytemuck::cast_slice(book.vector::<64>(c).as_words()).to_vec())
        .collect();
    let protos: Vec<&[u8]> = protos.iter().map(|p| p.as_slice()).collect();
    let classifier = ClassifierRepr {
        dim: 2048,
        encoding: Encoding::Projection { seed: 11 },
        tie_seed: 3,
        scaling: crate::classify::Scaling {
            min: &min,
            scale: &scale,
            center: &center,
            decorrelation: None,
        },
        prototypes: &protos,
        label_ends: &[1, 2, 3],
        label_text: b"abc",
        confidence: None,
    }
    .to_blob()
    .unwrap();
    WindowClassifierRepr {
        window: &words,
        classifier: &classifier,
    }
    .to_blob()
    .unwrap()
}

#[test]
fn streaming_gives_the_whole_window_answer_every_hop() {
    for (channels, length, hop, vectors) in [
        (6, 64, 32, &HAR[..]),
        (3, 50, 7, &[0][..]),
        (2, 9, 1, &[][..]),
    ] {
        let blob = har_blob(channels, length, hop, vectors);
        let clf = WindowClassifier::<64, 1>::from_bytes(&blob).unwrap();
        let mut stream = Stream::<1024, 64>::new();
        let dft = Dft::<64>::new(length).unwrap();
        let x = samples(channels, 5 * length + 3, length as u64);
        let mut emitted = 0;
        for (i, sample) in x.chunks_exact(channels).enumerate() {
            let got = stream.push(&clf, sample).unwrap();
            let end = i + 1;
            let due = end >= length && (end - length) % hop == 0;
            assert_eq!(got.is_some(), due, "sample {i}");
            if let Some(d) = got {
                let whole = clf
                    .predict_window(&x[(end - length) * channels..end * channels], &dft)
                    .unwrap();
                assert_eq!(d, whole);
                assert_eq!(d.probability, None);
                // The running sums equal the window's.
                emitted += 1;
            }
        }
        assert!(emitted >= 5);
        stream.reset();
        for sample in x.chunks_exact(channels).take(length - 1) {
            assert_eq!(stream.push(&clf, sample).unwrap(), None);
        }
    }
}

#[test]
fn running_sums_equal_the_window_sums() {
    let x: Vec<i32> = samples(1, 300, 9).iter().map(|&v| i32::from(v)).collect();
    let t = 37;
    let mut s = window::Sums::default();
    for i in 0..x.len() {
        if i >= t {
            s.remove(x[i - t], x[i - t + 1]);
        }
        s.add(
            x[i],
            i.checked_sub(1)
                .filter(|_| i % t != 0 || i >= t)
                .map(|p| x[p]),
        );
        if i + 1 >= t {
            assert_eq!(s, window::Sums::of(&x[i + 1 - t..=i]), "at {i}");
        }
    }
}

#[test]
fn bad_inputs_are_errors() {
    let blob = har_blob(6, 64, 32, &HAR);
    let clf = WindowClassifier::<64, 1>::from_bytes(&blob).unwrap();
    let sample = [0i16; 6];
    assert!(matches!(
        Stream::<100, 64>::new().push(&clf, &sample),
        Err(Error::BufferTooSmall {
            needed: 512,
            found: 100
        })
    ));
    assert!(matches!(
        Stream::<1024, 32>::new().push(&clf, &sample),
        Err(Error::BufferTooSmall {
            needed: 64,
            found: 32
        })
    ));
    let mut stream = Stream::<1024, 64>::new();
    assert!(stream.push(&clf, &[0; 5]).is_err());
    let dft = Dft::<64>::new(64).unwrap();
    assert!(clf.predict_window(&[0; 10], &dft).is_err());
    assert!(clf
        .predict_window(&[0; 384], &Dft::<64>::new(60).unwrap())
        .is_err());
    assert!(Dft::<64>::new(65).is_err());
    // The wrong dimension, a classifier blob, a truncated blob.
    assert!(WindowClassifier::<32, 1>::from_bytes(&blob).is_err());
    let classifier = Model::new_checked(&blob)
        .unwrap()
        .section(tags::CLASSIFIER)
        .unwrap()
        .to_vec();
    assert!(WindowClassifier::<64, 1>::from_bytes(&classifier).is_err());
    for cut in [0, 10, blob.len() / 2, blob.len() - 1] {
        assert!(WindowClassifier::<64, 1>::from_bytes(&blob[..cut]).is_err());
    }
    // Extreme samples neither overflow nor panic.
    let extreme = [i16::MIN; 6];
    for _ in 0..200 {
        stream.push(&clf, &extreme).unwrap();
        stream.push(&clf, &[i16::MAX; 6]).unwrap();
    }
}

#[test]
fn integer_sine_and_heapsort() {
    for j in 0..4096u32 {
        let turn = (u64::from(j) << 32) / 4096;
        let exact = libm::sin(2.0 * core::f64::consts::PI * j as f64 / 4096.0) * 16384.0;
        let got = f64::from(window::sin_q14(turn as u32));
        // Half a unit, and the polynomial's error where the exact value is near a tie.
        assert!((got - exact).abs() <= 0.501, "{j}: {got} vs {exact}");
    }
    let mut rng = SplitMix64::new(3);
    for n in [0usize, 1, 2, 3, 64, 257] {
        let mut v: Vec<i32> = (0..n).map(|_| rng.next_u64() as i32 >> 8).collect();
        let mut sorted = v.clone();
        sorted.sort_unstable();
        window::heapsort(&mut v);
        assert_eq!(v, sorted);
    }
}
