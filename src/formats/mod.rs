//! Structured output: the kept blocks as Markdown ([`markdown`]) or as minimal clean HTML
//! ([`html`]), beside the plain text of [`Extraction::text`].
//!
//! ## Types and data flow
//!
//! ```text
//! segment_with(structure) ─▶ Block.structure ─decide─▶ Extraction ─outline─▶ Vec<Node> ─┬▶ markdown
//!                                                                                        └▶ html
//! ```
//!
//! - [`Output`] says which [`Format`] to write and whether to write links and images; the
//!   [`Extractor`](crate::Extractor) takes it ([`Extractor::output`](crate::Extractor::output))
//!   so that segmentation records each block's [`Structure`] (list
//!   item, table cell, `<pre>`, quote depth, links, inline code, line breaks, images). The
//!   blocks, their text and their scores are the same whatever the format.
//! - [`outline`] walks the blocks the text keeps ([`Extraction::keeps`]), in page order, and
//!   groups them into [`Node`]s: headings, paragraphs, list items, code blocks (the blocks of
//!   one `<pre>`), tables (the blocks of one data table's cells, laid on a grid by [`Grid`]) and
//!   figures. Tables that only lay out the page (a cell holding headings, lists, code or
//!   another table) are read as their blocks.
//! - [`markdown`] and [`html`] write the nodes; both write every kept block's words once, and
//!   no others (link targets, image alt text and code languages aside).
//! - [`resolve_url`] makes link and image URLs absolute against `<base href>` and the page URL.
//!
//! ## Example
//!
//! ```
//! use gleaner::formats::{Format, Output};
//! let extractor = gleaner::Extractor::with_default_model()
//!     .unwrap()
//!     .output(Output { format: Format::Markdown, links: true, images: false });
//! let html = r#"<html><body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
//!   <article><h1>Harbour reopens after storm repairs</h1>
//!   <p>The harbour reopened on Monday after three months of repairs to the sea wall, which was
//!   badly damaged in the January storms, the <a href="/port">port authority</a> said.</p>
//!   <h2>What changes for the ferries</h2>
//!   <p>The ferry to the islands will resume its full timetable next week, and the operator
//!   listed the crossings that return first for the weekend travellers:</p>
//!   <ol><li>The morning crossing to the north island.</li>
//!   <li>The evening crossing to the south island.</li></ol></article>
//!   <footer>© 2024 Coast News · Privacy · Terms</footer></body></html>"#;
//! let extraction = extractor.extract_html_from(html, Some("https://news.example/harbour"));
//! let markdown = extraction.formatted();
//! assert!(markdown.contains("# Harbour reopens after storm repairs\n"));
//! assert!(markdown.contains("## What changes for the ferries\n"));
//! assert!(markdown.contains("[port authority](https://news.example/port)"));
//! assert!(markdown.contains("1. The morning crossing to the north island.\n2. The evening"));
//! // The same blocks as the text: no navigation, no footer.
//! assert!(extraction.text().contains("The harbour reopened on Monday"));
//! assert!(!markdown.contains("Privacy") && !markdown.contains("News"));
//! ```

pub mod html;
pub mod markdown;

use std::collections::HashMap;

use crate::extract::{Extraction, ScoredBlock};
use crate::segment::{Block, Context, Image, Inline, Structure};

pub use crate::output::{Format, Output};

/// The renderings, as methods of the extraction they render. They live here, beside the
/// renderers, so that extraction never depends on rendering (the pipeline runs one way).
impl Extraction {
    /// The article as the extractor's [`Output`] asks: text, Markdown or HTML
    /// (see the [module](self)).
    pub fn formatted(&self) -> String {
        render(self, &self.output)
    }

    /// The article as Markdown, with links and images as `output` asks.
    pub fn markdown(&self, links: bool, images: bool) -> String {
        markdown::render(
            self,
            &Output {
                format: Format::Markdown,
                links,
                images,
            },
        )
    }

    /// The article as minimal clean HTML, with links and images as asked.
    pub fn html(&self, links: bool, images: bool) -> String {
        html::render(
            self,
            &Output {
                format: Format::Html,
                links,
                images,
            },
        )
    }
}

/// The extraction written as `output` asks.
pub fn render(extraction: &Extraction, output: &Output) -> String {
    match output.format {
        Format::Text => extraction.text(),
        Format::Markdown => markdown::render(extraction, output),
        Format::Html => html::render(extraction, output),
    }
}

/// One unit of the article's outline.
#[derive(Debug)]
pub enum Node<'a> {
    Heading {
        level: u8,
        block: &'a Block,
    },
    Paragraph {
        block: &'a Block,
    },
    /// A list item's block: `first` for its first kept block (which carries the marker),
    /// later blocks of the same item continue it. `number` counts the items of an ordered list.
    Item {
        depth: u8,
        ordered: bool,
        /// The list element the item is in.
        list: Option<u32>,
        number: u32,
        first: bool,
        block: &'a Block,
    },
    /// The blocks of one `<pre>`, one per line group.
    Code {
        language: Option<&'a str>,
        blocks: Vec<&'a Block>,
    },
    Table {
        grid: Grid<'a>,
    },
}

/// A node with what surrounds it.
#[derive(Debug)]
pub struct Placed<'a> {
    pub node: Node<'a>,
    /// `<blockquote>`s around it.
    pub quote_depth: u8,
    /// Images that came with its blocks (the figures before it).
    pub images: Vec<&'a Image>,
    /// The block is a figure's caption.
    pub caption: bool,
}

/// A data table laid on a grid: rows of cells, every row as wide as the widest, cells that
/// span rows or columns written once with empty cells in the places they cover.
#[derive(Debug, Default)]
pub struct Grid<'a> {
    /// Each cell: its blocks (empty for a place a span covers or a cell with no kept text).
    pub rows: Vec<Vec<Vec<&'a Block>>>,
    /// The first row is made of header cells.
    pub header: bool,
}

fn structure(block: &Block) -> Option<&Structure> {
    block.structure.as_deref()
}

/// The columns a cell covers: its `colspan`, at least 1 and at most 64 (a malformed
/// `colspan="100000"` must not widen the grid without end).
fn column_span(cell: &crate::segment::TableCell) -> usize {
    usize::from(cell.colspan.max(1)).min(64)
}

/// Columns a table keeps for its dropped cells at most: a malformed table with thousands of
/// cells in a row must not pad every kept row to that width.
const MAX_PADDED_COLUMNS: usize = 64;

/// The kept blocks of an extraction grouped into the nodes both renderings write.
pub fn outline(extraction: &Extraction) -> Vec<Placed<'_>> {
    let kept: Vec<&ScoredBlock> = extraction
        .blocks
        .iter()
        .filter(|b| extraction.keeps(b))
        .collect();
    // Tables holding other tables lay out the page.
    let parents: std::collections::HashSet<u32> = extraction
        .blocks
        .iter()
        .filter_map(|b| structure(&b.block)?.table?.parent_table)
        .collect();
    // Each table's width counting the cells the model dropped too, so that a column whose
    // every cell was dropped stays an empty column rather than vanishing from the grid.
    let mut table_widths: HashMap<u32, usize> = HashMap::new();
    for cell in extraction
        .blocks
        .iter()
        .filter_map(|b| structure(&b.block)?.table)
    {
        let end = usize::from(cell.column) + column_span(&cell);
        let width = table_widths.entry(cell.table).or_default();
        *width = (*width).max(end);
    }
    let mut seen_items: HashMap<u32, ()> = HashMap::new();
    let mut list_counts: HashMap<u32, u32> = HashMap::new();
    let mut out: Vec<Placed<'_>> = Vec::new();
    let mut i = 0;
    while i < kept.len() {
        let block = &kept[i].block;
        let s = structure(block);
        let mut images: Vec<&Image> = s.map(|s| s.images.iter().collect()).unwrap_or_default();
        let quote_depth = s.map_or(0, |s| s.quote_depth);
        let caption = block.tag == "figcaption" && block.context.contains(Context::FIGURE);
        // A run of blocks in one data table.
        if let Some(cell) = s.and_then(|s| s.table) {
            let run = kept[i..]
                .iter()
                .take_while(|b| {
                    structure(&b.block)
                        .and_then(|s| s.table)
                        .is_some_and(|c| c.table == cell.table)
                })
                .count();
            let blocks: Vec<&Block> = kept[i..i + run].iter().map(|b| &b.block).collect();
            if !parents.contains(&cell.table) && is_data_table(&blocks) {
                for b in &blocks[1..] {
                    images.extend(structure(b).into_iter().flat_map(|s| s.images.iter()));
                }
                out.push(Placed {
                    node: Node::Table {
                        grid: Grid::of(
                            &blocks,
                            table_widths
                                .get(&cell.table)
                                .map_or(0, |&w| w.min(MAX_PADDED_COLUMNS)),
                        ),
                    },
                    quote_depth,
                    images,
                    caption: false,
                });
                i += run;
                continue;
            }
        }
        if let Some(pre) = s.and_then(|s| s.pre) {
            let run = kept[i..]
                .iter()
                .take_while(|b| structure(&b.block).and_then(|s| s.pre) == Some(pre))
                .count();
            let blocks: Vec<&Block> = kept[i..i + run].iter().map(|b| &b.block).collect();
            for b in &blocks[1..] {
                images.extend(structure(b).into_iter().flat_map(|s| s.images.iter()));
            }
            out.push(Placed {
                node: Node::Code {
                    language: s.and_then(|s| s.code_language.as_deref()),
                    blocks,
                },
                quote_depth,
                images,
                caption: false,
            });
            i += run;
            continue;
        }
        let node = match s.and_then(|s| Some((s.list_item?, s))) {
            Some((item, s)) => {
                let first = seen_items.insert(item, ()).is_none();
                let number = match (first, s.list) {
                    (true, Some(list)) => {
                        let count = list_counts.entry(list).or_insert(0);
                        *count += 1;
                        *count
                    }
                    (_, Some(list)) => list_counts.get(&list).copied().unwrap_or(1),
                    _ => 1,
                };
                Node::Item {
                    depth: s.list_depth.max(1),
                    ordered: s.ordered,
                    list: s.list,
                    number,
                    first,
                    block,
                }
            }
            None if block.heading_level > 0 => Node::Heading {
                level: block.heading_level,
                block,
            },
            None => Node::Paragraph { block },
        };
        out.push(Placed {
            node,
            quote_depth,
            images,
            caption,
        });
        i += 1;
    }
    out
}

/// Whether the blocks of a table's cells read as data: no headings, list items, code or
/// several paragraphs in a cell, no cell as long as an article's paragraph, and more than
/// one cell.
fn is_data_table(blocks: &[&Block]) -> bool {
    const MAX_BLOCKS_PER_CELL: usize = 3;
    const MAX_CELL_WORDS: u32 = 80;
    let mut per_cell: HashMap<u32, (usize, u32)> = HashMap::new();
    for block in blocks {
        let Some(s) = structure(block) else {
            return false;
        };
        let Some(cell) = s.table else { return false };
        // Element indices grow in document order: an item, `<pre>` or heading opened after
        // the table is inside it.
        let inside = |index: Option<u32>| index.is_some_and(|i| i > cell.table);
        if block.heading_level > 0 || inside(s.list_item) || inside(s.pre) {
            return false;
        }
        let entry = per_cell.entry(cell.cell).or_default();
        entry.0 += 1;
        entry.1 += block.words;
        if entry.0 > MAX_BLOCKS_PER_CELL || entry.1 > MAX_CELL_WORDS {
            return false;
        }
    }
    per_cell.len() > 1
}

/// A table cell and its kept blocks.
type CellBlocks<'a> = (crate::segment::TableCell, Vec<&'a Block>);

impl<'a> Grid<'a> {
    /// Lays the blocks of one table's cells out in rows and columns, at least `min_width`
    /// columns wide (the source table's width, dropped cells included).
    fn of(blocks: &[&'a Block], min_width: usize) -> Grid<'a> {
        // Rows and cells in page order, each cell with its blocks.
        let mut rows: Vec<(u32, Vec<CellBlocks<'a>>)> = Vec::new();
        for &block in blocks {
            let Some(cell) = structure(block).and_then(|s| s.table) else {
                continue;
            };
            if rows.last().is_none_or(|(row, _)| *row != cell.row) {
                rows.push((cell.row, Vec::new()));
            }
            let cells = &mut rows.last_mut().expect("pushed").1;
            match cells.last_mut() {
                Some((last, blocks)) if last.cell == cell.cell => blocks.push(block),
                _ => cells.push((cell, vec![block])),
            }
        }
        let header = rows
            .first()
            .is_some_and(|(_, cells)| cells.iter().all(|(c, _)| c.header));
        // Columns still covered by a cell from a row above: how many rows more.
        let mut covered: Vec<u16> = Vec::new();
        let mut grid: Vec<Vec<Vec<&'a Block>>> = Vec::with_capacity(rows.len());
        for (_, cells) in rows {
            let mut row: Vec<Vec<&'a Block>> = Vec::new();
            let mut column = 0usize;
            // Places of the source row before each cell (counting empty cells).
            let mut source_column = 0u16;
            for (cell, blocks) in cells {
                // Cells of the row with no kept text leave their places empty.
                while source_column < cell.column {
                    take_place(&mut covered, &mut row, &mut column);
                    row.push(Vec::new());
                    column += 1;
                    source_column += 1;
                }
                take_place(&mut covered, &mut row, &mut column);
                let span = column_span(&cell);
                if covered.len() < column + span {
                    covered.resize(column + span, 0);
                }
                row.push(blocks);
                for place in 0..span {
                    if place > 0 {
                        row.push(Vec::new());
                    }
                    covered[column + place] = cell.rowspan.clamp(1, 1000) - 1;
                }
                column += span;
                source_column = cell.column.saturating_add(span as u16);
            }
            // Places covered from above at the end of the row.
            while column < covered.len() {
                if covered[column] > 0 {
                    covered[column] -= 1;
                }
                row.push(Vec::new());
                column += 1;
            }
            grid.push(row);
        }
        let width = grid.iter().map(Vec::len).max().unwrap_or(0).max(min_width);
        for row in &mut grid {
            row.resize(width, Vec::new());
        }
        Grid { rows: grid, header }
    }
}

/// Skips the places of a row that cells of the rows above still cover, leaving them empty.
fn take_place<T>(covered: &mut [u16], row: &mut Vec<Vec<T>>, column: &mut usize) {
    while covered.get(*column).is_some_and(|&c| c > 0) {
        row.push(Vec::new());
        covered[*column] -= 1;
        *column += 1;
    }
}

/// The page's base for relative URLs: its `<base href>` (itself made absolute against the
/// page URL), else the page URL (`url`, else the canonical URL the page states).
pub fn base_url(base_href: Option<&str>, page_url: Option<&str>) -> Option<String> {
    let page = page_url.filter(|u| scheme_of(u).is_some());
    match (base_href, page) {
        (Some(base), Some(page)) => Some(resolve_url(base, Some(page))),
        (Some(base), None) if scheme_of(base).is_some() => Some(base.to_string()),
        (_, page) => page.map(str::to_string),
    }
}

/// The scheme of an absolute URL (`https` of `https://…`).
fn scheme_of(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let valid = scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

/// `reference` made absolute against `base` (RFC 3986, section 5.2): absolute references as
/// they are, `//host/…` with the base's scheme, `/path`, `?query`, `#fragment` and relative
/// paths (with `.` and `..` segments) from the base. Without a base the reference is kept.
///
/// ```
/// use gleaner::formats::resolve_url;
/// let base = Some("https://example.org/news/2024/story.html?x=1");
/// assert_eq!(resolve_url("../img/a.jpg", base), "https://example.org/news/img/a.jpg");
/// assert_eq!(resolve_url("//cdn.example.net/a.jpg", base), "https://cdn.example.net/a.jpg");
/// assert_eq!(resolve_url("/about", base), "https://example.org/about");
/// assert_eq!(resolve_url("#top", base), "https://example.org/news/2024/story.html?x=1#top");
/// assert_eq!(resolve_url("mailto:a@example.org", base), "mailto:a@example.org");
/// assert_eq!(resolve_url("other.html", None), "other.html");
/// ```
pub fn resolve_url(reference: &str, base: Option<&str>) -> String {
    let reference = reference.trim();
    let Some(base) = base else {
        return reference.to_string();
    };
    if scheme_of(reference).is_some() {
        return reference.to_string();
    }
    let Some(scheme) = scheme_of(base) else {
        return reference.to_string();
    };
    let after_scheme = &base[scheme.len() + 1..];
    if let Some(rest) = reference.strip_prefix("//") {
        return format!("{scheme}://{rest}");
    }
    // The base's authority (with its `//`), path, and query.
    let (authority, rest) = match after_scheme.strip_prefix("//") {
        Some(tail) => {
            let end = tail.find(['/', '?', '#']).unwrap_or(tail.len());
            (&after_scheme[..end + 2], &tail[end..])
        }
        None => ("", after_scheme),
    };
    let rest = rest.split('#').next().unwrap_or("");
    let (path, query) = match rest.find('?') {
        Some(q) => (&rest[..q], &rest[q..]),
        None => (rest, ""),
    };
    let prefix = format!("{scheme}:{authority}");
    if reference.is_empty() {
        return format!("{prefix}{path}{query}");
    }
    if reference.starts_with('#') {
        return format!("{prefix}{path}{query}{reference}");
    }
    if reference.starts_with('?') {
        return format!("{prefix}{path}{reference}");
    }
    let (ref_path, ref_tail) = match reference.find(['?', '#']) {
        Some(at) => reference.split_at(at),
        None => (reference, ""),
    };
    let merged = if ref_path.starts_with('/') {
        ref_path.to_string()
    } else if !authority.is_empty() && path.is_empty() {
        format!("/{ref_path}")
    } else {
        let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
        format!("{dir}{ref_path}")
    };
    format!("{prefix}{}{ref_tail}", remove_dot_segments(&merged))
}

/// RFC 3986 `remove_dot_segments`, on a path.
fn remove_dot_segments(path: &str) -> String {
    let mut segments: Vec<&str> = Vec::new();
    let absolute = path.starts_with('/');
    let parts: Vec<&str> = path.split('/').collect();
    let last = parts.len().saturating_sub(1);
    for (i, part) in parts.iter().enumerate() {
        match *part {
            "." => {
                if i == last {
                    segments.push("");
                }
            }
            ".." => {
                if segments.len() > usize::from(absolute) {
                    segments.pop();
                }
                if i == last {
                    segments.push("");
                }
            }
            _ => segments.push(part),
        }
    }
    let joined = segments.join("/");
    if absolute && !joined.starts_with('/') {
        format!("/{joined}")
    } else {
        joined
    }
}

/// A block's text cut at its inline spans, for the renderers: plain runs and the spans that
/// open and close between them, nested as their elements were.
pub(crate) enum Piece<'a> {
    Text(&'a str),
    Open(&'a Inline),
    Close(&'a Inline),
    Break,
}

/// The pieces of a block's text in order. Spans that would cross another are dropped, as
/// are links when `links` is off.
pub(crate) fn pieces<'a>(block: &'a Block, links: bool) -> Vec<Piece<'a>> {
    let text = block.text.as_str();
    let spans: Vec<&Inline> = structure(block)
        .map(|s| {
            s.inline
                .iter()
                .filter(|i| links || !matches!(i.kind, crate::segment::InlineKind::Link(_)))
                .filter(|i| (i.end as usize) <= text.len() && i.start <= i.end)
                .filter(|i| text.is_char_boundary(i.start as usize))
                .filter(|i| text.is_char_boundary(i.end as usize))
                .collect()
        })
        .unwrap_or_default();
    // Events: (position, order, piece). Closes before opens at one position, inner spans
    // close first and open last.
    let mut events: Vec<(u32, u8, u32, Piece<'a>)> = Vec::new();
    let mut open: Vec<&Inline> = Vec::new();
    let mut sorted = spans.clone();
    sorted.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut kept: Vec<&Inline> = Vec::new();
    for span in sorted {
        open.retain(|o| o.end > span.start);
        if open.iter().all(|o| o.end >= span.end) {
            kept.push(span);
            if span.kind != crate::segment::InlineKind::LineBreak {
                open.push(span);
            }
        }
    }
    for span in kept {
        if span.kind == crate::segment::InlineKind::LineBreak {
            events.push((span.start, 1, 0, Piece::Break));
        } else {
            let length = span.end - span.start;
            events.push((span.start, 2, u32::MAX - length, Piece::Open(span)));
            events.push((span.end, 0, length, Piece::Close(span)));
        }
    }
    events.sort_by_key(|e| (e.0, e.1, e.2));
    let mut out = Vec::with_capacity(events.len() * 2 + 1);
    let mut at = 0usize;
    for (position, _, _, piece) in events {
        let position = position as usize;
        if position > at {
            out.push(Piece::Text(&text[at..position]));
            at = position;
        }
        if let Piece::Break = piece {
            // The break stands for the space after it.
            if text[at..].starts_with(' ') {
                at += 1;
            }
        }
        out.push(piece);
    }
    if at < text.len() {
        out.push(Piece::Text(&text[at..]));
    }
    out
}

/// The `\w+` words of a text (letters, digits and `_`, in any script), as the word rule
/// between the formats counts them: every format writes the same words as the text.
pub fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_resolve_against_the_base() {
        let base = Some("http://a/b/c/d;p?q");
        // The RFC's own examples.
        for (reference, expected) in [
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q#s"),
            ("g#s", "http://a/b/c/g#s"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../g", "http://a/g"),
            ("../../../g", "http://a/g"),
            ("g;x=1/../y", "http://a/b/c/y"),
            ("https:other", "https:other"),
        ] {
            assert_eq!(resolve_url(reference, base), expected, "{reference}");
        }
        assert_eq!(resolve_url("x", Some("https://h")), "https://h/x");
    }

    #[test]
    fn the_base_href_outranks_the_page_url_and_is_resolved_against_it() {
        assert_eq!(
            base_url(Some("/static/"), Some("https://e.org/a/b")).as_deref(),
            Some("https://e.org/static/")
        );
        assert_eq!(
            base_url(None, Some("https://e.org/a/b")).as_deref(),
            Some("https://e.org/a/b")
        );
        assert_eq!(base_url(Some("/static/"), None), None);
        assert_eq!(base_url(None, Some("not a url")), None);
    }

    #[test]
    fn words_are_unicode_word_runs() {
        assert_eq!(
            words("Grüße, snake_case 42!"),
            ["Grüße", "snake_case", "42"]
        );
    }
}
