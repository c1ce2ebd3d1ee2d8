//! `hyperbits predict`: one label per row (for a window classifier, per window); with
//! `--proba`, the label, a comma and the calibrated probability that it is right (4 decimals,
//! from the model's confidence table).

use crate::common::{
    check_features, classifier_dim, is_series, load_model, open, open_series, read_table,
    window_samples,
};
use crate::Result;
use hyperbits::classify::PROBABILITY_ONE;
use hyperbits::series::{Dft, MAX_LENGTH};
use std::path::Path;

pub(crate) fn run(model_path: &Path, rows: &Path, proba: bool) -> Result<()> {
    let blob = load_model(model_path)?;
    let table = read_table(rows, false, None)?;
    let at = |i: usize| move |e: hyperbits::Error| format!("{}:{}: {e}", rows.display(), i + 2);
    let no_table = || {
        format!(
            "{}: the model carries no confidence table (trained with OnlineHD); retrain it",
            model_path.display()
        )
    };
    // Each answer: the label and the probability (when asked for).
    let answers: Vec<(String, Option<u32>)> = with_dim!(classifier_dim(model_path, &blob)?, W => {
        if is_series(&blob) {
            let c = open_series::<W>(model_path, &blob)?;
            if proba && c.model().confidence_table().is_none() {
                return Err(no_table());
            }
            let samples = window_samples(rows, &table, &c)?;
            let dft = Dft::<MAX_LENGTH>::new(c.window().length()).map_err(|e| e.to_string())?;
            let n = c.window().channels() * c.window().length();
            samples
                .chunks_exact(n)
                .enumerate()
                .map(|(i, w)| {
                    let d = c.predict_window(w, &dft).map_err(at(i))?;
                    let label = c.label(d.prediction.class).map_err(|e| e.to_string())?;
                    Ok((label.to_string(), d.probability))
                })
                .collect::<Result<Vec<_>>>()
        } else {
            let c = open::<W>(model_path, &blob)?;
            check_features(rows, &table, c.features())?;
            if proba && c.confidence_table().is_none() {
                return Err(no_table());
            }
            table
                .rows
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    let (class, p) = if proba {
                        let a = c.predict_with_confidence(row).map_err(at(i))?;
                        (a.prediction.class, Some(a.probability))
                    } else {
                        (c.predict(row).map_err(at(i))?.class, None)
                    };
                    Ok((c.label(class).map_err(|e| e.to_string())?.to_string(), p))
                })
                .collect::<Result<Vec<_>>>()
        }
    })?;
    let mut out = String::new();
    for (label, p) in answers {
        out.push_str(&label);
        if let (true, Some(p)) = (proba, p) {
            out.push_str(&format!(
                ",{:.4}",
                f64::from(p) / f64::from(PROBABILITY_ONE)
            ));
        }
        out.push('\n');
    }
    print!("{out}");
    Ok(())
}
