//! `gleaner explain` and `gleaner batch --explain-dir`: the HTML reports as files, run on
//! realistic pages written for these tests (the browser tests in tests/browser open them).

mod common;

use common::*;

/// The news page with hostile markup in its text, a class name and its title: the page's
/// own `<script>` elements, entity-escaped script in a paragraph, and attribute breakouts.
fn hostile_page() -> String {
    news_page()
        .replace(
            "<meta property=\"og:title\" content=\"",
            "<meta property=\"og:title\" content=\"&lt;script&gt;alert('title')&lt;/script&gt; ",
        )
        // The title is the headline when it agrees with og:title: hostile in both.
        .replacen(
            "<h1 class=\"article__headline\">",
            "<h1 class=\"article__headline\">&lt;script&gt;alert('title')&lt;/script&gt; ",
            1,
        )
        .replace(
            "<footer",
            "<p class=\"evil&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">Readers asked: \
             &lt;script&gt;alert(\"text\")&lt;/script&gt; &lt;img src=x onerror=alert(2)&gt; \
             and the plant's engineers answered every question at the public meeting.</p>\n<footer",
        )
}

/// Text as the report writes it (HTML-escaped).
fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn blocks_of(report: &str) -> Vec<&str> {
    report
        .split("<li class=\"block ")
        .skip(1)
        .map(|b| b.split("</li>\n").next().unwrap())
        .collect()
}

#[test]
fn the_report_shows_every_block_with_its_label_score_and_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("millbrook.html");
    let out = dir.path().join("report.html");
    write(&page, news_page());
    let printed = run_ok(
        &[
            "explain",
            page.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(printed, "", "with -o nothing goes to standard output");
    let report = std::fs::read_to_string(&out).unwrap();

    assert!(report.starts_with("<!doctype html>"));
    assert!(report.contains(&format!("<h1>{TITLE}</h1>")));
    assert!(report.contains("data-fact=\"page-type\">page type <b>article</b>"));
    assert!(report.contains("data-fact=\"confidence\">confidence <b>0."));

    let blocks = blocks_of(&report);
    let kept: Vec<&&str> = blocks
        .iter()
        .filter(|b| b.contains("data-kept=\"true\""))
        .collect();
    for paragraph in ARTICLE_PARAGRAPHS.map(escaped) {
        assert!(
            kept.iter().any(|b| b.contains(&paragraph)),
            "article paragraph not in a kept block: {paragraph}"
        );
        assert!(
            report.contains(&format!("</a> {paragraph}</p>")),
            "not in the extracted text"
        );
    }
    let footer = blocks
        .iter()
        .find(|b| b.contains(&escaped(FOOTER_LINE)))
        .unwrap();
    assert!(footer.starts_with("l-boilerplate dropped\""), "{footer}");
    assert!(footer.contains("<span class=\"badge\">boilerplate</span>"));
    assert!(footer.contains("Dropped: final score 0."));
    assert!(footer.contains("<h3>Towards dropping</h3><ul class=\"reasons down\">"));
    for block in &blocks {
        assert!(block.contains("<span class=\"bar\" style=\"width:"));
        assert!(block.contains("<p class=\"verdict\">"));
    }
    // Reasons are words, not column names.
    assert!(!report.contains("</span>text.") && !report.contains("</span>near_class."));
}

#[test]
fn the_report_has_filters_for_kept_dropped_and_each_label_present() {
    let report = run_ok(&["explain", "-"], Some(news_page().as_bytes()));
    let blocks = blocks_of(&report);
    let count = |attr: &str| blocks.iter().filter(|b| b.contains(attr)).count();
    let (kept, dropped) = (count("data-kept=\"true\""), count("data-kept=\"false\""));
    assert_eq!(kept + dropped, blocks.len());
    assert!(report.contains(&format!(
        "data-filter=\"all\" aria-pressed=\"true\">all <span class=\"n\">{}</span>",
        blocks.len()
    )));
    assert!(report.contains(&format!(
        "data-filter=\"kept\" aria-pressed=\"false\">kept <span class=\"n\">{kept}</span>"
    )));
    assert!(report.contains(&format!(
        "data-filter=\"dropped\" aria-pressed=\"false\">dropped <span class=\"n\">{dropped}</span>"
    )));
    for label in [
        "content",
        "boilerplate",
        "teaser",
        "promo",
        "comment",
        "noise",
    ] {
        let n = count(&format!("data-label=\"{label}\""));
        let button = format!("data-filter=\"label:{label}\"");
        assert_eq!(report.contains(&button), n > 0, "{label}: {n} blocks");
    }
    assert!(
        report.contains("@media (min-width: 900px)"),
        "no wide layout"
    );
}

#[test]
fn page_text_and_attributes_are_escaped_and_nothing_is_loaded() {
    let report = run_ok(&["explain", "-"], Some(hostile_page().as_bytes()));
    // The report's own script, and no other.
    assert_eq!(report.matches("<script").count(), 1, "{report}");
    assert!(report.contains("<script nonce=\""));
    assert!(report.contains("script-src 'nonce-"));
    assert!(report.contains("default-src 'none'"));
    assert!(!report.contains("<img"));
    assert_eq!(
        report.matches("onerror").count(),
        report.matches("&lt;img src=x onerror=alert(2)&gt;").count()
    );
    assert!(report.contains("&lt;script&gt;alert(&quot;text&quot;)&lt;/script&gt;"));
    assert!(report.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(report.contains("<h1>&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;"));
    // The page's stylesheet, scripts and links are not carried over.
    assert!(!report.contains("/assets/main.css") && !report.contains("href=\"/"));
    assert!(!report.contains("src=\""));
}

#[test]
fn explain_needs_a_destination_and_a_readable_page() {
    let missing = run(
        &["explain", "/nonexistent/page.html", "-o", "/tmp/x.html"],
        None,
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read"));
    let empty = run(&["explain", "-"], Some(b""));
    assert_eq!(empty.status.code(), Some(1));
}

#[test]
fn batch_explain_dir_writes_reports_and_an_index_and_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    let pages = dir.path().join("pages");
    write(&pages.join("a-news.html"), news_page());
    write(&pages.join("b-blog.html"), blog_page("allotments"));
    write(&pages.join("c-empty.html"), "");
    let pages = pages.to_str().unwrap();
    let plain = dir.path().join("plain.jsonl");
    let explained = dir.path().join("explained.jsonl");
    let reports = dir.path().join("reports");
    run_ok(&["batch", pages, "-o", plain.to_str().unwrap()], None);
    run_ok(
        &[
            "batch",
            pages,
            "-o",
            explained.to_str().unwrap(),
            "--explain-dir",
            reports.to_str().unwrap(),
            "--jobs",
            "2",
        ],
        None,
    );
    assert_eq!(
        std::fs::read(&plain).unwrap(),
        std::fs::read(&explained).unwrap(),
        "--explain-dir changed the records"
    );

    let mut files: Vec<String> = std::fs::read_dir(&reports)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["000001-a-news.html", "000002-b-blog.html", "index.html"]
    );

    let index = std::fs::read_to_string(reports.join("index.html")).unwrap();
    let records = read_jsonl(&plain);
    let rows: Vec<&str> = index.split("<tr>").skip(2).collect();
    assert_eq!(rows.len(), 3);
    for (row, record) in rows.iter().zip(&records) {
        let path = record["path"].as_str().unwrap();
        assert!(row.contains(&format!(">{path}<")), "{row}");
    }
    // The news page's row: its report, title, type, counts and confidence.
    let news = std::fs::read_to_string(reports.join("000001-a-news.html")).unwrap();
    let news_blocks = blocks_of(&news);
    let kept = news_blocks
        .iter()
        .filter(|b| b.contains("data-kept=\"true\""))
        .count();
    let words = records[0]["text"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .count();
    assert!(rows[0].contains("<a href=\"000001-a-news.html\">"));
    assert!(rows[0].contains(&format!("data-v=\"{TITLE}\"")));
    assert!(rows[0].contains(">article<"));
    assert!(rows[0].contains(&format!("data-v=\"{kept}\">{kept}</td>")));
    let dropped = news_blocks.len() - kept;
    assert!(rows[0].contains(&format!("data-v=\"{dropped}\">{dropped}</td>")));
    assert!(rows[0].contains(&format!("data-v=\"{words}\">{words}</td>")));
    let confidence = records[0]["confidence"].as_f64().unwrap();
    assert!(rows[0].contains(&format!(">{confidence:.2}</td>")));
    // The empty page has a row with its error and no report.
    assert!(rows[2].contains("error: ") && !rows[2].contains("<a href"));
    // Sortable: every header is a button, numbers sort as numbers.
    assert_eq!(index.matches("<th scope=\"col\" data-type=").count(), 7);
    assert!(
        index.contains("data-type=\"num\" aria-sort=\"none\"><button type=\"button\">words kept")
    );
}
