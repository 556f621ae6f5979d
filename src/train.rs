//! Fitting block models and measuring them by cross-validation.
//!
//! Data flow: [`Dataset`]s → [`TrainingPage`]s (blocks, feature rows, labels) → per fold, a
//! [`Model`] fitted on the other folds' pages → out-of-fold scores for every block of the
//! held-out pages. Folds are by *page*, so no page is ever scored by a model that saw it, and
//! pages with the same text (one article in several markups) always share a fold.
//!
//! Hyperparameters ([`LogisticParams`], [`ForestParams`]) are validated apart from fitting, as
//! linfa does it: [`Algorithm::validate`] runs before any data is touched.

use linfa::prelude::*;
use linfa_logistic::LogisticRegression;
use linfa_trees::DecisionTree;
use ndarray::{Array1, Array2, Axis, ShapeBuilder};
use rand::rngs::SmallRng;
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rayon::prelude::*;

use crate::dataset::{Dataset, DatasetPage};
use crate::error::{Error, Result};
use crate::features::{page_features_and_words, BlockTerms, ClassVocabulary, FeatureSchema};
use crate::label::Label;
use crate::lexicon::{Lexicon, LexiconParams};
use crate::model::{Classifier, KindClassifier, Model, Scaler, Tree, TreeNode};
use crate::segment::Page;
use crate::smooth::{smoothing_rows_with_words, Smoother};

/// A labelled page ready for fitting.
pub struct TrainingPage {
    pub id: String,
    pub path: std::path::PathBuf,
    /// Index of the dataset it came from.
    pub dataset: usize,
    pub page: Page,
    pub features: Array2<f64>,
    /// Each block's words and openings (for the lexicon and the smoothing pass).
    pub terms: Vec<BlockTerms>,
    /// What [`folds`] groups pages by: a hash of the page's host when its URL is known (a
    /// site's pages share templates, so they share a fold), else its [`text_key`].
    pub group_key: u64,
    /// The page's type, when its set says.
    pub page_type: Option<crate::page_type::PageType>,
    /// Where the page came from, when its set says.
    pub url: Option<String>,
    /// The page-level numbers the page-type classifier reads
    /// ([`crate::page_type::page_signals`]).
    pub page_signals: Vec<f64>,
    /// The page's gold main text, when its set gives one (not for snippet sets).
    pub gold_text: Option<String>,
    pub labels: Vec<Option<Label>>,
    /// Labelled block by block by a person (`data-gleaner-label`), not aligned from gold text.
    pub hand_labelled: bool,
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
            trees: 24,
            max_depth: 12,
            bootstrap_proportion: 0.25,
            feature_proportion: 0.35,
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
                if !is_proportion(p.bootstrap_proportion)
                    || !is_proportion(p.feature_proportion) =>
            {
                bad("proportions must be in (0, 1]")
            }
            _ => Ok(()),
        }
    }
}

/// A share in (0, 1]; NaN is not one.
fn is_proportion(value: f64) -> bool {
    value > 0.0 && value <= 1.0
}

/// Reads, segments and labels every page of the sets, in parallel, and fills their lexical
/// column by [`cross_fit_lexicon`] over `folds` folds shuffled with `seed` (pass the same
/// numbers to [`cross_validate`], so that each held-out page's column comes from a lexicon of
/// exactly the pages its fold model is fitted on). Pages that fail to load are returned apart
/// with their error, never silently dropped.
pub fn load_pages(
    sets: &[Dataset],
    folds: usize,
    seed: u64,
) -> (Vec<TrainingPage>, Vec<(String, Error)>) {
    let items: Vec<(usize, &DatasetPage)> = sets
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.pages.iter().map(move |p| (i, p)))
        .collect();
    let results: Vec<_> = items
        .par_iter()
        .map(|&(dataset, page)| {
            page.load()
                .map(|labelled| (dataset, page, labelled))
                .map_err(|e| (page.id.clone(), e))
        })
        .collect();
    let mut loaded = Vec::new();
    let mut failures = Vec::new();
    for r in results {
        match r {
            Ok(l) => loaded.push(l),
            Err(f) => failures.push(f),
        }
    }
    // The class buckets read only the tokens of the vocabulary, which needs every page first.
    let vocabulary = class_vocabulary(loaded.iter().map(|(_, _, l)| &l.page));
    let mut pages: Vec<TrainingPage> = loaded
        .into_par_iter()
        .map(|(dataset, page, labelled)| {
            let (features, terms) = page_features_and_words(&labelled.page, Some(&vocabulary));
            let group_key = match page.host() {
                Some(host) => crate::text::fnv1a(format!("host:{host}").as_bytes()),
                None => text_key(&labelled.page),
            };
            let page_signals = crate::page_type::page_signals(&labelled.page, page.url.as_deref());
            TrainingPage {
                id: page.id.clone(),
                path: page.path.clone(),
                dataset,
                group_key,
                page_type: page.page_type,
                url: page.url.clone(),
                page_signals,
                gold_text: match &page.gold {
                    crate::dataset::Gold::Text { text, .. } => Some(text.clone()),
                    crate::dataset::Gold::Snippets { .. } => None,
                },
                page: labelled.page,
                features,
                terms,
                labels: labelled.labels,
                hand_labelled: labelled.hand_labelled,
            }
        })
        .collect();
    cross_fit_lexicon(&mut pages, folds.max(2), seed);
    cross_fit_page_types(&mut pages, folds.max(2), seed);
    (pages, failures)
}

/// Fills every page's page-type columns from a page-type classifier fitted on the typed pages
/// of the other folds (the same folds as [`cross_validate`]'s), so the block model learns how
/// far to trust them on pages the classifier has not seen. Without typed pages (or with one
/// type only) the columns stay 0.
pub fn cross_fit_page_types(pages: &mut [TrainingPage], k: usize, seed: u64) {
    let k = k.min(pages.len());
    if k < 2 {
        return;
    }
    let page_folds = page_folds(pages.iter(), k, seed);
    let fitted: Vec<Option<crate::page_type::PageTypeModel>> = page_folds
        .par_iter()
        .map(|held_out| {
            let typed: Vec<&TrainingPage> = pages
                .iter()
                .enumerate()
                .filter(|(i, p)| p.page_type.is_some() && !held_out.contains(i))
                .map(|(_, p)| p)
                .collect();
            fit_page_types(&typed)
        })
        .collect();
    for (held_out, classifier) in page_folds.iter().zip(fitted) {
        let Some(classifier) = classifier else {
            continue;
        };
        for &i in held_out {
            let probabilities = classifier.probabilities(&pages[i].page_signals);
            crate::features::write_page_type(&mut pages[i].features, &probabilities);
        }
    }
}

/// The page-type classifier of the typed pages among `pages`; `None` when fewer than two
/// types are present.
fn fit_page_types(pages: &[&TrainingPage]) -> Option<crate::page_type::PageTypeModel> {
    let (rows, types): (Vec<Vec<f64>>, Vec<crate::page_type::PageType>) = pages
        .iter()
        .filter_map(|p| Some((p.page_signals.clone(), p.page_type?)))
        .unzip();
    let distinct: std::collections::HashSet<_> = types.iter().collect();
    if distinct.len() < 2 {
        return None;
    }
    crate::page_type::PageTypeModel::fit(
        &rows,
        &types,
        &crate::page_type::PageTypeParams::default(),
    )
    .ok()
}

/// The [`ClassVocabulary`] of a set of training pages. [`load_pages`] computes their features
/// with it and [`fit_model`] stores it in the model, so a model reads new pages' class tokens
/// as its training pages' were read.
pub fn class_vocabulary<'a>(pages: impl Iterator<Item = &'a Page>) -> ClassVocabulary {
    ClassVocabulary::fit(pages.map(ClassVocabulary::page_tokens))
}

/// Fills every page's lexical column from a lexicon fitted on the pages of the other folds,
/// so the classifier learns how much to trust the column on pages the lexicon has not seen.
pub fn cross_fit_lexicon(pages: &mut [TrainingPage], k: usize, seed: u64) {
    let k = k.min(pages.len());
    if k < 2 {
        return;
    }
    let column = FeatureSchema::current().lexical_column();
    let page_folds = page_folds(pages.iter(), k, seed);
    let mut views: Vec<_> = pages
        .iter_mut()
        .map(|p| (&mut p.features, p.terms.as_slice(), p.labels.as_slice()))
        .collect();
    crate::lexicon::cross_fit(&mut views, &page_folds, column, &LexiconParams::default());
}

/// The lexicon of all the pages' labelled blocks.
fn fit_lexicon(pages: &[&TrainingPage]) -> Lexicon {
    Lexicon::fit(
        pages
            .iter()
            .flat_map(|p| crate::lexicon::labelled_blocks(&p.terms, &p.labels)),
        &LexiconParams::default(),
    )
}

/// Pages contribute at most this many labelled rows (a random sample beyond it)...
const MAX_ROWS_PER_PAGE: usize = 64;
/// ...and pages with fewer are repeated up to this many rows (at most 6 times).
const MIN_ROWS_PER_PAGE: usize = 32;
/// How many times each block of a hand-labelled page is counted.
const HAND_LABELLED_REPEATS: usize = 12;

/// The rows a page contributes to fitting: every page weighs about the same, as in the
/// evaluation (scores are averaged over pages), so a few long gold-text pages with hundreds
/// of labelled blocks cannot drown the snippet pages with six.
fn page_sample(page: &TrainingPage, seed: u64) -> Vec<usize> {
    let mut labelled: Vec<usize> = (0..page.labels.len())
        .filter(|&i| page.labels[i].is_some())
        .collect();
    if page.hand_labelled {
        // Every block of a hand-labelled page was looked at, and only these pages teach the
        // noise kinds: keep them all, several times over.
        return labelled.repeat(HAND_LABELLED_REPEATS);
    }
    if labelled.len() > MAX_ROWS_PER_PAGE {
        let mut rng = SmallRng::seed_from_u64(seed ^ crate::text::fnv1a(page.id.as_bytes()));
        labelled.shuffle(&mut rng);
        labelled.truncate(MAX_ROWS_PER_PAGE);
        labelled.sort_unstable();
        return labelled;
    }
    if labelled.is_empty() {
        return labelled;
    }
    let repeats = MIN_ROWS_PER_PAGE.div_ceil(labelled.len()).clamp(1, 6);
    labelled
        .iter()
        .copied()
        .cycle()
        .take(labelled.len() * repeats)
        .collect()
}

/// Stacks the sampled labelled rows of the pages: (rows, is-content targets).
fn labelled_rows(pages: &[&TrainingPage], seed: u64) -> (Array2<f64>, Array1<bool>) {
    let samples: Vec<Vec<usize>> = pages.iter().map(|p| page_sample(p, seed)).collect();
    let ncols = FeatureSchema::current().len();
    let count: usize = samples.iter().map(Vec::len).sum();
    let mut rows = Array2::zeros((count, ncols));
    let mut targets = Array1::from_elem(count, false);
    let mut r = 0;
    for (page, sample) in pages.iter().zip(&samples) {
        for &i in sample {
            rows.row_mut(r).assign(&page.features.row(i));
            targets[r] = page.labels[i].is_some_and(Label::is_content);
            r += 1;
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
    // Column-major rows make linfa's gradient `xᵀ·v` walk memory contiguously; with row-major
    // rows it strides across the whole matrix for every feature and runs several times slower.
    // f32 halves the memory each pass streams through; the fit does not need more precision.
    let mut column_major = Array2::<f32>::zeros(rows.raw_dim().f());
    column_major.zip_mut_with(rows, |c, &r| *c = r as f32);
    let dataset = linfa::Dataset::new(column_major, targets.clone());
    let fitted = LogisticRegression::default()
        .alpha(params.alpha as f32)
        .max_iterations(params.max_iterations)
        .fit(&dataset)
        .map_err(|e| Error::Training(format!("logistic regression failed: {e}")))?;
    // linfa's binary model gives the probability of the class it met *first* in the targets
    // (whatever its docs say); turn it around when that class was noise.
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    Ok((
        fitted
            .params()
            .iter()
            .map(|&w| sign * f64::from(w))
            .collect(),
        sign * f64::from(fitted.intercept()),
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
    let (mut rows, targets) = labelled_rows(pages, seed);
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

/// Splits page indices into `k` folds, shuffled with `seed`. Pages with the same `group_keys`
/// entry share a fold: the same article under another markup, a duplicate page, or another
/// page of the same site would otherwise be scored by a model that has seen its text, labels
/// or template.
pub fn folds(group_keys: &[u64], k: usize, seed: u64) -> Vec<Vec<usize>> {
    let k = k.max(1);
    // Groups in order of first appearance, so the shuffle alone decides the folds.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut group_of: std::collections::HashMap<u64, usize> = std::collections::HashMap::new();
    for (page, &key) in group_keys.iter().enumerate() {
        let g = *group_of.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[g].push(page);
    }
    groups.shuffle(&mut SmallRng::seed_from_u64(seed));
    let mut folds = vec![Vec::new(); k];
    for (i, pages) in groups.into_iter().enumerate() {
        folds[i % k].extend(pages);
    }
    folds
}

/// [`folds`] of training pages, grouped by their [`TrainingPage::group_key`].
fn page_folds<'a>(
    pages: impl Iterator<Item = &'a TrainingPage>,
    k: usize,
    seed: u64,
) -> Vec<Vec<usize>> {
    let keys: Vec<u64> = pages.map(|p| p.group_key).collect();
    folds(&keys, k, seed)
}

/// What [`folds`] groups pages of unknown origin by: a hash of all their block texts in order.
pub fn text_key(page: &Page) -> u64 {
    let mut hash = crate::text::Fnv1a::new();
    for block in &page.blocks {
        hash = hash.bytes(block.text.as_bytes()).bytes(b"\n");
    }
    hash.finish()
}

/// Fits a complete model: first pass on all pages, and the smoother on first-pass scores that
/// are themselves out-of-fold (an inner split), so it learns how the first pass errs on
/// unseen pages rather than on pages it memorised. The model keeps the [`class_vocabulary`]
/// of `pages`: when these are all of [`load_pages`]'s pages, it is the vocabulary their
/// features were computed with. (A cross-validation fold model is only ever given those
/// precomputed rows, so the vocabulary it keeps is never used.)
pub fn fit_model(pages: &[&TrainingPage], algorithm: &Algorithm, seed: u64) -> Result<Model> {
    algorithm.validate()?;
    const INNER_FOLDS: usize = 3;
    let inner = page_folds(pages.iter().copied(), INNER_FOLDS, seed ^ 0x5eed);
    // The inner fits and the final first-pass fit are independent: run them side by side.
    let (inner_fits, full_fit) = rayon::join(
        || {
            inner
                .par_iter()
                .map(|held_out| {
                    let train: Vec<&TrainingPage> = (0..pages.len())
                        .filter(|i| !held_out.contains(i))
                        .map(|i| pages[i])
                        .collect();
                    let (scaler, classifier) = fit_first_pass(&train, algorithm, seed)?;
                    Ok(held_out
                        .iter()
                        .map(|&i| (i, first_pass_scores(&scaler, &classifier, pages[i])))
                        .collect::<Vec<_>>())
                })
                .collect::<Result<Vec<_>>>()
        },
        || fit_first_pass(pages, algorithm, seed),
    );
    let mut out_of_fold: Vec<Option<Vec<f64>>> = vec![None; pages.len()];
    for (i, scores) in inner_fits?.into_iter().flatten() {
        out_of_fold[i] = Some(scores);
    }
    let FittedSmoother {
        smoother,
        threshold,
        type_thresholds,
    } = fit_smoother(pages, &out_of_fold, seed)?;
    let (scaler, first_pass) = full_fit?;
    let kinds = fit_kinds(pages, &scaler, seed)?;
    Ok(Model::new(
        algorithm.name().to_string(),
        scaler,
        first_pass,
        Some(smoother),
        threshold,
        String::new(),
        kinds,
        Some(fit_lexicon(pages)),
        Some(class_vocabulary(pages.iter().map(|p| &p.page))),
        fit_page_types(pages),
    )
    .with_type_thresholds(type_thresholds))
}

/// The smoother's forest, chosen by cross-validation (README, "Second pass variants"): 48 trees
/// scored within 0.002 F1 of 24 on every set and cost twice the scoring time.
const SMOOTHER_FOREST: ForestParams = ForestParams {
    trees: 24,
    max_depth: 14,
    bootstrap_proportion: 0.25,
    feature_proportion: 0.5,
    min_weight_leaf: 5.0,
};
/// The forest's share of the smoothed score. Measured: 0 (logistic only) and 1 (forest only)
/// both lost to 0.7 in block-level cross-validated F1 (README, "Second pass variants").
const SMOOTHER_FOREST_WEIGHT: f64 = 0.7;

/// What [`fit_smoother`] learns: the smoother, the decision threshold, and one threshold per
/// page type when the pages have page-type probabilities.
struct FittedSmoother {
    smoother: Smoother,
    threshold: f64,
    type_thresholds: Option<[f64; 7]>,
}

/// Folds of the smoother's own out-of-fold scores, which the thresholds are tuned on.
const THRESHOLD_FOLDS: usize = 3;

fn fit_smoother(
    pages: &[&TrainingPage],
    scores: &[Option<Vec<f64>>],
    seed: u64,
) -> Result<FittedSmoother> {
    let type_column = FeatureSchema::current().page_type_column();
    let mut all_rows = Vec::new();
    let mut targets = Vec::new();
    // For each row: the index of its page among those with scores.
    let mut row_page = Vec::new();
    let mut scored_pages = Vec::new();
    for (page, scores) in pages.iter().zip(scores) {
        let Some(scores) = scores else { continue };
        let rows = smoothing_rows_with_words(&page.page, &page.features, scores, &page.terms);
        for i in page_sample(page, seed) {
            all_rows.push(rows.row(i).to_owned());
            targets.push(page.labels[i].is_some_and(Label::is_content));
            row_page.push(scored_pages.len());
        }
        scored_pages.push(*page);
    }
    let views: Vec<_> = all_rows.iter().map(|r| r.view()).collect();
    let mut rows = ndarray::stack(Axis(0), &views)
        .map_err(|e| Error::Training(format!("no rows to fit the smoother: {e}")))?;
    let targets = Array1::from(targets);
    check_both_classes(&targets)?;
    let scaler = Scaler::fit(&rows);
    scaler.apply(&mut rows);
    // The thresholds are tuned on scores of rows the smoother did not see (its trees would
    // otherwise vote with the certainty of memory), fitted beside the final smoother.
    let page_folds = page_folds(scored_pages.iter().copied(), THRESHOLD_FOLDS, seed ^ 0x7e5);
    let (smoother, fold_scores) = rayon::join(
        || fit_smoother_rows(&rows, &targets, &scaler, seed),
        || {
            page_folds
                .par_iter()
                .map(|held_out| {
                    let held: std::collections::HashSet<usize> = held_out.iter().copied().collect();
                    let (train, test): (Vec<usize>, Vec<usize>) =
                        (0..rows.nrows()).partition(|&r| !held.contains(&row_page[r]));
                    let smoother = fit_smoother_rows(
                        &rows.select(Axis(0), &train),
                        &targets.select(Axis(0), &train),
                        &scaler,
                        seed,
                    )?;
                    let scores = smoother.scores_scaled(&rows.select(Axis(0), &test));
                    Ok(test.into_iter().zip(scores).collect::<Vec<_>>())
                })
                .collect::<Result<Vec<_>>>()
        },
    );
    let smoother = smoother?;
    let mut out_of_fold = vec![0.0; rows.nrows()];
    for (r, score) in fold_scores?.into_iter().flatten() {
        out_of_fold[r] = score;
    }
    let targets = targets.to_vec();
    let all = vec![1.0; targets.len()];
    let threshold = best_threshold(&out_of_fold, &targets, &all, 0.30, 0.70);
    // Per page type: every row weighs as much as its page is of that type.
    let page_types: Vec<[f64; 7]> = scored_pages
        .iter()
        .map(|p| {
            std::array::from_fn(|t| {
                if p.features.nrows() > 0 {
                    p.features[[0, type_column + t]]
                } else {
                    0.0
                }
            })
        })
        .collect();
    let typed = page_types.iter().any(|p| p.iter().sum::<f64>() > 0.0);
    let type_thresholds = typed.then(|| {
        std::array::from_fn(|t| {
            let weights: Vec<f64> = row_page.iter().map(|&p| page_types[p][t]).collect();
            best_threshold(&out_of_fold, &targets, &weights, 0.25, 0.75)
        })
    });
    Ok(FittedSmoother {
        smoother,
        threshold,
        type_thresholds,
    })
}

/// The smoother fitted on standardised rows.
fn fit_smoother_rows(
    rows: &Array2<f64>,
    targets: &Array1<bool>,
    scaler: &Scaler,
    seed: u64,
) -> Result<Smoother> {
    let (weights, intercept) = fit_logistic(
        rows,
        targets,
        &LogisticParams {
            alpha: 0.1,
            max_iterations: 200,
        },
    )?;
    let trees = fit_forest(rows, targets, &SMOOTHER_FOREST, seed)?;
    Ok(Smoother {
        scaler: scaler.clone(),
        weights,
        intercept,
        trees,
        forest_weight: SMOOTHER_FOREST_WEIGHT,
        flat: Default::default(),
    })
}

/// The text a page's scores keep at `threshold`: its blocks at or above it, joined as
/// `gleaner extract` joins them.
pub fn kept_text(page: &TrainingPage, scores: &[f64], threshold: f64) -> String {
    let kept: Vec<&str> = page
        .page
        .blocks
        .iter()
        .zip(scores)
        .filter(|(_, &s)| s >= threshold)
        .map(|(b, _)| b.text.as_str())
        .collect();
    kept.join("\n\n")
}

/// The threshold in `lo..=hi` (steps of 0.01) with the best F1 of `scores >= threshold`
/// against `targets`, each row counted with its weight; the range is kept narrow so a quirk of
/// one training set cannot push it to an extreme.
fn best_threshold(scores: &[f64], targets: &[bool], weights: &[f64], lo: f64, hi: f64) -> f64 {
    let mut best = ((lo + hi) / 2.0, -1.0);
    let steps = ((hi - lo) * 100.0).round() as u32;
    for step in 0..=steps {
        let threshold = lo + f64::from(step) * 0.01;
        let (mut tp, mut fp, mut fn_) = (0.0, 0.0, 0.0);
        for ((&s, &t), &w) in scores.iter().zip(targets).zip(weights) {
            match (s >= threshold, t) {
                (true, true) => tp += w,
                (true, false) => fp += w,
                (false, true) => fn_ += w,
                _ => {}
            }
        }
        let f1 = if tp > 0.0 {
            2.0 * tp / (2.0 * tp + fp + fn_)
        } else {
            0.0
        };
        if f1 > best.1 + 1e-9 {
            best = (threshold, f1);
        }
    }
    best.0
}

/// Fits the noise-kind classifier: a multinomial model among boilerplate, teaser and promo on
/// the blocks labelled so, and a binary comment detector on every labelled non-content block
/// (sampled per page like the block model's rows, hand-labelled pages whole), so that it
/// learns comments against chrome of every kind. `None` when the data names no kinds (e.g.
/// only content/noise labels).
fn fit_kinds(
    pages: &[&TrainingPage],
    scaler: &Scaler,
    seed: u64,
) -> Result<Option<KindClassifier>> {
    let kinds = [Label::Boilerplate, Label::Teaser, Label::Promo];
    let mut rows = Vec::new();
    let mut targets = Vec::new();
    for page in pages {
        for (i, label) in page.labels.iter().enumerate() {
            if let Some(k) = label.and_then(|l| kinds.iter().position(|&k| k == l)) {
                rows.push(page.features.row(i));
                targets.push(k);
            }
        }
    }
    let width = FeatureSchema::current().len();
    let present: Vec<usize> = (0..kinds.len()).filter(|k| targets.contains(k)).collect();
    let comment = fit_comment_detector(pages, scaler, seed)?;
    let (kinds, weights, intercepts) = match present.len() {
        0 if comment.is_none() => return Ok(None),
        0 => (vec![Label::Noise], vec![vec![0.0; width]], vec![0.0]),
        1 => (vec![kinds[present[0]]], vec![vec![0.0; width]], vec![0.0]),
        _ => {
            let x = scaled_f32(&rows, scaler)?;
            let dataset = linfa::Dataset::new(x, Array1::from(targets));
            let fitted = linfa_logistic::MultiLogisticRegression::default()
                .alpha(1.0)
                .max_iterations(100)
                .fit(&dataset)
                .map_err(|e| Error::Training(format!("noise-kind classifier failed: {e}")))?;
            let params = fitted.params();
            let classes = fitted.classes();
            (
                classes.iter().map(|&k| kinds[k]).collect(),
                (0..classes.len())
                    .map(|c| params.column(c).iter().map(|&w| f64::from(w)).collect())
                    .collect(),
                fitted.intercept().iter().map(|&b| f64::from(b)).collect(),
            )
        }
    };
    Ok(Some(KindClassifier {
        kinds,
        weights,
        intercepts,
        comment,
        contrasts: Default::default(),
    }))
}

/// Rows stacked, standardised and laid out column-major in f32, as [`fit_logistic`] wants
/// them.
fn scaled_f32(rows: &[ndarray::ArrayView1<'_, f64>], scaler: &Scaler) -> Result<Array2<f32>> {
    let mut stacked = ndarray::stack(Axis(0), rows).map_err(|e| Error::Training(e.to_string()))?;
    scaler.apply(&mut stacked);
    let mut column_major = Array2::<f32>::zeros(stacked.raw_dim().f());
    column_major.zip_mut_with(&stacked, |c, &r| *c = r as f32);
    Ok(column_major)
}

/// The comment detector: a comment against any other labelled noise. `None` without comment
/// labels.
fn fit_comment_detector(
    pages: &[&TrainingPage],
    scaler: &Scaler,
    seed: u64,
) -> Result<Option<crate::model::LinearScore>> {
    let mut rows = Vec::new();
    let mut targets = Vec::new();
    for page in pages {
        for i in page_sample(page, seed) {
            match page.labels[i] {
                Some(Label::Content) | None => {}
                Some(label) => {
                    rows.push(page.features.row(i));
                    targets.push(label == Label::Comment);
                }
            }
        }
    }
    let comments = targets.iter().filter(|&&t| t).count();
    if comments == 0 || comments == targets.len() {
        return Ok(None);
    }
    let x = scaled_f32(&rows, scaler)?;
    let fitted = LogisticRegression::default()
        .alpha(1.0)
        .max_iterations(100)
        .fit(&linfa::Dataset::new(x, Array1::from(targets)))
        .map_err(|e| Error::Training(format!("comment detector failed: {e}")))?;
    // As in `fit_logistic`: linfa's probability is of the class it met first.
    let sign = if fitted.labels().pos.class { 1.0 } else { -1.0 };
    Ok(Some(crate::model::LinearScore {
        weights: fitted
            .params()
            .iter()
            .map(|&w| sign * f64::from(w))
            .collect(),
        intercept: sign * f64::from(fitted.intercept()),
    }))
}

/// The page-type probabilities a page's feature rows carry, `None` when they are all 0 (no
/// page-type classifier filled them).
pub fn page_type_of(features: &Array2<f64>) -> Option<[f64; 7]> {
    let column = FeatureSchema::current().page_type_column();
    if features.nrows() == 0 {
        return None;
    }
    let types: [f64; 7] = std::array::from_fn(|t| features[[0, column + t]]);
    (types.iter().sum::<f64>() > 0.0).then_some(types)
}

/// How well the confidence estimate ranks pages, measured out of fold.
#[derive(Debug, Clone, Default)]
pub struct ConfidenceReport {
    /// Pages with gold text that cross-validation held out.
    pub pages: usize,
    /// Spearman correlation of the estimate with the true word F1, each page's estimate from
    /// a confidence model fitted on the other folds' pages.
    pub spearman: f64,
    /// The same per dataset (its index, pages, correlation).
    pub by_dataset: Vec<(usize, usize, f64)>,
}

/// The true word F1 of a page's out-of-fold extraction, and its confidence signals, for every
/// held-out page with gold text.
fn confidence_samples(pages: &[TrainingPage], cv: &CrossValidation) -> Vec<(usize, Vec<f64>, f64)> {
    let first_scores = |page: &TrainingPage, i: usize| -> Vec<f64> {
        cv.first_page_scores
            .get(i)
            .filter(|s| s.len() == page.page.blocks.len())
            .cloned()
            .unwrap_or_else(|| cv.page_scores[i].clone())
    };
    pages
        .iter()
        .enumerate()
        .filter(|(i, p)| cv.held_out[*i] && p.gold_text.is_some())
        .map(|(i, page)| {
            let scores = &cv.page_scores[i];
            let threshold = cv.page_thresholds[i];
            let gold = page.gold_text.as_deref().unwrap_or("");
            let f1 = crate::eval::word_agreement(&kept_text(page, scores, threshold), gold).f1;
            let signals = crate::confidence::extraction_signals(
                &page.page,
                &first_scores(page, i),
                scores,
                threshold,
                page_type_of(&page.features).as_ref(),
            );
            (i, signals, f1)
        })
        .collect()
}

/// Fits the confidence estimate on the out-of-fold extractions of a cross-validation, and
/// measures it out of fold in turn (folds of those pages, grouped as [`folds`] groups them).
/// `None` when fewer than 10 held-out pages have gold text.
pub fn fit_confidence(
    pages: &[TrainingPage],
    cv: &CrossValidation,
    k: usize,
    seed: u64,
) -> Result<Option<(crate::confidence::ConfidenceModel, ConfidenceReport)>> {
    use crate::confidence::{spearman, ConfidenceModel};
    let samples = confidence_samples(pages, cv);
    if samples.len() < 10 {
        return Ok(None);
    }
    let keys: Vec<u64> = samples
        .iter()
        .map(|(i, _, _)| pages[*i].group_key)
        .collect();
    let mut estimates = vec![0.0; samples.len()];
    for held_out in folds(&keys, k.max(2), seed ^ 0xc0f1) {
        let (rows, targets): (Vec<Vec<f64>>, Vec<f64>) = (0..samples.len())
            .filter(|j| !held_out.contains(j))
            .map(|j| (samples[j].1.clone(), samples[j].2))
            .unzip();
        let model = ConfidenceModel::fit(&rows, &targets)?;
        for &j in &held_out {
            estimates[j] = model.confidence(&samples[j].1);
        }
    }
    let truth: Vec<f64> = samples.iter().map(|s| s.2).collect();
    let mut by_dataset = Vec::new();
    let mut datasets: Vec<usize> = samples.iter().map(|(i, _, _)| pages[*i].dataset).collect();
    datasets.sort_unstable();
    datasets.dedup();
    for d in datasets {
        let js: Vec<usize> = (0..samples.len())
            .filter(|&j| pages[samples[j].0].dataset == d)
            .collect();
        let e: Vec<f64> = js.iter().map(|&j| estimates[j]).collect();
        let t: Vec<f64> = js.iter().map(|&j| truth[j]).collect();
        by_dataset.push((d, js.len(), spearman(&e, &t)));
    }
    let report = ConfidenceReport {
        pages: samples.len(),
        spearman: spearman(&estimates, &truth),
        by_dataset,
    };
    let (rows, targets): (Vec<Vec<f64>>, Vec<f64>) =
        samples.into_iter().map(|(_, r, t)| (r, t)).unzip();
    Ok(Some((ConfidenceModel::fit(&rows, &targets)?, report)))
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
    /// Per page, the out-of-fold first-pass scores of every block.
    pub first_page_scores: Vec<Vec<f64>>,
    /// Per page, the threshold of the fold model that scored it.
    pub page_thresholds: Vec<f64>,
    /// Per page, whether it was held out (and so has out-of-fold scores) in some fold.
    pub held_out: Vec<bool>,
    /// Block-level detection of the `teaser` kind (content or another kind predicted for a
    /// teaser is a miss), over pages labelled with noise kinds; `None` without such pages.
    pub teaser: Option<BlockScores>,
    /// Block-level detection of the `comment` kind (a comment is found when it is dropped
    /// *and* named a comment), over the labelled blocks of the held-out pages.
    pub comment: Option<BlockScores>,
}

/// k-fold cross-validation by page (grouped by site or text, see [`folds`]). With
/// `only_dataset`, only that dataset's pages are ever held out: each fold's model is trained on
/// everything else, the other datasets' pages included, and only the held-out pages get
/// out-of-fold scores (the others' [`CrossValidation::page_scores`] stay empty).
pub fn cross_validate(
    pages: &[TrainingPage],
    algorithm: &Algorithm,
    k: usize,
    seed: u64,
    only_dataset: Option<usize>,
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
    let held_out_folds: Vec<Vec<usize>> = page_folds(pages.iter(), k, seed)
        .into_iter()
        .map(|fold| {
            fold.into_iter()
                .filter(|&i| only_dataset.is_none_or(|d| pages[i].dataset == d))
                .collect::<Vec<usize>>()
        })
        .filter(|fold| !fold.is_empty())
        .collect();
    let fold_results = held_out_folds
        .into_par_iter()
        .map(|held_out| {
            let train: Vec<&TrainingPage> = (0..pages.len())
                .filter(|i| !held_out.contains(i))
                .map(|i| &pages[i])
                .collect();
            let model = fit_model(&train, algorithm, seed)?;
            Ok(held_out
                .into_iter()
                .map(|i| {
                    let page = &pages[i];
                    let scaled = model.scale(&page.features);
                    let first = model.first_pass_scores_scaled(&scaled);
                    let smoothed = match &model.smoother {
                        Some(s) => s.scores(&smoothing_rows_with_words(
                            &page.page,
                            &page.features,
                            &first,
                            &page.terms,
                        )),
                        None => first.clone(),
                    };
                    let threshold = model.threshold_for(page_type_of(&page.features).as_ref());
                    let mut smoothed = smoothed;
                    let reader_comments = crate::rules::after_model(
                        &page.page,
                        &page.features,
                        &mut smoothed,
                        threshold,
                        page_type_of(&page.features).as_ref(),
                    );
                    let kinds: Vec<Option<Label>> = smoothed
                        .iter()
                        .enumerate()
                        .map(|(b, &s)| {
                            let kinds = model.kinds.as_ref().filter(|_| s < threshold)?;
                            if reader_comments[b] {
                                return Some(Label::Comment);
                            }
                            Some(kinds.classify(scaled.row(b)))
                        })
                        .collect();
                    (i, first, smoothed, kinds, threshold)
                })
                .collect::<Vec<_>>())
        })
        .collect::<Result<Vec<_>>>()?;
    let mut predicted_kinds = vec![Vec::new(); pages.len()];
    let mut thresholds = vec![0.5; pages.len()];
    let mut held_out = vec![false; pages.len()];
    for (i, first, smoothed, kinds, threshold) in fold_results.into_iter().flatten() {
        held_out[i] = true;
        first_scores[i] = first;
        final_scores[i] = smoothed;
        predicted_kinds[i] = kinds;
        thresholds[i] = threshold;
    }
    // Teaser detection, over the pages labelled with noise kinds.
    let teaser_pairs: Vec<(bool, bool)> = pages
        .iter()
        .zip(&predicted_kinds)
        .filter(|(page, _)| {
            page.labels
                .iter()
                .any(|l| matches!(l, Some(Label::Teaser | Label::Boilerplate | Label::Promo)))
        })
        .flat_map(|(page, kinds)| {
            page.labels
                .iter()
                .zip(kinds)
                .filter(|(l, _)| l.is_some_and(|l| l != Label::Noise))
                .map(|(l, k)| (*k == Some(Label::Teaser), *l == Some(Label::Teaser)))
        })
        .collect();
    let comment_pairs: Vec<(bool, bool)> = pages
        .iter()
        .zip(&predicted_kinds)
        .flat_map(|(page, kinds)| {
            page.labels
                .iter()
                .zip(kinds)
                .filter(|(l, _)| l.is_some())
                .map(|(l, k)| (*k == Some(Label::Comment), *l == Some(Label::Comment)))
        })
        .collect();
    // The first pass alone is judged at 0.5; the smoothed scores at each fold model's own
    // tuned threshold, as the shipped model would use its own.
    let first_thresholds = vec![0.5; pages.len()];
    let pairs = |scores: &Vec<Vec<f64>>, thresholds: &[f64]| -> Vec<(bool, bool)> {
        pages
            .iter()
            .zip(scores)
            .zip(thresholds)
            .flat_map(|((page, s), &threshold)| {
                page.labels
                    .iter()
                    .zip(s)
                    .filter_map(move |(l, &s)| l.map(|l| (s >= threshold, l.is_content())))
            })
            .collect()
    };
    Ok(CrossValidation {
        algorithm: algorithm.name().to_string(),
        first_pass: BlockScores::from_predictions(
            pairs(&first_scores, &first_thresholds).into_iter(),
        ),
        smoothed: BlockScores::from_predictions(pairs(&final_scores, &thresholds).into_iter()),
        first_page_scores: first_scores,
        page_scores: final_scores,
        page_thresholds: thresholds,
        held_out,
        teaser: (!teaser_pairs.is_empty())
            .then(|| BlockScores::from_predictions(teaser_pairs.into_iter())),
        comment: comment_pairs
            .iter()
            .any(|&(_, actual)| actual)
            .then(|| BlockScores::from_predictions(comment_pairs.into_iter())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_with_the_same_text_share_a_fold_and_every_page_is_in_one() {
        // Pages 0, 3 and 6 are one article in three markups; the rest are distinct.
        let keys = [7, 1, 2, 7, 3, 4, 7, 5, 6, 8];
        for seed in 0..20 {
            let folds = folds(&keys, 3, seed);
            let mut all: Vec<usize> = folds.iter().flatten().copied().collect();
            all.sort_unstable();
            assert_eq!(all, (0..keys.len()).collect::<Vec<_>>());
            let with_0 = folds.iter().find(|f| f.contains(&0)).unwrap();
            assert!(
                with_0.contains(&3) && with_0.contains(&6),
                "seed {seed}: {folds:?}"
            );
        }
    }

    #[test]
    fn the_best_threshold_separates_the_classes_and_weighs_rows() {
        let scores = [0.1, 0.2, 0.35, 0.4, 0.6, 0.7, 0.9];
        let targets = [false, false, false, true, true, true, true];
        let even = [1.0; 7];
        let threshold = best_threshold(&scores, &targets, &even, 0.3, 0.7);
        assert!((0.36..=0.40).contains(&threshold), "{threshold}");
        // Rows weighing nothing do not count: without the 0.4 row, any cut in 0.36..=0.60
        // separates the rest perfectly.
        let without = [1.0, 1.0, 1.0, 0.0, 1.0, 1.0, 1.0];
        let threshold = best_threshold(&scores, &targets, &without, 0.3, 0.7);
        assert!((0.36..=0.60).contains(&threshold), "{threshold}");
        let narrow = best_threshold(&scores, &targets, &even, 0.5, 0.7);
        assert!((0.5..=0.6).contains(&narrow), "{narrow}");
    }
}
