//! Adapting a trained model to one site from a handful of its labelled pages.
//!
//! A user rarely has the thousands of pages a block model is trained on, but often has a few
//! labelled pages of the site they care about. [`adapt`] keeps the base model whole and fits a
//! small correction on top of it, from those pages only: a logistic model *stacked* on the
//! base's scores. For each block it adds a learnt amount to the log-odds of the base's final
//! score:
//!
//! ```text
//! adapted score = sigmoid(logit(base score) + w·x + b)
//! ```
//!
//! where `x` holds a few dense inputs (the base's first-pass and final log-odds, the block's
//! position, length, link density, whether it is a heading) and sparse indicators that are
//! what a site's template repeats: the block's class/id tokens (near and far ancestors apart),
//! its tag path, and the text of short blocks ("Add to basket", "Customer reviews"). The base's
//! threshold (per page type) stays, so with `w = b = 0` the adapted model decides exactly as
//! the base does. The dense part and `b` count in proportion to the share of the block's
//! sparse keys that the user's pages showed, so that a page of another template keeps
//! (mostly) the base's decisions. The correction is fitted with an L2 penalty whose strength is chosen by
//! leave-one-page-out on the user's pages among a few candidates, *no correction at all*
//! included: a correction is kept only when it raised the mean word F1 of held-out pages (by
//! 0.01) and lowered none of them (by more than 0.005).
//!
//! The adapted model is an ordinary [`Model`] file (format [`ADAPTED_MODEL_FORMAT`]) that holds
//! the base model and the [`Adapter`] (in [`crate::adapter`], with what applying it needs; this
//! module only fits one); `extract --model` reads it like any other. It records
//! the base's schema version and a digest of the base's parameters, and loading refuses a file
//! whose adapter format or base does not match (see [`Adapter::check`]).
//!
//! ```
//! use gleaner::adapt::{adapt, AdaptPage};
//! use gleaner::{Extractor, Label, Model};
//!
//! let base = Model::default_model().unwrap();
//! // A site whose "Sale now on" line above each article the base keeps as content.
//! let html = |n: usize| {
//!     format!(
//!         "<html><body><div class=shopnote>Sale now on: all tents half price</div><article>\
//!          <h1>Trail report {n}</h1><p>The path along the ridge was dry and firm for most of \
//!          the day, and the views over the valley were clear until the late afternoon.</p>\
//!          <p>We camped by the lake and walked back down through the forest in the morning, \
//!          meeting only a few other walkers on the way.</p></article></body></html>"
//!     )
//! };
//! let pages: Vec<AdaptPage> = (0..3)
//!     .map(|n| {
//!         let page = gleaner::extract::segment_html(&html(n));
//!         let labels = page
//!             .blocks
//!             .iter()
//!             .map(|b| Some(if b.text.starts_with("Sale") { Label::Promo } else { Label::Content }))
//!             .collect();
//!         AdaptPage { page, labels, url: None }
//!     })
//!     .collect();
//! let (adapted, report) = adapt(&base, &pages).unwrap();
//! assert_eq!(report.pages, 3);
//! let model = Model::from_json(adapted.to_json().as_bytes()).unwrap();
//! assert!(model.adapter.is_some());
//! let text = Extractor::new(model).extract_html(&html(7)).text();
//! assert!(text.contains("camped by the lake"));
//! ```

use std::collections::HashMap;

use crate::adapter::{coverage, logit, rows, standardised_dot, Row};
pub use crate::adapter::{
    Adapter, BaseRecord, ADAPTED_MODEL_FORMAT, ADAPTER_VERSION, DENSE_INPUTS,
};
use crate::error::{Error, Result};
use crate::extract::Extractor;
use crate::label::Label;
use crate::model::Model;
use crate::segment::Page;

/// Candidate L2 penalties, weakest last; the chosen one is the best by leave-one-page-out.
const PENALTIES: [f64; 4] = [30.0, 10.0, 3.0, 1.0];

/// A correction is kept when it raises the held-out pages' mean word F1 by this much …
const MIN_GAIN: f64 = 0.01;
/// … and lowers no held-out page's by more than this.
const MAX_PAGE_LOSS: f64 = 0.005;

/// A labelled page to adapt on: its blocks, a label (or none) per block, its URL if known.
#[derive(Debug, Clone)]
pub struct AdaptPage {
    pub page: Page,
    pub labels: Vec<Option<Label>>,
    pub url: Option<String>,
}

/// What adapting found, for the user.
#[derive(Debug, Clone, PartialEq)]
pub struct AdaptReport {
    pub pages: usize,
    pub blocks: usize,
    /// Mean word F1 of held-out pages (leave one page out) by the base alone and by the
    /// chosen correction (the same when none was chosen).
    pub base_f1: f64,
    pub adapted_f1: f64,
    pub penalty: Option<f64>,
}

/// One page's rows and 0/1 targets (content or not), labelled blocks only.
struct PageRows {
    rows: Vec<Row>,
    targets: Vec<f64>,
    /// Words of each row's block, for the word F1 of a page.
    words: Vec<f64>,
}

fn page_rows(base: &Extractor, page: &AdaptPage) -> PageRows {
    let scored = base.score_page_from(page.page.clone(), page.url.as_deref());
    let threshold = base.model().threshold_for(scored.page_type.as_ref());
    let all = rows(
        &scored.page,
        &scored.first_scores,
        &scored.scores,
        logit(threshold),
    );
    let mut out = PageRows {
        rows: Vec::new(),
        targets: Vec::new(),
        words: Vec::new(),
    };
    for ((row, label), block) in all.into_iter().zip(&page.labels).zip(&page.page.blocks) {
        if let Some(label) = label {
            out.rows.push(row);
            out.targets.push(f64::from(u8::from(label.is_content())));
            out.words.push(f64::from(block.words));
        }
    }
    out
}

/// A correction being fitted: dense weights, intercept and one weight per sparse key index.
struct Fit {
    mean: Vec<f64>,
    scale: Vec<f64>,
    keys: HashMap<u64, usize>,
    /// `[dense..., intercept, sparse...]`.
    theta: Vec<f64>,
}

const D: usize = DENSE_INPUTS.len();

impl Fit {
    fn new(pages: &[&PageRows]) -> Fit {
        let rows: Vec<&Row> = pages.iter().flat_map(|p| &p.rows).collect();
        let n = rows.len().max(1) as f64;
        let mean: Vec<f64> = (0..D)
            .map(|j| rows.iter().map(|r| r.dense[j]).sum::<f64>() / n)
            .collect();
        let scale = (0..D)
            .map(|j| {
                let var = rows
                    .iter()
                    .map(|r| (r.dense[j] - mean[j]).powi(2))
                    .sum::<f64>()
                    / n;
                if var > 1e-12 {
                    var.sqrt()
                } else {
                    1.0
                }
            })
            .collect();
        let mut keys = HashMap::new();
        for row in &rows {
            for k in &row.sparse {
                let next = keys.len();
                keys.entry(*k).or_insert(next);
            }
        }
        let theta = vec![0.0; D + 1 + keys.len()];
        Fit {
            mean,
            scale,
            keys,
            theta,
        }
    }

    /// The block's log-odds under `theta`, and the share of its keys this fit knows.
    fn margin(&self, row: &Row, theta: &[f64]) -> (f64, f64) {
        let mut known = 0usize;
        let mut sparse = 0.0;
        for k in &row.sparse {
            if let Some(&i) = self.keys.get(k) {
                known += 1;
                sparse += theta[D + 1 + i];
            }
        }
        let share = coverage(known, row);
        let dense = standardised_dot(row, &self.mean, &self.scale, &theta[..D]);
        (row.offset + sparse + share * (dense + theta[D]), share)
    }

    /// Penalised log loss and its gradient.
    fn loss(&self, pages: &[&PageRows], theta: &[f64], penalty: f64) -> (f64, Vec<f64>) {
        let mut grad: Vec<f64> = theta.iter().map(|t| penalty * t).collect();
        let mut loss = 0.5 * penalty * theta.iter().map(|t| t * t).sum::<f64>();
        for page in pages {
            for (row, &y) in page.rows.iter().zip(&page.targets) {
                let (z, share) = self.margin(row, theta);
                // log(1 + e^z) - y z, computed stably.
                loss += z.max(0.0) + (-z.abs()).exp().ln_1p() - y * z;
                let residual = crate::fitted::sigmoid(z) - y;
                let dense = residual * share;
                for (((g, x), m), s) in grad
                    .iter_mut()
                    .zip(&row.dense)
                    .zip(&self.mean)
                    .zip(&self.scale)
                {
                    *g += dense * (x - m) / s;
                }
                grad[D] += dense;
                for k in &row.sparse {
                    if let Some(&i) = self.keys.get(k) {
                        grad[D + 1 + i] += residual;
                    }
                }
            }
        }
        (loss, grad)
    }

    /// Gradient descent with a backtracking line search; the objective is strongly convex.
    fn solve(mut self, pages: &[&PageRows], penalty: f64) -> Fit {
        let mut step = 1.0 / penalty;
        let (mut loss, mut grad) = self.loss(pages, &self.theta, penalty);
        for _ in 0..300 {
            let norm2: f64 = grad.iter().map(|g| g * g).sum();
            if norm2 < 1e-10 {
                break;
            }
            loop {
                let candidate: Vec<f64> = self
                    .theta
                    .iter()
                    .zip(&grad)
                    .map(|(t, g)| t - step * g)
                    .collect();
                let (new_loss, new_grad) = self.loss(pages, &candidate, penalty);
                if new_loss <= loss - 0.5 * step * norm2 || step < 1e-12 {
                    self.theta = candidate;
                    loss = new_loss;
                    grad = new_grad;
                    step *= 1.5;
                    break;
                }
                step *= 0.5;
            }
        }
        self
    }

    fn into_adapter(self, base: BaseRecord, penalty: f64, pages: usize, blocks: usize) -> Adapter {
        let mut sparse: Vec<(u64, f64)> = self
            .keys
            .iter()
            .map(|(k, &i)| (*k, self.theta[D + 1 + i]))
            .collect();
        sparse.sort_by_key(|(k, _)| *k);
        Adapter {
            version: ADAPTER_VERSION,
            base,
            dense_mean: self.mean,
            dense_scale: self.scale,
            dense_weights: self.theta[..D].to_vec(),
            intercept: self.theta[D],
            sparse,
            penalty: Some(penalty),
            pages,
            blocks,
        }
    }
}

/// Word F1 of one page's labelled blocks: content words kept against content words labelled.
fn page_word_f1(page: &PageRows, keep: impl Fn(&Row) -> bool) -> f64 {
    let (mut tp, mut kept, mut gold) = (0.0, 0.0, 0.0);
    for ((row, &y), &w) in page.rows.iter().zip(&page.targets).zip(&page.words) {
        let k = keep(row);
        if k {
            kept += w;
        }
        if y > 0.5 {
            gold += w;
            if k {
                tp += w;
            }
        }
    }
    match (kept > 0.0, gold > 0.0) {
        (false, false) => 1.0,
        (false, _) | (_, false) => 0.0,
        _ => {
            let (p, r) = (tp / kept, tp / gold);
            if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            }
        }
    }
}

/// Adapts `base` to the labelled `pages`: returns the adapted model (the base with an
/// [`Adapter`]) and what leave-one-page-out found. Needs at least one page with a labelled
/// block; with one page there is nothing to hold out, and the mildest correction is kept.
pub fn adapt(base: &Model, pages: &[AdaptPage]) -> Result<(Model, AdaptReport)> {
    let base = base.clone().without_adapter();
    let extractor = Extractor::new(base.clone());
    let rows: Vec<PageRows> = pages
        .iter()
        .map(|p| page_rows(&extractor, p))
        .filter(|p| !p.rows.is_empty())
        .collect();
    let blocks: usize = rows.iter().map(|p| p.rows.len()).sum();
    if rows.is_empty() {
        return Err(Error::Training(
            "no labelled block in the pages to adapt on: label pages with `gleaner label` or \
             data-gleaner-label attributes first"
                .into(),
        ));
    }
    let base_kept = |row: &Row| row.offset >= 0.0;
    let base_f1s: Vec<f64> = rows.iter().map(|p| page_word_f1(p, base_kept)).collect();
    let base_f1 = base_f1s.iter().sum::<f64>() / rows.len() as f64;
    // Leave one page out: the mean held-out word F1 of each penalty, against the base's.
    let mut best: (Option<f64>, f64) = (None, base_f1);
    if rows.len() >= 2 {
        for penalty in PENALTIES {
            let mut total = 0.0;
            let mut worst = 0.0f64;
            for held in 0..rows.len() {
                let train: Vec<&PageRows> = rows
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != held)
                    .map(|(_, p)| p)
                    .collect();
                let fit = Fit::new(&train).solve(&train, penalty);
                let f1 = page_word_f1(&rows[held], |row| fit.margin(row, &fit.theta).0 >= 0.0);
                worst = worst.min(f1 - base_f1s[held]);
                total += f1;
            }
            let f1 = total / rows.len() as f64;
            // Kept only when it helps held-out pages clearly and harms none of them.
            if f1 >= best.1 + MIN_GAIN && worst >= -MAX_PAGE_LOSS {
                best = (Some(penalty), f1);
            }
        }
    } else {
        best = (Some(PENALTIES[0]), base_f1);
    }
    let record = base.base_record();
    let adapter = match best.0 {
        Some(penalty) => {
            let all: Vec<&PageRows> = rows.iter().collect();
            Fit::new(&all)
                .solve(&all, penalty)
                .into_adapter(record, penalty, rows.len(), blocks)
        }
        None => Adapter {
            version: ADAPTER_VERSION,
            base: record,
            dense_mean: vec![0.0; D],
            dense_scale: vec![1.0; D],
            dense_weights: vec![0.0; D],
            intercept: 0.0,
            sparse: Vec::new(),
            penalty: None,
            pages: rows.len(),
            blocks,
        },
    };
    let report = AdaptReport {
        pages: rows.len(),
        blocks,
        base_f1,
        adapted_f1: best.1,
        penalty: best.0,
    };
    Ok((base.with_adapter(adapter), report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_adapter_for_another_base_is_refused() {
        let base = Model::default_model().unwrap();
        let page = crate::extract::segment_html(
            "<div class=x>Buy now</div><p>A long paragraph of article text that goes on for a \
             while about the weather and the harbour and the boats.</p>",
        );
        let labels = vec![Some(Label::Promo), Some(Label::Content)];
        let (adapted, _) = adapt(
            &base,
            &[AdaptPage {
                page,
                labels,
                url: None,
            }],
        )
        .unwrap();
        let mut json: serde_json::Value = serde_json::from_str(&adapted.to_json()).unwrap();
        json["adapter"]["base"]["digest"] = serde_json::json!("0000000000000000");
        let error = Model::from_json(json.to_string().as_bytes())
            .unwrap_err()
            .to_string();
        assert!(error.contains("another base model"), "{error}");
        json["adapter"]["version"] = serde_json::json!(99);
        let error = Model::from_json(json.to_string().as_bytes())
            .unwrap_err()
            .to_string();
        assert!(error.contains("adapter format v99"), "{error}");
    }

    #[test]
    fn without_labelled_blocks_adapting_is_an_error() {
        let base = Model::default_model().unwrap();
        let page = crate::extract::segment_html("<p>Text</p>");
        let pages = [AdaptPage {
            labels: vec![None; page.blocks.len()],
            page,
            url: None,
        }];
        assert!(adapt(&base, &pages).is_err());
    }
}
