//! The HAR window classifier streaming on the emulated MCU: every decision checked against
//! the host's, and instruction counts (`./insncount.sh <target> series`) for one sample
//! pushed without a prediction, for the push that completes a window (its features and
//! classification), and for the features alone; a whole window costs hop × one sample + the
//! completing push. Each part runs in its own frame (the Cortex-M0 has 16 KiB of RAM).
#![no_std]
#![no_main]

use core::hint::black_box;
use hyperbits::series::{Dft, Stream, WindowClassifier};
use hyperbits_qemu::{
    bench_start, bench_stop, entry, har_decisions, har_sample, har_samples, semihosting, HAR_MODEL,
    HAR_TEMPORAL_MODEL,
};

type Har = WindowClassifier<'static, 64, 1>;

fn fail(what: &str, e: hyperbits::Error) -> ! {
    semihosting::eprintln!("{}: {}", what, e);
    semihosting::process::exit(1)
}

type HarStream = Stream<512, 64>;

/// Streams the whole file; returns (decisions, identical to the host's).
#[inline(never)]
fn check(clf: &Har, stream: &mut HarStream) -> (usize, usize) {
    let mut expected = har_decisions();
    let (mut decisions, mut same) = (0usize, 0usize);
    for i in 0..har_samples() {
        if let Ok(Some(d)) = stream.push(clf, &har_sample(i)) {
            let host = expected.next();
            decisions += 1;
            same += usize::from(
                host == Some((
                    d.prediction.class as u32,
                    d.margin,
                    d.probability.unwrap_or(0),
                )),
            );
        }
    }
    (decisions, same)
}

/// One push without a prediction (the 63rd sample) and the push that completes the window.
#[inline(never)]
fn measure_pushes(clf: &Har, stream: &mut HarStream) {
    stream.reset();
    for i in 0..62 {
        let _ = stream.push(clf, &har_sample(i));
    }
    let (sample, last) = (har_sample(62), har_sample(63));
    semihosting::println!(
        "region: series: one sample pushed, no prediction (6 channels + 2 magnitudes)"
    );
    bench_start();
    let r = stream.push(clf, black_box(&sample));
    bench_stop();
    black_box(r).ok();
    semihosting::println!(
        "region: series: the sample that completes a window: features (112) and prediction (D=2048, 6 classes)"
    );
    bench_start();
    let r = stream.push(clf, black_box(&last));
    bench_stop();
    black_box(r).ok();
}

/// The push that completes a window through the temporal stage (not on the Cortex-M0: its
/// counters and the record's frame need more than its 16 KiB).
#[inline(never)]
fn measure_temporal() {
    if cfg!(all(target_arch = "arm", not(target_abi = "eabihf"))) {
        return;
    }
    let clf = Har::from_bytes(HAR_TEMPORAL_MODEL).unwrap_or_else(|e| fail("temporal model", e));
    let mut stream = HarStream::new();
    for i in 0..63 {
        let _ = stream.push(&clf, &har_sample(i));
    }
    let last = har_sample(63);
    semihosting::println!(
        "region: series, temporal stage: the sample that completes a window (64 steps of 8, 5-grams)"
    );
    bench_start();
    let r = stream.push(&clf, black_box(&last));
    bench_stop();
    black_box(r).ok();
}

/// The window stage alone on one whole window.
#[inline(never)]
fn measure_features(clf: &Har) {
    let dft = Dft::<64>::new(64).unwrap_or_else(|e| fail("dft", e));
    let mut window = [0i16; 384];
    for (t, chunk) in window.chunks_exact_mut(6).enumerate() {
        chunk.copy_from_slice(&har_sample(t));
    }
    let mut features = [0f32; 112];
    semihosting::println!("region: series: features of one window (112)");
    bench_start();
    let r = clf
        .window()
        .features_of(black_box(&window), &dft, &mut features);
    bench_stop();
    black_box(r).ok();
    black_box(&features);
}

#[entry]
fn main() -> ! {
    let clf = Har::from_bytes(HAR_MODEL).unwrap_or_else(|e| fail("cannot load the model", e));
    // One stream for everything: 3.5 KiB, on the Cortex-M0's 16 KiB.
    let mut stream = HarStream::new();
    let (decisions, same) = check(&clf, &mut stream);
    semihosting::println!(
        "HAR stream on {}: {} of {} decisions (class, margin, probability) identical to the host",
        hyperbits_qemu::TARGET,
        same,
        decisions
    );
    semihosting::println!("region: (empty)");
    bench_start();
    bench_stop();
    measure_pushes(&clf, &mut stream);
    measure_features(&clf);
    measure_temporal();
    semihosting::println!("done");
    semihosting::process::exit(if same == decisions && decisions == 19 {
        0
    } else {
        1
    })
}
