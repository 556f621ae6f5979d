//! `gleaner batch`: checks the arguments, opens the inputs and the output, and runs the
//! library's batch engine ([`gleaner::batch::run_sources`]) over them.
//!
//! Data flow: the INPUTs become [`Source`](input::Source)s ([`input::expand_inputs`] walks directories now,
//! leaving the output file out), followed by any `--files-from` list, streamed; the engine
//! extracts them in parallel and writes one JSON line per page to the output (a file, or
//! standard output). Here: argument errors (exit status 2), the progress total
//! ([`ProgressTotal::of_sources`]), `--resume` preparation, and the summary line on standard
//! error at the end.

use std::io::{self, BufWriter, IsTerminal};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use gleaner::batch::{self, Fields, Options, ProgressTotal};
use gleaner::input::{self, InputFormat};

use super::{StructureArgs, TextFormat};

/// Arguments of `gleaner batch`.
#[derive(clap::Args)]
pub struct BatchArgs {
    /// Files, directories, or - for standard input.
    #[arg(required_unless_present = "files_from")]
    inputs: Vec<PathBuf>,
    /// Also read INPUTs from this file, one per line (- for standard input).
    #[arg(long, value_name = "LIST")]
    files_from: Option<PathBuf>,
    /// Output JSONL file, or - for standard output.
    #[arg(long, short)]
    output: String,
    /// Worker threads (default: all cores).
    #[arg(long, short)]
    jobs: Option<usize>,
    /// Use this model file instead of the built-in one.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Read every input in this format instead of detecting it.
    #[arg(long, value_name = "FORMAT", value_parser = InputFormat::NAMES)]
    input_format: Option<String>,
    /// Pages longer than this (after gzip) are cut here and marked "truncated".
    /// Accepts K, M and G suffixes (powers of 1024).
    #[arg(long, value_name = "SIZE", default_value = "10M", value_parser = batch::parse_size)]
    max_bytes: usize,
    /// Write records as pages finish instead of in input order (about as fast: the
    /// ordered writer keeps a small reorder window).
    #[arg(long)]
    unordered: bool,
    /// Extra fields, comma-separated: blocks, timings (per-page ms), bytes (input size),
    /// http (http_status, http_charset), warc_date, all. url and warc_id are always
    /// written when the input has them.
    #[arg(long, value_name = "LIST")]
    fields: Option<String>,
    /// Continue an interrupted run: skip pages whose records are already in the output
    /// (by path, FILE:LINE for JSONL, record id for WARC) and append the rest. A torn
    /// last line is removed first.
    #[arg(long)]
    resume: bool,
    /// Never draw a progress bar.
    #[arg(long)]
    no_progress: bool,
    /// Keep reader comments under articles in "text" (dropped by default; on forum pages
    /// the posts are content either way).
    #[arg(long)]
    include_comments: bool,
    /// Also write an HTML report of every page to this directory (created if missing),
    /// with index.html listing the pages with their counts and confidence (see `gleaner
    /// explain`). The JSON lines are unchanged.
    #[arg(long, value_name = "DIR")]
    explain_dir: Option<PathBuf>,
    /// What "text" holds: the article as plain text, Markdown or clean HTML (the same
    /// blocks, the same words).
    #[arg(long, value_enum, default_value = "text")]
    format: TextFormat,
    #[command(flatten)]
    structure: StructureArgs,
    /// Start each record's "text" with the page's metadata as YAML front matter. The
    /// records carry the metadata fields either way.
    #[arg(long)]
    with_metadata: bool,
}

pub fn run(args: BatchArgs) -> Result<ExitCode, String> {
    let mut extractor = super::extractor(args.model.as_ref())?.max_bytes(args.max_bytes);
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let mut options = Options::new(jobs, args.max_bytes);
    options.ordered = !args.unordered;
    options.read.format = args
        .input_format
        .as_deref()
        .and_then(InputFormat::from_name);
    let usage = |message: String| {
        eprintln!("gleaner: {message}");
        Ok(ExitCode::from(2))
    };
    if let Some(list) = &args.fields {
        match Fields::parse(list) {
            Ok(fields) => options.fields = fields,
            Err(message) => return usage(format!("--fields: {message}")),
        }
    }
    // The reports say why each block went: they need the kinds of noise and their reasons,
    // which change no field of the records unless blocks are asked for.
    let explain = options.fields.blocks || args.explain_dir.is_some();
    options.fields.front_matter = args.with_metadata;
    extractor = extractor
        .explain(explain)
        .name_kinds(explain)
        .include_comments(args.include_comments)
        .output(args.structure.output(args.format));
    if let Some(dir) = &args.explain_dir {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        options.explain_dir = Some(dir.clone());
    }
    let to_stdout = args.output == "-";
    let stdin_inputs = args.inputs.iter().filter(|p| p.as_os_str() == "-").count()
        + usize::from(
            args.files_from
                .as_ref()
                .is_some_and(|p| p.as_os_str() == "-"),
        );
    if stdin_inputs > 1 {
        return usage("standard input (-) can be read only once".into());
    }
    if args.resume && to_stdout {
        return usage("--resume needs an output file, not standard output".into());
    }
    if args.resume {
        options.read.done = batch::prepare_resume(Path::new(&args.output))
            .map_err(|e| format!("cannot resume from {}: {e}", args.output))?;
    }

    // Directories on the command line are walked now (paths only), which also tells the
    // progress bar how much there is to do; --files-from and stdin stream.
    let output_path = (!to_stdout).then(|| Path::new(&args.output));
    let sources = input::expand_inputs(&args.inputs, options.read.format, output_path);
    options.progress = !args.no_progress && io::stderr().is_terminal();
    if options.progress && args.files_from.is_none() && stdin_inputs == 0 {
        options.progress_total = ProgressTotal::of_sources(&sources, options.read.format);
    }
    let list: Option<Box<dyn io::BufRead + Send>> = match &args.files_from {
        None => None,
        Some(path) if path.as_os_str() == "-" => Some(Box::new(io::BufReader::new(io::stdin()))),
        Some(path) => Some(Box::new(io::BufReader::new(
            std::fs::File::open(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        ))),
    };
    let all_sources = sources
        .into_iter()
        .map(Ok)
        .chain(list.into_iter().flat_map(input::list_sources));

    let start = std::time::Instant::now();
    let result = if to_stdout {
        let stdout = io::stdout();
        let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
        batch::run_sources(&extractor, all_sources, &options, &mut out)
    } else {
        let file = if args.resume {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&args.output)
        } else {
            std::fs::File::create(&args.output)
        }
        .map_err(|e| format!("cannot create {}: {e}", args.output))?;
        batch::run_sources(
            &extractor,
            all_sources,
            &options,
            &mut BufWriter::with_capacity(1 << 16, file),
        )
    };
    let summary = result.map_err(|e| format!("batch to {} failed: {e}", args.output))?;
    eprintln!("gleaner: {}", summary.line(start.elapsed().as_secs_f64()));
    if let Some(dir) = &args.explain_dir {
        eprintln!(
            "gleaner: {} pages explained: open {}",
            summary.explained,
            dir.join("index.html").display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
