//! Stage 7 — output: plain text, and JSON records for single pages and batches.

use serde::Serialize;

use crate::error::Error;
use crate::extract::{Extraction, Extractor, ScoredBlock};
use crate::features::FeatureSchema;

/// One page's result, as `gleaner extract --format json` prints it and as one line of
/// `gleaner batch` output. Field names are a contract other tools rely on.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Record {
    /// The input as it was found (batch only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub title: String,
    /// Clickbait probability (0–1) of the page's headline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_clickbait: Option<f64>,
    /// The article text (as Markdown or HTML with `--format`); empty when `error` is set.
    pub text: String,
    /// Why this page failed, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The kind of failure: io, empty, decode, too_large, panic, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<&'static str>,
    /// Set when the page was over the size limit and only its start was read.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// What kind of page it is: article, service, forum, listing, product, collection or
    /// documentation (when the model has a page-type classifier).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_type: Option<crate::page_type::PageType>,
    /// The model's estimate (0–1) of how well this page was extracted: a pipeline can send
    /// pages below a cut-off elsewhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// The page's metadata (author, date_published, date_modified, site_name, language,
    /// canonical_url, description, image, tags), each field written when the page has it.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<crate::metadata::Metadata>,
    /// Every block with its label and score (on request).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blocks: Option<Vec<BlockRecord>>,
}

/// A block in JSON output.
#[derive(Debug, Clone, Serialize)]
pub struct BlockRecord {
    pub index: usize,
    pub text: String,
    pub tag: String,
    pub tag_path: String,
    /// `content`, or the kind of noise.
    pub label: &'static str,
    /// Final content probability.
    pub score: f64,
    /// Content probability before smoothing.
    pub first_score: f64,
    /// A hand label found on the page (`data-gleaner-label`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gold_label: Option<&'static str>,
    /// For dropped blocks: the features that made it this kind of noise (standardised value,
    /// and its push towards the decision).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<crate::model::Reason>,
    /// Feature values by name (`gleaner blocks` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub features: Option<serde_json::Map<String, serde_json::Value>>,
}

impl Record {
    pub fn from_extraction(extraction: &Extraction, with_blocks: bool) -> Record {
        Record {
            path: None,
            title: extraction.title.clone(),
            title_clickbait: extraction.title_clickbait.map(round),
            text: extraction.formatted(),
            error: None,
            error_kind: None,
            encoding: extraction.encoding,
            truncated: extraction.truncated,
            page_type: extraction.page_type,
            confidence: extraction.confidence.map(round),
            metadata: extraction.metadata.clone(),
            blocks: with_blocks.then(|| {
                extraction
                    .blocks
                    .iter()
                    .enumerate()
                    .map(|(i, b)| block_record(i, b))
                    .collect()
            }),
        }
    }

    pub fn from_error(error: &Error) -> Record {
        Record {
            error: Some(error.to_string()),
            error_kind: Some(error.kind()),
            ..Record::default()
        }
    }

    pub fn with_path(mut self, path: impl Into<String>) -> Record {
        self.path = Some(path.into());
        self
    }

    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).expect("records serialise")
    }
}

pub fn block_record(index: usize, scored: &ScoredBlock) -> BlockRecord {
    BlockRecord {
        index,
        text: scored.block.text.clone(),
        tag: scored.block.tag.to_string(),
        tag_path: scored.block.tag_path.clone(),
        label: scored.label.as_str(),
        score: round(scored.score),
        first_score: round(scored.first_score),
        gold_label: scored.block.label.map(|l| l.as_str()),
        reasons: scored
            .reasons
            .iter()
            .map(|r| crate::model::Reason {
                value: round(r.value),
                weight: round(r.weight),
                ..r.clone()
            })
            .collect(),
        features: None,
    }
}

/// Feature values of one row by name, for the debugging view.
pub fn named_features(
    row: ndarray::ArrayView1<'_, f64>,
) -> serde_json::Map<String, serde_json::Value> {
    FeatureSchema::current()
        .names()
        .iter()
        .zip(row.iter())
        .filter(|(_, v)| **v != 0.0)
        .map(|(name, v)| (name.clone(), serde_json::json!(round(*v))))
        .collect()
}

fn round(v: f64) -> f64 {
    (v * 10_000.0).round() / 10_000.0
}

/// Every block of a page with its features, scores and label, as `gleaner blocks` prints
/// them: the page is decoded (up to [`DEFAULT_MAX_BYTES`](crate::decode::DEFAULT_MAX_BYTES)),
/// segmented and scored by `extractor`; the records carry the reasons of each decision when
/// it explains them ([`Extractor::explain`]).
pub fn page_block_records(extractor: &Extractor, bytes: &[u8]) -> Result<Vec<BlockRecord>, Error> {
    page_block_records_from(
        extractor,
        bytes,
        None,
        crate::decode::DEFAULT_MAX_BYTES,
        None,
    )
}

/// [`page_block_records`] for a page with an HTTP header's `charset`, a size limit and the
/// `url` it was fetched from, when known (as the Python package's `blocks` takes them).
pub fn page_block_records_from(
    extractor: &Extractor,
    bytes: &[u8],
    charset: Option<&str>,
    max_bytes: usize,
    url: Option<&str>,
) -> Result<Vec<BlockRecord>, Error> {
    let decoded = crate::decode::decode(bytes, charset, max_bytes)?;
    let page = crate::extract::segment_html(&decoded.html);
    let scored = extractor.score_page_from(page, url);
    let features = scored.features.clone();
    let extraction = extractor.decide(scored);
    Ok(extraction
        .blocks
        .iter()
        .enumerate()
        .map(|(i, block)| {
            let mut record = block_record(i, block);
            record.features = Some(named_features(features.row(i)));
            record
        })
        .collect())
}
