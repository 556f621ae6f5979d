//! The rules after the model: page-level shapes that the block model sees too weakly, applied
//! to the final scores before the threshold (only an adapter's correction comes after them).
//!
//! Each rule is its own module and decides one thing; this one only runs them in order, so that
//! extraction ([`crate::Extractor::score_page`]) and cross-validation in training apply the same
//! rules in the same order:
//!
//! 1. [`crate::cards::keep_listing_cards`]: a listing or collection (to the page-type
//!    classifier, or by its shape: a grid of links and little prose) keeps its cards whole.
//! 2. [`crate::threads::reader_comments`]: an article drops the signed threads under or
//!    inside its text (kept with `--include-comments`).
//! 3. [`crate::related::related_stories`]: an article drops the lists of linked titles with
//!    summaries beside or inside its text.
//! 4. [`crate::sections::orphan_headings`]: a heading left over nothing is dropped.
//!
//! Data flow: the page, its feature rows, its page-type probabilities and the threshold in;
//! the scores adjusted in place and the blocks taken for reader comments out.
//!
//! ```
//! use gleaner::rules::after_model;
//!
//! let page = gleaner::extract::segment_html("<h1>Harbour reopens</h1><p>The harbour reopened.</p>");
//! let rows = ndarray::Array2::zeros((2, gleaner::features::FeatureSchema::current().len()));
//! let mut scores = vec![0.9, 0.8];
//! // No page type: no rule that depends on one fires, and nothing else is wrong here.
//! let comments = after_model(&page, &rows, &mut scores, 0.5, None);
//! assert_eq!(scores, vec![0.9, 0.8]);
//! assert_eq!(comments, vec![false, false]);
//! ```

use ndarray::Array2;

use crate::segment::Page;

/// Applies the rules in order to `scores` (see the module comment) and returns, per block,
/// whether it was taken for a reader comment.
pub fn after_model(
    page: &Page,
    features: &Array2<f64>,
    scores: &mut [f64],
    threshold: f64,
    page_type: Option<&[f64; 7]>,
) -> Vec<bool> {
    crate::cards::keep_listing_cards(scores, page, features, threshold);
    let reader_comments = crate::threads::reader_comments(page, page_type);
    crate::threads::drop_reader_comments(scores, &reader_comments, threshold);
    let related = crate::related::related_stories(page, page_type);
    crate::items::hold_below_threshold(scores, &related, threshold);
    let orphans = crate::sections::orphan_headings(page, scores, threshold, page_type);
    crate::items::hold_below_threshold(scores, &orphans, threshold);
    reader_comments
}
