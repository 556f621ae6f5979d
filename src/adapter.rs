//! The adapter: a small correction, fitted on a user's own pages, that an adapted model applies
//! on top of its base model's scores.
//!
//! This module holds what reading and applying an adapted model needs: the [`Adapter`] type,
//! its file format names, the check that it belongs to its base ([`Adapter::check`]) and
//! [`Adapter::adjust`], which moves each block's log-odds by the correction:
//!
//! ```text
//! adapted score = sigmoid(logit(base score) + w·x + b)
//! ```
//!
//! Fitting one lives in [`crate::adapt`], which runs the extractor over labelled pages; keeping
//! the two apart lets [`crate::model`] hold an adapter without depending on extraction.
//!
//! ```
//! use gleaner::adapter::{Adapter, ADAPTER_VERSION, DENSE_INPUTS};
//! use gleaner::Model;
//!
//! let base = Model::default_model().unwrap();
//! // An adapter that chose no correction leaves the base's scores as they are.
//! let idle = Adapter {
//!     version: ADAPTER_VERSION,
//!     base: base.base_record(),
//!     dense_mean: vec![0.0; DENSE_INPUTS.len()],
//!     dense_scale: vec![1.0; DENSE_INPUTS.len()],
//!     dense_weights: vec![0.0; DENSE_INPUTS.len()],
//!     intercept: 0.0,
//!     sparse: Vec::new(),
//!     penalty: None,
//!     pages: 0,
//!     blocks: 0,
//! };
//! assert!(idle.check(&base.base_record()).is_ok());
//! let page = gleaner::extract::segment_html("<p>Some text.</p>");
//! assert_eq!(idle.adjust(&page, &[0.2], &[0.7]), vec![0.7]);
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::segment::Page;
use crate::text::Fnv1a;

/// Format name of a model file that holds a base model and an [`Adapter`]. Builds that predate
/// adapting refuse such files (their format is not [`crate::model::MODEL_FORMAT`]) instead of
/// silently using the base alone.
pub const ADAPTED_MODEL_FORMAT: &str = "gleaner-adapted-block-model";

/// Version of the [`Adapter`]'s inputs and parameters; a file of another version is refused.
pub const ADAPTER_VERSION: u32 = 1;

/// Names of the dense inputs, in order.
pub const DENSE_INPUTS: [&str; 7] = [
    "base_logit",
    "first_pass_logit",
    "position",
    "log_words",
    "link_density",
    "heading",
    "short_block",
];

/// Log-odds are clipped to this, so that a saturated score cannot dominate the inputs.
const LOGIT_CLIP: f64 = 8.0;

/// Blocks of at most this many words also contribute their text as a sparse input.
const SHORT_WORDS: u32 = 12;

/// What the base model was, so that an adapter is never applied to another one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaseRecord {
    /// Feature schema of the base model.
    pub schema_version: u32,
    /// Digest of the base's first-pass, smoother and threshold parameters.
    pub digest: String,
    /// The base's provenance line.
    pub provenance: String,
}

/// The fitted correction: weights over [`DENSE_INPUTS`] (standardised) and over sparse keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Adapter {
    pub version: u32,
    pub base: BaseRecord,
    pub dense_mean: Vec<f64>,
    pub dense_scale: Vec<f64>,
    pub dense_weights: Vec<f64>,
    pub intercept: f64,
    /// `(key, weight)` sorted by key, for every key seen on the pages adapted on; keys are
    /// hashes of tokens, tag paths and short texts.
    pub sparse: Vec<(u64, f64)>,
    /// The L2 penalty chosen; `None` when no correction beat the base on held-out pages.
    pub penalty: Option<f64>,
    /// How many pages and labelled blocks it was fitted on.
    pub pages: usize,
    pub blocks: usize,
}

/// One block's inputs.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// Log-odds of the base's final score against the page's threshold.
    pub(crate) offset: f64,
    pub(crate) dense: [f64; DENSE_INPUTS.len()],
    pub(crate) sparse: Vec<u64>,
}

pub(crate) fn logit(p: f64) -> f64 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln().clamp(-LOGIT_CLIP, LOGIT_CLIP)
}

fn key(kind: u8, bytes: &[u8]) -> u64 {
    Fnv1a::new().bytes(&[kind]).bytes(bytes).finish()
}

/// The adapter's inputs of every block of a scored page; `offsets` are logit(score) minus
/// logit(threshold) when fitting and logit(score) when applying.
pub(crate) fn rows(page: &Page, first_scores: &[f64], scores: &[f64], shift: f64) -> Vec<Row> {
    let n = page.blocks.len().max(1) as f64;
    page.blocks
        .iter()
        .zip(first_scores.iter().zip(scores))
        .enumerate()
        .map(|(i, (block, (&first, &score)))| {
            let mut sparse: Vec<u64> = Vec::new();
            sparse.extend(
                block
                    .near_tokens
                    .iter()
                    .map(|t| key(b'n', &t.to_le_bytes())),
            );
            sparse.extend(block.far_tokens.iter().map(|t| key(b'f', &t.to_le_bytes())));
            sparse.push(key(b'p', block.tag_path.as_bytes()));
            let short = block.words <= SHORT_WORDS;
            if short {
                sparse.push(key(b't', block.text.to_lowercase().as_bytes()));
            }
            sparse.sort_unstable();
            sparse.dedup();
            let base = logit(score);
            Row {
                offset: base - shift,
                dense: [
                    base,
                    logit(first),
                    i as f64 / n,
                    f64::from(block.words).ln_1p(),
                    f64::from(block.link_chars) / f64::from(block.chars.max(1)),
                    f64::from(u8::from(block.heading_level > 0)),
                    f64::from(u8::from(short)),
                ],
                sparse,
            }
        })
        .collect()
}

impl Adapter {
    /// Checks that the adapter can be applied to the base model that `base` identifies (see
    /// [`crate::Model::base_record`]): its version is this build's and it was fitted on this
    /// very base. The error says what to do.
    pub fn check(&self, base: &BaseRecord) -> Result<()> {
        if self.version != ADAPTER_VERSION {
            return Err(Error::Model(format!(
                "this model was adapted with adapter format v{}, but this gleaner reads v{}; \
                 adapt the base again with `gleaner train --data PAGES --base ...`",
                self.version, ADAPTER_VERSION
            )));
        }
        let expected = base;
        if self.base.schema_version != expected.schema_version
            || self.base.digest != expected.digest
        {
            return Err(Error::Model(format!(
                "this model's adapter was fitted on another base model (schema v{}, digest {}) \
                 than the one it holds (schema v{}, digest {}); adapt again with `gleaner train \
                 --data PAGES --base ...`",
                self.base.schema_version,
                self.base.digest,
                expected.schema_version,
                expected.digest
            )));
        }
        let n = DENSE_INPUTS.len();
        if self.dense_mean.len() != n
            || self.dense_scale.len() != n
            || self.dense_weights.len() != n
        {
            return Err(Error::Model(
                "corrupt adapted model: its adapter has the wrong number of inputs".into(),
            ));
        }
        let finite = self
            .dense_weights
            .iter()
            .chain(&self.dense_mean)
            .chain(&self.dense_scale)
            .chain(self.sparse.iter().map(|(_, w)| w))
            .chain(std::iter::once(&self.intercept))
            .all(|v| v.is_finite());
        if !finite || self.sparse.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err(Error::Model(
                "corrupt adapted model: its adapter's weights are damaged or were edited by hand"
                    .into(),
            ));
        }
        Ok(())
    }

    fn correction(&self, row: &Row) -> f64 {
        let dense = standardised_dot(
            row,
            &self.dense_mean,
            &self.dense_scale,
            &self.dense_weights,
        );
        let mut known = 0usize;
        let mut sparse = 0.0;
        for k in &row.sparse {
            if let Ok(i) = self.sparse.binary_search_by_key(k, |(key, _)| *key) {
                known += 1;
                sparse += self.sparse[i].1;
            }
        }
        sparse + coverage(known, row) * (dense + self.intercept)
    }

    /// The adapted final scores of a page the base scored: each block's log-odds moved by the
    /// correction. Decided against the base's threshold as before.
    pub fn adjust(&self, page: &Page, first_scores: &[f64], scores: &[f64]) -> Vec<f64> {
        if self.penalty.is_none() {
            return scores.to_vec();
        }
        rows(page, first_scores, scores, 0.0)
            .iter()
            .map(|row| crate::fitted::sigmoid(row.offset + self.correction(row)))
            .collect()
    }
}

/// `w · (x - mean) / scale` over a row's dense inputs.
pub(crate) fn standardised_dot(row: &Row, mean: &[f64], scale: &[f64], weights: &[f64]) -> f64 {
    row.dense
        .iter()
        .zip(mean)
        .zip(scale)
        .zip(weights)
        .map(|(((x, m), s), w)| w * (x - m) / s)
        .sum()
}

/// The share of a block's sparse keys seen on the pages adapted on: the dense part of the
/// correction (and its intercept) applies in that proportion, so that a block of a template
/// the user's pages did not show keeps (mostly) the base's score.
pub(crate) fn coverage(known: usize, row: &Row) -> f64 {
    if row.sparse.is_empty() {
        0.0
    } else {
        known as f64 / row.sparse.len() as f64
    }
}
