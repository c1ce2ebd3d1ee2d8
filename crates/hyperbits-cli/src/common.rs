//! Shared by the subcommands: reading data sets and model blobs, writing files safely.

use crate::Result;
use hyperbits::classify::{Encoding, MAX_FEATURES};
use hyperbits::ensemble::Ensemble;
use hyperbits::model::{AlignedBlob, Model};
use hyperbits::train::csv::{read_csv, Table};
use hyperbits::train::ensemble::MAX_MEMBERS;
use hyperbits::train::Dataset;
use std::path::Path;

pub(crate) fn load_dataset(
    path: &Path,
    columns: Option<&[String]>,
    classes: Option<&[String]>,
) -> Result<(Table, Dataset)> {
    let table = read_csv(path, true, columns).map_err(|e| e.to_string())?;
    if table.columns.len() > MAX_FEATURES {
        return Err(format!(
            "{}: {} features, at most {MAX_FEATURES} are supported",
            path.display(),
            table.columns.len()
        ));
    }
    let names = match classes {
        Some(c) => c.to_vec(),
        None => table.classes().0,
    };
    let data = table.dataset(path, &names).map_err(|e| e.to_string())?;
    Ok((table, data))
}

/// Writes to a temporary file beside `path`, then renames it: a failure leaves nothing
/// half-written at `path`.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| format!("{}: not a file path", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(format!("{}: cannot write: {e}", path.display()));
    }
    Ok(())
}

pub(crate) fn load_model(path: &Path) -> Result<AlignedBlob> {
    let blob =
        AlignedBlob::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    Model::new_checked(blob.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(blob)
}

/// The dimension recorded in a classifier or ensemble blob.
pub(crate) fn classifier_dim(path: &Path, blob: &AlignedBlob) -> Result<usize> {
    Model::new_checked(blob.as_bytes())
        .and_then(|model| hyperbits::ensemble::dimension(&model))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// A classifier blob (an ensemble of one) or an ensemble blob, validated.
pub(crate) type Opened<'a, const W: usize> = Ensemble<'a, W, MAX_MEMBERS>;

pub(crate) fn open<'a, const W: usize>(
    path: &Path,
    blob: &'a AlignedBlob,
) -> Result<Opened<'a, W>> {
    Ensemble::from_bytes(blob.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
}

pub(crate) fn class_names<const W: usize>(c: &Opened<'_, W>) -> Result<Vec<String>> {
    (0..c.classes())
        .map(|k| c.label(k).map(str::to_string).map_err(|e| e.to_string()))
        .collect()
}

pub(crate) fn check_features(path: &Path, table: &Table, expected: usize) -> Result<()> {
    if table.columns.len() != expected {
        return Err(format!(
            "{}:1: the model takes {expected} features, the file has {} columns besides `label`",
            path.display(),
            table.columns.len()
        ));
    }
    Ok(())
}

/// An encoder in words, with its parameter.
pub(crate) fn describe(encoding: &Encoding) -> String {
    match *encoding {
        Encoding::Projection { .. } => "projection".to_string(),
        Encoding::Record { levels, .. } => format!("record ({levels} levels)"),
        Encoding::Sinusoid { frequency, .. } => format!("sinusoid (frequency {frequency})"),
        Encoding::Thermometer { levels } => format!("thermometer ({levels} levels)"),
    }
}
