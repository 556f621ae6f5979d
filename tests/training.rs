//! Training from the library: the same stages as extraction, labels from hand-labelled pages.

use gleaner::dataset::Dataset;
use gleaner::train::{self, Algorithm, LogisticParams};
use gleaner::{Extractor, Label};

fn page(i: usize, with_kinds: bool) -> String {
    let chrome = if with_kinds { "boilerplate" } else { "noise" };
    let teaser = if with_kinds { "teaser" } else { "noise" };
    format!(
        r#"<!doctype html><html lang=en><head><title>Story {i}</title></head>
        <body data-gleaner-label="{chrome}">
        <nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a> <a href="/culture">Culture</a></nav>
        <article data-gleaner-label="content"><h1>Town {i} opens its new library</h1>
        <p>The new library in town number {i} opened on Saturday morning, and hundreds of residents queued outside before the doors opened at nine.</p>
        <p>The building, which replaces a cramped reading room above the old post office, has space for forty thousand books and a children's floor.</p>
        <p data-gleaner-label="{teaser}"><a href="/news/other-{i}">You won't believe what this dog did at the beach</a></p>
        <p>Council officials said the project had come in under budget, which they credited to volunteers who helped move the collection.</p>
        <p>"It is a place for everyone," the head librarian said, adding that evening opening hours would follow in the spring.</p></article>
        <ul class="related" data-gleaner-label="{teaser}"><li><a href="/a{i}">Ten things to do this weekend</a></li><li><a href="/b{i}">Mayor visits the harbour</a></li></ul>
        <footer>© 2024 Town News. All rights reserved. <a href="/privacy">Privacy</a></footer></body></html>"#
    )
}

fn fit(with_kinds: bool) -> gleaner::Model {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..12 {
        std::fs::write(dir.path().join(format!("p{i}.html")), page(i, with_kinds)).unwrap();
    }
    let sets = Dataset::discover(dir.path()).unwrap();
    let (pages, failures) = train::load_pages(&sets, 5, 7);
    assert!(failures.is_empty());
    assert_eq!(pages.len(), 12);
    let refs: Vec<_> = pages.iter().collect();
    let algorithm = Algorithm::Logistic(LogisticParams {
        alpha: 0.1,
        max_iterations: 100,
    });
    train::fit_model(&refs, &algorithm, 7).unwrap()
}

#[test]
fn a_model_trained_on_plain_noise_labels_loads_and_drops_noise_as_noise() {
    let model = fit(false);
    assert!(model.kinds.is_none());
    let reloaded = gleaner::Model::from_json(model.to_json().as_bytes()).unwrap();
    let extraction = Extractor::new(reloaded).extract_html(&page(99, false));
    let text = extraction.text();
    assert!(
        text.contains("The new library in town number 99 opened"),
        "{text}"
    );
    assert!(!text.contains("All rights reserved"), "{text}");
    assert!(extraction
        .blocks
        .iter()
        .all(|b| matches!(b.label, Label::Content | Label::Noise)));
}

#[test]
fn a_model_trained_on_noise_kinds_names_the_kind_of_dropped_blocks() {
    let model = fit(true);
    let kinds = model.kinds.as_ref().expect("kind classifier fitted");
    assert!(kinds.kinds.contains(&Label::Teaser));
    let extraction = Extractor::new(model)
        .explain(true)
        .extract_html(&page(42, true));
    let related = extraction
        .blocks
        .iter()
        .find(|b| b.block.text == "Ten things to do this weekend")
        .unwrap();
    assert_eq!(related.label, Label::Teaser);
    assert!(!related.reasons.is_empty());
    let footer = extraction
        .blocks
        .iter()
        .find(|b| b.block.text.starts_with("©"))
        .unwrap();
    assert_eq!(footer.label, Label::Boilerplate);
}

#[test]
fn invalid_hyperparameters_are_refused_before_fitting() {
    let bad = Algorithm::Logistic(LogisticParams {
        alpha: -1.0,
        max_iterations: 10,
    });
    assert!(bad.validate().unwrap_err().to_string().contains("alpha"));
}

/// A WCXB-style record set: `ground-truth/ID.json` beside a gzipped `html/ID.html.gz`.
fn ground_truth_set(dir: &std::path::Path) {
    use std::io::Write;
    std::fs::create_dir_all(dir.join("ground-truth")).unwrap();
    std::fs::create_dir_all(dir.join("html")).unwrap();
    let listing = r#"<!doctype html><html lang=en><head><title>Trail shoes | Outdoor Shop</title></head><body>
        <nav><a href="/">Home</a> <a href="/men">Men</a> <a href="/women">Women</a></nav>
        <main><h1>Trail shoes</h1>
        <p>Shoes with deep lugs and rock plates for rough, muddy paths.</p>
        <ul class="cards"><li><a href="/p/1">Ridgeback GTX waterproof trail shoe</a></li>
        <li><a href="/p/2">Scree Runner lightweight trail shoe</a></li></ul></main>
        <footer>© 2025 Outdoor Shop · Privacy · Terms</footer></body></html>"#;
    let mut gz = flate2::write::GzEncoder::new(
        std::fs::File::create(dir.join("html/0001.html.gz")).unwrap(),
        flate2::Compression::fast(),
    );
    gz.write_all(listing.as_bytes()).unwrap();
    gz.finish().unwrap();
    let record = serde_json::json!({
        "url": "https://www.outdoor-shop.example/trail-shoes",
        "file_id": "0001",
        "_internal": {"page_type": {"primary": "category"}},
        "ground_truth": {
            "title": "Trail shoes",
            "main_content": "Shoes with deep lugs and rock plates for rough, muddy paths.\n\nRidgeback GTX waterproof trail shoe\n\nScree Runner lightweight trail shoe",
            "with": ["Scree Runner lightweight"],
            "without": ["Privacy"]
        }
    });
    std::fs::write(dir.join("ground-truth/0001.json"), record.to_string()).unwrap();
}

#[test]
fn ground_truth_records_are_read_with_url_type_and_card_labels() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("wcxb-mini");
    ground_truth_set(&root);
    let sets = Dataset::discover(&root).unwrap();
    assert_eq!(sets.len(), 1);
    assert_eq!(sets[0].form, gleaner::dataset::Form::GroundTruth);
    let page = &sets[0].pages[0];
    assert_eq!(page.id, "html/0001.html.gz");
    assert_eq!(page.host().as_deref(), Some("outdoor-shop.example"));
    assert_eq!(
        page.page_type,
        Some(gleaner::page_type::PageType::Collection)
    );
    let labelled = page.load().unwrap();
    let label_of = |text: &str| {
        let i = labelled
            .page
            .blocks
            .iter()
            .position(|b| b.text == text)
            .unwrap_or_else(|| panic!("no block {text:?}"));
        labelled.labels[i]
    };
    // Cards that are one link each are content here: the gold was written to the rule.
    assert_eq!(
        label_of("Ridgeback GTX waterproof trail shoe"),
        Some(Label::Content)
    );
    assert_eq!(label_of("Home Men Women"), Some(Label::Noise));
    // The headline is content by the rule, though this gold keeps it apart: unlabelled.
    assert_eq!(label_of("Trail shoes"), None);
}

#[test]
fn ground_truth_sets_are_scored_by_words_per_page_type() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("wcxb-mini");
    ground_truth_set(&root);
    let set = &Dataset::discover(&root).unwrap()[0];
    let output = "Shoes with deep lugs and rock plates for rough, muddy paths.\n\nRidgeback GTX waterproof trail shoe";
    let scores = gleaner::eval::score_dataset(set, |id| {
        (id == "html/0001.html.gz").then(|| gleaner::eval::Output {
            text: output.to_string(),
            error: false,
        })
    });
    assert_eq!(scores.metric, "words");
    assert_eq!(scores.precision, 1.0);
    // 16 of the gold's 21 words.
    assert!((scores.recall - 16.0 / 21.0).abs() < 1e-12, "{scores:?}");
    assert_eq!(scores.by_page_type.len(), 1);
    assert_eq!(scores.by_page_type[0].f1, scores.f1);
}
