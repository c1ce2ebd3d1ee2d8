//! The HAR window classifier streaming on the emulated MCU: every decision checked against
//! the host's, and instruction counts (`./insncount.sh <target> series`) for one sample
//! pushed without a prediction and for the push that completes a window (its features and
//! classification), and so for a whole window: hop × one sample + the prediction.
#![no_std]
#![no_main]

use core::hint::black_box;
use hyperbits::series::{Stream, WindowClassifier};
use hyperbits_qemu::{
    bench_start, bench_stop, entry, har_decisions, har_sample, har_samples, semihosting, HAR_MODEL,
};

#[entry]
fn main() -> ! {
    let clf = match WindowClassifier::<64, 1>::from_bytes(HAR_MODEL) {
        Ok(c) => c,
        Err(e) => {
            semihosting::eprintln!("cannot load the model: {}", e);
            semihosting::process::exit(1)
        }
    };
    let mut stream = match Stream::<512, 64>::new(&clf) {
        Ok(s) => s,
        Err(e) => {
            semihosting::eprintln!("cannot build the stream: {}", e);
            semihosting::process::exit(1)
        }
    };
    let mut expected = har_decisions();
    let (mut decisions, mut same) = (0usize, 0usize);
    for i in 0..har_samples() {
        if let Ok(Some(d)) = stream.push(&clf, &har_sample(i)) {
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
    semihosting::println!(
        "HAR stream on {}: {} of {} decisions (class, margin, probability) identical to the host",
        hyperbits_qemu::TARGET,
        same,
        decisions
    );
    // Measured on a fresh stream: 63 samples in, the 64th completes the first window; then
    // 31 more, and the 96th sample completes the next (a hop of 32).
    stream.reset();
    for i in 0..63 {
        let _ = stream.push(&clf, &har_sample(i));
    }
    let (sample, last) = (har_sample(62), har_sample(63));
    semihosting::println!("region: (empty)");
    bench_start();
    bench_stop();
    stream.reset();
    for i in 0..62 {
        let _ = stream.push(&clf, &har_sample(i));
    }
    semihosting::println!(
        "region: series: one sample pushed, no prediction (6 channels + 2 magnitudes)"
    );
    bench_start();
    let r = stream.push(&clf, black_box(&sample));
    bench_stop();
    black_box(r).ok();
    semihosting::println!(
        "region: series: the sample that completes a window: features (112) and prediction (D=2048, 6 classes)"
    );
    bench_start();
    let r = stream.push(&clf, black_box(&last));
    bench_stop();
    black_box(r).ok();
    let dft = match hyperbits::series::Dft::<64>::new(64) {
        Ok(d) => d,
        Err(_) => semihosting::process::exit(1),
    };
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
    semihosting::println!("done");
    semihosting::process::exit(if same == decisions && decisions == 19 {
        0
    } else {
        1
    })
}
