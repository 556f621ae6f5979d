//! Markdown and HTML output: the word rule over every page of `training-data/` (each format
//! writes the words the text writes), each construct on realistic pages with navigation and
//! footer noise, link and image URL resolution, and escaping — through the library and the
//! `gleaner` command line.

mod common;

use std::path::Path;

use common::*;
use gleaner::formats::{words, Format, Output};
use gleaner::Extractor;

fn extractor(format: Format, links: bool, images: bool) -> Extractor {
    Extractor::with_default_model().unwrap().output(Output {
        format,
        links,
        images,
    })
}

/// Markdown with its syntax taken out: link targets and images, fence lines, list markers,
/// table separators and backslash escapes (what is left are the words).
fn strip_markdown(markdown: &str) -> String {
    let mut out = String::new();
    for line in markdown.lines() {
        let line = line.trim_start_matches(['>', ' ']);
        if line.starts_with("```") || line.starts_with("| --- |") {
            continue;
        }
        let line = strip_marker(line.trim_start());
        out.push_str(&strip_targets(line));
        out.push('\n');
    }
    out.replace("<br>", " ")
}

fn strip_marker(line: &str) -> &str {
    if let Some(rest) = line.strip_prefix("- ") {
        return rest;
    }
    let digits = line.chars().take_while(char::is_ascii_digit).count();
    line[digits..]
        .strip_prefix(". ")
        .filter(|_| digits > 0)
        .unwrap_or(line)
}

/// Removes `![alt](src)` whole and the `(url)` of `[text](url)`, and backslash escapes.
fn strip_targets(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' if i + 1 < chars.len() && chars[i + 1].is_ascii_punctuation() => {
                out.push(chars[i + 1]);
                i += 2;
            }
            '!' if chars.get(i + 1) == Some(&'[') => {
                // An image: skip to the end of its `(src)`.
                let close = (i..chars.len())
                    .find(|&j| chars[j] == ')')
                    .unwrap_or(chars.len());
                i = close + 1;
            }
            ']' if chars.get(i + 1) == Some(&'(') => {
                let close = (i..chars.len())
                    .find(|&j| chars[j] == ')')
                    .unwrap_or(chars.len());
                i = close + 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// HTML with its tags taken out (block tags part words, inline `a` and `code` do not) and
/// its entities read.
fn strip_html(html: &str) -> String {
    let mut out = String::new();
    let mut tag: Option<String> = None;
    for c in html.chars() {
        match (c, tag.as_mut()) {
            ('<', None) => tag = Some(String::new()),
            ('>', Some(name)) => {
                let name = name.trim_start_matches('/');
                let name = name.split(' ').next().unwrap_or("");
                if !matches!(name, "a" | "code") {
                    out.push(' ');
                }
                tag = None;
            }
            (c, Some(name)) => name.push(c),
            (c, None) => out.push(c),
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[test]
fn every_format_keeps_the_words_of_the_text_on_all_training_pages() {
    let markdown = extractor(Format::Markdown, true, true);
    let mut pages = 0;
    for dir in ["training-data/pages", "training-data/teasers"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut paths: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "html"))
            .collect();
        paths.sort();
        for path in paths {
            let bytes = std::fs::read(&path).unwrap();
            let extraction = markdown
                .extract_bytes_from(&bytes, None, Some("https://example.org/a/page.html"))
                .unwrap();
            let text = extraction.text();
            let md = extraction.formatted();
            let html = extraction.html(true, true);
            let name = path.display();
            assert_eq!(
                words(&strip_markdown(&md)),
                words(&text),
                "{name}: markdown words\n--- markdown ---\n{md}"
            );
            assert_eq!(
                words(&strip_html(&html)).len(),
                // Image alt text is in an attribute: not counted by stripping tags.
                words(&text).len(),
                "{name}: html words\n--- html ---\n{html}"
            );
            assert_eq!(words(&strip_html(&html)), words(&text), "{name}: html");
            pages += 1;
        }
    }
    assert!(pages > 50, "training pages read: {pages}");
}

#[test]
fn the_text_stays_the_same_whatever_the_format() {
    let page = news_page();
    let text = extractor(Format::Text, false, false).extract_html(&page);
    let md = extractor(Format::Markdown, true, true).extract_html(&page);
    assert_eq!(text.text(), md.text());
    assert_eq!(text.formatted(), text.text());
    let labels = |e: &gleaner::Extraction| -> Vec<(String, f64)> {
        e.blocks
            .iter()
            .map(|b| (b.block.text.clone(), b.score))
            .collect()
    };
    assert_eq!(labels(&text), labels(&md));
}

/// A how-to article with every construct, inside site chrome.
fn howto_page() -> String {
    let chrome_top = r#"<header><a href="/">Fieldnotes</a><nav><ul>
        <li><a href="/garden">Garden</a></li><li><a href="/kitchen">Kitchen</a></li>
        <li><a href="/workshop">Workshop</a></li><li><a href="/about">About us</a></li></ul></nav></header>"#;
    let chrome_bottom = r#"<aside class="related"><h3>Related stories</h3><ul>
        <li><a href="/x1">Ten tools every shed needs</a></li><li><a href="/x2">Why compost smells</a></li></ul></aside>
        <footer><p>© 2026 Fieldnotes Media · <a href="/privacy">Privacy</a> · <a href="/terms">Terms</a></p></footer>"#;
    format!(
        r#"<!doctype html><html><head><title>How to build a raised garden bed | Fieldnotes</title>
        <base href="https://fieldnotes.example/guides/"></head><body>{chrome_top}
        <main><article>
        <h1>How to build a raised garden bed</h1>
        <p>A raised bed warms up earlier in spring, drains well after heavy rain, and spares your
        back at harvest time. This guide walks through the whole build in one weekend, from the
        lumber list to the first planting, with the <a href="../tools/saw.html">saw we used</a>
        and the <a href="//cdn.fieldnotes.example/plans.pdf">printable plans</a>.</p>
        <h2>What you need</h2>
        <p>Untreated cedar lasts the longest outdoors; pine is cheaper but rots in a few seasons
        unless you line the inside of the frame with heavy plastic sheeting first.</p>
        <ul><li>Four cedar boards, two metres long and thirty centimetres wide</li>
        <li>Corner posts, one of each:<ul><li>short posts for a low bed</li>
        <li>long posts when the bed sits on a slope</li></ul></li>
        <li>Galvanised screws, sixty millimetres</li></ul>
        <h3>Cutting list</h3>
        <table><thead><tr><th>Part</th><th>Count</th><th>Length</th></tr></thead>
        <tbody><tr><td>Side board</td><td>2</td><td>200 cm</td></tr>
        <tr><td>End board | short</td><td>2</td><td>100<br>cm</td></tr>
        <tr><td colspan="2">Corner post</td><td>35 cm</td></tr></tbody></table>
        <h2>Steps</h2>
        <ol><li>Level the ground where the bed will stand and mark the corners.</li>
        <li>Screw the boards to the corner posts, two screws per joint.</li>
        <li>Fill the bed with a mix of topsoil and compost, then water it well.</li></ol>
        <p>To work out how much soil you need, multiply the inside dimensions; our helper script
        does it with <code>volume(l, w, h)</code>:</p>
        <pre><code class="language-python">def volume(l, w, h):
    return l * w * h  # cubic metres</code></pre>
        <blockquote><p>The best time to build a bed is the autumn before you plant it: the soil
        settles over the winter and is ready to sow in March.</p></blockquote>
        <p>An old rhyme the allotment society prints on its seed packets:</p>
        <p>Sow in the dark of the moon,<br>reap in the light of the sun,<br>and the bed will feed you soon.</p>
        <figure><img src="img/finished-bed.jpg" alt="The finished bed, planted with lettuce">
        <figcaption>The finished bed after six weeks: lettuce, radishes and a row of chives.</figcaption></figure>
        <p>Questions about 5 * 3 beds or &lt;script&gt;-like tags? Write to us &amp; we answer.</p>
        </article></main>{chrome_bottom}</body></html>"#
    )
}

/// The how-to page's extraction with its table cells labelled as `keep` says, whatever the
/// model made of them: the grid's layout is the renderer's job, not the model's.
fn with_table_cells(keep: impl Fn(&str) -> bool, format: Format) -> String {
    let mut extraction = extractor(format, false, false).extract_html(&howto_page());
    let mut cells = 0;
    for scored in &mut extraction.blocks {
        if scored
            .block
            .structure
            .as_ref()
            .is_some_and(|s| s.table.is_some())
        {
            cells += 1;
            scored.label = if keep(&scored.block.text) {
                gleaner::Label::Content
            } else {
                gleaner::Label::Boilerplate
            };
        }
    }
    assert_eq!(cells, 11, "the cutting list's eleven cells");
    extraction.formatted()
}

#[test]
fn tables_keep_their_grid_whatever_cells_are_dropped() {
    // Every cell kept: a header row, the separator, a cell's pipe escaped and its line break
    // kept, and a colspan written once with an empty place after it.
    let md = with_table_cells(|_| true, Format::Markdown);
    assert!(
        md.contains(
            "| Part | Count | Length |\n| --- | --- | --- |\n| Side board | 2 | 200 cm |\n\
             | End board \\| short | 2 | 100<br>cm |\n| Corner post |  | 35 cm |\n"
        ),
        "{md}"
    );
    // Two whole columns dropped: they stay, empty, so the kept cells keep their places.
    let kept = |text: &str| text == "Part" || text == "End board | short";
    let md = with_table_cells(kept, Format::Markdown);
    assert!(
        md.contains("| Part |  |  |\n| --- | --- | --- |\n| End board \\| short |  |  |\n"),
        "{md}"
    );
    let html = with_table_cells(kept, Format::Html);
    assert!(
        html.contains(
            "<tr><th>Part</th><th></th><th></th></tr>\n<tr><td>End board | short</td><td></td><td></td></tr>"
        ),
        "{html}"
    );
    // A dropped cell in the middle of a row leaves its place empty too.
    let md = with_table_cells(|text| text != "Count" && text != "2", Format::Markdown);
    assert!(
        md.contains("| Part |  | Length |\n| --- | --- | --- |\n| Side board |  | 200 cm |"),
        "{md}"
    );
}

fn markdown_of(page: &str, links: bool, images: bool) -> String {
    extractor(Format::Markdown, links, images)
        .extract_html(page)
        .formatted()
}

#[test]
fn markdown_writes_each_construct() {
    let md = markdown_of(&howto_page(), false, false);
    for expected in [
        "# How to build a raised garden bed\n",
        "## What you need\n",
        "### Cutting list\n",
        "- Four cedar boards, two metres long and thirty centimetres wide\n- Corner posts, one of each:\n    - short posts for a low bed\n    - long posts when the bed sits on a slope\n- Galvanised screws",
        "1. Level the ground where the bed will stand and mark the corners.\n2. Screw the boards",
        "3. Fill the bed",
        // The table's cells are checked in `tables_keep_their_grid_whatever_cells_are_dropped`:
        // which short cells the model keeps is its call.
        "with `volume(l, w, h)`:",
        "```python\ndef volume(l, w, h):\n    return l * w * h  # cubic metres\n```",
        "> The best time to build a bed",
        "Sow in the dark of the moon,\\\nreap in the light of the sun,\\\nand the bed will feed you soon.",
        "Questions about 5 \\* 3 beds or \\<script>-like tags? Write to us & we answer.",
    ] {
        assert!(md.contains(expected), "missing {expected:?} in\n{md}");
    }
    for noise in ["Kitchen", "Related stories", "Privacy", "Ten tools"] {
        assert!(!md.contains(noise), "noise {noise:?} in\n{md}");
    }
    // Links and images are off by default.
    assert!(!md.contains("](") && !md.contains("saw we used]"), "{md}");
}

#[test]
fn links_and_images_resolve_against_base_href() {
    let md = markdown_of(&howto_page(), true, true);
    for expected in [
        // Relative to <base href>, with a `..` segment.
        "[saw we used](https://fieldnotes.example/tools/saw.html)",
        // Protocol-relative: the base's scheme.
        "[printable plans](https://cdn.fieldnotes.example/plans.pdf)",
        "![The finished bed, planted with lettuce](https://fieldnotes.example/guides/img/finished-bed.jpg)\nThe finished bed after six weeks",
    ] {
        assert!(md.contains(expected), "missing {expected:?} in\n{md}");
    }
}

#[test]
fn links_resolve_against_the_page_url_without_base_href() {
    let page = howto_page().replace(r#"<base href="https://fieldnotes.example/guides/">"#, "");
    let extraction = extractor(Format::Markdown, true, false)
        .extract_html_from(&page, Some("http://garden.example/2026/bed.html?ref=feed"));
    let md = extraction.formatted();
    assert!(
        md.contains("[saw we used](http://garden.example/tools/saw.html)"),
        "{md}"
    );
    assert!(
        md.contains("[printable plans](http://cdn.fieldnotes.example/plans.pdf)"),
        "{md}"
    );
}

#[test]
fn html_output_is_minimal_and_escaped() {
    let extraction = extractor(Format::Html, true, true).extract_html(&howto_page());
    let html = extraction.formatted();
    for expected in [
        "<h1>How to build a raised garden bed</h1>",
        "<ul>\n<li>Four cedar boards",
        "<li>Corner posts, one of each:<ul>\n<li>short posts for a low bed</li>",
        "<ol>\n<li>Level the ground",
        "<pre><code>def volume(l, w, h):",
        "<blockquote>\n<p>The best time",
        "<a href=\"https://fieldnotes.example/tools/saw.html\">saw we used</a>",
        "<figure><img src=\"https://fieldnotes.example/guides/img/finished-bed.jpg\" alt=\"The finished bed, planted with lettuce\"><figcaption>The finished bed",
        "5 * 3 beds or &lt;script&gt;-like tags? Write to us &amp; we answer.",
        "moon,<br>reap",
    ] {
        assert!(html.contains(expected), "missing {expected:?} in\n{html}");
    }
    // No attributes but href, src and alt.
    let attributes: Vec<&str> = html
        .split('<')
        .filter_map(|tag| tag.split('>').next())
        .filter_map(|tag| tag.split_once(' '))
        .map(|(_, rest)| rest)
        .collect();
    for rest in attributes {
        for attribute in rest.split("\" ").map(|a| a.split('=').next().unwrap()) {
            assert!(
                matches!(attribute.trim(), "href" | "src" | "alt"),
                "attribute {attribute:?} in\n{html}"
            );
        }
    }
}

#[test]
fn extract_and_batch_take_format_links_and_images() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("howto.html");
    write(&page, howto_page());
    let path = page.to_str().unwrap();
    let md = run_ok(&["extract", path, "--format", "markdown", "--links"], None);
    assert!(md.contains("## What you need\n"), "{md}");
    assert!(
        md.contains("(https://fieldnotes.example/tools/saw.html)"),
        "{md}"
    );
    assert!(!md.contains("!["), "images only with --images: {md}");
    let html = run_ok(&["extract", path, "--format", "html", "--images"], None);
    assert!(html.contains("<h2>What you need</h2>"), "{html}");
    assert!(html.contains("<img src="), "{html}");
    assert!(!html.contains("<a href"), "links only with --links: {html}");
    let text = run_ok(&["extract", path], None);
    assert!(!text.contains("## "), "{text}");

    // batch: "text" carries the rendering; the URL of a JSONL page is the base.
    let jsonl = dir.path().join("pages.jsonl");
    let line = serde_json::json!({
        "url": "https://other.example/dir/page.html",
        "html": howto_page().replace(r#"<base href="https://fieldnotes.example/guides/">"#, ""),
    });
    write(&jsonl, format!("{line}\n"));
    let out = dir.path().join("out.jsonl");
    run_ok(
        &[
            "batch",
            jsonl.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--format",
            "markdown",
            "--links",
        ],
        None,
    );
    let records = read_jsonl(&out);
    let text = records[0]["text"].as_str().unwrap();
    assert!(
        text.contains("# How to build a raised garden bed\n"),
        "{text}"
    );
    assert!(
        text.contains("[saw we used](https://other.example/tools/saw.html)"),
        "{text}"
    );
}
