//! Reading labelled tables from CSV files (feature `std`).
//!
//! The format the trainer and the CLI read: a header row, one column named `label` (integer or
//! string classes), every other column numeric. Every problem is reported with the file and
//! the line: a missing file, no `label` column, an empty file, a non-numeric cell, a ragged
//! row, and (when reading a test file against training columns) different columns.
#![forbid(unsafe_code)]

use std::prelude::rust_2021::*;

use crate::train::Dataset;
use std::fmt;
use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::vec::Vec;

/// A CSV problem, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvError {
    /// The file.
    pub path: PathBuf,
    /// The 1-based line, when the problem is on one.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.path.display(), line, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl std::error::Error for CsvError {}

/// A table read from CSV: feature column names, rows, and the raw label of each row.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// Names of the feature columns, in order.
    pub columns: Vec<String>,
    /// Feature values, one row per data line.
    pub rows: Vec<Vec<f32>>,
    /// The `label` cell of each row (absent when the file has no `label` column and the caller
    /// allowed that).
    pub labels: Vec<String>,
}

impl Table {
    /// Class names in sorted order (numerically when every label is an integer) and each
    /// row's class index.
    pub fn classes(&self) -> (Vec<String>, Vec<usize>) {
        let mut names: Vec<String> = self.labels.clone();
        if names.iter().all(|l| l.parse::<i64>().is_ok()) {
            names.sort_by_key(|l| l.parse::<i64>().unwrap_or(0));
        } else {
            names.sort();
        }
        names.dedup();
        let index = self
            .labels
            .iter()
            .map(|l| names.iter().position(|n| n == l).unwrap_or(0))
            .collect();
        (names, index)
    }

    /// The labelled data set, with classes indexed as in `class_names` (for a test file, pass
    /// the training classes; an unseen label is an error naming its line).
    pub fn dataset(&self, path: &Path, class_names: &[String]) -> Result<Dataset, CsvError> {
        let mut labels = Vec::with_capacity(self.labels.len());
        for (i, l) in self.labels.iter().enumerate() {
            match class_names.iter().position(|n| n == l) {
                Some(c) => labels.push(c),
                None => {
                    return Err(CsvError {
                        path: path.to_path_buf(),
                        line: Some(i + 2),
                        message: format!("label {l:?} was not seen in training"),
                    })
                }
            }
        }
        Dataset::new(&self.rows, &labels, class_names.to_vec()).map_err(|e| CsvError {
            path: path.to_path_buf(),
            line: None,
            message: e.to_string(),
        })
    }
}

/// Reads a CSV table. `require_label`: whether a `label` column must exist (training and
/// evaluation) or may be absent (prediction). `columns`: the expected feature columns, when
/// they must match another file's.
pub fn read_csv(
    path: &Path,
    require_label: bool,
    columns: Option<&[String]>,
) -> Result<Table, CsvError> {
    let text = std::fs::read_to_string(path).map_err(|e| CsvError {
        path: path.to_path_buf(),
        line: None,
        message: format!("cannot read: {e}"),
    })?;
    parse_csv(&text, path, require_label, columns)
}

/// Parses the text of a CSV table as [`read_csv`] does; `path` only names the source in errors.
pub fn parse_csv(
    text: &str,
    path: &Path,
    require_label: bool,
    columns: Option<&[String]>,
) -> Result<Table, CsvError> {
    let err = |line: Option<usize>, message: String| CsvError {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or_else(|| err(None, "the file is empty (no header row)".into()))?;
    let names: Vec<String> = header.split(',').map(|c| c.trim().to_string()).collect();
    let label_at = names.iter().position(|n| n == "label");
    if require_label && label_at.is_none() {
        return Err(err(Some(1), "no column named `label` in the header".into()));
    }
    let feature_names: Vec<String> = names
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != label_at)
        .map(|(_, n)| n.clone())
        .collect();
    if feature_names.is_empty() {
        return Err(err(Some(1), "no feature columns".into()));
    }
    if let Some(expected) = columns {
        if expected != feature_names.as_slice() {
            return Err(err(
                Some(1),
                format!(
                    "feature columns differ from training: expected {} columns ({}), found {} ({})",
                    expected.len(),
                    preview(expected),
                    feature_names.len(),
                    preview(&feature_names)
                ),
            ));
        }
    }
    let mut table = Table {
        columns: feature_names,
        rows: Vec::new(),
        labels: Vec::new(),
    };
    for (i, line) in lines {
        let cells: Vec<&str> = line.split(',').map(str::trim).collect();
        if cells.len() != names.len() {
            return Err(err(
                Some(i + 1),
                format!("{} cells where the header has {}", cells.len(), names.len()),
            ));
        }
        let mut row = Vec::with_capacity(cells.len());
        for (j, cell) in cells.iter().enumerate() {
            if Some(j) == label_at {
                table.labels.push(cell.to_string());
                continue;
            }
            match cell.parse::<f32>() {
                Ok(v) if v.is_finite() => row.push(v),
                _ => {
                    return Err(err(
                        Some(i + 1),
                        format!("column {:?}: {:?} is not a finite number", names[j], cell),
                    ))
                }
            }
        }
        table.rows.push(row);
    }
    if table.rows.is_empty() {
        return Err(err(None, "no data rows after the header".into()));
    }
    Ok(table)
}

fn preview(names: &[String]) -> String {
    let mut s = names.iter().take(4).cloned().collect::<Vec<_>>().join(",");
    if names.len() > 4 {
        s.push_str(",…");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(name: &str, text: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("hyperbits-io-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn reads_and_reports_problems_with_file_and_line() {
        let ok = write("ok.csv", "a,label,b\n1,cat,2\n3,dog,4.5\n");
        let t = read_csv(&ok, true, None).unwrap();
        assert_eq!(t.columns, vec!["a", "b"]);
        assert_eq!(t.rows, vec![vec![1.0, 2.0], vec![3.0, 4.5]]);
        assert_eq!(t.classes(), (vec!["cat".into(), "dog".into()], vec![0, 1]));
        let msg = |p: &Path, need: bool, cols: Option<&[String]>| {
            read_csv(p, need, cols).unwrap_err().to_string()
        };
        assert!(msg(Path::new("/nonexistent/x.csv"), true, None).contains("cannot read"));
        assert!(msg(&write("e.csv", ""), true, None).contains("empty"));
        assert!(
            msg(&write("nl.csv", "a,b\n1,2\n"), true, None).contains(":1: no column named `label`")
        );
        assert!(
            msg(&write("nn.csv", "label,a\n1,2\n1,x\n"), true, None).contains(":3: column \"a\"")
        );
        assert!(
            msg(&write("rg.csv", "label,a\n1,2\n1\n"), true, None).contains(":3: 1 cells where")
        );
        assert!(msg(&write("hd.csv", "label,a\n"), true, None).contains("no data rows"));
        let cols = vec!["a".to_string(), "c".to_string()];
        assert!(msg(&ok, true, Some(&cols)).contains(":1: feature columns differ"));
        assert!(read_csv(&write("nolabel.csv", "a,b\n1,2\n"), false, None).is_ok());
    }

    #[test]
    fn integer_labels_sort_numerically() {
        let p = write("num.csv", "label,x\n10,1\n2,1\n9,1\n");
        let (names, idx) = read_csv(&p, true, None).unwrap().classes();
        assert_eq!(names, vec!["2", "9", "10"]);
        assert_eq!(idx, vec![2, 0, 1]);
    }
}
