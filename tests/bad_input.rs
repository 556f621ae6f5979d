//! Bad input: every broken page costs at most its own record, never the run, and never
//! changes what the good pages of the same batch come out as.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

const FRENCH_PARAGRAPHS: [&str; 3] = [
    "Le café de la place du marché a rouvert ses portes après six mois de travaux, et les \
     habitués étaient déjà nombreux à l'heure de l'ouverture, ravis de retrouver leur table.",
    "La nouvelle gérante, Hélène Dupré, a conservé le comptoir en zinc et les banquettes \
     d'origine, mais la cuisine a été entièrement refaite et la carte propose désormais des \
     plats végétariens préparés avec des légumes de la région.",
    "Les prix restent raisonnables : un crème coûte deux euros, et le menu du déjeuner, \
     entrée, plat et dessert, est à quatorze euros cinquante, boisson non comprise.",
];

/// A French article whose `<meta charset>` says UTF-8 while the bytes are windows-1252.
fn mislabelled_cp1252_page() -> Vec<u8> {
    let body: String = FRENCH_PARAGRAPHS
        .iter()
        .map(|p| format!("<p>{p}</p>\n"))
        .collect();
    let page = format!(
        "<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Le café rouvre</title></head>\
         <body><nav><a href=\"/\">Accueil</a> <a href=\"/sport\">Sport</a> <a href=\"/meteo\">Météo</a></nav>\
         <article><h1>Le café de la place rouvre ses portes</h1>\n{body}</article>\
         <footer><p>© 2024 La Gazette du Val. Tous droits réservés. Mentions légales</p></footer></body></html>"
    );
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&page);
    assert!(!unmappable);
    assert!(
        std::str::from_utf8(&bytes).is_err(),
        "must really be invalid UTF-8"
    );
    bytes.into_owned()
}

const JAPANESE_PARAGRAPHS: [&str; 3] = [
    "東京都は本日、都心部の渋滞を減らすための新しい交通計画を発表しました。計画では、路線バスの本数を増やし、自転車専用道路を大幅に延長することが盛り込まれています。",
    "都の担当者によりますと、新しい計画は来年の春から段階的に実施され、五年後には通勤時間帯の渋滞を三割ほど減らすことを目指しているということです。",
    "一方で、商店街の関係者からは、荷物の積み下ろしができる場所が少なくなるのではないかという懸念の声も上がっており、都は説明会を開いて意見を聞く方針です。",
];

/// A Japanese article in Shift-JIS with no charset declaration anywhere.
fn undeclared_shift_jis_page() -> Vec<u8> {
    let body: String = JAPANESE_PARAGRAPHS
        .iter()
        .map(|p| format!("<p>{p}</p>\n"))
        .collect();
    let page = format!(
        "<html><head><title>新しい交通計画</title></head><body>\
         <div class=\"menu\"><a href=\"/\">ホーム</a> <a href=\"/news\">ニュース</a> <a href=\"/sports\">スポーツ</a></div>\
         <div class=\"article\"><h1>東京都が新しい交通計画を発表</h1>\n{body}</div>\
         <div class=\"footer\">Copyright (C) 2024 Example News. All rights reserved.</div></body></html>"
    );
    let (bytes, _, unmappable) = encoding_rs::SHIFT_JIS.encode(&page);
    assert!(!unmappable);
    assert!(!bytes.windows(7).any(|w| w.eq_ignore_ascii_case(b"charset")));
    bytes.into_owned()
}

/// Deterministic junk: lots of NULs and control characters, some high bytes.
fn binary_garbage() -> Vec<u8> {
    let mut state: u32 = 0x2545_f491;
    (0..20_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            match state % 4 {
                0 => 0,
                1 => (state >> 8) as u8 % 32,
                _ => (state >> 16) as u8,
            }
        })
        .collect()
}

/// The news page with NUL bytes between tags and inside words.
fn page_with_nuls() -> Vec<u8> {
    let page = news_page();
    let mut out = Vec::new();
    for (i, line) in page.lines().enumerate() {
        out.extend_from_slice(line.replace("treatment", "treat\0ment").as_bytes());
        out.push(b'\n');
        if i % 3 == 0 {
            out.extend_from_slice(b"\0\0\0");
        }
    }
    out
}

const DEEP_PARAGRAPH: &str = "This paragraph sits at the bottom of thousands of nested div \
    elements, the kind of markup a broken template loop produces, and it should still be \
    found by the extractor without exhausting the stack.";

/// Nesting depth of the deep page in the regular suite. The parser (html5ever) takes time
/// quadratic in the depth (2.5 s at 4,000 and 10 s at 8,000 in a debug build), so the
/// 100,000-deep page runs in its own ignored test, [`hundred_thousand_nested_divs`].
const SUITE_DEPTH: usize = 3_000;

fn deeply_nested_page(depth: usize) -> Vec<u8> {
    let mut page = String::with_capacity(depth * 12 + 1000);
    page.push_str("<!doctype html><html><head><title>Deep</title></head><body>");
    for _ in 0..depth {
        page.push_str("<div>");
    }
    page.push_str("<p>");
    page.push_str(DEEP_PARAGRAPH);
    page.push_str("</p>");
    for _ in 0..depth {
        page.push_str("</div>");
    }
    page.push_str("</body></html>");
    page.into_bytes()
}

fn utf16le_without_bom(text: &str) -> Vec<u8> {
    text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

/// The news page as UTF-8 with a few bytes that are not UTF-8 in the chrome.
fn invalid_utf8_page() -> Vec<u8> {
    let page = news_page().replace(
        "<a class=\"skip-link\"",
        "<span>\u{0}</span><a class=\"skip-link\"",
    );
    let mut bytes = page.into_bytes();
    // Stray bytes: a lone continuation byte, an overlong lead, 0xFF.
    let at = bytes.windows(6).position(|w| w == b"<main ").unwrap();
    bytes.splice(at..at, [0x80, 0xC0, 0xFF, b' ', 0xFE]);
    assert!(std::str::from_utf8(&bytes).is_err());
    bytes
}

/// The news page with 50 MB of inline script data before `</body>`, as pages that embed
/// their whole state as JSON have: past the default `--max-bytes` (10 MB).
fn fifty_megabyte_page() -> Vec<u8> {
    const SIZE: usize = 50 << 20;
    let record = r#"{"id":12345,"headline":"Another story","tags":["a","b"]},"#;
    let mut blob = String::with_capacity(SIZE + record.len());
    blob.push_str("<script>window.__STATE__ = [");
    while blob.len() < SIZE {
        blob.push_str(record);
    }
    blob.push_str("];</script></body>");
    let page = news_page().replacen("</body>", &blob, 1);
    assert!(page.len() > SIZE);
    page.into_bytes()
}

fn truncated_gzip() -> Vec<u8> {
    let gz = gzip(news_page().repeat(3).as_bytes());
    gz[..gz.len() / 2].to_vec()
}

/// Runs a batch over `inputs`, returning the records by path.
fn batch(inputs: &[&Path], jobs: &str) -> (Vec<Value>, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let mut args: Vec<String> = vec!["batch".into()];
    args.extend(inputs.iter().map(|p| p.display().to_string()));
    args.extend(["--output".into(), out.display().to_string()]);
    args.extend(["--jobs".into(), jobs.into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let output = run(&args, None);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(
        output.status.success(),
        "batch failed ({}): {stderr}",
        output.status
    );
    (read_jsonl(&out), stderr)
}

fn by_path(records: &[Value]) -> BTreeMap<String, Value> {
    records
        .iter()
        .map(|r| (r["path"].as_str().expect("path").to_string(), r.clone()))
        .collect()
}

struct Crawl {
    _dir: tempfile::TempDir,
    good_dir: PathBuf,
    bad_dir: PathBuf,
    missing: PathBuf,
}

fn crawl() -> Crawl {
    let dir = tempfile::tempdir().unwrap();
    let good_dir = dir.path().join("good");
    write(&good_dir.join("news.html"), news_page());
    write(&good_dir.join("blog.html"), blog_page("Runner beans"));
    write(
        &good_dir.join("more/blog2.html.gz"),
        gzip(blog_page("Courgettes").as_bytes()),
    );
    let bad_dir = dir.path().join("bad");
    write(&bad_dir.join("01-empty.html"), b"");
    write(&bad_dir.join("02-garbage.html"), binary_garbage());
    write(&bad_dir.join("03-invalid-utf8.html"), invalid_utf8_page());
    write(
        &bad_dir.join("04-cp1252-says-utf8.html"),
        mislabelled_cp1252_page(),
    );
    write(&bad_dir.join("05-truncated.html.gz"), truncated_gzip());
    write(&bad_dir.join("06-nuls.html"), page_with_nuls());
    write(
        &bad_dir.join("07-deep.html"),
        deeply_nested_page(SUITE_DEPTH),
    );
    write(
        &bad_dir.join("08-utf16le.html"),
        utf16le_without_bom(&news_page()),
    );
    write(
        &bad_dir.join("09-shift-jis.html"),
        undeclared_shift_jis_page(),
    );
    write(&bad_dir.join("10-whitespace.html"), b" \n\t\r\n  ");
    write(
        &bad_dir.join("11-fifty-megabytes.html"),
        fifty_megabyte_page(),
    );
    let missing = dir.path().join("gone/never-was.html");
    Crawl {
        _dir: dir,
        good_dir,
        bad_dir,
        missing,
    }
}

fn text_of(record: &Value) -> &str {
    assert!(record.get("error").is_none(), "unexpected error: {record}");
    record["text"].as_str().expect("text")
}

fn error_of(record: &Value) -> (&str, &str) {
    let error = record["error"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error: {record}"));
    assert_eq!(record["text"], "", "{record}");
    (record["error_kind"].as_str().expect("error_kind"), error)
}

#[test]
fn bad_pages_in_a_batch_cost_only_their_own_record() {
    let c = crawl();
    let (records, stderr) = batch(&[&c.good_dir, &c.bad_dir, &c.missing], "2");
    // One line per input: 3 good, 11 bad files, 1 missing path.
    assert_eq!(records.len(), 15, "{records:#?}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for record in &records {
        assert_ne!(record["error_kind"], "panic", "a page panicked: {record}");
        let has_text = record["text"].as_str().is_some_and(|t| !t.is_empty());
        assert!(
            has_text ^ record.get("error").is_some(),
            "each record has either text or an error: {record}"
        );
    }
    let records = by_path(&records);
    let bad = |name: &str| &records[&c.bad_dir.join(name).display().to_string()];

    let (kind, _) = error_of(bad("01-empty.html"));
    assert_eq!(kind, "empty");
    let (kind, _) = error_of(bad("10-whitespace.html"));
    assert_eq!(kind, "empty");

    let (kind, message) = error_of(bad("02-garbage.html"));
    assert_eq!(kind, "decode");
    assert!(message.contains("binary"), "{message}");

    let (kind, message) = error_of(bad("05-truncated.html.gz"));
    assert_eq!(kind, "decode");
    assert!(message.contains("gzip"), "{message}");

    let missing = &records[&c.missing.display().to_string()];
    let (kind, message) = error_of(missing);
    assert_eq!(kind, "io");
    assert!(message.contains("never-was.html"), "{message}");

    // Invalid UTF-8 in the chrome: the (ASCII) article still comes out.
    let text = text_of(bad("03-invalid-utf8.html"));
    for p in &ARTICLE_PARAGRAPHS[1..] {
        assert!(text.contains(p), "missing {p:?} in\n{text}");
    }

    // Declared UTF-8, really windows-1252: read as windows-1252, no mojibake.
    let record = bad("04-cp1252-says-utf8.html");
    let text = text_of(record);
    for p in FRENCH_PARAGRAPHS {
        assert!(text.contains(p), "missing {p:?} in\n{text}");
    }
    assert!(!text.contains('\u{FFFD}') && !text.contains("Ã©"), "{text}");
    assert_eq!(record["encoding"], "windows-1252");

    // NUL bytes are dropped, even inside words.
    let text = text_of(bad("06-nuls.html"));
    assert!(!text.contains('\0'));
    for p in ARTICLE_PARAGRAPHS {
        assert!(text.contains(p), "missing {p:?} in\n{text}");
    }

    // Thousands of nested divs: no stack overflow, the paragraph is found.
    let text = text_of(bad("07-deep.html"));
    assert!(text.contains(DEEP_PARAGRAPH), "{text}");

    // UTF-16LE without a BOM: recognised, same article as the UTF-8 page.
    let record = bad("08-utf16le.html");
    assert_eq!(record["encoding"], "UTF-16LE");
    assert_eq!(record["title"], TITLE);
    let good_news = &records[&c.good_dir.join("news.html").display().to_string()];
    assert_eq!(record["text"], good_news["text"]);

    // Undeclared Shift-JIS: detected, Japanese text intact.
    let record = bad("09-shift-jis.html");
    assert_eq!(record["encoding"], "Shift_JIS");
    let text = text_of(record);
    for p in JAPANESE_PARAGRAPHS {
        assert!(text.contains(p), "missing {p:?} in\n{text}");
    }

    // 50 MB: cut at the 10 MB default, said so, and the article before the cut is there.
    let record = bad("11-fifty-megabytes.html");
    assert_eq!(record["truncated"], true, "{record}");
    assert_article_paragraphs(text_of(record));

    // The good pages come out exactly as in a batch of only the good pages.
    let (good_only, _) = batch(&[&c.good_dir], "1");
    assert_eq!(good_only.len(), 3);
    for record in &good_only {
        let path = record["path"].as_str().unwrap();
        assert_eq!(&records[path], record, "good page {path} changed");
        assert!(!text_of(record).is_empty());
    }
    assert_article_paragraphs(text_of(
        &records[&c.good_dir.join("news.html").display().to_string()],
    ));
}

fn assert_article_paragraphs(text: &str) {
    for p in ARTICLE_PARAGRAPHS {
        assert!(text.contains(p), "missing {p:?} in\n{text}");
    }
    assert!(!text.contains("All rights reserved"), "{text}");
}

#[test]
fn batch_output_order_is_input_order_whatever_fails() {
    let c = crawl();
    let (two, _) = batch(&[&c.bad_dir, &c.missing, &c.good_dir], "2");
    let (one, _) = batch(&[&c.bad_dir, &c.missing, &c.good_dir], "1");
    assert_eq!(two, one);
    let paths: Vec<&str> = two.iter().map(|r| r["path"].as_str().unwrap()).collect();
    let mut names: Vec<String> = paths
        .iter()
        .map(|p| {
            Path::new(p)
                .file_name()
                .unwrap()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    assert_eq!(names[0], "01-empty.html");
    assert_eq!(names[10], "11-fifty-megabytes.html");
    assert_eq!(names[11], "never-was.html");
    names.truncate(11);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
}

/// `gleaner extract` on each bad input: a clear error or text, exit status 0 or 1, never a
/// crash.
#[test]
fn extract_never_crashes_on_bad_input() {
    let c = crawl();
    let cases: Vec<(&str, bool)> = vec![
        ("01-empty.html", false),
        ("02-garbage.html", false),
        ("03-invalid-utf8.html", true),
        ("04-cp1252-says-utf8.html", true),
        ("05-truncated.html.gz", false),
        ("06-nuls.html", true),
        ("07-deep.html", true),
        ("08-utf16le.html", true),
        ("09-shift-jis.html", true),
        ("10-whitespace.html", false),
    ];
    for (name, succeeds) in cases {
        let path = c.bad_dir.join(name);
        let bytes = std::fs::read(&path).unwrap();
        for input in [Some(path.to_str().unwrap()), None] {
            let output = match input {
                Some(p) => run(&["extract", p], None),
                None => run(&["extract", "-"], Some(&bytes)),
            };
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(!stderr.contains("panicked"), "{name}: {stderr}");
            if succeeds {
                assert!(output.status.success(), "{name}: {stderr}");
                assert!(!output.stdout.is_empty(), "{name}: no text");
            } else {
                assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
                assert!(output.stdout.is_empty(), "{name}");
                assert!(stderr.starts_with("gleaner: "), "{name}: {stderr}");
                if input.is_some() {
                    assert!(stderr.contains(name), "{name}: {stderr}");
                }
            }
        }
    }
    let out = run(&["extract", c.missing.to_str().unwrap()], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("never-was.html"));
}

/// Library-level checks on the same inputs, without the process boundary.
#[test]
fn extractor_api_handles_the_bad_inputs() {
    let extractor = gleaner::Extractor::with_default_model().unwrap();
    assert_eq!(extractor.extract_bytes(b"").unwrap_err().kind(), "empty");
    assert_eq!(
        extractor
            .extract_bytes(&binary_garbage())
            .unwrap_err()
            .kind(),
        "decode"
    );
    let e = extractor.extract_bytes(&truncated_gzip()).unwrap_err();
    assert!(e.to_string().contains("gzip"), "{e}");

    let x = extractor.extract_bytes(&mislabelled_cp1252_page()).unwrap();
    assert_eq!(x.encoding, Some("windows-1252"));
    assert!(x.text().contains("Le café de la place du marché"));

    let x = extractor
        .extract_bytes(&undeclared_shift_jis_page())
        .unwrap();
    assert_eq!(x.encoding, Some("Shift_JIS"));
    assert!(x.text().contains(JAPANESE_PARAGRAPHS[1]));

    let x = extractor
        .extract_bytes(&utf16le_without_bom(&news_page()))
        .unwrap();
    assert_eq!(x.encoding, Some("UTF-16LE"));
    assert_eq!(x.text(), extractor.extract_html(&news_page()).text());

    // Deep nesting, on a thread with a small (2 MiB) stack like a rayon worker's.
    let page = deeply_nested_page(SUITE_DEPTH);
    let text = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            gleaner::Extractor::with_default_model()
                .unwrap()
                .extract_bytes(&page)
                .map(|x| x.text())
        })
        .unwrap()
        .join()
        .expect("no stack overflow or panic")
        .unwrap();
    assert!(text.contains(DEEP_PARAGRAPH));
}

/// 100,000 nested `<div>`s: the walk is iterative and the parse stage flattens nesting
/// beyond 512 levels first (html5ever alone takes about a minute on this page: its tree
/// builder scans the open-element stack for every tag), so the page comes out like any other.
#[test]
fn hundred_thousand_nested_divs() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("a-deep.html"), deeply_nested_page(100_000));
    write(&dir.path().join("b-news.html"), news_page());
    let (records, stderr) = batch(&[dir.path()], "2");
    assert_eq!(records.len(), 2, "{stderr}");
    let deep = &records[0];
    assert!(deep.get("error").is_none(), "{deep}");
    assert!(text_of(deep).contains(DEEP_PARAGRAPH), "{deep}");
    assert_article_paragraphs(text_of(&records[1]));
}
