//! Parse-only baseline as a whole process, for `bench/throughput.sh`: reads every page under
//! the given files or directories (same names as `gleaner batch`: .html, .htm, and .gz),
//! decodes it as gleaner does, parses it with scraper, and nothing else.
//!
//! ```sh
//! cargo run --release --example parse_only -- DIR...
//! ```

use std::path::PathBuf;

use gleaner::input::{expand, InputFormat};

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if args.is_empty() {
        eprintln!("usage: parse_only DIR_OR_FILE...");
        std::process::exit(2);
    }
    // Files as given; directories walked as `gleaner batch` walks them.
    let inputs: Vec<PathBuf> = args
        .iter()
        .flat_map(|arg| expand(arg, Some(InputFormat::Html)))
        .collect();
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
