//! Pages for the benchmarks: every `.html`/`.htm` (and `.gz`) file under the directory in
//! `GLEANER_BENCH_PAGES`, or the repository's `training-data/pages/` when it is not set.
#![allow(dead_code)] // each bench uses part of this module

use std::path::{Path, PathBuf};

pub struct Pages {
    pub source: PathBuf,
    pub pages: Vec<(String, Vec<u8>)>,
}

impl Pages {
    pub fn total_bytes(&self) -> u64 {
        self.pages.iter().map(|(_, b)| b.len() as u64).sum()
    }
}

pub fn load() -> Pages {
    let source = std::env::var_os("GLEANER_BENCH_PAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("training-data/pages"));
    // The same walk as `gleaner batch` does over a directory.
    let paths = gleaner::input::expand(&source, Some(gleaner::input::InputFormat::Html));
    assert!(
        !paths.is_empty(),
        "no .html pages under {} (set GLEANER_BENCH_PAGES)",
        source.display()
    );
    let pages = paths
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p.display().to_string(), bytes)
        })
        .collect();
    Pages { source, pages }
}

/// The built-in model's extractor, or one for the model file in `GLEANER_BENCH_MODEL`.
pub fn extractor() -> gleaner::Extractor {
    match std::env::var_os("GLEANER_BENCH_MODEL") {
        Some(path) => gleaner::Extractor::new(
            gleaner::Model::load(std::path::Path::new(&path)).expect("GLEANER_BENCH_MODEL loads"),
        ),
        None => gleaner::Extractor::with_default_model().expect("default model"),
    }
}
