//! Many pages in, one JSON record per page out, in input order, whatever happens to a page.
//!
//! Work is done in bounded chunks on a rayon pool of `jobs` threads, so memory stays flat
//! however many pages go through; each page runs under `catch_unwind`, so even a bug that
//! panics costs one page an `"error"`, never the run.

use std::io::{self, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::Error;
use crate::extract::Extractor;
use crate::render::Record;

/// One page to process: a path as given or found while walking a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub path: PathBuf,
}

/// True for names gleaner picks up in directories: `.html`, `.htm`, and both with `.gz`.
pub fn is_page_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(".html") || name.ends_with(".htm")
}

/// Expands files and directories (recursively, sorted) into inputs. Paths that do not exist
/// are kept, so that they produce their own error record instead of vanishing.
pub fn collect_inputs(paths: &[PathBuf]) -> Vec<Input> {
    let mut inputs = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut inputs);
        } else {
            inputs.push(Input { path: path.clone() });
        }
    }
    inputs
}

fn walk(dir: &Path, inputs: &mut Vec<Input>) {
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            inputs.push(Input { path: dir });
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        let mut subdirs = Vec::new();
        for path in paths {
            if path.is_dir() {
                subdirs.push(path);
            } else if is_page_name(&path) {
                inputs.push(Input { path });
            }
        }
        // Depth-first in sorted order: push subdirectories reversed so the first pops first.
        pending.extend(subdirs.into_iter().rev());
    }
}

/// Counts of a finished batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    pub pages: usize,
    pub errors: usize,
    /// Errors by kind, in first-seen order.
    pub errors_by_kind: Vec<(&'static str, usize)>,
}

impl Summary {
    fn count(&mut self, record: &Record) {
        self.pages += 1;
        if let Some(kind) = record.error_kind {
            self.errors += 1;
            match self.errors_by_kind.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => self.errors_by_kind.push((kind, 1)),
            }
        }
    }
}

/// Extracts one page file into its record; never panics and never fails.
pub fn process_file(extractor: &Extractor, path: &Path) -> Record {
    let shown = path.display().to_string();
    let record = match std::fs::read(path) {
        Err(e) => Record::from_error(&Error::io(path, e)),
        Ok(bytes) => process_bytes(extractor, &bytes, None),
    };
    record.with_path(shown)
}

/// Extracts one page from bytes into its record, turning errors and panics into `"error"`.
pub fn process_bytes(extractor: &Extractor, bytes: &[u8], charset: Option<&str>) -> Record {
    match catch_unwind(AssertUnwindSafe(|| {
        extractor.extract_bytes_with_charset(bytes, charset)
    })) {
        Ok(Ok(extraction)) => Record::from_extraction(&extraction, false),
        Ok(Err(e)) => Record::from_error(&e),
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Record {
                error: Some(format!(
                    "internal error while extracting this page: {message} (please report it)"
                )),
                error_kind: Some("panic"),
                ..Record::default()
            }
        }
    }
}

/// Runs a batch: every input yields exactly one JSON line on `out`, in input order.
/// Only a failure to write the output is an error of the run itself.
pub fn run(
    extractor: &Extractor,
    inputs: &[Input],
    jobs: usize,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build()
        .map_err(io::Error::other)?;
    let chunk = 32 * jobs.max(1);
    let mut summary = Summary::default();
    for part in inputs.chunks(chunk) {
        let records: Vec<Record> = pool.install(|| {
            part.par_iter()
                .map(|input| process_file(extractor, &input.path))
                .collect()
        });
        for record in &records {
            summary.count(record);
            out.write_all(record.to_json_line().as_bytes())?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(summary)
}
