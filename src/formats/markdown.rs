//! The kept blocks as CommonMark with GitHub's pipe tables: `#` headings at their level,
//! paragraphs, nested `-`/`1.` lists, pipe tables (header row first; line breaks in a cell as
//! `<br>`, pipes escaped), fenced code with its language, inline code, `>` quotes, hard line
//! breaks (`\` at the end of a line), and with [`Output::links`]/[`Output::images`]
//! `[text](url)` and `![alt](src)` with absolute URLs. Text is escaped where Markdown would
//! read it as syntax.

use super::{base_url, outline, pieces, resolve_url, Grid, Node, Output, Piece, Placed};
use crate::extract::Extraction;
use crate::segment::{Block, InlineKind};

/// The extraction as Markdown (see the [module](self) documentation).
pub fn render(extraction: &Extraction, output: &Output) -> String {
    let base = base_url(extraction.base_href.as_deref(), extraction.url.as_deref());
    let writer = Writer {
        output,
        base: base.as_deref(),
    };
    let mut out = String::new();
    // The previous chunk's list (when it was an item) and quote depth.
    let mut previous: Option<(Option<Option<u32>>, u8)> = None;
    for placed in outline(extraction) {
        let (lines, is_item, continues) = writer.node(&placed);
        if lines.is_empty() {
            continue;
        }
        let depth = placed.quote_depth;
        let list = match placed.node {
            Node::Item { list, depth: 1, .. } => Some(list),
            Node::Item { .. } => previous.and_then(|p| p.0),
            _ => None,
        };
        if let Some((previous_list, previous_depth)) = previous {
            out.push('\n');
            // Items of one list (and lists nested in it) follow each other line by line.
            let same_list = previous_list.is_some()
                && (list == previous_list
                    || matches!(placed.node, Node::Item { depth, .. } if depth > 1));
            let tight = same_list && is_item && !continues && previous_depth == depth;
            if !tight {
                out.push_str(&quote_prefix(depth.min(previous_depth)));
                trim_end_spaces(&mut out);
                out.push('\n');
            }
        }
        let prefix = quote_prefix(depth);
        for (i, line) in lines.iter().enumerate() {
            if i > 0 {
                out.push('\n');
            }
            out.push_str(&prefix);
            out.push_str(line);
            if line.is_empty() {
                trim_end_spaces(&mut out);
            }
        }
        previous = Some((list.filter(|_| is_item), depth));
    }
    out
}

fn trim_end_spaces(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
}

fn quote_prefix(depth: u8) -> String {
    "> ".repeat(usize::from(depth))
}

struct Writer<'o> {
    output: &'o Output,
    base: Option<&'o str>,
}

impl Writer<'_> {
    /// A node's lines, whether it is a list item, and whether it continues an item.
    fn node(&self, placed: &Placed<'_>) -> (Vec<String>, bool, bool) {
        let mut lines = Vec::new();
        if self.output.images {
            for image in &placed.images {
                lines.push(format!(
                    "![{}]({})",
                    escape(&image.alt, false),
                    url(&resolve_url(&image.src, self.base))
                ));
            }
        }
        // An image before anything else stands in its own paragraph.
        if !lines.is_empty() && !placed.caption {
            lines.push(String::new());
        }
        match &placed.node {
            Node::Heading { level, block } => {
                let text = self.inline(block, false).replace('\n', " ");
                lines.push(format!("{} {}", "#".repeat(usize::from(*level)), text));
            }
            Node::Paragraph { block } => {
                lines.extend(self.inline(block, false).lines().map(str::to_string));
            }
            Node::Item {
                depth,
                ordered,
                number,
                first,
                block,
                ..
            } => {
                let indent = "    ".repeat(usize::from(depth.saturating_sub(1)));
                let marker = if *ordered {
                    format!("{number}. ")
                } else {
                    "- ".to_string()
                };
                let inner = " ".repeat(marker.len());
                let mut text = self.inline(block, false);
                if *first && block.heading_level > 0 {
                    // A heading that is a list item's text: `- ## Text`.
                    let hashes = "#".repeat(usize::from(block.heading_level));
                    text = format!("{hashes} {}", text.replace('\n', " "));
                }
                for (i, line) in text.lines().enumerate() {
                    let lead = if i == 0 && *first { &marker } else { &inner };
                    lines.push(format!("{indent}{lead}{line}"));
                }
                let continues = !*first;
                // An image's blank line would end the item: images go on the item's lines.
                return (lines, true, continues);
            }
            Node::Code { language, blocks } => {
                let code: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
                let code = code.join("\n");
                let fence = "`".repeat(longest_run(&code, '`').max(2) + 1);
                lines.push(format!("{fence}{}", language.unwrap_or("")));
                lines.extend(code.lines().map(str::to_string));
                lines.push(fence);
            }
            Node::Table { grid } => lines.extend(self.table(grid)),
        }
        (lines, false, false)
    }

    fn table(&self, grid: &Grid<'_>) -> Vec<String> {
        let mut lines = Vec::new();
        for (r, row) in grid.rows.iter().enumerate() {
            let cells: Vec<String> = row
                .iter()
                .map(|blocks| {
                    let texts: Vec<String> = blocks
                        .iter()
                        .map(|b| self.inline(b, true).replace('\n', "<br>"))
                        .collect();
                    texts.join("<br>")
                })
                .collect();
            lines.push(format!("| {} |", cells.join(" | ")));
            if r == 0 {
                lines.push(format!("|{}", " --- |".repeat(row.len())));
            }
        }
        lines
    }

    /// A block's text with its inline spans; hard line breaks as `\` and a newline.
    fn inline(&self, block: &Block, in_table: bool) -> String {
        let mut out = String::with_capacity(block.text.len() + 16);
        let mut code: Option<String> = None;
        for piece in pieces(block, self.output.links) {
            match piece {
                Piece::Text(text) => match code.as_mut() {
                    Some(code) => code.push_str(text),
                    None => out.push_str(&escape(text, in_table)),
                },
                Piece::Open(span) if code.is_none() => match &span.kind {
                    InlineKind::Code => code = Some(String::new()),
                    InlineKind::Link(_) => out.push('['),
                    InlineKind::LineBreak => {}
                },
                Piece::Close(span) => match (&span.kind, code.take()) {
                    (InlineKind::Code, Some(text)) => {
                        let text = if in_table {
                            text.replace('|', "\\|")
                        } else {
                            text
                        };
                        let fence = "`".repeat(longest_run(&text, '`') + 1);
                        let pad = if text.starts_with('`') || text.ends_with('`') {
                            " "
                        } else {
                            ""
                        };
                        out.push_str(&format!("{fence}{pad}{text}{pad}{fence}"));
                    }
                    (InlineKind::Link(href), None) => {
                        out.push_str("](");
                        out.push_str(&url(&resolve_url(href, self.base)));
                        out.push(')');
                    }
                    (_, open_code) => code = open_code,
                },
                Piece::Break if code.is_none() => {
                    out.push_str(if in_table { "<br>" } else { "\\\n" })
                }
                Piece::Break => code.as_mut().map_or((), |c| c.push(' ')),
                Piece::Open(_) => {}
            }
        }
        if let Some(text) = code {
            out.push_str(&escape(&text, in_table));
        }
        escape_line_starts(&out)
    }
}

/// A URL as a link destination: spaces and parentheses percent-encoded.
fn url(url: &str) -> String {
    url.replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut longest, mut run) = (0, 0);
    for d in text.chars() {
        run = if d == c { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// Backslash-escapes what Markdown would read as inline syntax: `\`, `` ` ``, `*`, `[`, `]`,
/// `<`, `_` at a word's edge (inside a word it is text), and `|` in a table.
pub fn escape(text: &str, in_table: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let escaped = match c {
            '\\' | '`' | '*' | '[' | ']' | '<' => true,
            '|' => in_table,
            '_' => {
                let word = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric());
                !(word(i.checked_sub(1).and_then(|p| chars.get(p))) && word(chars.get(i + 1)))
            }
            _ => false,
        };
        if escaped {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes a line start that Markdown would read as a block: `#`, `>`, `-`, `+`, `=` and
/// `1.`/`1)`.
fn escape_line_starts(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let first = line.chars().next();
        if matches!(first, Some('#' | '>' | '-' | '+' | '=')) {
            out.push('\\');
            out.push_str(line);
            continue;
        }
        let digits = line.chars().take_while(char::is_ascii_digit).count();
        let after = line[digits..].chars().next();
        if digits > 0 && matches!(after, Some('.' | ')')) {
            out.push_str(&line[..digits]);
            out.push('\\');
            out.push_str(&line[digits..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_in_text_is_escaped() {
        assert_eq!(
            escape(r"a*b* [x] <y> snake_case _z_ \ `c` |", false),
            r"a\*b\* \[x\] \<y> snake_case \_z\_ \\ \`c\` |"
        );
        assert_eq!(escape("a | b", true), r"a \| b");
        assert_eq!(
            escape_line_starts("# not a heading\n1. not a list\n- x\nplain"),
            "\\# not a heading\n1\\. not a list\n\\- x\nplain"
        );
    }
}
