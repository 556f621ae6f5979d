//! Parse-only baseline as a whole process, for `bench/throughput.sh`: reads every page under
//! the given files or directories (same names as `gleaner batch`: .html, .htm, and .gz),
//! decodes it as gleaner does, parses it with scraper, and nothing else.
//!
//! ```sh
//! cargo run --release --example parse_only -- DIR...
//! ```

use std::path::{Path, PathBuf};

fn is_page(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    name.ends_with(".html") || name.ends_with(".htm")
}

/// Files as given; directories walked recursively in sorted order, as `gleaner batch` does.
fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if !path.is_dir() {
        out.push(path.to_path_buf());
        return;
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    entries.sort();
    for entry in entries {
        if entry.is_dir() || is_page(&entry) {
            collect(&entry, out);
        }
    }
}

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if args.is_empty() {
        eprintln!("usage: parse_only DIR_OR_FILE...");
        std::process::exit(2);
    }
    let mut inputs = Vec::new();
    for arg in &args {
        collect(arg, &mut inputs);
    }
    let start = std::time::Instant::now();
    let (mut pages, mut failed, mut nodes, mut bytes) = (0usize, 0usize, 0usize, 0usize);
    for path in &inputs {
        pages += 1;
        let Ok(raw) = std::fs::read(path) else {
            failed += 1;
            continue;
        };
        bytes += raw.len();
        match gleaner::decode::decode(&raw, None, gleaner::decode::DEFAULT_MAX_BYTES) {
            Ok(decoded) => {
                let document = scraper::Html::parse_document(&decoded.html);
                nodes += document.tree.nodes().len();
            }
            Err(_) => failed += 1,
        }
    }
    let seconds = start.elapsed().as_secs_f64();
    eprintln!(
        "parse_only: {pages} pages ({failed} unreadable), {bytes} bytes, {nodes} nodes, \
         {seconds:.2} s, {:.0} pages/s",
        pages as f64 / seconds.max(1e-9)
    );
}
