//! `gleaner clickbait` and `gleaner train-clickbait`: headline scores in, lines out; labelled
//! headlines in, a compared and fitted model out.
//!
//! Data flow: `clickbait` reads the headlines (arguments, or one per line from standard input),
//! scores each with the library's [`ClickbaitModel`] and prints `score<TAB>label<TAB>text` or
//! a JSON object per headline. `train-clickbait` reads the two headline files
//! ([`clickbait::load_headlines`]), cross-validates the algorithms
//! ([`clickbait::cross_validate`]), prints the comparison table and the choice
//! ([`Report::best`]), fits the chosen one on everything and writes it.

use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use gleaner::clickbait::{self, ClickbaitModel, Report, TrainParams};

use super::Format;

/// Arguments of `gleaner clickbait`.
#[derive(clap::Args)]
pub struct ClickbaitArgs {
    texts: Vec<String>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Use this headline model instead of the built-in one.
    #[arg(long)]
    model: Option<PathBuf>,
}

/// Arguments of `gleaner train-clickbait`.
#[derive(clap::Args)]
pub struct TrainClickbaitArgs {
    #[arg(long)]
    data: PathBuf,
    #[arg(long)]
    out: PathBuf,
    /// tfidf_logistic, naive_bayes, logistic_regression, or all (compare; keep the best by F1).
    #[arg(long, default_value = "tfidf_logistic")]
    algorithm: String,
    #[arg(long, default_value_t = 5)]
    folds: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

/// One scored headline, as a JSON line.
#[derive(serde::Serialize)]
struct Scored<'a> {
    text: &'a str,
    score: f64,
    clickbait: bool,
}

pub fn run(args: ClickbaitArgs) -> Result<ExitCode, String> {
    let loaded;
    let model: &ClickbaitModel = match &args.model {
        Some(path) => {
            loaded = ClickbaitModel::load(path).map_err(|e| e.to_string())?;
            &loaded
        }
        None => clickbait::default_model()
            .ok_or("the built-in clickbait model is damaged; reinstall gleaner")?,
    };
    let mut input = String::new();
    let lines: Vec<&str> = if args.texts.is_empty() {
        io::stdin()
            .read_to_string(&mut input)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        input.lines().collect()
    } else {
        args.texts.iter().map(String::as_str).collect()
    };
    let texts: Vec<&str> = lines.into_iter().filter(|l| !l.trim().is_empty()).collect();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let scores = model.score_many(&texts);
    for (&text, &score) in texts.iter().zip(&scores) {
        let is_clickbait = score >= clickbait::THRESHOLD;
        let line = match args.format {
            Format::Text => format!(
                "{score:.4}\t{}\t{text}",
                if is_clickbait {
                    "clickbait"
                } else {
                    "not_clickbait"
                }
            ),
            Format::Json => serde_json::to_string(&Scored {
                text,
                score,
                clickbait: is_clickbait,
            })
            .expect("serialises"),
        };
        writeln!(out, "{line}").map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    Ok(ExitCode::SUCCESS)
}

pub fn train(args: TrainClickbaitArgs) -> Result<ExitCode, String> {
    let TrainClickbaitArgs {
        data,
        out,
        algorithm,
        folds,
        seed,
    } = args;
    let headlines =
        clickbait::load_headlines(data.join("clickbait.txt"), data.join("not-clickbait.txt"))
            .map_err(|e| format!("{e} (--data needs clickbait.txt and not-clickbait.txt)"))?;
    let algorithms = clickbait::Algorithm::parse_choice(&algorithm).map_err(|e| e.to_string())?;
    eprintln!("gleaner: {} headlines", headlines.len());
    let mut reports = Vec::new();
    for a in &algorithms {
        let report = clickbait::cross_validate(&headlines, &TrainParams::new(*a), folds, seed)
            .map_err(|e| e.to_string())?;
        reports.push(report);
    }
    println!("{folds}-fold cross-validation:");
    print!("{}", Report::comparison_table(&reports));
    let best = Report::best(&reports).ok_or("no algorithm to train")?;
    println!("chosen: {}", best.name());
    let model = clickbait::train(&headlines, &TrainParams::new(best)).map_err(|e| e.to_string())?;
    std::fs::write(&out, model.to_json().map_err(|e| e.to_string())?)
        .map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    eprintln!("gleaner: wrote {}", out.display());
    Ok(ExitCode::SUCCESS)
}
