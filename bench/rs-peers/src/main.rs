//! rs-peers: run one crates.io main-content extractor over many HTML pages in one
//! process and write JSONL, the Rust counterpart of `bench/peers/run_peer.py`.
//!
//! ```text
//! rs-peers --tool {rs-trafilatura,dom-smoothie} --output OUT.jsonl [--name FILE] INPUT...
//! ```
//!
//! INPUT is a file or a directory.  Directories are walked recursively for
//! `*.html` / `*.htm` / `*.html.gz` / `*.htm.gz` (or, with `--name`, only for files
//! with exactly that file name).  Files named on the command line are always
//! processed.  Pages are processed in sorted path order; `.gz` files are
//! gunzipped first (the path written is still the `.gz` path as found).
//!
//! One JSON line per page: `{"path": ..., "title": ..., "text": ...}`, plus
//! `"error"` (and `"text": ""`) when the tool failed or panicked.
//!
//! Tools, each with its default main-content extraction:
//!   rs-trafilatura : `rs_trafilatura::extract_bytes(bytes)` (its own encoding
//!                    detection); text = `content_text`, title = `metadata.title`
//!   dom-smoothie   : bytes decoded as UTF-8 (lossy), then
//!                    `Readability::new(html, None, Some(cfg)).parse()` with
//!                    `Config::default()` except `text_mode: TextMode::Formatted`
//!                    (plain text, paragraphs separated by blank lines);
//!                    text = `text_content`, title = `title`
//!
//! A summary line goes to stderr at the end.

use std::fs;
use std::io::{self, BufWriter, Read, Write};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

const TOOLS: [&str; 2] = ["dom-smoothie", "rs-trafilatura"];
const PAGE_SUFFIXES: [&str; 4] = [".html", ".htm", ".html.gz", ".htm.gz"];
/// Stack of the worker thread: deep DOMs must not overflow (an overflow would abort the process).
const WORKER_STACK: usize = 1 << 30;
const CARGO_LOCK: &str = include_str!("../Cargo.lock");

struct Args {
    tool: String,
    output: String,
    name: Option<String>,
    inputs: Vec<String>,
}

const USAGE: &str = concat!(
    "usage: rs-peers --tool {rs-trafilatura,dom-smoothie} --output OUT.jsonl [--name FILENAME] INPUT...\n",
    "  INPUT         files, or directories searched recursively for *.html/*.htm/*.html.gz/*.htm.gz\n",
    "  --output/-o   JSONL output file ('-' = stdout)\n",
    "  --name FILE   in directories take only files with exactly this file name (e.g. source.html)",
);

fn parse_args() -> Result<Args, String> {
    let mut tool = None;
    let mut output = None;
    let mut name = None;
    let mut inputs = Vec::new();
    let mut it = std::env::args().skip(1);
    let mut only_inputs = false;
    while let Some(a) = it.next() {
        if only_inputs {
            inputs.push(a);
            continue;
        }
        let (key, inline) = match a.split_once('=') {
            Some((k, v)) if k.starts_with("--") => (k.to_string(), Some(v.to_string())),
            _ => (a.clone(), None),
        };
        let mut value = |k: &str| -> Result<String, String> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => it.next().ok_or_else(|| format!("{k} needs a value")),
            }
        };
        match key.as_str() {
            "--tool" | "-t" => tool = Some(value(&key)?),
            "--output" | "-o" => output = Some(value(&key)?),
            "--name" => name = Some(value(&key)?),
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            "--" => only_inputs = true,
            s if s.starts_with('-') && s.len() > 1 => return Err(format!("unknown option {s}")),
            _ => inputs.push(a),
        }
    }
    let tool = tool.ok_or("--tool is required")?;
    if !TOOLS.contains(&tool.as_str()) {
        return Err(format!(
            "--tool must be one of {}, not {tool}",
            TOOLS.join(", ")
        ));
    }
    let output = output.ok_or("--output is required")?;
    if inputs.is_empty() {
        return Err("at least one INPUT is required".into());
    }
    Ok(Args {
        tool,
        output,
        name,
        inputs,
    })
}

// ---------------------------------------------------------------------------
// input discovery

fn wanted(file_name: &str, name: Option<&str>) -> bool {
    match name {
        Some(n) => file_name == n,
        None => {
            let lower = file_name.to_lowercase();
            PAGE_SUFFIXES.iter().any(|s| lower.ends_with(s))
        }
    }
}

fn walk(dir: &Path, name: Option<&str>, out: &mut Vec<PathBuf>) {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            eprintln!("warning: cannot read directory {}: {e}", dir.display());
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            walk(&path, name, out);
        } else if (ft.is_file() || (ft.is_symlink() && path.is_file()))
            && wanted(&entry.file_name().to_string_lossy(), name)
        {
            out.push(path);
        }
    }
}

fn collect_inputs(inputs: &[String], name: Option<&str>) -> Vec<String> {
    let mut paths = Vec::new();
    for inp in inputs {
        let p = Path::new(inp);
        if p.is_dir() {
            walk(p, name, &mut paths);
        } else if p.is_file() {
            paths.push(p.to_path_buf());
        } else {
            eprintln!("warning: no such file or directory: {inp}");
        }
    }
    let mut paths: Vec<String> = paths
        .into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

fn read_page(path: &str) -> io::Result<Vec<u8>> {
    let raw = fs::read(path)?;
    if path.to_lowercase().ends_with(".gz") {
        let mut out = Vec::with_capacity(raw.len() * 4);
        flate2::read::MultiGzDecoder::new(&raw[..]).read_to_end(&mut out)?;
        Ok(out)
    } else {
        Ok(raw)
    }
}

// ---------------------------------------------------------------------------
// tools: (title, text) or an error message

type Extracted = Result<(String, String), String>;

fn run_rs_trafilatura(data: &[u8]) -> Extracted {
    let r =
        rs_trafilatura::extract_bytes(data).map_err(|e| format!("rs_trafilatura::Error: {e}"))?;
    Ok((r.metadata.title.unwrap_or_default(), r.content_text))
}

fn run_dom_smoothie(data: &[u8]) -> Extracted {
    let html = String::from_utf8_lossy(data);
    let cfg = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        ..Default::default()
    };
    let mut r = dom_smoothie::Readability::new(html.as_ref(), None, Some(cfg))
        .map_err(|e| format!("ReadabilityError: {e}"))?;
    let a = r.parse().map_err(|e| format!("ReadabilityError: {e}"))?;
    Ok((a.title, a.text_content.to_string()))
}

fn norm_title(t: &str) -> String {
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Version of a package as recorded in this crate's Cargo.lock.
fn locked_version(pkg: &str) -> String {
    let needle = format!("name = \"{pkg}\"\nversion = \"");
    CARGO_LOCK
        .find(&needle)
        .and_then(|i| {
            let rest = &CARGO_LOCK[i + needle.len()..];
            rest.find('"').map(|j| rest[..j].to_string())
        })
        .unwrap_or_else(|| "?".into())
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("string serialises")
}

struct Summary {
    pages: usize,
    errors: usize,
    extract: Duration,
    loop_time: Duration,
}

fn run(args: &Args) -> io::Result<Summary> {
    let paths = collect_inputs(&args.inputs, args.name.as_deref());
    let tool: fn(&[u8]) -> Extracted = match args.tool.as_str() {
        "rs-trafilatura" => run_rs_trafilatura,
        "dom-smoothie" => run_dom_smoothie,
        _ => unreachable!(),
    };
    let sink: Box<dyn Write> = if args.output == "-" {
        Box::new(io::stdout().lock())
    } else {
        Box::new(fs::File::create(&args.output)?)
    };
    let mut out = BufWriter::new(sink);

    // Panics inside a tool become an "error" record; keep stderr quiet about them.
    panic::set_hook(Box::new(|_| {}));

    let mut s = Summary {
        pages: 0,
        errors: 0,
        extract: Duration::ZERO,
        loop_time: Duration::ZERO,
    };
    let loop_t0 = Instant::now();
    for path in &paths {
        let result = match read_page(path) {
            Err(e) => Err(format!("read error: {e}")),
            Ok(data) => {
                let t0 = Instant::now();
                let r = panic::catch_unwind(AssertUnwindSafe(|| tool(&data)));
                s.extract += t0.elapsed();
                match r {
                    Ok(r) => r,
                    Err(p) => Err(format!("panic: {}", panic_message(p.as_ref()))),
                }
            }
        };
        let line = match result {
            Ok((title, text)) => format!(
                "{{\"path\": {}, \"title\": {}, \"text\": {}}}",
                json_str(path),
                json_str(&norm_title(&title)),
                json_str(&text)
            ),
            Err(e) => {
                s.errors += 1;
                format!(
                    "{{\"path\": {}, \"title\": \"\", \"text\": \"\", \"error\": {}}}",
                    json_str(path),
                    json_str(&e)
                )
            }
        };
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
        s.pages += 1;
    }
    out.flush()?;
    drop(out);
    s.loop_time = loop_t0.elapsed();
    let _ = panic::take_hook();
    Ok(s)
}

fn main() -> ExitCode {
    let process_t0 = Instant::now();
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let worker = std::thread::Builder::new()
        .name("rs-peers".into())
        .stack_size(WORKER_STACK)
        .spawn(move || {
            let r = run(&args);
            (args, r)
        })
        .expect("spawn worker thread");
    let (args, result) = match worker.join() {
        Ok(x) => x,
        Err(_) => {
            eprintln!("error: worker thread panicked");
            return ExitCode::FAILURE;
        }
    };
    let s = match result {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let total = process_t0.elapsed().as_secs_f64();
    let loop_s = s.loop_time.as_secs_f64();
    let pkg = if args.tool == "rs-trafilatura" {
        "rs-trafilatura"
    } else {
        "dom_smoothie"
    };
    let rate = |secs: f64| {
        if secs > 0.0 {
            s.pages as f64 / secs
        } else {
            0.0
        }
    };
    eprintln!(
        "tool={} ({} {}) pages={} errors={} extract_s={:.3} loop_s={:.3} process_s={:.3} \
         pages_per_s_loop={:.1} pages_per_s_process={:.1}",
        args.tool,
        pkg,
        locked_version(pkg),
        s.pages,
        s.errors,
        s.extract.as_secs_f64(),
        loop_s,
        total,
        rate(loop_s),
        rate(total),
    );
    ExitCode::SUCCESS
}
