//! `hyperbits sae import | encode`: SAE weights from safetensors into a blob; encoding rows.

use crate::common::{check_features, load_model};
use crate::Result;
use hyperbits::sae::{Input, Sae, TopK};
use hyperbits::train::csv::read_csv;
use hyperbits::train::sae::export::ExportOptions;
use hyperbits::train::sae::import::{from_safetensors, PreBias};
use std::path::Path;

/// Reads CSV rows of numbers (header row) for an SAE with `d_in` inputs.
fn sae_rows(path: &Path, d_in: usize) -> Result<Vec<Vec<f32>>> {
    let table = read_csv(path, false, None).map_err(|e| e.to_string())?;
    check_features(path, &table, d_in)?;
    Ok(table.rows)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn import(
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

pub(crate) fn encode(model_path: &Path, inputs: &Path) -> Result<()> {
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
