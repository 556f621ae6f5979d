//! How well was this page extracted? An estimate a pipeline can route on.
//!
//! Data flow: a page's final block scores (with its first-pass scores, its blocks and its
//! page-type probabilities) → [`extraction_signals`], one row of page-level numbers →
//! [`ConfidenceModel`], a linear regression fitted with linfa on *out-of-fold* extractions of
//! the training pages against their true word F1 → a number in 0–1.
//!
//! The signals are what makes an extraction doubtful: many blocks scored near the threshold,
//! a first pass and a second pass that disagree, kept text scattered in many short runs, little
//! text kept at all, or a page type the classifier is unsure of.
//!
//! ```
//! use gleaner::confidence::{extraction_signals, ConfidenceModel};
//! let page = gleaner::extract::segment_html(
//!     "<p>A first paragraph of the article, long enough to count as prose for sure.</p>\
//!      <p>A second paragraph of the article, also long enough to count as prose here.</p>\
//!      <p><a href=/>Home</a></p>",
//! );
//! let clear = extraction_signals(&page, &[0.95, 0.97, 0.02], &[0.9, 0.95, 0.05], 0.5, None);
//! let doubtful = extraction_signals(&page, &[0.55, 0.45, 0.48], &[0.6, 0.4, 0.5], 0.5, None);
//! let model = ConfidenceModel::fit(
//!     &[clear.clone(), doubtful.clone(), clear.clone(), doubtful.clone()],
//!     &[0.95, 0.4, 0.9, 0.5],
//! )
//! .unwrap();
//! assert!(model.confidence(&clear) > model.confidence(&doubtful));
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::segment::Page;

/// Scores this close to the threshold make a block doubtful.
const NEAR: f64 = 0.15;

/// Names of the [`extraction_signals`] columns, in order.
pub const SIGNAL_NAMES: &[&str] = &[
    "log_page_words",
    "kept_word_share",
    "log_kept_words",
    "log_kept_blocks",
    "near_threshold_word_share",
    "near_threshold_kept_share",
    "mean_kept_margin",
    "mean_dropped_margin",
    "pass_disagreement_share",
    "kept_runs_per_kept_block",
    "kept_link_density",
    "kept_share_in_largest_container",
    "page_type_max",
    "page_type.article",
    "page_type.service",
    "page_type.forum",
    "page_type.listing",
    "page_type.product",
    "page_type.collection",
    "page_type.documentation",
];

/// The page-level numbers the [`ConfidenceModel`] reads, for a page's blocks with their first
/// and final scores, the model's threshold and the page-type probabilities (if any).
pub fn extraction_signals(
    page: &Page,
    first_scores: &[f64],
    scores: &[f64],
    threshold: f64,
    page_type: Option<&[f64; 7]>,
) -> Vec<f64> {
    let words: Vec<f64> = page.blocks.iter().map(|b| f64::from(b.words)).collect();
    let total = words.iter().sum::<f64>().max(1.0);
    let kept: Vec<bool> = scores.iter().map(|&s| s >= threshold).collect();
    let kept_words: f64 = words
        .iter()
        .zip(&kept)
        .filter(|(_, &k)| k)
        .map(|(w, _)| w)
        .sum();
    let kept_blocks = kept.iter().filter(|&&k| k).count();
    let near = |s: f64| (s - threshold).abs() < NEAR;
    let near_words: f64 = words
        .iter()
        .zip(scores)
        .filter(|(_, &s)| near(s))
        .map(|(w, _)| w)
        .sum();
    let near_kept: f64 = words
        .iter()
        .zip(scores)
        .filter(|(_, &s)| s >= threshold && near(s))
        .map(|(w, _)| w)
        .sum();
    let margin = |keep: bool| {
        let (sum, weight) = words
            .iter()
            .zip(scores)
            .filter(|(_, &s)| (s >= threshold) == keep)
            .fold((0.0, 0.0), |(sum, weight), (w, s)| {
                (sum + w * (s - threshold).abs(), weight + w)
            });
        if weight > 0.0 {
            sum / weight
        } else {
            0.0
        }
    };
    let disagreement: f64 = words
        .iter()
        .zip(first_scores.iter().zip(scores))
        .filter(|(_, (&f, &s))| (f >= 0.5) != (s >= threshold))
        .map(|(w, _)| w)
        .sum();
    let runs = kept
        .iter()
        .enumerate()
        .filter(|&(i, &k)| k && (i == 0 || !kept[i - 1]))
        .count();
    let (kept_chars, kept_link_chars) = page
        .blocks
        .iter()
        .zip(&kept)
        .filter(|(_, &k)| k)
        .fold((0.0, 0.0), |(c, l), (b, _)| {
            (c + f64::from(b.chars), l + f64::from(b.link_chars))
        });
    let mut by_container: std::collections::HashMap<u32, f64> = Default::default();
    for ((block, &k), w) in page.blocks.iter().zip(&kept).zip(&words) {
        if k {
            *by_container.entry(block.containers[2]).or_default() += w;
        }
    }
    let largest = by_container.values().copied().fold(0.0, f64::max);
    let types = page_type.copied().unwrap_or([0.0; 7]);
    let mut row = vec![
        (1.0 + total).ln() / 10.0,
        kept_words / total,
        (1.0 + kept_words).ln() / 10.0,
        (1.0 + kept_blocks as f64).ln() / 6.0,
        near_words / total,
        near_kept / kept_words.max(1.0),
        margin(true),
        margin(false),
        disagreement / total,
        runs as f64 / kept_blocks.max(1) as f64,
        kept_link_chars / kept_chars.max(1.0),
        largest / kept_words.max(1.0),
        types.iter().copied().fold(0.0, f64::max),
    ];
    row.extend(types);
    debug_assert_eq!(row.len(), SIGNAL_NAMES.len());
    row
}

/// A fitted confidence estimate: standardisation, then a linear regression of the page's
/// word F1 on its [`extraction_signals`], clamped to 0–1.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConfidenceModel {
    pub signal_names: Vec<String>,
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
    pub weights: Vec<f64>,
    pub intercept: f64,
}

impl ConfidenceModel {
    /// Fits the estimate on signal rows and the true page F1 of each (out-of-fold) extraction.
    pub fn fit(rows: &[Vec<f64>], targets: &[f64]) -> Result<Self> {
        use linfa::traits::Fit;
        let width = SIGNAL_NAMES.len();
        if rows.len() < 2
            || rows.len() != targets.len()
            || rows.iter().any(|r| r.len() != width)
            || targets.iter().any(|t| !t.is_finite())
        {
            return Err(Error::Training(format!(
                "the confidence estimate needs at least two pages, each with {width} signals and \
                 a finite F1"
            )));
        }
        let (crate::fitted::Scaler { mean, scale }, x) =
            crate::fitted::Scaler::fit_rows(rows, width);
        // Constant columns (a page type absent from the data) would make the system singular:
        // a tiny ridge on every weight keeps it solvable without changing real weights.
        let ridge = ndarray::Array2::from_diag_elem(width, 1e-3);
        let x = ndarray::concatenate![ndarray::Axis(0), x, ridge];
        let mut y = ndarray::Array1::from(targets.to_vec());
        y.append(
            ndarray::Axis(0),
            ndarray::Array1::<f64>::zeros(width).view(),
        )
        .expect("one dimension");
        let fitted = linfa_linear::LinearRegression::new()
            .fit(&linfa::Dataset::new(x, y))
            .map_err(|e| Error::Training(format!("confidence estimate failed: {e}")))?;
        Ok(ConfidenceModel {
            signal_names: SIGNAL_NAMES.iter().map(|s| s.to_string()).collect(),
            mean,
            scale,
            weights: fitted.params().to_vec(),
            intercept: fitted.intercept(),
        })
    }

    /// The estimated quality (0–1) of an extraction with these signals.
    pub fn confidence(&self, signals: &[f64]) -> f64 {
        let z: f64 = self
            .weights
            .iter()
            .zip(signals)
            .zip(self.mean.iter().zip(&self.scale))
            .map(|((w, x), (m, s))| w * (x - m) / s)
            .sum::<f64>()
            + self.intercept;
        if z.is_finite() {
            z.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// Whether the parameters fit this gleaner's signals.
    pub fn fits(&self) -> bool {
        let width = SIGNAL_NAMES.len();
        self.signal_names
            .iter()
            .map(String::as_str)
            .eq(SIGNAL_NAMES.iter().copied())
            && self.mean.len() == width
            && self.scale.len() == width
            && self.weights.len() == width
            && self.intercept.is_finite()
    }
}

/// Spearman's rank correlation of two equally long series (ties get their mean rank).
///
/// ```
/// use gleaner::confidence::spearman;
/// assert!((spearman(&[1.0, 2.0, 3.0], &[10.0, 20.0, 30.0]) - 1.0).abs() < 1e-12);
/// assert!((spearman(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
/// ```
pub fn spearman(a: &[f64], b: &[f64]) -> f64 {
    fn ranks(values: &[f64]) -> Vec<f64> {
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&i, &j| values[i].total_cmp(&values[j]));
        let mut ranks = vec![0.0; values.len()];
        let mut start = 0;
        while start < order.len() {
            let mut end = start + 1;
            while end < order.len() && values[order[end]] == values[order[start]] {
                end += 1;
            }
            let rank = (start + end - 1) as f64 / 2.0;
            for &i in &order[start..end] {
                ranks[i] = rank;
            }
            start = end;
        }
        ranks
    }
    let (ra, rb) = (ranks(a), ranks(b));
    let n = ra.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    if va == 0.0 || vb == 0.0 {
        0.0
    } else {
        cov / (va * vb).sqrt()
    }
}
