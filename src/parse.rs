//! Stage 2 — text to DOM, with `scraper` (html5ever).
//!
//! Two passes over the raw text come first:
//!
//! 1. [`empty_scripts_and_styles`]: the bodies of `<script>` and `<style>` elements are never
//!    page text, yet they are 40% of the bytes of a typical news page, and html5ever would
//!    tokenize every one of them. They are cut out (the elements stay, empty), with a scanner
//!    that follows the tokenizer's rules for comments, quoted attributes and raw-text elements,
//!    and that leaves anything it is unsure of for html5ever.
//! 2. [`limit_nesting`]: html5ever checks element scopes by walking the stack of open
//!    elements, so a page nested 100,000 levels deep costs time quadratic in its depth
//!    (minutes). Markup nested deeper than [`MAX_DEPTH`] is flattened: the surplus start tags
//!    and their end tags are dropped and their text is kept. Real pages are far shallower, and
//!    for them the text passes through untouched.

use std::borrow::Cow;

use scraper::Html;

/// Element nesting beyond this is flattened.
pub const MAX_DEPTH: usize = 512;

/// Parses a document, emptying scripts and styles and flattening pathological nesting first.
pub fn parse_document(html: &str) -> Html {
    let without_scripts = empty_scripts_and_styles(html);
    Html::parse_document(&limit_nesting(&without_scripts, MAX_DEPTH))
}

/// Removes the contents of `<script>` and `<style>` elements, keeping the tags, where the
/// HTML tokenizer would read those contents as raw text.
///
/// The scan skips comments, quoted attribute values and the contents of the other elements
/// whose text is not markup (`title`, `textarea`, `noscript`, …), so a `<script` inside them
/// is not mistaken for a tag. A script holding `<!--` (whose end the tokenizer finds by
/// escaping rules) and a self-closing `<script/>` (raw text in HTML, empty in SVG) are left
/// alone; so is everything after a tag that never closes.
///
/// ```
/// use gleaner::parse::empty_scripts_and_styles;
/// let html = r#"<p title="<script>">a</p><script>if (a < b) {}</script><!-- <style> --><p>b</p>"#;
/// assert_eq!(
///     empty_scripts_and_styles(html),
///     r#"<p title="<script>">a</p><script></script><!-- <style> --><p>b</p>"#
/// );
/// ```
pub fn empty_scripts_and_styles(html: &str) -> Cow<'_, str> {
    let bytes = html.as_bytes();
    let mut out: Option<String> = None;
    let mut copied = 0;
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'<', &bytes[at..]) {
        let start = at + found;
        let rest = &bytes[start + 1..];
        if rest.starts_with(b"!--") {
            // A comment: it ends at the first `-->` (or at `<!-->` / `<!--->` right away).
            let body = start + 4;
            at = if bytes[body..].starts_with(b">") {
                body + 1
            } else if bytes[body..].starts_with(b"->") {
                body + 2
            } else {
                match memchr::memmem::find(&bytes[body..], b"-->") {
                    Some(end) => body + end + 3,
                    None => break,
                }
            };
            continue;
        }
        if matches!(rest.first(), Some(b'!' | b'?' | b'/')) {
            // Doctype, bogus comment or end tag: none has quoted values that can hide a `>`.
            match memchr::memchr(b'>', rest) {
                Some(end) => at = start + 1 + end + 1,
                None => break,
            }
            continue;
        }
        let name_len = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-')
            .count();
        if name_len == 0 || !rest.first().is_some_and(u8::is_ascii_alphabetic) {
            at = start + 1;
            continue;
        }
        let name = &rest[..name_len];
        let Some(tag_end) = start_tag_end(bytes, start + 1 + name_len) else {
            break;
        };
        at = tag_end;
        let raw_text = RAW_TEXT
            .iter()
            .find(|(raw, _)| name.eq_ignore_ascii_case(raw.as_bytes()));
        let Some(&(raw, emptied)) = raw_text else {
            continue;
        };
        let Some(body_end) = find_end_tag(bytes, tag_end, raw) else {
            break;
        };
        let self_closing = bytes[..tag_end].ends_with(b"/>");
        let body = &bytes[tag_end..body_end];
        if emptied && !self_closing && memchr::memmem::find(body, b"<!--").is_none() {
            let out = out.get_or_insert_with(|| String::with_capacity(html.len()));
            out.push_str(&html[copied..tag_end]);
            copied = body_end;
        }
        at = body_end;
    }
    match out {
        None => Cow::Borrowed(html),
        Some(mut out) => {
            out.push_str(&html[copied..]);
            Cow::Owned(out)
        }
    }
}

/// Elements whose contents the tokenizer does not read as markup, and whether their contents
/// are emptied (`true`) or only stepped over.
const RAW_TEXT: &[(&str, bool)] = &[
    ("script", true),
    ("style", true),
    ("title", false),
    ("textarea", false),
    ("xmp", false),
    ("iframe", false),
    ("noembed", false),
    ("noframes", false),
    ("noscript", false),
    ("plaintext", false),
];

/// Where a start tag whose name ends at `from` ends (just past its `>`), stepping over quoted
/// attribute values; `None` when it never ends.
fn start_tag_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let next = at + memchr::memchr2(b'>', b'=', &bytes[at..])?;
        if bytes[next] == b'>' {
            return Some(next + 1);
        }
        at = next + 1;
        while bytes.get(at).is_some_and(u8::is_ascii_whitespace) {
            at += 1;
        }
        if let Some(&quote @ (b'"' | b'\'')) = bytes.get(at) {
            at += 1 + memchr::memchr(quote, &bytes[at + 1..])? + 1;
        }
    }
}

/// Where the contents of a raw-text element `name` that start at `from` end: at the first
/// `</name` followed by whitespace, `/` or `>`. `None` when there is none (or for
/// `plaintext`, which never ends).
fn find_end_tag(bytes: &[u8], from: usize, name: &str) -> Option<usize> {
    if name == "plaintext" {
        return None;
    }
    let mut at = from;
    loop {
        let found = at + memchr::memmem::find(&bytes[at..], b"</")?;
        let after = found + 2;
        let candidate = bytes.get(after..after + name.len())?;
        if candidate.eq_ignore_ascii_case(name.as_bytes())
            && bytes
                .get(after + name.len())
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'/' || *b == b'>')
        {
            return Some(found);
        }
        at = after;
    }
}

/// Tags that do not add a level to the depth estimate: void elements, and elements whose end
/// tag may be left out (a page of a thousand unclosed `<p>`s is flat, not deep).
const NOT_NESTING: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "!doctype", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th",
    "tbody", "thead", "tfoot", "colgroup", "caption", "rb", "rt", "rp", "rtc", "html", "head",
    "body",
];

/// A tag found by the scan: where it is, whether it closes, and whether it opens a level.
struct Tag {
    start: usize,
    end: usize,
    closing: bool,
    nests: bool,
}

/// Scans tags without parsing: enough to measure nesting, not to understand the page.
fn tags(html: &str) -> impl Iterator<Item = Tag> + '_ {
    let bytes = html.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || loop {
        let start = at + memchr::memchr(b'<', &bytes[at..])?;
        let end = start
            + 1
            + memchr::memchr(b'>', &bytes[start + 1..]).unwrap_or(bytes.len() - start - 1);
        at = (end + 1).min(bytes.len());
        let inner = &bytes[start + 1..end.min(bytes.len())];
        if inner.starts_with(b"!--") || inner.starts_with(b"?") {
            continue;
        }
        let closing = inner.starts_with(b"/");
        let unslashed = if closing { &inner[1..] } else { inner };
        let name_len = unslashed
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric() || **b == b'!' || **b == b'-')
            .count();
        if name_len == 0 {
            continue;
        }
        let name = &unslashed[..name_len];
        let nests = !NOT_NESTING
            .iter()
            .any(|n| n.as_bytes().eq_ignore_ascii_case(name))
            && !inner.ends_with(b"/");
        return Some(Tag {
            start,
            end: at,
            closing,
            nests,
        });
    })
}

/// Drops start tags that would nest deeper than `max_depth`, and the end tags that match them.
pub fn limit_nesting(html: &str, max_depth: usize) -> Cow<'_, str> {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for tag in tags(html).filter(|t| t.nests) {
        if tag.closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    if deepest <= max_depth {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    let (mut depth, mut suppressed) = (0usize, 0usize);
    for tag in tags(html).filter(|t| t.nests) {
        let drop = if tag.closing {
            if suppressed > 0 {
                suppressed -= 1;
                true
            } else {
                depth = depth.saturating_sub(1);
                false
            }
        } else if depth >= max_depth {
            suppressed += 1;
            true
        } else {
            depth += 1;
            false
        };
        if drop {
            out.push_str(&html[copied..tag.start]);
            copied = tag.end;
        }
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_and_style_bodies_are_emptied() {
        let html = "<head><STYLE type=text/css>p > a { }</STYLE><script>var s = '<p>x</p>';\
                    </script ></head><body><p>kept</p><script src=a.js></script></body>";
        assert_eq!(
            empty_scripts_and_styles(html),
            "<head><STYLE type=text/css></STYLE><script></script ></head><body><p>kept</p>\
             <script src=a.js></script></body>"
        );
    }

    #[test]
    fn text_that_only_looks_like_a_script_is_kept() {
        for html in [
            "<!-- <script> --><p>one</p><script>x</script>",
            "<title><script></title><p>two</p></script>",
            "<textarea><style></textarea><p>three</p></style>",
            "<a title='>'<script>'>four</a></script>",
            "<svg><style/></svg><p>five</p><style>s</style>",
        ] {
            let texts = |html: &str| -> Vec<String> {
                crate::segment::segment(&Html::parse_document(html))
                    .blocks
                    .into_iter()
                    .map(|b| b.text)
                    .collect()
            };
            let emptied = empty_scripts_and_styles(html);
            assert_eq!(texts(&emptied), texts(html), "{html} became {emptied}");
        }
    }

    #[test]
    fn scripts_the_scanner_cannot_follow_are_left_alone() {
        for html in [
            "<script><!-- document.write('<script></script>') --></script><p>a</p>",
            "<script>never closed <p>b</p>",
            "<p title=\"never closed><script>x</script>",
            "<plaintext><script>x</script>",
        ] {
            assert_eq!(empty_scripts_and_styles(html), html);
        }
    }

    #[test]
    fn ordinary_pages_pass_through_untouched() {
        let html = "<html><body><div><p>Hi <br> there<img src=x></p></div></body></html>";
        assert!(matches!(limit_nesting(html, 4), Cow::Borrowed(_)));
    }

    #[test]
    fn deep_nesting_is_flattened_and_text_kept() {
        let html = format!(
            "{}<p>deep text</p>{}",
            "<div>".repeat(1000),
            "</div>".repeat(1000)
        );
        let limited = limit_nesting(&html, 10);
        assert_eq!(limited.matches("<div>").count(), 10);
        assert_eq!(limited.matches("</div>").count(), 10);
        assert!(limited.contains("deep text"));
    }
}
