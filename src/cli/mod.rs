//! The command line's per-command modules, binary-only: what each `gleaner` command does
//! around the library — reading its inputs, calling the library, and printing what comes back.
//!
//! Data flow: `main` parses the arguments (each command's clap arguments are defined in its
//! module here) and hands them to that module's `run`; it returns the exit status, or an error
//! message that `main` prints as `gleaner: MESSAGE` with exit status 1. Everything a library
//! user could want (extraction, scoring, training steps, input expansion) lives in the
//! `gleaner` library; these modules only open files, print and choose exit statuses.

pub mod batch;
pub mod clickbait;
pub mod eval;
pub mod explain;
pub mod extract;
pub mod label;
pub mod train;

use std::io::{self, Read, Write};
use std::path::PathBuf;

use clap::ValueEnum;
use gleaner::{Extractor, Model};

/// Output format of `extract` and `clickbait`.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    /// The article text, paragraphs separated by blank lines.
    Text,
    /// A JSON object with title and text (and blocks with --blocks).
    Json,
}

/// What `--format` of `extract` and `batch` writes into the article text.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TextFormat {
    /// Plain text, paragraphs separated by blank lines.
    Text,
    /// Markdown: headings, lists, pipe tables, fenced code, quotes, line breaks.
    Markdown,
    /// Minimal clean HTML: h1-h6, p, ul/ol/li, table, pre/code, blockquote, figure.
    Html,
}

/// `--links` and `--images`, shared by `extract` and `batch`.
#[derive(clap::Args, Clone, Copy)]
pub struct StructureArgs {
    /// With markdown or html: write links as [text](url) / <a href>, with URLs made absolute
    /// against <base href> and the page URL (batch: the JSONL/WARC URL; else the page's
    /// canonical URL).
    #[arg(long)]
    pub links: bool,
    /// With markdown or html: write the images of kept blocks as ![alt](src) / <img>,
    /// before their captions.
    #[arg(long)]
    pub images: bool,
}

impl StructureArgs {
    /// The library's output options for `format`.
    pub fn output(self, format: TextFormat) -> gleaner::formats::Output {
        use gleaner::formats::Format;
        gleaner::formats::Output {
            format: match format {
                TextFormat::Text => Format::Text,
                TextFormat::Markdown => Format::Markdown,
                TextFormat::Html => Format::Html,
            },
            links: self.links,
            images: self.images,
        }
    }
}

/// An extractor with the model at `model`, or with the built-in one.
pub fn extractor(model: Option<&PathBuf>) -> Result<Extractor, String> {
    let model = match model {
        Some(path) => Model::load(path),
        None => Model::default_model(),
    };
    model.map(Extractor::new).map_err(|e| e.to_string())
}

/// The bytes of a file, or of standard input for `-`.
pub fn read_input(file: &str) -> Result<Vec<u8>, String> {
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

/// Prints to standard output; a closed pipe (`gleaner extract page.html | head`) ends the
/// output quietly instead of failing.
pub fn print_out(text: &str) -> Result<(), String> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(format!("writing the output: {e}")),
        _ => Ok(()),
    }
}
