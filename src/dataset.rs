//! Labelled examples, in the three forms gleaner reads, turned into blocks with labels.
//!
//! - **Labelled pages** (`training-data/`): HTML whose elements carry `data-gleaner-label`.
//! - **Gold-text pages**: a page plus the text a person kept — Readability's test pages
//!   (`NAME/source.html` + `NAME/expected.html`) and CleanEval (`input/N.html` +
//!   `GoldStandard/N.txt`). Blocks are labelled by aligning their words with the gold text.
//! - **Snippet pages**: `evaldata.json` + `html/`, with text snippets that must (`with`) or
//!   must not (`without`) appear in the output. Blocks holding a snippet are labelled; the rest
//!   stay unlabelled.
//! - **Ground-truth records** (WCXB): `ground-truth/NNNN.json` + `html/NNNN.html.gz`, each
//!   record with the page's URL, its page type, the main text and `with`/`without` snippets.
//!   Blocks are labelled by aligning them with the main text, then by the snippets.
//!
//! Every page gets an id: its path relative to the directory given on the command line, so
//! that predictions from other tools can be matched to it by path suffix.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::decode::{decode, DEFAULT_MAX_BYTES};
use crate::error::{Error, Result};
use crate::label::Label;
use crate::page_type::PageType;
use crate::segment::{collapse_whitespace, Page};
use crate::text::{fnv1a, word_tokens};

/// The form of a labelled set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    LabelledPages,
    GoldText,
    Snippets,
    /// `ground-truth/*.json` + `html/`: gold text, snippets, URL and page type per page.
    GroundTruth,
}

/// How a set's outputs are scored by default (see [`crate::eval`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    /// 4-gram shingles of `\w+` tokens; P and R averaged over pages, F1 of the averages.
    Shingles,
    /// Bag of lowercase `\w+` words per page; P, R and F1 averaged over pages (WCXB's metric).
    Words,
    /// Snippets found and missing.
    Snippets,
}

impl std::str::FromStr for Metric {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "shingles" => Ok(Metric::Shingles),
            "words" => Ok(Metric::Words),
            "snippets" => Ok(Metric::Snippets),
            other => Err(format!(
                "unknown metric {other:?}: use shingles, words or snippets"
            )),
        }
    }
}

impl Form {
    /// The metric a set of this form is scored by unless asked otherwise.
    pub fn default_metric(self) -> Metric {
        match self {
            Form::Snippets => Metric::Snippets,
            Form::GroundTruth => Metric::Words,
            Form::LabelledPages | Form::GoldText => Metric::Shingles,
        }
    }
}

/// What a correct output of one page is.
#[derive(Debug, Clone)]
pub enum Gold {
    /// The main text, with its paragraph-like blocks.
    Text { text: String, blocks: Vec<String> },
    /// Snippets that must and must not appear.
    Snippets {
        with: Vec<String>,
        without: Vec<String>,
    },
}

/// One page of a labelled set.
#[derive(Debug, Clone)]
pub struct DatasetPage {
    /// Path relative to the set's root directory.
    pub id: String,
    pub path: PathBuf,
    pub gold: Gold,
    /// Where the page was fetched from, when the set says.
    pub url: Option<String>,
    /// The page's type, when the set says.
    pub page_type: Option<PageType>,
    /// Snippets that must and must not appear, besides gold text (ground-truth records).
    pub snippets: Option<Snippets>,
    /// The page's title as the set gives it apart from the main text.
    pub gold_title: Option<String>,
}

/// Text that a correct output must (`with`) and must not (`without`) contain.
#[derive(Debug, Clone, Default)]
pub struct Snippets {
    pub with: Vec<String>,
    pub without: Vec<String>,
}

/// A labelled set found under one directory.
#[derive(Debug, Clone)]
pub struct Dataset {
    pub name: String,
    pub form: Form,
    pub pages: Vec<DatasetPage>,
}

impl DatasetPage {
    /// A page with gold of its own and nothing else known about it.
    fn new(id: String, path: PathBuf, gold: Gold) -> Self {
        DatasetPage {
            id,
            path,
            gold,
            url: None,
            page_type: None,
            snippets: None,
            gold_title: None,
        }
    }

    /// The host of [`DatasetPage::url`], without a leading `www.`: cross-validation keeps a
    /// site's pages in one fold, so that no fold is scored on a template it trained on.
    pub fn host(&self) -> Option<String> {
        host_of(self.url.as_deref()?)
    }
}

/// The lowercase host of an absolute URL, without a leading `www.`.
///
/// ```
/// assert_eq!(gleaner::dataset::host_of("https://www.Example.org:8080/a?b").as_deref(), Some("example.org"));
/// assert_eq!(gleaner::dataset::host_of("not a url"), None);
/// ```
pub fn host_of(url: &str) -> Option<String> {
    let rest = url.trim().split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = authority.rsplit('@').next()?.split(':').next()?;
    let host = host.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    (!host.is_empty()).then(|| host.to_string())
}

/// A page cut into blocks, with a label (or none) per block.
#[derive(Debug, Clone)]
pub struct LabelledPage {
    pub page: Page,
    pub labels: Vec<Option<Label>>,
    /// The labels come from `data-gleaner-label` attributes rather than gold text or snippets.
    pub hand_labelled: bool,
}

impl Dataset {
    /// Whether the set is the one called `name`: its name as printed, its last path
    /// component, or a directory above it (`cleaneval` names both `cleaneval/dev` and
    /// `cleaneval/final`).
    pub fn is_called(&self, name: &str) -> bool {
        let name = name.trim_end_matches('/');
        self.name == name
            || self.name.rsplit('/').next() == Some(name)
            || self.name.starts_with(&format!("{name}/"))
            || self.name.contains(&format!("/{name}/"))
    }

    /// Finds the labelled sets under `dir`: the directory itself if it is one, otherwise each
    /// subdirectory that is one (so `cleaneval/` yields `cleaneval/dev` and `cleaneval/final`).
    pub fn discover(dir: &Path) -> Result<Vec<Dataset>> {
        if !dir.is_dir() {
            return Err(Error::Data(format!(
                "{} is not a directory of labelled pages",
                dir.display()
            )));
        }
        let mut sets = Vec::new();
        discover_into(dir, dir, &mut sets, 0)?;
        if sets.is_empty() {
            return Err(Error::Data(format!(
                "no labelled pages under {}: expected evaldata.json + html/ (snippets), \
                 NAME/source.html + NAME/expected.html or input/ + GoldStandard/ (gold text), or \
                 HTML files with data-gleaner-label attributes",
                dir.display()
            )));
        }
        Ok(sets)
    }
}

fn discover_into(root: &Path, dir: &Path, sets: &mut Vec<Dataset>, depth: usize) -> Result<()> {
    let name = dir
        .strip_prefix(root.parent().unwrap_or(root))
        .unwrap_or(dir)
        .display()
        .to_string();
    let rel = |p: &Path| {
        p.strip_prefix(root)
            .unwrap_or(p)
            .to_string_lossy()
            .replace('\\', "/")
    };
    if dir.join("evaldata.json").is_file() {
        sets.push(Dataset {
            name,
            form: Form::Snippets,
            pages: snippet_pages(dir, &rel)?,
        });
        return Ok(());
    }
    if dir.join("ground-truth").is_dir() && dir.join("html").is_dir() {
        sets.push(Dataset {
            name,
            form: Form::GroundTruth,
            pages: ground_truth_pages(dir, &rel)?,
        });
        return Ok(());
    }
    if dir.join("input").is_dir() && dir.join("GoldStandard").is_dir() {
        sets.push(Dataset {
            name,
            form: Form::GoldText,
            pages: cleaneval_pages(dir, &rel)?,
        });
        return Ok(());
    }
    let subdirs = sorted_entries(dir)?
        .into_iter()
        .filter(|p| p.is_dir())
        .collect::<Vec<_>>();
    let readability: Vec<&PathBuf> = subdirs
        .iter()
        .filter(|d| d.join("source.html").is_file() && d.join("expected.html").is_file())
        .collect();
    if !readability.is_empty() {
        let mut pages = Vec::new();
        for d in readability {
            let expected = read_text(&d.join("expected.html"))?;
            let page = crate::extract::segment_html(&expected);
            let blocks: Vec<String> = page.blocks.into_iter().map(|b| b.text).collect();
            let path = d.join("source.html");
            let gold = Gold::Text {
                text: blocks.join("\n\n"),
                blocks,
            };
            pages.push(DatasetPage::new(rel(&path), path, gold));
        }
        sets.push(Dataset {
            name,
            form: Form::GoldText,
            pages,
        });
        return Ok(());
    }
    let labelled: Vec<PathBuf> = sorted_entries(dir)?
        .into_iter()
        .filter(|p| p.is_file() && is_html_name(p))
        .collect();
    let mut pages = Vec::new();
    for path in labelled {
        let html = read_text(&path)?;
        if !html.contains("data-gleaner-label") {
            continue;
        }
        let page = crate::extract::segment_html(&html);
        let blocks: Vec<String> = page
            .blocks
            .into_iter()
            .filter(|b| b.label == Some(Label::Content))
            .map(|b| b.text)
            .collect();
        let gold = Gold::Text {
            text: blocks.join("\n\n"),
            blocks,
        };
        pages.push(DatasetPage::new(rel(&path), path, gold));
    }
    if !pages.is_empty() {
        sets.push(Dataset {
            name: name.clone(),
            form: Form::LabelledPages,
            pages,
        });
    }
    if depth < 4 {
        for sub in subdirs {
            discover_into(root, &sub, sets, depth + 1)?;
        }
    }
    Ok(())
}

fn is_html_name(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("html" | "htm")
    )
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    Ok(entries)
}

fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    Ok(decode(&bytes, None, DEFAULT_MAX_BYTES)
        .map(|d| d.html)
        .unwrap_or_default())
}

fn snippet_pages(dir: &Path, rel: &dyn Fn(&Path) -> String) -> Result<Vec<DatasetPage>> {
    #[derive(serde::Deserialize)]
    struct Entry {
        file: String,
        #[serde(default)]
        with: Vec<String>,
        #[serde(default)]
        without: Vec<String>,
    }
    let index = dir.join("evaldata.json");
    let bytes = std::fs::read(&index).map_err(|e| Error::io(&index, e))?;
    let entries: HashMap<String, Entry> = serde_json::from_slice(&bytes)
        .map_err(|e| Error::Data(format!("{}: not a snippet index: {e}", index.display())))?;
    let mut pages: Vec<DatasetPage> = entries
        .into_iter()
        .map(|(url, entry)| {
            let path = dir.join("html").join(&entry.file);
            let gold = Gold::Snippets {
                with: entry.with,
                without: entry.without,
            };
            DatasetPage {
                url: Some(url),
                ..DatasetPage::new(rel(&path), path, gold)
            }
        })
        .filter(|p| p.path.is_file())
        .collect();
    pages.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(pages)
}

fn cleaneval_pages(dir: &Path, rel: &dyn Fn(&Path) -> String) -> Result<Vec<DatasetPage>> {
    let mut pages = Vec::new();
    for path in sorted_entries(&dir.join("input"))? {
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        let gold_path = dir.join("GoldStandard").join(format!("{stem}.txt"));
        if !gold_path.is_file() {
            continue;
        }
        let gold = read_text(&gold_path)?;
        let url = gold
            .lines()
            .next()
            .and_then(|line| line.trim().strip_prefix("URL:"))
            .map(|u| u.trim().to_string())
            .filter(|u| !u.is_empty());
        let blocks = cleaneval_blocks(&gold);
        let gold = Gold::Text {
            text: blocks.join("\n\n"),
            blocks,
        };
        pages.push(DatasetPage {
            url,
            ..DatasetPage::new(rel(&path), path, gold)
        });
    }
    Ok(pages)
}

/// Reads WCXB-style records: `ground-truth/ID.json` beside `html/ID.html.gz` (or `.html`).
fn ground_truth_pages(dir: &Path, rel: &dyn Fn(&Path) -> String) -> Result<Vec<DatasetPage>> {
    #[derive(serde::Deserialize)]
    struct Record {
        #[serde(default)]
        url: Option<String>,
        #[serde(default)]
        file_id: Option<String>,
        #[serde(default, rename = "_internal")]
        internal: Option<Internal>,
        ground_truth: Truth,
    }
    #[derive(serde::Deserialize)]
    struct Internal {
        #[serde(default)]
        page_type: Option<serde_json::Value>,
    }
    #[derive(serde::Deserialize)]
    struct Truth {
        #[serde(default)]
        title: Option<String>,
        #[serde(default)]
        main_content: Option<String>,
        #[serde(default)]
        with: Vec<String>,
        #[serde(default)]
        without: Vec<String>,
    }
    let mut pages = Vec::new();
    for path in sorted_entries(&dir.join("ground-truth"))? {
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
        let record: Record = serde_json::from_slice(&bytes).map_err(|e| {
            Error::Data(format!(
                "{}: not a ground-truth record: {e}",
                path.display()
            ))
        })?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        let id = record.file_id.clone().unwrap_or_else(|| stem.to_string());
        let Some(html) = ["html.gz", "htm.gz", "html", "htm"]
            .iter()
            .map(|ext| dir.join("html").join(format!("{id}.{ext}")))
            .find(|p| p.is_file())
        else {
            continue;
        };
        // The benchmark reads a missing type as an article and "category" as a collection.
        let page_type = record
            .internal
            .and_then(|i| i.page_type)
            .and_then(|v| match v {
                serde_json::Value::String(s) => Some(s),
                serde_json::Value::Object(o) => o.get("primary")?.as_str().map(str::to_string),
                _ => None,
            })
            .map_or(Some(PageType::Article), |s| s.parse().ok());
        let truth = record.ground_truth;
        let text = truth.main_content.unwrap_or_default();
        let blocks = text
            .split("\n\n")
            .map(collapse_whitespace)
            .filter(|b| !b.is_empty())
            .collect();
        pages.push(DatasetPage {
            url: record.url,
            page_type,
            snippets: Some(Snippets {
                with: truth.with,
                without: truth.without,
            }),
            gold_title: truth.title.filter(|t| !t.trim().is_empty()),
            ..DatasetPage::new(rel(&html), html, Gold::Text { text, blocks })
        });
    }
    Ok(pages)
}

/// Splits CleanEval gold text into blocks: each starts at a `<p>`, `<h>` or `<l>` marker; a
/// first `URL:` line is not part of the text.
pub fn cleaneval_blocks(gold: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current = String::new();
    for (i, line) in gold.lines().enumerate() {
        if i == 0 && line.trim_start().starts_with("URL:") {
            continue;
        }
        let trimmed = line.trim_start();
        let marker = ["<p>", "<h>", "<l>", "<P>", "<H>", "<L>"]
            .iter()
            .find(|m| trimmed.starts_with(**m));
        if let Some(marker) = marker {
            let text = collapse_whitespace(&current);
            if !text.is_empty() {
                blocks.push(text);
            }
            current = trimmed[marker.len()..].to_string();
        } else {
            current.push(' ');
            current.push_str(line);
        }
    }
    let text = collapse_whitespace(&current);
    if !text.is_empty() {
        blocks.push(text);
    }
    blocks
}

impl DatasetPage {
    /// Reads, segments and labels the page's blocks.
    pub fn load(&self) -> Result<LabelledPage> {
        let bytes = std::fs::read(&self.path).map_err(|e| Error::io(&self.path, e))?;
        let decoded = decode(&bytes, None, DEFAULT_MAX_BYTES)?;
        let page = crate::extract::segment_html(&decoded.html);
        let hand_labelled = decoded.html.contains("data-gleaner-label");
        let mut labels = match &self.gold {
            _ if hand_labelled => page.blocks.iter().map(|b| b.label).collect(),
            // Gold drafted to the labelling rule keeps a listing's cards, which are one link
            // each: trust its lone links, unlike extractor-made gold.
            Gold::Text { text, blocks } if self.snippets.is_some() => {
                align_gold_text_with(&page, text, blocks, true)
            }
            Gold::Text { text, blocks } => align_gold_text(&page, text, blocks),
            Gold::Snippets { with, without } => label_by_snippets(&page, with, without),
        };
        if !hand_labelled {
            if let Some(snippets) = &self.snippets {
                let by_snippet = label_by_snippets(&page, &snippets.with, &snippets.without);
                for (label, snippet) in labels.iter_mut().zip(by_snippet) {
                    if snippet.is_some() {
                        *label = snippet;
                    }
                }
            }
            if let Some(title) = &self.gold_title {
                unlabel_title_blocks(&page, &mut labels, title);
            }
            if self.page_type != Some(PageType::Forum) {
                label_comment_sections(&page, &mut labels);
            }
        }
        Ok(LabelledPage {
            page,
            labels,
            hand_labelled,
        })
    }
}

const SHINGLE: usize = 3;

fn lowercase_tokens(text: &str) -> Vec<String> {
    word_tokens(text).map(str::to_lowercase).collect()
}

fn shingle_hashes(tokens: &[String]) -> Vec<u64> {
    tokens
        .windows(SHINGLE)
        .map(|w| fnv1a(w.join(" ").as_bytes()))
        .collect()
}

/// Labels blocks by how much of their text the gold text contains: most of their word
/// 3-grams → content, almost none → noise, in between → unlabelled (too uncertain to train on).
pub fn align_gold_text(page: &Page, gold_text: &str, gold_blocks: &[String]) -> Vec<Option<Label>> {
    align_gold_text_with(page, gold_text, gold_blocks, false)
}

/// [`align_gold_text`]; with `trust_lone_links`, a block that is one link and nothing else is
/// labelled like any other block.
pub fn align_gold_text_with(
    page: &Page,
    gold_text: &str,
    gold_blocks: &[String],
    trust_lone_links: bool,
) -> Vec<Option<Label>> {
    let gold_tokens = lowercase_tokens(gold_text);
    let gold_shingles: HashSet<u64> = shingle_hashes(&gold_tokens).into_iter().collect();
    let gold_vocabulary: HashSet<&str> = gold_tokens.iter().map(String::as_str).collect();
    let gold_short_blocks: HashSet<String> = gold_blocks
        .iter()
        .map(|b| lowercase_tokens(b).join(" "))
        .collect();
    page.blocks
        .iter()
        .map(|block| {
            let tokens = lowercase_tokens(&block.text);
            if tokens.is_empty() {
                return None;
            }
            if tokens.len() < SHINGLE {
                if gold_short_blocks.contains(&tokens.join(" ")) {
                    return Some(Label::Content);
                }
                let known = tokens.iter().any(|t| gold_vocabulary.contains(t.as_str()));
                return (!known).then_some(Label::Noise);
            }
            let shingles = shingle_hashes(&tokens);
            let found = shingles
                .iter()
                .filter(|s| gold_shingles.contains(s))
                .count();
            let coverage = found as f64 / shingles.len() as f64;
            // A line that is one link and nothing else proves little when the gold keeps it:
            // gold made by extractors keeps whole article bodies, teaser links for other
            // stories included. Its absence from the gold still says it is noise.
            let lone_link =
                !trust_lone_links && block.links == 1 && block.link_chars * 10 >= block.chars * 9;
            if coverage >= 0.6 && lone_link {
                None
            } else if coverage >= 0.6 {
                Some(Label::Content)
            } else if coverage <= 0.15 {
                Some(Label::Noise)
            } else {
                None
            }
        })
        .collect()
}

/// By the labelling rule, reader comments and comment forms are not an article's content,
/// though some sets' gold keeps them: every block of a comment section that sits beside the
/// page's own text (see [`crate::features::CommentContext::beside_text`]) is labelled
/// [`Label::Comment`]. Forum pages, whose posts are the content, are not passed here.
pub fn label_comment_sections(page: &Page, labels: &mut [Option<Label>]) {
    let comments = crate::features::CommentContext::of(page);
    for (block, label) in page.blocks.iter().zip(labels) {
        if comments.beside_text(page, block) {
            *label = Some(Label::Comment);
        }
    }
}

/// Sets that keep the title apart from the main text would label the page's headline noise,
/// though by the labelling rule a headline is content: such blocks are left unlabelled.
fn unlabel_title_blocks(page: &Page, labels: &mut [Option<Label>], title: &str) {
    let title = lowercase_tokens(title).join(" ");
    if title.is_empty() {
        return;
    }
    for (block, label) in page.blocks.iter().zip(labels) {
        if *label == Some(Label::Noise) && lowercase_tokens(&block.text).join(" ") == title {
            *label = None;
        }
    }
}

/// Whitespace-insensitive containment, as the snippet scorer uses it.
pub fn normalise_for_snippets(text: &str) -> String {
    collapse_whitespace(text)
}

/// Labels the blocks that hold a `with` snippet content and a `without` snippet noise; a
/// snippet spanning several blocks labels all of them; blocks claimed by both stay unlabelled.
pub fn label_by_snippets(page: &Page, with: &[String], without: &[String]) -> Vec<Option<Label>> {
    let mut joined = String::new();
    let mut spans = Vec::with_capacity(page.blocks.len());
    for block in &page.blocks {
        if !joined.is_empty() {
            joined.push(' ');
        }
        let start = joined.len();
        joined.push_str(&block.text);
        spans.push((start, joined.len()));
    }
    let mut content = vec![false; page.blocks.len()];
    let mut noise = vec![false; page.blocks.len()];
    let mark = |snippets: &[String], marks: &mut Vec<bool>| {
        for snippet in snippets {
            let snippet = normalise_for_snippets(snippet);
            if snippet.is_empty() {
                continue;
            }
            for (at, _) in joined.match_indices(snippet.as_str()) {
                let end = at + snippet.len();
                for (i, &(s, e)) in spans.iter().enumerate() {
                    if s < end && at < e {
                        marks[i] = true;
                    }
                }
            }
        }
    };
    mark(with, &mut content);
    mark(without, &mut noise);
    content
        .into_iter()
        .zip(noise)
        .map(|(c, n)| match (c, n) {
            (true, false) => Some(Label::Content),
            (false, true) => Some(Label::Noise),
            _ => None,
        })
        .collect()
}

/// The index of the first set called `name` (see [`Dataset::is_called`]); the error names
/// the sets there are.
pub fn find_set(sets: &[Dataset], name: &str) -> Result<usize> {
    sets.iter().position(|s| s.is_called(name)).ok_or_else(|| {
        Error::Data(format!(
            "no set called {name:?} among the data; the sets are: {}",
            sets.iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(html: &str) -> Page {
        crate::extract::segment_html(html)
    }

    #[test]
    fn cleaneval_markup_is_split_into_blocks() {
        let gold = "URL: http://example.org/\n\n<h>A heading\n<p>First paragraph\ncontinues here.\n<l>* item";
        assert_eq!(
            cleaneval_blocks(gold),
            ["A heading", "First paragraph continues here.", "* item"]
        );
    }

    #[test]
    fn gold_text_alignment_labels_article_and_chrome() {
        let p = page(
            "<nav><a href=/>Home</a> <a href=/news>News</a></nav>\
             <p>The river rose three metres overnight and flooded the old town.</p>\
             <p>Share this article on social media with your friends today</p>\
             <h2>Aftermath</h2>",
        );
        let gold = "The river rose three metres overnight and flooded the old town.\n\nAftermath";
        let blocks = vec![
            "The river rose three metres overnight and flooded the old town.".to_string(),
            "Aftermath".to_string(),
        ];
        let labels = align_gold_text(&p, gold, &blocks);
        assert_eq!(
            labels,
            [
                Some(Label::Noise),
                Some(Label::Content),
                Some(Label::Noise),
                Some(Label::Content)
            ]
        );
    }

    #[test]
    fn comment_sections_under_the_page_text_are_labelled_comments() {
        let body = "<p>The council voted on Tuesday to reopen the old swimming baths after a \
                    ten-year campaign by residents, who raised half of the repair costs.</p>"
            .repeat(4);
        let p = page(&format!(
            "<article>{body}</article><div id=comments><h2>Comments</h2>\
             <div class=comment><p>Great news, I learnt to swim there.</p></div></div>"
        ));
        let mut labels = vec![Some(Label::Content); p.blocks.len()];
        label_comment_sections(&p, &mut labels);
        assert_eq!(labels[0], Some(Label::Content));
        assert_eq!(labels[labels.len() - 2..], [Some(Label::Comment); 2]);
        // A "comments" wrapper around most of the page is the page, not its comments.
        let p = page(&format!("<div class=comments-open>{body}</div>"));
        let mut labels = vec![Some(Label::Content); p.blocks.len()];
        label_comment_sections(&p, &mut labels);
        assert!(labels.iter().all(|l| *l == Some(Label::Content)));
    }

    /// Labels every block content, then asserts that the comment labelling renamed exactly
    /// the blocks of comment sections.
    fn assert_comment_sections_are_comments(p: &Page) {
        let mut labels = vec![Some(Label::Content); p.blocks.len()];
        label_comment_sections(p, &mut labels);
        for (block, label) in p.blocks.iter().zip(&labels) {
            let expected = if block.comment_section.is_some() {
                Label::Comment
            } else {
                Label::Content
            };
            assert_eq!(*label, Some(expected), "{}", block.text);
        }
    }

    #[test]
    fn a_thread_longer_than_the_article_is_still_comments() {
        let article = "<p>The council voted on Tuesday to reopen the old swimming baths after a \
                       ten-year campaign by residents, who raised half of the repair costs \
                       themselves through fairs, sponsored swims and a long summer of raffles.</p>"
            .repeat(12);
        let comment = "<li class=comment><p>I learnt to swim there in the seventies and it is \
                       wonderful news that my grandchildren will get the chance to do the same, \
                       well done to everyone who campaigned for so long.</p></li>";
        let thread = comment.repeat(40);
        let p = page(&format!(
            "<article><h1>Baths to reopen</h1>{article}</article>\
             <section id=comments><h2>40 comments</h2><ol>{thread}</ol></section>"
        ));
        let page_words: u32 = p.blocks.iter().map(|b| b.words).sum();
        let thread_words: u32 = p
            .blocks
            .iter()
            .filter(|b| b.comment_section.is_some())
            .map(|b| b.words)
            .sum();
        assert!(
            thread_words * 2 > page_words,
            "the thread is most of the page"
        );
        assert_comment_sections_are_comments(&p);
    }

    #[test]
    fn a_few_long_comments_under_a_short_post_are_comments() {
        let post = "<p>The council voted on Tuesday to reopen the old swimming baths after a \
                    ten-year campaign by residents, who raised half of the repair costs.</p>"
            .repeat(5);
        let comment = "<li class=comment><div class=comment-content><p>I learnt to swim there \
                       in the seventies and it is wonderful news that my grandchildren will get \
                       the chance to do the same, well done to everyone who campaigned.</p>\
                       </div></li>";
        let p = page(&format!(
            "<article><div class=entry>{post}</div></article>\
             <div id=comments><ol>{}</ol></div>",
            comment.repeat(5)
        ));
        let words = |in_section: bool| -> u32 {
            p.blocks
                .iter()
                .filter(|b| b.comment_section.is_some() == in_section)
                .map(|b| b.words)
                .sum()
        };
        assert!(words(true) > words(false), "the comments outweigh the post");
        assert_comment_sections_are_comments(&p);
    }

    #[test]
    fn a_long_thread_of_signed_comments_is_still_comments() {
        // Each comment carries a signature line beside its text, as Drupal's and many news
        // sites' threads do: two prose blocks per comment, so the thread's list gathers more
        // grandparent credit than the article's one container does.
        let post = "<p>The council voted on Tuesday to reopen the old swimming baths after a \
                    ten-year campaign by residents, who raised half of the repair costs.</p>"
            .repeat(6);
        let comment = "<div class=comment><div class=submitted>Submitted by a reader on Wed, \
                       14 March 2012 at twenty past three.</div><div class=content><p>I learnt \
                       to swim there in the seventies and it is wonderful news that my \
                       grandchildren will get the chance to do the same.</p></div></div>";
        let p = page(&format!(
            "<div class=post><h1>Baths to reopen</h1><div class=entry>{post}</div></div>\
             <div id=comments><h2>Comments</h2>{}</div>",
            comment.repeat(40)
        ));
        assert_comment_sections_are_comments(&p);
    }

    #[test]
    fn snippets_label_the_blocks_that_hold_them() {
        let p = page("<p>Impressum</p><p>Alpha beta gamma.</p><p>Delta</p><p>Epsilon zeta.</p>");
        let labels = label_by_snippets(
            &p,
            &["beta  gamma".to_string(), "Delta Epsilon".to_string()],
            &["Impressum".to_string()],
        );
        assert_eq!(
            labels,
            [
                Some(Label::Noise),
                Some(Label::Content),
                Some(Label::Content),
                Some(Label::Content)
            ]
        );
    }
}
