//! What kind of page this is: article, forum, listing… — because what counts as main content
//! depends on it (a list of links is noise inside an article and the content of a listing).
//!
//! Data flow: a segmented [`Page`] (plus its URL when the caller knows it) →
//! [`page_signals`], one row of page-level numbers → [`PageTypeModel`], a multinomial
//! logistic regression fitted with linfa → a probability for each of the seven
//! [`PageType`]s. The block model reads those probabilities as features, and JSON records
//! name the most likely type.
//!
//! The signals are what a person would look at: the URL's words (`/products/`, `/t/`,
//! `/docs/`, a date), the page's structured data (JSON-LD and microdata types, `og:type`),
//! how its text is shaped (prose or short lines, lists, tables, code, prices, timestamps),
//! how much of it repeats one template (cards, posts), and how many things it names (Product
//! entities, prices, linked card titles: one on a product page, dozens on a category page).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::segment::{token_hash, Context, Page};

/// The seven page types of the project's labelling rule (and of the WCXB benchmark).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum PageType {
    /// News story, blog post, essay: headline, standfirst, body, captions.
    Article,
    /// A company's or product's page about what it offers: every section is content.
    Service,
    /// A discussion thread or Q&A page: the posts are the content.
    Forum,
    /// Search results, an archive, a feed: the cards are the content.
    Listing,
    /// One product: description and specifications.
    Product,
    /// A category or catalogue of products or items: the cards are the content.
    Collection,
    /// Reference and manual pages.
    Documentation,
}

impl PageType {
    pub const ALL: [PageType; 7] = [
        PageType::Article,
        PageType::Service,
        PageType::Forum,
        PageType::Listing,
        PageType::Product,
        PageType::Collection,
        PageType::Documentation,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PageType::Article => "article",
            PageType::Service => "service",
            PageType::Forum => "forum",
            PageType::Listing => "listing",
            PageType::Product => "product",
            PageType::Collection => "collection",
            PageType::Documentation => "documentation",
        }
    }

    /// Position in [`PageType::ALL`].
    pub fn index(self) -> usize {
        PageType::ALL
            .iter()
            .position(|&t| t == self)
            .expect("every type is in ALL")
    }
}

impl fmt::Display for PageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PageType {
    type Err = String;

    /// Parses a type name; `category` is read as `collection`, as the benchmark does.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        if wanted == "category" {
            return Ok(PageType::Collection);
        }
        PageType::ALL
            .into_iter()
            .find(|t| t.as_str() == wanted)
            .ok_or_else(|| {
                format!(
                    "unknown page type {s:?}: use one of article, service, forum, listing, \
                     product, collection, documentation"
                )
            })
    }
}

/// Buckets for the words of the URL's host and path.
const URL_BUCKETS: usize = 256;
/// Buckets for structured-data type names.
const TYPE_BUCKETS: usize = 64;
/// Buckets for the words of the title and the first headline.
const TITLE_BUCKETS: usize = 128;
/// Buckets for the words of short lines — buttons and labels ("Add to cart", "Reply",
/// "Sort by", "Edit this page") say what a page is for.
const LABEL_BUCKETS: usize = 256;
/// Buckets for the words of the page's prose: an article narrates ("said", "was"), a
/// service page addresses its reader ("our", "your", "contact"), a thread argues ("I",
/// "thanks") — the vocabulary says what a page is for where its markup does not.
const BODY_BUCKETS: usize = 512;

/// Class/id words whose share of blocks tells page types apart; general template vocabulary.
const CUE_WORDS: &[&str] = &[
    "comment",
    "comments",
    "reply",
    "post",
    "posts",
    "message",
    "thread",
    "topic",
    "answer",
    "question",
    "vote",
    "user",
    "avatar",
    "product",
    "price",
    "cart",
    "buy",
    "sku",
    "rating",
    "review",
    "card",
    "item",
    "grid",
    "tile",
    "list",
    "results",
    "teaser",
    "docs",
    "toc",
    "sidebar",
    "code",
    "highlight",
    "article",
    "entry",
    "hero",
    "feature",
    "pricing",
    "faq",
    "cta",
    "section",
];

/// Names of the [`page_signals`] columns, in order.
pub fn signal_names() -> &'static [String] {
    static NAMES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<String> = [
            "url.known",
            "url.depth",
            "url.has_year",
            "url.has_long_number",
            "url.ends_with_extension",
            "url.has_query",
            "types.known",
            "text.log_words",
            "text.log_blocks",
            "text.link_share",
            "text.prose_share",
            "text.li_block_share",
            "text.li_word_share",
            "text.heading_share",
            "text.log_headings",
            "text.pre_word_share",
            "text.table_word_share",
            "text.log_form_controls",
            "text.image_share",
            "text.price_share",
            "text.time_share",
            "text.question_heading_share",
            "text.short_line_share",
            "text.mean_log_words",
            "landmark.main",
            "landmark.article",
            "landmark.aside",
            "landmark.nav",
            "landmark.footer",
            "landmark.section",
            "repeat.block_share",
            "repeat.word_share",
            "repeat.largest_share",
            "repeat.log_groups",
            "repeat.linked_share",
            "title.question",
            "title.log_words",
            "text.long_block_share",
            "text.headline_link_share",
            "text.h1_count",
            "text.densest_container_share",
            "url.story_shaped",
            "links.story_block_share",
            "links.story_word_share",
            "links.log_story_links",
            "links.story_heading_share",
            "url.root",
            "types.log_products",
            "types.log_list_items",
            "text.log_prices",
            "text.log_linked_headings",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        names.extend(CUE_WORDS.iter().map(|w| format!("cue.{w}")));
        names.extend((0..URL_BUCKETS).map(|i| format!("url.{i}")));
        names.extend((0..TYPE_BUCKETS).map(|i| format!("types.{i}")));
        names.extend((0..TITLE_BUCKETS).map(|i| format!("title.{i}")));
        names.extend((0..LABEL_BUCKETS).map(|i| format!("labels.{i}")));
        names.extend((0..BODY_BUCKETS).map(|i| format!("body.{i}")));
        names
    })
}

/// The page-level numbers a [`PageTypeModel`] reads, in the order of [`signal_names`].
/// `url` is where the page came from when the caller knows it; otherwise the page's own
/// canonical URL is read.
pub fn page_signals(page: &Page, url: Option<&str>) -> Vec<f64> {
    let mut row = Vec::with_capacity(signal_names().len());
    let url = url.or(page.canonical_url.as_deref());
    let url_tokens = url.map(url_tokens).unwrap_or_default();
    let repeated_types = structured_types_with_repeats(page);
    let types = distinct(repeated_types.clone());
    let path = url.map(url_path).unwrap_or("");
    row.push(f64::from(u8::from(url.is_some())));
    row.push((path.split('/').filter(|s| !s.is_empty()).count() as f64).min(8.0) / 8.0);
    row.push(flag(url_tokens.iter().any(|t| t == "#year")));
    row.push(flag(url_tokens.iter().any(|t| t == "#number")));
    let last = path.rsplit('/').find(|s| !s.is_empty()).unwrap_or("");
    row.push(flag(last.rsplit_once('.').is_some_and(|(_, ext)| {
        (2..=5).contains(&ext.len()) && ext.chars().all(|c| c.is_ascii_alphabetic())
    })));
    row.push(flag(url.is_some_and(|u| u.contains('?'))));
    row.push(flag(!types.is_empty()));

    let blocks = &page.blocks;
    let n = blocks.len().max(1) as f64;
    let words: f64 = blocks.iter().map(|b| f64::from(b.words)).sum();
    let total_words = words.max(1.0);
    let chars: f64 = blocks
        .iter()
        .map(|b| f64::from(b.chars))
        .sum::<f64>()
        .max(1.0);
    let link_chars: f64 = blocks.iter().map(|b| f64::from(b.link_chars)).sum();
    let share = |keep: &dyn Fn(&crate::segment::Block) -> bool| {
        blocks.iter().filter(|b| keep(b)).count() as f64 / n
    };
    let word_share = |keep: &dyn Fn(&crate::segment::Block) -> bool| {
        blocks
            .iter()
            .filter(|b| keep(b))
            .map(|b| f64::from(b.words))
            .sum::<f64>()
            / total_words
    };
    let link_density =
        |b: &crate::segment::Block| f64::from(b.link_chars) / f64::from(b.chars.max(1));
    row.push((1.0 + words).ln() / 10.0);
    row.push((1.0 + blocks.len() as f64).ln() / 7.0);
    row.push(link_chars / chars);
    row.push(word_share(&|b| b.words >= 12 && link_density(b) < 0.34));
    row.push(share(&|b| b.tag == "li"));
    row.push(word_share(&|b| b.tag == "li"));
    row.push(share(&|b| b.heading_level > 0));
    let headings = blocks.iter().filter(|b| b.heading_level > 0).count() as f64;
    row.push((1.0 + headings).ln() / 5.0);
    row.push(word_share(&|b| b.context.contains(Context::PRE)));
    row.push(word_share(&|b| b.context.contains(Context::TABLE)));
    let form_controls = page.containers.first().map_or(0, |c| c.form_controls);
    row.push((1.0 + f64::from(form_controls)).ln() / 5.0);
    row.push(share(&|b| b.near_image));
    let prices = blocks
        .iter()
        .filter(|b| b.words <= 6 && looks_like_price(&b.text))
        .count() as f64;
    row.push(prices / n);
    row.push(share(&|b| b.context.contains(Context::TIME)));
    row.push(share(&|b| {
        b.heading_level > 0 && b.text.trim_end().ends_with('?')
    }));
    row.push(share(&|b| b.words <= 4));
    row.push(
        blocks
            .iter()
            .map(|b| (1.0 + f64::from(b.words)).ln())
            .sum::<f64>()
            / n
            / 5.0,
    );
    for landmark in [
        Context::MAIN,
        Context::ARTICLE,
        Context::ASIDE,
        Context::NAV,
        Context::FOOTER,
        Context::SECTION,
    ] {
        row.push(share(&|b| b.context.contains(landmark)));
    }
    row.extend(repetition(page, total_words));
    let title = page.meta_title.as_deref().unwrap_or(&page.title);
    row.push(flag(title.trim_end().ends_with('?')));
    row.push((1.0 + crate::segment::count_words(title) as f64).ln() / 4.0);
    row.push(share(&|b| b.words >= 40));
    row.push(share(&|b| {
        (3..=16).contains(&b.words) && b.links >= 1 && b.link_chars * 10 >= b.chars * 9
    }));
    let h1s = blocks.iter().filter(|b| b.heading_level == 1).count();
    row.push((h1s as f64).min(5.0) / 5.0);
    row.push(densest_container_share(page, total_words));
    // An article's own address is a story's (a slug of words, a long number); a listing's is a
    // section's. A listing's cards link to stories, and its card titles are headings that do;
    // an article links to a few at most (related stories), outside its headings.
    row.push(flag(url.is_some_and(crate::segment::is_story_url)));
    row.push(share(&|b| b.story_links > 0));
    row.push(word_share(&|b| b.story_links > 0));
    let story_links: f64 = blocks.iter().map(|b| f64::from(b.story_links)).sum();
    row.push((1.0 + story_links).ln() / 5.0);
    row.push(share(&|b| b.heading_level > 0 && b.story_links > 0));
    // A shop's front page or a site's home is rarely an article; a page naming many products
    // (a price on each card, a Product entity each) lists them, one names one.
    row.push(flag(url.is_some_and(|u| {
        url_path(u)
            .split(['?', '#'])
            .next()
            .unwrap_or("")
            .trim_matches('/')
            .is_empty()
    })));
    let count_of = |name: &str| repeated_types.iter().filter(|t| *t == name).count() as f64;
    row.push((1.0 + count_of("product")).ln() / 3.0);
    row.push((1.0 + count_of("listitem")).ln() / 3.0);
    row.push((1.0 + prices).ln() / 4.0);
    let linked_headings = blocks
        .iter()
        .filter(|b| b.heading_level > 0 && b.links > 0)
        .count() as f64;
    row.push((1.0 + linked_headings).ln() / 4.0);
    row.extend(cue_word_shares(blocks).map(|count| count as f64 / n));
    let mut url_buckets = [0.0; URL_BUCKETS];
    for token in &url_tokens {
        url_buckets[(crate::text::fnv1a(token.as_bytes()) % URL_BUCKETS as u64) as usize] = 1.0;
    }
    row.extend(url_buckets);
    let mut type_buckets = [0.0; TYPE_BUCKETS];
    for name in &types {
        type_buckets[(crate::text::fnv1a(name.as_bytes()) % TYPE_BUCKETS as u64) as usize] = 1.0;
    }
    row.extend(type_buckets);
    let mut title_buckets = [0.0; TITLE_BUCKETS];
    let h1 = blocks
        .iter()
        .find(|b| b.heading_level == 1)
        .map(|b| b.text.as_str());
    for text in [Some(title), h1].into_iter().flatten() {
        for word in crate::text::word_tokens(text).take(24) {
            if word.chars().any(|c| c.is_ascii_digit()) {
                continue;
            }
            let hash = crate::text::fnv1a_ascii_lowercase(word)
                .unwrap_or_else(|| crate::text::fnv1a(word.to_lowercase().as_bytes()));
            title_buckets[(hash % TITLE_BUCKETS as u64) as usize] = 1.0;
        }
    }
    row.extend(title_buckets);
    let mut label_counts = [0u32; LABEL_BUCKETS];
    for block in blocks.iter().filter(|b| b.words <= 4) {
        for word in crate::text::word_tokens(&block.text) {
            if word.chars().any(|c| c.is_ascii_digit()) {
                continue;
            }
            let hash = crate::text::fnv1a_ascii_lowercase(word)
                .unwrap_or_else(|| crate::text::fnv1a(word.to_lowercase().as_bytes()));
            label_counts[(hash % LABEL_BUCKETS as u64) as usize] += 1;
        }
    }
    row.extend(label_counts.map(|c| (1.0 + f64::from(c)).ln() / 3.0));
    row.extend(body_word_shares(blocks));
    debug_assert_eq!(row.len(), signal_names().len());
    row
}

/// The share of the page's prose words (blocks of 8 words or more) falling in each of
/// [`BODY_BUCKETS`], square-rooted so that a few frequent words do not drown the rest.
fn body_word_shares(blocks: &[crate::segment::Block]) -> [f64; BODY_BUCKETS] {
    let mut counts = [0u32; BODY_BUCKETS];
    let mut total = 0u32;
    let mut lower = String::new();
    for block in blocks.iter().filter(|b| b.words >= 8) {
        if block.text.is_ascii() {
            count_ascii_words(&block.text, &mut counts, &mut total);
            continue;
        }
        for word in crate::text::word_tokens(&block.text) {
            if word.bytes().any(|b| b.is_ascii_digit()) {
                continue;
            }
            let hash = crate::text::fnv1a_ascii_lowercase(word).unwrap_or_else(|| {
                lower.clear();
                lower.extend(word.chars().flat_map(char::to_lowercase));
                crate::text::fnv1a(lower.as_bytes())
            });
            counts[(hash % BODY_BUCKETS as u64) as usize] += 1;
            total += 1;
        }
    }
    let total = f64::from(total.max(1));
    counts.map(|c| (f64::from(c) / total).sqrt())
}

/// [`body_word_shares`]' count for an ASCII text in one pass over its bytes: its words (as
/// [`crate::text::word_tokens`] finds them) are the runs of letters, digits and `_`, and each
/// word without a digit is hashed lowercase as it is read.
fn count_ascii_words(text: &str, counts: &mut [u32; BODY_BUCKETS], total: &mut u32) {
    let mut hash = crate::text::Fnv1a::new();
    let (mut in_word, mut digit) = (false, false);
    // A trailing space ends the last word.
    for &b in text.as_bytes().iter().chain([b' '].iter()) {
        if b.is_ascii_alphanumeric() || b == b'_' {
            if !in_word {
                (hash, in_word, digit) = (crate::text::Fnv1a::new(), true, false);
            }
            digit |= b.is_ascii_digit();
            hash = hash.bytes(&[b.to_ascii_lowercase()]);
        } else if in_word {
            in_word = false;
            if !digit {
                counts[(hash.finish() % BODY_BUCKETS as u64) as usize] += 1;
                *total += 1;
            }
        }
    }
}

/// For each of [`CUE_WORDS`], how many blocks carry it among their class/id tokens, near or
/// far: one pass over the blocks' tokens with a lookup table, not one per cue word.
fn cue_word_shares(blocks: &[crate::segment::Block]) -> [usize; CUE_WORDS.len()] {
    type Index = std::collections::HashMap<u64, usize, crate::text::PrehashedState>;
    /// The cue words' hashes, and a filter of their low ten bits that turns away nearly
    /// every other token (a page has tens of them a block) before the table is probed.
    struct CueIndex {
        filter: [u64; 16],
        index: Index,
    }
    static CUE_INDEX: std::sync::OnceLock<CueIndex> = std::sync::OnceLock::new();
    let filter_bit = |token: u64| ((token & 1023) as usize / 64, token & 63);
    let cues = CUE_INDEX.get_or_init(|| {
        let index: Index = CUE_WORDS
            .iter()
            .enumerate()
            .map(|(i, word)| (token_hash(word), i))
            .collect();
        let mut filter = [0u64; 16];
        for &token in index.keys() {
            let (word, bit) = filter_bit(token);
            filter[word] |= 1 << bit;
        }
        CueIndex { filter, index }
    });
    let mut counts = [0usize; CUE_WORDS.len()];
    let mut seen = [false; CUE_WORDS.len()];
    for block in blocks {
        seen.fill(false);
        for &token in block.near_tokens.iter().chain(&block.far_tokens) {
            let (word, bit) = filter_bit(token);
            if cues.filter[word] >> bit & 1 == 0 {
                continue;
            }
            if let Some(&i) = cues.index.get(&token) {
                seen[i] = true;
            }
        }
        for (count, &hit) in counts.iter_mut().zip(&seen) {
            *count += usize::from(hit);
        }
    }
    counts
}

/// The largest share of the page's words inside one element two block levels up: an
/// article's body holds most of them; a listing's cards and a service page's sections spread
/// them.
fn densest_container_share(page: &Page, total_words: f64) -> f64 {
    page.blocks
        .iter()
        .map(|b| f64::from(page.containers[b.containers[2] as usize].words))
        .fold(0.0, f64::max)
        / total_words
}

fn flag(value: bool) -> f64 {
    f64::from(u8::from(value))
}

/// How much of the page repeats one template: blocks grouped by their tag path (outside
/// navigation, header and footer), groups of five or more counted as repeated. Cards of a
/// listing and posts of a thread repeat; an article's paragraphs mostly share one path too,
/// but they are long and carry few links, which the linked share tells apart.
fn repetition(page: &Page, total_words: f64) -> [f64; 5] {
    let mut groups: rustc_hash::FxHashMap<&str, (usize, f64, usize)> = Default::default();
    for block in &page.blocks {
        if block.context.contains(Context::CHROME) {
            continue;
        }
        let entry = groups.entry(block.tag_path.as_str()).or_default();
        entry.0 += 1;
        entry.1 += f64::from(block.words);
        entry.2 += usize::from(block.links > 0);
    }
    let n = page.blocks.len().max(1) as f64;
    let repeated = groups.values().filter(|g| g.0 >= 5);
    let (mut blocks, mut words, mut linked, mut count, mut largest) = (0usize, 0.0, 0usize, 0, 0);
    for g in repeated {
        blocks += g.0;
        words += g.1;
        linked += g.2;
        count += 1;
        largest = largest.max(g.0);
    }
    [
        blocks as f64 / n,
        words / total_words,
        largest as f64 / n,
        (1.0 + f64::from(count)).ln() / 4.0,
        linked as f64 / blocks.max(1) as f64,
    ]
}

/// A short text with a currency sign or code next to a number: "$19.99", "49,90 €", "EUR 12".
fn looks_like_price(text: &str) -> bool {
    let has_digit = text.bytes().any(|b| b.is_ascii_digit());
    has_digit
        && (text.contains(['$', '€', '£', '¥', '₹', '₩', '₽']) || {
            let lower = text.to_lowercase();
            lower
                .split_whitespace()
                .any(|w| ["usd", "eur", "gbp", "chf", "kr", "zł"].contains(&w))
        })
}

/// The path (and query) of a URL, without scheme and host.
fn url_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.find('/').map_or("", |i| &rest[i..])
}

/// The words of a URL: its host's labels but the last (`forum`, `docs`, `shop`), prefixed
/// `host:`, and its path's words, lowercase, with numbers replaced by their shape (`#year`
/// for 1990–2039, `#number` for longer ones, `#digits` otherwise) and ids (letters and digits
/// mixed) by `#id`.
pub fn url_tokens(url: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = host.split(['@', ':']).next().unwrap_or("");
    let labels: Vec<&str> = host.split('.').collect();
    for label in labels.iter().take(labels.len().saturating_sub(2)) {
        if *label != "www" && !label.is_empty() {
            // Both as a host word and as a plain word: `docs.example.com` and
            // `example.com/docs/` say the same thing.
            tokens.push(format!("host:{}", label.to_ascii_lowercase()));
            tokens.push(label.to_ascii_lowercase());
        }
    }
    let path = path.split('#').next().unwrap_or("");
    for word in path
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(24)
    {
        let digits = word.chars().filter(char::is_ascii_digit).count();
        let token = if digits == word.len() {
            match word.parse::<u32>() {
                Ok(year) if word.len() == 4 && (1990..2040).contains(&year) => "#year".into(),
                _ if word.len() >= 5 => "#number".into(),
                _ => "#digits".into(),
            }
        } else if digits >= 2 || word.chars().count() > 24 {
            "#id".into()
        } else {
            word.to_lowercase()
        };
        tokens.push(token);
    }
    tokens.sort();
    tokens.dedup();
    tokens
}

/// The page's structured-data types, lowercase: JSON-LD `@type`s (in `@graph`s and arrays
/// too), microdata `itemtype`s, and `og:type` as `og:…`.
pub fn structured_types(page: &Page) -> Vec<String> {
    distinct(structured_types_with_repeats(page))
}

fn distinct(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names.dedup();
    names
}

/// [`structured_types`] with each entity counted: a listing names a Product per card.
fn structured_types_with_repeats(page: &Page) -> Vec<String> {
    let mut types: Vec<String> = page.microdata_types.clone();
    for body in &page.json_ld {
        if let Ok(value) = serde_json::from_str::<serde_json::Value>(body) {
            collect_types(&value, &mut types, 0);
        }
    }
    if let Some(og) = &page.og_type {
        types.push(format!("og:{og}"));
    }
    types
}

fn collect_types(value: &serde_json::Value, out: &mut Vec<String>, depth: usize) {
    use serde_json::Value;
    if depth > 6 || out.len() > 64 {
        return;
    }
    match value {
        Value::Array(items) => items.iter().for_each(|v| collect_types(v, out, depth + 1)),
        Value::Object(map) => {
            match map.get("@type") {
                Some(Value::String(t)) => out.push(t.to_ascii_lowercase()),
                Some(Value::Array(ts)) => out.extend(
                    ts.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_ascii_lowercase),
                ),
                _ => {}
            }
            for (key, v) in map {
                if key != "@type" && (v.is_object() || v.is_array()) {
                    collect_types(v, out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// A fitted page-type classifier: standardisation, then one linear score per type, softmax.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageTypeModel {
    pub signal_names: Vec<String>,
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
    /// One weight vector per type, in the order of [`PageType::ALL`].
    pub weights: Vec<Vec<f64>>,
    pub intercepts: Vec<f64>,
}

/// Settings of the page-type fit, validated before any data is touched.
#[derive(Debug, Clone, PartialEq)]
pub struct PageTypeParams {
    /// L2 penalty of the multinomial logistic regression.
    pub alpha: f64,
    pub max_iterations: u64,
}

impl Default for PageTypeParams {
    /// A light penalty: with some 1,300 signals (most of them sparse word buckets) and about
    /// 1,350 typed pages, 1–5 scored alike and best of 1–60 in host-grouped cross-validation
    /// on WCXB (`cargo run --release --example page_type_cv -- DIR 5 ALPHA`: 0.8509 at 1,
    /// 0.8524 at 2, 0.8517 at 3 and 5; before the count signals 0.8465 at 2, 0.8421 at 10,
    /// 0.8362 at 30, which suited the signals before the prose-word buckets).
    fn default() -> Self {
        PageTypeParams {
            alpha: 2.0,
            max_iterations: 200,
        }
    }
}

impl PageTypeParams {
    pub fn validate(&self) -> Result<()> {
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return Err(Error::Training(
                "invalid page-type classifier: alpha must be a finite number >= 0".into(),
            ));
        }
        if self.max_iterations == 0 {
            return Err(Error::Training(
                "invalid page-type classifier: max_iterations must be > 0".into(),
            ));
        }
        Ok(())
    }
}

impl PageTypeModel {
    /// Fits the classifier on page signal rows and their types. Types absent from the data
    /// keep a very low intercept, so they are never predicted.
    pub fn fit(rows: &[Vec<f64>], types: &[PageType], params: &PageTypeParams) -> Result<Self> {
        use linfa::traits::Fit;
        params.validate()?;
        let width = signal_names().len();
        if rows.is_empty() || rows.len() != types.len() || rows.iter().any(|r| r.len() != width) {
            return Err(Error::Training(format!(
                "the page-type classifier needs one row of {width} signals per typed page"
            )));
        }
        let present: Vec<PageType> = PageType::ALL
            .into_iter()
            .filter(|t| types.contains(t))
            .collect();
        if present.len() < 2 {
            return Err(Error::Training(
                "the page-type classifier needs pages of at least two types".into(),
            ));
        }
        let (crate::fitted::Scaler { mean, scale }, x) =
            crate::fitted::Scaler::fit_rows(rows, width);
        let y = ndarray::Array1::from_iter(types.iter().map(|t| t.index()));
        let fitted = linfa_logistic::MultiLogisticRegression::default()
            .alpha(params.alpha)
            .max_iterations(params.max_iterations)
            .fit(&linfa::Dataset::new(x, y))
            .map_err(|e| Error::Training(format!("page-type classifier failed: {e}")))?;
        let mut weights = vec![vec![0.0; width]; PageType::ALL.len()];
        let mut intercepts = vec![-1e3; PageType::ALL.len()];
        for (c, &class) in fitted.classes().iter().enumerate() {
            weights[class] = fitted.params().column(c).to_vec();
            intercepts[class] = fitted.intercept()[c];
        }
        Ok(PageTypeModel {
            signal_names: signal_names().to_vec(),
            mean,
            scale,
            weights,
            intercepts,
        })
    }

    /// The probability of each type (in the order of [`PageType::ALL`]) for a signal row.
    pub fn probabilities(&self, signals: &[f64]) -> [f64; 7] {
        let mut scores = [0.0; 7];
        for (c, score) in scores.iter_mut().enumerate() {
            *score = self.intercepts[c]
                + self.weights[c]
                    .iter()
                    .zip(signals)
                    .zip(self.mean.iter().zip(&self.scale))
                    .map(|((w, x), (m, s))| w * (x - m) / s)
                    .sum::<f64>();
        }
        let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut total = 0.0;
        for score in &mut scores {
            *score = (*score - max).exp();
            total += *score;
        }
        scores.map(|s| s / total)
    }

    /// Whether the parameters fit this gleaner's signals (a model file from another version,
    /// or edited by hand, does not).
    pub fn fits(&self) -> bool {
        let width = signal_names().len();
        self.signal_names == signal_names()
            && self.mean.len() == width
            && self.scale.len() == width
            && self.weights.len() == PageType::ALL.len()
            && self.intercepts.len() == PageType::ALL.len()
            && self.weights.iter().all(|w| w.len() == width)
    }
}

/// The most likely type of a probability row.
pub fn most_likely(probabilities: &[f64; 7]) -> PageType {
    let best = probabilities
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i);
    PageType::ALL[best]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_document;
    use crate::segment::segment;

    #[test]
    fn ascii_prose_counts_its_words_as_the_general_tokenizer_does() {
        let texts = [
            "The council's bridge, 40 million pounds: approved_today by 7-2 (again)!",
            "  leading and trailing  blanks  ",
            "R2D2 and C3PO met x_1 at 10:30 -- then __ left.",
            "",
        ];
        for text in texts {
            let mut fast = ([0u32; BODY_BUCKETS], 0u32);
            count_ascii_words(text, &mut fast.0, &mut fast.1);
            let mut general = ([0u32; BODY_BUCKETS], 0u32);
            for word in crate::text::word_tokens(text) {
                if !word.bytes().any(|b| b.is_ascii_digit()) {
                    let hash = crate::text::fnv1a(word.to_lowercase().as_bytes());
                    general.0[(hash % BODY_BUCKETS as u64) as usize] += 1;
                    general.1 += 1;
                }
            }
            assert_eq!(fast, general, "{text}");
        }
    }

    #[test]
    fn names_round_trip_and_category_means_collection() {
        for t in PageType::ALL {
            assert_eq!(t.as_str().parse::<PageType>().unwrap(), t);
            assert_eq!(PageType::ALL[t.index()], t);
        }
        assert_eq!("Category".parse::<PageType>(), Ok(PageType::Collection));
        assert!("blog".parse::<PageType>().unwrap_err().contains("article"));
    }

    #[test]
    fn url_words_keep_what_says_the_page_type_and_shape_the_rest() {
        let tokens =
            url_tokens("https://forum.example.org/t/why-is-my-build-slow/2024/88271?page=2");
        for expected in [
            "host:forum",
            "forum",
            "t",
            "why",
            "build",
            "#year",
            "#number",
            "page",
        ] {
            assert!(
                tokens.iter().any(|t| t == expected),
                "{expected}: {tokens:?}"
            );
        }
        assert!(url_tokens("https://shop.example.com/products/tent-ab12cd")
            .contains(&"#id".to_string()));
    }

    #[test]
    fn structured_types_come_from_json_ld_graphs_microdata_and_og_type() {
        let html = r#"<html><head>
          <meta property="og:type" content="product">
          <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
            {"@type":"BreadcrumbList"},{"@type":["Product","Thing"],"offers":{"@type":"Offer"}}]}</script>
          </head><body><div itemscope itemtype="https://schema.org/AggregateRating"><p>4.5 stars</p></div></body></html>"#;
        let page = segment(&parse_document(html));
        assert_eq!(
            structured_types(&page),
            [
                "aggregaterating",
                "breadcrumblist",
                "offer",
                "og:product",
                "product",
                "thing"
            ]
        );
        let signals = page_signals(&page, None);
        assert_eq!(signals.len(), signal_names().len());
        assert!(signals.iter().all(|v| v.is_finite()));
    }

    #[test]
    fn a_category_page_counts_its_products_prices_and_card_titles_where_a_product_page_has_one() {
        let card = |i: usize| {
            format!(
                r#"<li itemscope itemtype="https://schema.org/Product"><h3><a href="/p/lamp-{i}">Lamp {i}</a></h3>
                <span class="price">${i}9.99</span></li>"#
            )
        };
        let category = segment(&parse_document(&format!(
            "<html><body><main><h1>Desk lamps</h1><ul>{}</ul></main></body></html>",
            (1..=12).map(card).collect::<String>()
        )));
        let product = segment(&parse_document(&format!(
            "<html><body><main><h1>Desk lamp 4</h1><ul>{}</ul><p>A brass lamp with a linen \
             shade, a dimmer in the cord and a heavy base that keeps it standing.</p></main></body></html>",
            card(4)
        )));
        let signal = |page: &Page, url: &str, name: &str| {
            let column = signal_names().iter().position(|n| n == name).unwrap();
            page_signals(page, Some(url))[column]
        };
        for name in [
            "types.log_products",
            "text.log_prices",
            "text.log_linked_headings",
        ] {
            let (many, one) = (
                signal(&category, "https://shop.example/lamps/", name),
                signal(&product, "https://shop.example/p/lamp-4", name),
            );
            assert!(one > 0.0 && many > 2.0 * one, "{name}: {many} vs {one}");
        }
        assert_eq!(signal(&category, "https://shop.example/", "url.root"), 1.0);
        assert_eq!(
            signal(&category, "https://shop.example/?ref=ad", "url.root"),
            1.0
        );
        assert_eq!(
            signal(&category, "https://shop.example/lamps/", "url.root"),
            0.0
        );
    }

    #[test]
    fn a_fitted_model_tells_a_product_page_from_a_thread() {
        let product = |i: usize| {
            segment(&parse_document(&format!(
                r#"<html><head><link rel="canonical" href="https://shop{i}.example/products/lamp-{i}">
                <script type="application/ld+json">{{"@type":"Product"}}</script></head>
                <body><h1>Desk lamp {i}</h1><p class="price">$49.99</p><button>Add to cart</button>
                <p>A warm, dimmable desk lamp with a weighted base and a fabric cable.</p></body></html>"#
            )))
        };
        let thread = |i: usize| {
            let posts = (0..6)
                .map(|p| format!("<div class=post><span class=user>user{p}</span><time>2 days ago</time><p>Reply number {p} about the question, with some words of its own to read.</p></div>"))
                .collect::<String>();
            segment(&parse_document(&format!(
                r#"<html><head><link rel="canonical" href="https://forum{i}.example/t/why-does-it-hang/{i}"></head>
                <body><h1>Why does it hang?</h1>{posts}</body></html>"#
            )))
        };
        let mut rows = Vec::new();
        let mut types = Vec::new();
        for i in 0..10 {
            rows.push(page_signals(&product(i), None));
            types.push(PageType::Product);
            rows.push(page_signals(&thread(i), None));
            types.push(PageType::Forum);
        }
        let model = PageTypeModel::fit(&rows, &types, &PageTypeParams::default()).unwrap();
        assert!(model.fits());
        let p = model.probabilities(&page_signals(&thread(99), None));
        assert_eq!(most_likely(&p), PageType::Forum, "{p:?}");
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9);
        let p = model.probabilities(&page_signals(&product(99), None));
        assert_eq!(most_likely(&p), PageType::Product, "{p:?}");
        assert!(
            p[PageType::Documentation.index()] < 1e-6,
            "absent types are never predicted"
        );
    }

    #[test]
    fn prose_words_tell_a_service_page_from_a_story_in_the_same_markup() {
        // Same template, no URL, no structured data: only what the prose says differs.
        let page = |paragraphs: &[&str]| {
            let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
            segment(&parse_document(&format!(
                "<html><body><h1>Heading</h1><div class=content>{body}</div></body></html>"
            )))
        };
        let stories = [
            "The mayor said on Tuesday that the bridge had been closed after inspectors found cracks.",
            "Residents told reporters they were worried, and officials said repairs would take weeks.",
            "Last year the council was warned about the bridge, according to documents seen by the paper.",
        ];
        let offers = [
            "We help your team ship faster with our managed platform and dedicated support engineers.",
            "Contact our experts today to get a free quote tailored to your business and your goals.",
            "Our services include consulting, onboarding and training, so you can focus on customers.",
        ];
        let mut rows = Vec::new();
        let mut types = Vec::new();
        // Every page of one, two or three of the paragraphs, so that length says nothing.
        for mask in 1..8usize {
            let pick = |texts: [&str; 3]| {
                let chosen: Vec<&str> = (0..3)
                    .filter(|i| mask & (1 << i) != 0)
                    .map(|i| texts[i])
                    .collect();
                page_signals(&page(&chosen), None)
            };
            rows.push(pick(stories));
            types.push(PageType::Article);
            rows.push(pick(offers));
            types.push(PageType::Service);
        }
        let model = PageTypeModel::fit(&rows, &types, &PageTypeParams::default()).unwrap();
        let story = page(&[
            "Police said the driver was taken to hospital, and the road was reopened on Tuesday night.",
            "Witnesses told the paper they had heard a loud noise before the crash, officials said.",
            "The council said last year that the junction was dangerous.",
        ]);
        let offer = page(&[
            "Our team builds your website and supports your business with our experts.",
            "Get a free quote today: contact us and we help you grow.",
            "We offer training and onboarding for your staff.",
        ]);
        let p = model.probabilities(&page_signals(&story, None));
        assert_eq!(most_likely(&p), PageType::Article, "{p:?}");
        let p = model.probabilities(&page_signals(&offer, None));
        assert_eq!(most_likely(&p), PageType::Service, "{p:?}");
    }

    #[test]
    fn story_links_and_a_story_address_tell_a_listing_from_an_article() {
        let signal = |page: &Page, url: &str, name: &str| {
            let column = signal_names().iter().position(|n| n == name).unwrap();
            page_signals(page, Some(url))[column]
        };
        let cards: String = (0..8)
            .map(|i| {
                format!(
                    "<article><h2><a href=/news/council-story-number-{i}-in-the-list>Council \
                     story {i}</a></h2><p>Two lines of summary for story {i}.</p></article>"
                )
            })
            .collect();
        let listing = segment(&parse_document(&format!(
            "<html><body><h1>Local news</h1>{cards}</body></html>"
        )));
        let article = segment(&parse_document(
            "<html><body><h1>Council approves the bridge rebuild</h1>\
             <p>The council approved a plan on Tuesday to rebuild the old bridge.</p>\
             <p>Engineers say the work will take three years. <a href=/news>More news</a></p>\
             </body></html>",
        ));
        let listing_url = "https://gazette.example/news/";
        let article_url = "https://gazette.example/2024/05/14/council-approves-bridge-rebuild/";
        assert_eq!(signal(&listing, listing_url, "url.story_shaped"), 0.0);
        assert_eq!(signal(&article, article_url, "url.story_shaped"), 1.0);
        for name in [
            "links.story_block_share",
            "links.story_word_share",
            "links.log_story_links",
            "links.story_heading_share",
        ] {
            assert!(signal(&listing, listing_url, name) > 0.1, "{name}");
            assert_eq!(signal(&article, article_url, name), 0.0, "{name}");
        }
    }

    #[test]
    fn invalid_settings_are_refused_before_fitting() {
        let params = PageTypeParams {
            alpha: f64::NAN,
            ..PageTypeParams::default()
        };
        assert!(params.validate().is_err());
        assert!(PageTypeModel::fit(&[], &[], &PageTypeParams::default()).is_err());
    }
}
