//! The report and index pages as HTML strings: one file each, CSS and script inline, nothing
//! loaded from anywhere (the Content-Security-Policy forbids it), every page text escaped.

use std::fmt::Write;

use super::{Explanation, IndexEntry, Why};
use crate::label::Label;

const REPORT_CSS: &str = include_str!("report.css");
const REPORT_JS: &str = include_str!("report.js");
const INDEX_JS: &str = include_str!("index.js");

/// Escapes text for HTML element content and quoted attribute values.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    crate::formats::html::escape_with_apostrophes_into(text, &mut out);
    out
}

/// A nonce for the inline script, so that the policy runs it and nothing else.
fn nonce() -> String {
    format!(
        "{:016x}{:016x}",
        rand::random::<u64>(),
        rand::random::<u64>()
    )
}

/// The document's start: charset, viewport, the policy (no network, this script only), title
/// and style.
fn head(out: &mut String, title: &str, nonce: &str) {
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src 'nonce-{nonce}'; img-src data:; \
         base-uri 'none'; form-action 'none'\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>{}</title>\n<style>\n{REPORT_CSS}</style>\n</head>\n",
        escape(title)
    );
}

fn script(out: &mut String, nonce: &str, js: &str) {
    let _ = write!(
        out,
        "<script nonce=\"{nonce}\">\n{js}</script>\n</body>\n</html>\n"
    );
}

fn percent(score: f64) -> f64 {
    (score * 100.0).clamp(0.0, 100.0)
}

/// The labels present on the page, in the order of [`Label::ALL`], with their counts.
fn label_counts(explanation: &Explanation) -> Vec<(Label, usize)> {
    Label::ALL
        .iter()
        .map(|&label| {
            let n = explanation
                .blocks
                .iter()
                .filter(|b| b.scored.label == label)
                .count();
            (label, n)
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

fn reason_list(out: &mut String, heading: &str, class: &str, reasons: &[Why]) {
    if reasons.is_empty() {
        return;
    }
    let strongest = reasons.iter().map(|r| r.push).fold(0.0, f64::max).max(1e-9);
    let _ = write!(out, "<h3>{heading}</h3><ul class=\"reasons {class}\">");
    for reason in reasons {
        let _ = write!(
            out,
            "<li title=\"{} (push {:+.2})\"><span class=\"push\"><span style=\"width:{:.0}%\"></span></span>{}</li>",
            escape(&reason.feature),
            reason.push,
            100.0 * reason.push / strongest,
            escape(&reason.words)
        );
    }
    out.push_str("</ul>");
}

/// What the final decision was, in one sentence.
fn verdict(explanation: &Explanation, i: usize) -> String {
    let block = &explanation.blocks[i].scored;
    let kept = explanation.kept(i);
    let mut says = format!(
        "{}: final score {:.2} {} the page's threshold {:.2}",
        if kept { "Kept" } else { "Dropped" },
        block.score,
        if block.score >= explanation.threshold {
            "reaches"
        } else {
            "is below"
        },
        explanation.threshold
    );
    let moved = block.score - block.first_score;
    if moved.abs() >= 0.05 {
        let _ = write!(
            says,
            " (its own features gave {:.2}; its neighbours and containers {} it)",
            block.first_score,
            if moved > 0.0 { "raised" } else { "lowered" }
        );
    }
    if block.label == Label::Comment && kept {
        says.push_str("; kept as a comment, as asked");
    }
    says.push('.');
    says
}

/// The report of one page: its blocks in order, coloured by label, each with its score bar,
/// kind and reasons (shown on click, or Enter), filters by kept / dropped / label, and the
/// extracted text beside them. `source` names the page (a path or URL) in the header.
pub fn report(explanation: &Explanation, source: &str) -> String {
    let nonce = nonce();
    let extraction = &explanation.extraction;
    let (kept, dropped, words) = explanation.counts();
    let mut out = String::with_capacity(4096 + explanation.blocks.len() * 1500);
    let title = if extraction.title.trim().is_empty() {
        "(no title)"
    } else {
        extraction.title.trim()
    };
    head(&mut out, &format!("gleaner explain: {title}"), &nonce);
    out.push_str("<body>\n<header class=\"top\">\n");
    let _ = write!(
        out,
        "<p class=\"source\">gleaner explain · <span class=\"path\">{}</span></p>\n<h1>{}</h1>\n<p class=\"facts\">",
        escape(source),
        escape(title)
    );
    if let Some(page_type) = extraction.page_type {
        let _ = write!(
            out,
            "<span class=\"fact\" data-fact=\"page-type\">page type <b>{page_type}</b></span>"
        );
    }
    if let Some(confidence) = extraction.confidence {
        let _ = write!(
            out,
            "<span class=\"fact\" data-fact=\"confidence\">confidence <b>{confidence:.2}</b></span>"
        );
    }
    let _ = write!(
        out,
        "<span class=\"fact\" data-fact=\"blocks\"><b>{}</b> blocks: <b>{kept}</b> kept, <b>{dropped}</b> dropped</span>\
         <span class=\"fact\" data-fact=\"words\"><b>{words}</b> words kept</span>",
        explanation.blocks.len()
    );
    if extraction.truncated {
        out.push_str("<span class=\"fact warn\">the page was cut at the size limit</span>");
    }
    out.push_str("</p>\n<nav class=\"filters\" aria-label=\"Show blocks\">");
    let _ = write!(
        out,
        "<button type=\"button\" data-filter=\"all\" aria-pressed=\"true\">all <span class=\"n\">{}</span></button>\
         <button type=\"button\" data-filter=\"kept\" aria-pressed=\"false\">kept <span class=\"n\">{kept}</span></button>\
         <button type=\"button\" data-filter=\"dropped\" aria-pressed=\"false\">dropped <span class=\"n\">{dropped}</span></button>",
        explanation.blocks.len()
    );
    for (label, n) in label_counts(explanation) {
        let _ = write!(
            out,
            "<button type=\"button\" class=\"kind l-{label}\" data-filter=\"label:{label}\" aria-pressed=\"false\">{label} <span class=\"n\">{n}</span></button>"
        );
    }
    out.push_str(
        "</nav>\n<p class=\"hint\">Click a block (or focus it and press Enter) to see why. \
         <span id=\"shown\"></span></p>\n</header>\n<main class=\"layout\">\n\
         <section class=\"blocks\" aria-label=\"Blocks\">\n<ol>\n",
    );
    for (i, block) in explanation.blocks.iter().enumerate() {
        let scored = &block.scored;
        let label = scored.label;
        let is_kept = explanation.kept(i);
        let first_reasons = if is_kept {
            &block.towards_keeping
        } else {
            &block.towards_dropping
        };
        let hover: Vec<&str> = first_reasons
            .iter()
            .take(2)
            .map(|w| w.words.as_str())
            .collect();
        let _ = write!(
            out,
            "<li class=\"block l-{label}{}\" id=\"b{i}\" data-label=\"{label}\" data-kept=\"{is_kept}\" tabindex=\"0\" aria-expanded=\"false\" title=\"{}\">\
             <div class=\"head\"><span class=\"idx\">#{i}</span><span class=\"badge\">{label}</span>\
             <span class=\"score\" title=\"final score {:.2}, threshold {:.2}\"><span class=\"bar\" style=\"width:{:.0}%\"></span><span class=\"cut\" style=\"left:{:.0}%\"></span></span>\
             <span class=\"num\">{:.2}</span><span class=\"tag\">&lt;{}&gt;</span></div>\
             <p class=\"text\">{}</p><div class=\"why\">",
            if is_kept { " kept" } else { " dropped" },
            escape(&format!("{label}: {}", hover.join("; "))),
            scored.score,
            explanation.threshold,
            percent(scored.score),
            percent(explanation.threshold),
            scored.score,
            escape(scored.block.tag),
            escape(&scored.block.text)
        );
        let _ = write!(
            out,
            "<p class=\"verdict\">{}</p>",
            escape(&verdict(explanation, i))
        );
        if explanation.linear_first_pass {
            reason_list(&mut out, "Towards keeping", "up", &block.towards_keeping);
            reason_list(
                &mut out,
                "Towards dropping",
                "down",
                &block.towards_dropping,
            );
        } else {
            out.push_str(
                "<p class=\"note\">This model's first pass is a forest of trees: it has no \
                 per-feature pushes to show.</p>",
            );
        }
        if !is_kept {
            reason_list(
                &mut out,
                &format!("Why {label} rather than another kind of noise"),
                "kind",
                &block.kind_reasons,
            );
        }
        let _ = write!(
            out,
            "<p class=\"where\">element path <code>{}</code>",
            escape(&scored.block.tag_path)
        );
        if !block.class_words.is_empty() {
            let _ = write!(
                out,
                " · class/id words <code>{}</code>",
                escape(&block.class_words.join(" "))
            );
        }
        if let Some(gold) = scored.block.label {
            let _ = write!(out, " · hand label <b>{gold}</b>");
        }
        out.push_str("</p></div></li>\n");
    }
    out.push_str(
        "</ol>\n</section>\n<aside class=\"extracted\" aria-label=\"Extracted text\">\n\
         <h2>Extracted text</h2>\n<div class=\"article\">\n",
    );
    let mut any = false;
    for (i, block) in explanation.blocks.iter().enumerate() {
        if explanation.kept(i) {
            any = true;
            let _ = writeln!(
                out,
                "<p><a class=\"to\" href=\"#b{i}\" title=\"block #{i}\">#{i}</a> {}</p>",
                escape(block.text())
            );
        }
    }
    if !any {
        out.push_str("<p class=\"empty\">Nothing was kept.</p>\n");
    }
    out.push_str("</div>\n</aside>\n</main>\n");
    script(&mut out, &nonce, REPORT_JS);
    out
}

/// The index of a batch's reports: one row per page with its counts and confidence, a link to
/// its report, sortable by clicking any column header.
pub fn index(entries: &[IndexEntry]) -> String {
    let nonce = nonce();
    let mut out = String::with_capacity(2048 + entries.len() * 400);
    head(&mut out, "gleaner explain: index", &nonce);
    let failed = entries.iter().filter(|e| e.error.is_some()).count();
    let _ = write!(
        out,
        "<body class=\"index\">\n<header class=\"top\"><p class=\"source\">gleaner explain</p>\
         <h1>{} pages</h1><p class=\"facts\"><span class=\"fact\">{failed} failed</span>\
         <span class=\"fact\">click a column header to sort</span></p></header>\n\
         <main><table id=\"pages\"><thead><tr>",
        entries.len()
    );
    for (name, kind) in [
        ("page", "text"),
        ("title", "text"),
        ("type", "text"),
        ("kept blocks", "num"),
        ("dropped blocks", "num"),
        ("words kept", "num"),
        ("confidence", "num"),
    ] {
        let _ = write!(
            out,
            "<th scope=\"col\" data-type=\"{kind}\" aria-sort=\"none\"><button type=\"button\">{name}</button></th>"
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for entry in entries {
        let page = match &entry.report {
            Some(report) => format!(
                "<a href=\"{}\">{}</a>",
                escape(&percent_encode(report)),
                escape(&entry.path)
            ),
            None => escape(&entry.path),
        };
        let title = match &entry.error {
            Some(error) => format!("<span class=\"error\">error: {}</span>", escape(error)),
            None => escape(&entry.title),
        };
        let number = |value: Option<String>, sort: f64| match value {
            Some(v) => format!("<td class=\"n\" data-v=\"{sort}\">{v}</td>"),
            None => "<td class=\"n\" data-v=\"-1\"></td>".to_string(),
        };
        let ok = entry.error.is_none();
        let _ = writeln!(
            out,
            "<tr><td data-v=\"{}\">{page}</td><td data-v=\"{}\">{title}</td><td data-v=\"{}\">{}</td>{}{}{}{}</tr>",
            escape(&entry.path),
            escape(&entry.title),
            escape(entry.page_type.as_deref().unwrap_or("")),
            escape(entry.page_type.as_deref().unwrap_or("")),
            number(ok.then(|| entry.kept_blocks.to_string()), entry.kept_blocks as f64),
            number(ok.then(|| entry.dropped_blocks.to_string()), entry.dropped_blocks as f64),
            number(ok.then(|| entry.kept_words.to_string()), entry.kept_words as f64),
            number(
                entry.confidence.map(|c| format!("{c:.2}")),
                entry.confidence.unwrap_or(-1.0)
            ),
        );
    }
    out.push_str("</tbody></table></main>\n");
    script(&mut out, &nonce, INDEX_JS);
    out
}

/// A file name as a relative URL: bytes outside a safe set are percent-encoded.
fn percent_encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup() {
        let hostile = r#"<script>alert("x")</script> & 'quote' <img src=x onerror=alert(1)>"#;
        let escaped = escape(hostile);
        assert!(!escaped.contains('<') && !escaped.contains('>') && !escaped.contains('"'));
        assert_eq!(escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
    }

    #[test]
    fn index_rows_link_their_reports_and_show_errors() {
        let entries = [
            IndexEntry {
                path: "crawl/a.html".into(),
                report: Some("000001-a.html".into()),
                title: "Storm <b>repairs</b>".into(),
                page_type: Some("article".into()),
                confidence: Some(0.8123),
                kept_blocks: 7,
                dropped_blocks: 12,
                kept_words: 420,
                error: None,
            },
            IndexEntry::failed("crawl/b.html", "empty page"),
        ];
        let html = index(&entries);
        assert!(html.contains("<a href=\"000001-a.html\">crawl/a.html</a>"));
        assert!(html.contains("Storm &lt;b&gt;repairs&lt;/b&gt;"));
        assert!(html.contains("<td class=\"n\" data-v=\"420\">420</td>"));
        assert!(html.contains("0.81"));
        assert!(html.contains("error: empty page"));
        assert_eq!(html.matches("<tr>").count(), 3);
        assert_eq!(html.matches("data-type=\"num\"").count(), 4);
    }

    #[test]
    fn file_names_become_relative_links() {
        assert_eq!(percent_encode("000001-a b.html"), "000001-a%20b.html");
        assert_eq!(percent_encode("x/../y"), "x%2F..%2Fy");
    }
}
