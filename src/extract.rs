//! The extraction pipeline, as a named sequence of steps you can follow top to bottom:
//! [`decode`] → [`parse`](crate::parse) (`scraper`) → [`segment`](crate::segment) →
//! [`features`](crate::features) → classify ([`Model`]) → [`smooth`](crate::smooth) → decide.

use crate::decode::{self, Decoded, DEFAULT_MAX_BYTES};
use crate::error::Result;
use crate::label::Label;
use crate::metadata::{Date, DomSignals, Metadata};
use crate::model::{top_reasons, Classifier, Model, Reason};
use crate::output::Output;
use crate::page_type::{most_likely, PageType};
use crate::segment::{segment_with, Block, Page};
use crate::smooth::smoothing_rows_with_words;

/// Runs the pipeline with one model. Cheap to share across threads.
#[derive(Debug, Clone)]
pub struct Extractor {
    model: Model,
    max_bytes: usize,
    explain: bool,
    name_kinds: bool,
    include_comments: bool,
    output: Output,
    metadata: bool,
}

/// A block with its scores and final label.
#[derive(Debug, Clone)]
pub struct ScoredBlock {
    pub block: Block,
    /// First-pass content probability from the block's own features.
    pub first_score: f64,
    /// Final content probability after smoothing.
    pub score: f64,
    /// `Content`, or the kind of noise.
    pub label: Label,
    /// For dropped blocks, when the extractor explains: the strongest features behind the kind.
    pub reasons: Vec<Reason>,
}

/// What the pipeline found in one page.
#[derive(Debug, Clone)]
pub struct Extraction {
    pub title: String,
    /// Clickbait probability of the title (0–1), from the headline model.
    pub title_clickbait: Option<f64>,
    pub blocks: Vec<ScoredBlock>,
    /// Charset used to read the page, when it came in as bytes.
    pub encoding: Option<&'static str>,
    /// The page was longer than the byte limit and only its start was read.
    pub truncated: bool,
    /// The most likely page type, when the model has a page-type classifier.
    pub page_type: Option<PageType>,
    /// The probability of each page type, in the order of [`PageType::ALL`].
    pub page_type_probabilities: Option<[f64; 7]>,
    /// Comment blocks count as kept (the extractor was asked to include comments).
    pub include_comments: bool,
    /// The model's estimate (0–1) of how well this page was extracted, when it has one.
    pub confidence: Option<f64>,
    /// How [`Extraction::formatted`] writes the article (the extractor's [`Output`]).
    pub output: Output,
    /// The URL the page was fetched from when known, else the canonical URL it states: the
    /// base of relative links (with `base_href`).
    pub url: Option<String>,
    /// The page's `<base href>` (read when the output needs structure).
    pub base_href: Option<String>,
    /// Author, dates, site, language and the rest, when the extractor reads them
    /// ([`Extractor::metadata`]).
    pub metadata: Option<Metadata>,
}

impl Extraction {
    /// Whether a block is in the text: content, and comments when they were asked for.
    pub fn keeps(&self, block: &ScoredBlock) -> bool {
        block.label.is_content() || (self.include_comments && block.label == Label::Comment)
    }

    /// The article text: the kept blocks, paragraphs separated by blank lines.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for scored in self.blocks.iter().filter(|b| self.keeps(b)) {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(&scored.block.text);
        }
        out
    }
}

/// Intermediate results of the scoring steps, shared by extraction and training.
pub struct Scored {
    pub page: Page,
    pub features: ndarray::Array2<f64>,
    pub first_scores: Vec<f64>,
    pub scores: Vec<f64>,
    /// The page-type probabilities the features were computed with.
    pub page_type: Option<[f64; 7]>,
    /// Per block: whether [`crate::threads::reader_comments`] took it for a reader comment
    /// under an article (its score was lowered, and its kind is `comment`).
    pub reader_comments: Vec<bool>,
}

impl Extractor {
    pub fn new(model: Model) -> Self {
        Extractor {
            model,
            max_bytes: DEFAULT_MAX_BYTES,
            explain: false,
            name_kinds: true,
            include_comments: false,
            output: Output::default(),
            metadata: true,
        }
    }

    /// An extractor with the model shipped inside the binary.
    pub fn with_default_model() -> Result<Self> {
        Ok(Extractor::new(Model::default_model()?))
    }

    /// Pages longer than this (after gzip) are cut at this size.
    pub fn max_bytes(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// Also record, for every dropped block, the features that made it that kind of noise.
    pub fn explain(mut self, explain: bool) -> Self {
        self.explain = explain;
        self
    }

    /// Name the kind of noise (`boilerplate`, `teaser`, `promo`) of every dropped block; on by
    /// default. Off, dropped blocks are all labelled `noise`: the text is the same, and a
    /// batch that writes only text spares the kind classifier's time.
    pub fn name_kinds(mut self, name_kinds: bool) -> Self {
        self.name_kinds = name_kinds;
        self
    }

    /// Keep reader comments (blocks the model names `comment`) in the text; off by default.
    /// On forum pages the posts are content either way.
    pub fn include_comments(mut self, include_comments: bool) -> Self {
        self.include_comments = include_comments;
        self
    }

    /// Write the article as text (the default), Markdown or HTML ([`Extraction::formatted`],
    /// and `text` in [`Record`](crate::render::Record)s). Markdown and HTML make
    /// segmentation record each block's structure; the blocks and their scores stay the same.
    pub fn output(mut self, output: Output) -> Self {
        self.output = output;
        self
    }

    /// Read the page's metadata (author, dates, site, language, …; see [`crate::metadata`])
    /// from the same parsed page; on by default.
    pub fn metadata(mut self, metadata: bool) -> Self {
        self.metadata = metadata;
        self
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Extracts from raw bytes (plain or gzip, any charset).
    pub fn extract_bytes(&self, bytes: &[u8]) -> Result<Extraction> {
        self.extract_bytes_with_charset(bytes, None)
    }

    /// As [`Extractor::extract_bytes`], with a charset label known from outside the page
    /// (an HTTP `Content-Type` header), which outranks the page's own declaration.
    pub fn extract_bytes_with_charset(
        &self,
        bytes: &[u8],
        charset: Option<&str>,
    ) -> Result<Extraction> {
        self.extract_bytes_from(bytes, charset, None)
    }

    /// As [`Extractor::extract_bytes_with_charset`], for a page fetched from `url` (which
    /// helps tell what kind of page it is; without it the page's canonical URL is read).
    pub fn extract_bytes_from(
        &self,
        bytes: &[u8],
        charset: Option<&str>,
        url: Option<&str>,
    ) -> Result<Extraction> {
        let Decoded {
            html,
            encoding,
            truncated,
            ..
        } = decode::decode(bytes, charset, self.max_bytes)?;
        let mut extraction = self.extract_html_from(&html, url);
        extraction.encoding = Some(encoding);
        extraction.truncated = truncated;
        Ok(extraction)
    }

    /// Extracts from an HTML string.
    pub fn extract_html(&self, html: &str) -> Extraction {
        self.extract_html_from(html, None)
    }

    /// Extracts from an HTML string fetched from `url`, when known.
    pub fn extract_html_from(&self, html: &str, url: Option<&str>) -> Extraction {
        self.extract_html_inspecting(html, url, |_| ()).0
    }

    /// [`Extractor::extract_html_from`], handing the scored page (feature rows, scores, page
    /// type) to `inspect` before the decision: what `gleaner explain` reads, on exactly the
    /// path every extraction takes.
    pub fn extract_html_inspecting<T>(
        &self,
        html: &str,
        url: Option<&str>,
        inspect: impl FnOnce(&Scored) -> T,
    ) -> (Extraction, T) {
        let (page, signals) = parse_page(html, self.output.needs_structure(), self.metadata);
        let base_href = page.base_href.clone();
        let page_url = url
            .map(str::to_string)
            .or_else(|| page.canonical_url.clone());
        let scored = self.score_page_from(page, url);
        let inspected = inspect(&scored);
        let mut extraction = self.decide(scored);
        extraction.url = page_url;
        extraction.base_href = base_href;
        if let Some(signals) = signals {
            extraction.metadata = Some(page_metadata(&signals, &extraction));
        }
        (extraction, inspected)
    }

    /// Steps 4–6: features, first-pass classification and smoothing (then the rules after
    /// the model — a sure listing's cards kept, see [`crate::cards`]; an article's reader
    /// comments, related-story lists and headings over nothing dropped, see
    /// [`crate::threads`], [`crate::related`], [`crate::sections`] — and an adapter's
    /// correction).
    pub fn score_page(&self, page: Page) -> Scored {
        self.score_page_from(page, None)
    }

    /// [`Extractor::score_page`] for a page fetched from `url`, when known.
    pub fn score_page_from(&self, page: Page, url: Option<&str>) -> Scored {
        let (features, content_words, page_type) = self.model.page_rows(&page, url);
        let first_scores = self.model.first_pass_scores(&features);
        let scores = match &self.model.smoother {
            Some(smoother) => smoother.scores(&smoothing_rows_with_words(
                &page,
                &features,
                &first_scores,
                &content_words,
            )),
            None => first_scores.clone(),
        };
        // The rules after the model (`crate::rules`); an adapter fitted on a user's pages
        // still has the last word, as it was fitted on scores adjusted alike.
        let mut scores = scores;
        let threshold = self.model.threshold_for(page_type.as_ref());
        let reader_comments =
            crate::rules::after_model(&page, &features, &mut scores, threshold, page_type.as_ref());
        let scores = match &self.model.adapter {
            Some(adapter) => adapter.adjust(&page, &first_scores, &scores),
            None => scores,
        };
        Scored {
            page,
            features,
            first_scores,
            scores,
            page_type,
            reader_comments,
        }
    }

    /// Step 7: threshold the final scores into content, or the kind of noise.
    pub fn decide(&self, scored: Scored) -> Extraction {
        const REASONS: usize = 3;
        let title = page_title(&scored.page);
        let threshold = self.model.threshold_for(scored.page_type.as_ref());
        let confidence = self.model.confidence.as_ref().map(|c| {
            c.confidence(&crate::confidence::extraction_signals(
                &scored.page,
                &scored.first_scores,
                &scored.scores,
                threshold,
                scored.page_type.as_ref(),
            ))
        });

        let blocks = scored
            .page
            .blocks
            .into_iter()
            .zip(scored.first_scores.iter().zip(&scored.scores))
            .enumerate()
            .map(|(i, (block, (&first_score, &score)))| {
                let row = scored.features.row(i);
                let (label, reasons) = if score >= threshold {
                    (Label::Content, Vec::new())
                } else if !self.name_kinds && !self.explain && !self.include_comments {
                    (Label::Noise, Vec::new())
                } else if scored.reader_comments.get(i) == Some(&true) {
                    (Label::Comment, Vec::new())
                } else {
                    match (self.model.kind_of(row), &self.model.first_pass) {
                        (Some(kind), _) => {
                            let reasons = match &self.model.kinds {
                                Some(kinds) if self.explain => {
                                    kinds.reasons(self.model.scale_row(row).view(), kind, REASONS)
                                }
                                _ => Vec::new(),
                            };
                            (kind, reasons)
                        }
                        (None, Classifier::Logistic { weights, .. }) if self.explain => {
                            // Features pushing towards noise: negative weight × value.
                            (
                                Label::Noise,
                                top_reasons(
                                    self.model.scale_row(row).view(),
                                    weights.iter().map(|w| -w),
                                    REASONS,
                                ),
                            )
                        }
                        _ => (Label::Noise, Vec::new()),
                    }
                };
                ScoredBlock {
                    block,
                    first_score,
                    score,
                    label,
                    reasons,
                }
            })
            .collect();
        let title_clickbait = (!title.trim().is_empty())
            .then(|| crate::clickbait::default_model().map(|m| m.score(&title)))
            .flatten();
        Extraction {
            title,
            title_clickbait,
            blocks,
            encoding: None,
            truncated: false,
            page_type: scored.page_type.as_ref().map(most_likely),
            page_type_probabilities: scored.page_type,
            include_comments: self.include_comments,
            confidence,
            output: self.output,
            url: None,
            base_href: None,
            metadata: None,
        }
    }
}

/// Steps 2–3: parses a page and cuts it into blocks.
///
/// A page that shows (almost) nothing without scripts but holds a lot of markup in
/// `<noscript>` — forum software that renders its posts for crawlers there, for one — is read
/// a second time with its `<noscript>` elements taken as ordinary containers, and that
/// reading is kept when it finds more text. So is a page that shows almost nothing because
/// its content is `aria-hidden="true"`: sites set that on everything behind an open dialog (a
/// cookie banner, a sign-up box), which hides it from screen readers, not from the eye. The
/// second reading shows `aria-hidden` elements; elsewhere they stay skipped (icons, the copies
/// a carousel makes of its slides).
///
/// ```
/// let posts = "<p>I upgraded last night and now the dashboard never finishes loading; the \
///              log shows a timeout on every start.</p>".repeat(20);
/// let html = format!("<body><div id=app></div><noscript><main>{posts}</main></noscript></body>");
/// let page = gleaner::extract::segment_html(&html);
/// assert_eq!(page.blocks.len(), 20);
/// assert!(page.blocks[0].text.starts_with("I upgraded last night"));
/// ```
pub fn segment_html(html: &str) -> Page {
    segment_html_with(html, false)
}

/// [`segment_html`]; with `structure`, the blocks also record their
/// [`Structure`](crate::segment::Structure) for the Markdown and HTML renderings.
pub fn segment_html_with(html: &str, structure: bool) -> Page {
    parse_page(html, structure, false).0
}

/// [`segment_html_with`], and what the page's metadata is read from
/// ([`crate::metadata::read_dom`]) when `metadata`, from the same parsed document.
pub fn parse_page(html: &str, structure: bool, metadata: bool) -> (Page, Option<DomSignals>) {
    let read = |html: &str| {
        segment_with(
            &crate::parse::parse_document_with(html, structure),
            structure,
        )
    };
    let dom = crate::parse::parse_document_with(html, structure);
    let signals = metadata.then(|| crate::metadata::read_dom(&dom));
    let mut page = segment_with(&dom, structure);
    const FEW_WORDS: u32 = 150;
    const NOSCRIPT_MARKUP: usize = 1_000;
    let words = |page: &Page| page.blocks.iter().map(|b| b.words).sum::<u32>();
    // A second reading replaces the first only when it finds at least `factor` times the words.
    let richer_by = |first: Page, second: Page, factor: u32| {
        if words(&second) >= factor * words(&first).max(1) {
            second
        } else {
            first
        }
    };
    let richer = |first: Page, second: Page| richer_by(first, second, 2);
    // A page that shows almost nothing but hid elements from screen readers is read again
    // with them shown: an open dialog sets `aria-hidden` on the page behind it.
    if page.aria_hidden_skipped > 0 && words(&page) < FEW_WORDS {
        page = richer(
            page,
            crate::segment::segment_with_options(&dom, structure, true),
        );
    }
    // Likewise a page that script frameworks hide by an inline style until their code runs
    // (`visibility:hidden` on the element around everything) is read again with such elements
    // shown; but only when the hidden part holds three quarters of the words or more, as a
    // page hiding one section (a collapsed panel, an unused tab) beside its visible text does
    // not. On wcxb-dev, 10 pages hidden whole showed 0–130 words and 4–75 times as many with
    // their hidden elements; Readability's test page hiding one section of three, 2 times.
    if page.style_hidden_skipped > 0 && words(&page) < FEW_WORDS {
        let shown = crate::segment::Shown {
            aria_hidden: true,
            hidden_by_style: true,
        };
        let showing = crate::segment::segment_showing(&dom, structure, shown);
        page = richer_by(page, showing, 4);
    }
    drop(dom);
    if page.noscript_bytes < NOSCRIPT_MARKUP || words(&page) >= FEW_WORDS {
        return (page, signals);
    }
    (richer(page, read(&unwrap_noscript(html))), signals)
}

/// The metadata of an extracted page: [`Metadata::resolve`] over the signals, the blocks and
/// the start of the kept text, with today's date, the extraction's title and page type.
fn page_metadata(signals: &DomSignals, extraction: &Extraction) -> Metadata {
    const DETECTION_CHARS: usize = 2_000;
    let blocks: Vec<&Block> = extraction.blocks.iter().map(|b| &b.block).collect();
    let mut text = String::new();
    for scored in extraction.blocks.iter().filter(|b| extraction.keeps(b)) {
        if text.len() >= DETECTION_CHARS {
            break;
        }
        text.push_str(&scored.block.text);
        text.push('\n');
    }
    let mut metadata = Metadata::resolve(signals, &blocks, &text, Date::today());
    if !extraction.title.trim().is_empty() {
        metadata.title = Some(extraction.title.clone());
    }
    metadata.page_type = extraction.page_type.map(|t| t.as_str().to_string());
    metadata
}

/// The page with every `<noscript>` start and end tag renamed to `<div>`, so that its markup
/// parses as elements. (Occurrences inside scripts change script text nobody reads.)
fn unwrap_noscript(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let bytes = html.as_bytes();
    let mut copied = 0;
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'<', &bytes[at..]) {
        let start = at + found;
        let name_at = start + 1 + usize::from(bytes.get(start + 1) == Some(&b'/'));
        let is_noscript = bytes
            .get(name_at..name_at + 8)
            .is_some_and(|n| n.eq_ignore_ascii_case(b"noscript"))
            && bytes
                .get(name_at + 8)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/');
        if is_noscript {
            out.push_str(&html[copied..name_at]);
            out.push_str("div");
            copied = name_at + 8;
        }
        at = start + 1;
    }
    out.push_str(&html[copied..]);
    out
}

/// The page's headline ([`crate::metadata::headline`]): its first `<h1>` when the title in its
/// metadata or `<title>` agrees with it, else the first part of that title.
pub fn page_title(page: &Page) -> String {
    let h1 = page
        .blocks
        .iter()
        .find(|b| b.heading_level == 1)
        .map(|b| b.text.as_str());
    crate::metadata::headline(h1, page.meta_title.as_deref(), &page.title)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str = "<p>The council approved the new cycle lanes on Tuesday after a year of \
        consultation with residents, shop owners and the bus company.</p>";

    fn texts(page: &Page) -> Vec<&str> {
        page.blocks.iter().map(|b| b.text.as_str()).collect()
    }

    /// How many of `texts` are [`STORY`]'s paragraph.
    fn story_paragraphs(texts: &[&str]) -> usize {
        texts
            .iter()
            .filter(|t| t.starts_with("The council"))
            .count()
    }

    #[test]
    fn content_behind_an_open_dialog_is_read_although_aria_hidden() {
        let html = format!(
            "<body><div role=dialog><p>We use cookies.</p><button>Accept</button></div>\
             <main aria-hidden=true><h1>Cycle lanes approved</h1>{}</main></body>",
            STORY.repeat(8)
        );
        let page = segment_html(&html);
        let texts = texts(&page);
        assert!(texts.contains(&"Cycle lanes approved"), "{texts:?}");
        assert_eq!(story_paragraphs(&texts), 8);
        assert!(texts.contains(&"We use cookies."));
    }

    #[test]
    fn aria_hidden_copies_stay_skipped_on_a_page_that_shows_its_text() {
        let html = format!(
            "<body><main><h1>Cycle lanes approved</h1>{}\
             <div aria-hidden=true><p>Slide copy for the carousel</p></div></main></body>",
            STORY.repeat(8)
        );
        let page = segment_html(&html);
        let texts = texts(&page);
        assert!(!texts.contains(&"Slide copy for the carousel"), "{texts:?}");
        assert_eq!(page.aria_hidden_skipped, 1);
    }

    #[test]
    fn a_page_a_framework_hides_whole_until_its_script_runs_is_read() {
        // Next.js-style: the root wrapper is `visibility:hidden` until the scripts have run;
        // the header menu inside it is hidden again by its own style.
        let html = format!(
            "<body><div id=__next><div style=\"visibility:hidden;min-height:100vh\">\
             <div style=\"display:none\"><a href=/>Home</a></div>\
             <main><h1>Cycle lanes approved</h1>{}</main></div></div></body>",
            STORY.repeat(8)
        );
        let page = segment_html(&html);
        let texts = texts(&page);
        assert!(texts.contains(&"Cycle lanes approved"), "{texts:?}");
        assert_eq!(story_paragraphs(&texts), 8);
    }

    #[test]
    fn a_hidden_section_beside_visible_text_stays_hidden() {
        // A collapsed panel beside the visible story holds two thirds of the page's words,
        // more than the visible text but under the three quarters of a page hidden whole.
        let html = format!(
            "<body><article><h1>Cycle lanes approved</h1>{}\
             <div style=\"visibility: hidden\">{}</div></article></body>",
            STORY,
            STORY.replace("council", "committee").repeat(2)
        );
        let page = segment_html(&html);
        let texts = texts(&page);
        assert!(texts.iter().all(|t| !t.contains("committee")), "{texts:?}");
        assert_eq!(page.style_hidden_skipped, 1);
    }
}
