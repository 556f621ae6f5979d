//! Labelling pages by hand: which element each block of a page comes from, writing labels into
//! the page as `data-gleaner-label` attributes, and reading them back.
//!
//! `gleaner train` reads a hand-labelled page by cutting it into blocks (see
//! [`crate::segment`]) and giving each block the label of the innermost element open when its
//! first visible text arrives, inherited from the nearest labelled ancestor (see
//! `training-data/README.md`). Writing labels so that exactly the intended ones are read back
//! therefore needs, for every block, that element — its *carrier*:
//!
//! 1. [`BlockMap::new`] parses the page, tags the start of every text node with an invisible
//!    numbered marker, serialises it and cuts that into blocks with the same code training
//!    uses ([`crate::extract::segment_html`]). The first marker in a block names its first text
//!    node, whose parent element is the carrier. The blocks must come out as those of the
//!    unmarked page, text for text, or the page is refused.
//! 2. [`BlockMap::write_labels`] puts the block's label on its carrier; when two blocks with
//!    different labels share a carrier (text on both sides of a `<br><br>` or of a nested
//!    block), the later block's first text is wrapped in a `<span>` carrying its label. The
//!    page is written as UTF-8 with a byte-order mark (which outranks any charset the page
//!    declares). Before returning, it reads the result back with [`read_labels`] and refuses
//!    it unless every block has exactly its intended label and text.
//!
//! Nothing here touches files: the `gleaner label` server reads and writes them.
//!
//! ```
//! use gleaner::labelling::{read_labels, BlockMap};
//! use gleaner::Label;
//!
//! let html = "<html><body><nav><a href=/>Home</a></nav><article><h1>Storm damage</h1>\
//!             <p>The sea wall broke in two places.<br><br>Read more: ferries cancelled</p>\
//!             </article></body></html>";
//! let map = BlockMap::new(html).unwrap();
//! assert_eq!(map.texts(), ["Home", "Storm damage", "The sea wall broke in two places.",
//!                          "Read more: ferries cancelled"]);
//! let labels = [Label::Boilerplate, Label::Content, Label::Content, Label::Teaser];
//! let saved = map.write_labels(&labels).unwrap();
//! let read = read_labels(&saved);
//! assert_eq!(read.labels, labels.map(Some));
//! assert_eq!(read.texts, map.texts());
//! ```

use ego_tree::NodeId;
use html5ever::{local_name, ns, Attribute, LocalName, QualName};
use scraper::{Html, Node};

use crate::error::{Error, Result};
use crate::extract::segment_html;
use crate::label::Label;

/// The attribute `gleaner train` reads labels from.
pub const LABEL_ATTRIBUTE: &str = "data-gleaner-label";

/// Opens and closes a text node's number in the marked copy (private-use characters, which no
/// page's text is cut at).
const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// Elements whose text never reaches a block, left unmarked.
const UNREAD: [&str; 5] = ["script", "style", "noscript", "template", "title"];

/// A page parsed for labelling, with the carrier element of each of its blocks.
#[derive(Debug)]
pub struct BlockMap {
    html: Html,
    texts: Vec<String>,
    /// Per block: its first visible text node and that node's parent element.
    first_text: Vec<NodeId>,
    carrier: Vec<NodeId>,
}

/// Blocks and labels as `gleaner train` reads them from a page.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadLabels {
    pub texts: Vec<String>,
    pub labels: Vec<Option<Label>>,
}

/// The blocks of a page and their labels, as training reads them.
pub fn read_labels(html: &str) -> ReadLabels {
    let page = segment_html(html);
    ReadLabels {
        labels: page.blocks.iter().map(|b| b.label).collect(),
        texts: page.blocks.into_iter().map(|b| b.text).collect(),
    }
}

fn strip_markers(text: &str) -> (String, Option<usize>) {
    let mut out = String::with_capacity(text.len());
    let mut first = None;
    let mut rest = text;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let after = &rest[at + OPEN.len_utf8()..];
        let Some(end) = after.find(CLOSE) else {
            rest = after;
            break;
        };
        if first.is_none() {
            first = after[..end].parse().ok();
        }
        rest = &after[end + CLOSE.len_utf8()..];
    }
    out.push_str(rest);
    (out, first)
}

fn unread(html: &Html, id: NodeId) -> bool {
    let Some(node) = html.tree.get(id) else {
        return true;
    };
    node.ancestors().any(|a| {
        a.value()
            .as_element()
            .is_some_and(|e| UNREAD.contains(&e.name()))
    })
}

impl BlockMap {
    /// Parses `html` and finds each block's carrier. Fails when the blocks of the marked copy
    /// are not the page's (a page whose text the labelling cannot address block by block).
    pub fn new(html: &str) -> Result<BlockMap> {
        let page = segment_html(html);
        let texts: Vec<String> = page.blocks.into_iter().map(|b| b.text).collect();
        let parsed = Html::parse_document(html);
        let mut marked = parsed.clone();
        let text_nodes: Vec<NodeId> = parsed
            .tree
            .nodes()
            .filter(|n| {
                n.value()
                    .as_text()
                    .is_some_and(|t| t.chars().any(|c| !c.is_whitespace()))
            })
            .map(|n| n.id())
            .filter(|&id| !unread(&parsed, id))
            .collect();
        for (number, &id) in text_nodes.iter().enumerate() {
            if let Some(mut node) = marked.tree.get_mut(id) {
                if let Node::Text(text) = node.value() {
                    let at = text.find(|c: char| !c.is_whitespace()).unwrap_or(0);
                    let new = format!("{}{OPEN}{number}{CLOSE}{}", &text[..at], &text[at..]);
                    text.text = new.as_str().into();
                }
            }
        }
        let marked_page = segment_html(&marked.html());
        let refuse = |why: &str| {
            Error::Data(format!(
                "this page's blocks cannot be labelled one by one ({why}); label it by hand \
                 with data-gleaner-label attributes"
            ))
        };
        if marked_page.blocks.len() != texts.len() {
            return Err(refuse(
                "its markup cuts into blocks differently once re-read",
            ));
        }
        let mut first_text = Vec::with_capacity(texts.len());
        let mut carrier = Vec::with_capacity(texts.len());
        for (block, text) in marked_page.blocks.iter().zip(&texts) {
            let (plain, first) = strip_markers(&block.text);
            let first = first.and_then(|n| text_nodes.get(n).copied());
            let parent = first
                .and_then(|id| parsed.tree.get(id))
                .and_then(|n| n.parent())
                .filter(|p| p.value().is_element());
            match (first, parent) {
                (Some(first), Some(parent)) if plain == *text => {
                    first_text.push(first);
                    carrier.push(parent.id());
                }
                _ => return Err(refuse("a block's text is not where its markup says")),
            }
        }
        Ok(BlockMap {
            html: parsed,
            texts,
            first_text,
            carrier,
        })
    }

    /// The blocks' texts, in page order (as `gleaner blocks` and training see them).
    pub fn texts(&self) -> &[String] {
        &self.texts
    }

    /// The page with one label per block written as `data-gleaner-label` attributes, as UTF-8
    /// text beginning with a byte-order mark; checked by reading it back.
    pub fn write_labels(&self, labels: &[Label]) -> Result<String> {
        if labels.len() != self.texts.len() {
            return Err(Error::Data(format!(
                "{} labels for a page of {} blocks",
                labels.len(),
                self.texts.len()
            )));
        }
        let mut html = self.html.clone();
        let mut carried: std::collections::HashMap<NodeId, Label> = Default::default();
        for ((&label, &carrier), &text) in labels.iter().zip(&self.carrier).zip(&self.first_text) {
            match carried.get(&carrier) {
                None => {
                    carried.insert(carrier, label);
                    set_label(&mut html, carrier, label);
                }
                Some(&existing) if existing == label => {}
                Some(_) => wrap_in_labelled_span(&mut html, text, label),
            }
        }
        let saved = format!("\u{FEFF}{}", html.html());
        let read = read_labels(saved.trim_start_matches('\u{FEFF}'));
        let intended: Vec<Option<Label>> = labels.iter().copied().map(Some).collect();
        if read.texts != self.texts || read.labels != intended {
            return Err(Error::Data(
                "the labelled page does not read back as labelled (its markup is re-arranged \
                 when parsed again); label it by hand with data-gleaner-label attributes"
                    .into(),
            ));
        }
        Ok(saved)
    }
}

fn label_attribute_name() -> QualName {
    QualName::new(None, ns!(), LocalName::from(LABEL_ATTRIBUTE))
}

fn set_label(html: &mut Html, element: NodeId, label: Label) {
    let Some(mut node) = html.tree.get_mut(element) else {
        return;
    };
    if let Node::Element(element) = node.value() {
        let name = label_attribute_name();
        element.attrs.retain(|(n, _)| *n != name);
        element.attrs.push((name, label.as_str().into()));
    }
}

fn wrap_in_labelled_span(html: &mut Html, text: NodeId, label: Label) {
    let span = scraper::node::Element::new(
        QualName::new(None, ns!(html), local_name!("span")),
        vec![Attribute {
            name: label_attribute_name(),
            value: label.as_str().into(),
        }],
    );
    let Some(mut node) = html.tree.get_mut(text) else {
        return;
    };
    let span_id = node.insert_before(Node::Element(span)).id();
    if let Some(mut span) = html.tree.get_mut(span_id) {
        span.append_id(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_sharing_an_element_get_their_own_labels() {
        let html = "<body><div class=box>Intro line of the box<p>A paragraph inside</p>\
                    Trailing words after it</div><table><tr><td>cell one</td><td>cell two\
                    </td></tr></table></body>";
        let map = BlockMap::new(html).unwrap();
        let n = map.texts().len();
        for pattern in 0..(1u32 << n.min(6)) {
            let labels: Vec<Label> = (0..n)
                .map(|i| {
                    if pattern >> (i % 6) & 1 == 1 {
                        Label::Content
                    } else {
                        Label::Promo
                    }
                })
                .collect();
            let saved = map.write_labels(&labels).unwrap();
            let read = read_labels(saved.trim_start_matches('\u{FEFF}'));
            assert_eq!(
                read.labels,
                labels.iter().copied().map(Some).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn a_declared_charset_does_not_garble_the_saved_page() {
        let bytes = b"<html><head><meta charset=iso-8859-1></head><body><p>Caf\xe9 cr\xe8me</p></body></html>";
        let html = crate::decode::decode(bytes, None, 1 << 20).unwrap().html;
        let map = BlockMap::new(&html).unwrap();
        let saved = map.write_labels(&[Label::Content]).unwrap();
        let decoded = crate::decode::decode(saved.as_bytes(), None, 1 << 20).unwrap();
        assert_eq!(read_labels(&decoded.html).texts, ["Café crème"]);
    }

    #[test]
    fn a_wrong_number_of_labels_is_an_error() {
        let map = BlockMap::new("<p>one</p><p>two</p>").unwrap();
        assert!(map.write_labels(&[Label::Content]).is_err());
    }
}
