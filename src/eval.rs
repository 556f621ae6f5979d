//! Scoring extraction output against labelled sets.
//!
//! - **Gold text**: tokens are `\w+` matches, compared as 4-gram shingles. Per page, the
//!   shingle counts give TP (shared), FP (only in the output) and FN (only in the gold),
//!   normalised to sum to 1; precision and recall are averaged over pages and F1 is taken of
//!   those averages, so every page weighs the same however long it is.
//! - **Words** (the WCXB benchmark's metric, the default for ground-truth records): per page,
//!   the bags of lowercase `\w+` words of output and gold; precision, recall and F1 of their
//!   overlap, each averaged over pages. Sets that know their pages' types are also scored per
//!   type.
//! - **Snippets**: a `with` snippet found in the output is a TP, missing a FN; a `without`
//!   snippet found is a FP, absent a TN. Precision, recall, F1 and accuracy over all snippets.
//!
//! Data flow: the outputs to score are another tool's batch JSONL
//! ([`RecordIndex::read_batch_jsonl`]) or gleaner's own ([`extract_set`]), looked up by page
//! id; [`score_dataset_with`] compares each with the set's gold and averages into [`Scores`]
//! ([`Predictions::score`] does both steps for one set).

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;

use crate::dataset::{normalise_for_snippets, Dataset, Gold, Metric};
use crate::error::{Error, Result};
use crate::extract::Extractor;
use crate::page_type::PageType;
use crate::text::{fnv1a, word_tokens};

const SHINGLE: usize = 4;

/// Scores of one tool on one labelled set.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scores {
    pub dataset: String,
    pub metric: &'static str,
    pub pages: usize,
    /// Pages that had no output record (scored as empty output).
    pub missing: usize,
    /// Pages whose output record carried an error.
    pub errors: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Snippet sets only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
    /// Word-metric scores of the pages of each type, for sets that know their pages' types.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub by_page_type: Vec<TypeScores>,
}

/// Mean word-metric precision, recall and F1 of the pages of one type.
#[derive(Debug, Clone, Serialize)]
pub struct TypeScores {
    pub page_type: PageType,
    pub pages: usize,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Precision, recall and F1 of one page's output.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageWords {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Compares an output with a gold text as bags of lowercase `\w+` words, as the WCXB
/// benchmark does: an empty gold scores 1 against an empty output and 0 against any other.
///
/// ```
/// use gleaner::eval::word_agreement;
/// let s = word_agreement("The cat sat. The end", "the cat sat on the mat");
/// assert_eq!(s.precision, 0.8); // 4 of 5 output words are in the gold ("end" is not)
/// assert!((s.recall - 4.0 / 6.0).abs() < 1e-12);
/// assert_eq!(word_agreement("", "").f1, 1.0);
/// assert_eq!(word_agreement("x", "").f1, 0.0);
/// ```
pub fn word_agreement(output: &str, gold: &str) -> PageWords {
    let bag = |text: &str| {
        let mut counts: HashMap<String, u32> = HashMap::new();
        let mut total = 0u32;
        for token in word_tokens(text) {
            *counts.entry(token.to_lowercase()).or_insert(0) += 1;
            total += 1;
        }
        (counts, total)
    };
    let (out, out_total) = bag(output);
    let (gold, gold_total) = bag(gold);
    let zero = PageWords {
        precision: 0.0,
        recall: 0.0,
        f1: 0.0,
    };
    if gold_total == 0 {
        return if out_total == 0 {
            PageWords {
                precision: 1.0,
                recall: 1.0,
                f1: 1.0,
            }
        } else {
            zero
        };
    }
    if out_total == 0 {
        return zero;
    }
    let overlap: u32 = out
        .iter()
        .map(|(word, &c)| c.min(gold.get(word).copied().unwrap_or(0)))
        .sum();
    let precision = f64::from(overlap) / f64::from(out_total);
    let recall = f64::from(overlap) / f64::from(gold_total);
    PageWords {
        precision,
        recall,
        f1: f1(precision, recall),
    }
}

/// Per-page shingle agreement, normalised so that TP + FP + FN = 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PageShingles {
    pub tp: f64,
    pub fp: f64,
    pub fn_: f64,
}

impl PageShingles {
    /// Precision of the page; an empty output has precision 0 unless the gold is empty too.
    pub fn precision(&self) -> f64 {
        if self.tp + self.fp > 0.0 {
            self.tp / (self.tp + self.fp)
        } else if self.fn_ > 0.0 {
            0.0
        } else {
            1.0
        }
    }

    pub fn recall(&self) -> f64 {
        if self.tp + self.fn_ > 0.0 {
            self.tp / (self.tp + self.fn_)
        } else {
            1.0
        }
    }
}

fn shingle_counts(text: &str) -> HashMap<u64, u32> {
    let tokens: Vec<&str> = word_tokens(text).collect();
    let mut counts = HashMap::new();
    if tokens.is_empty() {
        return counts;
    }
    if tokens.len() < SHINGLE {
        *counts
            .entry(fnv1a(tokens.join(" ").as_bytes()))
            .or_insert(0) += 1;
        return counts;
    }
    for window in tokens.windows(SHINGLE) {
        *counts
            .entry(fnv1a(window.join(" ").as_bytes()))
            .or_insert(0) += 1;
    }
    counts
}

/// Compares an output text with a gold text by 4-gram shingles.
///
/// ```
/// use gleaner::eval::shingle_agreement;
/// let s = shingle_agreement("one two three four five", "one two three four five six");
/// assert_eq!(s.precision(), 1.0);
/// assert!((s.recall() - 2.0 / 3.0).abs() < 1e-9);
/// ```
pub fn shingle_agreement(output: &str, gold: &str) -> PageShingles {
    let out = shingle_counts(output);
    let gold = shingle_counts(gold);
    let out_total: u32 = out.values().sum();
    let gold_total: u32 = gold.values().sum();
    let tp: u32 = out
        .iter()
        .map(|(k, &c)| c.min(gold.get(k).copied().unwrap_or(0)))
        .sum();
    let (tp, fp, fn_) = (
        f64::from(tp),
        f64::from(out_total - tp),
        f64::from(gold_total - tp),
    );
    let sum = tp + fp + fn_;
    if sum == 0.0 {
        return PageShingles {
            tp: 0.0,
            fp: 0.0,
            fn_: 0.0,
        };
    }
    PageShingles {
        tp: tp / sum,
        fp: fp / sum,
        fn_: fn_ / sum,
    }
}

/// Counts of snippet outcomes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SnippetCounts {
    pub tp: usize,
    pub fn_: usize,
    pub fp: usize,
    pub tn: usize,
}

impl SnippetCounts {
    pub fn add_page(&mut self, output: &str, with: &[String], without: &[String]) {
        let output = normalise_for_snippets(output);
        for snippet in with {
            if output.contains(normalise_for_snippets(snippet).as_str()) {
                self.tp += 1;
            } else {
                self.fn_ += 1;
            }
        }
        for snippet in without {
            if output.contains(normalise_for_snippets(snippet).as_str()) {
                self.fp += 1;
            } else {
                self.tn += 1;
            }
        }
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}

fn f1(p: f64, r: f64) -> f64 {
    ratio(2.0 * p * r, p + r)
}

/// One tool's output for one page, as found in a batch JSONL record.
#[derive(Debug, Clone, Default)]
pub struct Output {
    pub text: String,
    pub error: bool,
}

/// Scores outputs (looked up by page id) against a labelled set, by the set's default metric.
pub fn score_dataset(set: &Dataset, output_for: impl Fn(&str) -> Option<Output>) -> Scores {
    score_dataset_with(set, set.form.default_metric(), output_for)
}

/// [`score_dataset`] by a chosen metric; snippet sets are always scored by their snippets.
pub fn score_dataset_with(
    set: &Dataset,
    metric: Metric,
    output_for: impl Fn(&str) -> Option<Output>,
) -> Scores {
    let mut scores = Scores {
        dataset: set.name.clone(),
        pages: set.pages.len(),
        ..Scores::default()
    };
    let mut snippets = SnippetCounts::default();
    let (mut precision_sum, mut recall_sum, mut f1_sum, mut text_pages) = (0.0, 0.0, 0.0, 0usize);
    let mut by_type: HashMap<PageType, (usize, f64, f64, f64)> = HashMap::new();
    for page in &set.pages {
        let output = output_for(&page.id).unwrap_or_else(|| {
            scores.missing += 1;
            Output::default()
        });
        scores.errors += usize::from(output.error);
        match &page.gold {
            Gold::Snippets { with, without } => snippets.add_page(&output.text, with, without),
            Gold::Text { text, .. } if metric == Metric::Words => {
                let words = word_agreement(&output.text, text);
                precision_sum += words.precision;
                recall_sum += words.recall;
                f1_sum += words.f1;
                text_pages += 1;
                if let Some(page_type) = page.page_type {
                    let entry = by_type.entry(page_type).or_default();
                    entry.0 += 1;
                    entry.1 += words.precision;
                    entry.2 += words.recall;
                    entry.3 += words.f1;
                }
            }
            Gold::Text { text, .. } => {
                let agreement = shingle_agreement(&output.text, text);
                precision_sum += agreement.precision();
                recall_sum += agreement.recall();
                text_pages += 1;
            }
        }
    }
    if text_pages > 0 && metric == Metric::Words {
        scores.metric = "words";
        let n = text_pages as f64;
        scores.precision = precision_sum / n;
        scores.recall = recall_sum / n;
        // The benchmark averages the pages' F1, not the F1 of the averages.
        scores.f1 = f1_sum / n;
        scores.by_page_type = PageType::ALL
            .iter()
            .filter_map(|t| {
                let &(pages, p, r, f) = by_type.get(t)?;
                let n = pages as f64;
                Some(TypeScores {
                    page_type: *t,
                    pages,
                    precision: p / n,
                    recall: r / n,
                    f1: f / n,
                })
            })
            .collect();
        return scores;
    }
    if text_pages > 0 {
        scores.metric = "shingles";
        scores.precision = precision_sum / text_pages as f64;
        scores.recall = recall_sum / text_pages as f64;
    } else {
        scores.metric = "snippets";
        let SnippetCounts { tp, fn_, fp, tn } = snippets;
        scores.precision = ratio(tp as f64, (tp + fp) as f64);
        scores.recall = ratio(tp as f64, (tp + fn_) as f64);
        scores.accuracy = Some(ratio((tp + tn) as f64, (tp + fn_ + fp + tn) as f64));
    }
    scores.f1 = f1(scores.precision, scores.recall);
    scores
}

/// Finds the record for a page id among records keyed by the path they were produced from:
/// the id must be a whole-component suffix of the record's path.
pub struct RecordIndex {
    by_suffix: HashMap<String, Output>,
}

impl RecordIndex {
    pub fn new(records: impl IntoIterator<Item = (String, Output)>) -> Self {
        let mut by_suffix = HashMap::new();
        for (path, output) in records {
            let path = path.replace('\\', "/");
            let mut rest = path.as_str();
            loop {
                by_suffix
                    .entry(rest.to_string())
                    .or_insert_with(|| output.clone());
                match rest.find('/') {
                    Some(i) => rest = &rest[i + 1..],
                    None => break,
                }
            }
        }
        RecordIndex { by_suffix }
    }

    pub fn get(&self, id: &str) -> Option<Output> {
        self.by_suffix.get(id).cloned()
    }
}

impl RecordIndex {
    /// Reads a batch JSONL file of any tool ("path" and "text" per line, "error" when the
    /// page failed) into an index. Blank lines are skipped; a line that is not such a record
    /// is an error naming the file and line.
    pub fn read_batch_jsonl(path: &Path) -> Result<RecordIndex> {
        #[derive(serde::Deserialize)]
        struct Line {
            path: String,
            #[serde(default)]
            text: String,
            #[serde(default)]
            error: Option<String>,
        }
        let content = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let mut records = Vec::new();
        for (n, line) in content.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let record: Line = serde_json::from_str(line).map_err(|e| {
                Error::Data(format!(
                    "{}:{}: not a batch record with \"path\" and \"text\": {e}",
                    path.display(),
                    n + 1
                ))
            })?;
            records.push((
                record.path,
                Output {
                    text: record.text,
                    error: record.error.is_some(),
                },
            ));
        }
        Ok(RecordIndex::new(records))
    }
}

/// gleaner's output for every page of a set, by page id (pages extracted in parallel, as
/// `gleaner batch` extracts files).
pub fn extract_set(extractor: &Extractor, set: &Dataset) -> HashMap<String, Output> {
    set.pages
        .par_iter()
        .map(|page| {
            let record = crate::batch::process_file(extractor, &page.path);
            (
                page.id.clone(),
                Output {
                    text: record.text,
                    error: record.error.is_some(),
                },
            )
        })
        .collect()
}

/// [`score_dataset_with`] over outputs already gathered by page id (e.g. by [`extract_set`]).
pub fn score_outputs(set: &Dataset, metric: Metric, outputs: &HashMap<String, Output>) -> Scores {
    score_dataset_with(set, metric, |id| outputs.get(id).cloned())
}

/// Where the outputs to score come from: another tool's records, or gleaner run on each page.
pub enum Predictions {
    /// Batch JSONL records (see [`RecordIndex::read_batch_jsonl`]).
    Records(RecordIndex),
    /// Extract each page of a set with this extractor (see [`extract_set`]).
    Gleaner(Box<Extractor>),
}

impl Predictions {
    /// Scores these predictions on a set by `metric`.
    pub fn score(&self, set: &Dataset, metric: Metric) -> Scores {
        match self {
            Predictions::Records(index) => score_dataset_with(set, metric, |id| index.get(id)),
            Predictions::Gleaner(extractor) => {
                score_outputs(set, metric, &extract_set(extractor, set))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shingle_counts_are_normalised_per_page() {
        let s = shingle_agreement("a b c d x y z w", "a b c d e");
        assert!((s.tp + s.fp + s.fn_ - 1.0).abs() < 1e-9);
        assert!(s.tp > 0.0 && s.fp > 0.0 && s.fn_ > 0.0);
        let empty = shingle_agreement("", "some gold text here now");
        assert_eq!(empty.precision(), 0.0);
        assert_eq!(empty.recall(), 0.0);
    }

    #[test]
    fn snippets_count_as_the_benchmark_says() {
        let mut counts = SnippetCounts::default();
        counts.add_page(
            "Main text  here.\nImprint",
            &["Main text here.".into(), "missing".into()],
            &["Imprint".into(), "Cookies".into()],
        );
        assert_eq!(
            counts,
            SnippetCounts {
                tp: 1,
                fn_: 1,
                fp: 1,
                tn: 1
            }
        );
    }

    #[test]
    fn records_match_pages_by_path_suffix() {
        let index = RecordIndex::new([(
            "/data/trafilatura-dev/html/a.html".to_string(),
            Output {
                text: "x".into(),
                error: false,
            },
        )]);
        assert_eq!(index.get("html/a.html").unwrap().text, "x");
        assert!(index.get("ml/a.html").is_none());
    }
}
