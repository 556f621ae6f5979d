//! Fitting block models and measuring them by cross-validation.
//!
//! Data flow: [`Dataset`]s → [`TrainingPage`]s (blocks, feature rows, labels) → per fold, a
//! [`Model`] fitted on the other folds' pages → out-of-fold scores for every block of the
//! held-out pages. Folds are by *page*, so no page is ever scored by a model that saw it.
//!
//! Hyperparameters ([`LogisticParams`], [`ForestParams`]) are validated apart from fitting, as
//! linfa does it: [`Algorithm::validate`] runs before any data is touched.

use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use linfa_trees::DecisionTree;
use ndarray::{Array1, Array2, Axis};
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rayon::prelude::*;

use crate::dataset::{Dataset, DatasetPage};
use crate::error::{Error, Result};
use crate::features::{page_features, FeatureSchema, SCHEMA_VERSION};
use crate::label::Label;
use crate::model::{Classifier, Model, Scaler, Tree, TreeNode, MODEL_FORMAT};
use crate::segment::Page;
use crate::smooth::{smoothing_rows, Smoother};

/// A labelled page ready for fitting.
pub struct TrainingPage {
    pub id: String,
    pub path: std::path::PathBuf,
    /// Index of the dataset it came from.
    pub dataset: usize,
    pub page: Page,
    pub features: Array2<f64>,
    pub labels: Vec<Option<Label>>,
}

/// Logistic regression settings.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticParams {
    /// L2 penalty.
    pub alpha: f64,
    pub max_iterations: u64,
}

impl Default for LogisticParams {
    fn default() -> Self {
        LogisticParams {
            alpha: 1.0,
            max_iterations: 100,
        }
    }
}

/// Bagged decision trees ("random forest" with per-tree feature sampling, as linfa-ensemble
/// builds it).
#[derive(Debug, Clone, PartialEq)]
pub struct ForestParams {
    pub trees: usize,
    pub max_depth: usize,
    /// Share of the training rows each tree sees.
    pub bootstrap_proportion: f64,
    /// Share of the features each tree sees.
    pub feature_proportion: f64,
    pub min_weight_leaf: f32,
}

impl Default for ForestParams {
    fn default() -> Self {
        ForestParams {
            trees: 40,
            max_depth: 14,
            bootstrap_proportion: 0.3,
            feature_proportion: 0.4,
            min_weight_leaf: 5.0,
        }
    }
}

/// A first-pass learning algorithm with its settings.
#[derive(Debug, Clone, PartialEq)]
pub enum Algorithm {
    Logistic(LogisticParams),
    Forest(ForestParams),
}

impl Algorithm {
    pub fn name(&self) -> &'static str {
        match self {
            Algorithm::Logistic(_) => "logistic_regression",
            Algorithm::Forest(_) => "random_forest",
        }
    }

    /// Parses `logistic` / `forest` (with default settings).
    pub fn from_name(name: &str) -> Result<Algorithm> {
        match name {
            "logistic" | "logistic_regression" => {
                Ok(Algorithm::Logistic(LogisticParams::default()))
            }
            "forest" | "random_forest" => Ok(Algorithm::Forest(ForestParams::default())),
            other => Err(Error::Training(format!(
                "unknown algorithm {other:?}: use logistic or forest"
            ))),
        }
    }

    /// Checks the settings before any fitting starts.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str| Err(Error::Training(format!("invalid {}: {what}", self.name())));
        match self {
            Algorithm::Logistic(p) if !(p.alpha.is_finite() && p.alpha >= 0.0) => {
                bad("alpha must be a finite number >= 0")
            }
            Algorithm::Logistic(p) if p.max_iterations == 0 => bad("max_iterations must be > 0"),
            Algorithm::Forest(p) if p.trees == 0 => bad("trees must be > 0"),
            Algorithm::Forest(p) if p.max_depth == 0 => bad("max_depth must be > 0"),
            Algorithm::Forest(p)
                if !(p.bootstrap_proportion > 0.0 && p.bootstrap_proportion <= 1.0)
                    || !(p.feature_proportion > 0.0 && p.feature_proportion <= 1.0) =>
            {
                bad("proportions must be in (0, 1]")
            }
            _ => Ok(()),
        }
    }
}

/// Reads, segments and labels every page of the sets, in parallel. Pages that fail to load
/// are returned apart with their error, never silently dropped.
pub fn load_pages(sets: &[Dataset]) -> (Vec<TrainingPage>, Vec<(String, Error)>) {
    let items: Vec<(usize, &DatasetPage)> = sets
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.pages.iter().map(move |p| (i, p)))
        .collect();
    let results: Vec<std::result::Result<TrainingPage, (String, Error)>> = items
        .par_iter()
        .map(|&(dataset, page)| {
            let labelled = page.load().map_err(|e| (page.id.clone(), e))?;
            let features = page_features(&labelled.page);
            Ok(TrainingPage {
                id: page.id.clone(),
                path: page.path.clone(),
                dataset,
                page: labelled.page,
                features,
                labels: labelled.labels,
            })
        })
        .collect();
    let mut pages = Vec::new();
    let mut failures = Vec::new();
    for r in results {
        match r {
            Ok(p) => pages.push(p),
            Err(f) => failures.push(f),
        }
    }
    (pages, failures)
}

/// Stacks the labelled rows of the pages: (rows, is-content targets).
fn labelled_rows(pages: &[&TrainingPage]) -> (Array2<f64>, Array1<bool>) {
    let ncols = FeatureSchema::current().len();
    let count: usize = pages
        .iter()
        .map(|p| p.labels.iter().filter(|l| l.is_some()).count())
        .sum();
    let mut rows = Array2::zeros((count, ncols));
    let mut targets = Array1::from_elem(count, false);
    let mut r = 0;
    for page in pages {
        for (i, label) in page.labels.iter().enumerate() {
            if let Some(label) = label {
                rows.row_mut(r).assign(&page.features.row(i));
                targets[r] = label.is_content();
                r += 1;
            }
        }
    }
    (rows, targets)
}

fn check_both_classes(targets: &Array1<bool>) -> Result<()> {
    let positives = targets.iter().filter(|&&t| t).count();
    if positives == 0 || positives == targets.len() {
        return Err(Error::Training(format!(
            "the training data needs both content and noise blocks ({positives} of {} labelled \
             blocks are content)",
            targets.len()
        )));
    }
    Ok(())
}

fn fit_logistic(
    rows: &Array2<f64>,
    targets: &Array1<bool>,
    params: &LogisticParams,
) -> Result<(Vec<f64>, f64)> {
    let dataset = linfa::Dataset::new(rows.clone(), targets.clone());
    let fitted = LogisticRegression::default()
        .alpha(params.alpha)
        .max_iterations(params.max_iterations)
        .fit(&dataset)
        .map_err(|e| Error::Training(format!("logistic regression failed: {e}")))?;
    // linfa's binary model gives the probability of the class it met *first* in the targets
    // (whatever its docs say); turn it around when that class was noise.
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    Ok((
        fitted.params().iter().map(|w| sign * w).collect(),
        sign * fitted.intercept(),
    ))
}

fn fit_forest(
    rows: &Array2<f64>,
    targets: &Array1<bool>,
    params: &ForestParams,
    seed: u64,
) -> Result<Vec<Tree>> {
    let dataset = linfa::Dataset::new(rows.clone(), targets.clone());
    let tree_params = DecisionTree::params()
        .max_depth(Some(params.max_depth))
        .min_weight_leaf(params.min_weight_leaf)
        .min_weight_split(params.min_weight_leaf * 2.0);
    let forest = linfa_ensemble::EnsembleLearnerParams::new_fixed_rng(
        tree_params,
        SmallRng::seed_from_u64(seed),
    )
    .ensemble_size(params.trees)
    .bootstrap_proportion(params.bootstrap_proportion)
    .feature_proportion(params.feature_proportion)
    .fit(&dataset)
    .map_err(|e| Error::Training(format!("random forest failed: {e}")))?;
    let mut trees = Vec::with_capacity(forest.models.len());
    for (model, features) in forest.models.iter().zip(&forest.model_features) {
        trees.push(convert_tree(model, features, rows, targets));
    }
    Ok(trees)
}

/// Flattens a linfa tree, mapping its feature indices back to full-row columns, and sets each
/// leaf's value to the share of content among all training rows that reach it.
fn convert_tree(
    tree: &DecisionTree<f64, bool>,
    features: &[usize],
    rows: &Array2<f64>,
    targets: &Array1<bool>,
) -> Tree {
    let mut nodes = Vec::new();
    let mut stack = vec![(tree.root_node(), usize::MAX, false)];
    while let Some((node, parent, is_right)) = stack.pop() {
        let index = nodes.len();
        if parent != usize::MAX {
            let p: &mut TreeNode = &mut nodes[parent];
            if is_right {
                p.right = index as u32;
            } else {
                p.left = index as u32;
            }
        }
        if node.is_leaf() {
            nodes.push(TreeNode {
                feature: None,
                threshold: 0.0,
                left: 0,
                right: 0,
                value: if node.prediction().unwrap_or(false) {
                    1.0
                } else {
                    0.0
                },
            });
        } else {
            let (feature, threshold, _) = node.split();
            nodes.push(TreeNode {
                feature: Some(features[feature] as u32),
                threshold,
                left: 0,
                right: 0,
                value: 0.0,
            });
            let children = node.children();
            if let (Some(left), Some(right)) = (children[0].as_deref(), children[1].as_deref()) {
                stack.push((right, index, true));
                stack.push((left, index, false));
            }
        }
    }
    let mut tree = Tree { nodes };
    let mut sums = vec![(0.0f64, 0.0f64); tree.nodes.len()];
    for (row, &target) in rows.rows().into_iter().zip(targets) {
        let mut i = 0usize;
        while let Some(f) = tree.nodes[i].feature {
            let node = &tree.nodes[i];
            i = if row[f as usize] < node.threshold {
                node.left
            } else {
                node.right
            } as usize;
        }
        sums[i].0 += f64::from(u8::from(target));
        sums[i].1 += 1.0;
    }
    for (node, (pos, n)) in tree.nodes.iter_mut().zip(sums) {
        if node.feature.is_none() && n > 0.0 {
            // A light prior towards 0.5 keeps tiny leaves from voting with full certainty.
            node.value = (pos + 0.5) / (n + 1.0);
        }
    }
    tree
}

fn fit_first_pass(
    pages: &[&TrainingPage],
    algorithm: &Algorithm,
    seed: u64,
) -> Result<(Scaler, Classifier)> {
    let (mut rows, targets) = labelled_rows(pages);
    check_both_classes(&targets)?;
    let scaler = Scaler::fit(&rows);
    scaler.apply(&mut rows);
    let classifier = match algorithm {
        Algorithm::Logistic(p) => {
            let (weights, intercept) = fit_logistic(&rows, &targets, p)?;
            Classifier::Logistic { weights, intercept }
        }
        Algorithm::Forest(p) => Classifier::Forest {
            trees: fit_forest(&rows, &targets, p, seed)?,
        },
    };
    Ok((scaler, classifier))
}

fn first_pass_scores(scaler: &Scaler, classifier: &Classifier, page: &TrainingPage) -> Vec<f64> {
    let mut rows = page.features.clone();
    scaler.apply(&mut rows);
    rows.rows()
        .into_iter()
        .map(|r| classifier.probability(r))
        .collect()
}

/// Splits page indices into `k` folds, shuffled with `seed`.
pub fn folds(n: usize, k: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut SmallRng::seed_from_u64(seed));
    let mut folds = vec![Vec::new(); k.max(1)];
    for (i, page) in order.into_iter().enumerate() {
        folds[i % k.max(1)].push(page);
    }
    folds
}

/// Fits a complete model: first pass on all pages, and the smoother on first-pass scores that
/// are themselves out-of-fold (an inner split), so it learns how the first pass errs on
/// unseen pages rather than on pages it memorised.
pub fn fit_model(pages: &[&TrainingPage], algorithm: &Algorithm, seed: u64) -> Result<Model> {
    algorithm.validate()?;
    const INNER_FOLDS: usize = 3;
    let inner = folds(pages.len(), INNER_FOLDS, seed ^ 0x5eed);
    let mut out_of_fold: Vec<Option<Vec<f64>>> = vec![None; pages.len()];
    for held_out in &inner {
        let train: Vec<&TrainingPage> = (0..pages.len())
            .filter(|i| !held_out.contains(i))
            .map(|i| pages[i])
            .collect();
        let (scaler, classifier) = fit_first_pass(&train, algorithm, seed)?;
        for &i in held_out {
            out_of_fold[i] = Some(first_pass_scores(&scaler, &classifier, pages[i]));
        }
    }
    let smoother = fit_smoother(pages, &out_of_fold)?;
    let (scaler, first_pass) = fit_first_pass(pages, algorithm, seed)?;
    let schema = FeatureSchema::current();
    Ok(Model {
        format: MODEL_FORMAT.to_string(),
        schema_version: SCHEMA_VERSION,
        feature_names: schema.names().to_vec(),
        algorithm: algorithm.name().to_string(),
        scaler,
        first_pass,
        smoother: Some(smoother),
        threshold: 0.5,
        provenance: String::new(),
    })
}

fn fit_smoother(pages: &[&TrainingPage], scores: &[Option<Vec<f64>>]) -> Result<Smoother> {
    let mut all_rows = Vec::new();
    let mut targets = Vec::new();
    for (page, scores) in pages.iter().zip(scores) {
        let Some(scores) = scores else { continue };
        let rows = smoothing_rows(&page.page, &page.features, scores);
        for (i, label) in page.labels.iter().enumerate() {
            if let Some(label) = label {
                all_rows.push(rows.row(i).to_owned());
                targets.push(label.is_content());
            }
        }
    }
    let views: Vec<_> = all_rows.iter().map(|r| r.view()).collect();
    let mut rows = ndarray::stack(Axis(0), &views)
        .map_err(|e| Error::Training(format!("no rows to fit the smoother: {e}")))?;
    let targets = Array1::from(targets);
    check_both_classes(&targets)?;
    let scaler = Scaler::fit(&rows);
    scaler.apply(&mut rows);
    let (weights, intercept) = fit_logistic(
        &rows,
        &targets,
        &LogisticParams {
            alpha: 0.1,
            max_iterations: 200,
        },
    )?;
    Ok(Smoother {
        scaler,
        weights,
        intercept,
    })
}

/// Block-level precision, recall and F1 of the content class.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct BlockScores {
    pub blocks: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl BlockScores {
    pub fn from_predictions(pairs: impl Iterator<Item = (bool, bool)>) -> BlockScores {
        let (mut tp, mut fp, mut fn_, mut n) = (0usize, 0usize, 0usize, 0usize);
        for (predicted, actual) in pairs {
            n += 1;
            match (predicted, actual) {
                (true, true) => tp += 1,
                (true, false) => fp += 1,
                (false, true) => fn_ += 1,
                _ => {}
            }
        }
        let p = if tp + fp > 0 {
            tp as f64 / (tp + fp) as f64
        } else {
            0.0
        };
        let r = if tp + fn_ > 0 {
            tp as f64 / (tp + fn_) as f64
        } else {
            0.0
        };
        let f1 = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        BlockScores {
            blocks: n,
            precision: p,
            recall: r,
            f1,
        }
    }
}

/// Out-of-fold results of one algorithm.
pub struct CrossValidation {
    pub algorithm: String,
    /// Block scores of the first pass alone and after smoothing.
    pub first_pass: BlockScores,
    pub smoothed: BlockScores,
    /// Per page (same order as the input), final out-of-fold content scores of every block.
    pub page_scores: Vec<Vec<f64>>,
    pub threshold: f64,
}

/// k-fold cross-validation by page.
pub fn cross_validate(
    pages: &[TrainingPage],
    algorithm: &Algorithm,
    k: usize,
    seed: u64,
) -> Result<CrossValidation> {
    algorithm.validate()?;
    if k < 2 || pages.len() < k {
        return Err(Error::Training(format!(
            "cross-validation needs at least 2 folds and as many pages as folds ({} pages, {k} folds)",
            pages.len()
        )));
    }
    let mut first_scores = vec![Vec::new(); pages.len()];
    let mut final_scores = vec![Vec::new(); pages.len()];
    for held_out in folds(pages.len(), k, seed) {
        let train: Vec<&TrainingPage> = (0..pages.len())
            .filter(|i| !held_out.contains(i))
            .map(|i| &pages[i])
            .collect();
        let model = fit_model(&train, algorithm, seed)?;
        for &i in &held_out {
            let page = &pages[i];
            let first = model.first_pass_scores(&page.features);
            let smoothed = match &model.smoother {
                Some(s) => s.scores(&smoothing_rows(&page.page, &page.features, &first)),
                None => first.clone(),
            };
            first_scores[i] = first;
            final_scores[i] = smoothed;
        }
    }
    let threshold = 0.5;
    let pairs = |scores: &Vec<Vec<f64>>| -> Vec<(bool, bool)> {
        pages
            .iter()
            .zip(scores)
            .flat_map(|(page, s)| {
                page.labels
                    .iter()
                    .zip(s)
                    .filter_map(|(l, &s)| l.map(|l| (s >= threshold, l.is_content())))
            })
            .collect()
    };
    Ok(CrossValidation {
        algorithm: algorithm.name().to_string(),
        first_pass: BlockScores::from_predictions(pairs(&first_scores).into_iter()),
        smoothed: BlockScores::from_predictions(pairs(&final_scores).into_iter()),
        page_scores: final_scores,
        threshold,
    })
}
