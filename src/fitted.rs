//! The fitted parameters both passes of a block model are made of: per-column
//! standardisation ([`Scaler`]), the logistic link ([`sigmoid`]) and decision trees as flat
//! node arrays ([`Tree`]).
//!
//! Data flow: `train` fits these from feature rows (the first pass in [`crate::model`], the
//! second pass in [`crate::smooth`]) and they are stored in the model file through serde; at
//! extraction a row is standardised by a [`Scaler`] and scored by a dot product through
//! [`sigmoid`] or by walking [`Tree`]s. They live apart from `model` and `smooth` so that both
//! can use them without importing each other (`model` holds a `smooth::Smoother`).

use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};

/// Per-column standardisation learnt from the training rows.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Scaler {
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
}

impl Scaler {
    pub fn fit(rows: &Array2<f64>) -> Scaler {
        let n = rows.nrows().max(1) as f64;
        let mean: Vec<f64> = rows.columns().into_iter().map(|c| c.sum() / n).collect();
        let scale = rows
            .columns()
            .into_iter()
            .zip(&mean)
            .map(|(c, m)| {
                let var = c.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n;
                if var > 1e-12 {
                    var.sqrt()
                } else {
                    1.0
                }
            })
            .collect();
        Scaler { mean, scale }
    }

    /// A linear model's weights and intercept over standardised columns, rewritten to take
    /// unscaled rows: a weight `w` on `(x - m) / s` is a weight `w / s` on `x` plus a constant.
    pub(crate) fn fold_linear(&self, weights: &[f64], intercept: f64) -> (Vec<f64>, f64) {
        let folded: Vec<f64> = weights
            .iter()
            .zip(&self.scale)
            .map(|(w, s)| w / s)
            .collect();
        let shift: f64 = folded.iter().zip(&self.mean).map(|(w, m)| w * m).sum();
        (folded, intercept - shift)
    }

    /// Stacks equally long rows into a matrix, fits a scaler on it and returns both, the
    /// matrix standardised (for the small page-level models, whose rows come as `Vec`s).
    pub fn fit_rows(rows: &[Vec<f64>], width: usize) -> (Scaler, Array2<f64>) {
        let mut x = Array2::<f64>::zeros((rows.len(), width));
        for (mut out, row) in x.rows_mut().into_iter().zip(rows) {
            for (o, v) in out.iter_mut().zip(row) {
                *o = *v;
            }
        }
        let scaler = Scaler::fit(&x);
        scaler.apply(&mut x);
        (scaler, x)
    }

    pub fn apply(&self, rows: &mut Array2<f64>) {
        for mut row in rows.rows_mut() {
            for ((v, m), s) in row.iter_mut().zip(&self.mean).zip(&self.scale) {
                *v = (*v - m) / s;
            }
        }
    }
}

/// The logistic function, `1 / (1 + e^-z)`.
pub fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// `weights · row`, summed in column order. The linear classifiers score every block with it
/// (the kinds of noise four times over, every dropped block), so a row laid out as one slice
/// (as feature rows are) is read as a slice rather than through ndarray's element iterator,
/// which checks the row's layout at every step. Either way the products are added in the
/// same order, so the sums are the same to the bit.
pub(crate) fn dot(weights: &[f64], row: ArrayView1<'_, f64>) -> f64 {
    match row.as_slice() {
        Some(values) => weights.iter().zip(values).map(|(w, x)| w * x).sum(),
        None => weights.iter().zip(row).map(|(w, x)| w * x).sum(),
    }
}

/// A decision tree as a flat node array; node 0 is the root.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tree {
    pub nodes: Vec<TreeNode>,
}

/// A split (`feature`, `threshold`, children) or, when `feature` is `None`, a leaf `value`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TreeNode {
    #[serde(rename = "f", default, skip_serializing_if = "Option::is_none")]
    pub feature: Option<u32>,
    #[serde(rename = "t", default)]
    pub threshold: f64,
    #[serde(rename = "l", default)]
    pub left: u32,
    #[serde(rename = "r", default)]
    pub right: u32,
    #[serde(rename = "v", default)]
    pub value: f64,
}

impl Tree {
    pub fn predict(&self, row: ArrayView1<'_, f64>) -> f64 {
        match row.as_slice() {
            Some(values) => self.predict_slice(values),
            None => self.predict_slice(&row.to_vec()),
        }
    }

    fn predict_slice(&self, row: &[f64]) -> f64 {
        let mut node = &self.nodes[0];
        while let Some(f) = node.feature {
            // linfa-trees sends values below the split value left.
            let next = if row[f as usize] < node.threshold {
                node.left
            } else {
                node.right
            };
            node = &self.nodes[next as usize];
        }
        node.value
    }

    pub fn is_valid(&self, features: usize) -> bool {
        let n = self.nodes.len() as u32;
        !self.nodes.is_empty()
            && self
                .nodes
                .iter()
                .enumerate()
                .all(|(i, node)| match node.feature {
                    None => true,
                    Some(f) => {
                        (f as usize) < features
                            && node.left < n
                            && node.right < n
                            && node.left as usize > i
                            && node.right as usize > i
                    }
                })
    }
}

/// Trees laid out for scoring many rows at once (an in-memory form only; the model file keeps
/// [`Tree`]). Each tree is renumbered in pre-order, so a split's left child is the next node
/// and a node needs only its right child: 16 bytes a node instead of 32, half the cache
/// footprint. A leaf is a node that sends every row to itself (`threshold` NaN: `x < NaN` is
/// false, and its right child is itself), so a walk of a tree's full depth needs no
/// leaf test and ends on the same leaf as [`Tree::predict`], by the same comparisons.
#[derive(Debug, Clone, Default)]
pub struct FlatForest {
    nodes: Vec<FlatNode>,
    /// The leaf value of each node (0 for splits), parallel to `nodes`.
    values: Vec<f64>,
    /// Each tree's root in `nodes` and its depth (edges on its longest path).
    trees: Vec<(u32, u32)>,
}

#[derive(Debug, Clone, Copy)]
struct FlatNode {
    threshold: f64,
    feature: u32,
    right: u32,
}

/// Rows walked through one tree side by side, so that their memory loads overlap.
const LANES: usize = 8;

impl FlatForest {
    /// Lays out valid trees (see [`Tree::is_valid`]).
    pub fn new(trees: &[Tree]) -> FlatForest {
        let mut forest = FlatForest::default();
        let mut stack: Vec<(u32, u32, Option<usize>)> = Vec::new();
        for tree in trees {
            let root = forest.nodes.len();
            let mut depth = 0;
            // (node in `tree`, its depth, the flat split whose right child it is)
            stack.push((0, 0, None));
            while let Some((at, level, parent)) = stack.pop() {
                let here = forest.nodes.len();
                if let Some(parent) = parent {
                    forest.nodes[parent].right = here as u32;
                }
                depth = depth.max(level);
                let node = &tree.nodes[at as usize];
                match node.feature {
                    Some(feature) => {
                        forest.nodes.push(FlatNode {
                            threshold: node.threshold,
                            feature,
                            right: 0,
                        });
                        forest.values.push(0.0);
                        // Left is walked first, so it comes right after its parent.
                        stack.push((node.right, level + 1, Some(here)));
                        stack.push((node.left, level + 1, None));
                    }
                    None => {
                        forest.nodes.push(FlatNode {
                            threshold: f64::NAN,
                            feature: 0,
                            right: here as u32,
                        });
                        forest.values.push(node.value);
                    }
                }
            }
            forest.trees.push((root as u32, depth));
        }
        forest
    }

    /// Adds each tree's leaf value for each row to `votes` (tree by tree, in the trees'
    /// order, as summing [`Tree::predict`] over the trees does). `rows` is row-major with
    /// `width` values a row, `width` more than any feature a split reads.
    pub fn add_votes(&self, rows: &[f64], width: usize, votes: &mut [f64]) {
        let nodes = &self.nodes[..];
        for &(root, depth) in &self.trees {
            let mut start = 0;
            for lane_votes in votes.chunks_mut(LANES) {
                let lanes = lane_votes.len();
                let mut at = [root as usize; LANES];
                for level in 0..depth {
                    for (lane, at) in at.iter_mut().enumerate().take(lanes) {
                        let node = nodes[*at];
                        let x = rows[(start + lane) * width + node.feature as usize];
                        // Left (the next node) or right, chosen by a mask rather than a
                        // branch, which the compiler emits for an `if` here and which the
                        // rows would mispredict half the time.
                        let (left, right) = (*at + 1, node.right as usize);
                        let go_left = usize::from(x < node.threshold).wrapping_neg();
                        *at = right ^ ((left ^ right) & go_left);
                    }
                    // Most rows end on a leaf well above a tree's deepest one (a leaf sends
                    // a row to itself, so stopping early ends on the same leaf). Checked from
                    // the fourth level on: no leaf is shallower in the shipped forest, and
                    // checking every level from the first cost more than it saved.
                    if level >= 3 && at[..lanes].iter().all(|&a| nodes[a].right as usize == a) {
                        break;
                    }
                }
                for (vote, &at) in lane_votes.iter_mut().zip(&at) {
                    *vote += self.values[at];
                }
                start += lanes;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    #[test]
    fn dot_sums_in_column_order_whatever_the_row_layout() {
        let mut rng = rand::rngs::SmallRng::seed_from_u64(3);
        for width in [0, 1, 7, 330] {
            let weights: Vec<f64> = (0..width).map(|_| rng.gen_range(-5.0..5.0)).collect();
            // Rows of a matrix are slices; its columns are strided views.
            let matrix = Array2::from_shape_fn((width, 3), |_| rng.gen_range(-1e3..1e3));
            for row in matrix.columns().into_iter().chain([matrix.t().row(1)]) {
                assert!(row.as_slice().is_none() || width <= 1);
                let contiguous = row.to_owned();
                // The sum as the classifiers took it before.
                let expected: f64 = weights.iter().zip(row.iter()).map(|(w, x)| w * x).sum();
                assert_eq!(dot(&weights, row).to_bits(), expected.to_bits());
                assert_eq!(
                    dot(&weights, contiguous.view()).to_bits(),
                    expected.to_bits()
                );
            }
        }
    }
}
