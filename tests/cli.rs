//! End-to-end tests of the `gleaner` command line: the built binary run on realistic pages
//! written for these tests, in temporary directories.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn assert_article_only(text: &str) {
    for paragraph in ARTICLE_PARAGRAPHS {
        assert!(
            text.contains(paragraph),
            "article paragraph missing from the output:\n{paragraph}\n--- output ---\n{text}"
        );
    }
    for noise in [
        FOOTER_LINE,
        "All rights reserved",
        "Privacy Policy",
        COOKIE_TEXT,
    ] {
        assert!(!text.contains(noise), "noise {noise:?} kept:\n{text}");
    }
    for link in ["Obituaries", "Weather", "Politics"] {
        assert!(!text.contains(link), "nav link {link:?} kept:\n{text}");
    }
}

#[test]
fn extract_file_keeps_the_article_and_drops_the_chrome() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("millbrook.html");
    write(&page, news_page());
    let text = run_ok(&["extract", page.to_str().unwrap()], None);
    assert_article_only(&text);
    // Paragraphs are separated by blank lines, in page order.
    let first = text.find(ARTICLE_PARAGRAPHS[0]).unwrap();
    let last = text.find(ARTICLE_PARAGRAPHS[6]).unwrap();
    assert!(first < last);
    assert!(text.contains(&format!(
        "{}\n\n{}",
        ARTICLE_PARAGRAPHS[0], ARTICLE_PARAGRAPHS[1]
    )));
}

#[test]
fn extract_reads_standard_input_and_gzip() {
    let from_dash = run_ok(&["extract", "-"], Some(news_page().as_bytes()));
    assert_article_only(&from_dash);
    let from_default = run_ok(&["extract"], Some(news_page().as_bytes()));
    assert_eq!(from_dash, from_default);
    // A gzipped page on stdin is recognised by its content, not its name.
    let gz = run_ok(&["extract", "-"], Some(&gzip(news_page().as_bytes())));
    assert_eq!(from_dash, gz);
}

#[test]
fn extract_json_has_title_and_text_and_blocks_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("millbrook.html");
    write(&page, news_page());
    let path = page.to_str().unwrap();

    let out = run_ok(&["extract", path, "--format", "json"], None);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "one JSON object: {out}");
    let record = &lines[0];
    assert_eq!(record["title"], TITLE);
    let text = record["text"].as_str().expect("text is a string");
    assert_article_only(text);
    let plain = run_ok(&["extract", path], None);
    assert_eq!(text, plain.trim_end_matches('\n'));
    assert!(record.get("blocks").is_none(), "no blocks unless asked");

    let out = run_ok(&["extract", path, "--format", "json", "--blocks"], None);
    let record: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(record["text"].as_str().unwrap(), text);
    let blocks = record["blocks"].as_array().expect("blocks array");
    assert!(
        blocks.len() >= 15,
        "expected many blocks, got {}",
        blocks.len()
    );
    for block in blocks {
        let label = block["label"].as_str().expect("label");
        let score = block["score"].as_f64().expect("score");
        assert!((0.0..=1.0).contains(&score), "score {score} out of range");
        assert!(!label.is_empty());
    }
    let find = |needle: &str| {
        blocks
            .iter()
            .find(|b| b["text"].as_str().unwrap().contains(needle))
            .unwrap_or_else(|| panic!("no block holds {needle:?}"))
    };
    let paragraph = find(&ARTICLE_PARAGRAPHS[2][..60]);
    assert_eq!(paragraph["label"], "content");
    let footer = find("All rights reserved");
    assert_ne!(footer["label"], "content");
    assert!(paragraph["score"].as_f64().unwrap() > footer["score"].as_f64().unwrap());
    // The content blocks, joined, are exactly the text.
    let content: Vec<&str> = blocks
        .iter()
        .filter(|b| b["label"] == "content")
        .map(|b| b["text"].as_str().unwrap())
        .collect();
    assert_eq!(content.join("\n\n"), text);
}

#[test]
fn extract_of_a_missing_file_fails_with_its_name() {
    let out = run(&["extract", "/nonexistent/dir/page.html"], None);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("/nonexistent/dir/page.html"),
        "stderr: {stderr}"
    );
}

#[test]
fn blocks_prints_one_json_object_per_block() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("millbrook.html");
    write(&page, news_page());
    let out = run_ok(&["blocks", page.to_str().unwrap()], None);
    let blocks = json_lines(&out);
    assert!(blocks.len() >= 15, "got {} blocks", blocks.len());
    for (i, block) in blocks.iter().enumerate() {
        assert_eq!(block["index"], i);
        assert!(block["text"].as_str().is_some_and(|t| !t.is_empty()));
        assert!(block["score"].as_f64().is_some());
        assert!(block["label"].as_str().is_some());
        let features = block["features"].as_object().expect("features object");
        assert!(!features.is_empty(), "block {i} has no non-zero features");
        assert!(features.values().all(Value::is_number));
    }
    let paragraph = blocks
        .iter()
        .find(|b| b["text"] == ARTICLE_PARAGRAPHS[3])
        .expect("the fourth paragraph is one block");
    assert_eq!(paragraph["label"], "content");
    // Block texts in order cover the page: the headline comes before the footer.
    let position = |needle: &str| {
        blocks
            .iter()
            .position(|b| b["text"].as_str().unwrap().contains(needle))
            .unwrap()
    };
    assert!(position(TITLE) < position(ARTICLE_PARAGRAPHS[0]));
    assert!(position(ARTICLE_PARAGRAPHS[6]) < position("All rights reserved"));
    // Same labels as extract --blocks.
    let extract = run_ok(
        &[
            "extract",
            page.to_str().unwrap(),
            "--format",
            "json",
            "--blocks",
        ],
        None,
    );
    let extract: Value = serde_json::from_str(extract.trim()).unwrap();
    let labels: Vec<&Value> = blocks.iter().map(|b| &b["label"]).collect();
    let extract_labels: Vec<&Value> = extract["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| &b["label"])
        .collect();
    assert_eq!(labels, extract_labels);
}

/// A crawl directory: nested folders, all accepted page names, and files to be ignored.
fn crawl_dir(root: &Path) -> Vec<&'static str> {
    write(&root.join("b-news.html"), news_page());
    write(&root.join("a-blog.htm"), blog_page("Broad beans"));
    write(
        &root.join("zz/deep/er/c-carrots.html.gz"),
        gzip(blog_page("Carrots").as_bytes()),
    );
    write(&root.join("zz/d-onions.HTML"), blog_page("Onions"));
    write(
        &root.join("m/e-leeks.htm.gz"),
        gzip(blog_page("Leeks").as_bytes()),
    );
    // Not pages: ignored inside directories.
    write(&root.join("notes.txt"), "a text file with <p>markup</p>");
    write(&root.join("style.css"), "body { color: red }");
    write(
        &root.join("zz/image.png"),
        [0x89, b'P', b'N', b'G', 0, 0, 0],
    );
    write(&root.join("m/archive.html.bak"), news_page());
    write(&root.join("m/page.html.zip"), [0x50, 0x4b, 3, 4]);
    // Depth-first, each directory's entries sorted by name, files before subdirectories.
    vec![
        "a-blog.htm",
        "b-news.html",
        "m/e-leeks.htm.gz",
        "zz/d-onions.HTML",
        "zz/deep/er/c-carrots.html.gz",
    ]
}

fn relative_paths(records: &[Value], root: &Path) -> Vec<String> {
    records
        .iter()
        .map(|r| {
            let path = r["path"].as_str().expect("path");
            Path::new(path)
                .strip_prefix(root)
                .unwrap_or_else(|_| panic!("{path} is not under {}", root.display()))
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

#[test]
fn batch_walks_directories_recursively_in_a_fixed_order() {
    let dir = tempfile::tempdir().unwrap();
    let crawl = dir.path().join("crawl");
    let expected = crawl_dir(&crawl);
    let out = dir.path().join("out.jsonl");
    let err = run(
        &[
            "batch",
            crawl.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--jobs",
            "2",
        ],
        None,
    );
    assert!(
        err.status.success(),
        "{}",
        String::from_utf8_lossy(&err.stderr)
    );
    let records = read_jsonl(&out);
    let mut found = relative_paths(&records, &crawl);
    let expected_lower: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
    // Case of the extension does not matter; the order is that of the walk.
    assert_eq!(found, expected_lower, "records: {records:#?}");
    for record in &records {
        assert!(record.get("error").is_none(), "unexpected error: {record}");
        assert!(!record["text"].as_str().unwrap().is_empty(), "{record}");
    }
    let by_name = |name: &str| {
        records
            .iter()
            .find(|r| r["path"].as_str().unwrap().ends_with(name))
            .unwrap()
    };
    assert_article_only(by_name("b-news.html")["text"].as_str().unwrap());
    assert!(by_name("c-carrots.html.gz")["text"]
        .as_str()
        .unwrap()
        .contains("The first sowing of Carrots went in"));
    assert_eq!(by_name("a-blog.htm")["title"], "Broad beans");

    // Same records with one thread, and when run again.
    let out1 = dir.path().join("out1.jsonl");
    run_ok(
        &[
            "batch",
            crawl.to_str().unwrap(),
            "-o",
            out1.to_str().unwrap(),
            "-j",
            "1",
        ],
        None,
    );
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        std::fs::read_to_string(&out1).unwrap()
    );
    found.sort();
    assert_eq!(found.len(), 5);
}

#[test]
fn batch_keeps_paths_as_given_and_explicit_files_in_argument_order() {
    let dir = tempfile::tempdir().unwrap();
    let crawl = dir.path().join("crawl");
    crawl_dir(&crawl);
    // Explicit files are taken whatever their name, in the order given, before/after dirs.
    let stdout = gleaner()
        .current_dir(dir.path())
        .args([
            "batch",
            "crawl/zz/d-onions.HTML",
            "crawl/m",
            "crawl/b-news.html",
            "--output",
            "-",
        ])
        .output()
        .unwrap();
    assert!(stdout.status.success());
    let records = json_lines(&String::from_utf8(stdout.stdout).unwrap());
    let paths: Vec<&str> = records
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "crawl/zz/d-onions.HTML",
            "crawl/m/e-leeks.htm.gz",
            "crawl/b-news.html"
        ]
    );
}

fn write_eval_sets(root: &Path) {
    // Snippet set: evaldata.json + html/.
    let snippets = root.join("snippets");
    let evaldata = serde_json::json!({
        "https://example.org/a": {"file": "a.html", "with": ["alpha beta", "gamma delta"], "without": ["Impressum"]},
        "https://example.org/b": {"file": "b.html", "with": ["epsilon"], "without": ["Cookies", "Newsletter"]},
        "https://example.org/c": {"file": "c.html", "with": ["zeta", "eta"], "without": ["Login"]},
        "https://example.org/d": {"file": "d.html", "with": ["theta"], "without": []},
        // No such file: not part of the set.
        "https://example.org/e": {"file": "e.html", "with": ["iota"], "without": []},
    });
    write(&snippets.join("evaldata.json"), evaldata.to_string());
    for name in ["a", "b", "c", "d"] {
        write(
            &snippets.join("html").join(format!("{name}.html")),
            blog_page(name),
        );
    }
    // Gold-text set: NAME/source.html + NAME/expected.html.
    let gold = root.join("gold");
    write(&gold.join("p1/source.html"), news_page());
    write(
        &gold.join("p1/expected.html"),
        "<html><body><p>river bank flood wall storm night</p></body></html>",
    );
    write(&gold.join("p2/source.html"), blog_page("Peas"));
    write(
        &gold.join("p2/expected.html"),
        "<html><body><p>apple banana cherry damson elder</p></body></html>",
    );
}

#[test]
fn eval_scores_predictions_with_the_documented_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_eval_sets(&data);
    let predictions = dir.path().join("predictions.jsonl");
    let line = |path: String, text: &str, error: bool| {
        let mut v = serde_json::json!({"path": path, "title": "", "text": text});
        if error {
            v["error"] = "decode failed".into();
        }
        v.to_string()
    };
    let abs = |rel: &str| data.join(rel).display().to_string();
    let lines = [
        // Snippets. a: TP "alpha beta", FN "gamma delta", FP "Impressum" (whitespace-insensitive).
        line(
            abs("snippets/html/a.html"),
            "x alpha\n  beta y Impressum",
            false,
        ),
        // b: TP "epsilon", FP "Cookies", TN "Newsletter".
        line(abs("snippets/html/b.html"), "epsilon Cookies", false),
        // c: no record at all: FN, FN, TN, counted as missing.
        // d: an error record with empty text: FN; counted as an error.
        line("elsewhere/snippets/html/d.html".into(), "", true),
        // Gold. p1: gold has 3 shingles; output shares 2 and adds none: P 1, R 2/3.
        line(
            abs("gold/p1/source.html"),
            "river bank flood wall storm",
            false,
        ),
        // p2: gold "apple banana cherry damson elder" (2 shingles); the output has 5 shingles,
        // 1 of them shared: P 1/5, R 1/2.
        line(
            "gold/p2/source.html".into(),
            "fig grape kiwi lime apple banana cherry damson",
            false,
        ),
        // A record for no page of the sets is ignored.
        line(
            abs("snippets/html/zzz.html"),
            "alpha beta gamma delta",
            false,
        ),
    ];
    write(&predictions, lines.join("\n") + "\n");

    let out = run_ok(
        &[
            "eval",
            "--data",
            data.to_str().unwrap(),
            "--predictions",
            predictions.to_str().unwrap(),
            "--json",
        ],
        None,
    );
    let scores = json_lines(&out);
    assert_eq!(scores.len(), 2, "one line per set: {out}");
    let set = |name: &str| {
        scores
            .iter()
            .find(|s| s["dataset"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("no scores for {name}: {out}"))
    };
    let close = |v: &Value, expected: f64, what: &str| {
        let got = v
            .as_f64()
            .unwrap_or_else(|| panic!("{what} is not a number: {v}"));
        assert!(
            (got - expected).abs() < 1e-9,
            "{what}: got {got}, expected {expected}"
        );
    };

    // Snippets over all pages: TP 2 (a, b), FN 4 (a, c, c, d), FP 2 (a, b), TN 2 (b, c).
    let s = set("snippets");
    assert_eq!(s["metric"], "snippets");
    assert_eq!(s["pages"], 4);
    assert_eq!(s["missing"], 1);
    assert_eq!(s["errors"], 1);
    close(&s["precision"], 2.0 / 4.0, "snippet precision");
    close(&s["recall"], 2.0 / 6.0, "snippet recall");
    close(&s["f1"], 0.4, "snippet F1");
    close(&s["accuracy"], 4.0 / 10.0, "snippet accuracy");

    // Gold text: P = (1 + 1/5) / 2 = 0.6, R = (2/3 + 1/2) / 2 = 7/12, F1 of those = 42/71.
    let g = set("gold");
    assert_eq!(g["metric"], "shingles");
    assert_eq!(g["pages"], 2);
    assert_eq!(g["missing"], 0);
    assert_eq!(g["errors"], 0);
    close(&g["precision"], 0.6, "gold precision");
    close(&g["recall"], 7.0 / 12.0, "gold recall");
    close(&g["f1"], 42.0 / 71.0, "gold F1");
    assert!(g.get("accuracy").is_none());

    // --fail-below gates on F1: 0.4 and 0.59 pass 0.39 and fail 0.5.
    let args = |floor: &str| {
        vec![
            "eval".to_string(),
            "--data".into(),
            data.display().to_string(),
            "--predictions".into(),
            predictions.display().to_string(),
            "--fail-below".into(),
            floor.into(),
        ]
    };
    let pass = gleaner().args(args("0.39")).output().unwrap();
    assert!(pass.status.success());
    let human = String::from_utf8(pass.stdout).unwrap();
    assert!(
        human.contains("P 0.5000") && human.contains("R 0.3333"),
        "{human}"
    );
    let fail = gleaner().args(args("0.5")).output().unwrap();
    assert!(!fail.status.success());
    assert!(String::from_utf8_lossy(&fail.stderr).contains("below the floor"));
}

#[test]
fn eval_without_predictions_runs_gleaner_itself() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold");
    write(&gold.join("news/source.html"), news_page());
    let expected: String = ARTICLE_PARAGRAPHS
        .iter()
        .map(|p| format!("<p>{p}</p>"))
        .collect();
    write(
        &gold.join("news/expected.html"),
        format!("<html><body><h1>{TITLE}</h1>{expected}</body></html>"),
    );
    let out = run_ok(&["eval", "--data", gold.to_str().unwrap(), "--json"], None);
    let scores = json_lines(&out);
    assert_eq!(scores.len(), 1);
    // The clear-cut article is kept almost whole and the chrome dropped.
    assert!(scores[0]["recall"].as_f64().unwrap() > 0.9, "{out}");
    assert!(scores[0]["precision"].as_f64().unwrap() > 0.8, "{out}");
}

#[test]
fn eval_rejects_a_malformed_predictions_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    write_eval_sets(&data);
    let predictions = dir.path().join("p.jsonl");
    write(
        &predictions,
        "{\"path\": \"a\", \"text\": \"x\"}\nnot json\n",
    );
    let out = run(
        &[
            "eval",
            "--data",
            data.to_str().unwrap(),
            "--predictions",
            predictions.to_str().unwrap(),
        ],
        None,
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("p.jsonl:2"), "stderr: {stderr}");
}

/// A few of the repository's own labelled pages: small enough to train on in a debug build.
fn training_subset(dest: &Path) {
    let pages = Path::new(env!("CARGO_MANIFEST_DIR")).join("training-data/pages");
    let mut names: Vec<_> = std::fs::read_dir(&pages)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".html"))
        .collect();
    names.sort();
    let picks: Vec<&String> = [
        "news-en", "blog-en", "listing", "forum", "docs-en", "recipe",
    ]
    .iter()
    .filter_map(|kind| names.iter().find(|n| n.starts_with(kind)))
    .collect();
    assert!(
        picks.len() >= 5,
        "training-data/pages lacks the expected kinds: {names:?}"
    );
    for name in picks {
        std::fs::copy(pages.join(name), dest.join(name)).unwrap();
    }
}

fn check_trained_model(stdout: &str, model: &Path) {
    assert!(stdout.contains("3-fold cross-validation"), "{stdout}");
    let row = stdout
        .lines()
        .find(|l| l.starts_with("logistic"))
        .unwrap_or_else(|| panic!("no CV row for logistic:\n{stdout}"));
    let numbers: Vec<f64> = row
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    assert!(numbers.len() >= 6, "{row}");
    for v in &numbers[..6] {
        assert!((0.0..=1.0).contains(v), "{row}");
    }
    assert!(stdout.contains("chosen: logistic"), "{stdout}");

    let json: Value = serde_json::from_slice(&std::fs::read(model).unwrap()).unwrap();
    assert_eq!(json["format"], "gleaner-block-model");
    assert!(json["provenance"].as_str().unwrap().contains("logistic"));
    // The class tokens its training pages share, which its features were computed with.
    assert!(json["class_vocabulary"]["hashes"].is_array(), "{json}");

    // The new model loads and extracts the clear-cut article.
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("p.html");
    write(&page, news_page());
    let text = run_ok(
        &[
            "extract",
            "--model",
            model.to_str().unwrap(),
            page.to_str().unwrap(),
        ],
        None,
    );
    assert!(text.contains(ARTICLE_PARAGRAPHS[1]), "{text}");
    assert!(!text.contains("All rights reserved"), "{text}");
}

/// `gleaner train` with logistic regression and 3 folds; returns its stdout.
fn train_logistic(data: &Path, model: &Path) -> String {
    run_ok(
        &[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--out",
            model.to_str().unwrap(),
            "--algorithm",
            "logistic",
            "--folds",
            "3",
        ],
        None,
    )
}

#[test]
fn train_on_a_few_labelled_pages_writes_a_usable_model() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    training_subset(&data);
    let model = dir.path().join("m.json");
    let stdout = train_logistic(&data, &model);
    check_trained_model(&stdout, &model);
}

#[test]
fn train_on_two_pages_warns_that_the_model_reads_no_class_names() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let teasers = Path::new(env!("CARGO_MANIFEST_DIR")).join("training-data/teasers");
    for name in [
        "diplomacy-trade-call-readable.html",
        "council-bins-u-turn-hashed.html",
    ] {
        std::fs::copy(teasers.join(name), data.join(name)).unwrap();
    }
    let model = dir.path().join("m.json");
    let out = run(
        &[
            "train",
            "--data",
            data.to_str().unwrap(),
            "--out",
            model.to_str().unwrap(),
            "--algorithm",
            "logistic",
            "--no-cv",
        ],
        None,
    );
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("reads no class names"), "{stderr}");
    assert!(stderr.contains("class vocabulary: 0 tokens"), "{stderr}");
}

#[test]
#[ignore = "trains on all of training-data/: several minutes in a debug build; run with \
            `cargo test --release -- --ignored`"]
fn train_on_the_repository_training_data() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("training-data");
    let stdout = train_logistic(&data, &model);
    check_trained_model(&stdout, &model);
    // On the full set the cross-validated F1 is well above chance.
    let row = stdout.lines().find(|l| l.starts_with("logistic")).unwrap();
    let f1: f64 = row.split_whitespace().nth(6).unwrap().parse().unwrap();
    assert!(f1 > 0.7, "{row}");
}

#[test]
fn train_rejects_an_unknown_algorithm_and_missing_data() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.json");
    let r = run(
        &[
            "train",
            "--data",
            dir.path().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--algorithm",
            "perceptron",
        ],
        None,
    );
    assert!(!r.status.success());
    assert!(String::from_utf8_lossy(&r.stderr).contains("perceptron"));
    let r = run(
        &[
            "train",
            "--data",
            dir.path().to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--algorithm",
            "logistic",
        ],
        None,
    );
    assert!(!r.status.success());
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("no labelled pages"),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(!out.exists());
}

#[test]
fn a_model_for_another_schema_version_is_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("future.json");
    write(
        &model,
        r#"{"format":"gleaner-block-model","schema_version":999,"feature_names":[],"algorithm":"logistic_regression"}"#,
    );
    let page = dir.path().join("p.html");
    write(&page, news_page());
    for args in [
        vec![
            "extract",
            "--model",
            model.to_str().unwrap(),
            page.to_str().unwrap(),
        ],
        vec![
            "batch",
            "--model",
            model.to_str().unwrap(),
            page.to_str().unwrap(),
            "-o",
            "-",
        ],
    ] {
        let out = run(&args, None);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?} wrote output");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("schema v999"), "{stderr}");
        assert!(stderr.contains("retrain"), "{stderr}");
        assert!(stderr.contains("future.json"), "{stderr}");
    }

    // Not a model at all, and not JSON at all.
    write(&model, r#"{"format":"something-else","schema_version":1}"#);
    let out = run(
        &[
            "extract",
            "--model",
            model.to_str().unwrap(),
            page.to_str().unwrap(),
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a gleaner block model"));
    write(&model, "<html>oops</html>");
    let out = run(
        &[
            "extract",
            "--model",
            model.to_str().unwrap(),
            page.to_str().unwrap(),
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid JSON"));
}

#[test]
fn reader_comments_are_dropped_by_default_and_kept_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("compost.html");
    write(&page, blog_with_comments_page());
    let path = page.to_str().unwrap();
    let text = run_ok(&["extract", path], None);
    for p in BLOG_POST_PARAGRAPHS {
        assert!(
            text.contains(p),
            "post paragraph missing:\n{p}\n--- output ---\n{text}"
        );
    }
    for c in READER_COMMENTS {
        assert!(
            !text.contains(c),
            "comment kept without --include-comments:\n{text}"
        );
    }
    let with_comments = run_ok(&["extract", path, "--include-comments"], None);
    for c in READER_COMMENTS {
        assert!(
            with_comments.contains(c),
            "comment missing:\n{c}\n---\n{with_comments}"
        );
    }
    assert!(with_comments.contains(BLOG_POST_PARAGRAPHS[0]));
    // The blocks say why: the comments are named as comments.
    let json: Value = serde_json::from_str(&run_ok(
        &["extract", path, "--format", "json", "--blocks"],
        None,
    ))
    .unwrap();
    let label_of = |text: &str| {
        json["blocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["text"] == text)
            .map(|b| b["label"].as_str().unwrap().to_string())
    };
    for c in READER_COMMENTS {
        assert_eq!(label_of(c).as_deref(), Some("comment"), "{c}");
    }
    // The batch takes the same option.
    let out = dir.path().join("out.jsonl");
    run_ok(
        &[
            "batch",
            path,
            "--output",
            out.to_str().unwrap(),
            "--include-comments",
        ],
        None,
    );
    let record = &read_jsonl(&out)[0];
    assert!(record["text"]
        .as_str()
        .unwrap()
        .contains(READER_COMMENTS[1]));
}

#[test]
fn a_comment_thread_longer_than_the_post_is_still_dropped() {
    let page = blog_with_long_thread_page();
    let text = run_ok(&["extract"], Some(page.as_bytes()));
    let words = |ps: &[&str]| -> usize { ps.iter().map(|p| p.split_whitespace().count()).sum() };
    let post_words = words(&BLOG_POST_PARAGRAPHS) + words(&MORE_POST_PARAGRAPHS);
    assert!(
        words(&READER_COMMENTS) * 10 > post_words,
        "the thread is most of the page"
    );
    for p in BLOG_POST_PARAGRAPHS.iter().chain(&MORE_POST_PARAGRAPHS) {
        assert!(
            text.contains(p),
            "post paragraph missing:\n{p}\n--- output ---\n{text}"
        );
    }
    for c in READER_COMMENTS {
        assert!(!text.contains(c), "comment kept:\n{text}");
    }
    let with_comments = run_ok(&["extract", "--include-comments"], Some(page.as_bytes()));
    assert!(with_comments.contains(READER_COMMENTS[2]));
}

#[test]
fn a_long_thread_of_signed_comments_is_dropped() {
    // Drupal-style: each comment is a flat element holding a signature line of a dozen words
    // and its text, straight under the thread's element, so the thread as a whole looks like
    // the page's biggest container of prose; the post is short (about 120 words).
    let post: String = BLOG_POST_PARAGRAPHS
        .iter()
        .map(|p| format!("<p>{p}</p>\n"))
        .collect();
    let thread = forty_comments(|i, c| {
        format!(
            r##"<div class="comment clearfix"><h3><a href="#comment-{i}">{title}</a></h3>
<div class="submitted">Submitted by reader{i} on Tue, 05/14/2024 - 10:{minute:02} in reply to the post.</div>
<div class="content"><p>{c}</p></div><ul class="links"><li><a href="/comment/reply/{i}">reply</a></li></ul></div>
"##,
            title = &c[..24],
            minute = i % 60,
        )
    });
    let page = plot_and_pot_page(&format!(
        r##"<div id="main"><div class="node"><h1>How a compost heap saved our garden</h1><div class="content">{post}</div></div>
<div id="comments"><h2>Comments</h2>{thread}</div></div>"##
    ));
    // Before the article container was the parent of the most prose, all 40 came out.
    assert_post_kept_and_forty_comments_dropped(&page);
}

/// The compost-heap post's page around `main` (the story and whatever follows it): the
/// blog's header and menu above, its footer below.
fn plot_and_pot_page(main: &str) -> String {
    format!(
        r##"<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>How a compost heap saved our garden | Plot and Pot</title></head><body>
<div id="header"><a href="/">Plot and Pot</a><ul class="menu"><li><a href="/garden">Garden</a></li><li><a href="/kitchen">Kitchen</a></li></ul></div>
{main}
<div id="footer">© Plot and Pot</div></body></html>"##
    )
}

/// Forty reader comments, the three of [`READER_COMMENTS`] in turn, each in `markup`.
fn forty_comments(markup: fn(usize, &str) -> String) -> String {
    READER_COMMENTS
        .iter()
        .cycle()
        .take(40)
        .enumerate()
        .map(|(i, c)| markup(i, c))
        .collect()
}

/// Extracting `page` keeps every paragraph of the blog post and none of its 40 reader
/// comments, which `--include-comments` brings back.
fn assert_post_kept_and_forty_comments_dropped(page: &str) {
    let text = run_ok(&["extract"], Some(page.as_bytes()));
    for p in BLOG_POST_PARAGRAPHS {
        assert!(
            text.contains(p),
            "post paragraph missing:\n{p}\n---\n{text}"
        );
    }
    let kept = |text: &str| -> usize {
        READER_COMMENTS
            .iter()
            .map(|c| text.matches(c).count())
            .sum()
    };
    assert_eq!(kept(&text), 0, "comments kept:\n{text}");
    let with_comments = run_ok(&["extract", "--include-comments"], Some(page.as_bytes()));
    assert_eq!(kept(&with_comments), 40, "{with_comments}");
}

#[test]
fn a_thread_whose_markup_names_no_comments_is_dropped_by_its_shape() {
    // Comment systems of the 2010s wrote their own markup (`echo-item`, `pluck-comm`…): no
    // `comment` in any class or id, only the shape of a thread — items that each hold a
    // signature line with a date beside the comment's text — tells it from the article.
    let post: String = BLOG_POST_PARAGRAPHS
        .iter()
        .map(|p| format!("<p>{p}</p>\n"))
        .collect();
    let markups: [fn(usize, &str) -> String; 2] = [
        |i, c| {
            format!(
                r##"<div class="echo-item"><div class="echo-item-authorName"><a href="/profile/{i}">reader{i}</a></div>
<div class="echo-item-date">{hours} hours ago</div><div class="echo-item-text">{c}</div>
<div class="echo-item-controls"><a href="#">Reply</a> <a href="#">Like</a></div></div>
"##,
                hours = i + 1
            )
        },
        |i, c| {
            format!(
                r##"<div class="pluck-single"><div class="pluck-head"><a href="/users/{i}">reader{i}</a> wrote:</div>
<p class="pluck-body">{c}</p><div class="pluck-meta">May {day}, 2024 at 10:{minute:02} am <a href="#">Report abuse</a></div></div>
"##,
                day = 1 + i % 28,
                minute = i % 60
            )
        },
    ];
    for markup in markups {
        let thread = forty_comments(markup);
        let page = plot_and_pot_page(&format!(
            r##"<div id="main"><div class="story"><h1>How a compost heap saved our garden</h1><p class="byline">By Ann Grower, May 1, 2024</p>{post}</div>
<div class="tools"><a href="#">Share</a> <a href="#">Print</a></div>
<h3>Reader reactions (40)</h3><div class="stream">{thread}</div></div>"##
        ));
        assert_post_kept_and_forty_comments_dropped(&page);
    }
}

#[test]
fn comments_in_the_storys_own_container_are_dropped_dated_or_only_signed() {
    // Older templates print the comments inside the story's own container, right after its
    // paragraphs, and some print no date: "reader7 says:" above the comment is the only sign.
    let post: String = BLOG_POST_PARAGRAPHS
        .iter()
        .chain(&MORE_POST_PARAGRAPHS)
        .map(|p| format!("<p>{p}</p>\n"))
        .collect();
    let markups: [fn(usize, &str) -> String; 2] = [
        |i, c| {
            format!("<div class=\"c-item\"><p class=\"c-head\">reader{i} &middot; March {day}, 2012 at 4:{minute:02} pm</p><p>{c}</p></div>\n", day = 1 + i % 28, minute = i % 60)
        },
        |i, c| {
            format!("<div class=\"response\"><strong>reader{i}</strong> says:<p>{c}</p></div>\n")
        },
    ];
    for markup in markups {
        let thread = forty_comments(markup);
        let page = plot_and_pot_page(&format!(
            r##"<div id="main"><h1>How a compost heap saved our garden</h1>{post}
<h3>40 Responses</h3>{thread}</div>"##
        ));
        assert_post_kept_and_forty_comments_dropped(&page);
    }
}

#[test]
fn related_stories_with_summaries_are_dropped_beside_or_inside_an_article() {
    // A related-story list: each item a linked title and a summary that reads like any
    // paragraph of the article. The titles alone the model drops; the summaries went with
    // the article until the list was seen as one.
    let related = [
        ("Allotment waiting lists grow as food prices rise", "Councils across the region report waiting lists of up to five years for a plot, with younger families now the largest group of applicants."),
        ("Why peat-free compost is harder to find this spring", "Garden centres say supply of peat-free mixes has not kept up with demand since the ban on retail peat sales was announced."),
        ("The slug pellets that are now banned, and what to use instead", "Metaldehyde pellets can no longer be sold or used outdoors; wool pellets, beer traps and nematodes are the gardeners' alternatives."),
        ("How to build a raised bed from reclaimed scaffold boards", "Scaffold boards are cheap, thick and long-lasting, and a bed two metres long takes an afternoon to build with basic tools."),
    ];
    let list: String = related
        .iter()
        .map(|(title, summary)| {
            let slug = title.to_lowercase().replace([',', '\''], "").replace(' ', "-");
            format!("<li><h4><a href=\"/garden/2024/05/{slug}/\">{title}</a></h4><p>{summary}</p></li>\n")
        })
        .collect();
    let box_ = format!("<div class=\"box\"><h3>More from Plot and Pot</h3><ul>{list}</ul></div>");
    let paragraphs: Vec<String> = BLOG_POST_PARAGRAPHS
        .iter()
        .chain(&MORE_POST_PARAGRAPHS)
        .map(|p| format!("<p>{p}</p>\n"))
        .collect();
    let (first, rest) = paragraphs.split_at(4);
    for story in [
        format!("{}{}</div>{box_}", first.concat(), rest.concat()),
        format!("{}{box_}{}</div>", first.concat(), rest.concat()),
    ] {
        let page = plot_and_pot_page(&format!(
            r##"<div class="story"><h1>How a compost heap saved our garden</h1>{story}"##
        ));
        let text = run_ok(&["extract"], Some(page.as_bytes()));
        for p in BLOG_POST_PARAGRAPHS.iter().chain(&MORE_POST_PARAGRAPHS) {
            assert!(
                text.contains(p),
                "post paragraph missing:\n{p}\n---\n{text}"
            );
        }
        for (title, summary) in related {
            assert!(!text.contains(title), "related title kept:\n{text}");
            assert!(!text.contains(summary), "related summary kept:\n{text}");
        }
    }
}

#[test]
fn a_thread_under_a_page_whose_body_names_comments_is_dropped() {
    // Themes put the page's state in the body's classes; that makes the whole page a
    // "comments" element, and the thread inside it must still be found.
    let page = blog_with_long_thread_page().replace(
        r#"<body class="post-template-default single single-post">"#,
        r#"<body class="post-template-default single single-post comments-open has-comments">"#,
    );
    assert!(page.contains("comments-open"));
    let text = run_ok(&["extract"], Some(page.as_bytes()));
    assert!(text.contains(MORE_POST_PARAGRAPHS[0]), "{text}");
    for c in READER_COMMENTS {
        assert!(!text.contains(c), "comment kept:\n{text}");
    }
}

#[test]
fn records_name_the_page_type() {
    let json: Value = serde_json::from_str(&run_ok(
        &["extract", "--format", "json"],
        Some(news_page().as_bytes()),
    ))
    .unwrap();
    assert_eq!(json["page_type"], "article", "{json}");
}

/// A small WCXB-style set: the repository's labelled pages as `html/NNNN.html` with their
/// content blocks as the gold main text.
fn ground_truth_subset(dest: &Path) {
    let pages = Path::new(env!("CARGO_MANIFEST_DIR")).join("training-data/pages");
    std::fs::create_dir_all(dest.join("html")).unwrap();
    std::fs::create_dir_all(dest.join("ground-truth")).unwrap();
    let names = [
        "news-en-02.html",
        "blog-en-03.html",
        "docs-en-02.html",
        "forum-en-02.html",
    ];
    for (i, name) in names.iter().enumerate() {
        let id = format!("{:04}", i + 1);
        let html = std::fs::read_to_string(pages.join(name)).unwrap();
        write(&dest.join(format!("html/{id}.html")), &html);
        let gold: Vec<String> = json_lines(&run_ok(
            &["blocks", pages.join(name).to_str().unwrap()],
            None,
        ))
        .into_iter()
        .filter(|b| b["gold_label"] == "content")
        .map(|b| b["text"].as_str().unwrap().to_string())
        .collect();
        let kind = if name.starts_with("forum") {
            "forum"
        } else {
            "article"
        };
        let record = serde_json::json!({
            "url": format!("https://site{i}.example/{name}"),
            "file_id": id,
            "_internal": {"page_type": {"primary": kind}},
            "ground_truth": {"title": null, "main_content": gold.join("\n\n"), "with": [], "without": []}
        });
        write(
            &dest.join(format!("ground-truth/{id}.json")),
            record.to_string(),
        );
    }
}

#[test]
fn train_leaves_a_set_out_and_scores_it_as_new_pages() {
    let dir = tempfile::tempdir().unwrap();
    let labelled = dir.path().join("labelled");
    std::fs::create_dir_all(&labelled).unwrap();
    training_subset(&labelled);
    let records = dir.path().join("mini-wcxb");
    ground_truth_subset(&records);
    let model = dir.path().join("m.json");
    let outputs = dir.path().join("held-out.jsonl");
    let stdout = run_ok(
        &[
            "train",
            "--data",
            labelled.to_str().unwrap(),
            records.to_str().unwrap(),
            "--holdout-set",
            "mini-wcxb",
            "--algorithm",
            "logistic",
            "--out",
            model.to_str().unwrap(),
            "--cv-predictions",
            outputs.to_str().unwrap(),
        ],
        None,
    );
    assert!(stdout.contains("left out of training"), "{stdout}");
    let line = stdout
        .lines()
        .find(|l| l.starts_with("mini-wcxb"))
        .unwrap_or_else(|| panic!("no score line for the held-out set:\n{stdout}"));
    assert!(
        line.contains("words metric") && line.contains("4 pages"),
        "{line}"
    );
    assert!(
        stdout.contains("article") && stdout.contains("forum"),
        "per type:\n{stdout}"
    );
    // The left-out pages' outputs, one record each, scored again by eval to the same figure.
    assert_eq!(read_jsonl(&outputs).len(), 4);
    let eval = run_ok(
        &[
            "eval",
            "--data",
            records.to_str().unwrap(),
            "--predictions",
            outputs.to_str().unwrap(),
        ],
        None,
    );
    let f1 = |l: &str| l.rsplit("F1 ").next().unwrap().trim().to_string();
    assert_eq!(f1(line), f1(eval.lines().next().unwrap()), "{eval}");
    // An unknown set name says which sets there are.
    let out = run(
        &[
            "train",
            "--data",
            records.to_str().unwrap(),
            "--holdout-set",
            "nope",
            "--out",
            model.to_str().unwrap(),
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("mini-wcxb"));
}

#[test]
fn version_names_the_shipped_models_schema_versions() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema = |file: &str, field: &str| {
        let json: Value =
            serde_json::from_slice(&std::fs::read(root.join("models").join(file)).unwrap())
                .unwrap();
        json[field]
            .as_u64()
            .unwrap_or_else(|| panic!("{file} has no {field}"))
    };
    let block = schema("gleaner-block.json", "schema_version");
    let clickbait = schema("clickbait.json", "feature_schema_version");
    let stdout = run_ok(&["--version"], None);
    assert_eq!(
        stdout.trim(),
        format!(
            "gleaner {} (block model schema {block}, clickbait model schema {clickbait})",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn json_records_carry_the_page_metadata_and_front_matter_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("millbrook.html");
    write(&page, news_page());
    let path = page.to_str().unwrap();

    let record = &json_lines(&run_ok(&["extract", path, "--format", "json"], None))[0];
    // The byline ("By Jane Doe · <time datetime=2024-02-13>") and <html lang>.
    assert_eq!(record["author"], serde_json::json!(["Jane Doe"]));
    assert_eq!(record["date_published"], "2024-02-13");
    assert_eq!(record["language"], "en");
    // The contract's fields are all still there.
    assert_eq!(record["title"], TITLE);
    assert!(record["text"]
        .as_str()
        .unwrap()
        .contains(ARTICLE_PARAGRAPHS[0]));
    assert!(record.get("page_type").is_some() && record.get("confidence").is_some());

    let plain = run_ok(&["extract", path], None);
    let with = run_ok(&["extract", path, "--with-metadata"], None);
    let front = format!(
        "---\ntitle: \"{TITLE}\"\nauthor:\n  - \"Jane Doe\"\ndate_published: \"2024-02-13\"\n"
    );
    assert!(with.starts_with(&front), "{with}");
    let (_, body) = with[4..].split_once("---\n").expect("front matter ends");
    assert_eq!(body, plain);

    let out = dir.path().join("out.jsonl");
    let out_path = out.to_str().unwrap();
    for (flag, front_matter) in [(None, false), (Some("--with-metadata"), true)] {
        let mut args = vec!["batch", path, "--output", out_path, "--no-progress"];
        args.extend(flag);
        run_ok(&args, None);
        let records = json_lines(&std::fs::read_to_string(&out).unwrap());
        assert_eq!(records[0]["author"], serde_json::json!(["Jane Doe"]));
        let text = records[0]["text"].as_str().unwrap();
        assert_eq!(text.starts_with("---\ntitle: "), front_matter, "{text}");
        assert!(text.ends_with(ARTICLE_PARAGRAPHS[6]));
    }
}
