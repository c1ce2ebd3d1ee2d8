//! `hyperbits sae import | encode`: SAE weights from safetensors or a SAELens folder into a
//! blob; encoding rows.

use crate::common::{check_features, load_model};
use crate::Result;
use hyperbits::sae::{Input, LatentVec, Latents, Sae};
use hyperbits::train::csv::read_csv;
use hyperbits::train::sae::export::ExportOptions;
use hyperbits::train::sae::import::{from_path, ImportOptions};
use std::fmt::Write;
use std::path::Path;

/// Reads CSV rows of numbers (header row) for an SAE with `d_in` inputs.
fn sae_rows(path: &Path, d_in: usize) -> Result<Vec<Vec<f32>>> {
    let table = read_csv(path, false, None).map_err(|e| e.to_string())?;
    check_features(path, &table, d_in)?;
    Ok(table.rows)
}

/// `import`: `options.input` is per-row float input unless `bits`; `calibration` rows make it
/// a calibrated one.
pub(crate) fn import(
    file: &Path,
    mut import: ImportOptions,
    out: &Path,
    calibration: Option<&Path>,
    options: &ExportOptions,
    auto_threshold: bool,
) -> Result<()> {
    if calibration.is_some() && import.input != Input::Bits {
        import.input = Input::Dense;
    }
    let sae = from_path(file, &import).map_err(|e| format!("{}: {e}", file.display()))?;
    let calib: Vec<f32> = match calibration {
        Some(path) => sae_rows(path, sae.d_in)?.concat(),
        None => Vec::new(),
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
        "wrote {} ({} bytes): {}, d_in {}, {} latents, k = {}",
        out.display(),
        blob.len(),
        sae.activation.name(),
        sae.d_in,
        sae.h,
        sae.k
    );
    Ok(())
}

/// `v` with 6 significant digits, as C's `%.6g`.
pub(crate) fn significant6(v: f32) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let sci = format!("{v:.5e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let trim = |s: &str| -> String {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s.to_string()
        }
    };
    if (-4..6).contains(&exp) {
        trim(&format!("{v:.*}", (5 - exp).max(0) as usize))
    } else {
        format!("{}e{exp}", trim(mantissa))
    }
}

/// `encode`: one line per row of `index:value` pairs, largest first (an empty line when no
/// latent is active); `exact`: the f32 path instead of the device's int8 one.
pub(crate) fn encode(model_path: &Path, inputs: &Path, exact: bool) -> Result<()> {
    let blob = load_model(model_path)?;
    let sae =
        Sae::from_bytes(blob.as_bytes()).map_err(|e| format!("{}: {e}", model_path.display()))?;
    if exact && sae.input() == Input::Bits {
        return Err(format!(
            "{}: --f32 is for float-input models; this one takes bits",
            model_path.display()
        ));
    }
    let mut code = LatentVec::new();
    let mut out = String::new();
    let mut words = vec![0u32; sae.d_in().div_ceil(32)];
    for (r, row) in sae_rows(inputs, sae.d_in())?.iter().enumerate() {
        let at = |e: hyperbits::Error| format!("{}:{}: {e}", inputs.display(), r + 2);
        match sae.input() {
            Input::Dense | Input::DensePerRow if exact => {
                sae.encode_f32(row, &mut code).map_err(at)?
            }
            Input::Dense | Input::DensePerRow => sae.encode_dense(row, &mut code).map_err(at)?,
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
                sae.encode_bits(&words, &mut code).map_err(at)?
            }
        }
        for (n, (&i, &v)) in code.indices().iter().zip(code.values()).enumerate() {
            let sep = if n == 0 { "" } else { " " };
            let _ = write!(out, "{sep}{i}:{}", significant6(v));
        }
        out.push('\n');
    }
    print!("{out}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::significant6;

    #[test]
    fn six_significant_digits_like_printf_g() {
        for (v, want) in [
            (1.0f32, "1"),
            (0.5, "0.5"),
            (123456.7, "123457"),
            (1234567.0, "1.23457e6"),
            (0.000_123_457, "0.000123457"),
            (0.0000123456, "1.23456e-5"),
            (-2.5, "-2.5"),
            (2.718_281_7, "2.71828"),
            (0.0, "0"),
        ] {
            assert_eq!(significant6(v), want, "{v}");
        }
    }
}
