//! Stage 1 — bytes to text.
//!
//! Scraped pages arrive gzipped or not, in any charset, often mislabelled. The order of
//! evidence follows what browsers do, with two corrections for scraped data: a byte-order mark
//! wins; then UTF-16 without a BOM is recognised by its NUL pattern; then a `<meta charset>` or
//! `http-equiv` declaration is honoured *unless the bytes contradict it* (a page declared
//! UTF-8 that is not valid UTF-8, or declared Latin-1 but valid multi-byte UTF-8, is a very
//! common scraping artefact); otherwise the charset is detected from the bytes.

use std::io::Read;

use encoding_rs::Encoding;

use crate::error::{Error, Result};

/// How large a page may be before it is cut (after gzip decompression).
pub const DEFAULT_MAX_BYTES: usize = 10 * 1024 * 1024;

/// Where the charset of a decoded page came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CharsetSource {
    ByteOrderMark,
    Utf16Pattern,
    Declared,
    /// Given by the caller, e.g. from an HTTP `Content-Type` header.
    Transport,
    ValidUtf8,
    Detected,
}

/// A page as text, with what was learnt while decoding it.
#[derive(Debug, Clone)]
pub struct Decoded {
    pub html: String,
    pub encoding: &'static str,
    pub charset_source: CharsetSource,
    /// Some bytes could not be decoded and were replaced by U+FFFD.
    pub had_replacements: bool,
    /// The page was longer than the byte limit and was cut there.
    pub truncated: bool,
}

/// Decodes raw page bytes (plain or gzip) into text, cutting pages over `max_bytes`.
///
/// `transport_charset` is a charset label from outside the page (an HTTP header); it ranks
/// below a byte-order mark and above the page's own declaration, as in browsers.
///
/// ```
/// let page = "<meta charset=iso-8859-1><p>Gr\u{fc}\u{df}e</p>";
/// let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(page);
/// let decoded = gleaner::decode::decode(&latin1, None, gleaner::decode::DEFAULT_MAX_BYTES).unwrap();
/// assert!(decoded.html.contains("Grüße"));
/// assert_eq!(decoded.encoding, "windows-1252");
/// ```
pub fn decode(raw: &[u8], transport_charset: Option<&str>, max_bytes: usize) -> Result<Decoded> {
    if raw.is_empty() {
        return Err(Error::Empty);
    }
    let gunzipped;
    let (bytes, truncated): (&[u8], bool) = if is_gzip(raw) {
        let (data, truncated) = gunzip(raw, max_bytes)?;
        gunzipped = data;
        (&gunzipped, truncated)
    } else if raw.len() > max_bytes {
        (&raw[..max_bytes], true)
    } else {
        (raw, false)
    };
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::Empty);
    }
    let (encoding, charset_source, body) = choose_encoding(bytes, transport_charset);
    let (text, had_replacements) = decode_with(encoding, body);
    let text = if text.contains('\0') {
        text.replace('\0', "")
    } else {
        text
    };
    if looks_binary(&text) {
        return Err(Error::Decode(
            "the input looks like binary data, not HTML or text (too many control characters \
             or undecodable bytes)"
                .into(),
        ));
    }
    Ok(Decoded {
        html: text,
        encoding: encoding.name(),
        charset_source,
        had_replacements,
        truncated,
    })
}

fn is_gzip(raw: &[u8]) -> bool {
    raw.len() >= 2 && raw[0] == 0x1f && raw[1] == 0x8b
}

fn gunzip(raw: &[u8], max_bytes: usize) -> Result<(Vec<u8>, bool)> {
    // Sized from the gzip trailer's length of the (last) member, a hint only: it is the input
    // size modulo 4 GiB, and read_to_end grows the buffer past it if needed.
    let hint = raw.len().checked_sub(4).map_or(0, |at| {
        u32::from_le_bytes(raw[at..].try_into().expect("4 bytes")) as usize
    });
    let mut out = Vec::with_capacity(hint.min(max_bytes) + 1);
    let mut decoder = flate2::read::MultiGzDecoder::new(raw).take(max_bytes as u64 + 1);
    decoder.read_to_end(&mut out).map_err(|e| {
        Error::Decode(format!(
            "corrupt or truncated gzip data ({e}); re-fetch or re-compress the page"
        ))
    })?;
    let truncated = out.len() > max_bytes;
    out.truncate(max_bytes);
    Ok((out, truncated))
}

fn choose_encoding<'a>(
    bytes: &'a [u8],
    transport_charset: Option<&str>,
) -> (&'static Encoding, CharsetSource, &'a [u8]) {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return (encoding, CharsetSource::ByteOrderMark, &bytes[bom_len..]);
    }
    if let Some(encoding) = utf16_by_nul_pattern(bytes) {
        return (encoding, CharsetSource::Utf16Pattern, bytes);
    }
    let declared = transport_charset
        .and_then(|label| Encoding::for_label(label.trim().as_bytes()))
        .map(|e| (e, CharsetSource::Transport))
        .or_else(|| declared_in_meta(bytes).map(|e| (e, CharsetSource::Declared)));
    let valid_utf8 = std::str::from_utf8(bytes).is_ok();
    match declared {
        Some((encoding, source)) if encoding == encoding_rs::UTF_8 => {
            if valid_utf8 {
                (encoding, source, bytes)
            } else {
                (detect(bytes), CharsetSource::Detected, bytes)
            }
        }
        // A multi-byte UTF-8 page that calls itself Latin-1 or similar: the declaration is
        // wrong far more often than such byte sequences happen by chance.
        Some(_) if valid_utf8 && !bytes.is_ascii() => {
            (encoding_rs::UTF_8, CharsetSource::ValidUtf8, bytes)
        }
        Some((encoding, source)) => (encoding, source, bytes),
        None if valid_utf8 => (encoding_rs::UTF_8, CharsetSource::ValidUtf8, bytes),
        None => (detect(bytes), CharsetSource::Detected, bytes),
    }
}

fn detect(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    detector.guess(None, false)
}

fn decode_with(encoding: &'static Encoding, bytes: &[u8]) -> (String, bool) {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    (text.into_owned(), had_errors)
}

/// UTF-16 text of a mostly-ASCII page has a NUL in every other byte.
fn utf16_by_nul_pattern(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096)];
    if sample.len() < 16 {
        return None;
    }
    let pairs = sample.len() / 2;
    let (mut even_nul, mut odd_nul) = (0usize, 0usize);
    for pair in sample.chunks_exact(2) {
        even_nul += usize::from(pair[0] == 0);
        odd_nul += usize::from(pair[1] == 0);
    }
    let mostly = |n: usize| n * 10 >= pairs * 4;
    let rarely = |n: usize| n * 20 <= pairs;
    if mostly(odd_nul) && rarely(even_nul) {
        Some(encoding_rs::UTF_16LE)
    } else if mostly(even_nul) && rarely(odd_nul) {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Finds `<meta charset=X>` or `<meta http-equiv content="...; charset=X">` in the first
/// kilobytes, as the HTML prescan does.
fn declared_in_meta(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(8192)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(offset) = find(&lower[from..], b"<meta") {
        let tag_start = from + offset;
        let tag_end = lower[tag_start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(lower.len(), |p| tag_start + p);
        let tag = &lower[tag_start..tag_end];
        if let Some(pos) = find(tag, b"charset") {
            let rest = &tag[pos + b"charset".len()..];
            let rest = trim_start(rest);
            if let Some(rest) = rest.strip_prefix(b"=") {
                let rest = trim_start(rest);
                let rest = rest
                    .strip_prefix(b"\"")
                    .or_else(|| rest.strip_prefix(b"'"))
                    .unwrap_or(rest);
                let label_len = rest
                    .iter()
                    .position(|&b| {
                        b == b'"' || b == b'\'' || b == b';' || b.is_ascii_whitespace() || b == b'/'
                    })
                    .unwrap_or(rest.len());
                if let Some(encoding) = Encoding::for_label(&rest[..label_len]) {
                    // The HTML standard maps a declared UTF-16 (impossible in an ASCII-readable
                    // prescan) to UTF-8, and x-user-defined to windows-1252.
                    return Some(match encoding {
                        e if e == encoding_rs::UTF_16LE || e == encoding_rs::UTF_16BE => {
                            encoding_rs::UTF_8
                        }
                        e if e == encoding_rs::X_USER_DEFINED => encoding_rs::WINDOWS_1252,
                        e => e,
                    });
                }
            }
        }
        from = tag_end.max(tag_start + 1);
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

fn trim_start(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    &bytes[start..]
}

/// Text whose first 64 K characters are more than a tenth control characters or replacement
/// characters is not a web page, whatever its file name says.
///
/// It reads UTF-8 bytes, not `char`s (the check runs on every page): a character is counted at
/// its first byte, the control characters are the bytes below 0x20 and 0x7F (less tab, line
/// feed, carriage return and form feed) and U+0080–U+009F (0xC2 0x80–0x9F), and U+FFFD is
/// 0xEF 0xBF 0xBD.
fn looks_binary(text: &str) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let bytes = text.as_bytes();
    let (mut total, mut suspicious, mut at) = (0usize, 0usize, 0usize);
    while total < 65_536 && at < bytes.len() {
        // Eight printable ASCII bytes (0x20–0x7E), tested at once: eight characters, none
        // suspicious. (A byte below 0x20 or equal to 0x7F sets its high bit in these sums.)
        if let Some(chunk) = bytes.get(at..at + 8).filter(|_| total + 8 <= 65_536) {
            let v = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            let below_space = v.wrapping_sub(ONES * 0x20) & !v;
            let delete = (v ^ (ONES * 0x7F)).wrapping_sub(ONES) & !(v ^ (ONES * 0x7F));
            if (v | below_space | delete) & HIGH == 0 {
                total += 8;
                at += 8;
                continue;
            }
        }
        let byte = bytes[at];
        if byte & 0xC0 != 0x80 {
            // A character's first byte (continuation bytes belong to the character before).
            total += 1;
            suspicious += usize::from(match byte {
                b'\t' | b'\n' | b'\r' | 0x0C => false,
                0x00..=0x1F | 0x7F => true,
                0xC2 => matches!(bytes.get(at + 1), Some(0x80..=0x9F)),
                0xEF => bytes.get(at + 1..at + 3) == Some(&[0xBF, 0xBD][..]),
                _ => false,
            });
        }
        at += 1;
    }
    total > 0 && suspicious * 10 > total
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_default(bytes: &[u8]) -> Result<Decoded> {
        decode(bytes, None, DEFAULT_MAX_BYTES)
    }

    #[test]
    fn looks_binary_counts_as_a_char_scan_does() {
        fn by_chars(text: &str) -> bool {
            let mut total = 0usize;
            let mut suspicious = 0usize;
            for c in text.chars().take(65_536) {
                total += 1;
                if c == '\u{FFFD}'
                    || (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{0C}'))
                {
                    suspicious += 1;
                }
            }
            total > 0 && suspicious * 10 > total
        }
        let pieces = [
            "a", "\u{0}", "\t", "\n", "\u{0C}", "\u{1B}", "\u{7F}", "\u{80}", "\u{9F}", "\u{A0}",
            "\u{FFFD}", "\u{FFFC}", "é", "日", "😀", "\u{2028}",
        ];
        for (i, a) in pieces.iter().enumerate() {
            for (j, b) in pieces.iter().enumerate() {
                for n in [1, 3, 9, 11] {
                    let text = format!(
                        "{}{}{}",
                        a.repeat(n),
                        "printable".repeat(j),
                        b.repeat(i + j)
                    );
                    assert_eq!(looks_binary(&text), by_chars(&text), "{text:?}");
                }
            }
        }
        // The 64 K-character window counts characters, not bytes.
        for head in ["x", "é", "日"] {
            for tail in ["\u{1}", "y"] {
                let text = head.repeat(60_000) + &tail.repeat(9_000);
                assert_eq!(looks_binary(&text), by_chars(&text));
            }
        }
    }

    #[test]
    fn empty_and_blank_inputs_are_errors() {
        assert!(matches!(decode_default(b""), Err(Error::Empty)));
        assert!(matches!(decode_default(b" \n\t "), Err(Error::Empty)));
    }

    #[test]
    fn binary_garbage_is_a_decode_error() {
        let garbage: Vec<u8> = (0..4000u32).map(|i| (i * 7919 % 251) as u8).collect();
        let err = decode_default(&garbage).unwrap_err();
        assert_eq!(err.kind(), "decode");
    }

    #[test]
    fn meta_charset_is_honoured() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252
            .encode("<html><head><meta charset=\"latin1\"></head><body><p>café crème</p>");
        let d = decode_default(&bytes).unwrap();
        assert!(d.html.contains("café crème"));
        assert_eq!(d.charset_source, CharsetSource::Declared);
    }

    #[test]
    fn http_equiv_declaration_is_honoured() {
        let page = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\"><p>日本語のテキストです</p>";
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(page);
        let d = decode_default(&bytes).unwrap();
        assert!(d.html.contains("日本語のテキストです"));
        assert_eq!(d.encoding, "Shift_JIS");
    }

    #[test]
    fn utf8_page_declared_as_latin1_is_read_as_utf8() {
        let page = "<meta charset=iso-8859-1><p>Straße, naïve, Ærø</p>";
        let d = decode_default(page.as_bytes()).unwrap();
        assert!(d.html.contains("Straße, naïve, Ærø"));
        assert_eq!(d.encoding, "UTF-8");
    }

    #[test]
    fn latin1_page_declared_as_utf8_is_detected() {
        let page =
            "<meta charset=utf-8><p>Le café était très animé à Paris, près de la rivière.</p>";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(page);
        let d = decode_default(&bytes).unwrap();
        assert!(d.html.contains("très animé"), "{}", d.html);
        assert_eq!(d.charset_source, CharsetSource::Detected);
    }

    #[test]
    fn undeclared_shift_jis_is_detected() {
        let page = "<html><body><p>東京都は本日、新しい交通計画を発表しました。市民の生活はこれから大きく変わるでしょう。</p></body></html>";
        let (bytes, _, _) = encoding_rs::SHIFT_JIS.encode(page);
        let d = decode_default(&bytes).unwrap();
        assert!(d.html.contains("新しい交通計画"), "{}", d.html);
    }

    #[test]
    fn utf16_without_bom_is_recognised() {
        let page = "<html><body><p>Hello UTF-16 world, this is a page.</p></body></html>";
        let bytes: Vec<u8> = page.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let d = decode_default(&bytes).unwrap();
        assert!(d.html.contains("Hello UTF-16 world"));
        assert_eq!(d.charset_source, CharsetSource::Utf16Pattern);
    }

    #[test]
    fn gzip_is_decompressed_and_truncated_gzip_is_an_error() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        let page = "<p>compressed page text</p>".repeat(200);
        enc.write_all(page.as_bytes()).unwrap();
        let gz = enc.finish().unwrap();
        assert!(decode_default(&gz)
            .unwrap()
            .html
            .contains("compressed page text"));
        let err = decode_default(&gz[..gz.len() / 2]).unwrap_err();
        assert_eq!(err.kind(), "decode");
        assert!(err.to_string().contains("gzip"));
    }

    #[test]
    fn nul_bytes_are_dropped_and_oversized_pages_cut() {
        let d = decode_default(b"<p>a\0b</p>").unwrap();
        assert_eq!(d.html, "<p>ab</p>");
        let d = decode(b"<p>0123456789</p>", None, 8).unwrap();
        assert!(d.truncated);
        assert_eq!(d.html.len(), 8);
    }
}
