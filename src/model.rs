//! Trained models and how they are stored.
//!
//! A [`Model`] is a [`Lexicon`] of chrome words (two feature columns), a first-pass block
//! classifier over feature rows, a second-pass [`Smoother`] over neighbouring scores, and the
//! decision threshold.
//! Fitting uses linfa; the fitted parameters are then kept in plain serde structs
//! ([`Classifier`]), because linfa-ensemble's forests cannot be serialised and because a plain
//! dot product or tree walk is all prediction needs. The file records the feature-schema
//! version and refuses to load under another one.

use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::features::{
    page_features_and_words, BlockTerms, ClassVocabulary, FeatureSchema, SCHEMA_VERSION,
};
use crate::lexicon::Lexicon;
use crate::page_type::PageTypeModel;
use crate::segment::Page;
use crate::smooth::Smoother;

pub use crate::fitted::{sigmoid, Scaler, Tree, TreeNode};

/// Identifies gleaner block models among other JSON files.
pub const MODEL_FORMAT: &str = "gleaner-block-model";

/// The model shipped in `models/` and embedded in the binary.
pub static DEFAULT_MODEL_JSON: &[u8] = include_bytes!("../models/gleaner-block.json");

/// A complete block model: scaling, first pass, smoothing pass and threshold.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    pub format: String,
    pub schema_version: u32,
    pub feature_names: Vec<String>,
    /// Human-readable name of the first-pass algorithm, e.g. `logistic_regression`.
    pub algorithm: String,
    pub scaler: Scaler,
    pub first_pass: Classifier,
    pub smoother: Option<Smoother>,
    /// Blocks whose final score reaches this are content (see [`Model::threshold_for`]).
    pub threshold: f64,
    /// One threshold per page type (in the order of [`crate::page_type::PageType::ALL`]): a
    /// page's threshold is their mean weighted by its page-type probabilities. Listings and
    /// collections keep more of their doubtful blocks than articles do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub type_thresholds: Option<[f64; 7]>,
    /// What the model was trained on, for the record.
    #[serde(default)]
    pub provenance: String,
    /// Names the kind of noise of dropped blocks; absent in models trained on plain
    /// content/noise labels, whose dropped blocks are all `noise`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kinds: Option<KindClassifier>,
    /// Noise weights of words, for the [`crate::features::LEXICAL_FEATURES`] columns; without
    /// it those columns stay 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lexicon: Option<Lexicon>,
    /// The class/id tokens that fill the class buckets; without it, every token does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class_vocabulary: Option<ClassVocabulary>,
    /// Says what kind of page a page is, for the [`crate::features::PAGE_TYPE_FEATURES`]
    /// columns and the records' `page_type`; without it those columns stay 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_type: Option<PageTypeModel>,
    /// Estimates how well a page was extracted (the records' `confidence`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<crate::confidence::ConfidenceModel>,
    /// A correction fitted on a user's own pages on top of this (base) model, in an adapted
    /// model file (format [`crate::adapter::ADAPTED_MODEL_FORMAT`]); see [`crate::adapt`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adapter: Option<crate::adapter::Adapter>,
    /// The classifiers with the scaling folded into their parameters, built on first use, so
    /// that extraction scores raw feature rows without standardising a copy of them.
    #[serde(skip)]
    raw_space: std::sync::OnceLock<RawSpace>,
}

/// [`Model::first_pass`] and [`Model::kinds`] rewritten to take unscaled rows.
#[derive(Debug, Clone)]
struct RawSpace {
    first_pass: Classifier,
    kinds: Option<KindClassifier>,
}

impl Model {
    /// Loads the model embedded in the binary.
    pub fn default_model() -> Result<Model> {
        Model::from_json(DEFAULT_MODEL_JSON)
    }

    /// Parses a model file, checking that it was made for this version's feature schema.
    pub fn from_json(bytes: &[u8]) -> Result<Model> {
        #[derive(Deserialize)]
        struct Header {
            format: Option<String>,
            schema_version: Option<u32>,
        }
        // Whether the file is an adapted model, or why it is no model of this gleaner.
        let check_header = |format: Option<&str>, version: Option<u32>| {
            let adapted = format == Some(crate::adapter::ADAPTED_MODEL_FORMAT);
            if format != Some(MODEL_FORMAT) && !adapted {
                return Err(Error::Model(format!(
                    "not a gleaner block model (format {:?}, expected {MODEL_FORMAT:?})",
                    format.unwrap_or_default()
                )));
            }
            let version = version.unwrap_or(0);
            if version != SCHEMA_VERSION {
                return Err(Error::Model(format!(
                    "this model was trained for feature schema v{version}, but this gleaner \
                     computes schema v{SCHEMA_VERSION}; retrain it with `gleaner train` or use \
                     a gleaner release that matches the model"
                )));
            }
            Ok(adapted)
        };
        // One pass over the file when it is a model (3.5 MB of JSON for the shipped one,
        // parsed at every start): a first pass for the header alone cost half as much again
        // as the model. Only a file that is not a model is read again for its header, so
        // that another kind of file or another schema's model is named as such (as it was
        // when the header came first) rather than by the field error.
        let model: Model = match serde_json::from_slice(bytes) {
            Ok(model) => model,
            Err(e) => {
                let header: Header = serde_json::from_slice(bytes).map_err(|e| {
                    Error::Model(format!("not a gleaner model file (invalid JSON: {e})"))
                })?;
                check_header(header.format.as_deref(), header.schema_version)?;
                return Err(Error::Model(format!("corrupt gleaner model file: {e}")));
            }
        };
        let adapted = check_header(Some(&model.format), Some(model.schema_version))?;
        match (&model.adapter, adapted) {
            (Some(adapter), true) => adapter.check(&model.base_record())?,
            (None, false) => {}
            _ => {
                return Err(Error::Model(
                    "corrupt gleaner model file: an adapted model without its adapter, or an                      adapter in a plain model file"
                        .into(),
                ))
            }
        }
        let expected = FeatureSchema::current();
        if model.feature_names != expected.names() {
            return Err(Error::Model(format!(
                "model feature list does not match schema v{SCHEMA_VERSION} ({} features in the \
                 model, {} expected); retrain it with `gleaner train`",
                model.feature_names.len(),
                expected.len()
            )));
        }
        model.first_pass.check(expected.len())?;
        if let Some(smoother) = &model.smoother {
            let inputs = crate::smooth::SMOOTHING_FEATURES.len();
            if smoother.weights.len() != inputs {
                return Err(Error::Model(format!(
                    "the model's smoothing pass has {} inputs, this gleaner computes {inputs}; \
                     retrain it with `gleaner train`",
                    smoother.weights.len()
                )));
            }
            if !smoother.fits(inputs) {
                return Err(Error::Model(
                    "the model's smoothing pass is damaged or was edited by hand; retrain it \
                     with `gleaner train`"
                        .into(),
                ));
            }
        }
        if let Some(lexicon) = &model.lexicon {
            lexicon
                .check()
                .map_err(|e| Error::Model(format!("corrupt gleaner model file: {e}")))?;
        }
        if model
            .type_thresholds
            .is_some_and(|t| t.iter().any(|t| !(0.0..=1.0).contains(t)))
        {
            return Err(Error::Model(
                "corrupt gleaner model file: a page-type threshold is outside 0–1; retrain it \
                 with `gleaner train`"
                    .into(),
            ));
        }
        if model.confidence.as_ref().is_some_and(|c| !c.fits()) {
            return Err(Error::Model(
                "the model's confidence estimate does not fit this gleaner's signals; retrain it \
                 with `gleaner train`"
                    .into(),
            ));
        }
        if model.page_type.as_ref().is_some_and(|p| !p.fits()) {
            return Err(Error::Model(
                "the model's page-type classifier does not fit this gleaner's page signals; \
                 retrain it with `gleaner train`"
                    .into(),
            ));
        }
        if model
            .class_vocabulary
            .as_ref()
            .is_some_and(|v| !v.is_well_formed())
        {
            return Err(Error::Model(
                "corrupt gleaner model file: its class vocabulary is not a sorted list of \
                 distinct token hashes; retrain it with `gleaner train`"
                    .into(),
            ));
        }
        if model
            .kinds
            .as_ref()
            .is_some_and(|k| !k.check(expected.len()))
        {
            return Err(Error::Model(
                "the model's noise-kind classifier does not fit the feature schema; retrain it \
                 with `gleaner train`"
                    .into(),
            ));
        }
        Ok(model)
    }

    /// Reads a model file from disk.
    pub fn load(path: &std::path::Path) -> Result<Model> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Model::from_json(&bytes).map_err(|e| Error::Model(format!("{}: {e}", path.display())))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("models serialise")
    }

    /// Assembles a model from its parts (as `gleaner train` does).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        algorithm: String,
        scaler: Scaler,
        first_pass: Classifier,
        smoother: Option<Smoother>,
        threshold: f64,
        provenance: String,
        kinds: Option<KindClassifier>,
        lexicon: Option<Lexicon>,
        class_vocabulary: Option<ClassVocabulary>,
        page_type: Option<PageTypeModel>,
    ) -> Model {
        let schema = FeatureSchema::current();
        Model {
            format: MODEL_FORMAT.to_string(),
            schema_version: SCHEMA_VERSION,
            feature_names: schema.names().to_vec(),
            algorithm,
            scaler,
            first_pass,
            smoother,
            threshold,
            provenance,
            kinds,
            lexicon,
            class_vocabulary,
            page_type,
            confidence: None,
            type_thresholds: None,
            adapter: None,
            raw_space: std::sync::OnceLock::new(),
        }
    }

    /// The model with `adapter` applied on top of it (an adapted model file; see
    /// [`crate::adapt`]).
    pub fn with_adapter(mut self, adapter: crate::adapter::Adapter) -> Model {
        self.format = crate::adapter::ADAPTED_MODEL_FORMAT.to_string();
        self.adapter = Some(adapter);
        self
    }

    /// What identifies this model as the base of an adapter: its schema and a digest of its
    /// deciding parameters (see [`crate::adapter::Adapter::check`]).
    pub fn base_record(&self) -> crate::adapter::BaseRecord {
        let parameters = serde_json::json!([
            self.scaler,
            self.first_pass,
            self.smoother,
            self.threshold,
            self.type_thresholds
        ]);
        crate::adapter::BaseRecord {
            schema_version: self.schema_version,
            digest: format!(
                "{:016x}",
                crate::text::fnv1a(parameters.to_string().as_bytes())
            ),
            provenance: self.provenance.clone(),
        }
    }

    /// The base model of an adapted model (itself otherwise).
    pub fn without_adapter(mut self) -> Model {
        self.format = MODEL_FORMAT.to_string();
        self.adapter = None;
        self
    }

    /// The model with a threshold per page type.
    pub fn with_type_thresholds(mut self, type_thresholds: Option<[f64; 7]>) -> Model {
        self.type_thresholds = type_thresholds;
        self
    }

    /// The decision threshold of a page with these page-type probabilities: the mean of the
    /// per-type thresholds they weigh, or the model's one threshold without them.
    pub fn threshold_for(&self, page_type: Option<&[f64; 7]>) -> f64 {
        match (self.type_thresholds, page_type) {
            (Some(thresholds), Some(p)) if p.iter().sum::<f64>() > 0.0 => {
                thresholds.iter().zip(p).map(|(t, p)| t * p).sum::<f64>() / p.iter().sum::<f64>()
            }
            _ => self.threshold,
        }
    }

    fn raw_space(&self) -> &RawSpace {
        self.raw_space.get_or_init(|| RawSpace {
            first_pass: self.first_pass.unscaled(&self.scaler),
            kinds: self.kinds.as_ref().map(|k| k.unscaled(&self.scaler)),
        })
    }

    /// The feature rows of a page, page-type and lexical columns included, each block's
    /// terms, and the page's type probabilities (`None` without a page-type classifier).
    /// `url` is where the page came from, when the caller knows it.
    pub fn page_rows(
        &self,
        page: &Page,
        url: Option<&str>,
    ) -> (Array2<f64>, Vec<BlockTerms>, Option<[f64; 7]>) {
        let (mut rows, words) = page_features_and_words(page, self.class_vocabulary.as_ref());
        let page_type = self.page_type_probabilities(page, url);
        if let Some(probabilities) = &page_type {
            crate::features::write_page_type(&mut rows, probabilities);
        }
        self.fill_lexical(&mut rows, &words);
        (rows, words, page_type)
    }

    /// The probability of each [`crate::page_type::PageType`] (in the order of its `ALL`).
    pub fn page_type_probabilities(&self, page: &Page, url: Option<&str>) -> Option<[f64; 7]> {
        let classifier = self.page_type.as_ref()?;
        Some(classifier.probabilities(&crate::page_type::page_signals(page, url)))
    }

    /// Writes what the lexicon makes of each block's words into its row.
    pub fn fill_lexical(&self, rows: &mut Array2<f64>, words: &[BlockTerms]) {
        let Some(lexicon) = &self.lexicon else {
            return;
        };
        let column = FeatureSchema::current().lexical_column();
        for (row, w) in rows.rows_mut().into_iter().zip(words) {
            lexicon.write_evidence(w, row, column);
        }
    }

    /// First-pass content probabilities for a page's (unscaled) feature rows.
    pub fn first_pass_scores(&self, rows: &Array2<f64>) -> Vec<f64> {
        let classifier = &self.raw_space().first_pass;
        rows.rows()
            .into_iter()
            .map(|row| classifier.probability(row))
            .collect()
    }

    /// The kind of noise of an unscaled feature row, when the model names kinds.
    pub fn kind_of(&self, row: ArrayView1<'_, f64>) -> Option<crate::label::Label> {
        self.raw_space().kinds.as_ref().map(|k| k.classify(row))
    }

    /// One feature row standardised as the model's classifiers were trained on it.
    pub fn scale_row(&self, row: ArrayView1<'_, f64>) -> ndarray::Array1<f64> {
        let mut scaled = row.to_owned();
        for ((v, m), s) in scaled
            .iter_mut()
            .zip(&self.scaler.mean)
            .zip(&self.scaler.scale)
        {
            *v = (*v - m) / s;
        }
        scaled
    }

    /// The rows standardised as the model's classifiers expect them.
    pub fn scale(&self, rows: &Array2<f64>) -> Array2<f64> {
        let mut scaled = rows.clone();
        self.scaler.apply(&mut scaled);
        scaled
    }

    pub fn first_pass_scores_scaled(&self, scaled: &Array2<f64>) -> Vec<f64> {
        scaled
            .rows()
            .into_iter()
            .map(|row| self.first_pass.probability(row))
            .collect()
    }
}

/// Fitted first-pass classifiers, as plain parameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Classifier {
    /// From `linfa_logistic::LogisticRegression`.
    Logistic { weights: Vec<f64>, intercept: f64 },
    /// From `linfa_ensemble` bagged `linfa_trees::DecisionTree`s; each leaf holds the share of
    /// content among the training rows that reached it, so the forest gives probabilities.
    Forest { trees: Vec<Tree> },
}

impl Classifier {
    /// The same classifier, taking unscaled rows: a weight `w` on `(x - m) / s` is a weight
    /// `w / s` on `x` plus a constant, and a split at `t` on `(x - m) / s` is a split at
    /// `t * s + m` on `x`.
    fn unscaled(&self, scaler: &Scaler) -> Classifier {
        match self {
            Classifier::Logistic { weights, intercept } => {
                let (weights, intercept) = scaler.fold_linear(weights, *intercept);
                Classifier::Logistic { weights, intercept }
            }
            Classifier::Forest { trees } => Classifier::Forest {
                trees: trees
                    .iter()
                    .map(|tree| Tree {
                        nodes: tree
                            .nodes
                            .iter()
                            .map(|node| {
                                let mut node = node.clone();
                                if let Some(f) = node.feature {
                                    let f = f as usize;
                                    node.threshold =
                                        node.threshold * scaler.scale[f] + scaler.mean[f];
                                }
                                node
                            })
                            .collect(),
                    })
                    .collect(),
            },
        }
    }

    pub fn probability(&self, row: ArrayView1<'_, f64>) -> f64 {
        match self {
            Classifier::Logistic { weights, intercept } => {
                sigmoid(crate::fitted::dot(weights, row) + intercept)
            }
            Classifier::Forest { trees } => {
                trees.iter().map(|t| t.predict(row)).sum::<f64>() / trees.len().max(1) as f64
            }
        }
    }

    fn check(&self, features: usize) -> Result<()> {
        let ok = match self {
            Classifier::Logistic { weights, .. } => weights.len() == features,
            Classifier::Forest { trees } => {
                !trees.is_empty() && trees.iter().all(|t| t.is_valid(features))
            }
        };
        if ok {
            Ok(())
        } else {
            Err(Error::Model(
                "model parameters do not fit the feature schema; the file is damaged or was \
                 edited by hand — retrain it with `gleaner train`"
                    .into(),
            ))
        }
    }
}

/// Says which kind of noise a dropped block is, and which features pushed it there: first a
/// binary logistic model over the (scaled) feature row says whether it is a reader comment
/// (trained against every other kind of noise, generic noise included, so that it does not
/// take chrome for comments); if not, a multinomial one picks among the other kinds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KindClassifier {
    pub kinds: Vec<crate::label::Label>,
    /// One weight vector per kind, over the feature columns.
    pub weights: Vec<Vec<f64>>,
    pub intercepts: Vec<f64>,
    /// The comment detector; absent in models trained without comment labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<LinearScore>,
    /// What [`KindClassifier::reasons`] weighs a row by, built on first use (see
    /// [`KindClassifier::contrasts`]).
    #[serde(skip)]
    pub(crate) contrasts: std::sync::OnceLock<Vec<Vec<f64>>>,
}

/// A binary logistic model: weights over the feature columns and an intercept.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinearScore {
    pub weights: Vec<f64>,
    pub intercept: f64,
}

impl LinearScore {
    pub fn probability(&self, row: ArrayView1<'_, f64>) -> f64 {
        sigmoid(crate::fitted::dot(&self.weights, row) + self.intercept)
    }
}

/// A feature's share in a decision, for explaining it to the user: the feature, its
/// standardised value on this block, and how much it pushed the decision (weight × value).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub feature: String,
    pub value: f64,
    pub weight: f64,
}

/// The `count` features whose `weight × value` is largest and positive, largest first (equal
/// ones in column order).
///
/// Called for every dropped block when reasons are asked for, with a few hundred columns and
/// three reasons: the best `count` are kept in order as the columns go by, rather than all
/// positive contributions being collected and sorted (which was a fifth of a batch run with
/// `--fields blocks`). A column goes after every kept one that is at least as large, so the
/// result is what a stable sort by decreasing contribution puts first.
pub fn top_reasons(
    scaled: ArrayView1<'_, f64>,
    weights: impl Iterator<Item = f64>,
    count: usize,
) -> Vec<Reason> {
    let names = FeatureSchema::current().names();
    // Read as a slice, as in `crate::fitted::dot`.
    let copy;
    let values = match scaled.as_slice() {
        Some(values) => values,
        None => {
            copy = scaled.to_vec();
            &copy[..]
        }
    };
    let mut top: Vec<(usize, f64)> = Vec::new();
    let positive = weights
        .zip(values)
        .map(|(w, x)| w * x)
        .enumerate()
        .filter(|(_, c)| *c > 0.0);
    // Contributions here are positive numbers (not NaN), so `>=` orders them as `total_cmp`.
    for (j, c) in positive {
        if top.len() == count && top.last().is_none_or(|&(_, last)| last >= c) {
            continue; // the common case: no better than the kept ones
        }
        let at = top.partition_point(|&(_, kept)| kept >= c);
        if at < count {
            top.insert(at, (j, c));
            top.truncate(count);
        }
    }
    top.into_iter()
        .map(|(j, c)| Reason {
            feature: names[j].clone(),
            value: values[j],
            weight: c,
        })
        .collect()
}

impl KindClassifier {
    /// The same classifier, taking unscaled rows (see [`Classifier::unscaled`]).
    fn unscaled(&self, scaler: &Scaler) -> KindClassifier {
        let kinds = self;
        let (weights, intercepts) = kinds
            .weights
            .iter()
            .zip(&kinds.intercepts)
            .map(|(w, &b)| scaler.fold_linear(w, b))
            .unzip();
        KindClassifier {
            kinds: kinds.kinds.clone(),
            weights,
            intercepts,
            comment: kinds.comment.as_ref().map(|c| {
                let (weights, intercept) = scaler.fold_linear(&c.weights, c.intercept);
                LinearScore { weights, intercept }
            }),
            contrasts: std::sync::OnceLock::new(),
        }
    }

    /// The most likely kind for a scaled row.
    pub fn classify(&self, scaled: ArrayView1<'_, f64>) -> crate::label::Label {
        if self
            .comment
            .as_ref()
            .is_some_and(|c| c.probability(scaled) >= 0.5)
        {
            return crate::label::Label::Comment;
        }
        self.weights
            .iter()
            .zip(&self.intercepts)
            .map(|(w, b)| crate::fitted::dot(w, scaled) + b)
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(crate::label::Label::Noise, |(i, _)| self.kinds[i])
    }

    /// The features that favoured kind `chosen` most (over the other kinds, or for a comment
    /// over any other noise), strongest first.
    pub fn reasons(
        &self,
        scaled: ArrayView1<'_, f64>,
        chosen: crate::label::Label,
        count: usize,
    ) -> Vec<Reason> {
        if chosen == crate::label::Label::Comment {
            return match &self.comment {
                Some(c) => top_reasons(scaled, c.weights.iter().copied(), count),
                None => Vec::new(),
            };
        }
        let Some(chosen) = self.kinds.iter().position(|&k| k == chosen) else {
            return Vec::new();
        };
        top_reasons(scaled, self.contrasts()[chosen].iter().copied(), count)
    }

    /// For each kind, its weight on each column less the mean weight of the other kinds: how
    /// much a column favours that kind over the others. The same for every row, so worked
    /// out once per model rather than again for each dropped block.
    fn contrasts(&self) -> &[Vec<f64>] {
        self.contrasts.get_or_init(|| {
            let others = (self.kinds.len().saturating_sub(1)).max(1) as f64;
            (0..self.kinds.len())
                .map(|chosen| {
                    (0..self.weights[chosen].len())
                        .map(|j| {
                            let mean_other = (0..self.kinds.len())
                                .filter(|&k| k != chosen)
                                .map(|k| self.weights[k][j])
                                .sum::<f64>()
                                / others;
                            self.weights[chosen][j] - mean_other
                        })
                        .collect()
                })
                .collect()
        })
    }

    fn check(&self, features: usize) -> bool {
        !self.kinds.is_empty()
            && self.weights.len() == self.kinds.len()
            && self.intercepts.len() == self.kinds.len()
            && self.weights.iter().all(|w| w.len() == features)
            && self
                .comment
                .as_ref()
                .is_none_or(|c| c.weights.len() == features)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shipped model's JSON with one field replaced.
    fn shipped_with(edit: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
        let mut json: serde_json::Value = serde_json::from_slice(DEFAULT_MODEL_JSON).unwrap();
        edit(&mut json);
        serde_json::to_vec(&json).unwrap()
    }

    /// The error of loading the shipped model's JSON with one field replaced.
    fn refusal_of(edit: impl FnOnce(&mut serde_json::Value)) -> String {
        Model::from_json(&shipped_with(edit))
            .unwrap_err()
            .to_string()
    }

    /// `top_reasons` as it was written first: every positive contribution, stably sorted.
    fn top_reasons_by_sorting(
        scaled: ArrayView1<'_, f64>,
        weights: &[f64],
        count: usize,
    ) -> Vec<Reason> {
        let names = FeatureSchema::current().names();
        let mut contributions: Vec<(usize, f64)> = weights
            .iter()
            .zip(scaled.iter())
            .map(|(w, x)| w * x)
            .enumerate()
            .filter(|(_, c)| *c > 0.0)
            .collect();
        contributions.sort_by(|a, b| b.1.total_cmp(&a.1));
        contributions
            .into_iter()
            .take(count)
            .map(|(j, c)| Reason {
                feature: names[j].clone(),
                value: scaled[j],
                weight: c,
            })
            .collect()
    }

    #[test]
    fn top_reasons_are_those_a_stable_sort_puts_first() {
        use rand::{Rng, SeedableRng};
        let width = FeatureSchema::current().len();
        let mut rng = rand::rngs::SmallRng::seed_from_u64(17);
        // Few distinct values, so that ties (kept in column order) are common; zeros, negative
        // zeros and NaN are no reasons.
        let values = [-1.5, -0.0, 0.0, 0.25, 0.5, 1.0, 2.0, f64::NAN];
        for round in 0..500 {
            let pick = |rng: &mut rand::rngs::SmallRng| {
                if round % 2 == 0 {
                    values[rng.gen_range(0..values.len())]
                } else {
                    rng.gen_range(-3.0..3.0)
                }
            };
            let scaled: Vec<f64> = (0..width).map(|_| pick(&mut rng)).collect();
            let weights: Vec<f64> = (0..width).map(|_| pick(&mut rng)).collect();
            let scaled = ndarray::Array1::from(scaled);
            for count in [0, 1, 3, 4, 10, width, width + 5] {
                let expected = top_reasons_by_sorting(scaled.view(), &weights, count);
                let got = top_reasons(scaled.view(), weights.iter().copied(), count);
                assert_eq!(
                    format!("{got:?}"),
                    format!("{expected:?}"),
                    "round {round}, count {count}"
                );
            }
        }
    }

    #[test]
    fn kind_reasons_are_those_of_the_shipped_kinds_sorted() {
        use rand::{Rng, SeedableRng};
        let model = Model::default_model().unwrap();
        let kinds = model.kinds.as_ref().unwrap();
        let width = FeatureSchema::current().len();
        let mut rng = rand::rngs::SmallRng::seed_from_u64(5);
        for round in 0..200 {
            let scaled = ndarray::Array1::from(
                (0..width)
                    .map(|_| rng.gen_range(-2.0..2.0))
                    .collect::<Vec<f64>>(),
            );
            for (chosen, &kind) in kinds.kinds.iter().enumerate() {
                // The weights as `reasons` worked them out for each block before.
                let others = (kinds.kinds.len() - 1).max(1) as f64;
                let weights: Vec<f64> = (0..width)
                    .map(|j| {
                        let mean_other = (0..kinds.kinds.len())
                            .filter(|&k| k != chosen)
                            .map(|k| kinds.weights[k][j])
                            .sum::<f64>()
                            / others;
                        kinds.weights[chosen][j] - mean_other
                    })
                    .collect();
                assert_eq!(
                    format!("{:?}", kinds.reasons(scaled.view(), kind, 3)),
                    format!("{:?}", top_reasons_by_sorting(scaled.view(), &weights, 3)),
                    "round {round}, {kind:?}"
                );
            }
        }
    }

    #[test]
    fn the_shipped_model_loads_with_its_lexicon() {
        let model = Model::default_model().unwrap();
        assert!(model.lexicon.is_some());
    }

    #[test]
    fn the_shipped_model_reads_only_class_tokens_many_training_pages_share() {
        use crate::segment::token_hash;
        let model = Model::default_model().unwrap();
        let vocabulary = model.class_vocabulary.as_ref().unwrap();
        assert!(vocabulary.len() > 1000, "{} tokens", vocabulary.len());
        for common in ["nav", "footer", "content", "caption"] {
            assert!(vocabulary.contains(token_hash(common)), "{common}");
        }
        // Generated class names of the project's own hashed-markup pages.
        for generated in ["8x1p3c", "e1cj8kvb3", "lwhqv"] {
            assert!(!vocabulary.contains(token_hash(generated)), "{generated}");
        }
    }

    #[test]
    fn a_file_that_is_no_model_of_this_schema_is_named_as_such_before_any_field_error() {
        let error = |bytes: &[u8]| Model::from_json(bytes).unwrap_err().to_string();
        assert!(
            error(b"<html>oops</html>").starts_with("not a gleaner model file (invalid JSON: "),
            "{}",
            error(b"<html>oops</html>")
        );
        assert!(
            error(b"[1, 2]").starts_with("not a gleaner model file (invalid JSON: invalid type"),
            "{}",
            error(b"[1, 2]")
        );
        let other_format = "not a gleaner block model (format \"something-else\", expected \
                            \"gleaner-block-model\")";
        assert_eq!(
            error(br#"{"format":"something-else","schema_version":1}"#),
            other_format
        );
        // The format and the version are read first even when the rest is a whole model.
        assert_eq!(
            refusal_of(|m| m["format"] = "something-else".into()),
            other_format
        );
        let future = "this model was trained for feature schema v999, but this gleaner computes \
                      schema v";
        for edit in [
            (|m: &mut serde_json::Value| m["schema_version"] = 999.into()) as fn(&mut _),
            |m| {
                m["schema_version"] = 999.into();
                m.as_object_mut().unwrap().remove("smoother");
                m["threshold"] = "high".into();
            },
        ] {
            let error = refusal_of(edit);
            assert!(
                error.starts_with(future) && error.contains("retrain"),
                "{error}"
            );
        }
        assert!(
            error(br#"{"schema_version":999}"#).contains("(format \"\", expected"),
            "{}",
            error(br#"{"schema_version":999}"#)
        );
        // The right format and version, a damaged body: the field error.
        let damaged = refusal_of(|m| m["threshold"] = "high".into());
        assert!(
            damaged.starts_with(
                "corrupt gleaner model file: invalid type: string \"high\", expected f64"
            ),
            "{damaged}"
        );
        assert!(refusal_of(|m| {
            m.as_object_mut().unwrap().remove("scaler");
        })
        .starts_with("corrupt gleaner model file: missing field `scaler`"));
    }

    #[test]
    fn an_unsorted_class_vocabulary_is_refused() {
        let error = refusal_of(|m| {
            m["class_vocabulary"]["hashes"]
                .as_array_mut()
                .unwrap()
                .reverse();
        });
        assert!(
            error.contains("class vocabulary") && error.contains("retrain"),
            "{error}"
        );
    }

    #[test]
    fn a_lexicon_weight_outside_its_table_is_refused() {
        let error = refusal_of(|m| {
            m["lexicon"]["weights"][0][0] = serde_json::json!(u32::MAX);
        });
        assert!(error.contains("lexicon"), "{error}");
    }

    #[test]
    fn a_smoother_for_other_inputs_is_refused_with_the_retrain_advice() {
        let error = refusal_of(|m| {
            m["smoother"]["weights"].as_array_mut().unwrap().pop();
        });
        assert!(
            error.contains("smoothing pass") && error.contains("retrain"),
            "{error}"
        );
    }

    #[test]
    fn the_shipped_smoother_blends_a_forest_with_the_logistic_pass() {
        let model = Model::default_model().unwrap();
        let smoother = model.smoother.as_ref().unwrap();
        assert!(!smoother.trees.is_empty());
        assert!(smoother.forest_weight > 0.0 && smoother.forest_weight < 1.0);
    }

    #[test]
    fn a_smoother_tree_that_reads_a_missing_input_is_refused() {
        let error = refusal_of(|m| {
            m["smoother"]["trees"][0]["nodes"][0]["f"] = serde_json::json!(1000);
        });
        assert!(
            error.contains("smoothing pass") && error.contains("damaged"),
            "{error}"
        );
    }

    #[test]
    fn a_model_whose_smoother_has_no_forest_still_loads_and_scores() {
        let bytes = shipped_with(|m| {
            let smoother = m["smoother"].as_object_mut().unwrap();
            smoother.remove("trees");
            smoother.remove("forest_weight");
        });
        let model = Model::from_json(&bytes).unwrap();
        let smoother = model.smoother.as_ref().unwrap();
        assert!(smoother.trees.is_empty());
        let inputs = crate::smooth::SMOOTHING_FEATURES.len();
        let scores = smoother.scores(&ndarray::Array2::zeros((2, inputs)));
        assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)));
    }
}
