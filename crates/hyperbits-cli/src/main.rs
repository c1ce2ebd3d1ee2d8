//! `hyperbits`: train HDC classifiers from CSV files, evaluate them, inspect model blobs,
//! predict, plan dimensions, import and run SAEs. Install with
//! `cargo install --path crates/hyperbits-cli`.
//!
//! One module per subcommand (`train`, `eval`, `info`, `predict`, `plan`, `sae`), `common` for
//! what they share; this file holds the arguments and the dispatch.

use clap::{Parser, Subcommand, ValueEnum};
use hyperbits::sae::{Activation, Input, Weights};
use hyperbits::series::Stage;
use hyperbits::train::sae::export::ExportOptions;
use hyperbits::train::sae::import::{ImportOptions, PreBias};
use hyperbits::train::{EncoderChoice, Method, Options, SeriesOptions};
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Pick among the projection, the record and (up to 32 features) the sinusoid at three
    /// reaches, each also on decorrelated features (up to 32 features), by 5-fold
    /// cross-validation below 1,000 training rows, else on a held-out fifth (default).
    Auto,
    /// Sign random projection of scaled, centred features.
    Projection,
    /// Level × feature-id record.
    Record,
    /// Binarised random Fourier features (for a few features).
    Sinusoid,
    /// Concatenated per-feature thermometer codes at full resolution (for a few features).
    Thermometer,
}

#[derive(Clone, Copy, ValueEnum)]
enum DecorrelateArg {
    /// `--encoder auto` tries every encoder both ways (up to 32 features); a given encoder
    /// runs without (default).
    Auto,
    /// Whiten the features first (up to 32 features).
    On,
    /// Never.
    Off,
}

#[derive(Clone, Copy, ValueEnum)]
enum StageArg {
    /// The better of the two on a held-out fifth of the windows (default).
    Auto,
    /// Per-channel statistics and band energies, then the classifier's encoder.
    Statistics,
    /// The samples, encoded as the majority of n-grams of per-step level × channel records.
    Temporal,
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
        /// Encoder (`auto`: chosen on the training rows).
        #[arg(long, value_enum, default_value_t = EncoderArg::Auto)]
        encoder: EncoderArg,
        /// Levels of the record encoder.
        #[arg(long, default_value_t = 16)]
        levels: u16,
        /// Reach of the sinusoid encoder: the distance at which codes become unrelated,
        /// relative to the median distance between training rows.
        #[arg(long, default_value_t = 1.0)]
        reach: f32,
        /// Decorrelate (whiten) the features before scaling and encoding them: a linear map
        /// fitted on the training rows, F² multiply-adds per row on the device.
        #[arg(long, value_enum, default_value_t = DecorrelateArg::Auto)]
        decorrelate: DecorrelateArg,
        /// Margin in bits (default: picked with the encoder).
        #[arg(long)]
        margin: Option<u32>,
        /// Seed of everything random.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Train this many classifiers (1 to 16), each with its own seed, voting by summed
        /// distance: K× the flash for prototypes and K× the instructions per inference.
        #[arg(long, default_value_t = 1)]
        ensemble: usize,
        /// Sensor windows: each row is `label`, then T samples × this many channels,
        /// time-major (`x0,y0,z0,x1,…`), integers; trains a window classifier (per-channel
        /// statistics and band energies, then the classifier) that streams on a device.
        #[arg(long)]
        channels: Option<usize>,
        /// With `--channels`: the first channel of each 3-axis vector (e.g. `0,3` for an
        /// accelerometer then a gyroscope), whose magnitude becomes a channel too.
        #[arg(long, value_delimiter = ',', requires = "channels")]
        vectors: Vec<usize>,
        /// With `--channels`: spectral bands per channel (0 to 16).
        #[arg(long, default_value_t = 6, requires = "channels")]
        bands: usize,
        /// With `--channels`: samples between predictions when streaming (default: half the
        /// window).
        #[arg(long, requires = "channels")]
        hop: Option<usize>,
        /// With `--channels`: what the classifier sees (`auto`: the better of the two on a
        /// held-out fifth of the windows).
        #[arg(long, value_enum, default_value_t = StageArg::Auto, requires = "channels")]
        stage: StageArg,
        /// With `--channels`: steps per n-gram of the temporal encoder (1 to 8).
        #[arg(long, default_value_t = 5, requires = "channels")]
        ngram: usize,
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
    /// One predicted label per row of a CSV file (a `label` column, if any, is ignored); for a
    /// window classifier, one per window.
    Predict {
        /// The model blob.
        model: PathBuf,
        /// Rows to classify.
        rows: PathBuf,
        /// Also print the calibrated probability that each answer is right (`label,0.xxxx`).
        #[arg(long)]
        proba: bool,
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

#[derive(Clone, Copy, ValueEnum)]
enum ArchitectureArg {
    /// ReLU of the k largest pre-activations.
    Topk,
    /// ReLU (SAELens's "standard"); --k caps the latents kept.
    Relu,
    /// A threshold per latent (the file's `threshold` tensor); --k caps the latents kept.
    Jumprelu,
}

#[derive(Subcommand)]
enum SaeCommand {
    /// Quantise an SAE to a model blob: a SAELens folder (cfg.json and
    /// sae_weights.safetensors) or a safetensors file (W_enc, b_enc, W_dec, b_dec [, b_pre]
    /// [, threshold], or encoder.weight, latent_bias, decoder.weight, pre_bias). Float input
    /// is quantised per row on the device unless --calibration is given; int8 decoder; int8,
    /// ternary or binary encoder.
    Import {
        /// The SAELens folder or safetensors file.
        file: PathBuf,
        /// Latents kept per input: TopK's k, a cap for ReLU and JumpReLU (default: cfg.json's
        /// k; a file without it and without thresholds is TopK with this k, or ReLU).
        #[arg(long)]
        k: Option<usize>,
        /// The activation, overriding cfg.json's architecture.
        #[arg(long, value_enum)]
        architecture: Option<ArchitectureArg>,
        /// Where to write the model blob.
        #[arg(long)]
        out: PathBuf,
        /// The model takes bit-packed 0/1 inputs (d_in bits) instead of floats.
        #[arg(long)]
        bits: bool,
        /// Rows of inputs (CSV with a header) that fix one int8 input scale for all rows (an
        /// integer-only device pipeline) instead of each row's own scale.
        #[arg(long)]
        calibration: Option<PathBuf>,
        /// Without a pre-bias tensor, subtract b_dec from the input (SAELens's
        /// apply_b_dec_to_input; default: cfg.json's, or false for a bare file).
        #[arg(long, value_name = "BOOL")]
        apply_b_dec_to_input: Option<bool>,
        /// The same as --apply-b-dec-to-input true.
        #[arg(long, conflicts_with = "apply_b_dec_to_input")]
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
    /// latents as `index:value` pairs (6 significant digits), largest first; an empty line
    /// for a row with none.
    Encode {
        /// The model blob.
        model: PathBuf,
        /// Input rows.
        inputs: PathBuf,
        /// Float arithmetic without quantising the input (closer to the float model; the
        /// default is the device's int8 path, bit-identical on every target).
        #[arg(long = "f32")]
        exact: bool,
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

mod common;
mod eval;
mod info;
mod plan;
mod predict;
mod sae;
mod train;

/// A closed pipe (`hyperbits plan … | head -3`) ends the process quietly, as it ends other
/// Unix tools, instead of making `println!` panic: Rust ignores SIGPIPE by default.
fn die_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in `main`, before any other thread exists; restoring the
    // default disposition of SIGPIPE touches no memory of ours. Tested by
    // `tests/cli.rs::a_closed_pipe_ends_quietly`.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn main() -> ExitCode {
    die_on_closed_pipe();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train {
            train,
            test,
            dim,
            epochs,
            encoder,
            levels,
            reach,
            decorrelate,
            margin,
            seed,
            ensemble,
            channels,
            vectors,
            bands,
            hop,
            stage,
            ngram,
            out,
        } => {
            let encoder = match encoder {
                EncoderArg::Auto => EncoderChoice::Auto,
                EncoderArg::Projection => EncoderChoice::Projection,
                EncoderArg::Record => EncoderChoice::Record { levels },
                EncoderArg::Sinusoid => EncoderChoice::Sinusoid { reach },
                EncoderArg::Thermometer => EncoderChoice::Thermometer,
            };
            let method = Method::Perceptron { epochs, margin };
            let decorrelate = match decorrelate {
                DecorrelateArg::Auto => None,
                DecorrelateArg::On => Some(true),
                DecorrelateArg::Off => Some(false),
            };
            match channels {
                Some(channels) => {
                    let defaults = SeriesOptions::default();
                    let options = SeriesOptions {
                        hop,
                        vectors,
                        bands,
                        members: ensemble,
                        stage: match stage {
                            StageArg::Auto => None,
                            StageArg::Statistics => Some(Stage::Statistics),
                            StageArg::Temporal => Some(Stage::Samples),
                        },
                        ngram,
                        classifier: Options {
                            encoder,
                            method,
                            seed,
                            decorrelate,
                            ..defaults.classifier
                        },
                    };
                    with_dim!(dim, W => train::run_series::<W>(&train, test.as_deref(), channels, &options, &out))
                }
                None => {
                    let options = Options {
                        encoder,
                        method,
                        seed,
                        decorrelate,
                        ..Options::default()
                    };
                    with_dim!(dim, W => train::run::<W>(&train, test.as_deref(), &options, ensemble, &out))
                }
            }
        }
        Command::Eval { model, test } => eval::run(&model, &test),
        Command::Info { model } => info::run(&model),
        Command::Predict { model, rows, proba } => predict::run(&model, &rows, proba),
        Command::Sae {
            command:
                SaeCommand::Import {
                    file,
                    k,
                    architecture,
                    out,
                    bits,
                    calibration,
                    apply_b_dec_to_input,
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
            let import = ImportOptions {
                input: if bits {
                    Input::Bits
                } else {
                    Input::DensePerRow
                },
                k,
                activation: architecture.map(|a| match a {
                    ArchitectureArg::Topk => Activation::TopK,
                    ArchitectureArg::Relu => Activation::Relu,
                    ArchitectureArg::Jumprelu => Activation::JumpRelu,
                }),
                pre_bias: match (subtract_b_dec, apply_b_dec_to_input) {
                    (true, _) | (_, Some(true)) => Some(PreBias::DecoderBias),
                    (_, Some(false)) => Some(PreBias::None),
                    _ => None,
                },
            };
            sae::import(
                &file,
                import,
                &out,
                calibration.as_deref(),
                &options,
                auto_threshold,
            )
        }
        Command::Sae {
            command:
                SaeCommand::Encode {
                    model,
                    inputs,
                    exact,
                },
        } => sae::encode(&model, &inputs, exact),
        Command::Plan {
            task,
            items,
            alphabet,
            error,
            epsilon,
            rigorous,
            memory,
            plot,
        } => plan::run(
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
