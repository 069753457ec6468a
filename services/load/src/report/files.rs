//! Writing a report's files: each beside and renamed, so a reader never sees half of one.

use std::path::{Path, PathBuf};

use super::{Report, csv, html};

/// Why a report could not be written.
#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct ReportError {
    /// The file.
    pub path: String,
    /// The OS error.
    #[source]
    pub source: std::io::Error,
}

/// The files written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Files {
    /// report.html.
    pub html: PathBuf,
    /// report.json.
    pub json: PathBuf,
    /// endpoints.csv.
    pub endpoints_csv: PathBuf,
    /// timeline.csv.
    pub timeline_csv: PathBuf,
}

fn write(path: &Path, text: &str) -> Result<(), ReportError> {
    // Written beside and renamed, so a reader never sees half a report.
    let partial = path.with_extension("partial");
    std::fs::write(&partial, text)
        .and_then(|()| std::fs::rename(&partial, path))
        .map_err(|source| ReportError {
            path: path.display().to_string(),
            source,
        })
}

/// Writes every report file into `dir` (created if missing).
pub fn write_all(dir: &Path, report: &Report) -> Result<Files, ReportError> {
    std::fs::create_dir_all(dir).map_err(|source| ReportError {
        path: dir.display().to_string(),
        source,
    })?;
    let files = Files {
        html: dir.join("report.html"),
        json: dir.join("report.json"),
        endpoints_csv: dir.join("endpoints.csv"),
        timeline_csv: dir.join("timeline.csv"),
    };
    let json = serde_json::to_string_pretty(report)
        .unwrap_or_else(|err| format!("{{\"error\":\"{err}\"}}"));
    write(&files.json, &json)?;
    write(&files.html, &html::render(report))?;
    write(&files.endpoints_csv, &csv::endpoints(report))?;
    write(&files.timeline_csv, &csv::timeline(report))?;
    Ok(files)
}
