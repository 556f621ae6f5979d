//! `gleaner extract` and `gleaner blocks`: one page in, its article (or its blocks) out.
//!
//! Data flow: the page's bytes (a file, or standard input for `-`) go to the library's
//! [`Extractor`](gleaner::Extractor); `extract` prints the [`Extraction`](gleaner::Extraction)
//! as text or as a JSON [`Record`], `blocks` prints every block's
//! [`BlockRecord`](gleaner::render::BlockRecord) (text, features, scores, label) as JSON lines
//! ([`render::page_block_records`]).

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use gleaner::render::{self, Record};

use super::{extractor, print_out, read_input, StructureArgs, TextFormat};

/// Arguments of `gleaner extract`.
#[derive(clap::Args)]
pub struct ExtractArgs {
    /// HTML file (plain or .gz); - or nothing reads standard input.
    #[arg(default_value = "-")]
    file: String,
    /// What to print: the article as plain text, Markdown or clean HTML, or a JSON object
    /// with title and text (and blocks with --blocks).
    #[arg(long, value_enum, default_value = "text")]
    format: ExtractFormat,
    #[command(flatten)]
    structure: StructureArgs,
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
    /// Start the text with the page's metadata (title, author, dates, site, language, …) as
    /// YAML front matter. JSON records always carry these fields.
    #[arg(long)]
    with_metadata: bool,
}

/// `extract --format`.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ExtractFormat {
    /// The article text, paragraphs separated by blank lines.
    Text,
    /// A JSON object with title and text (and blocks with --blocks).
    Json,
    /// The article as Markdown (headings, lists, tables, code, quotes).
    Markdown,
    /// The article as minimal clean HTML.
    Html,
}

/// Arguments of `gleaner blocks`.
#[derive(clap::Args)]
pub struct BlocksArgs {
    file: String,
    #[arg(long)]
    model: Option<PathBuf>,
}

pub fn run(args: ExtractArgs) -> Result<ExitCode, String> {
    let ExtractArgs {
        file,
        format,
        structure,
        model,
        blocks,
        include_comments,
        with_metadata,
    } = args;
    let text_format = match format {
        ExtractFormat::Markdown => TextFormat::Markdown,
        ExtractFormat::Html => TextFormat::Html,
        ExtractFormat::Text | ExtractFormat::Json => TextFormat::Text,
    };
    let extractor = extractor(model.as_ref())?
        .explain(blocks)
        .name_kinds(blocks)
        .include_comments(include_comments)
        .output(structure.output(text_format));
    let bytes = read_input(&file)?;
    let extraction = extractor
        .extract_bytes(&bytes)
        .map_err(|e| format!("{file}: {e}"))?;
    let out = match format {
        ExtractFormat::Json => Record::from_extraction(&extraction, blocks).to_json_line(),
        _ => match (&extraction.metadata, with_metadata) {
            (Some(metadata), true) => {
                format!("{}{}", metadata.to_front_matter(), extraction.formatted())
            }
            _ => extraction.formatted(),
        },
    };
    print_out(&out)?;
    Ok(ExitCode::SUCCESS)
}

pub fn blocks(args: BlocksArgs) -> Result<ExitCode, String> {
    let extractor = extractor(args.model.as_ref())?.explain(true);
    let bytes = read_input(&args.file)?;
    let records = render::page_block_records(&extractor, &bytes)
        .map_err(|e| format!("{}: {e}", args.file))?;
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for record in &records {
        writeln!(
            out,
            "{}",
            serde_json::to_string(record).expect("serialises")
        )
        .map_err(|e| e.to_string())?;
    }
    Ok(ExitCode::SUCCESS)
}
