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
