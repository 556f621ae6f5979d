//! `gleaner train`: runs the library's training steps ([`gleaner::trainer`], [`gleaner::train`])
//! in order and reports on them.
//!
//! Data flow: the arguments go to the library step by step (sets, pages, cross-validation,
//! the final model, the sets left out); what each step returns is printed here — the
//! cross-validation table and the chosen algorithm on standard output, page counts, skipped
//! pages and warnings on standard error — and the model and the optional JSONL files are
//! written where the arguments say.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;
use std::process::ExitCode;

use gleaner::dataset;
use gleaner::eval::{extract_set, score_outputs};
use gleaner::train;
use gleaner::trainer::{self, LabelCounts};
use gleaner::Extractor;

use super::eval::print_scores;

/// Arguments of `gleaner train`.
#[derive(clap::Args)]
pub struct TrainArgs {
    #[arg(long, required = true, num_args = 1..)]
    data: Vec<PathBuf>,
    /// Where to write the fitted model (JSON).
    #[arg(long)]
    out: PathBuf,
    /// logistic, forest, or all (compare and keep the best by cross-validated F1).
    #[arg(long, default_value = "all")]
    algorithm: String,
    #[arg(long, default_value_t = 5)]
    folds: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Also write the chosen algorithm's out-of-fold extractions as batch JSONL, to score
    /// with `gleaner eval --predictions`.
    #[arg(long)]
    cv_predictions: Option<PathBuf>,
    /// Also write every held-out block's out-of-fold score as JSONL, one page per line
    /// ({"path", "threshold", "blocks": [{"text", "score", "label"}]}), for error analysis.
    #[arg(long, value_name = "FILE")]
    cv_blocks: Option<PathBuf>,
    /// Skip cross-validation and fit the given algorithm on all data.
    #[arg(long)]
    no_cv: bool,
    /// Cross-validate on this set's pages only (a set name as printed, e.g. wcxb-dev):
    /// each fold's model is trained on everything else, the other sets included.
    #[arg(long, value_name = "NAME", conflicts_with = "holdout_set")]
    cv_set: Option<String>,
    /// Leave this set out: train on every other set (no cross-validation), score the
    /// model on this set's pages as new pages, and write that model to --out.
    #[arg(long, value_name = "NAME")]
    holdout_set: Option<String>,
    /// Adapt a trained model to the --data pages instead of training from scratch: `default`
    /// (the shipped model) or a model file. A small correction is fitted on the pages' labels
    /// on top of the base model's block scores (it is kept only if it beat the base on pages
    /// held out one at a time); the model written to --out holds the base and the correction
    /// and is used with `extract --model` like any other. A few labelled pages of one site
    /// (see `gleaner label`) are enough.
    #[arg(long, value_name = "default|MODEL", conflicts_with_all = ["cv_set", "holdout_set"])]
    base: Option<String>,
}

/// Writes a JSONL file with `write`; the message names the file.
fn write_file(
    path: &PathBuf,
    write: impl FnOnce(BufWriter<File>) -> std::io::Result<()>,
) -> Result<(), String> {
    File::create(path)
        .and_then(|file| write(BufWriter::new(file)))
        .map_err(|e| format!("writing {}: {e}", path.display()))
}

pub fn run(args: TrainArgs) -> Result<ExitCode, String> {
    let TrainArgs {
        data,
        out,
        algorithm,
        folds,
        seed,
        cv_predictions,
        cv_blocks,
        mut no_cv,
        cv_set,
        holdout_set,
        base,
    } = args;
    if let Some(base) = base {
        return adapt(&data, &base, &out);
    }
    let algorithms = trainer::algorithms(&algorithm).map_err(|e| e.to_string())?;
    let mut sets = trainer::discover(&data).map_err(|e| e.to_string())?;
    let cv_set = cv_set
        .map(|name| dataset::find_set(&sets, &name))
        .transpose()
        .map_err(|e| e.to_string())?;
    let held_out_sets = match &holdout_set {
        Some(name) => {
            no_cv = true;
            let (kept, held_out) = trainer::leave_out(sets, name).map_err(|e| e.to_string())?;
            sets = kept;
            held_out
        }
        None => Vec::new(),
    };
    let (pages, failures) = train::load_pages(&sets, folds, seed);
    for (id, error) in &failures {
        eprintln!("gleaner: skipping {id}: {error}");
    }
    let LabelCounts { labelled, content } = LabelCounts::of(&pages);
    eprintln!(
        "gleaner: {} pages from {} sets, {labelled} labelled blocks ({content} content)",
        pages.len(),
        sets.len()
    );
    let mut chosen = algorithms[0].clone();
    let mut confidence = None;
    if !no_cv {
        println!("{folds}-fold cross-validation by page (block-level, content class):");
        println!(
            "{:<22} {:>8} {:>8} {:>8}   {:>8} {:>8} {:>8}",
            "algorithm", "P(1st)", "R(1st)", "F1(1st)", "P", "R", "F1"
        );
        let (algorithm, cv) =
            trainer::cross_validate_each(&pages, &algorithms, folds, seed, cv_set, print_cv_row)
                .map_err(|e| e.to_string())?;
        println!("chosen: {}", algorithm.name());
        chosen = algorithm;
        confidence = train::fit_confidence(&pages, &cv, folds, seed).map_err(|e| e.to_string())?;
        if let Some((_, report)) = &confidence {
            println!(
                "confidence vs true word F1, out of fold: Spearman {:.4} over {} pages",
                report.spearman, report.pages
            );
            for (set, count, rho) in &report.by_dataset {
                println!(
                    "  {:<38} {count:>5} pages  Spearman {rho:.4}",
                    sets[*set].name
                );
            }
        }
        if let Some(path) = &cv_predictions {
            write_file(path, |out| trainer::write_cv_predictions(out, &pages, &cv))?;
        }
        if let Some(path) = &cv_blocks {
            write_file(path, |out| trainer::write_cv_blocks(out, &pages, &cv))?;
        }
    }
    let model = trainer::fit_final(&pages, &chosen, seed, confidence.map(|(c, _)| c), &sets)
        .map_err(|e| e.to_string())?;
    let vocabulary = model.class_vocabulary.as_ref().map_or(0, |v| v.len());
    if vocabulary == 0 {
        eprintln!(
            "gleaner: warning: no class/id token is on {} or more of the training pages, so the \
             model reads no class names; train on more pages to use them",
            gleaner::features::ClassVocabulary::MIN_PAGES
        );
    }
    std::fs::write(&out, model.to_json())
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    eprintln!(
        "gleaner: wrote {} (class vocabulary: {vocabulary} tokens)",
        out.display()
    );
    if !held_out_sets.is_empty() {
        println!("left out of training, scored as new pages:");
        let extractor = Extractor::new(model).name_kinds(false);
        let mut all_outputs = Vec::new();
        for set in &held_out_sets {
            let outputs = extract_set(&extractor, set);
            print_scores(
                &score_outputs(set, set.form.default_metric(), &outputs),
                false,
            )?;
            all_outputs.push(outputs);
        }
        if let Some(path) = &cv_predictions {
            write_file(path, |out| {
                trainer::write_outputs(out, &held_out_sets, &all_outputs)
            })?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `gleaner train --base`: adapts the base model to the labelled pages under `data`.
fn adapt(data: &[PathBuf], base: &str, out: &PathBuf) -> Result<ExitCode, String> {
    let base_model = if base == "default" {
        gleaner::Model::default_model()
    } else {
        gleaner::Model::load(std::path::Path::new(base))
    }
    .map_err(|e| e.to_string())?;
    if base_model.adapter.is_some() {
        eprintln!("gleaner: {base} is an adapted model: adapting its base model afresh");
    }
    let sets = trainer::discover(data).map_err(|e| e.to_string())?;
    let mut pages = Vec::new();
    for page in sets.iter().flat_map(|s| &s.pages) {
        match page.load() {
            Ok(labelled) => pages.push(gleaner::adapt::AdaptPage {
                page: labelled.page,
                labels: labelled.labels,
                url: page.url.clone(),
            }),
            Err(e) => eprintln!("gleaner: skipping {}: {e}", page.id),
        }
    }
    let (model, report) = gleaner::adapt::adapt(&base_model, &pages).map_err(|e| e.to_string())?;
    println!(
        "adapting on {} pages, {} labelled blocks; word F1 of each page held out in turn: \
         base {:.4}, adapted {:.4}",
        report.pages, report.blocks, report.base_f1, report.adapted_f1
    );
    match report.penalty {
        Some(penalty) => println!("kept a correction (L2 penalty {penalty})"),
        None => println!(
            "no correction beat the base model on held-out pages: the model decides as the \
             base does (label more pages, or pages the base gets wrong)"
        ),
    }
    std::fs::write(out, model.to_json())
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    eprintln!("gleaner: wrote {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// One row of the cross-validation table, with the teaser and comment kinds under it.
fn print_cv_row(cv: &train::CrossValidation, seconds: f64) {
    println!(
        "{:<22} {:>8.4} {:>8.4} {:>8.4}   {:>8.4} {:>8.4} {:>8.4}   ({:.0} s)",
        cv.algorithm,
        cv.first_pass.precision,
        cv.first_pass.recall,
        cv.first_pass.f1,
        cv.smoothed.precision,
        cv.smoothed.recall,
        cv.smoothed.f1,
        seconds
    );
    for (kind, scores) in [("teaser", cv.teaser), ("comment", cv.comment)] {
        if let Some(s) = scores {
            println!(
                "{:<22} {kind} kind, over {} labelled blocks: P {:.4} R {:.4} F1 {:.4}",
                "", s.blocks, s.precision, s.recall, s.f1
            );
        }
    }
}
