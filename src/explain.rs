//! Why gleaner kept or dropped each block, as one self-contained HTML report.
//!
//! [`explain_bytes`] (or [`explain_html`]) runs the usual pipeline on one page and keeps, for
//! every block, what the decision was made of:
//!
//! - its label (content, or the kind of noise), its final score and the page's threshold, and
//!   the first-pass score before the neighbours' smoothing moved it;
//! - the features that pushed the first pass towards keeping and towards dropping, strongest
//!   first: for a logistic first pass a feature's push is its weight times its standardised
//!   value, so the pushes plus the intercept add up to the block's log-odds;
//! - for dropped blocks, the features that made it this kind of noise rather than another
//!   (from the kind classifier, as `gleaner blocks` reports them).
//!
//! Each feature is put in words with the block's own value ("link-dense (72% of its text in
//! links)", "class/id says 'footer'", "short line like a headline teaser"); hashed columns are
//! named by the words of this block that filled them (see `words.rs`).
//!
//! [`report`] renders an [`Explanation`] as one HTML file with its CSS and script inline and
//! a Content-Security-Policy that allows no network request: it opens from disk, anywhere.
//! Every text taken from the page is HTML-escaped. [`index`] renders the list of a batch's
//! reports ([`IndexEntry`]), sortable by any column. Nothing here prints or writes files: the
//! command line (`gleaner explain`, `gleaner batch --explain-dir`) does.
//!
//! ```
//! use gleaner::explain::{explain_html, report};
//!
//! let extractor = gleaner::Extractor::with_default_model().unwrap().explain(true);
//! let html = r#"<html><head><title>Harbour reopens</title></head><body>
//!   <nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
//!   <article><h1>Harbour reopens after storm repairs</h1>
//!   <p>The harbour reopened on Monday after three months of repairs to the sea wall, which was
//!   badly damaged in the January storms, the port authority said.</p>
//!   <p>Fishing boats returned to their moorings by the afternoon, and the ferry to the islands
//!   will resume its full timetable next week, according to the operator.</p></article>
//!   <footer>© 2024 Coast News · Privacy · Terms</footer></body></html>"#;
//! let explanation = explain_html(&extractor, html, None);
//! let footer = explanation.blocks.iter().position(|b| b.text().contains("Privacy")).unwrap();
//! assert!(!explanation.kept(footer));
//! assert!(!explanation.blocks[footer].towards_dropping.is_empty());
//!
//! let page = report(&explanation, "harbour.html");
//! assert!(page.starts_with("<!doctype html>"));
//! assert!(page.contains("data-label=\"content\""));
//! assert!(page.contains("The harbour reopened on Monday"));
//! ```

mod html;
mod words;

use std::collections::HashMap;

use crate::error::Result;
use crate::extract::{Extraction, Extractor, ScoredBlock};
use crate::features::FeatureSchema;
use crate::model::Classifier;

pub use html::{index, report};

/// How many features [`BlockExplanation`] keeps for each direction.
const REASONS_PER_SIDE: usize = 4;
/// Pushes smaller than this (in log-odds) are not worth a line.
const MIN_PUSH: f64 = 0.05;

/// One feature's share in a decision, in words.
#[derive(Debug, Clone, PartialEq)]
pub struct Why {
    /// The feature column, as in the model file.
    pub feature: String,
    /// What its value says about the block, e.g. "link-dense (72% of its text in links)".
    pub words: String,
    /// How hard it pushed: log-odds, positive towards the decision it is listed under.
    pub push: f64,
}

/// A block of the page with the reasons of its label.
#[derive(Debug, Clone)]
pub struct BlockExplanation {
    pub scored: ScoredBlock,
    /// First-pass features that pushed it towards content, strongest first.
    pub towards_keeping: Vec<Why>,
    /// First-pass features that pushed it towards noise, strongest first.
    pub towards_dropping: Vec<Why>,
    /// For a dropped block: the features that made it this kind of noise over the others.
    pub kind_reasons: Vec<Why>,
    /// The class/id words on the block's element and its near ancestors.
    pub class_words: Vec<String>,
}

impl BlockExplanation {
    pub fn text(&self) -> &str {
        &self.scored.block.text
    }
}

/// A page's extraction with the reasons of every block's label.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub extraction: Extraction,
    /// The final score a block needed to be kept on this page.
    pub threshold: f64,
    /// Whether the first pass is a linear model whose pushes are shown (a forest has none).
    pub linear_first_pass: bool,
    /// In page order, one per block of `extraction`.
    pub blocks: Vec<BlockExplanation>,
}

impl Explanation {
    /// Whether block `i` is in the extracted text.
    pub fn kept(&self, i: usize) -> bool {
        self.blocks
            .get(i)
            .is_some_and(|b| self.extraction.keeps(&b.scored))
    }

    /// Kept blocks, dropped blocks and the words of the kept ones.
    pub fn counts(&self) -> (usize, usize, u64) {
        let kept: Vec<&BlockExplanation> = (0..self.blocks.len())
            .filter(|&i| self.kept(i))
            .map(|i| &self.blocks[i])
            .collect();
        let words = kept.iter().map(|b| u64::from(b.scored.block.words)).sum();
        (kept.len(), self.blocks.len() - kept.len(), words)
    }
}

/// Explains a page given as bytes (plain or gzip, any charset; `charset` from an HTTP header
/// outranks the page's own), read up to `max_bytes`, fetched from `url` when known.
///
/// Build the extractor with [`Extractor::explain`] on to get the reasons of the noise kinds
/// too; with [`Extractor::name_kinds`] off, dropped blocks are all `noise`.
pub fn explain_bytes(
    extractor: &Extractor,
    bytes: &[u8],
    charset: Option<&str>,
    url: Option<&str>,
    max_bytes: usize,
) -> Result<Explanation> {
    let decoded = crate::decode::decode(bytes, charset, max_bytes)?;
    let mut explanation = explain_html(extractor, &decoded.html, url);
    explanation.extraction.encoding = Some(decoded.encoding);
    explanation.extraction.truncated = decoded.truncated;
    Ok(explanation)
}

/// Explains a page given as an HTML string (see [`explain_bytes`]).
pub fn explain_html(extractor: &Extractor, html: &str, url: Option<&str>) -> Explanation {
    let model = extractor.model();
    let (extraction, (features, threshold)) =
        extractor.extract_html_inspecting(html, url, |scored| {
            (
                scored.features.clone(),
                model.threshold_for(scored.page_type.as_ref()),
            )
        });
    let class_words = page_class_words(html);
    let names = FeatureSchema::current().names();
    let weights = match &model.first_pass {
        Classifier::Logistic { weights, .. } => Some(weights),
        Classifier::Forest { .. } => None,
    };
    let blocks = extraction
        .blocks
        .iter()
        .enumerate()
        .map(|(i, scored)| {
            let row = features.row(i);
            let context = words::Context {
                block: &scored.block,
                row,
                class_words: &class_words,
                lexicon: model.lexicon.as_ref(),
                vocabulary: model.class_vocabulary.as_ref(),
            };
            let say = |j: usize, push: f64| {
                words::in_words(&names[j], row[j], &context).map(|words| Why {
                    feature: names[j].clone(),
                    words,
                    push,
                })
            };
            let (towards_keeping, towards_dropping) = match weights {
                Some(weights) => {
                    let scaled = model.scale_row(row);
                    let pushes: Vec<f64> =
                        weights.iter().zip(&scaled).map(|(w, x)| w * x).collect();
                    (
                        strongest(&pushes, 1.0, &say),
                        strongest(&pushes, -1.0, &say),
                    )
                }
                None => (Vec::new(), Vec::new()),
            };
            let kind_reasons = scored
                .reasons
                .iter()
                .filter_map(|r| {
                    let j = names.iter().position(|n| *n == r.feature)?;
                    say(j, r.weight)
                })
                .collect();
            let mut block_class_words: Vec<String> = scored
                .block
                .near_tokens
                .iter()
                .filter_map(|t| class_words.get(t).cloned())
                .collect();
            block_class_words.sort();
            block_class_words.dedup();
            BlockExplanation {
                scored: scored.clone(),
                towards_keeping,
                towards_dropping,
                kind_reasons,
                class_words: block_class_words,
            }
        })
        .collect();
    Explanation {
        extraction,
        threshold,
        linear_first_pass: weights.is_some(),
        blocks,
    }
}

/// The [`REASONS_PER_SIDE`] columns whose push times `sign` is largest, in words (one line per
/// distinct phrase), with their push made positive.
fn strongest(pushes: &[f64], sign: f64, say: &dyn Fn(usize, f64) -> Option<Why>) -> Vec<Why> {
    let mut order: Vec<(usize, f64)> = pushes
        .iter()
        .map(|p| p * sign)
        .enumerate()
        .filter(|(_, p)| *p >= MIN_PUSH)
        .collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1));
    let mut out: Vec<Why> = Vec::new();
    for (j, push) in order {
        if out.len() == REASONS_PER_SIDE {
            break;
        }
        if let Some(why) = say(j, push) {
            if !out.iter().any(|o| o.words == why.words) {
                out.push(why);
            }
        }
    }
    out
}

/// Every class and id token of the page by its hash, to name the hashed class columns.
fn page_class_words(html: &str) -> HashMap<u64, String> {
    let document = crate::parse::parse_document(html);
    let mut words = HashMap::new();
    let mut tokens = Vec::new();
    for node in document.tree.nodes() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        for value in [element.attr("class"), element.attr("id")]
            .into_iter()
            .flatten()
        {
            tokens.clear();
            crate::segment::class_tokens(value, &mut tokens);
            for token in tokens.drain(..) {
                words
                    .entry(crate::segment::token_hash(&token))
                    .or_insert(token);
            }
        }
    }
    words
}

/// One page's line in a batch's [`index`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexEntry {
    /// The page as the batch record names it.
    pub path: String,
    /// The report's file name, relative to the index (absent when the page failed).
    pub report: Option<String>,
    pub title: String,
    pub page_type: Option<String>,
    pub confidence: Option<f64>,
    pub kept_blocks: usize,
    pub dropped_blocks: usize,
    pub kept_words: u64,
    /// Why the page could not be explained, when it could not.
    pub error: Option<String>,
}

impl IndexEntry {
    /// The line of an explained page whose report is the file `report`.
    pub fn of(explanation: &Explanation, path: &str, report: &str) -> IndexEntry {
        let (kept_blocks, dropped_blocks, kept_words) = explanation.counts();
        IndexEntry {
            path: path.to_string(),
            report: Some(report.to_string()),
            title: explanation.extraction.title.clone(),
            page_type: explanation.extraction.page_type.map(|t| t.to_string()),
            confidence: explanation.extraction.confidence,
            kept_blocks,
            dropped_blocks,
            kept_words,
            error: None,
        }
    }

    /// The line of a page that failed.
    pub fn failed(path: &str, error: &str) -> IndexEntry {
        IndexEntry {
            path: path.to_string(),
            error: Some(error.to_string()),
            ..IndexEntry::default()
        }
    }
}

/// A file name for the report of the `seq`-th page of a batch named `path`: the number (so
/// names never collide) and the letters and digits of the path's last part.
pub fn report_file_name(seq: u64, path: &str) -> String {
    let last = path
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(path)
        .trim_end_matches(".gz");
    let stem = last
        .strip_suffix(".html")
        .or_else(|| last.strip_suffix(".htm"))
        .unwrap_or(last);
    let mut name: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(60)
        .collect();
    name = name.trim_matches('-').to_string();
    if name.is_empty() {
        format!("{:06}.html", seq + 1)
    } else {
        format!("{:06}-{name}.html", seq + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r#"<html><head><title>Storm repairs</title></head><body>
      <nav class="site-nav"><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a>
      <a href="/weather">Weather</a></nav>
      <article class="story"><h1>Harbour reopens after storm repairs</h1>
      <p>The harbour reopened on Monday after three months of repairs to the sea wall, which was
      badly damaged in the January storms, the port authority said in a statement.</p>
      <p>Fishing boats returned to their moorings by the afternoon, and the ferry to the islands
      will resume its full timetable next week, according to the operator.</p></article>
      <footer class="site-footer"><a href="/privacy">Privacy</a> · <a href="/terms">Terms</a>
      · © 2024 Coast News</footer></body></html>"#;

    fn explained() -> Explanation {
        let extractor = Extractor::with_default_model().unwrap().explain(true);
        explain_html(&extractor, PAGE, None)
    }

    #[test]
    fn every_block_has_reasons_on_the_side_of_its_label() {
        let explanation = explained();
        assert!(explanation.linear_first_pass);
        for (i, block) in explanation.blocks.iter().enumerate() {
            let side = if explanation.kept(i) {
                &block.towards_keeping
            } else {
                &block.towards_dropping
            };
            assert!(
                !side.is_empty(),
                "block {i} {:?} has no reasons",
                block.text()
            );
            assert!(side.windows(2).all(|w| w[0].push >= w[1].push));
            assert!(side.iter().all(|w| w.push > 0.0 && !w.words.contains("x_")));
        }
    }

    #[test]
    fn the_footer_is_named_by_its_class_words() {
        let explanation = explained();
        let footer = explanation
            .blocks
            .iter()
            .find(|b| b.text().contains("Privacy"))
            .unwrap();
        assert!(
            footer.class_words.iter().any(|w| w == "footer"),
            "{:?}",
            footer.class_words
        );
    }

    #[test]
    fn counts_add_up_to_the_blocks() {
        let explanation = explained();
        let (kept, dropped, words) = explanation.counts();
        assert_eq!(kept + dropped, explanation.blocks.len());
        assert!(kept >= 3 && dropped >= 1, "{kept} kept, {dropped} dropped");
        assert_eq!(
            words,
            explanation.extraction.text().split_whitespace().count() as u64
        );
    }

    #[test]
    fn report_file_names_are_plain_and_distinct() {
        assert_eq!(report_file_name(0, "crawl/a b.html"), "000001-a-b.html");
        assert_eq!(report_file_name(9, "x.jsonl:3"), "000010-x-jsonl-3.html");
        assert_eq!(
            report_file_name(2, "../<script>.htm.gz"),
            "000003-script.html"
        );
        assert_eq!(report_file_name(4, "-"), "000005.html");
    }
}
