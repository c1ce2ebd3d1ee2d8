//! Host side (feature `safetensors`): SAE weights from a safetensors file, as common SAE
//! tooling writes them, into a [`FloatSae`] ready for [`FloatSae::to_hsae`].
//!
//! Two naming schemes are accepted (float tensors: F32, F64, F16 or BF16):
//!
//! | scheme | encoder weight | encoder bias | decoder weight | decoder bias | pre-bias (optional) |
//! |---|---|---|---|---|---|
//! | SAELens / dictionary-learning | `W_enc` `[d_in, h]` | `b_enc` `[h]` | `W_dec` `[h, d_in]` | `b_dec` `[d_in]` | `b_pre` `[d_in]` |
//! | OpenAI `sparse_autoencoder` | `encoder.weight` `[h, d_in]` | `latent_bias` `[h]` | `decoder.weight` `[d_in, h]` | `pre_bias` `[d_in]` (also the decoder bias) | `pre_bias` |
//!
//! Without a pre-bias the input is not centred (`b_pre = 0`) unless [`PreBias::DecoderBias`]
//! asks for SAELens's `apply_b_dec_to_input` (`b_pre = b_dec`). Every problem is an
//! [`ImportError`] that names the tensor.
#![forbid(unsafe_code)]

use std::prelude::rust_2021::*;

use super::export::FloatSae;
use crate::sae::Input;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::fmt;
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

/// A safetensors file that is not an SAE this library can take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    /// The tensor at fault (or `"file"`).
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

/// Reads an SAE from the bytes of a safetensors file, keeping the `k` largest latents per
/// input (`k = h` for a plain ReLU model); `input` says whether the model takes floats or
/// bit-packed 0/1 vectors.
pub fn from_safetensors(
    bytes: &[u8],
    k: usize,
    input: Input,
    pre_bias: PreBias,
) -> Result<FloatSae, ImportError> {
    let file = SafeTensors::deserialize(bytes)
        .map_err(|e| err("file", format!("not a safetensors file ({e})")))?;
    let has = |name: &str| file.names().contains(&name);
    let (w_enc, b_enc, w_dec, b_dec, b_pre, d_in, h) = if has("W_enc") {
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
            b
        } else {
            match pre_bias {
                PreBias::None => vec![0.0; d_in],
                PreBias::DecoderBias => b_dec.clone(),
            }
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
            b_pre,
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
    if k == 0 || k > h || k > 65_535 {
        return Err(err("k", format!("k = {k} is not in 1..={}", h.min(65_535))));
    }
    let sae = FloatSae {
        d_in,
        h,
        k,
        input,
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
        let a = from_safetensors(&file(&t), 3, Input::Dense, PreBias::DecoderBias).unwrap();
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
        let b = from_safetensors(&file(&openai), 3, Input::Dense, PreBias::None).unwrap();
        assert_eq!(a, b);
        let c = from_safetensors(&file(&t), 3, Input::Dense, PreBias::None).unwrap();
        assert!(c.b_pre.iter().all(|&v| v == 0.0));
    }

    #[test]
    fn bad_files_name_the_tensor() {
        let (d, h) = (4, 8);
        let problem = |t: &[(&str, Vec<usize>, Vec<f32>)], k: usize| {
            from_safetensors(&file(t), k, Input::Dense, PreBias::None)
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
        let e = from_safetensors(b"not a file", 1, Input::Dense, PreBias::None).unwrap_err();
        assert_eq!(e.tensor, "file");
        // A non-float dtype.
        let bytes = [0u8; 4];
        let view = TensorView::new(Dtype::I32, vec![1], &bytes).unwrap();
        let mut views = HashMap::new();
        views.insert("W_enc".to_string(), view);
        let e = from_safetensors(
            &serialize(&views, None).unwrap(),
            1,
            Input::Dense,
            PreBias::None,
        )
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
