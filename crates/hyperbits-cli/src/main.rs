//! `hyperbits`: train HDC classifiers from CSV files, evaluate them, inspect model blobs and
//! predict. Install with `cargo install --path crates/hyperbits-cli`.

use clap::{Parser, Subcommand, ValueEnum};
use hyperbits::classify::{Classifier, Encoding, MAX_FEATURES};
use hyperbits::model::{AlignedBlob, Kind, Model};
use hyperbits::sae::{Input, Sae, TopK, Weights};
use hyperbits::train::csv::{read_csv, Table};
use hyperbits::train::sae::export::ExportOptions;
use hyperbits::train::sae::import::{from_safetensors, PreBias};
use hyperbits::train::{train_with_progress, Dataset, EncoderChoice, Method, Options, Trained};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "hyperbits",
    version,
    about = "Train, inspect and run 1-bit HDC classifiers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum EncoderArg {
    /// Pick the projection or the record on a held-out fifth of the training rows (default).
    Auto,
    /// Sign random projection of scaled, centred features.
    Projection,
    /// Level × feature-id record.
    Record,
}

#[derive(Clone, Copy, ValueEnum)]
enum TaskArg {
    /// Is a symbol in the set?
    Membership,
    /// How many symbols do two sets share?
    Intersection,
}

#[derive(Subcommand)]
enum Command {
    /// Train a classifier from a CSV file (header row, a `label` column, numeric features).
    Train {
        /// Training rows.
        train: PathBuf,
        /// Test rows: prints `accuracy: 0.xxxx`.
        #[arg(long)]
        test: Option<PathBuf>,
        /// Dimension in bits: 256, 512, 1024, 2048, 4096, 8192, 10016 or 10240.
        #[arg(long, default_value_t = 2048)]
        dim: usize,
        /// Training epochs.
        #[arg(long, default_value_t = 30)]
        epochs: usize,
        /// Encoder (`auto`: chosen on held-out training rows).
        #[arg(long, value_enum, default_value_t = EncoderArg::Auto)]
        encoder: EncoderArg,
        /// Levels of the record encoder.
        #[arg(long, default_value_t = 16)]
        levels: u16,
        /// Margin in bits (default: picked on a held-out fifth of the training rows).
        #[arg(long)]
        margin: Option<u32>,
        /// Seed of everything random.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Where to write the model blob.
        #[arg(long)]
        out: PathBuf,
    },
    /// Accuracy and confusion matrix of a model on a labelled CSV file.
    Eval {
        /// The model blob.
        model: PathBuf,
        /// Labelled rows.
        test: PathBuf,
    },
    /// What a model blob holds and what it needs on a device.
    Info {
        /// The model blob.
        model: PathBuf,
    },
    /// Plan the dimension of every VSA for a membership or intersection task.
    Plan {
        /// `membership` or `intersection`.
        #[arg(long, value_enum, default_value_t = TaskArg::Membership)]
        task: TaskArg,
        /// Items n in the set (for intersection: in each of the two sets).
        #[arg(long)]
        items: u32,
        /// Alphabet size M: the error then bounds all M answers together (membership).
        #[arg(long)]
        alphabet: Option<u32>,
        /// Error probability δ (membership: of a wrong answer; intersection: of missing ±ε).
        #[arg(long)]
        error: f64,
        /// Intersection: the allowed absolute error ε of the size estimate.
        #[arg(long)]
        epsilon: Option<f64>,
        /// Use the rigorous bounds instead of the typical model.
        #[arg(long)]
        rigorous: bool,
        /// Fail if the cheapest plan needs more than this many bytes.
        #[arg(long)]
        memory: Option<u32>,
        /// Write an SVG plot of predicted against measured per-query false positives over D.
        #[arg(long)]
        plot: Option<PathBuf>,
    },
    /// One predicted label per row of a CSV file (a `label` column, if any, is ignored).
    Predict {
        /// The model blob.
        model: PathBuf,
        /// Rows to classify.
        rows: PathBuf,
    },
    /// Sparse autoencoders: import trained weights, encode inputs.
    Sae {
        #[command(subcommand)]
        command: SaeCommand,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum WeightsArg {
    /// int8, one scale per latent.
    Int8,
    /// {-1, 0, +1} times a scale per latent (two sign masks).
    Ternary,
    /// {-1, +1} times a scale per latent (one sign mask).
    Binary,
}

#[derive(Subcommand)]
enum SaeCommand {
    /// Quantise the SAE of a safetensors file (W_enc, b_enc, W_dec, b_dec [, b_pre], or
    /// encoder.weight, latent_bias, decoder.weight, pre_bias) to a model blob (int8 decoder;
    /// int8, ternary or binary encoder).
    Import {
        /// The safetensors file.
        file: PathBuf,
        /// Latents kept per input (TopK).
        #[arg(long)]
        k: usize,
        /// Where to write the model blob.
        #[arg(long)]
        out: PathBuf,
        /// The model takes bit-packed 0/1 inputs (d_in bits) instead of floats.
        #[arg(long)]
        bits: bool,
        /// Rows of inputs (CSV with a header) that set the int8 input scale of a float model.
        #[arg(long)]
        calibration: Option<PathBuf>,
        /// Without a pre-bias tensor, subtract b_dec from the input (SAELens's
        /// apply_b_dec_to_input).
        #[arg(long)]
        subtract_b_dec: bool,
        /// Leave the decoder out (feature extraction only; half the flash).
        #[arg(long)]
        no_decoder: bool,
        /// Encoder weights: int8, or ternary / binary sign masks (2 / 1 bits per weight,
        /// summed with popcounts; for feature detection, reconstruction suffers).
        #[arg(long, value_enum, default_value_t = WeightsArg::Int8)]
        weights: WeightsArg,
        /// Activation threshold: kept latents need a value above it (trims the near-zero
        /// latents int8 rounding turns on).
        #[arg(long, default_value_t = 0.0)]
        threshold: f32,
        /// Pick the threshold from the --calibration rows: the smallest at which the exported
        /// model keeps no more latents than the float model (0/1 rows for a bit model).
        #[arg(long, requires = "calibration", conflicts_with = "threshold")]
        auto_threshold: bool,
    },
    /// Per row of a CSV file (header row; d_in numbers, 0/1 for a bit model): the active
    /// latents as `index:value` pairs, largest first.
    Encode {
        /// The model blob.
        model: PathBuf,
        /// Input rows.
        inputs: PathBuf,
    },
}

type Result<T> = std::result::Result<T, String>;

/// Runs `$body` with the const word count `W` matching a dimension in bits (the library's
/// [`hyperbits::with_words!`]).
macro_rules! with_dim {
    ($dim:expr, $w:ident => $body:expr) => {{
        let dim: usize = $dim;
        let words = if dim % 32 == 0 { dim / 32 } else { 0 };
        hyperbits::with_words!(words, $w => $body, else Err(format!(
            "dimension {dim} is not supported: use 256, 512, 1024, 2048, 4096, 8192, 10016 or 10240"
        )))
    }};
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train {
            train,
            test,
            dim,
            epochs,
            encoder,
            levels,
            margin,
            seed,
            out,
        } => {
            let encoder = match encoder {
                EncoderArg::Auto => EncoderChoice::Auto,
                EncoderArg::Projection => EncoderChoice::Projection,
                EncoderArg::Record => EncoderChoice::Record { levels },
            };
            let options = Options {
                encoder,
                method: Method::Perceptron { epochs, margin },
                seed,
            };
            with_dim!(dim, W => cmd_train::<W>(&train, test.as_deref(), &options, &out))
        }
        Command::Eval { model, test } => cmd_eval(&model, &test),
        Command::Info { model } => cmd_info(&model),
        Command::Predict { model, rows } => cmd_predict(&model, &rows),
        Command::Sae {
            command:
                SaeCommand::Import {
                    file,
                    k,
                    out,
                    bits,
                    calibration,
                    subtract_b_dec,
                    no_decoder,
                    weights,
                    threshold,
                    auto_threshold,
                },
        } => {
            let options = ExportOptions {
                weights: match weights {
                    WeightsArg::Int8 => Weights::Int8,
                    WeightsArg::Ternary => Weights::Ternary,
                    WeightsArg::Binary => Weights::Binary,
                },
                decoder: !no_decoder,
                threshold,
                v1: false,
            };
            cmd_sae_import(
                &file,
                k,
                &out,
                bits,
                calibration.as_deref(),
                subtract_b_dec,
                &options,
                auto_threshold,
            )
        }
        Command::Sae {
            command: SaeCommand::Encode { model, inputs },
        } => cmd_sae_encode(&model, &inputs),
        Command::Plan {
            task,
            items,
            alphabet,
            error,
            epsilon,
            rigorous,
            memory,
            plot,
        } => cmd_plan(
            task,
            items,
            alphabet,
            error,
            epsilon,
            rigorous,
            memory,
            plot.as_deref(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn load_dataset(
    path: &Path,
    columns: Option<&[String]>,
    classes: Option<&[String]>,
) -> Result<(Table, Dataset)> {
    let table = read_csv(path, true, columns).map_err(|e| e.to_string())?;
    if table.columns.len() > MAX_FEATURES {
        return Err(format!(
            "{}: {} features, at most {MAX_FEATURES} are supported",
            path.display(),
            table.columns.len()
        ));
    }
    let names = match classes {
        Some(c) => c.to_vec(),
        None => table.classes().0,
    };
    let data = table.dataset(path, &names).map_err(|e| e.to_string())?;
    Ok((table, data))
}

fn cmd_train<const W: usize>(
    train_path: &Path,
    test: Option<&Path>,
    options: &Options,
    out: &Path,
) -> Result<()> {
    let (table, data) = load_dataset(train_path, None, None)?;
    if data.class_names.len() < 2 {
        return Err(format!(
            "{}: training needs at least two classes",
            train_path.display()
        ));
    }
    let test_set = match test {
        Some(p) => Some(load_dataset(p, Some(&table.columns), Some(&data.class_names))?.1),
        None => None,
    };
    let bar = ProgressBar::new(1);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} training steps")
            .map_err(|e| e.to_string())?,
    );
    let start = Instant::now();
    let model: Trained<W> = train_with_progress(&data, options, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
    .map_err(|e| format!("{}: {e}", train_path.display()))?;
    bar.finish_and_clear();
    eprintln!(
        "trained on {} rows, {} features, {} classes, D = {} in {:.3} s",
        data.len(),
        data.features,
        data.class_names.len(),
        32 * W,
        start.elapsed().as_secs_f64()
    );
    if let Some(t) = &test_set {
        println!(
            "accuracy: {:.4}",
            model.accuracy(t).map_err(|e| e.to_string())?
        );
    }
    let blob = model.to_blob().map_err(|e| e.to_string())?;
    write_atomically(out, &blob)?;
    eprintln!("wrote {} ({} bytes)", out.display(), blob.len());
    Ok(())
}

/// Writes to a temporary file beside `path`, then renames it: a failure leaves nothing
/// half-written at `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| format!("{}: not a file path", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("{}: cannot write: {e}", path.display()));
    }
    Ok(())
}

fn load_model(path: &Path) -> Result<AlignedBlob> {
    let blob =
        AlignedBlob::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    Model::new_checked(blob.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(blob)
}

/// The dimension recorded in a classifier blob.
fn classifier_dim(path: &Path, blob: &AlignedBlob) -> Result<usize> {
    let model =
        Model::new_checked(blob.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
    model
        .expect_kind(Kind::Classifier)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let params = model
        .section_u32(hyperbits::classify::tags::PARAMS)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    params
        .first()
        .map(|&d| d as usize)
        .ok_or_else(|| format!("{}: empty CPAR section", path.display()))
}

fn open<'a, const W: usize>(path: &Path, blob: &'a AlignedBlob) -> Result<Classifier<'a, W>> {
    Classifier::<W>::from_bytes(blob.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
}

fn class_names<const W: usize>(c: &Classifier<'_, W>) -> Result<Vec<String>> {
    (0..c.classes())
        .map(|k| c.label(k).map(str::to_string).map_err(|e| e.to_string()))
        .collect()
}

fn check_features(path: &Path, table: &Table, expected: usize) -> Result<()> {
    if table.columns.len() != expected {
        return Err(format!(
            "{}:1: the model takes {expected} features, the file has {} columns besides `label`",
            path.display(),
            table.columns.len()
        ));
    }
    Ok(())
}

fn cmd_eval(model_path: &Path, test: &Path) -> Result<()> {
    let blob = load_model(model_path)?;
    with_dim!(classifier_dim(model_path, &blob)?, W => {
        let c = open::<W>(model_path, &blob)?;
        let names = class_names(&c)?;
        let table = read_csv(test, true, None).map_err(|e| e.to_string())?;
        check_features(test, &table, c.features())?;
        let data = table.dataset(test, &names).map_err(|e| e.to_string())?;
        let k = names.len();
        let mut confusion = vec![vec![0usize; k]; k];
        for i in 0..data.len() {
            let p = c.predict(data.row(i)).map_err(|e| format!("{}:{}: {e}", test.display(), i + 2))?;
            confusion[data.labels[i]][p.class] += 1;
        }
        let right: usize = (0..k).map(|i| confusion[i][i]).sum();
        println!("accuracy: {:.4}", right as f64 / data.len() as f64);
        let width = names.iter().map(|n| n.len()).max().unwrap_or(1).max(5);
        println!("confusion matrix (rows: true class, columns: predicted)");
        print!("{:>width$}", "");
        for n in &names {
            print!(" {n:>width$}");
        }
        println!();
        for (i, row) in confusion.iter().enumerate() {
            print!("{:>width$}", names[i]);
            for v in row {
                print!(" {v:>width$}");
            }
            println!();
        }
        Ok(())
    })
}

fn cmd_info(path: &Path) -> Result<()> {
    let blob = load_model(path)?;
    let model =
        Model::new_checked(blob.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
    println!(
        "kind: {:?} (format version {})",
        model.kind(),
        model.version()
    );
    if model.kind() == Kind::Sae {
        let sae =
            Sae::from_bytes(blob.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
        println!("inputs: {} ({:?})", sae.d_in(), sae.input());
        println!("latents: {}, k = {}", sae.latents(), sae.k());
        println!(
            "encoder weights: {:?}{}; decoder: {}; activation threshold: {}",
            sae.weights(),
            if sae.is_packed() {
                " (packed sign masks, popcount)"
            } else {
                ""
            },
            if sae.has_decoder() { "int8" } else { "none" },
            sae.threshold()
        );
        if let Some(code) = sae.input_code() {
            println!(
                "input code: {} features -> {} bits (thresholded projection, seed {})",
                code.features(),
                code.bits(),
                code.seed()
            );
        }
        println!(
            "flash: {} bytes (the blob, read in place)",
            blob.as_bytes().len()
        );
        println!("RAM at inference: about {} bytes of stack (TopK and one chunk of accumulators), no heap", 18 * sae.k() + 128);
        return Ok(());
    }
    if model.kind() != Kind::Classifier {
        println!("size: {} bytes", blob.as_bytes().len());
        return Ok(());
    }
    with_dim!(classifier_dim(path, &blob)?, W => {
        let c = open::<W>(path, &blob)?;
        let (features, classes) = (c.features(), c.classes());
        println!("dimension: {} bits", 32 * W);
        println!("classes: {classes} ({})", class_names(&c)?.join(", "));
        println!("features: {features}");
        // Working memory of one inference, from the encoders' data structures (stack, no heap;
        // an estimate, not a measurement): the encoded vector plus the encoder's state: 512
        // i32 sums for the projection; for the record one level per feature, the bit-sliced
        // counters (16 planes and 16 buffered blocks of 64 bytes) and the level basis (10 blocks).
        let (encoder, work) = match c.encoding() {
            Encoding::Projection { .. } => ("projection", 4 * 512),
            Encoding::Record { levels, .. } => {
                println!("levels: {levels}");
                ("record", 2 * features + 32 * 64 + 10 * 64)
            }
        };
        println!("encoder: {encoder}");
        println!("flash: {} bytes (the blob, read in place; codebooks are regenerated)", blob.as_bytes().len());
        println!("RAM at inference: about {} bytes of stack, no heap", 4 * W + work);
        Ok(())
    })
}

fn cmd_predict(model_path: &Path, rows: &Path) -> Result<()> {
    let blob = load_model(model_path)?;
    with_dim!(classifier_dim(model_path, &blob)?, W => {
        let c = open::<W>(model_path, &blob)?;
        let table = read_csv(rows, false, None).map_err(|e| e.to_string())?;
        check_features(rows, &table, c.features())?;
        let mut out = String::new();
        for (i, row) in table.rows.iter().enumerate() {
            let p = c.predict(row).map_err(|e| format!("{}:{}: {e}", rows.display(), i + 2))?;
            out.push_str(c.label(p.class).map_err(|e| e.to_string())?);
            out.push('\n');
        }
        print!("{out}");
        Ok(())
    })
}

/// Reads CSV rows of numbers (header row) for an SAE with `d_in` inputs.
fn sae_rows(path: &Path, d_in: usize) -> Result<Vec<Vec<f32>>> {
    let table = read_csv(path, false, None).map_err(|e| e.to_string())?;
    check_features(path, &table, d_in)?;
    Ok(table.rows)
}

#[allow(clippy::too_many_arguments)]
fn cmd_sae_import(
    file: &Path,
    k: usize,
    out: &Path,
    bits: bool,
    calibration: Option<&Path>,
    subtract_b_dec: bool,
    options: &ExportOptions,
    auto_threshold: bool,
) -> Result<()> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: cannot read: {e}", file.display()))?;
    let input = if bits { Input::Bits } else { Input::Dense };
    let pre = if subtract_b_dec {
        PreBias::DecoderBias
    } else {
        PreBias::None
    };
    let sae =
        from_safetensors(&bytes, k, input, pre).map_err(|e| format!("{}: {e}", file.display()))?;
    let calib: Vec<f32> = match (bits, calibration) {
        (_, Some(path)) => sae_rows(path, sae.d_in)?.concat(),
        (true, None) => Vec::new(),
        (false, None) => return Err(
            "a float-input SAE needs --calibration rows to set its int8 input scale (or --bits)"
                .into(),
        ),
    };
    let mut options = options.clone();
    if auto_threshold {
        options.threshold = sae
            .calibrate_threshold(&calib, &options)
            .map_err(|e| format!("--auto-threshold: {e}"))?;
        println!("activation threshold: {}", options.threshold);
    }
    let blob = sae
        .to_blob(&calib, &options)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    std::fs::write(out, &blob).map_err(|e| format!("{}: cannot write: {e}", out.display()))?;
    println!(
        "wrote {} ({} bytes): d_in {}, {} latents, k = {}",
        out.display(),
        blob.len(),
        sae.d_in,
        sae.h,
        k
    );
    Ok(())
}

fn cmd_sae_encode(model_path: &Path, inputs: &Path) -> Result<()> {
    let blob = load_model(model_path)?;
    let sae =
        Sae::from_bytes(blob.as_bytes()).map_err(|e| format!("{}: {e}", model_path.display()))?;
    if sae.k() > 1024 {
        return Err(format!(
            "{}: k = {} is more than this tool prints (1024)",
            model_path.display(),
            sae.k()
        ));
    }
    let mut top = Box::new(TopK::<1024>::new());
    let mut out = String::new();
    let mut words = vec![0u32; sae.d_in().div_ceil(32)];
    for (r, row) in sae_rows(inputs, sae.d_in())?.iter().enumerate() {
        let at = |e: hyperbits::Error| format!("{}:{}: {e}", inputs.display(), r + 2);
        match sae.input() {
            Input::Dense => sae.encode_dense(row, &mut top).map_err(at)?,
            Input::Bits => {
                words.fill(0);
                for (j, &v) in row.iter().enumerate() {
                    match v {
                        0.0 => {}
                        1.0 => words[j / 32] |= 1 << (j % 32),
                        _ => {
                            return Err(format!(
                                "{}:{}: value {v} in a bit model's input (0 or 1)",
                                inputs.display(),
                                r + 2
                            ))
                        }
                    }
                }
                sae.encode_bits(&words, &mut top).map_err(at)?
            }
        }
        let pairs: Vec<String> = top.iter().map(|(i, v)| format!("{i}:{v:.6}")).collect();
        out.push_str(&pairs.join(" "));
        out.push('\n');
    }
    print!("{out}");
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn cmd_plan(
    task: TaskArg,
    items: u32,
    alphabet: Option<u32>,
    error: f64,
    epsilon: Option<f64>,
    rigorous: bool,
    memory: Option<u32>,
    plot: Option<&Path>,
) -> Result<()> {
    use hyperbits::plan::{compare_membership, plan_intersection, Model, Scope, Threshold, Vsa};
    let model = if rigorous {
        Model::Rigorous
    } else {
        Model::Typical
    };
    let plans: Vec<hyperbits::plan::Plan> = match task {
        TaskArg::Membership => {
            let scope = alphabet.map_or(Scope::PerQuery, |m| Scope::AllOf { alphabet: m });
            let p = compare_membership(items, error, scope, model).map_err(|e| e.to_string())?;
            println!(
                "membership of up to {items} items, error {error} {} ({} model)",
                alphabet.map_or("per query".to_string(), |m| format!("over all {m} symbols")),
                if rigorous { "rigorous" } else { "typical" }
            );
            p.to_vec()
        }
        TaskArg::Intersection => {
            let eps = epsilon.ok_or("--epsilon is needed for --task intersection")?;
            let mut p: Vec<_> = Vsa::ALL
                .iter()
                .map(|&v| plan_intersection(v, items, items, eps, error))
                .collect::<std::result::Result<_, _>>()
                .map_err(|e| e.to_string())?;
            p.sort_by_key(|x| x.bytes);
            println!(
                "intersection of two sets of {items} items within ±{eps} with probability {}",
                1.0 - error
            );
            p
        }
    };
    println!("| VSA | D | k / blocks × length | test | bytes | predicted FP | predicted FN |");
    println!("|---|---:|---|---|---:|---:|---:|");
    for p in &plans {
        let shape = match p.vsa {
            Vsa::SparseOr => format!("k = {}", p.k),
            Vsa::Segmented => format!("{} × {}", p.k, p.block_len),
            _ => String::new(),
        };
        let test = match (task, p.threshold) {
            (TaskArg::Intersection, _) => "estimate".to_string(),
            (_, Threshold::TwiceScoreAtLeast(v)) => format!("2·score ≥ {v}"),
            (_, Threshold::HammingAtMost(v)) => format!("Hamming ≤ {v}"),
            (_, Threshold::AllBitsSet) => "all bits set".to_string(),
            (_, Threshold::EnergyAtLeast(v)) => format!("energy ≥ {v}"),
        };
        println!(
            "| {} | {} | {shape} | {test} | {} | {:.2e} | {:.2e} |",
            p.vsa.name(),
            p.dim,
            p.bytes,
            p.fp,
            p.fn_
        );
    }
    let cheapest = &plans[0];
    println!(
        "cheapest: {} ({} bytes)",
        cheapest.vsa.name(),
        cheapest.bytes
    );
    if let Some(budget) = memory {
        hyperbits::plan::fits(cheapest, budget).map_err(|e| format!("--memory {budget}: {e}"))?;
    }
    if let Some(path) = plot {
        write_atomically(path, plan_plot(items).as_bytes())?;
        eprintln!("wrote {}", path.display());
    }
    Ok(())
}

/// Per-query false-positive rate against D for n items: predicted curves (Bloom, segmented,
/// MAP-I) and measured points (Bloom and segmented, 20,000 non-member queries over 10 seeds).
fn plan_plot(n: u32) -> String {
    use hyperbits::plan::{predict_membership, Vsa};
    use hyperbits::sketch::{Bloom, Segmented};
    use std::fmt::Write as _;
    let dims: Vec<u32> = (1..=24).map(|i| (n * i / 2).max(32)).collect();
    let measure = |vsa: Vsa, d: u32| -> f64 {
        let mut fp = 0usize;
        for seed in 0..10u64 {
            let words = vec![0u32; d.div_ceil(32) as usize];
            match vsa {
                Vsa::SparseOr => {
                    let k = hyperbits::plan::bloom_k(d, n);
                    let Ok(mut b) = Bloom::new(words, k, seed) else {
                        return f64::NAN;
                    };
                    (0..u64::from(n)).for_each(|k| b.insert(k));
                    fp += (1 << 40..(1u64 << 40) + 2000)
                        .filter(|&k| b.contains(k))
                        .count();
                }
                _ => {
                    let l = ((f64::from(n) / std::f64::consts::LN_2).round() as u32).max(2);
                    let Ok(mut g) = Segmented::new(words, (d / l).max(1), l, seed) else {
                        return f64::NAN;
                    };
                    (0..u64::from(n)).for_each(|k| g.insert(k));
                    fp += (1 << 40..(1u64 << 40) + 2000)
                        .filter(|&k| g.contains(k))
                        .count();
                }
            }
        }
        fp as f64 / 20_000.0
    };
    let (w, h, m) = (700.0, 420.0, 60.0);
    let dmax = f64::from(*dims.last().unwrap_or(&64));
    let x = |d: f64| m + d / dmax * (w - 2.0 * m);
    let y = |p: f64| {
        let l = p.max(1e-5).log10(); // 1 .. 1e-5
        m + (-l) / 5.0 * (h - 2.0 * m)
    };
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/>"#
    );
    let _ = write!(
        s,
        r#"<line x1="{m}" y1="{}" x2="{}" y2="{}" stroke="black"/><line x1="{m}" y1="{m}" x2="{m}" y2="{}" stroke="black"/>"#,
        h - m,
        w - m,
        h - m,
        h - m
    );
    for e in 0..=5 {
        let p = 10f64.powi(-e);
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" text-anchor="end">1e-{e}</text>"#,
            m - 6.0,
            y(p) + 4.0
        );
    }
    let _ = write!(
        s,
        r#"<text x="{}" y="{}" text-anchor="middle">D (bits), n = {n} items; lines: predicted, dots: measured false-positive rate per query</text>"#,
        w / 2.0,
        h - 15.0
    );
    for i in 0..=4 {
        let d = dmax * f64::from(i) / 4.0;
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{}" text-anchor="middle">{d:.0}</text>"#,
            x(d),
            h - m + 16.0
        );
    }
    for (row, (name, vsa, colour)) in [
        ("Bloom", Vsa::SparseOr, "#1f77b4"),
        ("segmented", Vsa::Segmented, "#2ca02c"),
        ("MAP-I", Vsa::MapI, "#d62728"),
    ]
    .into_iter()
    .enumerate()
    {
        let pts: Vec<String> = dims
            .iter()
            .map(|&d| {
                format!(
                    "{:.1},{:.1}",
                    x(f64::from(d)),
                    y(predict_membership(vsa, d, n).0)
                )
            })
            .collect();
        let _ = write!(
            s,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#,
            pts.join(" ")
        );
        if vsa != Vsa::MapI {
            for &d in &dims {
                let fp = measure(vsa, d);
                if fp > 0.0 {
                    let _ = write!(
                        s,
                        r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"/>"#,
                        x(f64::from(d)),
                        y(fp)
                    );
                }
            }
        }
        let _ = write!(
            s,
            r#"<text x="{}" y="{}" fill="{colour}">{name}</text>"#,
            w - m - 90.0,
            m + 16.0 * row as f64
        );
    }
    s.push_str("</svg>\n");
    s
}
