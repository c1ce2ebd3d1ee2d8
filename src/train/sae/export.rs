//! Host side: a float SAE, its reference forward pass, and post-training quantisation into an
//! HSAE blob (the rules of `docs/sae.md` §3.2: symmetric int8 with one scale per
//! latent for both matrices, or a ternary / binary encoder; biases in accumulator units,
//! `b_pre` folded into the bias for bit input, the input scale from calibration rows for
//! calibrated dense input, `f32` biases for per-row input; JumpReLU thresholds in the
//! accumulator's units), an activation threshold calibrated on rows, and the bit model's input
//! code.
#![forbid(unsafe_code)]

use crate::FormatError;
use std::prelude::rust_2021::*;

use crate::error::Error;
use crate::model::{crc32, Kind, ModelWriter};
use crate::sae::{
    Activation, Input, LatentVec, Latents, Weights, HEADER_LEN, HEADER_LEN_V2, HEADER_LEN_V3,
    HSAE_MAGIC, SECTION,
};
use std::vec::Vec;

/// A float sparse autoencoder in the canonical form: `pre = W_enc (x − b_pre) + b_enc`,
/// `z = act(pre)` (TopK: `ReLU(TopK_k(pre))`; ReLU; JumpReLU: `pre·[pre > θ]`, ReLU; the k
/// largest kept), `x̂ = W_decᵀ z + b_dec`. Matrices are latent-major (`h × d_in`).
#[derive(Debug, Clone, PartialEq)]
pub struct FloatSae {
    /// Inputs (bits for [`Input::Bits`]).
    pub d_in: usize,
    /// Latents.
    pub h: usize,
    /// Most latents kept per input (`h`: no cap).
    pub k: usize,
    /// The input kind.
    pub input: Input,
    /// The activation function.
    pub activation: Activation,
    /// JumpReLU's threshold per latent (`h` values; empty for the other activations).
    pub thresholds: Vec<f32>,
    /// Encoder weights, `h × d_in`.
    pub w_enc: Vec<f32>,
    /// Encoder bias, `h`.
    pub b_enc: Vec<f32>,
    /// Input centre subtracted before the encoder, `d_in`.
    pub b_pre: Vec<f32>,
    /// Decoder weights, `h × d_in` (row `i` is latent `i`'s dictionary vector).
    pub w_dec: Vec<f32>,
    /// Decoder bias, `d_in`.
    pub b_dec: Vec<f32>,
}

/// How [`FloatSae::to_hsae`] quantises and what it writes.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportOptions {
    /// Encoder weights: int8 (one scale per latent), ternary (TWN: `Δ = 0.7·mean|w|`, scale =
    /// mean of the kept `|w|`) or binary (sign, scale = `mean|w|`).
    pub weights: Weights,
    /// Whether to write the int8 decoder (needed for reconstruction).
    pub decoder: bool,
    /// Activation threshold τ (≥ 0, in the model's value units): kept latents need a value
    /// above it; it trims the near-zero latents that int8 rounding turns on in L1 models.
    pub threshold: f32,
    /// Write HSAE v1 even for ternary / binary weights (stored as int8: four or eight times
    /// the flash) for readers of the reference format; needs `threshold == 0`. Otherwise
    /// int8 models without a threshold are v1 and the rest v2 (packed sign masks).
    pub v1: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            weights: Weights::Int8,
            decoder: true,
            threshold: 0.0,
            v1: false,
        }
    }
}

/// Quantises one encoder row to `(scale, weights)` of the given kind (int8 as
/// [`quantize_row`]; ternary and binary weights are −1, 0 or +1).
pub(crate) fn quantize_encoder_row(row: &[f32], kind: Weights) -> (f32, Vec<i8>) {
    let mean_abs = row.iter().map(|w| w.abs()).sum::<f32>() / row.len() as f32;
    match kind {
        Weights::Int8 => {
            let (s, q) = quantize_row(row);
            (s, q.collect())
        }
        Weights::Ternary => {
            let delta = 0.7 * mean_abs;
            let kept: Vec<f32> = row.iter().map(|w| w.abs()).filter(|&a| a > delta).collect();
            let scale = if kept.is_empty() {
                1.0
            } else {
                kept.iter().sum::<f32>() / kept.len() as f32
            };
            let q = row
                .iter()
                .map(|&w| if w.abs() > delta { w.signum() as i8 } else { 0 })
                .collect();
            (scale, q)
        }
        Weights::Binary => {
            let scale = if mean_abs > 0.0 { mean_abs } else { 1.0 };
            (
                scale,
                row.iter().map(|&w| if w < 0.0 { -1 } else { 1 }).collect(),
            )
        }
    }
}

/// Symmetric int8 quantisation of one row: `(scale, weights)` with `scale = max|w|/127`.
fn quantize_row(row: &[f32]) -> (f32, impl Iterator<Item = i8> + '_) {
    let max = row.iter().fold(0f32, |m, w| m.max(w.abs()));
    let scale = if max > 0.0 { max / 127.0 } else { 1.0 / 127.0 };
    (
        scale,
        row.iter()
            .map(move |w| (w / scale).round_ties_even().clamp(-127.0, 127.0) as i8),
    )
}

impl FloatSae {
    /// Checks shapes and values; the error names the tensor.
    pub fn validate(&self) -> Result<(), Error> {
        let (d, h) = (self.d_in, self.h);
        if d == 0 || h == 0 || h > 65_536 || self.k == 0 || self.k > h || self.k > 65_535 {
            return Err(Error::InvalidParameter(
                "an SAE needs d_in ≥ 1, 1 ≤ h ≤ 65536 and 1 ≤ k ≤ min(h, 65535)",
            ));
        }
        let tensors: [(&str, &[f32], usize); 5] = [
            ("W_enc", &self.w_enc, h * d),
            ("b_enc", &self.b_enc, h),
            ("b_pre", &self.b_pre, d),
            ("W_dec", &self.w_dec, h * d),
            ("b_dec", &self.b_dec, d),
        ];
        let jump = self.activation == Activation::JumpRelu;
        if self.thresholds.len() != if jump { h } else { 0 } {
            return Err(Error::Format(FormatError::Inconsistent(
                "a JumpReLU SAE has h thresholds, the others none",
            )));
        }
        if self.thresholds.iter().any(|v| !v.is_finite()) {
            return Err(Error::Format(FormatError::Inconsistent(
                "threshold has a NaN or infinite value",
            )));
        }
        for (name, t, len) in tensors {
            if t.len() != len {
                return Err(Error::Format(FormatError::Inconsistent(match name {
                    "W_enc" => "W_enc must hold h × d_in values",
                    "b_enc" => "b_enc must hold h values",
                    "b_pre" => "b_pre must hold d_in values",
                    "W_dec" => "W_dec must hold h × d_in values",
                    _ => "b_dec must hold d_in values",
                })));
            }
            if t.iter().any(|v| !v.is_finite()) {
                return Err(Error::Format(FormatError::Inconsistent(match name {
                    "W_enc" => "W_enc has a NaN or infinite value",
                    "b_enc" => "b_enc has a NaN or infinite value",
                    "b_pre" => "b_pre has a NaN or infinite value",
                    "W_dec" => "W_dec has a NaN or infinite value",
                    _ => "b_dec has a NaN or infinite value",
                })));
            }
        }
        Ok(())
    }

    /// Pre-activations of one input (`d_in` values; 0/1 for bit input), in `f64` from the
    /// `f32` weights: the reference forward.
    pub fn pre_f64(&self, x: &[f32]) -> Vec<f64> {
        (0..self.h)
            .map(|i| {
                let row = &self.w_enc[i * self.d_in..(i + 1) * self.d_in];
                let dot: f64 = row
                    .iter()
                    .zip(x.iter().zip(&self.b_pre))
                    .map(|(&w, (&v, &b))| f64::from(w) * (f64::from(v) - f64::from(b)))
                    .sum();
                dot + f64::from(self.b_enc[i])
            })
            .collect()
    }

    /// The reference code of one input, in `f64`: the kept `(latent, value)` pairs (value
    /// desc, index asc) after the activation and the cap of `k`.
    pub fn encode_f64(&self, x: &[f32]) -> Vec<(usize, f64)> {
        let pre = self.pre_f64(x);
        let mut order: Vec<usize> = (0..self.h)
            .filter(|&i| pre[i] > 0.0)
            .filter(|&i| {
                self.activation != Activation::JumpRelu || pre[i] > f64::from(self.thresholds[i])
            })
            .collect();
        order.sort_by(|&a, &b| pre[b].total_cmp(&pre[a]).then(a.cmp(&b)));
        order.truncate(self.k);
        order.into_iter().map(|i| (i, pre[i])).collect()
    }

    /// [`Self::encode_f64`] with the values in `f32`.
    pub fn encode(&self, x: &[f32]) -> Vec<(usize, f32)> {
        self.encode_f64(x)
            .into_iter()
            .map(|(i, v)| (i, v as f32))
            .collect()
    }

    /// The float reconstruction of a code.
    pub fn decode(&self, z: &[(usize, f32)]) -> Vec<f32> {
        let mut out = self.b_dec.clone();
        for &(i, v) in z {
            let row = &self.w_dec[i * self.d_in..(i + 1) * self.d_in];
            out.iter_mut().zip(row).for_each(|(o, w)| *o += v * w);
        }
        out
    }

    /// Quantises to an HSAE blob (encoder as `options.weights`, int8 decoder if
    /// `options.decoder`; the version as the module says). `calibration` (rows of `d_in`
    /// floats) sets the input scale of an [`Input::Dense`] model: `max|x − b_pre| / 127`; the
    /// other inputs ignore it. Errors: [`Self::validate`]'s, no calibration rows for a
    /// calibrated model, a bias that does not fit `i32` units, a negative or non-finite
    /// threshold, `v1` with a threshold, per-row input, ReLU or JumpReLU.
    pub fn to_hsae(&self, calibration: &[f32], options: &ExportOptions) -> Result<Vec<u8>, Error> {
        self.validate()?;
        let threshold = options.threshold;
        if !(threshold.is_finite() && threshold >= 0.0) {
            return Err(Error::InvalidParameter(
                "the activation threshold must be finite and ≥ 0",
            ));
        }
        let v3 = self.input == Input::DensePerRow || self.activation != Activation::TopK;
        if options.v1 && (threshold != 0.0 || v3) {
            return Err(Error::InvalidParameter(
                "HSAE v1 has no activation threshold, per-row input, ReLU or JumpReLU",
            ));
        }
        let v2 = !options.v1 && !v3 && (options.weights != Weights::Int8 || threshold != 0.0);
        let packed = (v2 || v3) && options.weights != Weights::Int8;
        let (version, header_len) = match (v2, v3) {
            (_, true) => (3u16, HEADER_LEN_V3),
            (true, _) => (2, HEADER_LEN_V2),
            _ => (1, HEADER_LEN),
        };
        let (d, h) = (self.d_in, self.h);
        let in_scale = match self.input {
            Input::Bits | Input::DensePerRow => 1.0,
            Input::Dense => {
                if calibration.is_empty() || !calibration.len().is_multiple_of(d) {
                    return Err(Error::InvalidParameter(
                        "a dense SAE needs calibration rows of d_in values",
                    ));
                }
                let max = calibration
                    .chunks_exact(d)
                    .flat_map(|r| r.iter().zip(&self.b_pre).map(|(x, b)| (x - b).abs()))
                    .fold(0f32, f32::max);
                if max > 0.0 {
                    max / 127.0
                } else {
                    1.0
                }
            }
        };
        let mut enc_scale = Vec::with_capacity(h);
        let mut enc_w: Vec<u8> = Vec::with_capacity(h * d);
        let mut enc_bias: Vec<u8> = Vec::with_capacity(4 * h);
        let mut gates: Vec<u8> = Vec::new();
        for i in 0..h {
            let (s, row) = quantize_encoder_row(&self.w_enc[i * d..(i + 1) * d], options.weights);
            // Accumulator units: one unit is worth s (bits) or s·in_scale (calibrated input).
            let unit = f64::from(s) * f64::from(in_scale);
            if self.input == Input::DensePerRow {
                enc_bias.extend_from_slice(&self.b_enc[i].to_le_bytes());
                if let Some(&t) = self.thresholds.get(i) {
                    gates.extend_from_slice(&t.to_le_bytes());
                }
            }
            let bias = match self.input {
                Input::DensePerRow => 0.0,
                Input::Dense => f64::from(self.b_enc[i]) / unit,
                Input::Bits => {
                    let folded: f64 = row
                        .iter()
                        .zip(&self.b_pre)
                        .map(|(&w, &b)| f64::from(w) * f64::from(b))
                        .sum();
                    (f64::from(self.b_enc[i]) - f64::from(s) * folded) / f64::from(s)
                }
            }
            .round_ties_even();
            if bias.abs() > f64::from(i32::MAX) / 2.0 {
                return Err(Error::InvalidParameter(
                    "b_enc too large for i32 accumulator units",
                ));
            }
            enc_scale.push(s);
            if self.input != Input::DensePerRow {
                enc_bias.extend_from_slice(&(bias as i32).to_le_bytes());
                if let Some(&t) = self.thresholds.get(i) {
                    // Fires when acc·unit > θ, i.e. acc > floor(θ/unit) for an integer acc.
                    let t = (f64::from(t) / unit)
                        .floor()
                        .clamp(f64::from(i32::MIN), f64::from(i32::MAX));
                    gates.extend_from_slice(&(t as i32).to_le_bytes());
                }
            }
            if packed {
                // Sign masks: +1 bits, then (ternary) −1 bits; binary −1 is a clear bit.
                let signs: &[i8] = if options.weights == Weights::Ternary {
                    &[1, -1]
                } else {
                    &[1]
                };
                for &sign in signs {
                    for chunk in row.chunks(32) {
                        let word = chunk
                            .iter()
                            .enumerate()
                            .fold(0u32, |w, (b, &q)| w | (u32::from(q == sign) << b));
                        enc_w.extend_from_slice(&word.to_le_bytes());
                    }
                }
            } else {
                enc_w.extend(row.iter().map(|&q| q as u8));
            }
        }
        let mut out = vec![0u8; header_len];
        let push = |out: &mut Vec<u8>, bytes: &[u8]| -> u32 {
            out.resize(out.len().next_multiple_of(4), 0);
            let at = out.len() as u32;
            out.extend_from_slice(bytes);
            at
        };
        let le = |v: &[f32]| -> Vec<u8> { v.iter().flat_map(|x| x.to_le_bytes()).collect() };
        let o_pre = push(&mut out, &le(&self.b_pre));
        let o_escl = push(&mut out, &le(&enc_scale));
        let o_ebia = push(&mut out, &enc_bias);
        let o_encw = push(&mut out, &enc_w);
        let (o_dscl, o_decw) = if options.decoder {
            let mut scales = Vec::with_capacity(h);
            let mut w: Vec<i8> = Vec::with_capacity(h * d);
            for i in 0..h {
                let (s, q) = quantize_row(&self.w_dec[i * d..(i + 1) * d]);
                scales.push(s);
                w.extend(q);
            }
            let o_dscl = push(&mut out, &le(&scales));
            let o_decw = push(&mut out, bytemuck::cast_slice(&w));
            out.extend_from_slice(&le(&self.b_dec));
            (o_dscl, o_decw)
        } else {
            (0, 0)
        };
        let o_gate = if gates.is_empty() {
            0
        } else {
            push(&mut out, &gates)
        };
        out.resize(out.len().next_multiple_of(4), 0);
        out[..4].copy_from_slice(&HSAE_MAGIC);
        out[4..6].copy_from_slice(&version.to_le_bytes());
        out[6..8].copy_from_slice(&(header_len as u16).to_le_bytes());
        out[8..12].copy_from_slice(&(d as u32).to_le_bytes());
        out[12..16].copy_from_slice(&(h as u32).to_le_bytes());
        out[16..18].copy_from_slice(&(self.k as u16).to_le_bytes());
        out[18] = match self.input {
            Input::Dense => 0,
            Input::Bits => 1,
            Input::DensePerRow => 2,
        };
        out[19] = match options.weights {
            Weights::Int8 => 1,
            Weights::Ternary => 2,
            Weights::Binary => 3,
        };
        out[20..24].copy_from_slice(&in_scale.to_le_bytes());
        for (at, o) in [
            (24, o_pre),
            (28, o_escl),
            (32, o_ebia),
            (36, o_encw),
            (40, o_dscl),
            (44, o_decw),
        ] {
            out[at..at + 4].copy_from_slice(&o.to_le_bytes());
        }
        if v2 || v3 {
            out[48..52].copy_from_slice(&threshold.to_le_bytes()); // flags (52..56) stay 0
        }
        if v3 {
            out[56] = match self.activation {
                Activation::TopK => 0,
                Activation::Relu => 1,
                Activation::JumpRelu => 2,
            };
            out[60..64].copy_from_slice(&o_gate.to_le_bytes());
        }
        let crc = crc32(&out);
        out.extend_from_slice(&crc.to_le_bytes());
        Ok(out)
    }

    /// An activation threshold for [`ExportOptions::threshold`]: the smallest τ at which the
    /// exported model (as `options`, threshold ignored) keeps no more latents on `rows` than
    /// this float model does. int8 rounding turns on latents that sit just below zero (L1
    /// models, spec §3.2); τ drops them again. `rows`: `d_in` floats each (0/1 for a bit
    /// model), also the calibration rows of a dense model. Errors: as [`Self::to_hsae`]; no
    /// rows, or a bit model row that is not 0/1.
    pub fn calibrate_threshold(&self, rows: &[f32], options: &ExportOptions) -> Result<f32, Error> {
        let d = self.d_in;
        if rows.is_empty() || !rows.len().is_multiple_of(d) {
            return Err(Error::InvalidParameter(
                "threshold calibration needs rows of d_in values",
            ));
        }
        let options = ExportOptions {
            threshold: 0.0,
            v1: false,
            ..options.clone()
        };
        let blob = crate::model::AlignedBlob::new(&self.to_hsae(rows, &options)?);
        let device = crate::sae::Sae::from_hsae(blob.as_bytes())?;
        let mut code = LatentVec::new();
        let mut kept: Vec<f32> = Vec::new();
        let mut float_l0 = 0;
        for row in rows.chunks_exact(d) {
            float_l0 += self.encode_f64(row).len();
            if self.input == Input::Bits {
                if row.iter().any(|&v| v != 0.0 && v != 1.0) {
                    return Err(Error::InvalidParameter("bit inputs must be 0 or 1"));
                }
                let mut words = vec![0u32; d.div_ceil(32)];
                for (j, &v) in row.iter().enumerate() {
                    words[j / 32] |= u32::from(v == 1.0) << (j % 32);
                }
                device.encode_bits(&words, &mut code)?;
            } else {
                device.encode_dense(row, &mut code)?;
            }
            kept.extend_from_slice(code.values());
        }
        if kept.len() <= float_l0 {
            return Ok(0.0);
        }
        // Drop the (kept − float_l0) smallest values: τ is the largest of those.
        kept.sort_by(f32::total_cmp);
        Ok(kept[kept.len() - float_l0 - 1])
    }

    /// [`Self::to_blob`] with the bit model's input code in a [`crate::sae::CODE_SECTION`], so a
    /// device turns feature vectors into its input with [`crate::sae::Sae::input_code`]. Errors: as
    /// [`Self::to_blob`]; a dense model, or a code whose bits are not `d_in`.
    pub fn to_blob_with_code(
        &self,
        options: &ExportOptions,
        code: &crate::encode::ThresholdCode<'_>,
    ) -> Result<Vec<u8>, Error> {
        if self.input != Input::Bits || code.bits() != self.d_in {
            return Err(Error::InvalidParameter(
                "an input code belongs to a bit model and gives its d_in bits",
            ));
        }
        let hsae = self.to_hsae(&[], options)?;
        let mut section = Vec::with_capacity(12 + 4 * code.bits());
        section.extend_from_slice(&code.seed().to_le_bytes());
        section.extend_from_slice(&(code.features() as u32).to_le_bytes());
        section.extend_from_slice(code.thresholds());
        let mut w = ModelWriter::new(Kind::Sae);
        w.section(SECTION, &hsae)?;
        w.section(crate::sae::CODE_SECTION, &section)?;
        w.finish()
    }

    /// [`Self::to_hsae`] wrapped in the library's model container (kind [`Kind::Sae`]).
    pub fn to_blob(&self, calibration: &[f32], options: &ExportOptions) -> Result<Vec<u8>, Error> {
        let hsae = self.to_hsae(calibration, options)?;
        let mut w = ModelWriter::new(Kind::Sae);
        w.section(SECTION, &hsae)?;
        w.finish()
    }
}
