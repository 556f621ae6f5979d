//! Stage 2 — text to DOM, with `scraper` (html5ever).
//!
//! One guard comes first: html5ever checks element scopes by walking the stack of open
//! elements, so a page nested 100,000 levels deep costs time quadratic in its depth (minutes).
//! Markup nested deeper than [`MAX_DEPTH`] is flattened before parsing: the surplus start tags
//! and their end tags are dropped and their text is kept. Real pages are far shallower, and
//! for them the text passes through untouched.

use std::borrow::Cow;

use scraper::Html;

/// Element nesting beyond this is flattened.
pub const MAX_DEPTH: usize = 512;

/// Parses a document, flattening pathological nesting first.
pub fn parse_document(html: &str) -> Html {
    Html::parse_document(&limit_nesting(html, MAX_DEPTH))
}

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track", "wbr", "!doctype",
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
        let start = at + memchr(b'<', &bytes[at..])?;
        let end = start + 1 + memchr(b'>', &bytes[start + 1..]).unwrap_or(bytes.len() - start - 1);
        at = (end + 1).min(bytes.len());
        let inner = &html[start + 1..end.min(html.len())];
        if inner.starts_with("!--") || inner.starts_with('?') {
            continue;
        }
        let closing = inner.starts_with('/');
        let name: String = inner
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '!' || *c == '-')
            .flat_map(|c| c.to_lowercase())
            .collect();
        if name.is_empty() {
            continue;
        }
        let nests = !VOID.contains(&name.as_str()) && !inner.ends_with('/');
        return Some(Tag {
            start,
            end: at,
            closing,
            nests,
        });
    })
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
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
