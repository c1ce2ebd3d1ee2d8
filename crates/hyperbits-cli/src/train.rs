//! `hyperbits train`: a classifier from a CSV file, written as a model blob.

use crate::common::{load_dataset, write_atomically};
use crate::Result;
use hyperbits::classify::Encoding;
use hyperbits::train::{train_with_progress, Options, Trained};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use std::time::Instant;

pub(crate) fn run<const W: usize>(
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
    let encoder = match model.encoding {
        Encoding::Projection { .. } => "projection".to_string(),
        Encoding::Record { levels, .. } => format!("record ({levels} levels)"),
        Encoding::Sinusoid { frequency, .. } => format!("sinusoid (frequency {frequency})"),
    };
    match model.margin {
        Some(m) => eprintln!("encoder: {encoder}, margin {m} bits"),
        None => eprintln!("encoder: {encoder}"),
    }
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
