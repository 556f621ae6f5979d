//! `gleaner eval`: scores a tool's output against labelled sets and prints the scores.
//!
//! Data flow: `--data` is discovered into sets ([`Dataset::discover`]); the outputs come from
//! `--predictions` (another tool's batch JSONL, read into a [`RecordIndex`]) or from gleaner
//! itself ([`Predictions::Gleaner`]); each set is scored by the library
//! ([`Predictions::score`]) and printed here as a table row (with rows per page type) or a
//! JSON line. A set below `--fail-below` is reported on standard error and makes the exit
//! status 1.

use std::path::PathBuf;
use std::process::ExitCode;

use gleaner::dataset::{Dataset, Metric};
use gleaner::eval::{Predictions, RecordIndex, Scores};

/// Arguments of `gleaner eval`.
#[derive(clap::Args)]
pub struct EvalArgs {
    #[arg(long, required = true)]
    data: PathBuf,
    /// Score gold-text sets by this metric instead of their default: shingles or words.
    #[arg(long)]
    metric: Option<Metric>,
    /// Batch JSONL of any tool ("path" and "text" per line); default: run gleaner.
    #[arg(long)]
    predictions: Option<PathBuf>,
    #[arg(long)]
    model: Option<PathBuf>,
    /// Print the scores as JSON lines.
    #[arg(long)]
    json: bool,
    /// Exit with status 1 when any set's F1 is below this (for quality gates).
    #[arg(long)]
    fail_below: Option<f64>,
}

pub fn run(args: EvalArgs) -> Result<ExitCode, String> {
    let sets = Dataset::discover(&args.data).map_err(|e| e.to_string())?;
    let predictions = match &args.predictions {
        Some(path) => {
            Predictions::Records(RecordIndex::read_batch_jsonl(path).map_err(|e| e.to_string())?)
        }
        None => Predictions::Gleaner(Box::new(
            super::extractor(args.model.as_ref())?.name_kinds(false),
        )),
    };
    let mut failed = false;
    for set in &sets {
        let metric = args.metric.unwrap_or(set.form.default_metric());
        let scores = predictions.score(set, metric);
        print_scores(&scores, args.json)?;
        if let Some(floor) = args.fail_below.filter(|&floor| scores.f1 < floor) {
            eprintln!(
                "gleaner: {}: F1 {:.4} is below the floor {:.4}",
                scores.dataset, scores.f1, floor
            );
            failed = true;
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints a set's scores: one JSON line, or a table row with a row per page type under it.
/// A closed pipe (`gleaner eval … | head -1`) ends the output quietly.
pub fn print_scores(scores: &Scores, json: bool) -> Result<(), String> {
    if json {
        return super::print_out(&serde_json::to_string(scores).expect("serialises"));
    }
    let accuracy = scores
        .accuracy
        .map(|a| format!("  accuracy {a:.4}"))
        .unwrap_or_default();
    let mut lines = vec![format!(
        "{:<40} {:>5} pages ({} metric, {} missing, {} errors)  P {:.4}  R {:.4}  F1 {:.4}{}",
        scores.dataset,
        scores.pages,
        scores.metric,
        scores.missing,
        scores.errors,
        scores.precision,
        scores.recall,
        scores.f1,
        accuracy
    )];
    for t in &scores.by_page_type {
        lines.push(format!(
            "  {:<38} {:>5} pages  P {:.4}  R {:.4}  F1 {:.4}",
            t.page_type.as_str(),
            t.pages,
            t.precision,
            t.recall,
            t.f1
        ));
    }
    super::print_out(&lines.join("\n"))
}
