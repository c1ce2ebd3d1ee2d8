//! Shared by the subcommands: reading data sets and model blobs, writing files safely.

use crate::Result;
use flate2::read::GzDecoder;
use hyperbits::classify::{Encoding, MAX_FEATURES};
use hyperbits::ensemble::Ensemble;
use hyperbits::model::{AlignedBlob, Kind, Model};
use hyperbits::series::{self, WindowClassifier};
use hyperbits::train::csv::{parse_csv, read_csv, Table};
use hyperbits::train::ensemble::MAX_MEMBERS;
use hyperbits::train::{Dataset, Windows};
use std::io::Read;
use std::path::Path;

pub(crate) fn load_dataset(
    path: &Path,
    columns: Option<&[String]>,
    classes: Option<&[String]>,
) -> Result<(Table, Dataset)> {
    let table = read_table(path, true, columns)?;
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

/// Reads a CSV table ([`parse_csv`]); a name ending in `.gz` is gunzipped first.
pub(crate) fn read_table(
    path: &Path,
    require_label: bool,
    columns: Option<&[String]>,
) -> Result<Table> {
    if path.extension().is_some_and(|e| e == "gz") {
        let mut text = String::new();
        std::fs::File::open(path)
            .and_then(|f| GzDecoder::new(f).read_to_string(&mut text))
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        parse_csv(&text, path, require_label, columns).map_err(|e| e.to_string())
    } else {
        read_csv(path, require_label, columns).map_err(|e| e.to_string())
    }
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

/// The dimension recorded in a classifier, ensemble or window-classifier blob.
pub(crate) fn classifier_dim(path: &Path, blob: &AlignedBlob) -> Result<usize> {
    Model::new_checked(blob.as_bytes())
        .and_then(|model| match model.kind() {
            Kind::Series => Model::new_checked(model.section(series::tags::CLASSIFIER)?),
            _ => Ok(model),
        })
        .and_then(|model| hyperbits::ensemble::dimension(&model))
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Whether the blob is a window classifier.
pub(crate) fn is_series(blob: &AlignedBlob) -> bool {
    Model::new_checked(blob.as_bytes()).is_ok_and(|m| m.kind() == Kind::Series)
}

/// A window-classifier blob, validated.
pub(crate) type OpenedSeries<'a, const W: usize> = WindowClassifier<'a, W, MAX_MEMBERS>;

pub(crate) fn open_series<'a, const W: usize>(
    path: &Path,
    blob: &'a AlignedBlob,
) -> Result<OpenedSeries<'a, W>> {
    WindowClassifier::from_bytes(blob.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
}

/// The samples of every window in `table` for `clf`'s window.
pub(crate) fn window_samples<const W: usize>(
    path: &Path,
    table: &Table,
    clf: &OpenedSeries<'_, W>,
) -> Result<Vec<i16>> {
    let w = clf.window();
    if table.columns.len() != w.channels() * w.length() {
        return Err(format!(
            "{}:1: the model takes windows of {} samples × {} channels, the file has {} columns besides `label`",
            path.display(),
            w.length(),
            w.channels(),
            table.columns.len()
        ));
    }
    Windows::samples_of(table, w.channels(), path).map_err(|e| e.to_string())
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
pub(crate) fn describe(encoding: &Encoding, decorrelated: bool) -> String {
    let first = if decorrelated { "decorrelated, " } else { "" };
    let encoder = match *encoding {
        Encoding::Projection { .. } => "projection".to_string(),
        Encoding::Record { levels, .. } => format!("record ({levels} levels)"),
        Encoding::Sinusoid { frequency, .. } => format!("sinusoid (frequency {frequency})"),
        Encoding::Thermometer { levels } => format!("thermometer ({levels} levels)"),
        Encoding::Temporal {
            levels,
            channels,
            ngram,
            ..
        } => format!("temporal ({channels} channels a step, {ngram}-grams, {levels} levels)"),
    };
    format!("{first}{encoder}")
}

/// A window stage in words.
pub(crate) fn describe_window(w: &series::Window<'_>) -> String {
    let vectors = w.vectors();
    let magnitudes = if vectors.is_empty() {
        String::new()
    } else {
        let firsts: Vec<String> = vectors.iter().map(u32::to_string).collect();
        format!(
            " + {} magnitudes (vectors at {})",
            vectors.len(),
            firsts.join(", ")
        )
    };
    let stage = match w.stage() {
        series::Stage::Statistics => format!("statistics, {} bands", w.band_edges().len() - 1),
        series::Stage::Samples => "the samples".to_string(),
    };
    format!(
        "{} samples × {} channels{magnitudes}, hop {}, {stage}, {} features",
        w.length(),
        w.channels(),
        w.hop(),
        w.features()
    )
}
