//! `hyperbits train`: a classifier (or, with `--ensemble K`, K of them voting) from a CSV
//! file, written as a model blob; with `--channels C`, a window classifier from labelled
//! sensor windows.

use crate::common::{describe, describe_window, load_dataset, read_table, write_atomically};
use crate::Result;
use hyperbits::train::{
    train_ensemble, train_series, train_with_progress, Options, SeriesOptions, Trained, Windows,
};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::Path;
use std::time::Instant;

pub(crate) fn run<const W: usize>(
    train_path: &Path,
    test: Option<&Path>,
    options: &Options,
    ensemble: usize,
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
    let bar = progress_bar()?;
    let start = Instant::now();
    let fail = |e: hyperbits::Error| format!("{}: {e}", train_path.display());
    let (members, accuracy, blob) = if ensemble > 1 {
        bar.set_length(ensemble as u64);
        bar.set_message("members");
        let model = train_ensemble::<W>(&data, options, ensemble).map_err(fail)?;
        let accuracy = test_set.as_ref().map(|t| model.accuracy(t)).transpose();
        let blob = model.to_blob();
        (model.members, accuracy, blob)
    } else {
        let model: Trained<W> = train_with_progress(&data, options, &mut |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        })
        .map_err(fail)?;
        let accuracy = test_set.as_ref().map(|t| model.accuracy(t)).transpose();
        let blob = model.to_blob();
        (vec![model], accuracy, blob)
    };
    bar.finish_and_clear();
    eprintln!(
        "trained on {} rows, {} features, {} classes, D = {} in {:.3} s",
        data.len(),
        data.features,
        data.class_names.len(),
        32 * W,
        start.elapsed().as_secs_f64()
    );
    for (i, model) in members.iter().enumerate() {
        let encoder = describe(&model.encoding, model.decorrelation.is_some());
        let member = if members.len() > 1 {
            format!("member {i}: ")
        } else {
            String::new()
        };
        match model.margin {
            Some(m) => eprintln!("{member}encoder: {encoder}, margin {m} bits"),
            None => eprintln!("{member}encoder: {encoder}"),
        }
    }
    if let Some(a) = accuracy.map_err(|e| e.to_string())? {
        println!("accuracy: {a:.4}");
    }
    let blob = blob.map_err(|e| e.to_string())?;
    write_atomically(out, &blob)?;
    eprintln!("wrote {} ({} bytes)", out.display(), blob.len());
    Ok(())
}

/// The bar both trainers report their steps on.
fn progress_bar() -> Result<ProgressBar> {
    let bar = ProgressBar::new(1);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} training steps")
            .map_err(|e| e.to_string())?,
    );
    Ok(bar)
}

/// `hyperbits train --channels C`: a window classifier from labelled windows.
pub(crate) fn run_series<const W: usize>(
    train_path: &Path,
    test: Option<&Path>,
    channels: usize,
    options: &SeriesOptions,
    out: &Path,
) -> Result<()> {
    let table = read_table(train_path, true, None)?;
    let windows =
        Windows::from_table(&table, channels, train_path, None).map_err(|e| e.to_string())?;
    if windows.class_names.len() < 2 {
        return Err(format!(
            "{}: training needs at least two classes",
            train_path.display()
        ));
    }
    let test_set = match test {
        Some(p) => {
            let t = read_table(p, true, Some(&table.columns))?;
            Some(
                Windows::from_table(&t, channels, p, Some(&windows.class_names))
                    .map_err(|e| e.to_string())?,
            )
        }
        None => None,
    };
    let bar = progress_bar()?;
    let start = Instant::now();
    let model = train_series::<W>(&windows, options, &mut |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    })
    .map_err(|e| format!("{}: {e}", train_path.display()))?;
    bar.finish_and_clear();
    let window = model.window().map_err(|e| e.to_string())?;
    eprintln!(
        "trained on {} windows of {} samples × {} channels, {} classes, D = {} in {:.3} s",
        windows.len(),
        windows.length,
        channels,
        windows.class_names.len(),
        32 * W,
        start.elapsed().as_secs_f64()
    );
    eprintln!("window: {}", describe_window(&window));
    for (i, m) in model.model.members.iter().enumerate() {
        let member = if model.model.members.len() > 1 {
            format!("member {i}: ")
        } else {
            String::new()
        };
        let margin = m
            .margin
            .map(|m| format!(", margin {m} bits"))
            .unwrap_or_default();
        eprintln!(
            "{member}encoder: {}{margin}",
            describe(&m.encoding, m.decorrelation.is_some())
        );
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
