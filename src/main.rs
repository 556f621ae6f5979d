//! The `gleaner` command line: parses arguments and calls the library.

use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

/// Parsing and segmenting a page makes many small short-lived allocations; mimalloc serves
/// them markedly faster than the system allocator (measured: see the README's speed figures).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use rayon::prelude::*;

use gleaner::batch;
use gleaner::dataset::Dataset;
use gleaner::eval::{score_dataset_with, Output, RecordIndex, Scores};
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
        /// Keep reader comments under an article in the text (dropped by default; on forum
        /// pages the posts are content either way).
        #[arg(long)]
        include_comments: bool,
    },
    /// Extract many pages: one JSON line per input page, in input order.
    ///
    /// INPUTs are files, directories or - (standard input). The format of each is detected
    /// from its name, or forced with --input-format:
    ///   html   one page per file: *.html, *.htm (and .gz)
    ///   jsonl  one {"url": ..., "html": ...} object per line: *.jsonl, *.ndjson (and .gz)
    ///   warc   WARC files: *.warc, *.warc.gz; each response record whose HTTP Content-Type is
    ///          text/html or application/xhtml+xml is a page (so are resource records with
    ///          an HTML Content-Type); other responses are skipped and counted.
    /// Directories are searched recursively (sorted) for HTML and WARC names, and for JSONL
    /// names only with --input-format jsonl; the output file is never read. Standard input
    /// is sniffed: WARC, JSON Lines, or else one HTML page. Gzip is detected by content.
    ///
    /// Every page yields exactly one line with "path", "title", "text", and "error" with
    /// "error_kind" (io, decode, too_large, parse, empty, panic) when that page failed (then
    /// "text" is ""); "truncated": true when a page was over --max-bytes and only its start
    /// was read. "path" is the file, FILE:LINE for JSONL and FILE:N (N-th record) for WARC;
    /// JSONL and WARC pages also have "url", WARC pages "warc_record_id". With the shipped
    /// model every record also has "page_type" (article, service, forum, listing, product,
    /// collection or documentation) and "confidence" (0-1, how well the page was likely
    /// extracted: route pages below a cut-off to another tool or to review).
    ///
    /// A progress bar is drawn on standard error when it is a terminal; a one-line summary
    /// is printed there at the end.
    ///
    /// Exit status: 0 when every page was processed (even if some had errors); 1 when the
    /// run itself failed (the model, reading --files-from or the output for --resume,
    /// creating or writing the output); 2 for invalid arguments.
    #[command(verbatim_doc_comment)]
    Batch(BatchArgs),
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
    },
    /// Score gleaner, or another tool's batch JSONL output, against a labelled set.
    ///
    /// Gold-text sets are scored by 4-gram shingles of \w+ tokens (precision and recall
    /// averaged over pages); ground-truth record sets (WCXB: ground-truth/ + html/) by bags of
    /// lowercase \w+ words per page (P, R and F1 averaged over pages, as the benchmark does),
    /// overall and per page type; snippet sets by found/missing snippets (P, R, F1, accuracy).
    Eval {
        #[arg(long, required = true)]
        data: PathBuf,
        /// Score gold-text sets by this metric instead of their default: shingles or words.
        #[arg(long)]
        metric: Option<gleaner::dataset::Metric>,
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
    /// Score headlines for clickbait: the given TEXTs, or one headline per line from stdin.
    ///
    /// Text output: `score<TAB>label<TAB>text` per headline, label `clickbait` or
    /// `not_clickbait`. JSON output: one {"text", "score", "clickbait"} object per line, in
    /// input order.
    Clickbait {
        texts: Vec<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Use this headline model instead of the built-in one.
        #[arg(long)]
        model: Option<PathBuf>,
    },
    /// Fit the headline clickbait model and report k-fold cross-validated scores.
    ///
    /// --data is a directory with clickbait.txt and not-clickbait.txt, one headline per line.
    TrainClickbait {
        #[arg(long)]
        data: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// naive_bayes, logistic_regression, or all (compare; keep the best by F1).
        #[arg(long, default_value = "naive_bayes")]
        algorithm: String,
        #[arg(long, default_value_t = 5)]
        folds: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
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
            include_comments,
        } => {
            let extractor = extractor(model.as_ref())?
                .explain(blocks)
                .name_kinds(blocks)
                .include_comments(include_comments);
            let bytes = read_input(&file)?;
            let extraction = extractor
                .extract_bytes(&bytes)
                .map_err(|e| format!("{file}: {e}"))?;
            let out = match format {
                Format::Text => extraction.text(),
                Format::Json => Record::from_extraction(&extraction, blocks).to_json_line(),
            };
            print_out(&out)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Batch(args) => batch_command(args),
        Command::Train {
            data,
            out,
            algorithm,
            folds,
            seed,
            cv_predictions,
            cv_blocks,
            no_cv,
            cv_set,
            holdout_set,
        } => train_command(TrainArgs {
            data: &data,
            out: &out,
            algorithm: &algorithm,
            folds,
            seed,
            cv_predictions: cv_predictions.as_ref(),
            cv_blocks: cv_blocks.as_ref(),
            no_cv,
            cv_set: cv_set.as_deref(),
            holdout_set: holdout_set.as_deref(),
        }),
        Command::Eval {
            data,
            metric,
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
                None => Some(extractor(model.as_ref())?.name_kinds(false)),
            };
            let mut failed = false;
            for set in &sets {
                let metric = metric.unwrap_or(set.form.default_metric());
                let scores = match (&index, &extractor) {
                    (Some(index), _) => score_dataset_with(set, metric, |id| index.get(id)),
                    (None, Some(extractor)) => {
                        let outputs = extract_set(extractor, set);
                        score_dataset_with(set, metric, |id| outputs.get(id).cloned())
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
        Command::Clickbait {
            texts,
            format,
            model,
        } => clickbait_command(texts, format, model.as_ref()),
        Command::TrainClickbait {
            data,
            out,
            algorithm,
            folds,
            seed,
        } => train_clickbait_command(&data, &out, &algorithm, folds, seed),
        Command::Blocks { file, model } => {
            let extractor = extractor(model.as_ref())?.explain(true);
            let bytes = read_input(&file)?;
            let decoded = gleaner::decode::decode(&bytes, None, gleaner::decode::DEFAULT_MAX_BYTES)
                .map_err(|e| format!("{file}: {e}"))?;
            let page = gleaner::extract::segment_html(&decoded.html);
            let scored = extractor.score_page(page);
            let features = scored.features.clone();
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
    );
    for t in &scores.by_page_type {
        println!(
            "  {:<38} {:>5} pages  P {:.4}  R {:.4}  F1 {:.4}",
            t.page_type.as_str(),
            t.pages,
            t.precision,
            t.recall,
            t.f1
        );
    }
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

struct TrainArgs<'a> {
    data: &'a [PathBuf],
    out: &'a PathBuf,
    algorithm: &'a str,
    folds: usize,
    seed: u64,
    cv_predictions: Option<&'a PathBuf>,
    cv_blocks: Option<&'a PathBuf>,
    no_cv: bool,
    cv_set: Option<&'a str>,
    holdout_set: Option<&'a str>,
}

/// Whether the set is the one called `name`: its name as printed, its last path component, or
/// a directory above it (`cleaneval` names both `cleaneval/dev` and `cleaneval/final`).
fn set_is_called(set: &Dataset, name: &str) -> bool {
    let name = name.trim_end_matches('/');
    set.name == name
        || set.name.rsplit('/').next() == Some(name)
        || set.name.starts_with(&format!("{name}/"))
        || set.name.contains(&format!("/{name}/"))
}

/// The index of the first set called `name` (see [`set_is_called`]).
fn set_index(sets: &[Dataset], name: &str) -> Result<usize, String> {
    sets.iter()
        .position(|s| set_is_called(s, name))
        .ok_or_else(|| {
            format!(
                "no set called {name:?} among the data; the sets are: {}",
                sets.iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
}

fn train_command(args: TrainArgs<'_>) -> Result<ExitCode, String> {
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
    } = args;
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
    let cv_set = cv_set.map(|name| set_index(&sets, name)).transpose()?;
    let held_out_sets = match holdout_set {
        Some(name) => {
            set_index(&sets, name)?;
            no_cv = true;
            let (held_out, kept) = sets.into_iter().partition(|s| set_is_called(s, name));
            sets = kept;
            held_out
        }
        None => Vec::new(),
    };
    let (pages, failures) = train::load_pages(&sets, folds, seed);
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
    let mut confidence = None;
    if !no_cv {
        println!("{folds}-fold cross-validation by page (block-level, content class):");
        println!(
            "{:<22} {:>8} {:>8} {:>8}   {:>8} {:>8} {:>8}",
            "algorithm", "P(1st)", "R(1st)", "F1(1st)", "P", "R", "F1"
        );
        let mut best: Option<(f64, Algorithm, train::CrossValidation)> = None;
        for a in &algorithms {
            let start = std::time::Instant::now();
            let cv =
                train::cross_validate(&pages, a, folds, seed, cv_set).map_err(|e| e.to_string())?;
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
            for (kind, scores) in [("teaser", cv.teaser), ("comment", cv.comment)] {
                if let Some(s) = scores {
                    println!(
                        "{:<22} {kind} kind, over {} labelled blocks: P {:.4} R {:.4} F1 {:.4}",
                        "", s.blocks, s.precision, s.recall, s.f1
                    );
                }
            }
            if best.as_ref().is_none_or(|(f1, _, _)| cv.smoothed.f1 > *f1) {
                best = Some((cv.smoothed.f1, a.clone(), cv));
            }
        }
        let (_, algorithm, cv) = best.expect("at least one algorithm");
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
        if let Some(path) = cv_predictions {
            write_cv_predictions(path, &pages, &cv)
                .map_err(|e| format!("writing {}: {e}", path.display()))?;
        }
        if let Some(path) = cv_blocks {
            write_cv_blocks(path, &pages, &cv)
                .map_err(|e| format!("writing {}: {e}", path.display()))?;
        }
    }
    let refs: Vec<&train::TrainingPage> = pages.iter().collect();
    let mut model = train::fit_model(&refs, &chosen, seed).map_err(|e| e.to_string())?;
    model.confidence = confidence.map(|(c, _)| c);
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
    let vocabulary = model.class_vocabulary.as_ref().map_or(0, |v| v.len());
    if vocabulary == 0 {
        eprintln!(
            "gleaner: warning: no class/id token is on {} or more of the training pages, so the \
             model reads no class names; train on more pages to use them",
            gleaner::features::ClassVocabulary::MIN_PAGES
        );
    }
    std::fs::write(out, model.to_json())
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
                &score_dataset_with(set, set.form.default_metric(), |id| {
                    outputs.get(id).cloned()
                }),
                false,
            );
            all_outputs.push(outputs);
        }
        if let Some(path) = cv_predictions {
            write_outputs(path, &held_out_sets, &all_outputs)
                .map_err(|e| format!("writing {}: {e}", path.display()))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// gleaner's output for every page of a set, by page id.
fn extract_set(extractor: &Extractor, set: &Dataset) -> std::collections::HashMap<String, Output> {
    set.pages
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
        .collect()
}

/// Writes sets' outputs as batch JSONL, in page order.
fn write_outputs(
    path: &PathBuf,
    sets: &[Dataset],
    outputs: &[std::collections::HashMap<String, Output>],
) -> io::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
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

fn write_cv_blocks(
    path: &PathBuf,
    pages: &[train::TrainingPage],
    cv: &train::CrossValidation,
) -> io::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
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
        let line = serde_json::json!({
            "path": page.path.display().to_string(),
            "threshold": cv.page_thresholds[i],
            "blocks": blocks,
        });
        writeln!(out, "{line}")?;
    }
    out.flush()
}

fn write_cv_predictions(
    path: &PathBuf,
    pages: &[train::TrainingPage],
    cv: &train::CrossValidation,
) -> io::Result<()> {
    let mut out = BufWriter::new(std::fs::File::create(path)?);
    for (((page, scores), &threshold), _) in pages
        .iter()
        .zip(&cv.page_scores)
        .zip(&cv.page_thresholds)
        .zip(&cv.held_out)
        .filter(|(_, &held_out)| held_out)
    {
        let text: Vec<&str> = page
            .page
            .blocks
            .iter()
            .zip(scores)
            .filter(|(_, &s)| s >= threshold)
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

/// Arguments of `gleaner batch`.
#[derive(clap::Args)]
struct BatchArgs {
    /// Files, directories, or - for standard input.
    #[arg(required_unless_present = "files_from")]
    inputs: Vec<PathBuf>,
    /// Also read INPUTs from this file, one per line (- for standard input).
    #[arg(long, value_name = "LIST")]
    files_from: Option<PathBuf>,
    /// Output JSONL file, or - for standard output.
    #[arg(long, short)]
    output: String,
    /// Worker threads (default: all cores).
    #[arg(long, short)]
    jobs: Option<usize>,
    /// Use this model file instead of the built-in one.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Read every input in this format instead of detecting it.
    #[arg(long, value_name = "FORMAT", value_parser = gleaner::input::InputFormat::NAMES)]
    input_format: Option<String>,
    /// Pages longer than this (after gzip) are cut here and marked "truncated".
    /// Accepts K, M and G suffixes (powers of 1024).
    #[arg(long, value_name = "SIZE", default_value = "10M", value_parser = parse_size)]
    max_bytes: usize,
    /// Write records as pages finish instead of in input order (about as fast: the
    /// ordered writer keeps a small reorder window).
    #[arg(long)]
    unordered: bool,
    /// Extra fields, comma-separated: blocks, timings (per-page ms), bytes (input size),
    /// http (http_status, http_charset), warc_date, all. url and warc_id are always
    /// written when the input has them.
    #[arg(long, value_name = "LIST")]
    fields: Option<String>,
    /// Continue an interrupted run: skip pages whose records are already in the output
    /// (by path, FILE:LINE for JSONL, record id for WARC) and append the rest. A torn
    /// last line is removed first.
    #[arg(long)]
    resume: bool,
    /// Never draw a progress bar.
    #[arg(long)]
    no_progress: bool,
    /// Keep reader comments under articles in "text" (dropped by default; on forum pages
    /// the posts are content either way).
    #[arg(long)]
    include_comments: bool,
}

/// Parses a byte size: a number with an optional K, M or G suffix (powers of 1024; a
/// trailing B or iB is accepted).
fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim().to_ascii_uppercase();
    let t = t
        .strip_suffix("IB")
        .or_else(|| t.strip_suffix('B'))
        .unwrap_or(&t);
    let (number, unit) = match t.chars().last() {
        Some('K') => (&t[..t.len() - 1], 1usize << 10),
        Some('M') => (&t[..t.len() - 1], 1 << 20),
        Some('G') => (&t[..t.len() - 1], 1 << 30),
        _ => (t, 1),
    };
    number
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("{text:?} is not a size in bytes (e.g. 10M, 500K, 1048576)"))
}

fn batch_command(args: BatchArgs) -> Result<ExitCode, String> {
    use gleaner::batch::{Fields, Options, ProgressTotal};
    use gleaner::input::{self, InputFormat, Source};
    use std::io::IsTerminal;

    let mut extractor = extractor(args.model.as_ref())?.max_bytes(args.max_bytes);
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let mut options = Options::new(jobs, args.max_bytes);
    options.ordered = !args.unordered;
    options.read.format = args
        .input_format
        .as_deref()
        .and_then(InputFormat::from_name);
    let usage = |message: String| {
        eprintln!("gleaner: {message}");
        Ok(ExitCode::from(2))
    };
    if let Some(list) = &args.fields {
        match Fields::parse(list) {
            Ok(fields) => options.fields = fields,
            Err(message) => return usage(format!("--fields: {message}")),
        }
    }
    extractor = extractor
        .explain(options.fields.blocks)
        .name_kinds(options.fields.blocks)
        .include_comments(args.include_comments);
    let to_stdout = args.output == "-";
    let stdin_inputs = args.inputs.iter().filter(|p| p.as_os_str() == "-").count()
        + usize::from(
            args.files_from
                .as_ref()
                .is_some_and(|p| p.as_os_str() == "-"),
        );
    if stdin_inputs > 1 {
        return usage("standard input (-) can be read only once".into());
    }
    if args.resume && to_stdout {
        return usage("--resume needs an output file, not standard output".into());
    }
    if args.resume {
        options.read.done = gleaner::batch::prepare_resume(std::path::Path::new(&args.output))
            .map_err(|e| format!("cannot resume from {}: {e}", args.output))?;
    }

    // Directories on the command line are walked now (paths only), which also tells the
    // progress bar how much there is to do; --files-from and stdin stream.
    // The output file is never an input, even when it sits in a walked directory.
    let output_path = (!to_stdout)
        .then(|| std::fs::canonicalize(&args.output).ok())
        .flatten();
    let mut sources: Vec<Source> = Vec::new();
    for input in &args.inputs {
        let source = Source::parse(&input.to_string_lossy());
        match source {
            Source::Path(path) if path.is_dir() => sources.extend(
                input::expand(&path, options.read.format)
                    .into_iter()
                    .filter(|p| match &output_path {
                        Some(out) if p.file_name() == out.file_name() => {
                            std::fs::canonicalize(p).ok().as_ref() != Some(out)
                        }
                        _ => true,
                    })
                    .map(Source::Path),
            ),
            other => sources.push(other),
        }
    }
    options.progress = !args.no_progress && io::stderr().is_terminal();
    if options.progress && args.files_from.is_none() && stdin_inputs == 0 {
        let format_of = |p: &PathBuf| {
            options
                .read
                .format
                .or_else(|| InputFormat::from_path(p))
                .unwrap_or(InputFormat::Html)
        };
        let paths: Vec<&PathBuf> = sources
            .iter()
            .filter_map(|s| match s {
                Source::Path(p) => Some(p),
                Source::Stdin => None,
            })
            .collect();
        options.progress_total = if paths.iter().all(|p| format_of(p) == InputFormat::Html) {
            ProgressTotal::Pages(paths.len() as u64)
        } else {
            ProgressTotal::Bytes(
                paths
                    .iter()
                    .map(|p| std::fs::metadata(p).map_or(0, |m| m.len()))
                    .sum(),
            )
        };
    }
    let list: Option<Box<dyn io::BufRead + Send>> = match &args.files_from {
        None => None,
        Some(path) if path.as_os_str() == "-" => Some(Box::new(io::BufReader::new(io::stdin()))),
        Some(path) => Some(Box::new(io::BufReader::new(
            std::fs::File::open(path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?,
        ))),
    };
    let all_sources = sources
        .into_iter()
        .map(Ok)
        .chain(list.into_iter().flat_map(input::list_sources));

    let start = std::time::Instant::now();
    let result = if to_stdout {
        let stdout = io::stdout();
        let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
        gleaner::batch::run_sources(&extractor, all_sources, &options, &mut out)
    } else {
        let file = if args.resume {
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&args.output)
        } else {
            std::fs::File::create(&args.output)
        }
        .map_err(|e| format!("cannot create {}: {e}", args.output))?;
        gleaner::batch::run_sources(
            &extractor,
            all_sources,
            &options,
            &mut BufWriter::with_capacity(1 << 16, file),
        )
    };
    let summary = result.map_err(|e| format!("batch to {} failed: {e}", args.output))?;
    eprintln!("gleaner: {}", summary.line(start.elapsed().as_secs_f64()));
    Ok(ExitCode::SUCCESS)
}

fn clickbait_command(
    texts: Vec<String>,
    format: Format,
    model: Option<&PathBuf>,
) -> Result<ExitCode, String> {
    use gleaner::clickbait::{self, ClickbaitModel};
    let loaded;
    let model: &ClickbaitModel = match model {
        Some(path) => {
            let bytes =
                std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            loaded = ClickbaitModel::from_json(&bytes)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            &loaded
        }
        None => clickbait::default_model()
            .ok_or("the built-in clickbait model is damaged; reinstall gleaner")?,
    };
    let lines: Vec<String> = if texts.is_empty() {
        let mut input = String::new();
        io::stdin()
            .read_to_string(&mut input)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        input.lines().map(str::to_string).collect()
    } else {
        texts
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for text in lines.iter().filter(|l| !l.trim().is_empty()) {
        let score = model.score(text);
        let is_clickbait = score >= 0.5;
        let line = match format {
            Format::Text => format!(
                "{score:.4}\t{}\t{text}",
                if is_clickbait {
                    "clickbait"
                } else {
                    "not_clickbait"
                }
            ),
            Format::Json => {
                #[derive(serde::Serialize)]
                struct Scored<'a> {
                    text: &'a str,
                    score: f64,
                    clickbait: bool,
                }
                serde_json::to_string(&Scored {
                    text,
                    score,
                    clickbait: is_clickbait,
                })
                .expect("serialises")
            }
        };
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

fn train_clickbait_command(
    data: &std::path::Path,
    out: &PathBuf,
    algorithm: &str,
    folds: usize,
    seed: u64,
) -> Result<ExitCode, String> {
    use gleaner::clickbait::{self, Algorithm as Cb, Report, TrainParams};
    let headlines =
        clickbait::load_headlines(data.join("clickbait.txt"), data.join("not-clickbait.txt"))
            .map_err(|e| format!("{e} (--data needs clickbait.txt and not-clickbait.txt)"))?;
    let algorithms: Vec<Cb> = match algorithm {
        "all" => Cb::ALL.to_vec(),
        name => vec![Cb::ALL
            .into_iter()
            .find(|a| a.name() == name)
            .ok_or_else(|| {
                format!("unknown algorithm {name:?}: use naive_bayes, logistic_regression or all")
            })?],
    };
    eprintln!("gleaner: {} headlines", headlines.len());
    let mut reports = Vec::new();
    for a in &algorithms {
        let report = clickbait::cross_validate(&headlines, &TrainParams::new(*a), folds, seed)
            .map_err(|e| e.to_string())?;
        reports.push(report);
    }
    println!("{folds}-fold cross-validation:");
    print!("{}", Report::comparison_table(&reports));
    let best = reports
        .iter()
        .max_by(|a, b| a.overall.f1().total_cmp(&b.overall.f1()))
        .map(|r| r.algorithm)
        .ok_or("no algorithm to train")?;
    println!("chosen: {}", best.name());
    let model = clickbait::train(&headlines, &TrainParams::new(best)).map_err(|e| e.to_string())?;
    std::fs::write(out, model.to_json().map_err(|e| e.to_string())?)
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    eprintln!("gleaner: wrote {}", out.display());
    Ok(ExitCode::SUCCESS)
}

/// Prints to standard output; a closed pipe (`gleaner extract page.html | head`) ends the
/// output quietly instead of failing.
fn print_out(text: &str) -> Result<(), String> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(format!("writing the output: {e}")),
        _ => Ok(()),
    }
}
