//! The promise in gleaner's name: on news pages in the style of the seed page, in all three
//! markups (telling class names, hashed CSS-in-JS classes, bare `<p><a>` teasers), the
//! article is kept and every teaser dropped.

use std::path::{Path, PathBuf};

use gleaner::{Extraction, Extractor, Label};

fn extract(extractor: &Extractor, path: &Path) -> Extraction {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    extractor.extract_bytes(&bytes).unwrap()
}

fn check_page(extractor: &Extractor, path: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    for block in &extract(extractor, path).blocks {
        let Some(gold) = block.block.label else {
            continue;
        };
        let kept = block.label == Label::Content;
        if gold.is_content() != kept {
            problems.push(format!(
                "{}: {} block {} (gold {gold}, score {:.3}): {:?}",
                path.file_name().unwrap().to_string_lossy(),
                if kept { "kept" } else { "dropped" },
                block.block.tag,
                block.score,
                block.block.text.chars().take(90).collect::<String>()
            ));
        }
    }
    problems
}

fn seed_pages() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("training-data/teasers");
    let mut pages: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    pages.sort();
    assert!(pages.len() >= 36, "at least 12 articles in 3 markups");
    assert_eq!(
        pages.len(),
        3 * articles(&pages).len(),
        "every article in exactly the three markups"
    );
    pages
}

const MARKUPS: [&str; 3] = ["readable", "hashed", "plain"];

/// The article slugs: `SLUG-readable.html` and its siblings.
fn articles(pages: &[PathBuf]) -> Vec<PathBuf> {
    pages
        .iter()
        .filter_map(|p| {
            let name = p.file_name()?.to_str()?;
            let slug = name.strip_suffix("-readable.html")?;
            Some(p.with_file_name(slug))
        })
        .collect()
}

/// The labelled blocks of a page as sorted (text, label) pairs.
fn labelled_blocks(extractor: &Extractor, path: &Path) -> Vec<(String, String)> {
    let mut blocks: Vec<_> = extract(extractor, path)
        .blocks
        .iter()
        .map(|b| {
            let label = b.block.label.unwrap_or_else(|| {
                panic!("{}: unlabelled block {:?}", path.display(), b.block.text)
            });
            (b.block.text.clone(), label.to_string())
        })
        .collect();
    blocks.sort();
    blocks
}

/// The three markups only move the markup: if their text or labels drifted apart, the test
/// below would no longer be checking one article three ways.
#[test]
fn every_article_has_the_same_labelled_text_in_its_three_markups() {
    let extractor = Extractor::with_default_model().unwrap();
    let pages = seed_pages();
    for article in articles(&pages) {
        let [readable, hashed, plain] = MARKUPS.map(|markup| {
            let name = format!("{}-{markup}.html", article.display());
            labelled_blocks(&extractor, Path::new(&name))
        });
        assert!(
            readable.len() >= 40,
            "{}: {} blocks",
            article.display(),
            readable.len()
        );
        assert_eq!(
            readable,
            hashed,
            "{}: readable vs hashed",
            article.display()
        );
        assert_eq!(readable, plain, "{}: readable vs plain", article.display());
    }
}

fn all_problems() -> Vec<String> {
    let extractor = Extractor::with_default_model().unwrap();
    seed_pages()
        .iter()
        .flat_map(|p| check_page(&extractor, p))
        .collect()
}

/// With the shipped model (which was trained on these pages): every teaser dropped, and at
/// most 0.5% of the labelled blocks misjudged. The bar was every block right until the model
/// learnt the modern web (WCXB, issue 14): fitting it costs a handful of borderline blocks here
/// (picture credits, a video-player notice), which the issue allows. How the model does on an
/// article it has not seen is measured apart, by `bench/seed-style-holdout.sh` (README, "How
/// good").
#[test]
fn seed_style_pages_keep_the_article_and_drop_teasers_in_every_markup() {
    let extractor = Extractor::with_default_model().unwrap();
    let labelled: usize = seed_pages()
        .iter()
        .map(|p| {
            extract(&extractor, p)
                .blocks
                .iter()
                .filter(|b| b.block.label.is_some())
                .count()
        })
        .sum();
    assert!(labelled > 1000, "{labelled} labelled blocks");
    let problems = all_problems();
    let teasers_kept: Vec<&String> = problems
        .iter()
        .filter(|p| p.contains(": kept ") && p.contains("(gold teaser,"))
        .collect();
    assert!(
        teasers_kept.is_empty(),
        "teasers kept:\n{}",
        teasers_kept
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(
        problems.len() * 200 <= labelled,
        "{} of {labelled} blocks misjudged (more than 0.5%):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn dropped_teasers_say_what_they_are_and_why() {
    let extractor = Extractor::with_default_model().unwrap().explain(true);
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("training-data/teasers/diplomacy-trade-call-plain.html");
    let extraction = extract(&extractor, &path);
    let teasers: Vec<_> = extraction
        .blocks
        .iter()
        .filter(|b| b.block.label == Some(Label::Teaser))
        .collect();
    assert!(!teasers.is_empty());
    let named_teaser = teasers.iter().filter(|b| b.label == Label::Teaser).count();
    assert!(
        named_teaser * 10 >= teasers.len() * 8,
        "{named_teaser} of {} teasers named as teasers",
        teasers.len()
    );
    assert!(teasers
        .iter()
        .all(|b| b.label == Label::Content || !b.reasons.is_empty()));
}
