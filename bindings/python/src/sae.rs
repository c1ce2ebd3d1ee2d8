//! Sparse autoencoders: a quantised SAE blob (imported here from a SAELens folder or a
//! safetensors file, or by `hyperbits sae import`), encoding batches of rows to their latents
//! and reconstructing them, with the code the device runs.

use crate::error::{to_py, value};
use hyperbits::model::AlignedBlob;
use hyperbits::sae::{Activation, Input, LatentVec, Latents, Sae as CoreSae, Weights};
use hyperbits::train::sae::export::ExportOptions;
use hyperbits::train::sae::import::{from_path, from_safetensors, ImportOptions, PreBias};
use numpy::{PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

self_cell::self_cell!(
    /// A blob and the model read from it in place, validated once (a call does not re-check
    /// its CRC: with a 2 MB model that cost about 2 ms a call).
    struct Opened {
        owner: AlignedBlob,
        #[covariant]
        dependent: CoreSae,
    }
);

/// A quantised sparse autoencoder: its blob, validated when opened, and the figures read then.
#[pyclass(frozen, module = "hyperbits._hyperbits")]
pub(crate) struct Sae {
    opened: Opened,
    d_in: usize,
    latents: usize,
    k: usize,
    input: Input,
    has_decoder: bool,
}

/// One input row, as the model takes it.
#[derive(Clone, Copy)]
enum Row<'a> {
    Dense(&'a [f32]),
    Bits(&'a [u32]),
}

/// Encodes one row into `code`. `exact`: the f32 path.
fn encode_row(
    sae: &CoreSae<'_>,
    row: Row<'_>,
    exact: bool,
    code: &mut LatentVec,
) -> Result<(), hyperbits::Error> {
    match row {
        Row::Dense(x) if exact => sae.encode_f32(x, code),
        Row::Dense(x) => sae.encode_dense(x, code),
        Row::Bits(x) => sae.encode_bits(x, code),
    }
}

/// Writes a code's latents into `index` and `val` (padded with -1 and 0) and, with `out`, its
/// reconstruction.
fn emit(
    sae: &CoreSae<'_>,
    code: &LatentVec,
    index: &mut [i64],
    val: &mut [f32],
    out: Option<&mut [f32]>,
) -> Result<(), hyperbits::Error> {
    for (slot, (i, v)) in index.iter_mut().zip(val.iter_mut()).enumerate() {
        (*i, *v) = code
            .indices()
            .get(slot)
            .map_or((-1, 0.0), |&i| (i64::from(i), code.values()[slot]));
    }
    if let Some(out) = out {
        sae.decode(code, out)?;
    }
    Ok(())
}

impl Sae {
    fn open(blob: &[u8]) -> PyResult<Self> {
        let opened = Opened::try_new(AlignedBlob::new(blob), |blob| {
            CoreSae::from_bytes(blob.as_bytes())
        })
        .map_err(to_py)?;
        let sae = opened.borrow_dependent();
        let (d_in, latents, k, input, has_decoder) = (
            sae.d_in(),
            sae.latents(),
            sae.k(),
            sae.input(),
            sae.has_decoder(),
        );
        Ok(Sae {
            opened,
            d_in,
            latents,
            k,
            input,
            has_decoder,
        })
    }

    fn core(&self) -> PyResult<CoreSae<'_>> {
        Ok(*self.opened.borrow_dependent())
    }

    /// Runs every row of `x` (floats for a dense model, packed words for a bits model).
    #[allow(clippy::type_complexity)]
    fn batch<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        reconstruct: bool,
        exact: bool,
    ) -> PyResult<(Vec<i64>, Vec<f32>, Vec<f32>, usize)> {
        let sae = self.core()?;
        if exact && sae.input() == Input::Bits {
            return Err(value(
                "exact=True is for float-input SAEs; this one takes bits",
            ));
        }
        let (k, d_in) = (sae.k(), sae.d_in());
        let dense;
        let bits;
        let mut all: &[f32] = &[];
        let (rows, n): (Vec<Row<'_>>, usize) = match sae.input() {
            Input::Dense | Input::DensePerRow => {
                dense = x
                    .extract::<PyReadonlyArray2<'py, f32>>()
                    .map_err(|_| value("x: this SAE takes float32 rows, shape (n, d_in)"))?;
                let (n, f) = (dense.shape()[0], dense.shape()[1]);
                if f != d_in {
                    return Err(value(format!(
                        "x: {f} inputs per row, the SAE takes {d_in}"
                    )));
                }
                let s = dense
                    .as_slice()
                    .map_err(|_| value("x: the array is not C-contiguous"))?;
                all = s;
                (s.chunks_exact(d_in.max(1)).map(Row::Dense).collect(), n)
            }
            Input::Bits => {
                bits = x.extract::<PyReadonlyArray2<'py, u32>>().map_err(|_| {
                    value("x: this SAE takes packed uint32 rows, shape (n, ceil(d_in/32))")
                })?;
                let (n, w) = (bits.shape()[0], bits.shape()[1]);
                if w != d_in.div_ceil(32) {
                    return Err(value(format!(
                        "x: {w} words per row, the SAE takes {}",
                        d_in.div_ceil(32)
                    )));
                }
                let s = bits
                    .as_slice()
                    .map_err(|_| value("x: the array is not C-contiguous"))?;
                (s.chunks_exact(w.max(1)).map(Row::Bits).collect(), n)
            }
        };
        // Float rows on the integer path go 64 at a time through the batch encoder (the same
        // codes, sharing passes over the weights).
        let group = if exact || sae.input() == Input::Bits {
            1
        } else {
            64
        };
        let out = py.detach(|| {
            let mut index = vec![-1i64; n * k];
            let mut val = vec![0f32; n * k];
            let mut rec = vec![0f32; if reconstruct { n * d_in } else { 0 }];
            let mut codes = vec![LatentVec::new(); group];
            for (g, chunk) in rows.chunks(group).enumerate() {
                let codes = &mut codes[..chunk.len()];
                match chunk {
                    [row] => encode_row(&sae, *row, exact, &mut codes[0])?,
                    _ => {
                        let first = g * group * d_in;
                        let flat = &all[first..first + chunk.len() * d_in];
                        sae.encode_dense_batch(flat, codes)?
                    }
                }
                for (c, code) in codes.iter().enumerate() {
                    let r = g * group + c;
                    let out = reconstruct.then(|| &mut rec[r * d_in..(r + 1) * d_in]);
                    emit(
                        &sae,
                        code,
                        &mut index[r * k..(r + 1) * k],
                        &mut val[r * k..(r + 1) * k],
                        out,
                    )?;
                }
            }
            Ok((index, val, rec))
        });
        let (index, val, rec) = out.map_err(to_py)?;
        Ok((index, val, rec, n))
    }
}

#[pymethods]
impl Sae {
    /// Validates an SAE blob (HSAE v1 or v2, bare or in the container), given as bytes or as
    /// a path to a file.
    #[new]
    fn new(source: &Bound<'_, PyAny>) -> PyResult<Self> {
        Self::open(&crate::error::bytes_or_path(source)?)
    }

    /// Quantises an SAE: a SAELens folder (`cfg.json` and `sae_weights.safetensors`; its
    /// architecture, `k`, `apply_b_dec_to_input` read from the file) or a safetensors file
    /// (`W_enc`, `b_enc`, `W_dec`, `b_dec` [, `b_pre`] [, `threshold`]; bytes or a path), as
    /// `hyperbits sae import` reads them. Arguments given override the file: `k` (TopK's k, a
    /// cap for ReLU and JumpReLU), `architecture` (`"topk"`, `"standard"` or `"relu"`,
    /// `"jumprelu"`), `subtract_b_dec`. Float rows are quantised each with its own scale,
    /// unless `calibration` rows fix one scale for all; `bits=True` for a model over 0/1
    /// inputs.
    #[staticmethod]
    #[pyo3(signature = (source, k = None, calibration = None, bits = false, subtract_b_dec = None, architecture = None, weights = "int8", decoder = true, threshold = 0.0))]
    #[allow(clippy::too_many_arguments)]
    fn import_sae(
        source: &Bound<'_, PyAny>,
        k: Option<usize>,
        calibration: Option<PyReadonlyArray2<'_, f32>>,
        bits: bool,
        subtract_b_dec: Option<bool>,
        architecture: Option<&str>,
        weights: &str,
        decoder: bool,
        threshold: f32,
    ) -> PyResult<Self> {
        let input = match (bits, &calibration) {
            (true, _) => Input::Bits,
            (false, Some(_)) => Input::Dense,
            (false, None) => Input::DensePerRow,
        };
        let activation = match architecture {
            None => None,
            Some("topk") => Some(Activation::TopK),
            Some("standard" | "relu") => Some(Activation::Relu),
            Some("jumprelu") => Some(Activation::JumpRelu),
            Some(other) => {
                return Err(value(format!(
                "architecture {other:?}: use \"topk\", \"standard\" (or \"relu\") or \"jumprelu\""
            )))
            }
        };
        let weights = match weights {
            "int8" => Weights::Int8,
            "ternary" => Weights::Ternary,
            "binary" => Weights::Binary,
            other => {
                return Err(value(format!(
                    "weights {other:?}: use \"int8\", \"ternary\" or \"binary\""
                )))
            }
        };
        let options = ImportOptions {
            input,
            k,
            activation,
            pre_bias: subtract_b_dec.map(|s| {
                if s {
                    PreBias::DecoderBias
                } else {
                    PreBias::None
                }
            }),
        };
        let imported = if let Ok(bytes) = source.cast::<PyBytes>() {
            from_safetensors(bytes.as_bytes(), &options)
        } else {
            let path: std::path::PathBuf = source.extract().map_err(|_| {
                value(
                    "source: bytes of a safetensors file, or a path to one or to a SAELens folder",
                )
            })?;
            from_path(&path, &options)
        };
        let sae = imported.map_err(|e| crate::error::FormatError::new_err(e.to_string()))?;
        let calib: Vec<f32> = match &calibration {
            Some(c) => {
                if c.shape()[1] != sae.d_in {
                    return Err(value(format!(
                        "calibration: {} inputs per row, the SAE takes {}",
                        c.shape()[1],
                        sae.d_in
                    )));
                }
                c.as_slice()
                    .map_err(|_| value("calibration: not C-contiguous"))?
                    .to_vec()
            }
            None => Vec::new(),
        };
        let options = ExportOptions {
            weights,
            decoder,
            threshold,
            ..ExportOptions::default()
        };
        Sae::open(&sae.to_blob(&calib, &options).map_err(to_py)?)
    }

    /// The blob firmware reads in place.
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, self.opened.borrow_owner().as_bytes())
    }

    /// Inputs per row.
    #[getter]
    fn d_in(&self) -> usize {
        self.d_in
    }

    /// Latents h.
    #[getter]
    fn latents(&self) -> usize {
        self.latents
    }

    /// Most latents kept per row.
    #[getter]
    fn k(&self) -> usize {
        self.k
    }

    /// `"dense"` (float rows, each quantised with its own scale), `"dense-calibrated"` (float
    /// rows, one scale fixed at import) or `"bits"` (packed 0/1 rows).
    #[getter]
    fn input(&self) -> &'static str {
        match self.input {
            Input::DensePerRow => "dense",
            Input::Dense => "dense-calibrated",
            Input::Bits => "bits",
        }
    }

    /// The activation, as SAELens names it: `"topk"`, `"standard"` (ReLU) or `"jumprelu"`.
    #[getter]
    fn architecture(&self) -> PyResult<&'static str> {
        Ok(self.core()?.activation().name())
    }

    /// Whether the blob holds a decoder (needed by `reconstruct`).
    #[getter]
    fn has_decoder(&self) -> bool {
        self.has_decoder
    }

    /// The active latents of each row (at most k): indices `(n, k)` (`int64`, largest value
    /// first, -1 where fewer are active) and values `(n, k)` (`float32`, 0 where padded).
    /// `exact=True`: float arithmetic without quantising the input (closer to the float
    /// model); the default is the device's integer path, bit-identical on every target.
    #[pyo3(signature = (x, exact = false))]
    #[allow(clippy::type_complexity)]
    fn encode<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
        exact: bool,
    ) -> PyResult<(Bound<'py, PyArray2<i64>>, Bound<'py, PyArray2<f32>>)> {
        let (index, val, _, n) = self.batch(py, x, false, exact)?;
        let k = self.k;
        Ok((
            PyArray1::from_vec(py, index).reshape([n, k])?,
            PyArray1::from_vec(py, val).reshape([n, k])?,
        ))
    }

    /// Reconstructs inputs from codes: `indices` `(n, m)` (`int64`; -1 marks an unused slot, as
    /// `encode` pads) and `values` `(n, m)` (`float32`):
    /// `(n, d_in)` floats.
    fn decode<'py>(
        &self,
        py: Python<'py>,
        indices: PyReadonlyArray2<'py, i64>,
        values: PyReadonlyArray2<'py, f32>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        if indices.shape() != values.shape() {
            return Err(value(format!(
                "indices {:?} and values {:?} differ in shape",
                indices.shape(),
                values.shape()
            )));
        }
        let (n, m) = (indices.shape()[0], indices.shape()[1]);
        let idx = indices
            .as_slice()
            .map_err(|_| value("indices: the array is not C-contiguous"))?;
        let val = values
            .as_slice()
            .map_err(|_| value("values: the array is not C-contiguous"))?;
        if let Some(&bad) = idx.iter().find(|&&i| i < -1 || i >= self.latents as i64) {
            return Err(value(format!(
                "latent index {bad}: the SAE has {} latents (-1 marks an unused slot)",
                self.latents
            )));
        }
        let sae = self.core()?;
        let d_in = self.d_in;
        let out = py.detach(|| -> Result<Vec<f32>, hyperbits::Error> {
            let mut out = vec![0f32; n * d_in];
            for r in 0..n {
                let (mut i16s, mut vs) = (Vec::with_capacity(m), Vec::with_capacity(m));
                for c in 0..m {
                    if idx[r * m + c] >= 0 {
                        i16s.push(idx[r * m + c] as u16);
                        vs.push(val[r * m + c]);
                    }
                }
                let z = LatentVec::from_latents(&i16s, &vs)?;
                sae.decode(&z, &mut out[r * d_in..(r + 1) * d_in])?;
            }
            Ok(out)
        });
        PyArray1::from_vec(py, out.map_err(to_py)?).reshape([n, d_in])
    }

    /// Each row encoded and decoded: `(n, d_in)` floats.
    fn reconstruct<'py>(
        &self,
        py: Python<'py>,
        x: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let (_, _, rec, n) = self.batch(py, x, true, false)?;
        let d_in = self.d_in;
        PyArray1::from_vec(py, rec).reshape([n, d_in])
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Sae>()
}
