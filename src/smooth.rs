//! Stage 6 — a block's final score also depends on its neighbours and its container.
//!
//! The first pass scores each block from its own features. Article text comes in runs and
//! lives in one container, so a second, stacked model re-scores each block from the
//! first-pass scores around it: the previous and next blocks, a window mean, the mean score of
//! the blocks sharing its parent and grandparent elements, and the page's overall content mass.
//! (A Viterbi pass over a two-state chain was the alternative; the stacked model can also learn
//! *container* agreement, which a chain cannot, and it measured better — see the README.)
//!
//! The stacked model is a logistic regression blended with a small random forest over the same
//! inputs. The logistic part gives smooth, well-calibrated lifts from the neighbours; the trees
//! add the combinations one weight per input cannot express — "a short line, surrounded by
//! article text, *but* opening like a picture credit or a tag-list label" — which is where the
//! linear pass kept chrome lines that sit between paragraphs.

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::features::{BlockTerms, FeatureSchema};
use crate::fitted::{sigmoid, FlatForest, Scaler, Tree};
use crate::segment::Page;

/// Names of the second-pass inputs, in order.
pub const SMOOTHING_FEATURES: &[&str] = &[
    "score",
    "prev1",
    "next1",
    "prev2",
    "next2",
    "window3_mean",
    "window8_mean",
    "neighbour_max",
    "neighbour_min",
    "container1_mean",
    "container2_mean",
    "container3_mean",
    "container1_max",
    "page_content_share",
    "page_max",
    "rank_in_page",
    "log_words",
    "link_density",
    "heading",
    "ends_with_sentence_punctuation",
    "region_density",
    "best_container_credit",
    "content_similarity",
    "title_overlap",
    "lexical_noise_evidence",
    "lexical_strongest_noise_word",
    "lexical_lead_noise",
    "in_form_box",
    "starts_with_label_colon",
    "prev1_near_image",
    "ends_with_time",
    "ends_with_bracketed_credit",
    "page_type.article",
    "page_type.service",
    "page_type.forum",
    "page_type.listing",
    "page_type.product",
    "page_type.collection",
    "page_type.documentation",
    "in_largest_repeat",
    "in_comment_section",
    "all_link",
    "li",
    "inside_nav",
    "inside_header",
    "inside_footer",
    "inside_aside",
    "same_path_share",
    "negative_cues",
    "relative_position",
    "stopword_ratio",
];

/// The stacked second-pass model.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Smoother {
    pub scaler: Scaler,
    pub weights: Vec<f64>,
    pub intercept: f64,
    /// Trees over the standardised inputs; each leaf holds the share of content among the
    /// training rows that reached it. Empty in models written before the forest existed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trees: Vec<Tree>,
    /// How much of the final score is the forest's mean vote (0 = logistic only).
    #[serde(default)]
    pub forest_weight: f64,
    /// `trees` laid out for scoring, on first use.
    #[serde(skip)]
    pub flat: std::sync::OnceLock<FlatForest>,
}

impl Smoother {
    pub fn scores(&self, rows: &Array2<f64>) -> Vec<f64> {
        let mut rows = rows.clone();
        self.scaler.apply(&mut rows);
        self.scores_scaled(&rows)
    }

    /// Scores of rows already standardised with this smoother's scaler.
    pub fn scores_scaled(&self, rows: &Array2<f64>) -> Vec<f64> {
        let linear = rows
            .rows()
            .into_iter()
            .map(|row| sigmoid(crate::fitted::dot(&self.weights, row) + self.intercept));
        if self.trees.is_empty() {
            return linear.collect();
        }
        // Tree by tree over all rows, so that one tree's nodes stay in cache while it votes.
        let mut votes = vec![0.0; rows.nrows()];
        let flat = self.flat.get_or_init(|| FlatForest::new(&self.trees));
        let standard = rows.as_standard_layout();
        let values = standard
            .as_slice()
            .expect("a standard-layout array is a slice");
        flat.add_votes(values, rows.ncols(), &mut votes);
        let forest_share = self.forest_weight / self.trees.len() as f64;
        linear
            .zip(votes)
            .map(|(linear, votes)| (1.0 - self.forest_weight) * linear + forest_share * votes)
            .collect()
    }

    /// Whether the parameters fit `inputs` smoothing inputs (a damaged or hand-edited file, or
    /// a model from another gleaner version, does not).
    pub fn fits(&self, inputs: usize) -> bool {
        self.weights.len() == inputs
            && self.scaler.mean.len() == inputs
            && (0.0..=1.0).contains(&self.forest_weight)
            && self.trees.iter().all(|t| t.is_valid(inputs))
    }
}

/// Columns of the first-pass features the second pass reads, looked up by name once.
fn first_pass_columns() -> &'static [usize; 34] {
    static COLUMNS: std::sync::OnceLock<[usize; 34]> = std::sync::OnceLock::new();
    COLUMNS.get_or_init(|| {
        let names = FeatureSchema::current().names();
        [
            "text.log_words",
            "text.link_density",
            "text.heading",
            "text.ends_with_sentence_punctuation",
            "page.region_density",
            "page.best_container_credit",
            "page.title_overlap_of_block",
            // Neighbours lift a short line between paragraphs; its words can say it is chrome.
            crate::features::LEXICAL_FEATURES[0],
            crate::features::LEXICAL_FEATURES[1],
            crate::features::LEXICAL_FEATURES[2],
            // A sign-up box inside the body is surrounded by article text, too.
            "structure.in_form_box",
            // A picture credit ("Picture: AFP") is a short line right after a caption, between
            // paragraphs; on general pages such "Label: value" lines are mostly content, so the
            // second pass needs to see both to stop lifting credits.
            "text.starts_with_label_colon",
            "prev1.near_image",
            // A video's title bar ("Watch: … 01:48") and a caption ending in its credit are
            // short lines between paragraphs too: one is chrome, the other content.
            "text.ends_with_time",
            "text.ends_with_bracketed_credit",
            // What a run of linked lines between paragraphs is depends on the page: teasers
            // in an article, the content of a listing.
            "page_type.article",
            "page_type.service",
            "page_type.forum",
            "page_type.listing",
            "page_type.product",
            "page_type.collection",
            "page_type.documentation",
            // A listing's cards repeat one template; reader comments sit in a section of
            // their own. Both are runs of similar blocks whose neighbours say little.
            "structure.in_largest_repeat",
            "structure.in_comment_section",
            // What the block is, for the forest to weigh against the page type: a link, a
            // list item, where on the page, in which landmark, how prose-like.
            "text.all_link",
            "tag.li",
            "inside.nav",
            "inside.header",
            "inside.footer",
            "inside.aside",
            "structure.same_path_share",
            "structure.negative_cues",
            "page.relative_position",
            "text.stopword_ratio",
        ]
        .map(|name| {
            names
                .iter()
                .position(|n| n == name)
                .expect("smoothing reads features that the schema has")
        })
    })
}

/// The second-pass input rows for a page, from its blocks, feature rows, first-pass scores and
/// the blocks' [`BlockTerms`] (as
/// [`page_features_and_words`](crate::features::page_features_and_words) gives them).
pub fn smoothing_rows_with_words(
    page: &Page,
    features: &Array2<f64>,
    scores: &[f64],
    terms: &[BlockTerms],
) -> Array2<f64> {
    let n = scores.len();
    let mut rows = Array2::zeros((n, SMOOTHING_FEATURES.len()));
    if n == 0 {
        return rows;
    }
    let columns = first_pass_columns();
    let [log_words, link_density, heading, ends, region, credit, title, lexical, strongest, lead, form_box, label_colon, prev_image, time, bracketed_credit] =
        *columns[..15].first_chunk().expect("15 named columns");
    // The page type, then the block facts the forest weighs against it, copied as they are.
    let copied = &columns[15..];
    let similarity = content_similarity(terms, scores);
    let at = |j: isize| {
        if j >= 0 && (j as usize) < n {
            scores[j as usize]
        } else {
            0.0
        }
    };
    let window_mean = |i: usize, half: usize| {
        let lo = i.saturating_sub(half);
        let hi = (i + half + 1).min(n);
        scores[lo..hi].iter().sum::<f64>() / (hi - lo) as f64
    };
    let mut sums = vec![(0.0f64, 0usize, 0.0f64); page.containers.len()];
    for level in 1..=3 {
        for (block, &s) in page.blocks.iter().zip(scores) {
            let entry = &mut sums[block.containers[level] as usize];
            entry.0 += s;
            entry.1 += 1;
            entry.2 = entry.2.max(s);
        }
    }
    let container_mean = |c: u32| {
        let (sum, count, _) = sums[c as usize];
        sum / count.max(1) as f64
    };
    let total_words: f64 = page
        .blocks
        .iter()
        .map(|b| f64::from(b.words))
        .sum::<f64>()
        .max(1.0);
    let content_share = page
        .blocks
        .iter()
        .zip(scores)
        .filter(|(_, &s)| s >= 0.5)
        .map(|(b, _)| f64::from(b.words))
        .sum::<f64>()
        / total_words;
    let page_max = scores.iter().copied().fold(0.0, f64::max);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    let mut rank = vec![0.0; n];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r as f64 / n as f64;
    }
    for (i, block) in page.blocks.iter().enumerate() {
        let ii = i as isize;
        let (p1, n1) = (at(ii - 1), at(ii + 1));
        let values = [
            scores[i],
            p1,
            n1,
            at(ii - 2),
            at(ii + 2),
            window_mean(i, 3),
            window_mean(i, 8),
            p1.max(n1),
            p1.min(n1),
            container_mean(block.containers[1]),
            container_mean(block.containers[2]),
            container_mean(block.containers[3]),
            sums[block.containers[1] as usize].2,
            content_share,
            page_max,
            rank[i],
            features[[i, log_words]],
            features[[i, link_density]],
            features[[i, heading]],
            features[[i, ends]],
            features[[i, region]],
            features[[i, credit]],
            similarity[i],
            features[[i, title]],
            features[[i, lexical]],
            features[[i, strongest]],
            features[[i, lead]],
            features[[i, form_box]],
            features[[i, label_colon]],
            features[[i, prev_image]],
            features[[i, time]],
            features[[i, bracketed_credit]],
        ];
        for (c, v) in values.into_iter().enumerate() {
            rows[[i, c]] = v;
        }
        for (c, &column) in copied.iter().enumerate() {
            rows[[i, values.len() + c]] = features[[i, column]];
        }
    }
    rows
}

/// Blocks with first-pass scores at least this high define what the page is about.
const CONFIDENT: f64 = 0.6;

/// Share of each block's content words that also occur in the page's *other* confidently
/// scored blocks: a teaser for an unrelated story in the middle of an article shares few
/// words with the article around it, while the article's own short lines share many.
fn content_similarity(terms: &[BlockTerms], scores: &[f64]) -> Vec<f64> {
    use std::collections::HashMap;
    let mut confident: HashMap<u64, u32, crate::text::PrehashedState> = HashMap::default();
    for (block, &score) in terms.iter().zip(scores) {
        if score >= CONFIDENT {
            for &w in &block.words {
                *confident.entry(w).or_insert(0) += 1;
            }
        }
    }
    terms
        .iter()
        .zip(scores)
        .map(|(block, &score)| {
            let block_words = &block.words;
            if block_words.is_empty() {
                return 0.0;
            }
            let own = u32::from(score >= CONFIDENT);
            let shared = block_words
                .iter()
                .filter(|w| confident.get(w).copied().unwrap_or(0) > own)
                .count();
            shared as f64 / block_words.len() as f64
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fitted::TreeNode;

    /// A one-split tree: input 0 below 0 votes `low`, otherwise `high`.
    fn split_on_first_input(low: f64, high: f64) -> Tree {
        let leaf = |value| TreeNode {
            feature: None,
            threshold: 0.0,
            left: 0,
            right: 0,
            value,
        };
        Tree {
            nodes: vec![
                TreeNode {
                    feature: Some(0),
                    threshold: 0.0,
                    left: 1,
                    right: 2,
                    value: 0.0,
                },
                leaf(low),
                leaf(high),
            ],
        }
    }

    #[test]
    fn the_flat_forest_votes_as_the_trees_do() {
        // The shipped model's smoother, read from the model file on its own.
        let model: serde_json::Value =
            serde_json::from_slice(include_bytes!("../models/gleaner-block.json")).unwrap();
        let smoother = Smoother::deserialize(&model["smoother"]).unwrap();
        let width = smoother.weights.len();
        // Inputs spread over the trees' thresholds, with exact ties, NaN and 13 rows (not a
        // multiple of the lanes).
        let thresholds: Vec<f64> = smoother.trees[0]
            .nodes
            .iter()
            .map(|n| n.threshold)
            .collect();
        let rows = Array2::from_shape_fn((13, width), |(r, c)| match (r * 31 + c * 7) % 11 {
            0 => f64::NAN,
            1 => thresholds[(r * width + c) % thresholds.len()],
            k => (k as f64 - 5.0) * 0.37 + r as f64 * 0.01,
        });
        let mut votes = vec![0.0; rows.nrows()];
        FlatForest::new(&smoother.trees).add_votes(rows.as_slice().unwrap(), width, &mut votes);
        for (row, vote) in rows.rows().into_iter().zip(&votes) {
            let expected: f64 = smoother
                .trees
                .iter()
                .fold(0.0, |sum, t| sum + t.predict(row));
            assert_eq!(vote.to_bits(), expected.to_bits());
        }
    }

    #[test]
    fn the_forest_vote_is_blended_with_the_logistic_score_by_its_weight() {
        let smoother = Smoother {
            scaler: Scaler {
                mean: vec![0.0, 0.0],
                scale: vec![1.0, 1.0],
            },
            // A logistic part that says 0.5 whatever the inputs.
            weights: vec![0.0, 0.0],
            intercept: 0.0,
            trees: vec![
                split_on_first_input(0.0, 1.0),
                split_on_first_input(0.0, 0.5),
            ],
            forest_weight: 0.6,
            flat: Default::default(),
        };
        assert!(smoother.fits(2));
        assert!(!smoother.fits(3));
        let rows = ndarray::array![[-1.0, 0.0], [1.0, 0.0]];
        let scores = smoother.scores(&rows);
        // Forest votes: 0 and 0.75; blended: 0.4·0.5 + 0.6·vote.
        assert!((scores[0] - 0.2).abs() < 1e-12, "{scores:?}");
        assert!((scores[1] - 0.65).abs() < 1e-12, "{scores:?}");
    }
}
