//! Stage 2 — text to DOM, with `scraper` (html5ever).
//!
//! Two passes over the raw text come first:
//!
//! 1. [`slim_markup`] drops what no later stage reads before html5ever has to tokenize it:
//!    the bodies of `<script>` and `<style>` elements (40% of the bytes of a typical news
//!    page), comments, and the attributes that neither gleaner nor the tree builder looks at
//!    (`src`, `srcset`, `data-*`, inline handlers, …; most of what is left of a page is
//!    start tags). Its scanner follows the tokenizer's rules for comments, quoted attribute
//!    values and raw-text elements, and leaves anything it cannot follow to html5ever.
//! 2. [`limit_nesting`]: html5ever checks element scopes by walking the stack of open
//!    elements, so a page nested 100,000 levels deep costs time quadratic in its depth
//!    (minutes). Markup nested deeper than [`MAX_DEPTH`] is flattened: the surplus start tags
//!    and their end tags are dropped and their text is kept. Real pages are far shallower, and
//!    for them the text passes through untouched.

use std::borrow::Cow;

use scraper::Html;

/// Element nesting beyond this is flattened.
pub const MAX_DEPTH: usize = 512;

/// Parses a document, slimming its markup and flattening pathological nesting first.
pub fn parse_document(html: &str) -> Html {
    parse_document_with(html, false)
}

/// [`parse_document`]; with `for_output`, slimming also keeps the attributes the Markdown and
/// HTML renderings read ([`OUTPUT_ATTRIBUTES`]). The tree of elements and text is the same
/// either way: only attribute values differ.
pub fn parse_document_with(html: &str, for_output: bool) -> Html {
    let (slim, depth) = slim_and_measure(html, for_output);
    if depth > MAX_DEPTH {
        Html::parse_document(&limit_nesting(&slim, MAX_DEPTH))
    } else {
        Html::parse_document(&slim)
    }
}

/// Rewrites a page into the markup the later stages need, which parses to the same tree of
/// elements and text up to blank text that cannot reach a block: script and style bodies
/// emptied, comments dropped, whitespace dropped next to a start tag that always opens a block
/// (outside `<pre>`, and only while no formatting element may be open), and start tags
/// keeping only the attributes that gleaner reads (`class`, `id`, `role`, `style`, `hidden`,
/// `aria-hidden`, `data-gleaner-label`, `href` — as a bare name, or as [`STORY_HREF`] when it
/// leads to another story —, `lang` on `<html>`,
/// `property`/`name`/`content` on `<meta>`, and for [metadata](crate::metadata) `itemprop`,
/// `content`, `datetime` on `<time>` and `rel` on `<a>`) or that change how html5ever builds the tree
/// (`type` on `<input>`, `color`/`face`/`size` on `<font>`, `encoding` on `<annotation-xml>`).
///
/// The scan skips quoted attribute values and the contents of the other elements whose text
/// is not markup (`title`, `textarea`, `noscript`, …), so a `<script` inside them is not
/// mistaken for a tag. A script holding `<!--` (whose end the tokenizer finds by escaping
/// rules) and a self-closing `<script/>` (raw text in HTML, empty in SVG) keep their bodies;
/// everything after a tag or comment that never closes is left as it is.
///
/// ```
/// use gleaner::parse::slim_markup;
/// let html = r#"<p class=lead title="<script>">a</p><script>if (a < b) {}</script><!-- x -->
/// <a href="/story" onclick="go()"><img src=a.jpg alt=""/>b</a>"#;
/// assert_eq!(
///     slim_markup(html),
///     "<p class=lead>a</p><script></script>\n<a href><img/>b</a>"
/// );
/// ```
pub fn slim_markup(html: &str) -> String {
    slim_and_measure(html, false).0
}

/// Attributes kept for the structured renderings (`tag`, `attribute`): link targets (and the
/// page's `<base href>`), image sources and text, and table cell spans.
pub const OUTPUT_ATTRIBUTES: &[(&str, &str)] = &[
    ("a", "href"),
    ("base", "href"),
    ("img", "src"),
    ("img", "data-src"),
    ("img", "alt"),
    ("td", "colspan"),
    ("td", "rowspan"),
    ("th", "colspan"),
    ("th", "rowspan"),
];

/// [`slim_markup`], and the deepest nesting of its tags as [`limit_nesting`] estimates it,
/// found in the same scan so that ordinary pages need no second one.
fn slim_and_measure(html: &str, for_output: bool) -> (String, usize) {
    let bytes = html.as_bytes();
    let mut out = String::with_capacity(html.len() / 2);
    let (mut depth, mut deepest) = (0usize, 0usize);
    // Everything before `copied` is in `out` or deliberately left out of it.
    let mut copied = 0;
    let mut at = 0;
    // Whitespace between two tags is dropped when one of them starts or ends a block (it
    // could only ever be the blank edge of a block), outside `<pre>`.
    let mut last_tag = LastTag::default();
    let mut kept_attributes: Vec<KeptAttribute> = Vec::new();
    let skip_blank_run = |copied: &mut usize, start: usize, last: &LastTag, this_block: bool| {
        if *copied == last.end
            && last.pre_depth == 0
            && last.formatting_open == 0
            && (last.block || this_block)
            && bytes[*copied..start].iter().all(u8::is_ascii_whitespace)
        {
            *copied = start;
        }
    };
    while let Some(found) = memchr::memchr(b'<', &bytes[at..]) {
        let start = at + found;
        let rest = &bytes[start + 1..];
        if rest.starts_with(b"!--") {
            let Some(end) = comment_end(bytes, start + 4) else {
                break;
            };
            skip_blank_run(&mut copied, start, &last_tag, false);
            // A comment right after a tag is transparent: that tag still counts as the last.
            let right_after_tag = copied == start && last_tag.end <= start;
            out.push_str(&html[copied..start]);
            copied = end;
            at = end;
            last_tag.end = end;
            if !right_after_tag {
                last_tag.block = false;
            }
            continue;
        }
        match rest.first() {
            Some(b'!' | b'?') => {
                // Doctype or bogus comment: kept as it is (the doctype sets quirks mode).
                match memchr::memchr(b'>', rest) {
                    Some(end) => at = start + 1 + end + 1,
                    None => break,
                }
            }
            Some(b'/') if rest.get(1).is_some_and(u8::is_ascii_alphabetic) => {
                let name_end = tag_name_end(bytes, start + 2);
                let Some(tag) = scan_attributes(bytes, name_end, |_, _, _| {}) else {
                    break;
                };
                let lower = LowerName::of(&bytes[start + 2..name_end]);
                let name = lower.as_bytes();
                // An end tag may close nothing (a stray `</div>`), so it is never taken for
                // a block boundary.
                skip_blank_run(&mut copied, start, &last_tag, false);
                if nests(name) {
                    depth = depth.saturating_sub(1);
                }
                // End tags carry no attributes the tree builder reads.
                out.push_str(&html[copied..name_end]);
                out.push('>');
                copied = tag.end;
                at = tag.end;
                last_tag = LastTag {
                    end: tag.end,
                    block: false,
                    pre_depth: last_tag.pre_depth.saturating_sub(u32::from(is_pre(name))),
                    formatting_open: last_tag
                        .formatting_open
                        .saturating_sub(u32::from(is_formatting(name))),
                };
            }
            Some(c) if c.is_ascii_alphabetic() => {
                let name_end = tag_name_end(bytes, start + 1);
                let lower = LowerName::of(&bytes[start + 1..name_end]);
                let name = lower.as_bytes();
                kept_attributes.clear();
                let mut may_hide = false;
                let mut structured_data = false;
                // Inline styles are read only for hiding (`display: none`, `visibility:
                // hidden`), and long ones are common: one that cannot hide is left out, unless
                // the tag has another `style` (the tree builder keeps the first of them).
                let (mut styles, mut idle_style) = (0, None);
                // A `<link>`'s address is read only when the link names the page's canonical
                // URL; stylesheet, icon and preload links carry long ones.
                let (mut link_href, mut may_be_canonical) = (None, false);
                let Some(tag) = scan_attributes(bytes, name_end, |name_at, name_len, end| {
                    let lower_attribute = LowerName::of(&bytes[name_at..name_at + name_len]);
                    let attribute = lower_attribute.as_bytes();
                    may_hide |= matches!(attribute, b"hidden" | b"aria-hidden" | b"style");
                    structured_data |= attribute == b"type"
                        && bytes[name_at + name_len..end]
                            .windows(7)
                            .any(|w| w.eq_ignore_ascii_case(b"ld+json"));
                    let used = if for_output
                        && OUTPUT_ATTRIBUTES
                            .iter()
                            .any(|(t, a)| name == t.as_bytes() && attribute == a.as_bytes())
                    {
                        AttributeUse::Value
                    } else {
                        attribute_use(name, attribute)
                    };
                    let span = match used {
                        AttributeUse::Value => name_at..end,
                        AttributeUse::Presence => name_at..name_at + name_len,
                        AttributeUse::None => return,
                    };
                    let story = matches!(used, AttributeUse::Presence)
                        && attribute == b"href"
                        && name == b"a"
                        && crate::segment::is_story_url(attribute_value(
                            html,
                            name_at + name_len,
                            end,
                        ));
                    if !for_output && name == b"link" {
                        if attribute == b"rel" {
                            let rel = attribute_value(html, name_at + name_len, end);
                            may_be_canonical |= rel.contains('&')
                                || rel
                                    .as_bytes()
                                    .windows(9)
                                    .any(|w| w.eq_ignore_ascii_case(b"canonical"));
                        } else if attribute == b"href" {
                            link_href.get_or_insert(kept_attributes.len());
                        }
                    }
                    if attribute == b"style" {
                        styles += 1;
                        if !for_output
                            && !style_may_hide(attribute_value(html, name_at + name_len, end))
                        {
                            idle_style = Some(kept_attributes.len());
                        }
                    }
                    kept_attributes.push(if story {
                        KeptAttribute::StoryHref
                    } else {
                        KeptAttribute::Span(span)
                    });
                }) else {
                    // A tag that never ends: html5ever drops it; so does keeping it as it is.
                    break;
                };
                let mut left_out = [
                    idle_style.filter(|_| styles == 1),
                    link_href.filter(|_| !may_be_canonical),
                ];
                left_out.sort_unstable_by(|a, b| b.cmp(a));
                for at in left_out.into_iter().flatten() {
                    kept_attributes.remove(at);
                }
                let boundary = !may_hide && always_opens_a_block(name);
                skip_blank_run(&mut copied, start, &last_tag, boundary);
                out.push_str(&html[copied..name_end]);
                for kept in &kept_attributes {
                    out.push(' ');
                    match kept {
                        KeptAttribute::Span(range) => out.push_str(&html[range.clone()]),
                        KeptAttribute::StoryHref => {
                            out.push_str("href=\"");
                            out.push_str(STORY_HREF);
                            out.push('"');
                        }
                    }
                }
                out.push_str(if tag.self_closing { "/>" } else { ">" });
                copied = tag.end;
                at = tag.end;
                last_tag = LastTag {
                    end: tag.end,
                    block: boundary,
                    pre_depth: last_tag.pre_depth + u32::from(is_pre(name)),
                    formatting_open: last_tag.formatting_open + u32::from(is_formatting(name)),
                };
                if !tag.self_closing && nests(name) {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                let raw_text = RAW_TEXT.iter().find(|(raw, _)| name == raw.as_bytes());
                if let Some(&(raw, emptied)) = raw_text {
                    let Some(body_end) = find_end_tag(bytes, tag.end, raw) else {
                        break;
                    };
                    let body = &bytes[tag.end..body_end];
                    // JSON-LD is the page's structured data (its type, for one): kept.
                    if emptied
                        && !structured_data
                        && !tag.self_closing
                        && memchr::memmem::find(body, b"<!--").is_none()
                    {
                        copied = body_end;
                    }
                    at = body_end;
                }
            }
            _ => at = start + 1,
        }
    }
    out.push_str(&html[copied..]);
    if at < bytes.len() && copied < bytes.len() {
        // The scan stopped early (a tag or comment that never closes): measure the rest
        // the slow way.
        deepest = deepest.max(depth + estimated_depth(&html[copied..]));
    }
    (out, deepest)
}

/// The last tag the scan rewrote: where it ended, whether it starts or ends a block, how many
/// `<pre>` elements are open, and how many formatting elements were opened and not closed.
///
/// The last matters because html5ever re-opens unclosed formatting elements (`<b>`, `<font>`,
/// …) at the next character it inserts, whitespace included: while any may be open, dropping
/// whitespace could move where that happens, so none is dropped.
#[derive(Default)]
struct LastTag {
    end: usize,
    block: bool,
    pre_depth: u32,
    formatting_open: u32,
}

/// A tag or attribute name lowercased on the stack, as the tokenizer reads names, so that the
/// lists of names below are matched exactly rather than each ignoring case (which cost a fifth
/// of the scan). A name longer than [`LowerName::CAPACITY`] is kept as written: no name on
/// any list is that long, so it matches none, lowercase or not.
struct LowerName<'a> {
    buffer: [u8; LowerName::CAPACITY],
    len: usize,
    long: &'a [u8],
}

impl<'a> LowerName<'a> {
    const CAPACITY: usize = 24;

    fn of(name: &'a [u8]) -> LowerName<'a> {
        let mut lower = LowerName {
            buffer: [0; Self::CAPACITY],
            len: 0,
            long: name,
        };
        if let Some(buffer) = lower.buffer.get_mut(..name.len()) {
            buffer.copy_from_slice(name);
            buffer.make_ascii_lowercase();
            lower.len = name.len();
        }
        lower
    }

    fn as_bytes(&self) -> &[u8] {
        if self.len == 0 && !self.long.is_empty() {
            self.long
        } else {
            &self.buffer[..self.len]
        }
    }
}

/// The elements the tree builder keeps in its list of active formatting elements.
fn is_formatting(lower_name: &[u8]) -> bool {
    matches!(
        lower_name,
        b"a" | b"b"
            | b"big"
            | b"code"
            | b"em"
            | b"font"
            | b"i"
            | b"nobr"
            | b"s"
            | b"small"
            | b"strike"
            | b"strong"
            | b"tt"
            | b"u"
    )
}

/// Start tags that always open a block-level element wherever they appear in a body (in
/// table context they are foster-parented, in SVG they break out of it), so that the
/// segmenter always starts a new block there. `<td>`, `<tr>` (ignored outside tables),
/// `<form>` (ignored inside a form) and `<body>` (merged) are not among them.
fn always_opens_a_block(lower_name: &[u8]) -> bool {
    matches!(
        lower_name,
        b"address"
            | b"article"
            | b"aside"
            | b"blockquote"
            | b"center"
            | b"details"
            | b"dialog"
            | b"dir"
            | b"div"
            | b"dl"
            | b"fieldset"
            | b"figcaption"
            | b"figure"
            | b"footer"
            | b"header"
            | b"hgroup"
            | b"main"
            | b"menu"
            | b"nav"
            | b"ol"
            | b"p"
            | b"section"
            | b"summary"
            | b"ul"
            | b"h1"
            | b"h2"
            | b"h3"
            | b"h4"
            | b"h5"
            | b"h6"
            | b"li"
            | b"dd"
            | b"dt"
            | b"hr"
            | b"table"
            | b"pre"
            | b"listing"
    )
}

/// Elements inside which whitespace is text.
fn is_pre(lower_name: &[u8]) -> bool {
    matches!(lower_name, b"pre" | b"listing")
}

/// Where a comment whose body starts at `body` ends (just past it): at the first `-->`, or at
/// once for `<!-->` and `<!--->`.
fn comment_end(bytes: &[u8], body: usize) -> Option<usize> {
    if bytes[body..].starts_with(b">") {
        Some(body + 1)
    } else if bytes[body..].starts_with(b"->") {
        Some(body + 2)
    } else {
        memchr::memmem::find(&bytes[body..], b"-->").map(|end| body + end + 3)
    }
}

/// A tag name runs from its first letter to whitespace, `/` or `>`.
fn tag_name_end(bytes: &[u8], from: usize) -> usize {
    from + bytes[from..]
        .iter()
        .take_while(|&&b| !(b.is_ascii_whitespace() || b == b'/' || b == b'>'))
        .count()
}

/// What slimming writes for a link whose address [`crate::segment::is_story_url`] takes for
/// another story's page, in place of the address: an address that test takes too. Outside the
/// structured renderings a link's address is not kept (parsing it costs time), but whether it
/// leads to a story is a feature of the block, and must read the same in every output format.
pub const STORY_HREF: &str = "/s/00000";

/// An attribute as slimming writes it back: a span of the page's markup, or a story link's
/// address replaced by [`STORY_HREF`].
enum KeptAttribute {
    Span(std::ops::Range<usize>),
    StoryHref,
}

/// The value of the attribute whose `=value` part (possibly empty, possibly quoted, with
/// blanks around the `=`) is `html[from..end]`.
fn attribute_value(html: &str, from: usize, end: usize) -> &str {
    let rest = html[from..end].trim_start();
    let Some(value) = rest.strip_prefix('=') else {
        return "";
    };
    let value = value.trim_start();
    match value.as_bytes().first() {
        Some(&quote @ (b'"' | b'\'')) => value[1..]
            .strip_suffix(quote as char)
            .unwrap_or(&value[1..]),
        _ => value,
    }
}

/// Whether an inline style could hide its element, read as the segmenter reads it (which
/// looks for `display:none` or `visibility:hidden`): it names `none` or `hidden` in any case,
/// or holds a character reference that could spell either.
fn style_may_hide(style: &str) -> bool {
    let mentions = |word: &[u8]| {
        style
            .as_bytes()
            .windows(word.len())
            .any(|w| w.eq_ignore_ascii_case(word))
    };
    style.contains('&') || mentions(b"none") || mentions(b"hidden")
}

/// What gleaner or the tree builder does with an attribute.
enum AttributeUse {
    /// Its value is read.
    Value,
    /// Only whether it is there matters.
    Presence,
    None,
}

fn attribute_use(lower_tag: &[u8], lower_attribute: &[u8]) -> AttributeUse {
    let is = |name: &str| lower_attribute == name.as_bytes();
    let on = |name: &str| lower_tag == name.as_bytes();
    if is("href") && !on("link") {
        AttributeUse::Presence
    } else if [
        "class",
        "id",
        "role",
        "style",
        "hidden",
        "aria-hidden",
        "data-gleaner-label",
    ]
    .iter()
    .any(|name| is(name))
        || (on("html") && is("lang"))
        || (on("meta") && (is("property") || is("name") || is("content")))
        // The page's own URL (`<link rel=canonical>`), its structured data's type (`type` of
        // a JSON-LD script) and microdata types say what kind of page it is.
        || (on("link") && (is("rel") || is("href")))
        || (on("script") && is("type"))
        || is("itemtype")
        // Metadata: microdata properties and their values, `<time datetime>`, `rel=author`.
        || is("itemprop")
        || is("content")
        || (on("time") && is("datetime"))
        || (on("a") && is("rel"))
        || (on("input") && is("type"))
        || (on("font") && (is("color") || is("face") || is("size")))
        || (on("annotation-xml") && is("encoding"))
    {
        AttributeUse::Value
    } else {
        AttributeUse::None
    }
}

/// The end of a tag whose name ends at `from`.
struct TagEnd {
    /// Just past the `>`.
    end: usize,
    self_closing: bool,
}

/// Reads the attributes of a tag as the tokenizer does, calling `attribute(name_start,
/// name_len, end)` for each (the attribute's text is `name_start..end`, value included), and
/// returns where the tag ends; `None` when it never does.
fn scan_attributes(
    bytes: &[u8],
    from: usize,
    mut attribute: impl FnMut(usize, usize, usize),
) -> Option<TagEnd> {
    let mut at = from;
    let skip_space = |at: &mut usize| {
        while bytes.get(*at).is_some_and(u8::is_ascii_whitespace) {
            *at += 1;
        }
    };
    loop {
        skip_space(&mut at);
        match *bytes.get(at)? {
            b'>' => {
                return Some(TagEnd {
                    end: at + 1,
                    self_closing: false,
                })
            }
            b'/' => {
                if bytes.get(at + 1) == Some(&b'>') {
                    return Some(TagEnd {
                        end: at + 2,
                        self_closing: true,
                    });
                }
                at += 1;
                continue;
            }
            _ => {}
        }
        // The name: a leading `=` belongs to it; it ends at whitespace, `/`, `>` or `=`.
        let name_start = at;
        at += 1;
        while bytes
            .get(at)
            .is_some_and(|&b| !(b.is_ascii_whitespace() || b == b'/' || b == b'>' || b == b'='))
        {
            at += 1;
        }
        let name_len = at - name_start;
        let mut end = at;
        skip_space(&mut at);
        if bytes.get(at) == Some(&b'=') {
            at += 1;
            skip_space(&mut at);
            match *bytes.get(at)? {
                quote @ (b'"' | b'\'') => {
                    at += 1 + memchr::memchr(quote, &bytes[at + 1..])? + 1;
                }
                b'>' => {}
                _ => {
                    while bytes
                        .get(at)
                        .is_some_and(|&b| !(b.is_ascii_whitespace() || b == b'>'))
                    {
                        at += 1;
                    }
                }
            }
            end = at;
        }
        attribute(name_start, name_len, end);
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

/// Whether a tag adds a level to the depth estimate.
fn nests(lower_name: &[u8]) -> bool {
    !NOT_NESTING.iter().any(|n| n.as_bytes() == lower_name)
}

/// The deepest nesting [`limit_nesting`] would find.
fn estimated_depth(html: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for tag in tags(html).filter(|t| t.nests) {
        if tag.closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

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
    if estimated_depth(html) <= max_depth {
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
    use crate::segment::{segment, segment_with, Block, Inline, InlineKind};

    #[test]
    fn script_and_style_bodies_are_emptied() {
        let html = "<head><STYLE type=text/css>p > a { }</STYLE><script>var s = '<p>x</p>';\
                    </script ></head><body><p>kept</p><script src=a.js></script></body>";
        assert_eq!(
            slim_markup(html),
            "<head><STYLE></STYLE><script></script></head><body><p>kept</p>\
             <script></script></body>"
        );
    }

    #[test]
    fn story_links_stay_story_links_without_their_address() {
        assert!(crate::segment::is_story_url(STORY_HREF));
        let html = r#"<p><a class=x href = "/news/council-approves-harbour-bridge-rebuild-4187">Bridge</a>
            <a href='/news/'>News</a> <a href=/2012/03/14/council-approves-harbour-bridge/>B</a>
            <a href>none</a></p>"#;
        assert_eq!(
            slim_markup(html),
            "<p><a class=x href=\"/s/00000\">Bridge</a>\n            <a href>News</a> \
             <a href=\"/s/00000\">B</a>\n            <a href>none</a></p>"
        );
        // Parsed for text or for the structured renderings (which keep the addresses), a
        // block counts the same story links.
        let story_links = |for_output: bool| -> Vec<u16> {
            crate::segment::segment(&parse_document_with(html, for_output))
                .blocks
                .iter()
                .map(|b| b.story_links)
                .collect()
        };
        assert_eq!(story_links(false), [2]);
        assert_eq!(story_links(true), story_links(false));
    }

    /// The block texts the segmenter finds in a page.
    fn texts(html: &str) -> Vec<String> {
        crate::segment::segment(&Html::parse_document(html))
            .blocks
            .into_iter()
            .map(|b| b.text)
            .collect()
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
            let emptied = slim_markup(html);
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
            assert_eq!(slim_markup(html), html);
        }
    }

    #[test]
    fn attributes_the_stages_read_are_kept_and_others_dropped() {
        let html = "<!DOCTYPE html><html lang=de data-x=1><head><meta property='og:title' \
                    content=\"A > B\" data-y><meta charset=utf-8></head><body onload=go()>\
                    <div class=\"a b\" id=main role=main style='display:none' hidden \
                    aria-hidden=true data-gleaner-label=teaser data-src=x>t</div>\
                    <a href='/x' target=_blank>l</a><input type=hidden name=q><br/>\
                    <font color=red size=2>f</font><svg viewBox='0 0 1 1'><path d='M0'/></svg>";
        assert_eq!(
            slim_markup(html),
            "<!DOCTYPE html><html lang=de><head><meta property='og:title' content=\"A > B\">\
             <meta></head><body><div class=\"a b\" id=main role=main style='display:none' \
             hidden aria-hidden=true data-gleaner-label=teaser>t</div><a href>l</a>\
             <input type=hidden><br/><font color=red size=2>f</font><svg><path/></svg>"
        );
    }

    #[test]
    fn styles_that_cannot_hide_and_addresses_of_other_links_are_left_out() {
        let html = "<head><link rel=stylesheet href=/site.css><link href='/a' REL=Canonical>\
                    <link rel=icon href=/i.png></head><body><div style='color: red'>a</div>\
                    <div style='DISPLAY: None'>b</div><div style='margin:0' style=display:none>\
                    c</div><p style='content:\"&#110;one\"'>d</p>";
        assert_eq!(
            slim_markup(html),
            "<head><link rel=stylesheet><link href='/a' REL=Canonical><link rel=icon></head>\
             <body><div>a</div><div style='DISPLAY: None'>b</div>\
             <div style='margin:0' style=display:none>c</div>\
             <p style='content:\"&#110;one\"'>d</p>"
        );
        // The segmenter reads the same blocks (the first of two styles counts, and it shows
        // "c") and the page's own address.
        let page = crate::segment::segment(&parse_document(html));
        let texts: Vec<&str> = page.blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, ["a", "c", "d"]);
        assert_eq!(page.canonical_url.as_deref(), Some("/a"));
    }

    #[test]
    fn blank_runs_go_only_where_they_cannot_join_words() {
        // Next to a block's start tag the blank run goes; after an end tag, which may close
        // nothing, it stays.
        assert_eq!(
            slim_markup("<div>\n  <p>x</p>\n  <p>y</p>\n</div>"),
            "<div><p>x</p><p>y</p>\n</div>"
        );
        for html in [
            "<span>a</span></div>\n<span>b</span>",
            "a\n<div hidden>x</div>\nb",
            "<b>bold<p>one</b>\n<div>two</div>",
            "<pre>\n  <div>x</div>\n  y</pre>",
            "<font color=red>a</font>\n<span>b</span>\n<div>c</div>",
            "a<!-- c -->\n<div>b</div>",
        ] {
            let slim = slim_markup(html);
            assert_eq!(texts(&slim), texts(html), "{html} became {slim}");
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

    #[test]
    fn the_page_url_type_and_structured_data_are_read() {
        let html = r#"<html><head>
            <meta property="og:url" content="https://example.org/og">
            <link rel="stylesheet" href="/a.css"><link rel="canonical" href="https://example.org/p/1">
            <meta property="og:type" content="Article">
            <script type="application/ld+json">{"@type": "NewsArticle"}</script>
            <script>var x = 1;</script></head><body><p>Text</p></body></html>"#;
        let page = segment(&parse_document(html));
        assert_eq!(
            page.canonical_url.as_deref(),
            Some("https://example.org/p/1")
        );
        assert_eq!(page.og_type.as_deref(), Some("article"));
        assert_eq!(page.json_ld, [r#"{"@type": "NewsArticle"}"#]);
        let page = segment(&parse_document(
            r#"<meta property="og:url" content="https://example.org/og"><p>x</p>"#,
        ));
        assert_eq!(
            page.canonical_url.as_deref(),
            Some("https://example.org/og")
        );
    }

    #[test]
    fn deeply_nested_pages_do_not_overflow() {
        // Deeper than any recursion could survive in a debug build's thread stack.
        let depth = 20_000;
        let html = format!(
            "{}<p>deep</p>{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let b = segment(&Html::parse_document(&html)).blocks;
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].text, "deep");
        // The real pipeline flattens far deeper pages before html5ever sees them.
        let depth = 100_000;
        let html = format!(
            "{}<p>deep</p>{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let page = segment(&parse_document(&html));
        assert_eq!(page.blocks.len(), 1);
    }

    fn structured(html: &str) -> Vec<Block> {
        segment_with(&parse_document_with(html, true), true).blocks
    }

    #[test]
    fn structure_is_recorded_without_changing_the_blocks() {
        let html = r#"<article><h2>Steps</h2><ol><li>Mix <code>a_b</code> well</li>
            <li>Bake<ul><li>at <a href="/t">200 °C</a></li></ul></li></ol>
            <table><tr><th>Name</th><th colspan=2>Size</th></tr><tr><td></td><td>b</td></tr></table>
            <pre class="lang-py"><code>x = 1
y = 2</code></pre><blockquote><p>Said <br> twice</p></blockquote></article>"#;
        let plain = segment(&parse_document(html)).blocks;
        let with = structured(html);
        let strip = |b: &[Block]| -> Vec<Block> {
            b.iter()
                .map(|b| Block {
                    structure: None,
                    ..b.clone()
                })
                .collect()
        };
        assert_eq!(strip(&with), plain);
        assert!(plain.iter().all(|b| b.structure.is_none()));
        let s = |text: &str| {
            with.iter()
                .find(|b| b.text == text)
                .unwrap_or_else(|| panic!("no block {text:?}"))
                .structure
                .clone()
                .unwrap()
        };
        let mix = s("Mix a_b well");
        assert_eq!((mix.list_depth, mix.ordered), (1, true));
        assert_eq!(
            mix.inline,
            [Inline {
                start: 4,
                end: 7,
                kind: InlineKind::Code
            }]
        );
        let nested = s("at 200 °C");
        assert_eq!((nested.list_depth, nested.ordered), (2, false));
        assert_eq!(nested.inline[0].kind, InlineKind::Link("/t".into()));
        assert_eq!((nested.inline[0].start, nested.inline[0].end), (3, 10));
        let size = s("Size").table.unwrap();
        assert!(size.header);
        assert_eq!((size.column, size.colspan), (1, 2));
        let b = s("b").table.unwrap();
        assert_eq!((b.column, b.header), (1, false));
        let code = s("x = 1\ny = 2");
        assert_eq!(code.code_language.as_deref(), Some("py"));
        let quote = s("Said twice");
        assert_eq!(quote.quote_depth, 1);
        assert_eq!(quote.inline[0].kind, InlineKind::LineBreak);
        assert_eq!(quote.inline[0].start, 4);
    }
}
