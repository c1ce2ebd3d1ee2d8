//! Host side (feature `safetensors`): SAE weights from a safetensors file or a SAELens folder,
//! as common SAE tooling writes them, into a [`FloatSae`] ready for [`FloatSae::to_hsae`].
//!
//! Two naming schemes are accepted (float tensors: F32, F64, F16 or BF16):
//!
//! | scheme | encoder weight | encoder bias | decoder weight | decoder bias | pre-bias (optional) |
//! |---|---|---|---|---|---|
//! | SAELens / dictionary-learning | `W_enc` `[d_in, h]` | `b_enc` `[h]` | `W_dec` `[h, d_in]` | `b_dec` `[d_in]` | `b_pre` `[d_in]` |
//! | OpenAI `sparse_autoencoder` | `encoder.weight` `[h, d_in]` | `latent_bias` `[h]` | `decoder.weight` `[d_in, h]` | `pre_bias` `[d_in]` (also the decoder bias) | `pre_bias` |
//!
//! A JumpReLU SAE adds `threshold` `[h]` (or `log_threshold`, its logarithm).
//!
//! A SAELens folder ([`from_folder`]) holds `cfg.json` and `sae_weights.safetensors` (and
//! perhaps `sparsity.safetensors`, not needed). From `cfg.json` come the architecture
//! (`standard` = ReLU, `topk`, `jumprelu`; or, in older files, `activation_fn_str` `relu` /
//! `topk`), `d_in` and `d_sae` (checked against the tensors), `apply_b_dec_to_input` (SAELens's
//! default: true), `k` (or `activation_fn_kwargs.k`) and `normalize_activations`: `none` and
//! `expected_average_only_in` (SAELens's encoder applies nothing at inference; a
//! `norm_scaling_factor` in the file is folded into the weights as SAELens folds it) are taken;
//! `constant_norm_rescale` and `layer_norm` rescale every row at run time and are refused, as
//! are `gated` and any other architecture, and `finetuning_scaling_factor`. [`ImportOptions`]
//! overrides what the file says.
//!
//! A bare safetensors file is TopK when a `k` is given, JumpReLU when it has thresholds, and
//! ReLU otherwise. Without a pre-bias the input is not centred (`b_pre = 0`) unless
//! [`PreBias::DecoderBias`] asks for `apply_b_dec_to_input` (`b_pre = b_dec`). Every problem is
//! an [`ImportError`] that names the tensor or setting.
#![forbid(unsafe_code)]

use std::prelude::rust_2021::*;

use super::export::FloatSae;
use crate::sae::{Activation, Input};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde_json::Value;
use std::fmt;
use std::path::Path;
use std::string::{String, ToString};
use std::vec::Vec;

/// What the encoder subtracts from the input when the file has no pre-bias tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PreBias {
    /// Nothing (`b_pre = 0`).
    #[default]
    None,
    /// The decoder bias (SAELens's `apply_b_dec_to_input = True`).
    DecoderBias,
}

/// How to read an SAE; `None` fields come from the folder's `cfg.json`, or for a bare file
/// from its tensors as the module says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    /// What the model takes: [`Input::DensePerRow`] (the default), [`Input::Dense`] (a scale
    /// from calibration rows at export) or [`Input::Bits`].
    pub input: Input,
    /// Most latents kept per input (TopK's k; a cap for ReLU and JumpReLU).
    pub k: Option<usize>,
    /// The activation, overriding the file's.
    pub activation: Option<Activation>,
    /// Whether to subtract `b_dec` from the input when there is no pre-bias tensor.
    pub pre_bias: Option<PreBias>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            input: Input::DensePerRow,
            k: None,
            activation: None,
            pre_bias: None,
        }
    }
}

/// A safetensors file or SAELens folder that is not an SAE this library can take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The tensor or setting at fault (or `"file"`).
    pub tensor: String,
    /// What is wrong with it.
    pub problem: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.tensor, self.problem)
    }
}

impl std::error::Error for ImportError {}

fn err(tensor: &str, problem: impl Into<String>) -> ImportError {
    ImportError {
        tensor: tensor.to_string(),
        problem: problem.into(),
    }
}
/// A tensor as `f32`s with its shape, checked finite.
fn floats(file: &SafeTensors<'_>, name: &str) -> Result<(Vec<usize>, Vec<f32>), ImportError> {
    let t: TensorView<'_> = file
        .tensor(name)
        .map_err(|_| err(name, "missing from the file"))?;
    let data = t.data();
    let values: Vec<f32> = match t.dtype() {
        Dtype::F32 => data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        Dtype::F64 => data
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().unwrap_or([0; 8])) as f32)
            .collect(),
        Dtype::F16 => data
            .chunks_exact(2)
            .map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]])))
            .collect(),
        Dtype::BF16 => data
            .chunks_exact(2)
            .map(|b| f32::from_bits(u32::from(u16::from_le_bytes([b[0], b[1]])) << 16))
            .collect(),
        other => return Err(err(name, format!("dtype {other:?}; expected a float type"))),
    };
    if values.iter().any(|v| !v.is_finite()) {
        return Err(err(name, "has a NaN or infinite value"));
    }
    Ok((t.shape().to_vec(), values))
}

/// IEEE half to single precision.
fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1F);
    let man = u32::from(h & 0x3FF);
    let bits = match (exp, man) {
        (0, 0) => sign,
        (0, m) => {
            // Subnormal: normalise.
            let shift = m.leading_zeros() - 21;
            sign | ((113 - shift) << 23) | ((m << shift) & 0x3FF) << 13
        }
        (0x1F, m) => sign | 0x7F80_0000 | (m << 13),
        (e, m) => sign | ((e + 112) << 23) | (m << 13),
    };
    f32::from_bits(bits)
}

fn expect_shape(name: &str, shape: &[usize], want: &[usize]) -> Result<(), ImportError> {
    if shape != want {
        return Err(err(name, format!("shape {shape:?}, expected {want:?}")));
    }
    Ok(())
}

/// Transposes a row-major `rows × cols` matrix.
fn transpose(m: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut t = vec![0f32; m.len()];
    for r in 0..rows {
        for c in 0..cols {
            t[c * rows + r] = m[r * cols + c];
        }
    }
    t
}

/// What `cfg.json` says, as far as the import uses it.
#[derive(Debug, Clone, Default, PartialEq)]
struct Config {
    activation: Option<Activation>,
    d_in: Option<usize>,
    d_sae: Option<usize>,
    k: Option<usize>,
    apply_b_dec: Option<bool>,
    /// A scaling factor to fold in (`expected_average_only_in`).
    norm_scale: Option<f32>,
}

/// Reads a SAELens `cfg.json`.
fn config(text: &str) -> Result<Config, ImportError> {
    let cfg: Value =
        serde_json::from_str(text).map_err(|e| err("cfg.json", format!("not JSON ({e})")))?;
    let Some(map) = cfg.as_object() else {
        return Err(err("cfg.json", "not a JSON object"));
    };
    let count = |key: &str, v: Option<&Value>| -> Result<Option<usize>, ImportError> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v
                .as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 1.0 && *f <= 1e9)
                .map(|f| Some(f as usize))
                .ok_or_else(|| err(key, format!("{v} is not a positive whole number"))),
        }
    };
    let text_of = |key: &str| map.get(key).and_then(Value::as_str);
    let kwargs_k = map.get("activation_fn_kwargs").and_then(|a| a.get("k"));
    let activation = match (
        text_of("architecture"),
        text_of("activation_fn_str").or(text_of("activation_fn")),
    ) {
        (Some("standard"), Some("topk")) | (None, Some("topk")) => Some(Activation::TopK),
        (Some("standard"), _) | (None, Some("relu")) => Some(Activation::Relu),
        (Some("topk"), _) => Some(Activation::TopK),
        (Some("jumprelu"), _) => Some(Activation::JumpRelu),
        (Some(other), _) => {
            return Err(err(
                "architecture",
                format!("{other:?} is not supported (standard, topk and jumprelu are)"),
            ))
        }
        (None, Some(other)) => {
            return Err(err(
                "activation_fn",
                format!("{other:?} is not supported (relu and topk are)"),
            ))
        }
        (None, None) => None,
    };
    let apply_b_dec = match map.get("apply_b_dec_to_input") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(*b),
        Some(v) => {
            return Err(err(
                "apply_b_dec_to_input",
                format!("{v} is not true or false"),
            ))
        }
    };
    let norm_scale = match text_of("normalize_activations") {
        None | Some("none") => None,
        Some("expected_average_only_in") => {
            match map.get("norm_scaling_factor").or(map.get("scaling_factor")) {
                None | Some(Value::Null) => None,
                Some(v) => Some(
                    v.as_f64()
                        .map(|f| f as f32)
                        .filter(|f| f.is_finite() && *f > 0.0)
                        .ok_or_else(|| {
                            err(
                                "norm_scaling_factor",
                                format!("{v} is not a positive number"),
                            )
                        })?,
                ),
            }
        }
        Some(other) => {
            return Err(err(
                "normalize_activations",
                format!(
                    "{other:?} rescales every input row at run time and cannot be folded into \
                     the weights: normalise the rows before encoding and set it to \"none\""
                ),
            ))
        }
    };
    if map.get("finetuning_scaling_factor") == Some(&Value::Bool(true)) {
        return Err(err(
            "finetuning_scaling_factor",
            "true is not supported (a learned scale on the latents)",
        ));
    }
    Ok(Config {
        activation,
        d_in: count("d_in", map.get("d_in"))?,
        d_sae: count("d_sae", map.get("d_sae"))?,
        k: count("k", map.get("k").or(kwargs_k))?,
        apply_b_dec,
        norm_scale,
    })
}

/// Reads an SAE from a SAELens folder (`cfg.json` and `sae_weights.safetensors`; any single
/// other `.safetensors` file but `sparsity.safetensors` is taken for the weights), `options`
/// overriding the configuration.
pub fn from_folder(folder: &Path, options: &ImportOptions) -> Result<FloatSae, ImportError> {
    let read = |name: &str, path: &Path| {
        std::fs::read(path).map_err(|e| err(name, format!("cannot read {} ({e})", path.display())))
    };
    let cfg_path = folder.join("cfg.json");
    let text = String::from_utf8(read("cfg.json", &cfg_path)?)
        .map_err(|_| err("cfg.json", "not UTF-8"))?;
    let mut weights = folder.join("sae_weights.safetensors");
    if !weights.is_file() {
        let entries = std::fs::read_dir(folder)
            .map_err(|e| err("file", format!("cannot list {} ({e})", folder.display())))?;
        let found: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension().is_some_and(|x| x == "safetensors")
                    && p.file_name().is_some_and(|n| n != "sparsity.safetensors")
            })
            .collect();
        match &found[..] {
            [one] => weights = one.clone(),
            _ => {
                return Err(err(
                    "sae_weights.safetensors",
                    format!("missing from {}", folder.display()),
                ))
            }
        }
    }
    from_parts(&text, &read("sae_weights.safetensors", &weights)?, options)
}

/// Reads an SAE from a SAELens folder's two parts held in memory: the text of `cfg.json` and
/// the bytes of `sae_weights.safetensors` (see [`from_folder`]).
pub fn from_parts(
    cfg_json: &str,
    weights: &[u8],
    options: &ImportOptions,
) -> Result<FloatSae, ImportError> {
    let mut cfg = config(cfg_json)?;
    // SAELens's default.
    cfg.apply_b_dec.get_or_insert(true);
    read_sae(weights, options, &cfg)
}

/// Reads an SAE from the bytes of a bare safetensors file (no configuration: see the module).
pub fn from_safetensors(bytes: &[u8], options: &ImportOptions) -> Result<FloatSae, ImportError> {
    read_sae(bytes, options, &Config::default())
}

/// Reads a file or a SAELens folder: [`from_folder`] for a directory, else
/// [`from_safetensors`].
pub fn from_path(path: &Path, options: &ImportOptions) -> Result<FloatSae, ImportError> {
    if path.is_dir() {
        return from_folder(path, options);
    }
    let bytes = std::fs::read(path)
        .map_err(|e| err("file", format!("cannot read {} ({e})", path.display())))?;
    from_safetensors(&bytes, options)
}

fn read_sae(bytes: &[u8], options: &ImportOptions, cfg: &Config) -> Result<FloatSae, ImportError> {
    let file = SafeTensors::deserialize(bytes)
        .map_err(|e| err("file", format!("not a safetensors file ({e})")))?;
    let has = |name: &str| file.names().contains(&name);
    let pre_bias = options.pre_bias.unwrap_or(match cfg.apply_b_dec {
        Some(true) => PreBias::DecoderBias,
        _ => PreBias::None,
    });
    let (mut w_enc, b_enc, mut w_dec, mut b_dec, b_pre, d_in, h) = if has("W_enc") {
        let (shape, w_enc) = floats(&file, "W_enc")?;
        let [d_in, h] = shape[..] else {
            return Err(err("W_enc", format!("shape {shape:?}, expected [d_in, h]")));
        };
        let (s, b_enc) = floats(&file, "b_enc")?;
        expect_shape("b_enc", &s, &[h])?;
        let (s, w_dec) = floats(&file, "W_dec")?;
        expect_shape("W_dec", &s, &[h, d_in])?;
        let (s, b_dec) = floats(&file, "b_dec")?;
        expect_shape("b_dec", &s, &[d_in])?;
        let b_pre = if has("b_pre") {
            let (s, b) = floats(&file, "b_pre")?;
            expect_shape("b_pre", &s, &[d_in])?;
            Some(b)
        } else {
            None
        };
        (
            transpose(&w_enc, d_in, h),
            b_enc,
            w_dec,
            b_dec,
            b_pre,
            d_in,
            h,
        )
    } else if has("encoder.weight") {
        let (shape, w_enc) = floats(&file, "encoder.weight")?;
        let [h, d_in] = shape[..] else {
            return Err(err(
                "encoder.weight",
                format!("shape {shape:?}, expected [h, d_in]"),
            ));
        };
        let (s, b_enc) = floats(&file, "latent_bias")?;
        expect_shape("latent_bias", &s, &[h])?;
        let (s, w_dec) = floats(&file, "decoder.weight")?;
        expect_shape("decoder.weight", &s, &[d_in, h])?;
        let (s, b_pre) = floats(&file, "pre_bias")?;
        expect_shape("pre_bias", &s, &[d_in])?;
        (
            w_enc,
            b_enc,
            transpose(&w_dec, d_in, h),
            b_pre.clone(),
            Some(b_pre),
            d_in,
            h,
        )
    } else {
        return Err(err(
            "W_enc",
            "missing from the file (neither W_enc nor encoder.weight found)",
        ));
    };
    if d_in == 0 || h == 0 || h > 65_536 {
        return Err(err(
            "W_enc",
            format!("d_in = {d_in}, h = {h}: need d_in ≥ 1, 1 ≤ h ≤ 65536"),
        ));
    }
    for (key, said, found) in [("d_in", cfg.d_in, d_in), ("d_sae", cfg.d_sae, h)] {
        if said.is_some_and(|n| n != found) {
            return Err(err(
                key,
                format!(
                    "cfg.json says {}, the weights have {found}",
                    said.unwrap_or(0)
                ),
            ));
        }
    }
    let thresholds = if has("threshold") {
        let (s, t) = floats(&file, "threshold")?;
        expect_shape("threshold", &s, &[h])?;
        Some(t)
    } else if has("log_threshold") {
        let (s, t) = floats(&file, "log_threshold")?;
        expect_shape("log_threshold", &s, &[h])?;
        Some(t.iter().map(|v| v.exp()).collect())
    } else {
        None
    };
    let activation =
        options
            .activation
            .or(cfg.activation)
            .unwrap_or(match (&thresholds, options.k.or(cfg.k)) {
                (Some(_), _) => Activation::JumpRelu,
                (None, Some(_)) => Activation::TopK,
                (None, None) => Activation::Relu,
            });
    let thresholds = match (activation, thresholds) {
        (Activation::JumpRelu, Some(t)) => t,
        (Activation::JumpRelu, None) => {
            return Err(err(
                "threshold",
                "missing: a JumpReLU SAE needs a threshold (or log_threshold) tensor",
            ))
        }
        _ => Vec::new(),
    };
    let k = match (options.k.or(cfg.k), activation) {
        (Some(k), _) => k,
        (None, Activation::TopK) => {
            return Err(err("k", "a TopK SAE needs k (in cfg.json or given)"))
        }
        (None, _) => h,
    };
    if k == 0 || k > h || k > 65_535 {
        return Err(err("k", format!("k = {k} is not in 1..={}", h.min(65_535))));
    }
    if let Some(f) = cfg.norm_scale {
        // SAELens's fold_activation_norm_scaling_factor.
        w_enc.iter_mut().for_each(|w| *w *= f);
        w_dec.iter_mut().for_each(|w| *w /= f);
        b_dec.iter_mut().for_each(|b| *b /= f);
    }
    let b_pre = b_pre.unwrap_or_else(|| match pre_bias {
        PreBias::None => vec![0.0; d_in],
        PreBias::DecoderBias => b_dec.clone(),
    });
    let sae = FloatSae {
        d_in,
        h,
        k,
        input: options.input,
        activation,
        thresholds,
        w_enc,
        b_enc,
        b_pre,
        w_dec,
        b_dec,
    };
    sae.validate().map_err(|e| err("file", e.to_string()))?;
    Ok(sae)
}

#[cfg(test)]
mod tests {
    use super::*;
    use safetensors::tensor::serialize;
    use std::collections::HashMap;

    fn opts(k: usize, pre_bias: PreBias) -> ImportOptions {
        ImportOptions {
            input: Input::Dense,
            k: Some(k),
            activation: None,
            pre_bias: Some(pre_bias),
        }
    }

    fn f32_view(values: &[f32]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    /// A file with `tensors` (name, shape, values) as F32.
    fn file(tensors: &[(&str, Vec<usize>, Vec<f32>)]) -> Vec<u8> {
        let data: Vec<(String, Vec<usize>, Vec<u8>)> = tensors
            .iter()
            .map(|(n, s, v)| (n.to_string(), s.clone(), f32_view(v)))
            .collect();
        let views: HashMap<String, TensorView<'_>> = data
            .iter()
            .map(|(n, s, b)| {
                (
                    n.clone(),
                    TensorView::new(Dtype::F32, s.clone(), b).unwrap(),
                )
            })
            .collect();
        serialize(&views, None).unwrap()
    }

    fn saelens(d: usize, h: usize) -> Vec<(&'static str, Vec<usize>, Vec<f32>)> {
        let m = |n: usize, s: f32| (0..n).map(|i| s * ((i * 37 % 11) as f32 - 5.0)).collect();
        vec![
            ("W_enc", vec![d, h], m(d * h, 0.1)),
            ("b_enc", vec![h], m(h, 0.01)),
            ("W_dec", vec![h, d], m(h * d, 0.2)),
            ("b_dec", vec![d], m(d, 0.03)),
        ]
    }

    #[test]
    fn saelens_and_openai_layouts_give_the_same_model() {
        let (d, h) = (6, 10);
        let t = saelens(d, h);
        let a = from_safetensors(&file(&t), &opts(3, PreBias::DecoderBias)).unwrap();
        assert_eq!((a.d_in, a.h, a.k), (d, h, 3));
        // W_enc [d, h] is transposed to latent-major.
        assert_eq!(a.w_enc[1], t[0].2[h]);
        assert_eq!(a.b_pre, a.b_dec);
        let (w_enc, w_dec) = (transpose(&t[0].2, d, h), transpose(&t[2].2, h, d));
        let openai = vec![
            ("encoder.weight", vec![h, d], w_enc),
            ("latent_bias", vec![h], t[1].2.clone()),
            ("decoder.weight", vec![d, h], w_dec),
            ("pre_bias", vec![d], t[3].2.clone()),
        ];
        let b = from_safetensors(&file(&openai), &opts(3, PreBias::None)).unwrap();
        assert_eq!(a, b);
        let c = from_safetensors(&file(&t), &opts(3, PreBias::None)).unwrap();
        assert!(c.b_pre.iter().all(|&v| v == 0.0));
    }

    #[test]
    fn bad_files_name_the_tensor() {
        let (d, h) = (4, 8);
        let problem = |t: &[(&str, Vec<usize>, Vec<f32>)], k: usize| {
            from_safetensors(&file(t), &opts(k, PreBias::None))
                .unwrap_err()
                .tensor
        };
        let mut t = saelens(d, h);
        assert_eq!(problem(&t, 0), "k");
        assert_eq!(problem(&t, 9), "k");
        t[2].1 = vec![d, h];
        assert_eq!(problem(&t, 2), "W_dec");
        let mut t = saelens(d, h);
        t[1].2[3] = f32::NAN;
        assert_eq!(problem(&t, 2), "b_enc");
        let mut t = saelens(d, h);
        t.remove(3);
        assert_eq!(problem(&t, 2), "b_dec");
        assert_eq!(problem(&[("x", vec![1], vec![0.0])], 1), "W_enc");
        let e = from_safetensors(b"not a file", &opts(1, PreBias::None)).unwrap_err();
        assert_eq!(e.tensor, "file");
        // A non-float dtype.
        let bytes = [0u8; 4];
        let view = TensorView::new(Dtype::I32, vec![1], &bytes).unwrap();
        let mut views = HashMap::new();
        views.insert("W_enc".to_string(), view);
        let e = from_safetensors(&serialize(&views, None).unwrap(), &opts(1, PreBias::None))
            .unwrap_err();
        assert_eq!(e.tensor, "W_enc");
        assert!(e.problem.contains("dtype"), "{e}");
    }

    #[test]
    fn half_precision_converts_exactly() {
        for (h, f) in [
            (0x3C00u16, 1.0f32),
            (0xC000, -2.0),
            (0x3555, 0.333_251_95),
            (0x0001, 5.960_464_5e-8),
            (0x7BFF, 65504.0),
            (0x0000, 0.0),
        ] {
            assert_eq!(f16_to_f32(h), f, "{h:#x}");
        }
        assert!(f16_to_f32(0x7C00).is_infinite());
    }
}
