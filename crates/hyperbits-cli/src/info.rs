//! `hyperbits info`: what a model blob holds and what it needs on a device.

use crate::common::{
    class_names, classifier_dim, describe, describe_window, load_model, open, open_series, Opened,
};
use crate::Result;
use hyperbits::classify::Encoding;
use hyperbits::model::{Kind, Model};
use hyperbits::sae::{Activation, Input, Sae};
use hyperbits::series;
use std::path::Path;

pub(crate) fn run(path: &Path) -> Result<()> {
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
        let input = match sae.input() {
            Input::Dense => format!(
                "floats, int8 with the calibrated scale {}",
                sae.input_scale()
            ),
            Input::DensePerRow => "floats, int8 with each row's own scale".to_string(),
            Input::Bits => "bits".to_string(),
        };
        println!("inputs: {} ({input})", sae.d_in());
        let cap = if sae.k() < sae.latents() {
            format!(", at most k = {} kept", sae.k())
        } else {
            String::new()
        };
        println!(
            "architecture: {} ({}){cap}",
            sae.activation().name(),
            match sae.activation() {
                Activation::TopK => "ReLU of the k largest",
                Activation::Relu => "ReLU",
                Activation::JumpRelu => "JumpReLU, a threshold per latent",
            }
        );
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
        // On a device: TopK<k> (10 bytes a latent), 32 accumulators, a block of 256 quantised
        // inputs (i16 for per-row input, i8 otherwise; a bit model lists set bits in 256 bytes).
        let block = if sae.input() == Input::DensePerRow {
            512
        } else {
            256
        };
        println!(
            "RAM at inference: about {} bytes of stack (TopK<{}>, 32 accumulators, a block of 256 inputs), no heap",
            10 * sae.k() + 128 + block,
            sae.k()
        );
        return Ok(());
    }
    if model.kind() == Kind::Series {
        return with_dim!(classifier_dim(path, &blob)?, W => {
            let c = open_series::<W>(path, &blob)?;
            let w = c.window();
            println!("window: {}", describe_window(&w));
            let work = classifier_info(c.model())?;
            println!(
                "flash: {} bytes (the blob, read in place; codebooks are regenerated)",
                blob.as_bytes().len()
            );
            // Stream<N, L> with N = T·(C + V), L = T: the ring (4N), the DFT tables and the
            // sort buffer (8L), the running sums (MAX_DERIVED × 24) and the counters.
            let (t, d) = (w.length(), w.derived_channels());
            let stream = 4 * t * d + 8 * t + 24 * series::MAX_DERIVED + 16;
            println!(
                "RAM: {stream} bytes of stream state (Stream<{}, {t}>), and at each prediction \
                 about {} bytes of stack (the features, then the classifier's), no heap",
                t * d,
                4 * series::MAX_FEATURES + 4 * W * c.model().members().len() + work
            );
            println!(
                "per sample: {} values in; a prediction every {} samples once {t} have arrived",
                w.channels(),
                w.hop()
            );
            Ok(())
        });
    }
    if model.kind() != Kind::Classifier && model.kind() != Kind::Ensemble {
        println!("size: {} bytes", blob.as_bytes().len());
        return Ok(());
    }
    with_dim!(classifier_dim(path, &blob)?, W => {
        let c = open::<W>(path, &blob)?;
        let work = classifier_info(&c)?;
        let members = c.members();
        println!(
            "flash: {} bytes (the blob, read in place; codebooks are regenerated){}",
            blob.as_bytes().len(),
            if members.len() > 1 { "; instructions per inference: the members' summed" } else { "" }
        );
        println!(
            "RAM at inference: about {} bytes of stack, no heap",
            4 * W * members.len() + work
        );
        Ok(())
    })
}

/// Prints what a classifier or ensemble holds; returns the largest encoder's working memory
/// in bytes.
fn classifier_info<const W: usize>(c: &Opened<'_, W>) -> Result<usize> {
    let (features, classes) = (c.features(), c.classes());
    println!("dimension: {} bits", 32 * W);
    println!("classes: {classes} ({})", class_names(c)?.join(", "));
    println!("features: {features}");
    // Working memory of one inference, from the encoders' data structures (stack, no heap;
    // an estimate, not a measurement): the encoded vectors plus the largest encoder state:
    // 512 i32 sums for the projection and the sinusoid; for the record one level per
    // feature, the bit-sliced counters (16 planes and 16 buffered blocks of 64 bytes) and
    // the level basis (10 blocks).
    let members = c.members();
    if members.len() > 1 {
        println!("members: {} (voting by summed distance)", members.len());
    }
    let mut work = 0;
    for (i, m) in members.iter().enumerate() {
        let state = match m.encoding() {
            Encoding::Projection { .. } | Encoding::Sinusoid { .. } => 4 * 512,
            Encoding::Record { .. } => 2 * features + 32 * 64 + 10 * 64,
            Encoding::Thermometer { .. } => 0,
            // 255 levels, 8 n-gram vectors and i16 counters, besides the record's.
            Encoding::Temporal { .. } => 510 + 8 * 4 * W + 2 * 32 * W + 32 * 64 + 10 * 64,
        };
        let encoder = describe(&m.encoding(), m.decorrelation().is_some());
        // The decorrelated features are kept on the stack.
        let decorrelated = if m.decorrelation().is_some() {
            4 * hyperbits::classify::MAX_DECORRELATED
        } else {
            0
        };
        work = work.max(state + decorrelated);
        if members.len() > 1 {
            println!("member {i}: encoder: {encoder}");
        } else {
            println!("encoder: {encoder}");
        }
    }
    match c.confidence_table() {
        Some(t) => println!(
            "confidence: calibrated (probability {:.3} at margin 0, {:.3} at {} bits)",
            f64::from(t[1]) / 65536.0,
            f64::from(t[t.len() - 1]) / 65536.0,
            t[0] as usize * (t.len() - 2)
        ),
        None => println!("confidence: none"),
    }
    Ok(work)
}
