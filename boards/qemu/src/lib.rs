//! Support code for running hyperbits on emulated microcontrollers under QEMU.
//!
//! - [`run_tests!`]: a minimal test harness over semihosting. A failed assertion panics, the
//!   panic handler prints it and exits QEMU with code 101, so `cargo test` fails.
//! - Fault handlers that print and exit (code 3) instead of spinning forever.
//! - [`bench_start`] / [`bench_stop`]: marker functions whose addresses the instruction-count
//!   plugin (`insncount/insncount.c`) watches; each start/stop pair is one measured region.
//! - [`stack`]: stack painting, for the footprint firmwares' high-water marks.
#![no_std]

pub mod stack;

#[cfg(target_arch = "arm")]
use cortex_m as _; // critical-section implementation
#[cfg(target_arch = "arm")]
pub use cortex_m_rt::entry;
#[cfg(target_arch = "riscv32")]
use riscv as _;
#[cfg(target_arch = "riscv32")]
pub use riscv_rt::entry;
pub use semihosting;

/// Runs each test function in order, printing libtest-style lines, then exits QEMU with 0.
#[macro_export]
macro_rules! run_tests {
    ($($t:path),* $(,)?) => {{
        let tests: &[(&str, fn())] = &[$((stringify!($t), $t)),*];
        $crate::semihosting::println!("running {} tests on {}", tests.len(), $crate::TARGET);
        for (name, f) in tests {
            $crate::semihosting::print!("test {} ... ", name);
            f();
            $crate::semihosting::println!("ok");
        }
        $crate::semihosting::println!("\ntest result: ok. {} passed; 0 failed", tests.len());
        $crate::semihosting::println!("{} passed, 0 failed", tests.len());
        $crate::semihosting::process::exit(0)
    }};
}

/// The target this binary was built for, for log lines.
pub const TARGET: &str = if cfg!(target_arch = "riscv32") {
    "riscv32imc (QEMU virt)"
} else if cfg!(target_abi = "eabihf") {
    "thumbv7em (QEMU mps2-an386, Cortex-M4F)"
} else {
    "thumbv6m (QEMU microbit, Cortex-M0)"
};

static MARK: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);

/// A store the optimiser must keep (an atomic store to a never-read static may be removed,
/// and the empty marker call with it).
#[inline(always)]
fn mark(value: u32) {
    // SAFETY: the pointer comes from a live static `AtomicU32`, so it is valid and aligned;
    // the program is single-threaded and nothing else accesses `MARK` concurrently.
    unsafe { core::ptr::write_volatile(MARK.as_ptr(), value) }
}

/// Start of a measured region (a distinct store, so the two markers cannot be merged).
#[inline(never)]
#[no_mangle]
pub extern "C" fn bench_start() {
    mark(1);
}

/// End of a measured region.
#[inline(never)]
#[no_mangle]
pub extern "C" fn bench_stop() {
    mark(2);
}

/// cortex-m-rt's default HardFault handler spins forever and would hang CI.
#[cfg(target_arch = "arm")]
#[cortex_m_rt::exception]
unsafe fn HardFault(ef: &cortex_m_rt::ExceptionFrame) -> ! {
    semihosting::eprintln!("HardFault at pc={:#010x}", ef.pc());
    semihosting::process::exit(3)
}

/// The digits classifier trained on the host (`cargo run --release --example
/// qemu_data` at the repository root writes it), 4-byte aligned for in-place reading.
pub static DIGITS_MODEL: &[u8] = hyperbits::include_model!("../data/digits.hbm");

/// The digits test rows with their labels and the host's predictions (format in
/// `examples/qemu_data.rs` at the repository root).
pub static DIGITS_TEST: &[u8] = include_bytes!("../data/digits-test.bin");

/// Digits features per row.
pub const DIGITS_FEATURES: usize = 64;

/// The length and CRC of the blob the host's learner wrote (steps in
/// `examples/qemu_data.rs`).
pub static DIGITS_LEARNED: &[u8] = include_bytes!("../data/digits-learned.bin");

/// The bit-input SAE of `examples/qemu_data.rs` (D = 512, h = 32, k = 8).
pub static SAE_MODEL: &[u8] = hyperbits::include_model!("../data/sae.hbm");

/// The same kind of SAE with h = 64 (D = 512, k = 8), for the footprint firmware.
pub static SAE64_MODEL: &[u8] = hyperbits::include_model!("../data/sae-64.hbm");

/// The host's encodings and reconstructions of 16 inputs with [`SAE_MODEL`] (212 bytes each).
pub static SAE_EXPECTED: &[u8] = include_bytes!("../data/sae-expected.bin");

/// [`SAE_MODEL`]'s first 16 latents with a packed ternary encoder (threshold τ = 0.05), no
/// decoder.
pub static SAE_TERNARY_MODEL: &[u8] = hyperbits::include_model!("../data/sae-ternary.hbm");

/// The host's encodings of the same 16 inputs with [`SAE_TERNARY_MODEL`] (212 bytes each).
pub static SAE_TERNARY_EXPECTED: &[u8] = include_bytes!("../data/sae-ternary-expected.bin");

/// [`SAE_MODEL`]'s first 16 latents with a packed binary encoder, no decoder.
pub static SAE_BINARY_MODEL: &[u8] = hyperbits::include_model!("../data/sae-binary.hbm");

/// The host's encodings of the same 16 inputs with [`SAE_BINARY_MODEL`] (212 bytes each).
pub static SAE_BINARY_EXPECTED: &[u8] = include_bytes!("../data/sae-binary-expected.bin");

/// A dense-input SAE with rows at odd offsets: d = 67, h = 41, k = 8, int8 encoder only.
pub static SAE_DENSE_SMALL_MODEL: &[u8] = hyperbits::include_model!("../data/sae-dense-small.hbm");

/// The host's accumulators and codes of 8 inputs with [`SAE_DENSE_SMALL_MODEL`] (500 bytes
/// each; format in `examples/qemu_data.rs`).
pub static SAE_DENSE_EXPECTED: &[u8] = include_bytes!("../data/sae-dense-expected.bin");

/// A JumpReLU SAE over float rows quantised per row (d = 67, h = 41, at most 8 kept; int8
/// encoder only).
pub static SAE_JUMPRELU_MODEL: &[u8] = hyperbits::include_model!("../data/sae-jumprelu.hbm");

/// The host's accumulators and codes of 8 rows 50× apart in size with [`SAE_JUMPRELU_MODEL`]
/// (the format of [`SAE_DENSE_EXPECTED`]).
pub static SAE_JUMPRELU_EXPECTED: &[u8] = include_bytes!("../data/sae-jumprelu-expected.bin");

/// A JumpReLU SAE over bits: [`SAE_MODEL`]'s first 16 latents, thresholds in accumulator
/// units, at most 8 kept, no decoder.
pub static SAE_JUMPRELU_BITS_MODEL: &[u8] =
    hyperbits::include_model!("../data/sae-jumprelu-bits.hbm");

/// The host's encodings of the 16 inputs with [`SAE_JUMPRELU_BITS_MODEL`] (212 bytes each).
pub static SAE_JUMPRELU_BITS_EXPECTED: &[u8] =
    include_bytes!("../data/sae-jumprelu-bits-expected.bin");

/// A dense-input SAE, d = 64, h = 512, k = 32, int8 encoder only, for instruction counts.
pub static SAE_DENSE_MODEL: &[u8] = hyperbits::include_model!("../data/sae-dense.hbm");

/// [`SAE_DENSE_MODEL`]'s first 256 latents over float rows quantised per row (`i16`), for
/// instruction counts.
pub static SAE_DENSE_ROWS_MODEL: &[u8] = hyperbits::include_model!("../data/sae-dense-rows.hbm");

/// [`SAE64_MODEL`]'s encoder as packed ternary weights (τ = 0.05), for instruction counts.
pub static SAE64_TERNARY_MODEL: &[u8] = hyperbits::include_model!("../data/sae-ternary-64.hbm");

/// [`SAE64_MODEL`]'s encoder as packed binary weights, for instruction counts.
pub static SAE64_BINARY_MODEL: &[u8] = hyperbits::include_model!("../data/sae-binary-64.hbm");

/// Reads a little-endian `u32` at byte `at`.
pub fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// The test rows: `(true label, host prediction, features)`.
pub fn digits_rows() -> impl Iterator<Item = (u8, u8, [f32; DIGITS_FEATURES])> {
    let rows = u32_at(DIGITS_TEST, 0) as usize;
    assert_eq!(u32_at(DIGITS_TEST, 4) as usize, DIGITS_FEATURES);
    let stride = 4 + DIGITS_FEATURES;
    (0..rows).map(move |i| {
        let at = 8 + i * stride;
        let features = core::array::from_fn(|f| f32::from(DIGITS_TEST[at + 4 + f]));
        (DIGITS_TEST[at], DIGITS_TEST[at + 1], features)
    })
}

/// A sinusoid-encoded classifier with a confidence table (`examples/qemu_data.rs`).
pub static CHECKERBOARD_MODEL: &[u8] = hyperbits::include_model!("../data/checkerboard.hbm");

/// Its test rows with the host's class, margin and probability.
pub static CHECKERBOARD_EXPECTED: &[u8] = include_bytes!("../data/checkerboard-expected.bin");

/// The checkerboard data through a thermometer-encoded classifier (`examples/qemu_data.rs`).
pub static CHECKERBOARD_THERMOMETER_MODEL: &[u8] =
    hyperbits::include_model!("../data/checkerboard-thermometer.hbm");

/// Its test rows with the host's class, margin and probability.
pub static CHECKERBOARD_THERMOMETER_EXPECTED: &[u8] =
    include_bytes!("../data/checkerboard-thermometer-expected.bin");

/// The checkerboard data through a classifier that decorrelates its features first
/// (`examples/qemu_data.rs`).
pub static CHECKERBOARD_DECORRELATED_MODEL: &[u8] =
    hyperbits::include_model!("../data/checkerboard-decorrelated.hbm");

/// Its test rows with the host's class, margin and probability.
pub static CHECKERBOARD_DECORRELATED_EXPECTED: &[u8] =
    include_bytes!("../data/checkerboard-decorrelated-expected.bin");

/// An ensemble of three checkerboard classifiers (`examples/qemu_data.rs`).
pub static CHECKERBOARD_ENSEMBLE_MODEL: &[u8] =
    hyperbits::include_model!("../data/checkerboard-ensemble.hbm");

/// Its test rows with the host's class, margin and probability.
pub static CHECKERBOARD_ENSEMBLE_EXPECTED: &[u8] =
    include_bytes!("../data/checkerboard-ensemble-expected.bin");

/// Rows of a checkerboard file (`CHECKERBOARD_EXPECTED` or `CHECKERBOARD_ENSEMBLE_EXPECTED`):
/// `(features, class, margin, probability)`.
pub fn checkerboard_rows(
    expected: &'static [u8],
) -> impl Iterator<Item = ([f32; 3], u32, u32, u32)> {
    let rows = u32_at(expected, 0) as usize;
    (0..rows).map(move |i| {
        let at = 4 + i * 24;
        let word = |k: usize| u32_at(expected, at + 4 * k);
        (
            core::array::from_fn(|f| f32::from_bits(word(f))),
            word(3),
            word(4),
            word(5),
        )
    })
}

/// The key vectors of features 0-15 and the 16 level vectors of `Record::new(3, Level::new(2,
/// 16))` at D = 2048, as `RecordTable` rows (written by `examples/qemu_data.rs`).
pub static RECORD_TABLE: &[u8] = hyperbits::include_model!("../data/record-table.bin");

/// [`RECORD_TABLE`] as its `(keys, values)` rows, read in place.
pub fn record_table() -> (&'static [[u32; 64]], &'static [[u32; 64]]) {
    let words: &[u32] = bytemuck::cast_slice(RECORD_TABLE);
    let (rows, _) = words.as_chunks::<64>();
    rows.split_at(16)
}

/// A classic Hopfield memory, N = 1024, P = 102, written by the same host example.
pub static HOPFIELD_MODEL: &[u8] = hyperbits::include_model!("../data/hopfield.hbm");

/// The host's recall of one cue from [`HOPFIELD_MODEL`]: steps, cue, final state.
pub static HOPFIELD_RECALL: &[u8] = include_bytes!("../data/hopfield-recall.bin");

/// `(steps, cue, state)` of the host's recall in [`HOPFIELD_RECALL`].
pub fn hopfield_case() -> (
    u32,
    hyperbits::BinaryVector<32>,
    hyperbits::BinaryVector<32>,
) {
    let word = |k: usize| u32_at(HOPFIELD_RECALL, 4 + 4 * k);
    let cue = hyperbits::BinaryVector::from_words(core::array::from_fn(word));
    let state = hyperbits::BinaryVector::from_words(core::array::from_fn(|k| word(32 + k)));
    (u32_at(HOPFIELD_RECALL, 0), cue, state)
}

/// A Bloom sketch of keys 0..64 (2,464 bits, k = 27, seed 7), written by the same host example.
pub static SKETCH_MODEL: &[u8] = hyperbits::include_model!("../data/sketch.hbm");

/// The host's answers for [`SKETCH_MODEL`]: `contains` for keys 0..256, then the `f64` bits of
/// its intersection estimate with the sketch of keys 32..96.
pub static SKETCH_EXPECTED: &[u8] = include_bytes!("../data/sketch-expected.bin");

/// Words of [`SKETCH_MODEL`]'s bits, to build a compatible sketch on the device.
pub const SKETCH_WORDS: usize = 77;

/// riscv-rt's default exception handler spins forever too.
#[cfg(target_arch = "riscv32")]
#[export_name = "ExceptionHandler"]
fn exception_handler(_tf: &riscv_rt::TrapFrame) -> ! {
    semihosting::eprintln!(
        "exception: mcause={:#x} mepc={:#010x}",
        riscv::register::mcause::read().bits(),
        riscv::register::mepc::read()
    );
    semihosting::process::exit(3)
}

/// The HAR window classifier (`examples/qemu_data.rs`): 64 samples × 6 channels, the
/// magnitudes of channels 0-2 and 3-5, a prediction every 32 samples.
pub static HAR_MODEL: &[u8] = hyperbits::include_model!("../data/har.hbm");

/// A stream of ten validation windows and the host's decision at each hop.
pub static HAR_STREAM: &[u8] = include_bytes!("../data/har-stream.bin");

/// Sample `i` of [`HAR_STREAM`] (six channels).
pub fn har_sample(i: usize) -> [i16; 6] {
    let at = 8 + 12 * i;
    core::array::from_fn(|c| {
        i16::from_le_bytes([HAR_STREAM[at + 2 * c], HAR_STREAM[at + 2 * c + 1]])
    })
}

/// The number of samples in [`HAR_STREAM`].
pub fn har_samples() -> usize {
    u32_at(HAR_STREAM, 0) as usize
}

/// The host's decisions on [`HAR_STREAM`]: `(class, margin, probability)` per hop.
pub fn har_decisions() -> impl Iterator<Item = (u32, u32, u32)> {
    decisions(&HAR_STREAM[8 + 12 * har_samples()..])
}

/// The HAR data through the temporal stage (`examples/qemu_data.rs`).
pub static HAR_TEMPORAL_MODEL: &[u8] = hyperbits::include_model!("../data/har-temporal.hbm");

/// Its decisions on [`HAR_STREAM`]'s samples.
pub static HAR_TEMPORAL_EXPECTED: &[u8] = include_bytes!("../data/har-temporal-expected.bin");

/// The host's decisions in a file of `decisions: u32` then `(class, margin, probability)`.
pub fn decisions(bytes: &'static [u8]) -> impl Iterator<Item = (u32, u32, u32)> {
    (0..u32_at(bytes, 0) as usize).map(move |k| {
        let w = |j: usize| u32_at(bytes, 4 + 12 * k + 4 * j);
        (w(0), w(1), w(2))
    })
}
