//! `gleaner explain`: one page in, one self-contained HTML report out, saying why each block
//! was kept or dropped ([`gleaner::explain`]).
//!
//! Data flow: the page's bytes (a file, or standard input for `-`) go to
//! [`explain_bytes`](gleaner::explain::explain_bytes) with an extractor that names the kinds
//! of noise and their reasons; [`report`](gleaner::explain::report) renders the HTML, which
//! goes to the `-o` file (its path is printed on standard error) or to standard output. A
//! terminal is never sent the HTML: with neither `-o` nor a redirection the command refuses
//! with exit status 2 and says what to do.

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use gleaner::decode::DEFAULT_MAX_BYTES;
use gleaner::explain::{explain_bytes, report};

use super::{extractor, print_out, read_input};

/// Arguments of `gleaner explain`.
#[derive(clap::Args)]
pub struct ExplainArgs {
    /// HTML file (plain or .gz), or - for standard input.
    page: String,
    /// Write the report to this file (default: standard output, which must not be a
    /// terminal).
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Use this model file instead of the built-in one.
    #[arg(long)]
    model: Option<PathBuf>,
    /// Count reader comments as kept, as `extract --include-comments` does.
    #[arg(long)]
    include_comments: bool,
}

pub fn run(args: ExplainArgs) -> Result<ExitCode, String> {
    if args.output.is_none() && io::stdout().is_terminal() {
        eprintln!(
            "gleaner: explain writes an HTML report: give -o report.html, or redirect the \
             output (gleaner explain {} > report.html)",
            args.page
        );
        return Ok(ExitCode::from(2));
    }
    let extractor = extractor(args.model.as_ref())?
        .explain(true)
        .name_kinds(true)
        .include_comments(args.include_comments);
    let bytes = read_input(&args.page)?;
    let explanation = explain_bytes(&extractor, &bytes, None, None, DEFAULT_MAX_BYTES)
        .map_err(|e| format!("{}: {e}", args.page))?;
    let source = if args.page == "-" {
        "standard input"
    } else {
        args.page.as_str()
    };
    let html = report(&explanation, source);
    match &args.output {
        None => print_out(&html)?,
        Some(path) => {
            std::fs::write(path, html)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            let (kept, dropped, _) = explanation.counts();
            eprintln!(
                "gleaner: wrote {} ({kept} blocks kept, {dropped} dropped)",
                path.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
