//! Writes what the emulated-board tests need to check models on the MCU against the host.
//! The files are committed; CI runs this again and fails if they changed, so the on-target
//! tests always check the current code.
//!
//! - `digits.hbm`: the digits classifier trained with the default options (as `quickstart`);
//!   `digits-test.bin`, little-endian: `rows: u32`, `features: u32`, then per row
//!   `label: u8`, `host prediction: u8`, two zero bytes, `features × u8` (the pixel counts
//!   0..=16, fed to the classifier as `f32`).
//!   `digits-sample.bin`: the first test row alone (host prediction `u8`, three zero bytes,
//!   64 × `f32`).
//!   `digits-learned.bin`: `length: u32`, `crc: u32` of the blob a [`Learner`] on the digits
//!   model writes after `learn(3, first six test rows labelled 3, prior 4)` and
//!   `add_class("mixed", first six test rows)`; the MCU replays these steps.
//! - `hopfield.hbm`: a classic Hopfield memory, N = 1024, P = 102 (load 0.10), patterns 0..102
//!   of `Codebook::new(1)`; `hopfield-recall.bin`: `steps: u32`, then a cue (pattern 5 with
//!   every tenth bit flipped, 32 words) and the host's synchronous recall of it (32 words).
//!
//! - `sae-dense.hbm`: a random dense-input SAE, d = 64, h = 512, k = 32, int8 encoder only
//!   (instruction counts); `sae-dense-small.hbm`: d = 67 (rows at odd offsets), h = 41, k = 8,
//!   and `sae-dense-expected.bin`: 8 cases of 67 × f32 input, 41 × i32 accumulators, the
//!   number of kept latents (u32), 8 × u32 indices and 8 × f32 value bits.
//! - `sketch.hbm`: a Bloom sketch of keys 0..64 planned for 1e-3 over an alphabet of 100,000
//!   (2,455 bits rounded up to 2,464, k = 27, seed 7); `sketch-expected.bin`: 256 bytes, the
//!   host's `contains` for keys 0..256, then the `f64` bits of its intersection estimate with
//!   the sketch of keys 32..96 (same parameters).
//!
//! - `sae.hbm`: a random bit-input SAE (D = 512, h = 32, k = 8, int8 encoder and decoder,
//!   SplitMix64 weights from seed 11) in the model container; `sae-expected.bin`: 16 cases,
//!   each the input (16 words), the number of active latents (`u32`), their indices
//!   (8 × `u16`), accumulators (8 × `i32`) and values (8 × `f32` bits), zero-padded, and the
//!   `decode_bits` reconstruction (16 words). `sae-64.hbm`: the same with h = 64 (the spec's
//!   hypervector size, 70,452-byte HSAE blob), for the footprint firmware.
//!
//! - `checkerboard.hbm`: a sinusoid-encoded classifier with a confidence table (two classes:
//!   whether two features have the same sign); `checkerboard-expected.bin`: 64 rows of three
//!   `f32` features and the host's class, margin and probability (see [`checkerboard`]);
//!   `checkerboard-ensemble.hbm` and `checkerboard-ensemble-expected.bin`: the same for an
//!   ensemble of three members; `checkerboard-thermometer*`: for the thermometer encoder;
//!   `checkerboard-decorrelated*`: for a model that decorrelates its features first.
//! - `har.hbm`: the window classifier of `examples/data/har` (the `activity` example's model:
//!   default options, magnitudes of channels 0-2 and 3-5, seed 0); `har-stream.bin`:
//!   `samples: u32`, `channels: u32`, the first ten validation windows one after the other
//!   (`samples × channels` × `i16`), then `decisions: u32` and per prediction the stream emits
//!   (every 32 samples from the 64th) the host's class, margin and probability (`u32` each).
//!   `har-temporal.hbm` and `har-temporal-expected.bin`: the same data through the temporal
//!   stage (n-grams of per-step records, 5-grams), and its decisions on the same stream
//!   (`decisions: u32`, then class, margin, probability).
//! - `record-table.bin`: the key vectors of features 0-15 and the 16 level vectors of
//!   `Record::new(3, Level::new(2, 16))` at D = 2048 (`RecordTable` rows, little-endian
//!   words), the table the instruction counts read from flash.
//!
//! Run: `cargo run --release --example qemu_data`

use hyperbits::classify::Classifier;
use hyperbits::hopfield::{Hopfield, Update};
use hyperbits::learn::Learner;
use hyperbits::model::AlignedBlob;
use hyperbits::plan::{plan_membership, Model, Scope, Vsa};
use hyperbits::sae::{Activation, Input, Sae, TopK, Weights};
use hyperbits::sketch::Bloom;
use hyperbits::train::csv::read_csv;
use hyperbits::train::sae::export::{ExportOptions, FloatSae};
use hyperbits::train::{train, Options};
use hyperbits::{words, Codebook};
use std::path::Path;

const W: usize = words(2048);

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = root.join("examples/data/digits");
    let (tr, te) = (data.join("train.csv"), data.join("test.csv"));
    let table = read_csv(&tr, true, None)?;
    let (classes, _) = table.classes();
    let train_set = table.dataset(&tr, &classes)?;
    let test_set = read_csv(&te, true, Some(&table.columns))?.dataset(&te, &classes)?;
    let model = train::<W>(&train_set, &Options::default())?;
    let out = root.join("boards/qemu/data");
    std::fs::create_dir_all(&out)?;
    std::fs::write(out.join("digits.hbm"), model.to_blob()?)?;
    let mut bytes = Vec::new();
    bytes.extend_from_slice(&(test_set.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&(test_set.features as u32).to_le_bytes());
    for i in 0..test_set.len() {
        let predicted = model.predict(test_set.row(i))?.class;
        bytes.extend_from_slice(&[test_set.labels[i] as u8, predicted as u8, 0, 0]);
        for &x in test_set.row(i) {
            // The digits features are pixel counts 0..=16: one byte each keeps the file (and
            // the M0 test firmware that embeds it) small.
            if x != x.round() || !(0.0..=255.0).contains(&x) {
                return Err(format!("digits feature {x} is not a byte").into());
            }
            bytes.push(x as u8);
        }
    }
    std::fs::write(out.join("digits-test.bin"), bytes)?;
    // One test row alone (host prediction, three zero bytes, 64 × f32), for the footprint
    // firmware, which must not carry the whole test set.
    let mut one = vec![model.predict(test_set.row(0))?.class as u8, 0, 0, 0];
    test_set
        .row(0)
        .iter()
        .for_each(|x| one.extend_from_slice(&x.to_le_bytes()));
    std::fs::write(out.join("digits-sample.bin"), one)?;

    let blob = AlignedBlob::new(&model.to_blob()?);
    let mut learner = Learner::<W, 11>::new(Classifier::from_bytes(blob.as_bytes())?)?;
    let encode = |i: usize| learner.encode(test_set.row(i));
    let threes = (0..test_set.len())
        .filter(|&i| test_set.labels[i] == 3)
        .take(6)
        .map(encode)
        .collect::<Result<Vec<_>, _>>()?;
    let mixed = (0..6).map(encode).collect::<Result<Vec<_>, _>>()?;
    learner.learn(3, &threes, 4)?;
    learner.add_class("mixed", &mixed)?;
    let mut learned = vec![0u8; 8192];
    let len = learner.write_blob(&mut learned)?;
    let mut bytes = (len as u32).to_le_bytes().to_vec();
    bytes.extend_from_slice(&learned[len - 4..len]);
    std::fs::write(out.join("digits-learned.bin"), bytes)?;

    let book = Codebook::new(1);
    let mut memory = Box::new(Hopfield::<32, 102>::new());
    for i in 0..102 {
        memory.store(book.vector(i))?;
    }
    std::fs::write(out.join("hopfield.hbm"), memory.to_blob()?)?;
    let mut cue = book.vector::<32>(5);
    for i in (0..1024).step_by(10) {
        let b = cue.bit(i)?;
        cue.set_bit(i, !b)?;
    }
    let recall = memory.recall(&cue, Update::Synchronous, 20);
    let mut bytes = recall.steps.to_le_bytes().to_vec();
    for w in cue.as_words().iter().chain(recall.state.as_words()) {
        bytes.extend_from_slice(&w.to_le_bytes());
    }
    std::fs::write(out.join("hopfield-recall.bin"), bytes)?;

    let plan = plan_membership(
        Vsa::SparseOr,
        64,
        1e-3,
        Scope::AllOf { alphabet: 100_000 },
        Model::Typical,
    )?;
    let words = plan.dim.div_ceil(32) as usize;
    let mut a = Bloom::new(vec![0u32; words], plan.k, 7)?;
    let mut b = Bloom::new(vec![0u32; words], plan.k, 7)?;
    (0..64u64).for_each(|k| a.insert(k));
    (32..96u64).for_each(|k| b.insert(k));
    std::fs::write(out.join("sketch.hbm"), a.to_blob()?)?;
    let mut bytes: Vec<u8> = (0..256u64).map(|k| u8::from(a.contains(k))).collect();
    bytes.extend_from_slice(&a.estimate_intersection(&b)?.to_bits().to_le_bytes());
    std::fs::write(out.join("sketch-expected.bin"), bytes)?;
    let mut state = hyperbits::rng::SplitMix64::new(11);
    let mut uniform = move || state.next_u64();
    let mut float = move |n: usize, scale: f32| -> Vec<f32> {
        (0..n)
            .map(|_| scale * ((uniform() >> 40) as f32 / (1u64 << 23) as f32 - 1.0))
            .collect()
    };
    let (d, h) = (512, 32);
    let sae = FloatSae {
        d_in: d,
        h,
        k: 8,
        input: Input::Bits,
        activation: Activation::TopK,
        thresholds: Vec::new(),
        w_enc: float(h * d, 0.2),
        b_enc: float(h, 1.0),
        b_pre: vec![0.5; d],
        w_dec: float(h * d, 0.2),
        b_dec: float(d, 0.5),
    };
    let blob = AlignedBlob::new(&sae.to_blob(&[], &ExportOptions::default())?);
    std::fs::write(out.join("sae.hbm"), blob.as_bytes())?;
    let wide = FloatSae {
        h: 64,
        w_enc: float(64 * d, 0.2),
        b_enc: float(64, 1.0),
        w_dec: float(64 * d, 0.2),
        ..sae.clone()
    };
    std::fs::write(
        out.join("sae-64.hbm"),
        wide.to_blob(&[], &ExportOptions::default())?,
    )?;
    std::fs::write(
        out.join("sae-expected.bin"),
        sae_expected(&Sae::from_bytes(blob.as_bytes())?)?,
    )?;
    // A dense-input model at the spec's large-simulation size (d = 64, h = 512, k = 32), int8
    // encoder only, for the instruction counts; calibrated on inputs in ±2.
    let dense = random_dense(&mut float, 64, 512, 32, 0.2);
    let calibration = float(64 * 32, 2.0);
    let options = ExportOptions {
        decoder: false,
        ..ExportOptions::default()
    };
    std::fs::write(
        out.join("sae-dense.hbm"),
        dense.to_blob(&calibration, &options)?,
    )?;
    // Its first 256 latents over float rows quantised per row (i16), for the instruction
    // counts (the Cortex-M0's flash does not hold all 512 beside the others).
    let rows = FloatSae {
        input: Input::DensePerRow,
        h: 256,
        w_enc: dense.w_enc[..256 * 64].to_vec(),
        b_enc: dense.b_enc[..256].to_vec(),
        w_dec: dense.w_dec[..256 * 64].to_vec(),
        ..dense.clone()
    };
    std::fs::write(out.join("sae-dense-rows.hbm"), rows.to_blob(&[], &options)?)?;
    // A small dense model with rows at odd offsets (d = 67) and an odd number of latents in
    // its last chunk (h = 41) for the on-target test, and the
    // host's accumulators and codes of 8 inputs.
    let odd = random_dense(&mut float, 67, 41, 8, 0.3);
    let odd_blob = AlignedBlob::new(&odd.to_blob(&float(67 * 16, 2.0), &options)?);
    std::fs::write(out.join("sae-dense-small.hbm"), odd_blob.as_bytes())?;
    let device = Sae::from_bytes(odd_blob.as_bytes())?;
    let bytes = dense_expected(&device, &mut float, &[2.5; 8])?;
    std::fs::write(out.join("sae-dense-expected.bin"), bytes)?;
    // The same shape as a JumpReLU model over float rows quantised per row (thresholds in
    // [0.5, 1.5], at most 8 kept), with rows whose size varies 50×.
    let jump = FloatSae {
        input: Input::DensePerRow,
        activation: Activation::JumpRelu,
        thresholds: float(41, 0.5).iter().map(|t| t + 1.0).collect(),
        ..random_dense(&mut float, 67, 41, 8, 0.3)
    };
    let jump_blob = AlignedBlob::new(&jump.to_blob(&[], &options)?);
    std::fs::write(out.join("sae-jumprelu.hbm"), jump_blob.as_bytes())?;
    let device = Sae::from_bytes(jump_blob.as_bytes())?;
    let sizes = [0.1, 0.3, 0.7, 1.0, 1.5, 2.5, 3.5, 5.0];
    std::fs::write(
        out.join("sae-jumprelu-expected.bin"),
        dense_expected(&device, &mut float, &sizes)?,
    )?;
    // Packed ternary (with a threshold) and binary encoders, no decoder: the first 16 latents
    // of the h = 32 model for the on-target tests (with the host's results; the M0's flash
    // holds every test model at once) and the h = 64 model for the instruction counts.
    let small = FloatSae {
        h: 16,
        w_enc: sae.w_enc[..16 * d].to_vec(),
        b_enc: sae.b_enc[..16].to_vec(),
        w_dec: sae.w_dec[..16 * d].to_vec(),
        ..sae.clone()
    };
    for (name, weights, threshold) in [
        ("ternary", Weights::Ternary, 0.05),
        ("binary", Weights::Binary, 0.0),
    ] {
        let options = ExportOptions {
            weights,
            decoder: false,
            threshold,
            v1: false,
        };
        let packed = AlignedBlob::new(&small.to_blob(&[], &options)?);
        std::fs::write(out.join(format!("sae-{name}.hbm")), packed.as_bytes())?;
        std::fs::write(
            out.join(format!("sae-{name}-expected.bin")),
            sae_expected(&Sae::from_bytes(packed.as_bytes())?)?,
        )?;
        std::fs::write(
            out.join(format!("sae-{name}-64.hbm")),
            wide.to_blob(&[], &options)?,
        )?;
    }
    // A JumpReLU model over bits (thresholds in [0, 2] compared in accumulator units), at most
    // 8 of its 16 latents kept, no decoder.
    let jump_bits = FloatSae {
        k: 8,
        activation: Activation::JumpRelu,
        thresholds: float(16, 1.0).iter().map(|t| t + 1.0).collect(),
        ..small.clone()
    };
    let blob = AlignedBlob::new(&jump_bits.to_blob(&[], &options_no_decoder())?);
    std::fs::write(out.join("sae-jumprelu-bits.hbm"), blob.as_bytes())?;
    std::fs::write(
        out.join("sae-jumprelu-bits-expected.bin"),
        sae_expected(&Sae::from_bytes(blob.as_bytes())?)?,
    )?;
    checkerboard(&out)?;
    har(root, &out)?;
    record_table(&out)?;
    println!("wrote {}", out.display());
    Ok(())
}

/// `rows: u32`, then per row its three `f32` features and the answer's class, margin and
/// probability (`u32` each).
fn answers(
    rows: &[[f32; 3]],
    answer: impl Fn(&[f32]) -> Result<hyperbits::classify::Confident, hyperbits::Error>,
) -> Result<Vec<u8>, hyperbits::Error> {
    let mut bytes = (rows.len() as u32).to_le_bytes().to_vec();
    for r in rows {
        let c = answer(r)?;
        r.iter()
            .for_each(|x| bytes.extend_from_slice(&x.to_le_bytes()));
        for w in [c.prediction.class as u32, c.margin, c.probability] {
            bytes.extend_from_slice(&w.to_le_bytes());
        }
    }
    Ok(bytes)
}

/// `checkerboard.hbm`: a classifier of whether two features have the same sign (plus a
/// feature of noise), trained with the default options, which pick the sinusoid encoder;
/// `checkerboard-expected.bin`: `rows: u32`, then per row three `f32` features, the host's
/// class (`u32`), margin (`u32`) and probability (`u32`, units of 2^-16).
fn checkerboard(out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut state = hyperbits::rng::SplitMix64::new(12);
    let mut rows = |n: usize| -> Vec<[f32; 3]> {
        (0..n)
            .map(|_| core::array::from_fn(|_| (2.0 * state.uniform() - 1.0) as f32))
            .collect()
    };
    let (train_rows, test_rows) = (rows(300), rows(64));
    let labels: Vec<usize> = train_rows
        .iter()
        .map(|r| usize::from((r[0] > 0.0) == (r[1] > 0.0)))
        .collect();
    let table: Vec<Vec<f32>> = train_rows.iter().map(|r| r.to_vec()).collect();
    let data = hyperbits::train::Dataset::new(&table, &labels, vec!["odd".into(), "even".into()])?;
    let model = train::<W>(&data, &Options::default())?;
    if !matches!(
        model.encoding,
        hyperbits::classify::Encoding::Sinusoid { .. }
    ) {
        return Err("the checkerboard should pick the sinusoid encoder".into());
    }
    // A model and the host's answers on the test rows, as `<name>.hbm` and
    // `<name>-expected.bin`.
    let write = |name: &str,
                 model: &hyperbits::train::Trained<W>|
     -> Result<(), Box<dyn std::error::Error>> {
        std::fs::write(out.join(format!("{name}.hbm")), model.to_blob()?)?;
        let expected = answers(&test_rows, |r| model.predict_with_confidence(r))?;
        std::fs::write(out.join(format!("{name}-expected.bin")), expected)?;
        Ok(())
    };
    write("checkerboard", &model)?;
    // The same rows through a thermometer model (the encoder the default does not pick).
    let thermometer = Options {
        encoder: hyperbits::train::EncoderChoice::Thermometer,
        ..Options::default()
    };
    write(
        "checkerboard-thermometer",
        &train::<W>(&data, &thermometer)?,
    )?;
    // The same rows through a model that decorrelates the features first (the `f32`
    // arithmetic every target must repeat bit for bit).
    let decorrelated = Options {
        decorrelate: Some(true),
        ..Options::default()
    };
    write(
        "checkerboard-decorrelated",
        &train::<W>(&data, &decorrelated)?,
    )?;
    // The same rows voted on by three members (seeds 0 and two derived ones).
    let ensemble = hyperbits::train::train_ensemble::<W>(&data, &Options::default(), 3)?;
    std::fs::write(out.join("checkerboard-ensemble.hbm"), ensemble.to_blob()?)?;
    std::fs::write(
        out.join("checkerboard-ensemble-expected.bin"),
        answers(&test_rows, |r| ensemble.predict_with_confidence(r))?,
    )?;
    Ok(())
}

/// `record-table.bin` (see the module's list).
fn record_table(out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    use hyperbits::encode::{Level, Record};
    let record = Record::new(3, Level::new(2, 16)?);
    let (mut keys, mut values) = ([[0u32; W]; 16], [[0u32; W]; 16]);
    record.fill_table(&mut keys, &mut values)?;
    let bytes: Vec<u8> = keys
        .iter()
        .chain(&values)
        .flatten()
        .flat_map(|w| w.to_le_bytes())
        .collect();
    std::fs::write(out.join("record-table.bin"), bytes)?;
    Ok(())
}

/// `har.hbm` and `har-stream.bin` (see the module's list).
fn har(root: &Path, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    use flate2::read::GzDecoder;
    use hyperbits::train::{train_series, SeriesOptions, Windows};
    use std::io::Read;
    let read =
        |name: &str, classes: Option<&[String]>| -> Result<Windows, Box<dyn std::error::Error>> {
            let path = root.join("examples/data/har").join(name);
            let mut text = String::new();
            GzDecoder::new(std::fs::File::open(&path)?).read_to_string(&mut text)?;
            let table = hyperbits::train::csv::parse_csv(&text, &path, true, None)?;
            Ok(Windows::from_table(&table, 6, &path, classes)?)
        };
    let train_set = read("train.csv.gz", None)?;
    let valid = read("valid.csv.gz", Some(&train_set.class_names))?;
    let options = SeriesOptions {
        vectors: vec![0, 3],
        ..SeriesOptions::default()
    };
    let model = train_series::<W>(&train_set, &options, &mut |_, _| {})?;
    std::fs::write(out.join("har.hbm"), model.to_blob()?)?;
    let window = model.window()?;
    let (c, t, hop) = (window.channels(), window.length(), window.hop());
    let stream: Vec<i16> = (0..10).flat_map(|i| valid.window(i).to_vec()).collect();
    let samples = stream.len() / c;
    let mut bytes = (samples as u32).to_le_bytes().to_vec();
    bytes.extend_from_slice(&(c as u32).to_le_bytes());
    stream
        .iter()
        .for_each(|v| bytes.extend_from_slice(&v.to_le_bytes()));
    let ends: Vec<usize> = (t..=samples).step_by(hop).collect();
    bytes.extend_from_slice(&(ends.len() as u32).to_le_bytes());
    for end in ends {
        let d = model.predict(&stream[(end - t) * c..end * c])?;
        for w in [d.prediction.class as u32, d.margin, d.probability] {
            bytes.extend_from_slice(&w.to_le_bytes());
        }
    }
    std::fs::write(out.join("har-stream.bin"), bytes)?;
    let temporal = SeriesOptions {
        stage: Some(hyperbits::series::Stage::Samples),
        ..options
    };
    let model = train_series::<W>(&train_set, &temporal, &mut |_, _| {})?;
    std::fs::write(out.join("har-temporal.hbm"), model.to_blob()?)?;
    let ends: Vec<usize> = (t..=samples).step_by(hop).collect();
    let mut bytes = (ends.len() as u32).to_le_bytes().to_vec();
    for end in ends {
        let d = model.predict(&stream[(end - t) * c..end * c])?;
        for w in [d.prediction.class as u32, d.margin, d.probability] {
            bytes.extend_from_slice(&w.to_le_bytes());
        }
    }
    std::fs::write(out.join("har-temporal-expected.bin"), bytes)?;
    Ok(())
}

/// Int8 encoder, no decoder.
fn options_no_decoder() -> ExportOptions {
    ExportOptions {
        decoder: false,
        ..ExportOptions::default()
    }
}

/// The host's results for one row per entry of `sizes` (uniform in ±size): the row (67 ×
/// `f32`), the accumulators (41 × `i32`, [`Sae::accumulators_dense`]), then the code: count,
/// 8 indices, 8 values (`f32` bits), all `u32` (500 bytes a row).
fn dense_expected(
    device: &Sae,
    float: &mut impl FnMut(usize, f32) -> Vec<f32>,
    sizes: &[f32],
) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut bytes = Vec::new();
    for &size in sizes {
        let x = float(67, size);
        let mut acc = [0i32; 41];
        device.accumulators_dense(&x, &mut acc)?;
        let mut top = TopK::<8>::new();
        device.encode_dense(&x, &mut top)?;
        x.iter()
            .for_each(|v| bytes.extend_from_slice(&v.to_bits().to_le_bytes()));
        acc.iter()
            .for_each(|a| bytes.extend_from_slice(&a.to_le_bytes()));
        bytes.extend_from_slice(&(top.len() as u32).to_le_bytes());
        for j in 0..8 {
            let i = top.indices().get(j).copied().unwrap_or(0);
            bytes.extend_from_slice(&u32::from(i).to_le_bytes());
        }
        for j in 0..8 {
            let v = top.values().get(j).copied().unwrap_or(0.0);
            bytes.extend_from_slice(&v.to_bits().to_le_bytes());
        }
    }
    Ok(bytes)
}

/// A random dense-input SAE: weights uniform in ±`w`, encoder bias in ±0.5, pre-bias and
/// decoder bias in ±0.1 (drawn in that order from `float`).
fn random_dense(
    float: &mut impl FnMut(usize, f32) -> Vec<f32>,
    d: usize,
    h: usize,
    k: usize,
    w: f32,
) -> FloatSae {
    FloatSae {
        d_in: d,
        h,
        k,
        input: Input::Dense,
        activation: Activation::TopK,
        thresholds: Vec::new(),
        w_enc: float(h * d, w),
        b_enc: float(h, 0.5),
        b_pre: float(d, 0.1),
        w_dec: float(h * d, w),
        b_dec: float(d, 0.1),
    }
}

/// The host's results for 16 inputs (212 bytes each): the input words, the number of kept
/// latents, their indices (8 × u16), accumulators (8 × i32) and value bits (8 × u32), and the
/// reconstruction's words (zero without a decoder).
fn sae_expected(device: &Sae) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut bytes = Vec::new();
    for case in 0..16u32 {
        let input: Vec<u32> = Codebook::new(u64::from(case) + 100)
            .vector::<16>(0)
            .as_words()
            .to_vec();
        let mut top = TopK::<8>::new();
        device.encode_bits(&input, &mut top)?;
        let mut decoded = [0u32; 16];
        if device.has_decoder() {
            device.decode_bits(&top, &mut decoded)?;
        }
        input
            .iter()
            .for_each(|w| bytes.extend_from_slice(&w.to_le_bytes()));
        bytes.extend_from_slice(&(top.len() as u32).to_le_bytes());
        for j in 0..8 {
            let i = top.indices().get(j).copied().unwrap_or(0);
            bytes.extend_from_slice(&i.to_le_bytes());
        }
        for j in 0..8 {
            let a = top.accumulators().get(j).copied().unwrap_or(0);
            bytes.extend_from_slice(&a.to_le_bytes());
        }
        for j in 0..8 {
            let v = top.values().get(j).copied().unwrap_or(0.0);
            bytes.extend_from_slice(&v.to_bits().to_le_bytes());
        }
        decoded
            .iter()
            .for_each(|w| bytes.extend_from_slice(&w.to_le_bytes()));
    }
    Ok(bytes)
}
