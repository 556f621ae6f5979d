//! The `gleaner` command line: parses the arguments and hands each command to its module
//! in [`cli`], which calls the library and prints the results.

mod cli;

use std::process::ExitCode;
use std::sync::LazyLock;

use clap::{Parser, Subcommand};

use cli::batch::BatchArgs;
use cli::clickbait::{ClickbaitArgs, TrainClickbaitArgs};
use cli::eval::EvalArgs;
use cli::explain::ExplainArgs;
use cli::extract::{BlocksArgs, ExtractArgs};
use cli::label::LabelArgs;
use cli::train::TrainArgs;

/// Parsing and segmenting a page makes many small short-lived allocations; mimalloc serves
/// them markedly faster than the system allocator (measured: see the README's speed figures).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `--version`: the crate version and the feature-schema versions of the shipped models
/// (a model file of another schema is refused, so these say which model files this build
/// reads).
static VERSION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} (block model schema {}, clickbait model schema {})",
        env!("CARGO_PKG_VERSION"),
        gleaner::features::SCHEMA_VERSION,
        gleaner::clickbait::FEATURE_SCHEMA_VERSION
    )
});

#[derive(Parser)]
#[command(
    name = "gleaner",
    version = VERSION.as_str(),
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

#[derive(Subcommand)]
enum Command {
    /// Extract the article of one page (a file, or - for standard input).
    Extract(ExtractArgs),
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
    Train(TrainArgs),
    /// Score gleaner, or another tool's batch JSONL output, against a labelled set.
    ///
    /// Gold-text sets are scored by 4-gram shingles of \w+ tokens (precision and recall
    /// averaged over pages); ground-truth record sets (WCXB: ground-truth/ + html/) by bags of
    /// lowercase \w+ words per page (P, R and F1 averaged over pages, as the benchmark does),
    /// overall and per page type; snippet sets by found/missing snippets (P, R, F1, accuracy).
    Eval(EvalArgs),
    /// Score headlines for clickbait: the given TEXTs, or one headline per line from stdin.
    ///
    /// Text output: `score<TAB>label<TAB>text` per headline, label `clickbait` or
    /// `not_clickbait`. JSON output: one {"text", "score", "clickbait"} object per line, in
    /// input order. Thousands of headlines are scored on all cores.
    Clickbait(ClickbaitArgs),
    /// Fit the headline clickbait model and report k-fold cross-validated scores.
    ///
    /// --data is a directory with clickbait.txt and not-clickbait.txt, one headline per line.
    /// The default algorithm, tfidf_logistic, is the one the shipped model was fitted with.
    TrainClickbait(TrainClickbaitArgs),
    /// Show a page's blocks as JSONL: text, features, scores and label (for debugging and
    /// as a start for labelling a page).
    Blocks(BlocksArgs),
    /// Write one self-contained HTML report of why each block of a page was kept or dropped.
    ///
    /// The report shows the page's blocks in order, coloured by label (content, boilerplate,
    /// teaser, promo, comment), each with its score against the page's threshold; click a
    /// block for its reasons: the features that pushed it towards keeping or dropping, in
    /// words. Filters show kept, dropped or one kind; the extracted text is beside the blocks.
    /// The file loads nothing from the network and opens from disk.
    ///
    /// The report goes to -o FILE, or to standard output when that is redirected:
    ///   gleaner explain page.html -o report.html
    ///   curl -s URL | gleaner explain - > report.html
    /// For many pages: gleaner batch ... --explain-dir DIR.
    #[command(verbatim_doc_comment)]
    Explain(ExplainArgs),
    /// Label pages in the browser, to train or adapt a model on them.
    ///
    /// Serves a labelling page on 127.0.0.1 and prints its address with a random token
    /// (http://127.0.0.1:PORT/?token=...); open it in a browser on this machine. Each page's
    /// blocks start with the model's labels; blocks whose score is close to the threshold
    /// are outlined and visited first (key u). Click a block or move with j/k, then press
    /// c content, b boilerplate, t teaser, p promo, m comment, n noise (or 1-6); z undoes,
    /// s saves, [ and ] go to the previous and next page (saving changes).
    ///
    /// Saving writes the page into --out with data-gleaner-label attributes on its blocks'
    /// elements (never over an input); run the command again with the same --out to resume.
    /// Then adapt the shipped model to the labelled pages:
    ///   gleaner train --data DIR --base default --out site-model.json
    ///   gleaner extract --model site-model.json page.html
    /// or train a model of your own with them: gleaner train --data training-data DIR ...
    #[command(verbatim_doc_comment)]
    Label(LabelArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Extract(args) => cli::extract::run(args),
        Command::Batch(args) => cli::batch::run(args),
        Command::Train(args) => cli::train::run(args),
        Command::Eval(args) => cli::eval::run(args),
        Command::Clickbait(args) => cli::clickbait::run(args),
        Command::TrainClickbait(args) => cli::clickbait::train(args),
        Command::Blocks(args) => cli::extract::blocks(args),
        Command::Explain(args) => cli::explain::run(args),
        Command::Label(args) => cli::label::run(args),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("gleaner: {message}");
            ExitCode::FAILURE
        }
    }
}
