//! `hyperbits predict`: one label per row.

use crate::common::{check_features, classifier_dim, load_model, open};
use crate::Result;
use hyperbits::train::csv::read_csv;
use std::path::Path;

pub(crate) fn run(model_path: &Path, rows: &Path) -> Result<()> {
    let blob = load_model(model_path)?;
    with_dim!(classifier_dim(model_path, &blob)?, W => {
        let c = open::<W>(model_path, &blob)?;
        let table = read_csv(rows, false, None).map_err(|e| e.to_string())?;
        check_features(rows, &table, c.features())?;
        let mut out = String::new();
        for (i, row) in table.rows.iter().enumerate() {
            let p = c.predict(row).map_err(|e| format!("{}:{}: {e}", rows.display(), i + 2))?;
            out.push_str(c.label(p.class).map_err(|e| e.to_string())?);
            out.push('\n');
        }
        print!("{out}");
        Ok(())
    })
}
