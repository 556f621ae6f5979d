//! Many pages in, one JSON record per page out, whatever happens to a page.
//!
//! The engine is a three-stage pipeline over bounded queues, so memory stays flat however
//! many pages go through:
//!
//! ```text
//! reader thread ──items──▶ rayon pool (jobs workers) ──lines──▶ writer (calling thread)
//! [`input::read_sources`]   read file / parse JSON line,       reorders (unless unordered),
//!  streams WARC/JSONL        extract, serialise the record      writes whole lines
//! ```
//!
//! The reader never gets more than a window of pages ahead of the writer, so neither the
//! queues nor the reorder buffer grow with the input. Each page runs under `catch_unwind`, so
//! even a bug that panics costs one page an `"error"`, never the run.

use std::collections::{BTreeMap, HashSet};
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{mpsc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::error::Error;
use crate::explain::IndexEntry;
use crate::extract::Extractor;
use crate::input::{self, Item, Payload, ReadOptions, ReadStats, Source};
use crate::render::Record;

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
    extract_record(extractor, bytes, charset, None, false)
}

/// As [`process_bytes`], for a page fetched from `url` (when known), with every block in the
/// record when `with_blocks`.
pub fn extract_record(
    extractor: &Extractor,
    bytes: &[u8],
    charset: Option<&str>,
    url: Option<&str>,
    with_blocks: bool,
) -> Record {
    match catch_unwind(AssertUnwindSafe(|| {
        extractor.extract_bytes_from(bytes, charset, url)
    })) {
        Ok(Ok(extraction)) => Record::from_extraction(&extraction, with_blocks),
        Ok(Err(e)) => Record::from_error(&e),
        Err(panic) => panic_record(panic),
    }
}

fn panic_record(panic: Box<dyn std::any::Any + Send>) -> Record {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into());
    failed_record(
        format!("internal error while extracting this page: {message} (please report it)"),
        "panic",
    )
}

fn failed_record(message: String, kind: &'static str) -> Record {
    Record {
        error: Some(message),
        error_kind: Some(kind),
        ..Record::default()
    }
}

/// Optional fields of batch records (`--fields`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fields {
    /// `"blocks"`: every block with its label and scores.
    pub blocks: bool,
    /// `"timings"`: `{"read_ms", "extract_ms", "total_ms"}` for the page.
    pub timings: bool,
    /// `"input_bytes"`: the size of the page as read (after WARC/JSON unwrapping).
    pub bytes: bool,
    /// `"http_status"` and `"http_charset"` of a WARC response.
    pub http: bool,
    /// `"warc_date"` of a WARC record.
    pub warc_date: bool,
    /// The text starts with the page's metadata as YAML front matter (`--with-metadata`;
    /// not a `--fields` name).
    pub front_matter: bool,
}

impl Fields {
    /// Names `--fields` accepts. `url` and `warc_id` are always written when the input has
    /// them (JSONL, WARC) and are accepted for clarity.
    pub const NAMES: &'static [&'static str] = &[
        "blocks",
        "timings",
        "bytes",
        "http",
        "warc_date",
        "url",
        "warc_id",
        "warc_record_id",
        "all",
    ];

    /// Parses a comma-separated list of names.
    pub fn parse(list: &str) -> Result<Fields, String> {
        let mut fields = Fields::default();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            match name {
                "blocks" => fields.blocks = true,
                "timings" => fields.timings = true,
                "bytes" => fields.bytes = true,
                "http" => fields.http = true,
                "warc_date" => fields.warc_date = true,
                "url" | "warc_id" | "warc_record_id" => {}
                "all" => {
                    fields = Fields {
                        blocks: true,
                        timings: true,
                        bytes: true,
                        http: true,
                        warc_date: true,
                        front_matter: fields.front_matter,
                    }
                }
                other => {
                    return Err(format!(
                        "unknown field {other:?} (known: {})",
                        Fields::NAMES.join(", ")
                    ))
                }
            }
        }
        Ok(fields)
    }
}

/// What the progress display counts toward, when it can know the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProgressTotal {
    /// Streams of unknown length: a spinner with counts and rate.
    #[default]
    Unknown,
    /// This many pages (HTML files only).
    Pages(u64),
    /// This many input bytes (WARC/JSONL files; the reader's position counts).
    Bytes(u64),
}

impl ProgressTotal {
    /// What a progress display over these sources can count toward: their number when every
    /// one is an HTML file (by `format`, or else by name), otherwise the sum of their sizes.
    /// Standard input is not counted; callers with streamed inputs use
    /// [`ProgressTotal::Unknown`].
    pub fn of_sources(sources: &[Source], format: Option<input::InputFormat>) -> ProgressTotal {
        use input::InputFormat;
        let format_of = |p: &PathBuf| {
            format
                .or_else(|| InputFormat::from_path(p))
                .unwrap_or(InputFormat::Html)
        };
        let paths: Vec<&PathBuf> = sources
            .iter()
            .filter_map(|s| match s {
                Source::Path(p) => Some(p),
                Source::Stdin => None,
            })
            .collect();
        if paths.iter().all(|p| format_of(p) == InputFormat::Html) {
            ProgressTotal::Pages(paths.len() as u64)
        } else {
            ProgressTotal::Bytes(
                paths
                    .iter()
                    .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
                    .sum(),
            )
        }
    }
}

/// Parses a byte size: a number with an optional K, M or G suffix (powers of 1024; a
/// trailing B or iB is accepted), as `--max-bytes` takes it.
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim().to_ascii_uppercase();
    let t = t
        .strip_suffix("IB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(&t);
    let (number, unit) = match t.chars().last() {
        Some('K') => (&t[..t.len() - 1], 1usize << 10),
        Some('M') => (&t[..t.len() - 1], 1 << 20),
        Some('G') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    number
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("{text:?} is not a size in bytes (e.g. 10M, 500K, 1048576)"))
}

/// How a batch runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Worker threads.
    pub jobs: usize,
    /// Write records in input order (otherwise as pages finish).
    pub ordered: bool,
    pub fields: Fields,
    pub read: ReadOptions,
    /// Draw a progress bar on standard error.
    pub progress: bool,
    pub progress_total: ProgressTotal,
    /// Also write an HTML report of every page here, and an `index.html` listing them
    /// ([`crate::explain`]); the JSON lines are the same with or without it. The extractor
    /// should name kinds and explain ([`Extractor::explain`]) for the reports to say why.
    pub explain_dir: Option<PathBuf>,
}

impl Options {
    pub fn new(jobs: usize, max_bytes: usize) -> Self {
        Options {
            jobs: jobs.max(1),
            ordered: true,
            fields: Fields::default(),
            read: ReadOptions::new(max_bytes),
            progress: false,
            progress_total: ProgressTotal::Unknown,
            explain_dir: None,
        }
    }
}

/// Counts of a finished batch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Records written.
    pub pages: usize,
    pub errors: usize,
    /// Errors by kind, in first-seen order.
    pub errors_by_kind: Vec<(&'static str, usize)>,
    /// WARC responses skipped because they are not HTML.
    pub skipped: usize,
    /// Pages skipped because the output already had them (`--resume`).
    pub resumed: usize,
    /// Pages listed in the explain index (`Options::explain_dir`).
    pub explained: usize,
}

impl Summary {
    fn count(&mut self, kind: Option<&'static str>) {
        self.pages += 1;
        if let Some(kind) = kind {
            self.errors += 1;
            match self.errors_by_kind.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => self.errors_by_kind.push((kind, 1)),
            }
        }
    }

    /// The one-line summary printed at the end of a batch.
    pub fn line(&self, seconds: f64) -> String {
        let kinds: Vec<String> = self
            .errors_by_kind
            .iter()
            .map(|(k, n)| format!("{k}: {n}"))
            .collect();
        let mut line = format!(
            "{} pages, {} errors{}",
            self.pages,
            self.errors,
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" ({})", kinds.join(", "))
            }
        );
        if self.skipped > 0 {
            line.push_str(&format!(", {} non-HTML records skipped", self.skipped));
        }
        if self.resumed > 0 {
            line.push_str(&format!(", {} already done (resumed)", self.resumed));
        }
        line.push_str(&format!(
            ", {:.1} s, {:.0} pages/s",
            seconds,
            self.pages as f64 / seconds.max(1e-9)
        ));
        line
    }
}

/// Runs a batch over HTML files and directories (expanded as the CLI does): every page yields
/// exactly one JSON line on `out`, in input order. Only a failure to write the output is an
/// error of the run itself.
pub fn run(
    extractor: &Extractor,
    inputs: &[PathBuf],
    jobs: usize,
    out: &mut dyn Write,
) -> io::Result<Summary> {
    let mut options = Options::new(jobs, usize::MAX / 16);
    options.read.format = Some(input::InputFormat::Html);
    let sources: Vec<io::Result<Source>> = inputs
        .iter()
        .flat_map(|path| input::expand(path, Some(input::InputFormat::Html)))
        .map(|path| Ok(Source::Path(path)))
        .collect();
    run_sources(extractor, sources, &options, out)
}

/// One finished page, serialised.
struct Done {
    line: Vec<u8>,
    kind: Option<&'static str>,
    /// The page's line in the explain index, or why its report could not be written.
    explained: Option<io::Result<IndexEntry>>,
}

/// An output line: the page record and what the batch knows about where it came from.
#[derive(Serialize)]
struct Line<'a> {
    #[serde(flatten)]
    record: &'a Record,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    warc_record_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    warc_date: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    http_charset: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    input_bytes: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timings: Option<Timings>,
}

#[derive(Serialize)]
struct Timings {
    read_ms: f64,
    extract_ms: f64,
    total_ms: f64,
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e6).round() / 1e3
}

/// Reads an HTML file, keeping memory bounded: a plain file up to just past `max_bytes` (the
/// decoder cuts it there and marks it truncated), a gzip file up to [`input::hard_limit`].
pub fn read_page_file(path: &Path, max_bytes: usize) -> Result<Vec<u8>, Error> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    // Sized from the file's length (up to the limit) so that reading does not regrow it.
    let expected = file
        .metadata()
        .map_or(0, |m| m.len())
        .min(max_bytes as u64 + 1);
    let mut bytes = Vec::with_capacity(expected as usize + 1);
    (&mut file)
        .take(max_bytes as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if bytes.starts_with(&[0x1f, 0x8b]) && bytes.len() > max_bytes {
        let hard = input::hard_limit(max_bytes);
        (&mut file)
            .take((hard + 1 - bytes.len()) as u64)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(path, e))?;
        if bytes.len() > hard {
            let size = file.metadata().map_or(bytes.len() as u64, |m| m.len());
            return Err(Error::TooLarge {
                size,
                limit: hard as u64,
            });
        }
    }
    Ok(bytes)
}

/// Where a page's explain report goes: the directory, and the page's number in the batch.
#[derive(Clone, Copy)]
struct ExplainTo<'a> {
    dir: &'a Path,
    seq: u64,
}

/// [`extract_record`] that also writes the page's explain report under `to`, and returns its
/// line in the index (a failed page gets a line without a report).
fn explained_record(
    extractor: &Extractor,
    page: (&[u8], Option<&str>, Option<&str>),
    with_blocks: bool,
    max_bytes: usize,
    to: ExplainTo<'_>,
    path: &str,
) -> (Record, io::Result<IndexEntry>) {
    let (bytes, charset, url) = page;
    match crate::explain::explain_bytes(extractor, bytes, charset, url, max_bytes) {
        Ok(explanation) => {
            let record = Record::from_extraction(&explanation.extraction, with_blocks);
            let name = crate::explain::report_file_name(to.seq, path);
            let html = crate::explain::report(&explanation, path);
            let entry = std::fs::write(to.dir.join(&name), html)
                .map(|()| IndexEntry::of(&explanation, path, &name))
                .map_err(|e| {
                    io::Error::new(e.kind(), format!("writing the explain report {name}: {e}"))
                });
            (record, entry)
        }
        Err(e) => (
            Record::from_error(&e),
            Ok(IndexEntry::failed(path, &e.to_string())),
        ),
    }
}

/// Turns one item into its output line (and its explain report when `explain` says where);
/// never panics and never fails.
fn process_item(
    extractor: &Extractor,
    item: Item,
    fields: Fields,
    max_bytes: usize,
    explain: Option<ExplainTo<'_>>,
) -> Done {
    let start = Instant::now();
    let Item {
        path,
        mut url,
        warc_record_id,
        warc_date,
        http_status,
        payload,
    } = item;
    let mut read_time = Duration::ZERO;
    let mut input_bytes = None;
    let mut http_charset = None;
    let mut explained = None;
    // One page's record, and its report when asked for.
    let mut page_record = |bytes: &[u8], charset: Option<&str>, url: Option<&str>| match explain {
        None => extract_record(extractor, bytes, charset, url, fields.blocks),
        Some(to) => {
            let page = (bytes, charset, url);
            let (record, entry) =
                explained_record(extractor, page, fields.blocks, max_bytes, to, &path);
            explained = Some(entry);
            record
        }
    };
    let result = catch_unwind(AssertUnwindSafe(|| match payload {
        Payload::File(file) => {
            let read = read_page_file(&file, max_bytes);
            read_time = start.elapsed();
            match read {
                Err(e) => Record::from_error(&e),
                Ok(bytes) => {
                    input_bytes = Some(bytes.len());
                    page_record(&bytes, None, None)
                }
            }
        }
        Payload::Bytes {
            bytes,
            charset,
            cut,
        } => {
            input_bytes = Some(bytes.len());
            let mut record = page_record(&bytes, charset.as_deref(), url.as_deref());
            http_charset = charset;
            record.truncated |= cut && record.error.is_none();
            record
        }
        Payload::JsonLine(line) => {
            let parsed = input::parse_json_line(&line);
            drop(line);
            read_time = start.elapsed();
            match parsed {
                Err((found_url, message)) => {
                    url = found_url;
                    failed_record(message, "parse")
                }
                Ok((found_url, html)) => {
                    url = found_url;
                    input_bytes = Some(html.len());
                    // The JSON string is Unicode already: its bytes are UTF-8 whatever the
                    // page declares.
                    page_record(html.as_bytes(), Some("utf-8"), url.as_deref())
                }
            }
        }
        Payload::Failed { message, kind } => failed_record(message, kind),
    }));
    let mut record = result.unwrap_or_else(panic_record).with_path(path);
    if explain.is_some() && explained.is_none() {
        let error = record.error.as_deref().unwrap_or("not explained");
        explained = Some(Ok(IndexEntry::failed(record_path_of(&record), error)));
    }
    if fields.front_matter {
        if let Some(metadata) = &record.metadata {
            record.text.insert_str(0, &metadata.to_front_matter());
        }
    }
    let total = start.elapsed();
    let line = Line {
        record: &record,
        url: url.as_deref(),
        warc_record_id: warc_record_id.as_deref(),
        warc_date: warc_date.as_deref().filter(|_| fields.warc_date),
        http_status: http_status.filter(|_| fields.http),
        http_charset: http_charset.as_deref().filter(|_| fields.http),
        input_bytes: input_bytes.filter(|_| fields.bytes),
        timings: fields.timings.then(|| Timings {
            read_ms: ms(read_time),
            extract_ms: ms(total.saturating_sub(read_time)),
            total_ms: ms(total),
        }),
    };
    let mut bytes = serde_json::to_vec(&line).unwrap_or_else(|e| {
        let record = failed_record(format!("cannot serialise this record: {e}"), "panic");
        serde_json::to_vec(&record.with_path(record_path(&line))).expect("plain records serialise")
    });
    bytes.push(b'\n');
    Done {
        line: bytes,
        kind: record.error_kind,
        explained,
    }
}

fn record_path_of(record: &Record) -> &str {
    record.path.as_deref().unwrap_or_default()
}

fn record_path(line: &Line<'_>) -> String {
    line.record.path.clone().unwrap_or_default()
}

/// How far the writer has got, so the reader stays within a window of it.
struct Window {
    state: Mutex<(u64, bool)>,
    changed: Condvar,
}

impl Window {
    /// Waits until page `seq` is within `size` of the written count; false when cancelled.
    fn wait_for(&self, seq: u64, size: u64) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while seq >= state.0 + size && !state.1 {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        !state.1
    }

    fn set_written(&self, written: u64) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).0 = written;
        self.changed.notify_all();
    }

    fn cancel(&self) {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).1 = true;
        self.changed.notify_all();
    }
}

/// Runs a batch over any sources: every page yields exactly one JSON line on `out`, in input
/// order unless `options.ordered` is false. Lines are written whole. Only a failure to write
/// the output, or to read a `--files-from` list, is an error of the run itself.
pub fn run_sources<I>(
    extractor: &Extractor,
    sources: I,
    options: &Options,
    out: &mut dyn Write,
) -> io::Result<Summary>
where
    I: IntoIterator<Item = io::Result<Source>>,
    I::IntoIter: Send,
{
    let jobs = options.jobs.max(1);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("gleaner-worker-{i}"))
        .build()
        .map_err(io::Error::other)?;
    let stats = ReadStats::default();
    let window = Window {
        state: Mutex::new((0, false)),
        changed: Condvar::new(),
    };
    let window_size = 64 * jobs as u64;
    let (item_tx, item_rx) = mpsc::sync_channel::<(u64, Item)>(2 * jobs);
    let (done_tx, done_rx) = mpsc::channel::<(u64, Done)>();
    let sources = sources.into_iter();
    let progress = Progress::new(options, &stats);
    let fields = options.fields;
    let max_bytes = options.read.max_bytes;
    let explain_dir = options.explain_dir.as_deref();
    let mut explained: Vec<(u64, IndexEntry)> = Vec::new();

    let (summary, written, read_result) = std::thread::scope(|scope| {
        let (stats, window) = (&stats, &window);
        let reader = scope.spawn(move || {
            let mut seq = 0u64;
            let result = input::read_sources(sources, &options.read, stats, &mut |item| {
                if !window.wait_for(seq, window_size) {
                    return false;
                }
                let sent = item_tx.send((seq, item)).is_ok();
                seq += 1;
                sent
            });
            drop(item_tx);
            result
        });
        let pool = &pool;
        scope.spawn(move || {
            let item_rx = Mutex::new(item_rx);
            pool.scope(|s| {
                for _ in 0..jobs {
                    let (item_rx, done_tx) = (&item_rx, done_tx.clone());
                    s.spawn(move |_| loop {
                        let next = item_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                        let Ok((seq, item)) = next else { break };
                        let explain = explain_dir.map(|dir| ExplainTo { dir, seq });
                        let done = process_item(extractor, item, fields, max_bytes, explain);
                        if done_tx.send((seq, done)).is_err() {
                            break;
                        }
                    });
                }
            });
            drop(done_tx);
        });

        let mut summary = Summary::default();
        let mut lines = WholeLines::new(out);
        let mut pending: BTreeMap<u64, Done> = BTreeMap::new();
        let mut next = 0u64;
        let mut written = Ok(());
        while let Ok((seq, done)) = done_rx.recv() {
            let mut write = |seq: u64, done: Done| {
                summary.count(done.kind);
                progress.page(&summary);
                if let Some(entry) = done.explained {
                    explained.push((seq, entry?));
                }
                lines.push(&done.line)
            };
            let result = if options.ordered {
                pending.insert(seq, done);
                let mut result = Ok(());
                while let Some(done) = pending.remove(&next) {
                    result = write(next, done);
                    next += 1;
                    if result.is_err() {
                        break;
                    }
                }
                result
            } else {
                next += 1;
                write(seq, done)
            };
            if let Err(e) = result {
                written = Err(e);
                break;
            }
            window.set_written(next);
        }
        if written.is_ok() {
            written = lines.finish();
        }
        if written.is_err() {
            window.cancel();
        }
        drop(done_rx);
        let read_result = reader
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the input reader panicked")));
        (summary, written, read_result)
    });
    progress.finish();
    written?;
    read_result?;
    let mut summary = summary;
    if let Some(dir) = explain_dir {
        explained.sort_by_key(|(seq, _)| *seq);
        let entries: Vec<IndexEntry> = explained.into_iter().map(|(_, e)| e).collect();
        std::fs::write(dir.join("index.html"), crate::explain::index(&entries))?;
        summary.explained = entries.len();
    }
    summary.skipped = stats.skipped.load(Ordering::Relaxed);
    summary.resumed = stats.resumed.load(Ordering::Relaxed);
    Ok(summary)
}

/// Buffers whole lines and writes them in one go, so the output never ends inside a line
/// (short of the process dying inside a write). Flushes at 64 KiB or every second.
struct WholeLines<'a> {
    out: &'a mut dyn Write,
    buf: Vec<u8>,
    last: Instant,
}

impl<'a> WholeLines<'a> {
    fn new(out: &'a mut dyn Write) -> Self {
        WholeLines {
            out,
            buf: Vec::with_capacity(1 << 16),
            last: Instant::now(),
        }
    }

    fn push(&mut self, line: &[u8]) -> io::Result<()> {
        self.buf.extend_from_slice(line);
        if self.buf.len() >= 1 << 16 || self.last.elapsed() >= Duration::from_secs(1) {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buf)?;
        self.out.flush()?;
        self.buf.clear();
        self.last = Instant::now();
        Ok(())
    }

    fn finish(mut self) -> io::Result<()> {
        self.flush()
    }
}

/// The progress bar on standard error (hidden unless asked for).
struct Progress<'a> {
    bar: Option<indicatif::ProgressBar>,
    total: ProgressTotal,
    stats: &'a ReadStats,
    start: Instant,
    last: Mutex<Instant>,
}

impl<'a> Progress<'a> {
    fn new(options: &Options, stats: &'a ReadStats) -> Self {
        use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
        let bar = options.progress.then(|| {
            let (bar, template) = match options.progress_total {
                ProgressTotal::Pages(n) => (
                    ProgressBar::new(n),
                    "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} pages · {msg} · ETA {eta}",
                ),
                ProgressTotal::Bytes(n) => (
                    ProgressBar::new(n),
                    "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} · {msg} · ETA {eta}",
                ),
                ProgressTotal::Unknown => (
                    ProgressBar::new_spinner(),
                    "{spinner} [{elapsed_precise}] {msg}",
                ),
            };
            bar.set_draw_target(ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            total: options.progress_total,
            stats,
            start: Instant::now(),
            last: Mutex::new(Instant::now() - Duration::from_secs(1)),
        }
    }

    fn page(&self, summary: &Summary) {
        let Some(bar) = &self.bar else { return };
        match self.total {
            ProgressTotal::Pages(_) => bar.set_position(summary.pages as u64),
            ProgressTotal::Bytes(_) => {
                bar.set_position(self.stats.bytes_read.load(Ordering::Relaxed))
            }
            ProgressTotal::Unknown => {}
        }
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.elapsed() < Duration::from_millis(100) {
            return;
        }
        *last = Instant::now();
        let rate = summary.pages as f64 / self.start.elapsed().as_secs_f64().max(1e-9);
        let pages = match self.total {
            ProgressTotal::Pages(_) => String::new(),
            _ => format!("{} pages, ", summary.pages),
        };
        bar.set_message(format!(
            "{pages}{rate:.0} pages/s · {} errors · {} skipped",
            summary.errors,
            self.stats.skipped.load(Ordering::Relaxed)
        ));
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Prepares `--resume` on an output file: drops a torn last line (one without its newline),
/// and returns the keys of the records it holds ([`input::record_key`]: the WARC record id,
/// else the path). A missing file has no keys.
pub fn prepare_resume(path: &Path) -> io::Result<HashSet<String>> {
    let file = match OpenOptions::new().read(true).write(true).open(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(HashSet::new()),
        other => other?,
    };
    let mut keys = HashSet::new();
    let mut reader = BufReader::new(&file);
    let mut line = Vec::new();
    let mut whole = 0u64;
    loop {
        line.clear();
        let n = reader.read_until(b'\n', &mut line)?;
        if n == 0 {
            break;
        }
        if line.last() != Some(&b'\n') {
            // A torn last line: cut it off, its page will be done again.
            file.set_len(whole)?;
            break;
        }
        whole += n as u64;
        if let Ok(record) = serde_json::from_slice::<serde_json::Value>(&line) {
            if let Some(key) = input::record_key(&record) {
                keys.insert(key.to_string());
            }
        }
    }
    drop(reader);
    (&file).seek(SeekFrom::End(0))?;
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(i: usize) -> String {
        format!(
            "<html><head><title>Page {i}</title></head><body><nav><a href=/>Home</a></nav>\
             <article><p>Story number {i} tells how the harbour reopened after months of \
             repairs to the sea wall, which the January storms had badly damaged.</p></article>\
             </body></html>"
        )
    }

    fn lines(out: &[u8]) -> Vec<serde_json::Value> {
        std::str::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn fields_parse() {
        let f = Fields::parse("blocks, timings,url,warc_id").unwrap();
        assert!(f.blocks && f.timings && !f.bytes && !f.http);
        assert_eq!(
            Fields::parse("all").unwrap(),
            Fields {
                blocks: true,
                timings: true,
                bytes: true,
                http: true,
                warc_date: true,
                front_matter: false,
            }
        );
        assert!(Fields::parse("colour").unwrap_err().contains("colour"));
    }

    #[test]
    fn resume_drops_a_torn_last_line_and_collects_keys() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.jsonl");
        std::fs::write(
            &out,
            "{\"path\":\"a.html\",\"title\":\"\",\"text\":\"x\"}\n\
             {\"path\":\"w.warc:2\",\"warc_record_id\":\"<urn:uuid:9>\",\"text\":\"\"}\n\
             not json\n\
             {\"path\":\"b.html\",\"tit",
        )
        .unwrap();
        let keys = prepare_resume(&out).unwrap();
        let mut keys: Vec<_> = keys.into_iter().collect();
        keys.sort();
        assert_eq!(keys, ["<urn:uuid:9>", "a.html"]);
        let content = std::fs::read_to_string(&out).unwrap();
        assert!(content.ends_with("not json\n"), "{content:?}");
        assert!(prepare_resume(&dir.path().join("missing.jsonl"))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn a_resumed_run_completes_the_output() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..20 {
            std::fs::write(dir.path().join(format!("p{i:02}.html")), page(i)).unwrap();
        }
        let extractor = Extractor::with_default_model().unwrap();
        let options = Options::new(2, 1 << 20);
        let sources = || vec![Ok(Source::Path(dir.path().to_path_buf()))];
        let mut full = Vec::new();
        run_sources(&extractor, sources(), &options, &mut full).unwrap();
        // Keep 7 whole lines and half of the 8th, as if the run had been killed.
        let out_dir = tempfile::tempdir().unwrap();
        let out = out_dir.path().join("out.jsonl");
        let cut = full
            .iter()
            .enumerate()
            .filter(|(_, &b)| b == b'\n')
            .nth(6)
            .unwrap()
            .0
            + 20;
        std::fs::write(&out, &full[..cut]).unwrap();
        let mut options = options.clone();
        options.read.done = prepare_resume(&out).unwrap();
        let mut file = OpenOptions::new().append(true).open(&out).unwrap();
        let summary = run_sources(&extractor, sources(), &options, &mut file).unwrap();
        assert_eq!((summary.pages, summary.resumed), (13, 7));
        assert_eq!(std::fs::read(&out).unwrap(), full);
    }

    #[test]
    fn ordered_and_unordered_runs_write_every_page_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut list = String::new();
        for i in 0..150 {
            let path = dir.path().join(format!("p{i:03}.html"));
            std::fs::write(&path, page(i)).unwrap();
            list.push_str(&format!("{}\n", path.display()));
        }
        list.push_str(&format!("{}\n", dir.path().join("missing.html").display()));
        let extractor = Extractor::with_default_model().unwrap();
        for ordered in [true, false] {
            let mut options = Options::new(3, 1 << 20);
            options.ordered = ordered;
            options.fields = Fields::parse("timings,bytes").unwrap();
            let mut out = Vec::new();
            let summary = run_sources(
                &extractor,
                input::list_sources(list.as_bytes()),
                &options,
                &mut out,
            )
            .unwrap();
            assert_eq!((summary.pages, summary.errors), (151, 1));
            assert_eq!(summary.errors_by_kind, [("io", 1)]);
            let records = lines(&out);
            let mut paths: Vec<&str> = records
                .iter()
                .map(|r| r["path"].as_str().unwrap())
                .collect();
            if ordered {
                assert!(
                    paths[..150].windows(2).all(|w| w[0] < w[1]),
                    "in input order"
                );
                assert!(paths[150].ends_with("missing.html"));
                assert!(records[3]["text"]
                    .as_str()
                    .unwrap()
                    .contains("Story number 3"));
                assert!(records[3]["timings"]["total_ms"].as_f64().unwrap() >= 0.0);
                assert!(records[3]["input_bytes"].as_u64().unwrap() > 100);
            }
            paths.sort();
            paths.dedup();
            assert_eq!(paths.len(), 151);
        }
    }

    #[test]
    fn big_pages_are_cut_and_marked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.html");
        let mut html = page(1).into_bytes();
        html.truncate(html.len() - "</body></html>".len());
        while html.len() < 3 << 20 {
            html.extend_from_slice(b"<p>More and more filler text in a long page.</p>\n");
        }
        std::fs::write(&path, &html).unwrap();
        assert_eq!(read_page_file(&path, 1 << 20).unwrap().len(), (1 << 20) + 1);
        let extractor = Extractor::with_default_model().unwrap().max_bytes(1 << 20);
        let mut options = Options::new(1, 1 << 20);
        options.read.format = Some(input::InputFormat::Html);
        let mut out = Vec::new();
        run_sources(&extractor, vec![Ok(Source::Path(path))], &options, &mut out).unwrap();
        let records = lines(&out);
        assert_eq!(records[0]["truncated"], true);
        assert!(records[0]["text"]
            .as_str()
            .unwrap()
            .contains("Story number 1"));
    }

    #[test]
    fn a_failing_writer_is_an_error_of_the_run() {
        struct Broken;
        impl Write for Broken {
            fn write(&mut self, _: &[u8]) -> io::Result<usize> {
                Err(io::Error::other("disk full"))
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let dir = tempfile::tempdir().unwrap();
        for i in 0..300 {
            std::fs::write(dir.path().join(format!("p{i:03}.html")), page(i)).unwrap();
        }
        let extractor = Extractor::with_default_model().unwrap();
        let options = Options::new(2, 1 << 20);
        let result = run_sources(
            &extractor,
            vec![Ok(Source::Path(dir.path().to_path_buf()))],
            &options,
            &mut Broken,
        );
        assert!(result.unwrap_err().to_string().contains("disk full"));
    }
}
