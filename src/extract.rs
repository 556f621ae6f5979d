//! The extraction pipeline, as a named sequence of steps you can follow top to bottom:
//! [`decode`] → [`parse`](crate::parse) (`scraper`) → [`segment`](crate::segment) →
//! [`features`](crate::features) → classify ([`Model`]) → [`smooth`](crate::smooth) → decide.

use crate::decode::{self, Decoded, DEFAULT_MAX_BYTES};
use crate::error::Result;
use crate::label::Label;
use crate::model::{top_reasons, Classifier, Model, Reason};
use crate::segment::{segment, Block, Page};
use crate::smooth::smoothing_rows_with_words;

/// Runs the pipeline with one model. Cheap to share across threads.
#[derive(Debug, Clone)]
pub struct Extractor {
    model: Model,
    max_bytes: usize,
    explain: bool,
    name_kinds: bool,
}

/// A block with its scores and final label.
#[derive(Debug, Clone)]
pub struct ScoredBlock {
    pub block: Block,
    /// First-pass content probability from the block's own features.
    pub first_score: f64,
    /// Final content probability after smoothing.
    pub score: f64,
    /// `Content`, or the kind of noise.
    pub label: Label,
    /// For dropped blocks, when the extractor explains: the strongest features behind the kind.
    pub reasons: Vec<Reason>,
}

/// What the pipeline found in one page.
#[derive(Debug, Clone)]
pub struct Extraction {
    pub title: String,
    /// Clickbait probability of the title (0–1), from the headline model.
    pub title_clickbait: Option<f64>,
    pub blocks: Vec<ScoredBlock>,
    /// Charset used to read the page, when it came in as bytes.
    pub encoding: Option<&'static str>,
    /// The page was longer than the byte limit and only its start was read.
    pub truncated: bool,
}

impl Extraction {
    /// The article text: content blocks, paragraphs separated by blank lines.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for scored in self.blocks.iter().filter(|b| b.label.is_content()) {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&scored.block.text);
        }
        out
    }
}

/// Intermediate results of the scoring steps, shared by extraction and training.
pub struct Scored {
    pub page: Page,
    pub features: ndarray::Array2<f64>,
    pub first_scores: Vec<f64>,
    pub scores: Vec<f64>,
}

impl Extractor {
    pub fn new(model: Model) -> Self {
        Extractor {
            model,
            max_bytes: DEFAULT_MAX_BYTES,
            explain: false,
            name_kinds: true,
        }
    }

    /// An extractor with the model shipped inside the binary.
    pub fn with_default_model() -> Result<Self> {
        Ok(Extractor::new(Model::default_model()?))
    }

    /// Pages longer than this (after gzip) are cut at this size.
    pub fn max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Also record, for every dropped block, the features that made it that kind of noise.
    pub fn explain(mut self, explain: bool) -> Self {
        self.explain = explain;
        self
    }

    /// Name the kind of noise (`boilerplate`, `teaser`, `promo`) of every dropped block; on by
    /// default. Off, dropped blocks are all labelled `noise`: the text is the same, and a
    /// batch that writes only text spares the kind classifier's time.
    pub fn name_kinds(mut self, name_kinds: bool) -> Self {
        self.name_kinds = name_kinds;
        self
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Extracts from raw bytes (plain or gzip, any charset).
    pub fn extract_bytes(&self, bytes: &[u8]) -> Result<Extraction> {
        self.extract_bytes_with_charset(bytes, None)
    }

    /// As [`Extractor::extract_bytes`], with a charset label known from outside the page
    /// (an HTTP `Content-Type` header), which outranks the page's own declaration.
    pub fn extract_bytes_with_charset(
        &self,
        bytes: &[u8],
        charset: Option<&str>,
    ) -> Result<Extraction> {
        let Decoded {
            html,
            encoding,
            truncated,
            ..
        } = decode::decode(bytes, charset, self.max_bytes)?;
        let mut extraction = self.extract_html(&html);
        extraction.encoding = Some(encoding);
        extraction.truncated = truncated;
        Ok(extraction)
    }

    /// Extracts from an HTML string.
    pub fn extract_html(&self, html: &str) -> Extraction {
        let document = crate::parse::parse_document(html);
        let page = segment(&document);
        drop(document);
        self.decide(self.score_page(page))
    }

    /// Steps 4–6: features, first-pass classification and smoothing.
    pub fn score_page(&self, page: Page) -> Scored {
        let (features, content_words) = self.model.page_rows(&page);
        let first_scores = self.model.first_pass_scores(&features);
        let scores = match &self.model.smoother {
            Some(smoother) => smoother.scores(&smoothing_rows_with_words(
                &page,
                &features,
                &first_scores,
                &content_words,
            )),
            None => first_scores.clone(),
        };
        Scored {
            page,
            features,
            first_scores,
            scores,
        }
    }

    /// Step 7: threshold the final scores into content, or the kind of noise.
    pub fn decide(&self, scored: Scored) -> Extraction {
        const REASONS: usize = 3;
        let title = page_title(&scored.page);
        let threshold = self.model.threshold;
        let blocks = scored
            .page
            .blocks
            .into_iter()
            .zip(scored.first_scores.iter().zip(&scored.scores))
            .enumerate()
            .map(|(i, (block, (&first_score, &score)))| {
                let row = scored.features.row(i);
                let (label, reasons) = if score >= threshold {
                    (Label::Content, Vec::new())
                } else if !self.name_kinds && !self.explain {
                    (Label::Noise, Vec::new())
                } else {
                    match (self.model.kind_of(row), &self.model.first_pass) {
                        (Some(kind), _) => {
                            let reasons = match &self.model.kinds {
                                Some(kinds) if self.explain => {
                                    kinds.reasons(self.model.scale_row(row).view(), kind, REASONS)
                                }
                                _ => Vec::new(),
                            };
                            (kinds_label(&self.model, kind), reasons)
                        }
                        (None, Classifier::Logistic { weights, .. }) if self.explain => {
                            // Features pushing towards noise: negative weight × value.
                            (
                                Label::Noise,
                                top_reasons(
                                    self.model.scale_row(row).view(),
                                    weights.iter().map(|w| -w),
                                    REASONS,
                                ),
                            )
                        }
                        _ => (Label::Noise, Vec::new()),
                    }
                };
                ScoredBlock {
                    block,
                    first_score,
                    score,
                    label,
                    reasons,
                }
            })
            .collect();
        let title_clickbait = (!title.trim().is_empty())
            .then(|| crate::clickbait::default_model().map(|m| m.score(&title)))
            .flatten();
        Extraction {
            title,
            title_clickbait,
            blocks,
            encoding: None,
            truncated: false,
        }
    }
}

fn kinds_label(model: &Model, kind: usize) -> Label {
    model
        .kinds
        .as_ref()
        .and_then(|k| k.kinds.get(kind).copied())
        .unwrap_or(Label::Noise)
}

/// The page's headline: its `og:title`, else its first `<h1>`, else its `<title>`.
pub fn page_title(page: &Page) -> String {
    page.meta_title
        .clone()
        .or_else(|| {
            page.blocks
                .iter()
                .find(|b| b.heading_level == 1)
                .map(|b| b.text.clone())
        })
        .unwrap_or_else(|| page.title.clone())
}
