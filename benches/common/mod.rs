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

fn is_page(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(".html") || name.ends_with(".htm")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            walk(&path, out);
        } else if is_page(&path) {
            out.push(path);
        }
    }
}

pub fn load() -> Pages {
    let source = std::env::var_os("GLEANER_BENCH_PAGES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("training-data/pages"));
    let mut paths = Vec::new();
    walk(&source, &mut paths);
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
