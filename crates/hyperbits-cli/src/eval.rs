//! `hyperbits eval`: accuracy and confusion matrix of a model on labelled rows (for a window
//! classifier, labelled windows).

use crate::common::{
    check_features, class_names, classifier_dim, is_series, load_model, open, open_series,
    read_table, window_samples,
};
use crate::Result;
use hyperbits::series::{Dft, MAX_LENGTH};
use std::path::Path;

pub(crate) fn run(model_path: &Path, test: &Path) -> Result<()> {
    let blob = load_model(model_path)?;
    let table = read_table(test, true, None)?;
    let at = |i: usize| move |e: hyperbits::Error| format!("{}:{}: {e}", test.display(), i + 2);
    let (names, predicted) = with_dim!(classifier_dim(model_path, &blob)?, W => {
        if is_series(&blob) {
            let c = open_series::<W>(model_path, &blob)?;
            let samples = window_samples(test, &table, &c)?;
            let dft = Dft::<MAX_LENGTH>::new(c.window().length()).map_err(|e| e.to_string())?;
            let n = c.window().channels() * c.window().length();
            let predicted = samples
                .chunks_exact(n)
                .enumerate()
                .map(|(i, w)| c.predict_window(w, &dft).map(|d| d.prediction.class).map_err(at(i)))
                .collect::<Result<Vec<_>>>()?;
            Ok::<_, String>((class_names(c.model())?, predicted))
        } else {
            let c = open::<W>(model_path, &blob)?;
            check_features(test, &table, c.features())?;
            let predicted = table
                .rows
                .iter()
                .enumerate()
                .map(|(i, row)| c.predict(row).map(|p| p.class).map_err(at(i)))
                .collect::<Result<Vec<_>>>()?;
            Ok((class_names(&c)?, predicted))
        }
    })?;
    let data = table.dataset(test, &names).map_err(|e| e.to_string())?;
    let k = names.len();
    let mut confusion = vec![vec![0usize; k]; k];
    for (&truth, &p) in data.labels.iter().zip(&predicted) {
        confusion[truth][p] += 1;
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
}
