//! The kept blocks as minimal clean HTML: `h1`–`h6`, `p`, nested `ul`/`ol`/`li`, `table`
//! (`tr`, `th`, `td`), `pre`/`code`, `blockquote`, `figure`/`figcaption`, `br`, and with
//! [`Output::links`]/[`Output::images`] `a` and `img`. No attribute but `href`, `src` and
//! `alt`; all text and attribute values escaped.

use super::{base_url, outline, pieces, resolve_url, Grid, Node, Output, Piece, Placed};
use crate::extract::Extraction;
use crate::segment::{Block, InlineKind};

/// The extraction as HTML (see the [module](self) documentation).
pub fn render(extraction: &Extraction, output: &Output) -> String {
    let base = base_url(extraction.base_href.as_deref(), extraction.url.as_deref());
    let mut writer = Writer {
        output,
        base: base.as_deref(),
        out: String::new(),
        lists: Vec::new(),
        quote_depth: 0,
    };
    for placed in outline(extraction) {
        writer.node(&placed);
    }
    writer.close_lists(0);
    writer.set_quote_depth(0);
    while writer.out.ends_with('\n') {
        writer.out.pop();
    }
    writer.out
}

struct Writer<'o> {
    output: &'o Output,
    base: Option<&'o str>,
    out: String,
    /// Open lists, outermost first: whether ordered. Each has an open `<li>`.
    lists: Vec<bool>,
    quote_depth: u8,
}

impl Writer<'_> {
    fn node(&mut self, placed: &Placed<'_>) {
        if placed.quote_depth != self.quote_depth {
            self.close_lists(0);
            self.set_quote_depth(placed.quote_depth);
        }
        if !matches!(placed.node, Node::Item { .. }) {
            self.close_lists(0);
        }
        let images = if self.output.images {
            placed.images.as_slice()
        } else {
            &[]
        };
        let caption_block = match &placed.node {
            Node::Paragraph { block } if placed.caption && !images.is_empty() => Some(*block),
            _ => None,
        };
        if !images.is_empty() && !matches!(placed.node, Node::Item { .. }) {
            self.out.push_str("<figure>");
            for image in images {
                self.image(&image.src, &image.alt);
            }
            if let Some(block) = caption_block {
                self.out.push_str("<figcaption>");
                self.inline(block);
                self.out.push_str("</figcaption>");
            }
            self.out.push_str("</figure>\n");
            if caption_block.is_some() {
                return;
            }
        }
        match &placed.node {
            Node::Heading { level, block } => {
                self.out.push_str(&format!("<h{level}>"));
                self.inline(block);
                self.out.push_str(&format!("</h{level}>\n"));
            }
            Node::Paragraph { block } => self.paragraph(block),
            Node::Item {
                depth,
                ordered,
                first,
                block,
                ..
            } => {
                let depth = usize::from(*depth);
                if *first {
                    self.close_lists(depth);
                    if self.lists.len() == depth && self.lists.last() != Some(ordered) {
                        self.close_lists(depth - 1);
                    }
                    if self.lists.len() == depth {
                        self.out.push_str("</li>\n<li>");
                    } else {
                        while self.lists.len() < depth {
                            self.out
                                .push_str(if *ordered { "<ol>\n<li>" } else { "<ul>\n<li>" });
                            self.lists.push(*ordered);
                        }
                    }
                    for image in images {
                        self.image(&image.src, &image.alt);
                    }
                    let level = block.heading_level;
                    if level > 0 {
                        self.out.push_str(&format!("<h{level}>"));
                    }
                    self.inline(block);
                    if level > 0 {
                        self.out.push_str(&format!("</h{level}>"));
                    }
                } else {
                    // A later paragraph of the item.
                    self.close_lists(depth.max(1));
                    if self.lists.is_empty() {
                        self.out.push_str("<ul>\n<li>");
                        self.lists.push(false);
                    }
                    self.out.push('\n');
                    self.paragraph(block);
                }
            }
            Node::Code { blocks, .. } => {
                self.out.push_str("<pre><code>");
                for (i, block) in blocks.iter().enumerate() {
                    if i > 0 {
                        self.out.push('\n');
                    }
                    escape_into(&block.text, &mut self.out);
                }
                self.out.push_str("</code></pre>\n");
            }
            Node::Table { grid } => self.table(grid),
        }
    }

    fn paragraph(&mut self, block: &Block) {
        self.out.push_str("<p>");
        self.inline(block);
        self.out.push_str("</p>\n");
    }

    fn table(&mut self, grid: &Grid<'_>) {
        self.out.push_str("<table>\n");
        for (r, row) in grid.rows.iter().enumerate() {
            let tag = if r == 0 && grid.header { "th" } else { "td" };
            self.out.push_str("<tr>");
            for blocks in row {
                self.out.push_str(&format!("<{tag}>"));
                for (i, block) in blocks.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str("<br>");
                    }
                    self.inline(block);
                }
                self.out.push_str(&format!("</{tag}>"));
            }
            self.out.push_str("</tr>\n");
        }
        self.out.push_str("</table>\n");
    }

    fn image(&mut self, src: &str, alt: &str) {
        self.out.push_str("<img src=\"");
        escape_into(&resolve_url(src, self.base), &mut self.out);
        self.out.push_str("\" alt=\"");
        escape_into(alt, &mut self.out);
        self.out.push_str("\">");
    }

    /// Closes lists deeper than `depth`.
    fn close_lists(&mut self, depth: usize) {
        while self.lists.len() > depth {
            let ordered = self.lists.pop().expect("checked");
            self.out.push_str(if ordered {
                "</li>\n</ol>\n"
            } else {
                "</li>\n</ul>\n"
            });
        }
    }

    fn set_quote_depth(&mut self, depth: u8) {
        while self.quote_depth > depth {
            self.out.push_str("</blockquote>\n");
            self.quote_depth -= 1;
        }
        while self.quote_depth < depth {
            self.out.push_str("<blockquote>\n");
            self.quote_depth += 1;
        }
    }

    fn inline(&mut self, block: &Block) {
        for piece in pieces(block, self.output.links) {
            match piece {
                Piece::Text(text) => escape_into(text, &mut self.out),
                Piece::Open(span) => match &span.kind {
                    InlineKind::Link(href) => {
                        self.out.push_str("<a href=\"");
                        escape_into(&resolve_url(href, self.base), &mut self.out);
                        self.out.push_str("\">");
                    }
                    InlineKind::Code => self.out.push_str("<code>"),
                    InlineKind::LineBreak => {}
                },
                Piece::Close(span) => match &span.kind {
                    InlineKind::Link(_) => self.out.push_str("</a>"),
                    InlineKind::Code => self.out.push_str("</code>"),
                    InlineKind::LineBreak => {}
                },
                Piece::Break => self.out.push_str("<br>"),
            }
        }
    }
}

/// Escapes `&`, `<`, `>` and `"` into `out`.
pub fn escape_into(text: &str, out: &mut String) {
    escape_chars_into(text, out, false);
}

/// [`escape_into`] that also escapes `'` (as `&#39;`), for values that may end up in
/// single-quoted attributes.
pub fn escape_with_apostrophes_into(text: &str, out: &mut String) {
    escape_chars_into(text, out, true);
}

fn escape_chars_into(text: &str, out: &mut String, apostrophes: bool) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' if apostrophes => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_attributes_are_escaped() {
        let mut out = String::new();
        escape_into(r#"<script>"a" & b</script>"#, &mut out);
        assert_eq!(out, "&lt;script&gt;&quot;a&quot; &amp; b&lt;/script&gt;");
    }
}
