//! Where the time goes: runs every stage of the extraction pipeline separately over the pages
//! under the given files or directories, and prints the seconds each stage took in total.
//!
//! ```sh
//! cargo run --release --example stage_times -- ../shared/data/trafilatura-dev/html
//! ```

use std::path::PathBuf;
use std::time::{Duration, Instant};

use gleaner::extract::Extractor;
use gleaner::input::{expand, InputFormat};

/// The allocator the `gleaner` binary uses, so that the stages cost what they cost there.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if args.is_empty() {
        eprintln!("usage: stage_times DIR_OR_FILE...");
        std::process::exit(2);
    }
    let pages: Vec<Vec<u8>> = args
        .iter()
        .flat_map(|arg| expand(arg, Some(InputFormat::Html)))
        .filter_map(|path| std::fs::read(path).ok())
        .collect();
    // Naming noise kinds costs time only when blocks are written (as `gleaner batch` does by
    // default); here the decide stage includes it.
    let extractor = Extractor::with_default_model().expect("the shipped model loads");
    let model = extractor.model();
    let mut stages: Vec<(&str, Duration)> = [
        "decode",
        "parse",
        "segment",
        "features",
        "first pass",
        "smooth",
        "decide",
        "render",
    ]
    .iter()
    .map(|name| (*name, Duration::ZERO))
    .collect();
    let mut clock = |stage: usize, start: &mut Instant| {
        let now = Instant::now();
        stages[stage].1 += now - *start;
        *start = now;
    };
    let total = Instant::now();
    let mut blocks = 0usize;
    for raw in &pages {
        let mut t = Instant::now();
        let Ok(decoded) = gleaner::decode::decode(raw, None, gleaner::decode::DEFAULT_MAX_BYTES)
        else {
            continue;
        };
        clock(0, &mut t);
        let document = gleaner::parse::parse_document(&decoded.html);
        clock(1, &mut t);
        let page = gleaner::segment::segment(&document);
        drop(document);
        blocks += page.blocks.len();
        clock(2, &mut t);
        let (features, content_words, page_type) = model.page_rows(&page, None);
        clock(3, &mut t);
        let first_scores = model.first_pass_scores(&features);
        clock(4, &mut t);
        let scores = match &model.smoother {
            Some(smoother) => smoother.scores(&gleaner::smooth::smoothing_rows_with_words(
                &page,
                &features,
                &first_scores,
                &content_words,
            )),
            None => first_scores.clone(),
        };
        let reader_comments = gleaner::threads::reader_comments(&page, page_type.as_ref());
        let related = gleaner::related::related_stories(&page, page_type.as_ref());
        let threshold = model.threshold_for(page_type.as_ref());
        let orphans =
            gleaner::sections::orphan_headings(&page, &scores, threshold, page_type.as_ref());
        std::hint::black_box((related, orphans));
        clock(5, &mut t);
        let extraction = extractor.decide(gleaner::extract::Scored {
            page,
            features,
            first_scores,
            scores,
            page_type,
            reader_comments,
        });
        clock(6, &mut t);
        let line = gleaner::render::Record::from_extraction(&extraction, false).to_json_line();
        std::hint::black_box(line);
        clock(7, &mut t);
    }
    let seconds = total.elapsed().as_secs_f64();
    eprintln!(
        "{} pages, {blocks} blocks, {seconds:.2} s, {:.0} pages/s",
        pages.len(),
        pages.len() as f64 / seconds
    );
    for (name, spent) in &stages {
        eprintln!(
            "{name:>18} {:7.3} s {:5.1}%",
            spent.as_secs_f64(),
            100.0 * spent.as_secs_f64() / seconds
        );
    }
}
