//! A small streaming WARC reader: records one at a time from a `BufRead`, and the HTTP response
//! head inside a `response` record.
//!
//! Gzipped WARCs (one gzip member per record, or one for the whole file) are read through
//! `flate2`'s `MultiGzDecoder` by the caller; this module only sees the plain stream. A record's
//! block is handed to a callback as a reader limited to its `Content-Length`, and whatever the
//! callback leaves unread is skipped, so bodies are never held in memory unless asked for.
//!
//! ```
//! use std::io::{BufRead, Read};
//! let warc = b"WARC/1.0\r\nWARC-Type: resource\r\nContent-Length: 5\r\n\r\nhello\r\n\r\n";
//! let mut reader = gleaner::warc::WarcReader::new(&warc[..]);
//! let body = reader
//!     .next_record(|head, block| {
//!         let mut body = String::new();
//!         block.read_to_string(&mut body).map(|_| (head.warc_type().unwrap().to_string(), body))
//!     })
//!     .unwrap()
//!     .unwrap();
//! assert_eq!(body, ("resource".to_string(), "hello".to_string()));
//! ```

use std::io::{self, BufRead, Read};

/// Longest header line accepted, in WARC and HTTP heads alike.
const MAX_LINE: usize = 64 * 1024;
/// Most header lines in one head.
const MAX_HEADER_LINES: usize = 1000;

/// What went wrong reading a WARC stream.
#[derive(Debug)]
pub enum WarcError {
    /// Reading failed (including corrupt gzip data).
    Io(io::Error),
    /// The stream is not well-formed WARC at this point; the next call resynchronises on the
    /// next `WARC/` version line.
    Format(String),
}

impl std::fmt::Display for WarcError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WarcError::Io(e) => write!(f, "{e}"),
            WarcError::Format(m) => write!(f, "{m}"),
        }
    }
}

impl From<io::Error> for WarcError {
    fn from(e: io::Error) -> Self {
        WarcError::Io(e)
    }
}

/// The named fields of a WARC record head (or an HTTP head), in order, names as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers(pub Vec<(String, String)>);

impl Headers {
    /// The first value of a field, by case-insensitive name.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The head of one WARC record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordHead {
    /// The version line, e.g. `WARC/1.0`.
    pub version: String,
    pub headers: Headers,
    /// The block length from `Content-Length`.
    pub content_length: u64,
    /// 1-based position of the record in the stream.
    pub ordinal: usize,
    /// Bytes of garbage skipped before this record's version line (0 in a sound file).
    pub skipped_bytes: u64,
}

impl RecordHead {
    pub fn warc_type(&self) -> Option<&str> {
        self.headers.get("WARC-Type")
    }
    pub fn target_uri(&self) -> Option<&str> {
        // WARC 1.0 writes the URI bare; some writers wrap it in angle brackets.
        self.headers
            .get("WARC-Target-URI")
            .map(|u| u.trim_start_matches('<').trim_end_matches('>'))
    }
    pub fn record_id(&self) -> Option<&str> {
        self.headers.get("WARC-Record-ID")
    }
    pub fn date(&self) -> Option<&str> {
        self.headers.get("WARC-Date")
    }
    pub fn content_type(&self) -> Option<&str> {
        self.headers.get("Content-Type")
    }
}

/// Reads WARC records one after another.
pub struct WarcReader<R> {
    inner: R,
    ordinal: usize,
}

impl<R: BufRead> WarcReader<R> {
    pub fn new(inner: R) -> Self {
        WarcReader { inner, ordinal: 0 }
    }

    /// Reads the next record's head and calls `body` with it and a reader over its block
    /// (exactly `Content-Length` bytes). Whatever `body` does not read is skipped afterwards.
    /// Returns `Ok(None)` at the end of the stream.
    pub fn next_record<T>(
        &mut self,
        body: impl FnOnce(&RecordHead, &mut dyn BufRead) -> io::Result<T>,
    ) -> Result<Option<T>, WarcError> {
        let Some(head) = self.read_head()? else {
            return Ok(None);
        };
        let mut block = (&mut self.inner).take(head.content_length);
        let result = body(&head, &mut block);
        // Skip the rest of the block even when the callback failed, so the next record starts
        // in the right place; a read error here is an error of the stream.
        io::copy(&mut block, &mut io::sink())?;
        if block.limit() > 0 {
            return Err(WarcError::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "record {} ends {} bytes before its Content-Length",
                    head.ordinal,
                    block.limit()
                ),
            )));
        }
        Ok(Some(result?))
    }

    fn read_head(&mut self) -> Result<Option<RecordHead>, WarcError> {
        let mut line = Vec::new();
        let mut skipped_bytes = 0u64;
        // Find the version line, skipping the blank lines between records and, after a
        // format error, anything else.
        let version = loop {
            line.clear();
            let (n, _) = read_line_capped(&mut self.inner, &mut line, MAX_LINE)?;
            if n == 0 {
                if skipped_bytes > 0 {
                    return Err(WarcError::Format(format!(
                        "{skipped_bytes} bytes of data that is not WARC at the end of the stream"
                    )));
                }
                return Ok(None);
            }
            let text = trim_eol(&line);
            if text.starts_with(b"WARC/") {
                break String::from_utf8_lossy(text).into_owned();
            }
            if !text.iter().all(u8::is_ascii_whitespace) {
                skipped_bytes += n as u64;
            }
        };
        self.ordinal += 1;
        let headers = read_headers(&mut self.inner)?;
        let content_length = match headers.get("Content-Length") {
            None => {
                return Err(WarcError::Format(format!(
                    "record {} has no Content-Length",
                    self.ordinal
                )))
            }
            Some(v) => v.trim().parse::<u64>().map_err(|_| {
                WarcError::Format(format!(
                    "record {} has an invalid Content-Length {v:?}",
                    self.ordinal
                ))
            })?,
        };
        Ok(Some(RecordHead {
            version,
            headers,
            content_length,
            ordinal: self.ordinal,
            skipped_bytes,
        }))
    }
}

/// Reads `Name: value` lines up to the blank line that ends a head.
fn read_headers(r: &mut dyn BufRead) -> Result<Headers, WarcError> {
    let mut headers = Headers::default();
    let mut line = Vec::new();
    loop {
        line.clear();
        let (n, overflow) = read_line_capped(r, &mut line, MAX_LINE)?;
        if n == 0 {
            return Err(WarcError::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the stream ends inside a record head",
            )));
        }
        if overflow {
            return Err(WarcError::Format(format!(
                "a header line is over {MAX_LINE} bytes"
            )));
        }
        let text = trim_eol(&line);
        if text.is_empty() {
            return Ok(headers);
        }
        if headers.0.len() >= MAX_HEADER_LINES {
            return Err(WarcError::Format(format!(
                "a head has over {MAX_HEADER_LINES} lines"
            )));
        }
        let text = String::from_utf8_lossy(text);
        if text.starts_with([' ', '\t']) {
            // A folded continuation line.
            if let Some((_, value)) = headers.0.last_mut() {
                value.push(' ');
                value.push_str(text.trim());
            }
            continue;
        }
        if let Some((name, value)) = text.split_once(':') {
            headers
                .0
                .push((name.trim().to_string(), value.trim().to_string()));
        }
    }
}

/// The head of an HTTP response stored in a WARC `response` record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpHead {
    pub status: Option<u16>,
    pub headers: Headers,
}

impl HttpHead {
    /// Reads an HTTP response head (status line and headers) from the start of a block.
    /// Returns `Ok(None)` when the block does not start with an `HTTP/` status line (nothing
    /// is consumed then beyond what `fill_buf` buffered).
    pub fn read(r: &mut dyn BufRead) -> Result<Option<HttpHead>, WarcError> {
        if !r.fill_buf()?.starts_with(b"HTTP/") {
            return Ok(None);
        }
        let mut line = Vec::new();
        read_line_capped(r, &mut line, MAX_LINE)?;
        let status_line = String::from_utf8_lossy(trim_eol(&line)).into_owned();
        let status = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok());
        let headers = read_headers(r)?;
        Ok(Some(HttpHead { status, headers }))
    }

    /// The media type of `Content-Type`, lowercased, without parameters.
    pub fn mime(&self) -> Option<String> {
        self.headers.get("Content-Type").map(mime_of)
    }

    /// The `charset` parameter of `Content-Type`, if any.
    pub fn charset(&self) -> Option<String> {
        self.headers.get("Content-Type").and_then(charset_of)
    }

    pub fn is_chunked(&self) -> bool {
        self.headers
            .get("Transfer-Encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
    }
}

/// The media type of a `Content-Type` value, lowercased, without parameters.
pub fn mime_of(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// The `charset` parameter of a `Content-Type` value.
pub fn charset_of(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(['"', '\'']).to_string())
            .filter(|v| !v.is_empty())
    })
}

/// True for the media types gleaner extracts from: `text/html` and `application/xhtml+xml`.
pub fn is_html_mime(mime: &str) -> bool {
    mime == "text/html" || mime == "application/xhtml+xml"
}

/// Undoes HTTP chunked transfer-encoding. A body cut short keeps what it has; data that is not
/// chunked after all is returned unchanged.
pub fn dechunk(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len());
    let mut rest = body;
    loop {
        let Some(eol) = rest.iter().position(|&b| b == b'\n') else {
            if out.is_empty() {
                return body.to_vec();
            }
            break;
        };
        let size_text = String::from_utf8_lossy(&rest[..eol]);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            if out.is_empty() {
                return body.to_vec();
            }
            break;
        };
        rest = &rest[eol + 1..];
        if size == 0 {
            break;
        }
        let take = size.min(rest.len());
        out.extend_from_slice(&rest[..take]);
        rest = &rest[take..];
        rest = rest
            .strip_prefix(b"\r\n")
            .or_else(|| rest.strip_prefix(b"\n"))
            .unwrap_or(rest);
    }
    out
}

/// Reads one line (through `\n`) into `buf`, keeping at most `cap` bytes of it and discarding
/// the rest. Returns the full length of the line read and whether it was over `cap`.
pub fn read_line_capped(
    r: &mut dyn BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
) -> io::Result<(usize, bool)> {
    let mut total = 0;
    loop {
        let available = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((total, total > cap));
        }
        let (used, done) = match available.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (available.len(), false),
        };
        let room = cap.saturating_sub(buf.len());
        buf.extend_from_slice(&available[..used.min(room)]);
        total += used;
        r.consume(used);
        if done {
            return Ok((total, total > cap));
        }
    }
}

fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: &str, extra: &str, block: &[u8]) -> Vec<u8> {
        let mut out = format!(
            "WARC/1.0\r\nWARC-Type: {kind}\r\n{extra}Content-Length: {}\r\n\r\n",
            block.len()
        )
        .into_bytes();
        out.extend_from_slice(block);
        out.extend_from_slice(b"\r\n\r\n");
        out
    }

    fn read_all(data: &[u8]) -> Vec<Result<(RecordHead, Vec<u8>), String>> {
        let mut reader = WarcReader::new(data);
        let mut out = Vec::new();
        loop {
            match reader.next_record(|head, block| {
                let mut body = Vec::new();
                block.read_to_end(&mut body)?;
                Ok((head.clone(), body))
            }) {
                Ok(None) => break,
                Ok(Some(r)) => out.push(Ok(r)),
                Err(WarcError::Format(m)) => out.push(Err(m)),
                Err(WarcError::Io(e)) => {
                    out.push(Err(e.to_string()));
                    break;
                }
            }
        }
        out
    }

    #[test]
    fn reads_records_and_heads() {
        let mut data = record("warcinfo", "", b"software: test\r\n");
        data.extend(record(
            "response",
            "WARC-Target-URI: <http://example.com/a>\r\nWARC-Record-ID: <urn:uuid:1>\r\n",
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=\"ISO-8859-1\"\r\n\r\n<p>hi</p>",
        ));
        let records = read_all(&data);
        assert_eq!(records.len(), 2);
        let (head, body) = records[1].as_ref().unwrap();
        assert_eq!(head.warc_type(), Some("response"));
        assert_eq!(head.target_uri(), Some("http://example.com/a"));
        assert_eq!(head.record_id(), Some("<urn:uuid:1>"));
        assert_eq!(head.ordinal, 2);
        let mut block = &body[..];
        let http = HttpHead::read(&mut block).unwrap().unwrap();
        assert_eq!(http.status, Some(200));
        assert_eq!(http.mime().as_deref(), Some("text/html"));
        assert_eq!(http.charset().as_deref(), Some("ISO-8859-1"));
        assert_eq!(block, b"<p>hi</p>");
    }

    #[test]
    fn unread_blocks_are_skipped() {
        let mut data = record("resource", "", &[b'x'; 10_000]);
        data.extend(record("resource", "", b"second"));
        let mut reader = WarcReader::new(&data[..]);
        assert!(reader.next_record(|_, _| Ok(())).unwrap().is_some());
        let second = reader
            .next_record(|_, block| {
                let mut s = String::new();
                block.read_to_string(&mut s).map(|_| s)
            })
            .unwrap();
        assert_eq!(second.as_deref(), Some("second"));
        assert!(reader.next_record(|_, _| Ok(())).unwrap().is_none());
    }

    #[test]
    fn a_bad_content_length_is_an_error_and_reading_resumes() {
        let mut data =
            b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: nope\r\n\r\ngarbage\r\n\r\n"
                .to_vec();
        data.extend(record("resource", "", b"ok"));
        let records = read_all(&data);
        assert_eq!(records.len(), 2, "{records:?}");
        assert!(records[0].as_ref().unwrap_err().contains("Content-Length"));
        let (head, body) = records[1].as_ref().unwrap();
        assert_eq!(body, b"ok");
        assert!(head.skipped_bytes > 0);
    }

    #[test]
    fn a_stream_cut_inside_a_block_is_an_io_error() {
        let data = record("resource", "", b"0123456789");
        let records = read_all(&data[..data.len() - 8]);
        assert_eq!(records.len(), 1);
        assert!(records[0].is_err());
    }

    #[test]
    fn dechunks_bodies() {
        assert_eq!(
            dechunk(b"4\r\nWiki\r\n5;x=1\r\npedia\r\n0\r\n\r\n"),
            b"Wikipedia"
        );
        assert_eq!(dechunk(b"4\r\nWiki\r\n9\r\nped"), b"Wikiped");
        assert_eq!(dechunk(b"<html>not chunked"), b"<html>not chunked");
    }

    #[test]
    fn content_type_parts() {
        assert_eq!(mime_of("Text/HTML ; charset=utf-8"), "text/html");
        assert_eq!(
            charset_of("text/html; Charset='utf-8'").as_deref(),
            Some("utf-8")
        );
        assert_eq!(charset_of("text/html"), None);
        assert!(is_html_mime("application/xhtml+xml"));
        assert!(!is_html_mime("application/json"));
    }

    #[test]
    fn capped_lines_report_their_full_length() {
        let data = b"abcdefghij\nnext\n";
        let mut r = &data[..];
        let mut buf = Vec::new();
        assert_eq!(read_line_capped(&mut r, &mut buf, 4).unwrap(), (11, true));
        assert_eq!(buf, b"abcd");
        buf.clear();
        assert_eq!(read_line_capped(&mut r, &mut buf, 40).unwrap(), (5, false));
        assert_eq!(buf, b"next\n");
    }
}
