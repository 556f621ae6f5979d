//! Batch inputs: where pages come from and how they are read, one page at a time.
//!
//! A batch reads any mix of HTML files and directories, JSON Lines files (`{"url", "html"}`
//! per line) and WARC files, plain or gzipped, and standard input. [`read_sources`] walks them
//! in order and hands each page to a callback as an [`Item`] as soon as it is read, so a
//! many-gigabyte WARC or JSONL stream is never held in memory: only the page being handed on.
//!
//! HTML files are passed on as paths and read by the worker that extracts them; JSONL lines
//! are passed on unparsed (workers parse them); WARC records are parsed here, and only the
//! bodies of HTML responses are kept.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::warc::{self, HttpHead, WarcError, WarcReader};

/// How an input is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// One page per file.
    Html,
    /// One `{"url": ..., "html": ...}` object per line.
    Jsonl,
    /// WARC records; HTML `response` (and `resource`) records are pages.
    Warc,
}

impl InputFormat {
    pub const NAMES: [&'static str; 3] = ["html", "jsonl", "warc"];

    pub fn from_name(name: &str) -> Option<InputFormat> {
        match name.to_ascii_lowercase().as_str() {
            "html" | "htm" => Some(InputFormat::Html),
            "jsonl" | "ndjson" | "json" => Some(InputFormat::Jsonl),
            "warc" => Some(InputFormat::Warc),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Html => "html",
            InputFormat::Jsonl => "jsonl",
            InputFormat::Warc => "warc",
        }
    }

    /// The format a file name implies: `.html`/`.htm`, `.jsonl`/`.ndjson`, `.warc`, each
    /// optionally followed by `.gz`. `None` for other names.
    pub fn from_path(path: &Path) -> Option<InputFormat> {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let name = name.strip_suffix(".gz").unwrap_or(&name);
        let ext = name.rsplit_once('.').map(|(_, e)| e)?;
        match ext {
            "html" | "htm" => Some(InputFormat::Html),
            "jsonl" | "ndjson" => Some(InputFormat::Jsonl),
            "warc" => Some(InputFormat::Warc),
            _ => None,
        }
    }
}

/// One place to read from, as given on the command line or in a `--files-from` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A file or a directory.
    Path(PathBuf),
    /// Standard input (`-`).
    Stdin,
}

impl Source {
    pub fn parse(arg: &str) -> Source {
        if arg == "-" {
            Source::Stdin
        } else {
            Source::Path(PathBuf::from(arg))
        }
    }
}

/// What a worker has to do for one page.
#[derive(Debug)]
pub enum Payload {
    /// Read this HTML file (plain or gzip).
    File(PathBuf),
    /// A page body in memory, with the charset its HTTP response declared.
    Bytes {
        bytes: Vec<u8>,
        charset: Option<String>,
        /// The body was longer than what was kept.
        cut: bool,
    },
    /// One JSON Lines line, not parsed yet.
    JsonLine(Vec<u8>),
    /// The page failed before extraction (a bad record, an unreadable file).
    Failed { message: String, kind: &'static str },
}

/// One page of a batch, with everything known about it before extraction.
#[derive(Debug)]
pub struct Item {
    /// The `"path"` of its record: the file, `FILE:LINE` for JSONL, `FILE:N` (N-th record)
    /// for WARC.
    pub path: String,
    pub url: Option<String>,
    pub warc_record_id: Option<String>,
    pub warc_date: Option<String>,
    pub http_status: Option<u16>,
    pub payload: Payload,
}

impl Item {
    fn new(path: String, payload: Payload) -> Item {
        Item {
            path,
            url: None,
            warc_record_id: None,
            warc_date: None,
            http_status: None,
            payload,
        }
    }

    /// What `--resume` matches records by: the WARC record id, else the path.
    pub fn key(&self) -> &str {
        self.warc_record_id.as_deref().unwrap_or(&self.path)
    }
}

/// The resume key of an output record, matching [`Item::key`].
pub fn record_key(record: &serde_json::Value) -> Option<&str> {
    record
        .get("warc_record_id")
        .and_then(|v| v.as_str())
        .or_else(|| record.get("path").and_then(|v| v.as_str()))
}

/// How sources are read.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// Force this format instead of detecting it from names (and content, for stdin).
    pub format: Option<InputFormat>,
    /// The extractor's page size limit: bodies are kept up to just past it.
    pub max_bytes: usize,
    /// Keys of pages already done (`--resume`): these are skipped.
    pub done: HashSet<String>,
}

impl ReadOptions {
    pub fn new(max_bytes: usize) -> Self {
        ReadOptions {
            format: None,
            max_bytes,
            done: HashSet::new(),
        }
    }
}

/// Counters the reader keeps while it goes, readable from other threads.
#[derive(Debug, Default)]
pub struct ReadStats {
    /// WARC responses that are not HTML.
    pub skipped: AtomicUsize,
    /// Pages already in the output (`--resume`).
    pub resumed: AtomicUsize,
    /// Bytes read from input files so far (compressed size for gzip), for progress.
    pub bytes_read: AtomicU64,
}

/// The most bytes of one JSONL line or one compressed/chunked body kept in memory: well past
/// the page limit, since JSON escaping and gzip change sizes. Longer lines are `too_large`.
pub fn hard_limit(max_bytes: usize) -> usize {
    max_bytes.saturating_mul(8).max(1 << 20)
}

/// True for names picked up in directories: with no format forced, HTML pages and WARC files
/// (plain or gzipped); JSONL files only when `jsonl` is forced, since a directory of pages
/// often holds batch outputs (`*.jsonl`) that are not inputs.
pub fn is_input_name(path: &Path, format: Option<InputFormat>) -> bool {
    match (InputFormat::from_path(path), format) {
        (Some(found), Some(forced)) => found == forced,
        (Some(found), None) => found != InputFormat::Jsonl,
        (None, _) => false,
    }
}

/// Expands one source path into files: a directory recursively (sorted, depth first), keeping
/// names that [`is_input_name`] accepts; anything else as it is, so that a missing path
/// produces its own error record.
pub fn expand(path: &Path, format: Option<InputFormat>) -> Vec<PathBuf> {
    if !path.is_dir() {
        return vec![path.to_path_buf()];
    }
    let mut files = Vec::new();
    let mut pending = vec![path.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            files.push(dir);
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        let mut subdirs = Vec::new();
        for path in paths {
            if path.is_dir() {
                subdirs.push(path);
            } else if is_input_name(&path, format) {
                files.push(path);
            }
        }
        // Push subdirectories reversed so the first pops first.
        pending.extend(subdirs.into_iter().rev());
    }
    files
}

/// The sources that command-line inputs name, in order: `-` is standard input, a directory is
/// walked now ([`expand`], paths only), anything else is taken as it is. `skip` (the output
/// file of a run) is never an input, even when it sits in a walked directory; it is compared
/// by canonical path.
pub fn expand_inputs(
    inputs: &[PathBuf],
    format: Option<InputFormat>,
    skip: Option<&Path>,
) -> Vec<Source> {
    let skip = skip.and_then(|p| std::fs::canonicalize(p).ok());
    let mut sources = Vec::new();
    for input in inputs {
        match Source::parse(&input.to_string_lossy()) {
            Source::Path(path) if path.is_dir() => sources.extend(
                expand(&path, format)
                    .into_iter()
                    .filter(|p| match &skip {
                        Some(out) if p.file_name() == out.file_name() => {
                            std::fs::canonicalize(p).ok().as_ref() != Some(out)
                        }
                        _ => true,
                    })
                    .map(Source::Path),
            ),
            other => sources.push(other),
        }
    }
    sources
}

/// Reads every source in order and calls `emit` with each page as soon as it is read.
/// Stops early (returning `Ok`) when `emit` returns `false`. Failures to read one input
/// become [`Payload::Failed`] items; only a failure to read `more` (a `--files-from` list) is
/// an error of the whole run.
pub fn read_sources(
    sources: impl IntoIterator<Item = io::Result<Source>>,
    options: &ReadOptions,
    stats: &ReadStats,
    emit: &mut dyn FnMut(Item) -> bool,
) -> io::Result<()> {
    let mut reader = Reader {
        options,
        stats,
        emit,
        stopped: false,
    };
    for source in sources {
        match source? {
            Source::Stdin => reader.stdin(),
            Source::Path(path) => {
                for file in expand(&path, options.format) {
                    reader.file(&file);
                    if reader.stopped {
                        break;
                    }
                }
            }
        }
        if reader.stopped {
            break;
        }
    }
    Ok(())
}

/// The entries of a `--files-from` list, one source per line (blank lines skipped), read
/// lazily.
pub fn list_sources(list: impl BufRead) -> impl Iterator<Item = io::Result<Source>> {
    list.lines().filter_map(|line| match line {
        Err(e) => Some(Err(e)),
        Ok(line) => {
            let line = line.trim_end_matches('\r');
            (!line.trim().is_empty()).then(|| Ok(Source::parse(line)))
        }
    })
}

struct Reader<'a> {
    options: &'a ReadOptions,
    stats: &'a ReadStats,
    emit: &'a mut dyn FnMut(Item) -> bool,
    stopped: bool,
}

/// Counts bytes read into [`ReadStats::bytes_read`].
struct Counting<'a, R> {
    inner: R,
    stats: &'a ReadStats,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.stats.bytes_read.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

fn io_kind(e: &io::Error) -> &'static str {
    match e.kind() {
        io::ErrorKind::InvalidData | io::ErrorKind::InvalidInput => "decode",
        _ => "io",
    }
}

impl Reader<'_> {
    fn send(&mut self, item: Item) {
        if self.stopped {
            return;
        }
        if self.options.done.contains(item.key()) {
            self.stats.resumed.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if !(self.emit)(item) {
            self.stopped = true;
        }
    }

    fn fail(&mut self, path: String, kind: &'static str, message: String) {
        self.send(Item::new(path, Payload::Failed { message, kind }));
    }

    fn file(&mut self, path: &Path) {
        let shown = path.display().to_string();
        let format = self
            .options
            .format
            .or_else(|| InputFormat::from_path(path))
            .unwrap_or(InputFormat::Html);
        if format == InputFormat::Html {
            let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            self.stats.bytes_read.fetch_add(size, Ordering::Relaxed);
            self.send(Item::new(shown, Payload::File(path.to_path_buf())));
            return;
        }
        match File::open(path) {
            Err(e) => self.fail(shown.clone(), "io", format!("cannot read {shown}: {e}")),
            Ok(file) => {
                let counting = Counting {
                    inner: file,
                    stats: self.stats,
                };
                self.stream(&shown, format, Box::new(counting));
            }
        }
    }

    fn stdin(&mut self) {
        let stdin = io::stdin();
        let lock = stdin.lock();
        let mut input = match gunzip_if_gzip(Box::new(lock)) {
            Ok(input) => input,
            Err(e) => {
                return self.fail(
                    "-".into(),
                    io_kind(&e),
                    format!("cannot read standard input: {e}"),
                )
            }
        };
        let format = match self.options.format {
            Some(format) => format,
            None => match sniff(&mut input) {
                Ok(format) => format,
                Err(e) => {
                    return self.fail(
                        "-".into(),
                        io_kind(&e),
                        format!("cannot read standard input: {e}"),
                    )
                }
            },
        };
        match format {
            InputFormat::Jsonl => self.jsonl("-", input),
            InputFormat::Warc => self.warc("-", input),
            InputFormat::Html => {
                let mut bytes = Vec::new();
                let limit = hard_limit(self.options.max_bytes) as u64;
                match input.take(limit + 1).read_to_end(&mut bytes) {
                    Err(e) => self.fail(
                        "-".into(),
                        io_kind(&e),
                        format!("cannot read standard input: {e}"),
                    ),
                    Ok(_) => {
                        let cut = bytes.len() as u64 > limit;
                        bytes.truncate(limit as usize);
                        let payload = Payload::Bytes {
                            bytes,
                            charset: None,
                            cut,
                        };
                        self.send(Item::new("-".into(), payload));
                    }
                }
            }
        }
    }

    /// Reads a JSONL or WARC file (plain or gzip, detected by its magic bytes).
    fn stream(&mut self, shown: &str, format: InputFormat, raw: Box<dyn Read + '_>) {
        let input = match gunzip_if_gzip(raw) {
            Ok(input) => input,
            Err(e) => {
                return self.fail(
                    shown.into(),
                    io_kind(&e),
                    format!("cannot read {shown}: {e}"),
                )
            }
        };
        match format {
            InputFormat::Jsonl => self.jsonl(shown, input),
            InputFormat::Warc => self.warc(shown, input),
            InputFormat::Html => unreachable!("HTML files are read by workers"),
        }
    }

    fn jsonl(&mut self, shown: &str, mut input: Box<dyn BufRead + '_>) {
        let cap = hard_limit(self.options.max_bytes);
        let mut number = 0usize;
        while !self.stopped {
            let mut line = Vec::new();
            number += 1;
            let path = format!("{shown}:{number}");
            match warc::read_line_capped(&mut input, &mut line, cap) {
                Err(e) => {
                    // The stream is unusable from here (corrupt gzip, read error).
                    let message = format!("cannot read {shown} at line {number}: {e}");
                    return self.fail(path, io_kind(&e), message);
                }
                Ok((0, _)) => return,
                Ok((size, true)) => {
                    let message = crate::Error::TooLarge {
                        size: size as u64,
                        limit: cap as u64,
                    }
                    .to_string();
                    self.fail(path, "too_large", format!("JSON line: {message}"));
                }
                Ok((_, false)) => {
                    if line.iter().all(u8::is_ascii_whitespace) {
                        continue;
                    }
                    self.send(Item::new(path, Payload::JsonLine(line)));
                }
            }
        }
    }

    fn warc(&mut self, shown: &str, input: Box<dyn BufRead + '_>) {
        let max_bytes = self.options.max_bytes;
        let mut reader = WarcReader::new(input);
        let mut last_ordinal = 0;
        while !self.stopped {
            let done = &self.options.done;
            let outcome = reader.next_record(|head, block| {
                let mut item = Item::new(
                    format!("{shown}:{}", head.ordinal),
                    Payload::File(PathBuf::new()),
                );
                item.url = head.target_uri().map(str::to_string);
                item.warc_record_id = head.record_id().map(str::to_string);
                item.warc_date = head.date().map(str::to_string);
                read_warc_page(head, block, &mut item, max_bytes, done)
                    .map(|page| (page, item, head.skipped_bytes))
            });
            match outcome {
                Ok(None) => return,
                Err(WarcError::Io(e)) => {
                    let path = format!("{shown}:{}", last_ordinal + 1);
                    let message = format!("cannot read {shown} after record {last_ordinal}: {e}");
                    return self.fail(path, io_kind(&e), message);
                }
                Err(WarcError::Format(message)) => {
                    last_ordinal += 1;
                    let path = format!("{shown}:{last_ordinal}");
                    self.fail(path, "parse", format!("{shown}: not valid WARC: {message}"));
                }
                Ok(Some((page, item, skipped_bytes))) => {
                    if skipped_bytes > 0 {
                        let message = format!(
                            "{shown}: {skipped_bytes} bytes that are not WARC before record {}",
                            item.path
                        );
                        self.fail(format!("{}:garbage", item.path), "parse", message);
                    }
                    last_ordinal += 1;
                    match page {
                        WarcPage::Page => self.send(item),
                        WarcPage::NotHtml => {
                            self.stats.skipped.fetch_add(1, Ordering::Relaxed);
                        }
                        WarcPage::Resumed => {
                            self.stats.resumed.fetch_add(1, Ordering::Relaxed);
                        }
                        WarcPage::NotAPage => {}
                    }
                }
            }
        }
    }
}

enum WarcPage {
    /// An HTML page: the item carries its body.
    Page,
    /// A response or resource that is not HTML.
    NotHtml,
    /// Already in the output.
    Resumed,
    /// Another kind of record (warcinfo, request, metadata, revisit, …).
    NotAPage,
}

fn read_warc_page(
    head: &warc::RecordHead,
    block: &mut dyn BufRead,
    item: &mut Item,
    max_bytes: usize,
    done: &HashSet<String>,
) -> io::Result<WarcPage> {
    let kind = head.warc_type().unwrap_or("").to_ascii_lowercase();
    let (mime, charset, chunked) = match kind.as_str() {
        "response" => {
            let http = match HttpHead::read(block) {
                Ok(Some(http)) => http,
                Ok(None) => {
                    item.payload = Payload::Failed {
                        message: "a WARC response record without an HTTP status line".into(),
                        kind: "parse",
                    };
                    return Ok(WarcPage::Page);
                }
                Err(WarcError::Io(e)) => return Err(e),
                Err(WarcError::Format(message)) => {
                    item.payload = Payload::Failed {
                        message: format!("bad HTTP head in a WARC response: {message}"),
                        kind: "parse",
                    };
                    return Ok(WarcPage::Page);
                }
            };
            item.http_status = http.status;
            (http.mime(), http.charset(), http.is_chunked())
        }
        // Resource records hold the document itself, typed by the record's Content-Type.
        "resource" => (
            head.content_type().map(warc::mime_of),
            head.content_type().and_then(warc::charset_of),
            false,
        ),
        _ => return Ok(WarcPage::NotAPage),
    };
    if !mime.as_deref().is_some_and(warc::is_html_mime) {
        return Ok(WarcPage::NotHtml);
    }
    if done.contains(item.key()) {
        return Ok(WarcPage::Resumed);
    }
    let mut start = [0u8; 2];
    let peek = block.fill_buf()?;
    start[..peek.len().min(2)].copy_from_slice(&peek[..peek.len().min(2)]);
    // A plain body is kept just past the limit (the decoder cuts it and marks it truncated);
    // a chunked or gzipped one needs more to get that far.
    let keep = if chunked || start == [0x1f, 0x8b] {
        hard_limit(max_bytes)
    } else {
        max_bytes + 1
    };
    let mut bytes = Vec::new();
    block.take(keep as u64).read_to_end(&mut bytes)?;
    let cut = bytes.len() == keep && !block.fill_buf()?.is_empty();
    if chunked {
        bytes = warc::dechunk(&bytes);
    }
    item.payload = Payload::Bytes {
        bytes,
        charset,
        cut,
    };
    Ok(WarcPage::Page)
}

fn gunzip_if_gzip<'a>(raw: Box<dyn Read + 'a>) -> io::Result<Box<dyn BufRead + 'a>> {
    let mut buffered = BufReader::with_capacity(256 * 1024, raw);
    let is_gzip = buffered.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if is_gzip {
        Box::new(BufReader::with_capacity(
            256 * 1024,
            flate2::bufread::MultiGzDecoder::new(buffered),
        ))
    } else {
        Box::new(buffered)
    })
}

/// Guesses the format of standard input from its first bytes: `WARC/` is WARC, `{` is JSON
/// Lines, anything else one HTML page.
fn sniff(input: &mut Box<dyn BufRead + '_>) -> io::Result<InputFormat> {
    let start = input.fill_buf()?;
    let text = start
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map_or(&start[..0], |i| &start[i..]);
    Ok(if text.starts_with(b"WARC/") {
        InputFormat::Warc
    } else if text.starts_with(b"{") {
        InputFormat::Jsonl
    } else {
        InputFormat::Html
    })
}

/// One JSON Lines input record.
#[derive(Debug, serde::Deserialize)]
pub struct JsonPage {
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub html: Option<String>,
}

/// Parses a JSON Lines page: `Ok((url, html))`, or `Err((url, message))` when the line is not
/// a JSON object with an `"html"` string.
pub fn parse_json_line(line: &[u8]) -> Result<(Option<String>, String), (Option<String>, String)> {
    match serde_json::from_slice::<JsonPage>(line) {
        Err(e) => Err((None, format!("not a JSON object with \"html\": {e}"))),
        Ok(JsonPage { url, html: None }) => {
            Err((url, "the JSON object has no \"html\" string".into()))
        }
        Ok(JsonPage {
            url,
            html: Some(html),
        }) => Ok((url, html)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn collect(sources: Vec<Source>, options: &ReadOptions) -> (Vec<Item>, ReadStats) {
        let stats = ReadStats::default();
        let mut items = Vec::new();
        read_sources(sources.into_iter().map(Ok), options, &stats, &mut |item| {
            items.push(item);
            true
        })
        .unwrap();
        (items, stats)
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    pub(crate) fn warc_record(kind: &str, id: &str, uri: &str, block: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Record-ID: {id}\r\nWARC-Date: 2024-01-01T00:00:00Z\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        out.extend_from_slice(block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    fn response(content_type: &str, extra: &str, body: &[u8]) -> Vec<u8> {
        let mut out =
            format!("HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\n{extra}\r\n").into_bytes();
        out.extend_from_slice(body);
        out
    }

    #[test]
    fn formats_from_names() {
        let f = |n: &str| InputFormat::from_path(Path::new(n));
        assert_eq!(f("a/b.HTML.gz"), Some(InputFormat::Html));
        assert_eq!(f("x.htm"), Some(InputFormat::Html));
        assert_eq!(f("x.jsonl.gz"), Some(InputFormat::Jsonl));
        assert_eq!(f("x.ndjson"), Some(InputFormat::Jsonl));
        assert_eq!(f("crawl-00001.warc.gz"), Some(InputFormat::Warc));
        assert_eq!(f("notes.txt"), None);
        assert_eq!(f("gz"), None);
    }

    #[test]
    fn warc_gz_with_a_member_per_record() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("crawl.warc.gz");
        let mut data = gzip(&warc_record(
            "warcinfo",
            "<urn:uuid:0>",
            "",
            b"software: t\r\n",
        ));
        data.extend(gzip(&warc_record(
            "request",
            "<urn:uuid:r>",
            "http://a.example/",
            b"GET / HTTP/1.1\r\n\r\n",
        )));
        data.extend(gzip(&warc_record(
            "response",
            "<urn:uuid:1>",
            "http://a.example/",
            &response("text/html; charset=windows-1252", "", b"<p>caf\xe9</p>"),
        )));
        data.extend(gzip(&warc_record(
            "response",
            "<urn:uuid:2>",
            "http://a.example/logo.png",
            &response("image/png", "", b"\x89PNG...."),
        )));
        data.extend(gzip(&warc_record(
            "response",
            "<urn:uuid:3>",
            "http://b.example/",
            &response(
                "application/xhtml+xml",
                "Transfer-Encoding: chunked\r\n",
                b"5\r\n<p>hi\r\n4\r\n!</p\r\n1\r\n>\r\n0\r\n\r\n",
            ),
        )));
        std::fs::write(&path, data).unwrap();
        let (items, stats) = collect(vec![Source::Path(path.clone())], &ReadOptions::new(1000));
        assert_eq!(items.len(), 2, "{items:?}");
        assert_eq!(stats.skipped.load(Ordering::Relaxed), 1);
        let shown = path.display().to_string();
        assert_eq!(items[0].path, format!("{shown}:3"));
        assert_eq!(items[0].url.as_deref(), Some("http://a.example/"));
        assert_eq!(items[0].warc_record_id.as_deref(), Some("<urn:uuid:1>"));
        assert_eq!(items[0].http_status, Some(200));
        match &items[0].payload {
            Payload::Bytes {
                bytes,
                charset,
                cut,
            } => {
                assert_eq!(bytes, b"<p>caf\xe9</p>");
                assert_eq!(charset.as_deref(), Some("windows-1252"));
                assert!(!cut);
            }
            other => panic!("{other:?}"),
        }
        match &items[1].payload {
            Payload::Bytes { bytes, .. } => assert_eq!(bytes, b"<p>hi!</p>"),
            other => panic!("{other:?}"),
        }
        // Resuming skips what is done, by record id.
        let mut options = ReadOptions::new(1000);
        options.done.insert("<urn:uuid:1>".into());
        let (items, stats) = collect(vec![Source::Path(path)], &options);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].warc_record_id.as_deref(), Some("<urn:uuid:3>"));
        assert_eq!(stats.resumed.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn long_warc_bodies_are_cut_just_past_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.warc");
        let body = vec![b'a'; 5000];
        std::fs::write(
            &path,
            warc_record(
                "response",
                "<urn:uuid:1>",
                "http://x/",
                &response("text/html", "", &body),
            ),
        )
        .unwrap();
        let (items, _) = collect(vec![Source::Path(path)], &ReadOptions::new(1000));
        match &items[0].payload {
            Payload::Bytes { bytes, cut, .. } => {
                assert_eq!(bytes.len(), 1001);
                assert!(cut);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_truncated_warc_gz_ends_with_one_error_item() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cut.warc.gz");
        let mut data = Vec::new();
        for i in 0..3 {
            data.extend(gzip(&warc_record(
                "response",
                &format!("<urn:uuid:{i}>"),
                "http://x/",
                &response("text/html", "", b"<p>page</p>"),
            )));
        }
        data.truncate(data.len() - 20);
        std::fs::write(&path, data).unwrap();
        let (items, _) = collect(vec![Source::Path(path)], &ReadOptions::new(1000));
        assert_eq!(items.len(), 3, "{items:?}");
        assert!(matches!(items[2].payload, Payload::Failed { .. }));
    }

    #[test]
    fn jsonl_lines_become_items_with_line_paths() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pages.jsonl.gz");
        let text = "{\"url\":\"http://a/\",\"html\":\"<p>a</p>\"}\n\n{\"html\":\"<p>b</p>\"}\nnot json\n{\"url\":\"http://c/\"}\n";
        std::fs::write(&path, gzip(text.as_bytes())).unwrap();
        let (items, _) = collect(vec![Source::Path(path.clone())], &ReadOptions::new(1000));
        let shown = path.display().to_string();
        let paths: Vec<&str> = items.iter().map(|i| i.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                format!("{shown}:1"),
                format!("{shown}:3"),
                format!("{shown}:4"),
                format!("{shown}:5")
            ]
        );
        let lines: Vec<_> = items
            .iter()
            .map(|i| match &i.payload {
                Payload::JsonLine(line) => parse_json_line(line),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(lines[0], Ok((Some("http://a/".into()), "<p>a</p>".into())));
        assert_eq!(lines[1], Ok((None, "<p>b</p>".into())));
        assert!(lines[2]
            .as_ref()
            .unwrap_err()
            .1
            .contains("not a JSON object"));
        let (url, message) = lines[3].as_ref().unwrap_err();
        assert_eq!(url.as_deref(), Some("http://c/"));
        assert!(message.contains("no \"html\""));
    }

    #[test]
    fn overlong_jsonl_lines_are_too_large() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.jsonl");
        let line = format!(
            "{{\"html\":\"{}\"}}\n{{\"html\":\"ok\"}}\n",
            "x".repeat(3 << 20)
        );
        std::fs::write(&path, line).unwrap();
        let (items, _) = collect(vec![Source::Path(path)], &ReadOptions::new(1000));
        assert_eq!(items.len(), 2);
        assert!(matches!(
            items[0].payload,
            Payload::Failed {
                kind: "too_large",
                ..
            }
        ));
        assert!(matches!(items[1].payload, Payload::JsonLine(_)));
    }

    #[test]
    fn files_from_lists_and_directories() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        for name in ["b.html", "a.htm.gz", "sub/c.html", "notes.txt", "x.jsonl"] {
            std::fs::write(dir.path().join(name), "{}").unwrap();
        }
        let list = format!(
            "{}\r\n\n{}\n",
            dir.path().join("sub/c.html").display(),
            dir.path().display()
        );
        let sources: Vec<Source> = list_sources(list.as_bytes()).map(Result::unwrap).collect();
        assert_eq!(sources.len(), 2);
        let mut options = ReadOptions::new(1000);
        options.format = Some(InputFormat::Html);
        let (items, _) = collect(sources, &options);
        let names: Vec<String> = items
            .iter()
            .map(|i| {
                i.path
                    .strip_prefix(&dir.path().display().to_string())
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            names,
            ["/sub/c.html", "/a.htm.gz", "/b.html", "/sub/c.html"]
        );
        // Directories yield JSONL files only when that format is forced.
        let (items, _) = collect(
            vec![Source::Path(dir.path().into())],
            &ReadOptions::new(1000),
        );
        assert_eq!(items.len(), 3);
        options.format = Some(InputFormat::Jsonl);
        let (items, _) = collect(vec![Source::Path(dir.path().into())], &options);
        assert_eq!(items.len(), 1);
        assert!(items[0].path.ends_with("x.jsonl:1"));
    }
}
