//! The steps of `gleaner train` around the fitting that [`crate::train`] does: choosing the
//! algorithms, finding the sets, leaving one out, keeping the best algorithm by
//! cross-validation, assembling the final model, and writing the out-of-fold results.
//!
//! ## How data flows
//!
//! ```text
//! --data dirs ─discover─▶ sets ─leave_out─▶ training sets ─train::load_pages─▶ pages
//!   pages ─cross_validate_each─▶ best algorithm + out-of-fold scores ─write_cv_*─▶ JSONL
//!   pages ─fit_final─▶ Model ─(held-out sets, eval::extract_set)─▶ outputs ─write_outputs─▶ JSONL
//! ```
//!
//! Each step returns data; nothing here prints. The `gleaner train` command runs them in this
//! order and reports as it goes.

use std::collections::HashMap;
use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Instant;

use crate::confidence::ConfidenceModel;
use crate::dataset::{self, Dataset};
use crate::error::{Error, Result};
use crate::eval::Output;
use crate::model::Model;
use crate::render::Record;
use crate::train::{self, Algorithm, CrossValidation, TrainingPage};

/// The algorithms `--algorithm` names: `logistic`, `forest`, or `all` (both), each checked.
pub fn algorithms(name: &str) -> Result<Vec<Algorithm>> {
    let algorithms = if name == "all" {
        vec![
            Algorithm::from_name("logistic")?,
            Algorithm::from_name("forest")?,
        ]
    } else {
        vec![Algorithm::from_name(name)?]
    };
    for a in &algorithms {
        a.validate()?;
    }
    Ok(algorithms)
}

/// Every labelled set under each of the directories, in their order.
pub fn discover(data: &[PathBuf]) -> Result<Vec<Dataset>> {
    let mut sets = Vec::new();
    for dir in data {
        sets.extend(Dataset::discover(dir)?);
    }
    Ok(sets)
}

/// Splits off the sets called `name` (see [`Dataset::is_called`]): `(kept, left out)`. An
/// error names the sets there are when none is called so.
pub fn leave_out(sets: Vec<Dataset>, name: &str) -> Result<(Vec<Dataset>, Vec<Dataset>)> {
    dataset::find_set(&sets, name)?;
    let (left_out, kept) = sets.into_iter().partition(|s| s.is_called(name));
    Ok((kept, left_out))
}

/// How many blocks of the pages carry a label, and how many of those are content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelCounts {
    pub labelled: usize,
    pub content: usize,
}

impl LabelCounts {
    pub fn of(pages: &[TrainingPage]) -> LabelCounts {
        let labelled = pages
            .iter()
            .map(|p| p.labels.iter().filter(|l| l.is_some()).count())
            .sum();
        let content = pages
            .iter()
            .map(|p| {
                p.labels
                    .iter()
                    .filter(|l| l.is_some_and(|l| l.is_content()))
                    .count()
            })
            .sum();
        LabelCounts { labelled, content }
    }
}

/// Cross-validates each algorithm in turn ([`train::cross_validate`]) and keeps the one with
/// the best smoothed F1 (the first on a tie). `done` is called after each with its result and
/// the seconds it took, so that a caller can report progress.
pub fn cross_validate_each(
    pages: &[TrainingPage],
    algorithms: &[Algorithm],
    folds: usize,
    seed: u64,
    only_dataset: Option<usize>,
    mut done: impl FnMut(&CrossValidation, f64),
) -> Result<(Algorithm, CrossValidation)> {
    let mut best: Option<(f64, Algorithm, CrossValidation)> = None;
    for a in algorithms {
        let start = Instant::now();
        let cv = train::cross_validate(pages, a, folds, seed, only_dataset)?;
        done(&cv, start.elapsed().as_secs_f64());
        if best.as_ref().is_none_or(|(f1, _, _)| cv.smoothed.f1 > *f1) {
            best = Some((cv.smoothed.f1, a.clone(), cv));
        }
    }
    best.map(|(_, algorithm, cv)| (algorithm, cv))
        .ok_or_else(|| Error::Training("no algorithm to cross-validate".into()))
}

/// Fits the model on all pages ([`train::fit_model`]), with the confidence estimate, and a
/// provenance naming the algorithm, the pages and the sets they came from.
pub fn fit_final(
    pages: &[TrainingPage],
    algorithm: &Algorithm,
    seed: u64,
    confidence: Option<ConfidenceModel>,
    sets: &[Dataset],
) -> Result<Model> {
    let refs: Vec<&TrainingPage> = pages.iter().collect();
    let mut model = train::fit_model(&refs, algorithm, seed)?;
    model.confidence = confidence;
    model.provenance = format!(
        "{} on {} pages ({} labelled blocks) from: {}",
        algorithm.name(),
        pages.len(),
        LabelCounts::of(pages).labelled,
        sets.iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(model)
}

/// Writes the held-out pages' out-of-fold extractions as batch JSONL (one [`Record`] with
/// path, title and text per page), to score with `gleaner eval --predictions`.
pub fn write_cv_predictions(
    mut out: impl Write,
    pages: &[TrainingPage],
    cv: &CrossValidation,
) -> io::Result<()> {
    for (((page, scores), &threshold), _) in pages
        .iter()
        .zip(&cv.page_scores)
        .zip(&cv.page_thresholds)
        .zip(&cv.held_out)
        .filter(|(_, &held_out)| held_out)
    {
        let record = Record {
            title: crate::extract::page_title(&page.page),
            text: crate::train::kept_text(page, scores, threshold),
            ..Record::default()
        }
        .with_path(page.path.display().to_string());
        writeln!(out, "{}", record.to_json_line())?;
    }
    out.flush()
}

/// Writes every held-out block's out-of-fold score as JSONL, one page per line:
/// `{"path", "threshold", "page_type": {type: probability}, "blocks": [{"text", "score",
/// "label"}]}` (`page_type` only when the model types pages; its probabilities are
/// out-of-fold too).
pub fn write_cv_blocks(
    mut out: impl Write,
    pages: &[TrainingPage],
    cv: &CrossValidation,
) -> io::Result<()> {
    for (i, page) in pages.iter().enumerate().filter(|(i, _)| cv.held_out[*i]) {
        let blocks: Vec<serde_json::Value> = page
            .page
            .blocks
            .iter()
            .zip(&cv.page_scores[i])
            .zip(&page.labels)
            .map(|((b, s), l)| {
                serde_json::json!({"text": b.text, "score": s, "label": l.map(|l| l.as_str())})
            })
            .collect();
        let mut line = serde_json::json!({
            "path": page.path.display().to_string(),
            "threshold": cv.page_thresholds[i],
            "blocks": blocks,
        });
        if let Some(types) = crate::train::page_type_of(&page.features) {
            let by_type: serde_json::Map<String, serde_json::Value> =
                crate::page_type::PageType::ALL
                    .iter()
                    .map(|t| (t.as_str().to_string(), types[t.index()].into()))
                    .collect();
            line["page_type"] = by_type.into();
        }
        writeln!(out, "{line}")?;
    }
    out.flush()
}

/// Writes sets' outputs (by page id, as [`crate::eval::extract_set`] gives them) as batch
/// JSONL, in page order; a page without an output gets an empty text.
pub fn write_outputs(
    mut out: impl Write,
    sets: &[Dataset],
    outputs: &[HashMap<String, Output>],
) -> io::Result<()> {
    for (set, outputs) in sets.iter().zip(outputs) {
        for page in &set.pages {
            let record = Record {
                text: outputs
                    .get(&page.id)
                    .map(|o| o.text.clone())
                    .unwrap_or_default(),
                ..Record::default()
            }
            .with_path(page.path.display().to_string());
            writeln!(out, "{}", record.to_json_line())?;
        }
    }
    out.flush()
}
