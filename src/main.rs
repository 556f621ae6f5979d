//! The `gleaner` command line: parses arguments and calls the library.

use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;

use gleaner::batch;
use gleaner::dataset::Dataset;
use gleaner::eval::{score_dataset, Output, RecordIndex, Scores};
use gleaner::features::page_features;
use gleaner::render::{block_record, named_features, Record};
use gleaner::train::{self, Algorithm};
use gleaner::{Extractor, Model};

#[derive(Parser)]
#[command(
    name = "gleaner",
    version,
    about = "Keep only the article: extracts the main text of web pages with a trained block classifier",
    long_about = "gleaner cuts each HTML page into text blocks, scores every block with a small \
                  trained classifier as content or noise (navigation, footers, cookie banners, \
                  promos, teasers for other stories) and writes the clean article text.\n\n\
                  Examples:\n  gleaner extract page.html\n  curl -s URL | gleaner extract - --format json\n  \
                  gleaner batch crawl/ --output pages.jsonl --jobs 8\n  \
                  gleaner train --data training-data --out my-model.json\n  \
                  gleaner eval --data ../shared/data/trafilatura-dev"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// The article text, paragraphs separated by blank lines.
    Text,
    /// A JSON object with title and text (and blocks with --blocks).
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Extract the article of one page (a file, or - for standard input).
    Extract {
        /// HTML file (plain or .gz); - or nothing reads standard input.
        #[arg(default_value = "-")]
        file: String,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Use this model file instead of the built-in one.
        #[arg(long)]
        model: Option<PathBuf>,
        /// With --format json: include every block with its label and score.
        #[arg(long)]
        blocks: bool,
    },
    /// Extract many pages: one JSON line per input page, in input order.
    ///
    /// INPUTs are files or directories; directories are searched recursively for *.html,
    /// *.htm, *.html.gz and *.htm.gz. Every input yields exactly one line with "path",
    /// "title", "text", and "error"/"error_kind" when that page failed (then "text" is "").
    /// Exit status: 0 when every page was processed (even if some had errors), 1 when the
    /// run itself failed (bad arguments, model, or writing the output).
    Batch {
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output JSONL file, or - for standard output.
        #[arg(long, short)]
        output: String,
        /// Worker threads (default: all cores).
        #[arg(long, short)]
        jobs: Option<usize>,
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Fit a block model on labelled pages and report cross-validated quality.
    ///
    /// --data takes any mix of: directories of HTML pages with data-gleaner-label attributes
    /// (see training-data/README.md), gold-text sets (NAME/source.html + expected.html, or
    /// input/ + GoldStandard/) and snippet sets (evaldata.json + html/).
    Train {
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
        /// Skip cross-validation and fit the given algorithm on all data.
        #[arg(long)]
        no_cv: bool,
    },
    /// Score gleaner, or another tool's batch JSONL output, against a labelled set.
    ///
    /// Gold-text sets are scored by 4-gram shingles of \w+ tokens (precision and recall
    /// averaged over pages); snippet sets by found/missing snippets (P, R, F1, accuracy).
    Eval {
        #[arg(long, required = true)]
        data: PathBuf,
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
    },
    /// Show a page's blocks as JSONL: text, features, scores and label (for debugging and
    /// as a start for labelling a page).
    Blocks {
        file: String,
        #[arg(long)]
        model: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("gleaner: {message}");
            ExitCode::FAILURE
        }
    }
}

fn extractor(model: Option<&PathBuf>) -> Result<Extractor, String> {
    let model = match model {
        Some(path) => Model::load(path),
        None => Model::default_model(),
    };
    model.map(Extractor::new).map_err(|e| e.to_string())
}

fn read_input(file: &str) -> Result<Vec<u8>, String> {
    if file == "-" {
        let mut bytes = Vec::new();
        io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        Ok(bytes)
    } else {
        std::fs::read(file).map_err(|e| format!("cannot read {file}: {e}"))
    }
}

fn run(command: Command) -> Result<ExitCode, String> {
    match command {
        Command::Extract {
            file,
            format,
            model,
            blocks,
        } => {
            let extractor = extractor(model.as_ref())?;
            let bytes = read_input(&file)?;
            let extraction = extractor
                .extract_bytes(&bytes)
                .map_err(|e| format!("{file}: {e}"))?;
            let out = match format {
                Format::Text => extraction.text(),
                Format::Json => Record::from_extraction(&extraction, blocks).to_json_line(),
            };
            println!("{out}");
            Ok(ExitCode::SUCCESS)
        }
        Command::Batch {
            inputs,
            output,
            jobs,
            model,
        } => {
            let extractor = extractor(model.as_ref())?;
            let inputs = batch::collect_inputs(&inputs);
            let jobs =
                jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            let start = std::time::Instant::now();
            let summary = if output == "-" {
                let stdout = io::stdout();
                let mut out = BufWriter::new(stdout.lock());
                batch::run(&extractor, &inputs, jobs, &mut out)
            } else {
                let file = std::fs::File::create(&output)
                    .map_err(|e| format!("cannot create {output}: {e}"))?;
                batch::run(&extractor, &inputs, jobs, &mut BufWriter::new(file))
            }
            .map_err(|e| format!("writing {output}: {e}"))?;
            let seconds = start.elapsed().as_secs_f64();
            let kinds: Vec<String> = summary
                .errors_by_kind
                .iter()
                .map(|(k, n)| format!("{k}: {n}"))
                .collect();
            eprintln!(
                "gleaner: {} pages, {} errors{}, {:.1} s, {:.0} pages/s",
                summary.pages,
                summary.errors,
                if kinds.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", kinds.join(", "))
                },
                seconds,
                summary.pages as f64 / seconds.max(1e-9)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Train {
            data,
            out,
            algorithm,
            folds,
            seed,
            cv_predictions,
            no_cv,
        } => train_command(
            &data,
            &out,
            &algorithm,
            folds,
            seed,
            cv_predictions.as_ref(),
            no_cv,
        ),
        Command::Eval {
            data,
            predictions,
            model,
            json,
            fail_below,
        } => {
            let sets = Dataset::discover(&data).map_err(|e| e.to_string())?;
            let index = match &predictions {
                Some(path) => Some(read_predictions(path)?),
                None => None,
            };
            let extractor = match index {
                Some(_) => None,
                None => Some(extractor(model.as_ref())?),
            };
            let mut failed = false;
            for set in &sets {
                let scores = match (&index, &extractor) {
                    (Some(index), _) => score_dataset(set, |id| index.get(id)),
                    (None, Some(extractor)) => {
                        let outputs: std::collections::HashMap<String, Output> = set
                            .pages
                            .par_iter()
                            .map(|page| {
                                let record = batch::process_file(extractor, &page.path);
                                (
                                    page.id.clone(),
                                    Output {
                                        text: record.text,
                                        error: record.error.is_some(),
                                    },
                                )
                            })
                            .collect();
                        score_dataset(set, |id| outputs.get(id).cloned())
                    }
                    (None, None) => unreachable!("an extractor exists without predictions"),
                };
                print_scores(&scores, json);
                if fail_below.is_some_and(|floor| scores.f1 < floor) {
                    eprintln!(
                        "gleaner: {}: F1 {:.4} is below the floor {:.4}",
                        scores.dataset,
                        scores.f1,
                        fail_below.unwrap_or_default()
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
        Command::Blocks { file, model } => {
            let extractor = extractor(model.as_ref())?;
            let bytes = read_input(&file)?;
            let decoded = gleaner::decode::decode(&bytes, None, gleaner::decode::DEFAULT_MAX_BYTES)
                .map_err(|e| format!("{file}: {e}"))?;
            let page = gleaner::segment::segment(&scraper::Html::parse_document(&decoded.html));
            let features = page_features(&page);
            let scored = extractor.score_page(page);
            let extraction = extractor.decide(scored);
            let stdout = io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            for (i, block) in extraction.blocks.iter().enumerate() {
                let mut record = block_record(i, block);
                record.features = Some(named_features(features.row(i)));
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string(&record).expect("serialises")
                )
                .map_err(|e| e.to_string())?;
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn print_scores(scores: &Scores, json: bool) {
    if json {
        println!("{}", serde_json::to_string(scores).expect("serialises"));
        return;
    }
    let accuracy = scores
        .accuracy
        .map(|a| format!("  accuracy {a:.4}"))
        .unwrap_or_default();
    println!(
        "{:<40} {:>5} pages ({} {}, {} missing, {} errors)  P {:.4}  R {:.4}  F1 {:.4}{}",
        scores.dataset,
        scores.pages,
        scores.metric,
        "metric",
        scores.missing,
        scores.errors,
        scores.precision,
        scores.recall,
        scores.f1,
        accuracy
    );
}

fn read_predictions(path: &PathBuf) -> Result<RecordIndex, String> {
    #[derive(serde::Deserialize)]
    struct Line {
        path: String,
        #[serde(default)]
        text: String,
        #[serde(default)]
        error: Option<String>,
    }
    let content = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut records = Vec::new();
    for (n, line) in content.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let record: Line = serde_json::from_str(line).map_err(|e| {
            format!(
                "{}:{}: not a batch record with \"path\" and \"text\": {e}",
                path.display(),
                n + 1
            )
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

fn train_command(
    data: &[PathBuf],
    out: &PathBuf,
    algorithm: &str,
    folds: usize,
    seed: u64,
    cv_predictions: Option<&PathBuf>,
    no_cv: bool,
) -> Result<ExitCode, String> {
    let algorithms: Vec<Algorithm> = if algorithm == "all" {
        vec![
            Algorithm::from_name("logistic").unwrap(),
            Algorithm::from_name("forest").unwrap(),
        ]
    } else {
        vec![Algorithm::from_name(algorithm).map_err(|e| e.to_string())?]
    };
    for a in &algorithms {
        a.validate().map_err(|e| e.to_string())?;
    }
    let mut sets = Vec::new();
    for dir in data {
        sets.extend(Dataset::discover(dir).map_err(|e| e.to_string())?);
    }
    let (pages, failures) = train::load_pages(&sets);
    for (id, error) in &failures {
        eprintln!("gleaner: skipping {id}: {error}");
    }
    let labelled: usize = pages
        .iter()
        .map(|p| p.labels.iter().filter(|l| l.is_some()).count())
        .sum();
    let content: usize = pages
        .iter()
        .map(|p| {
            p.labels
                .iter()
                .filter(|l| l.is_some_and(|l| l.is_content()))
                .count()
        })
        .sum();
    eprintln!(
        "gleaner: {} pages from {} sets, {labelled} labelled blocks ({content} content)",
        pages.len(),
        sets.len()
    );
    let mut chosen = algorithms[0].clone();
    if !no_cv {
        println!("{folds}-fold cross-validation by page (block-level, content class):");
        println!(
            "{:<22} {:>8} {:>8} {:>8}   {:>8} {:>8} {:>8}",
            "algorithm", "P(1st)", "R(1st)", "F1(1st)", "P", "R", "F1"
        );
        let mut best: Option<(f64, Algorithm, train::CrossValidation)> = None;
        for a in &algorithms {
            let start = std::time::Instant::now();
            let cv = train::cross_validate(&pages, a, folds, seed).map_err(|e| e.to_string())?;
            println!(
                "{:<22} {:>8.4} {:>8.4} {:>8.4}   {:>8.4} {:>8.4} {:>8.4}   ({:.0} s)",
                cv.algorithm,
                cv.first_pass.precision,
                cv.first_pass.recall,
                cv.first_pass.f1,
                cv.smoothed.precision,
                cv.smoothed.recall,
                cv.smoothed.f1,
                start.elapsed().as_secs_f64()
            );
            if best.as_ref().is_none_or(|(f1, _, _)| cv.smoothed.f1 > *f1) {
                best = Some((cv.smoothed.f1, a.clone(), cv));
            }
        }
        let (_, algorithm, cv) = best.expect("at least one algorithm");
        println!("chosen: {}", algorithm.name());
        chosen = algorithm;
        if let Some(path) = cv_predictions {
            write_cv_predictions(path, &pages, &cv)
                .map_err(|e| format!("writing {}: {e}", path.display()))?;
        }
    }
    let refs: Vec<&train::TrainingPage> = pages.iter().collect();
    let mut model = train::fit_model(&refs, &chosen, seed).map_err(|e| e.to_string())?;
    model.provenance = format!(
        "{} on {} pages ({} labelled blocks) from: {}",
        chosen.name(),
        pages.len(),
        labelled,
        sets.iter()
            .map(|s| s.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    std::fs::write(out, model.to_json())
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    eprintln!("gleaner: wrote {}", out.display());
    Ok(ExitCode::SUCCESS)
}

fn write_cv_predictions(
    path: &PathBuf,
    pages: &[train::TrainingPage],
    cv: &train::CrossValidation,
) -> io::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    for (page, scores) in pages.iter().zip(&cv.page_scores) {
        let text: Vec<&str> = page
            .page
            .blocks
            .iter()
            .zip(scores)
            .filter(|(_, &s)| s >= cv.threshold)
            .map(|(b, _)| b.text.as_str())
            .collect();
        let record = Record {
            title: gleaner::extract::page_title(&page.page),
            text: text.join("\n\n"),
            ..Record::default()
        }
        .with_path(page.path.display().to_string());
        writeln!(out, "{}", record.to_json_line())?;
    }
    out.flush()
}
