//! `hyperbits eval`: accuracy and confusion matrix of a model on labelled rows.

use crate::common::{check_features, class_names, classifier_dim, load_model, open};
use crate::Result;
use hyperbits::train::csv::read_csv;
use std::path::Path;

pub(crate) fn run(model_path: &Path, test: &Path) -> Result<()> {
    let blob = load_model(model_path)?;
    with_dim!(classifier_dim(model_path, &blob)?, W => {
        let c = open::<W>(model_path, &blob)?;
        let names = class_names(&c)?;
        let table = read_csv(test, true, None).map_err(|e| e.to_string())?;
        check_features(test, &table, c.features())?;
        let data = table.dataset(test, &names).map_err(|e| e.to_string())?;
        let k = names.len();
        let mut confusion = vec![vec![0usize; k]; k];
        for i in 0..data.len() {
            let p = c.predict(data.row(i)).map_err(|e| format!("{}:{}: {e}", test.display(), i + 2))?;
            confusion[data.labels[i]][p.class] += 1;
        }
        let right: usize = (0..k).map(|i| confusion[i][i]).sum();
        println!("accuracy: {:.4}", right as f64 / data.len() as f64);
        let width = names.iter().map(|n| n.len()).max().unwrap_or(1).max(5);
        println!("confusion matrix (rows: true class, columns: predicted)");
        print!("{:>width$}", "");
        for n in &names {
            print!(" {n:>width$}");
        }
        println!();
        for (i, row) in confusion.iter().enumerate() {
            print!("{:>width$}", names[i]);
            for v in row {
                print!(" {v:>width$}");
            }
            println!();
        }
        Ok(())
    })
}
