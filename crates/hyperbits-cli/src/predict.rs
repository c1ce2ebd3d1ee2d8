//! `hyperbits predict`: one label per row; with `--proba`, the label, a comma and the
//! calibrated probability that it is right (4 decimals, from the model's confidence table).

use crate::common::{check_features, classifier_dim, load_model, open};
use crate::Result;
use hyperbits::classify::PROBABILITY_ONE;
use hyperbits::train::csv::read_csv;
use std::path::Path;

pub(crate) fn run(model_path: &Path, rows: &Path, proba: bool) -> Result<()> {
    let blob = load_model(model_path)?;
    with_dim!(classifier_dim(model_path, &blob)?, W => {
        let c = open::<W>(model_path, &blob)?;
        let table = read_csv(rows, false, None).map_err(|e| e.to_string())?;
        check_features(rows, &table, c.features())?;
        if proba && c.confidence_table().is_none() {
            return Err(format!(
                "{}: the model carries no confidence table (trained with OnlineHD); retrain it",
                model_path.display()
            ));
        }
        let mut out = String::new();
        for (i, row) in table.rows.iter().enumerate() {
            let at = |e: hyperbits::Error| format!("{}:{}: {e}", rows.display(), i + 2);
            if proba {
                let a = c.predict_with_confidence(row).map_err(at)?;
                let p = f64::from(a.probability) / f64::from(PROBABILITY_ONE);
                let label = c.label(a.prediction.class).map_err(|e| e.to_string())?;
                out.push_str(&format!("{label},{p:.4}\n"));
            } else {
                let p = c.predict(row).map_err(at)?;
                out.push_str(c.label(p.class).map_err(|e| e.to_string())?);
                out.push('\n');
            }
        }
        print!("{out}");
        Ok(())
    })
}
