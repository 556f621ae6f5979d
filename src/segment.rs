//! Stage 3 — the DOM becomes a flat list of text [`Block`]s in document order.
//!
//! Block-level elements (`p`, `div`, `li`, headings, table cells, …) open and close blocks;
//! inline text and links join the block being built. Each block remembers the structure around
//! it — its tag, the tags and class/id tokens of its nearest ancestors, which landmark elements
//! (`article`, `nav`, `footer`, …) enclose it — because that context, not the text alone,
//! tells chrome from content.
//!
//! The walk is iterative (an explicit stack over `ego_tree`'s open/close edges), so a page of
//! 100,000 nested elements cannot overflow the call stack, and everything it keeps per block is
//! bounded by [`ANCESTOR_WINDOW`], so deep pages stay linear in time.

use ego_tree::iter::Edge;
use scraper::{Html, Node};

use crate::label::Label;
use crate::text::for_each_bit;

/// How many of a block's nearest ancestors contribute tags and class tokens.
pub const ANCESTOR_WINDOW: usize = 12;
/// Ancestors this close are "near" (their class tokens are hashed apart from the far ones).
pub const NEAR_ANCESTORS: usize = 3;
/// How many enclosing block-level containers a block links to for container statistics.
pub const CONTAINER_LEVELS: usize = 4;

/// A parsed page cut into blocks.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// Text of the `<title>` element.
    pub title: String,
    /// `og:title`/`twitter:title` metadata, which usually holds the bare headline.
    pub meta_title: Option<String>,
    /// The `lang` attribute of `<html>`, if any.
    pub lang: Option<String>,
    pub blocks: Vec<Block>,
    /// Word and link statistics of every element, indexed by [`Block::containers`].
    pub containers: Vec<ContainerStats>,
    /// Bytes of markup inside `<noscript>` elements, which the walk skips: a page that shows
    /// nothing without scripts may keep its whole text there for crawlers.
    pub noscript_bytes: usize,
    /// Elements the walk skipped only because they are `aria-hidden="true"`: a page that
    /// shows almost nothing may have hidden its content from screen readers while a dialog
    /// (a cookie banner, a sign-up box) is open, which hides nothing from the eye.
    pub aria_hidden_skipped: usize,
    /// Elements the walk skipped only because an inline style (`display:none`,
    /// `visibility:hidden`) or the `hidden` attribute hides them: script frameworks hide the
    /// whole page until their code has run, so a page that shows almost nothing may hold all
    /// of its text under one such element.
    pub style_hidden_skipped: usize,
    /// The page's own URL as it states it: `<link rel=canonical>`, else `og:url`.
    pub canonical_url: Option<String>,
    /// `og:type`, lowercase (`article`, `product`, `website`, …).
    pub og_type: Option<String>,
    /// The bodies of its JSON-LD scripts (`<script type="application/ld+json">`).
    pub json_ld: Vec<String>,
    /// Microdata types (`itemtype`), as their last path segment, lowercase (`product`, …).
    pub microdata_types: Vec<String>,
    /// The first `<base href>`, as written (read only by [`segment_with`] with structure).
    pub base_href: Option<String>,
}

/// A run of text that renders as one paragraph-like unit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Block {
    /// Whitespace-normalised text (newlines kept inside `<pre>`).
    pub text: String,
    /// Non-whitespace characters of the whole text, and of the part inside links.
    pub chars: u32,
    pub link_chars: u32,
    /// Words (whitespace tokens; each CJK character counts as a word).
    pub words: u32,
    /// `<a href>` elements that contributed text.
    pub links: u16,
    /// Of those, links whose address looks like another story's or item's page (see
    /// [`is_story_url`]): what a teaser, a related-story list or a listing's card links to.
    pub story_links: u16,
    /// The innermost block-level element holding the text, e.g. `p`, `li`, `h2`, `div`.
    pub tag: &'static str,
    /// Tags of the nearest ancestors, outermost first, e.g. `article>div>p`.
    pub tag_path: String,
    /// Class and id tokens of the block element and its [`NEAR_ANCESTORS`] nearest ancestors,
    /// as [`token_hash`]es: features only ever bucket them, and hashing once in the walk spares
    /// a string per token per block.
    pub near_tokens: Vec<u64>,
    /// Class and id tokens of the further ancestors within [`ANCESTOR_WINDOW`], hashed likewise.
    pub far_tokens: Vec<u64>,
    /// Element depth of the block element.
    pub depth: u32,
    /// Landmarks and other elements enclosing the block.
    pub context: Context,
    /// How many enclosing elements have class/id tokens typical of chrome or of content.
    pub negative_cues: u16,
    pub positive_cues: u16,
    /// 1–6 for headings, 0 otherwise.
    pub heading_level: u8,
    /// An `<img>` appeared in this block or right before it.
    pub near_image: bool,
    /// Element indices into [`Page::containers`]: the block element, then its enclosing
    /// block-level elements (repeating the outermost known one when the page is shallow).
    pub containers: [u32; CONTAINER_LEVELS],
    /// Hand label from a `data-gleaner-label` attribute on the element or an ancestor.
    pub label: Option<Label>,
    /// The outermost enclosing element that marks a comment section (by its class or id —
    /// `comments`, `disqus`, `respond`, `reviews`, `usercomments`, `talkback`… — or a
    /// microdata `Comment` or `Review` type), as an index into [`Page::containers`]. Page-level
    /// elements (`html`, `body`, `main`) and review articles never are one.
    pub comment_section: Option<u32>,
    /// The outermost enclosing element that marks a cookie or consent dialog (by its class
    /// or id: `cookie`, `consent`, `gdpr`, a consent manager's name), as an index into
    /// [`Page::containers`].
    pub consent_box: Option<u32>,
    /// Where the block sits in the page's lists, tables, code and quotes, with its links,
    /// inline code, line breaks and images: what the Markdown and HTML renderings need.
    /// Recorded only by [`segment_with`] with `structure`; nothing else reads it.
    pub structure: Option<Box<Structure>>,
}

/// A block's place in the page's structure. Element indices (into [`Page::containers`])
/// identify list items, tables, rows, cells and `<pre>` elements, so a renderer can tell
/// which blocks share one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Structure {
    /// The innermost enclosing `<li>`.
    pub list_item: Option<u32>,
    /// How many lists (`ul`, `ol`, `menu`) enclose the block.
    pub list_depth: u8,
    /// The innermost list around the item is an `<ol>`.
    pub ordered: bool,
    /// That list (`ul`, `ol` or `menu`).
    pub list: Option<u32>,
    /// The innermost enclosing table, if the block is in one of its cells.
    pub table: Option<TableCell>,
    /// The innermost enclosing `<pre>`, and the language its markup names
    /// (`class="language-x"` or `"lang-x"` on the `pre` or a `code` inside).
    pub pre: Option<u32>,
    pub code_language: Option<String>,
    /// How many `<blockquote>`s enclose the block.
    pub quote_depth: u8,
    /// Links, inline code and line breaks, by byte offsets into [`Block::text`], in the
    /// order their elements open.
    pub inline: Vec<Inline>,
    /// Images (`<img>`) met inside the block or since the previous block.
    pub images: Vec<Image>,
}

/// A block's cell in a table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableCell {
    pub table: u32,
    /// The table enclosing this one, if any.
    pub parent_table: Option<u32>,
    pub row: u32,
    pub cell: u32,
    /// The cell's first column in its row, counting the cells before it (empty ones too)
    /// with their `colspan`.
    pub column: u16,
    /// A `<th>`, or a cell inside `<thead>`.
    pub header: bool,
    pub colspan: u16,
    pub rowspan: u16,
}

/// A span of a block's text: `start..end` are byte offsets into [`Block::text`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inline {
    pub start: u32,
    pub end: u32,
    pub kind: InlineKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InlineKind {
    /// `<a href>`, with the `href` as written.
    Link(String),
    /// `<code>`, `<kbd>` or `<samp>` outside `<pre>`.
    Code,
    /// A `<br>` (an empty span at the break).
    LineBreak,
}

/// An `<img>` with its `src` (or `data-src`) as written and its `alt` text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    pub src: String,
    pub alt: String,
}

/// Totals over all blocks inside one element.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ContainerStats {
    pub words: u32,
    pub link_words: u32,
    pub blocks: u32,
    /// Blocks that read like prose (see [`is_prose`]), and their words.
    pub prose_blocks: u32,
    pub prose_words: u32,
    /// Form controls inside (`input`, `button`, `select`, `textarea`). Hidden inputs count
    /// too: they only ever sit in forms, so they mark one as well as a visible field does.
    pub form_controls: u32,
    /// The enclosing element, as an index into [`Page::containers`] (the root is its own):
    /// what lets [`crate::threads`] see that the items of a thread are siblings.
    pub parent: u32,
}

macro_rules! context_flags {
    ($($name:ident = $bit:expr, $doc:literal;)*) => {
        /// Bit set of enclosing elements.
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        pub struct Context(pub u32);
        impl Context {
            $(#[doc = $doc] pub const $name: Context = Context(1 << $bit);)*
            /// Every flag with its name, in bit order (the feature schema lists them so).
            pub const ALL: &'static [(&'static str, Context)] = &[$((stringify!($name), Context::$name)),*];
            pub fn contains(self, other: Context) -> bool { self.0 & other.0 != 0 }
        }
    };
}

context_flags! {
    ARTICLE = 0, "`<article>`";
    MAIN = 1, "`<main>` or `role=main`";
    ASIDE = 2, "`<aside>` or `role=complementary`";
    NAV = 3, "`<nav>` or `role=navigation`";
    HEADER = 4, "`<header>` or `role=banner`";
    FOOTER = 5, "`<footer>` or `role=contentinfo`";
    FIGURE = 6, "`<figure>`";
    LIST = 7, "`<li>`, `<dd>` or `<dt>`";
    LINK = 8, "`<a>`";
    FORM = 9, "`<form>`, `<button>` or `<label>`";
    TABLE = 10, "`<table>`";
    BLOCKQUOTE = 11, "`<blockquote>` or `<q>`";
    PRE = 12, "`<pre>` or `<code>`";
    SECTION = 13, "`<section>`";
    EMPHASIS = 14, "`<strong>`, `<b>`, `<em>` or `<i>`";
    TIME = 15, "`<time>` or `<address>`";
    HEADING = 16, "`<h1>`–`<h6>`";
    MENU = 17, "`<ul>`/`<ol>`/`<menu>`";
}

impl Context {
    /// Navigation, header and footer: the page's chrome, whose links are never cards or
    /// posts (the repeated-group feature, the page-type signals and the card rule skip it).
    pub const CHROME: Context = Context(Context::NAV.0 | Context::HEADER.0 | Context::FOOTER.0);
}

fn context_of(tag: &str, role: Option<&str>) -> Context {
    let by_tag = match tag {
        "article" => Context::ARTICLE,
        "main" => Context::MAIN,
        "aside" => Context::ASIDE,
        "nav" => Context::NAV,
        "header" => Context::HEADER,
        "footer" => Context::FOOTER,
        "figure" | "figcaption" => Context::FIGURE,
        "li" | "dd" | "dt" => Context::LIST,
        "a" => Context::LINK,
        "form" | "button" | "label" => Context::FORM,
        "table" => Context::TABLE,
        "blockquote" | "q" => Context::BLOCKQUOTE,
        "pre" | "code" => Context::PRE,
        "section" => Context::SECTION,
        "strong" | "b" | "em" | "i" => Context::EMPHASIS,
        "time" | "address" => Context::TIME,
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Context::HEADING,
        "ul" | "ol" | "menu" => Context::MENU,
        _ => Context(0),
    };
    let by_role = match role {
        Some("main") => Context::MAIN,
        Some("navigation") => Context::NAV,
        Some("complementary") => Context::ASIDE,
        Some("banner") => Context::HEADER,
        Some("contentinfo") => Context::FOOTER,
        Some("article") => Context::ARTICLE,
        _ => Context(0),
    };
    Context(by_tag.0 | by_role.0)
}

/// The tag's name as a `'static` string when it is block-level, `None` for inline elements.
fn block_level_name(tag: &str) -> Option<&'static str> {
    macro_rules! names {
        ($($name:literal)*) => {
            match tag {
                $($name => Some($name),)*
                _ => None,
            }
        };
    }
    names!(
        "address" "article" "aside" "blockquote" "body" "center" "dd" "details" "dialog" "dir"
        "div" "dl" "dt" "fieldset" "figcaption" "figure" "footer" "form" "h1" "h2" "h3" "h4" "h5"
        "h6" "header" "hgroup" "hr" "html" "legend" "li" "main" "menu" "nav" "ol" "p" "pre"
        "section" "summary" "table" "tbody" "td" "tfoot" "th" "thead" "tr" "ul" "caption"
        "frameset" "frame" "noframes" "text"
    )
}

/// Elements whose contents are never page text.
fn is_skipped(tag: &str) -> bool {
    matches!(
        tag,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "iframe"
            | "object"
            | "embed"
            | "canvas"
            | "video"
            | "audio"
            | "select"
            | "textarea"
            | "title"
            | "math"
            | "button"
            | "input"
            | "map"
    )
}

/// Class/id words typical of chrome, and of content (the same cues Readability-style
/// extractors use; they are about page structure in general, not about any site).
const NEGATIVE_CUES: &[&str] = &[
    "ad",
    "ads",
    "advert",
    "advertisement",
    "banner",
    "breadcrumb",
    "breadcrumbs",
    "combx",
    "comment",
    "comments",
    "community",
    "cookie",
    "consent",
    "disqus",
    "extra",
    "footer",
    "gdpr",
    "header",
    "legend",
    "menu",
    "nav",
    "navbar",
    "navigation",
    "related",
    "recommended",
    "remark",
    "replies",
    "reply",
    "rss",
    "share",
    "sharing",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "social",
    "sponsor",
    "sponsored",
    "promo",
    "promotion",
    "newsletter",
    "subscribe",
    "subscription",
    "popup",
    "modal",
    "widget",
    "teaser",
    "pagination",
    "pager",
    "login",
    "signup",
    "tags",
    "tag",
    "byline",
    "author",
    "meta",
    "toolbar",
    "masthead",
    "outbrain",
    "taboola",
    "trending",
    "popular",
    "most",
    "more",
    "readmore",
    "card",
    "carousel",
    "follow",
];
/// Class/id words of comment sections and of the comments in them, in the languages of the
/// shared sets (`comment-list`, `comments-area`, `disqus_thread`, `respond`, `kommentare`),
/// Israeli and older news sites' `talkback`, and of customer reviews, which are a product
/// page's comments. Words that join "comment" to another are cues too
/// ([`is_compound_comment_cue`]).
const COMMENT_CUES: &[&str] = &[
    "review",
    "reviews",
    "comment",
    "comments",
    "commentlist",
    "commentform",
    "disqus",
    "respond",
    "kommentar",
    "kommentare",
    "commentaire",
    "commentaires",
    "comentario",
    "comentarios",
    "commento",
    "commenti",
    "reacties",
    "komentarze",
    "talkback",
    "talkbacks",
];

/// Comment cues that name a review, which on an `<article>` says what the article is (a film
/// review, `category-reviews`), not that it is a reader's review.
const REVIEW_CUES: &[&str] = &["review", "reviews"];

/// Whether an element's class/id tokens or microdata type mark a comment section.
///
/// Page-level elements (`html`, `body`, `main`) are never one: their classes describe the
/// page (`<body class="single comments-open">`), and taking them for a section would hide the
/// real thread inside. An `<article>` is one when it is a comment (`<article class="comment">`,
/// `itemtype=".../Comment"`), not when it is a review article.
/// `class_cue` says whether one of its class/id tokens does (see [`is_comment_token`]).
fn comment_cue_of(tag: &str, class_cue: bool, itemtype: Option<&str>) -> bool {
    if matches!(tag, "html" | "body" | "main") {
        return false;
    }
    let is_article = tag == "article";
    class_cue
        || itemtype.is_some_and(|t| {
            let t = t.to_ascii_lowercase();
            t.ends_with("/comment")
                || t.ends_with("/usercomments")
                || (!is_article && t.ends_with("/review"))
        })
}

/// Whether a class/id token with these [`cue_kinds`] marks a comment section on a `tag`
/// element: a comment cue, unless the element is an `<article>` and the word names a review.
fn is_comment_token(kinds: u8, tag: &str) -> bool {
    kinds & COMMENT_CUE != 0 && !(tag == "article" && kinds & REVIEW_CUE != 0)
}

/// Class words that join "comment" to another word (`usercomments`, `jcomments`,
/// `commentbox`, `kommentarformular`): the sections of comment plugins and of sites that name
/// their own. Commentary is an article's genre, not readers' comments.
fn is_compound_comment_cue(token: &str) -> bool {
    (token.contains("comment") && !token.contains("commentar") && !token.contains("commenting"))
        || token.contains("kommentar")
}

/// Tokens of cookie and consent dialogs: the words themselves and the consent managers that
/// ship most of them. Their text (purposes, partners, legal notes) can outweigh a short page's
/// own, and sits in its own overlay whatever the page is about.
const CONSENT_CUES: &[&str] = &[
    "cookie",
    "cookies",
    "cookiebanner",
    "cookiebar",
    "cookieconsent",
    "cookienotice",
    "consent",
    "gdpr",
    "onetrust",
    "didomi",
    "usercentrics",
    "cookiebot",
    "cookielaw",
    "cmplz",
    "truste",
];

const POSITIVE_CUES: &[&str] = &[
    "article",
    "body",
    "content",
    "entry",
    "hentry",
    "main",
    "page",
    "post",
    "text",
    "blog",
    "story",
    "paragraph",
    "prose",
    "richtext",
    "copy",
    "detail",
    "lead",
    "chapter",
    "description",
];

/// Splits class and id values into lowercase word tokens: `articleBody__text-2` gives
/// `article`, `body`, `text`, `2`.
pub fn class_tokens(value: &str, out: &mut Vec<String>) {
    for_each_class_token(value, &mut String::new(), |token| {
        out.push(token.to_string())
    });
}

/// [`class_tokens`] without allocating: each token is built in `scratch` and lent to `emit`.
fn for_each_class_token(value: &str, scratch: &mut String, emit: impl FnMut(&str)) {
    // Nearly every class and id is ASCII: its bytes are its characters, with no decoding.
    if value.is_ascii() {
        split_class_tokens(value.bytes().map(char::from), scratch, emit);
    } else {
        split_class_tokens(value.chars(), scratch, emit);
    }
}

fn split_class_tokens(
    chars: impl Iterator<Item = char>,
    scratch: &mut String,
    mut emit: impl FnMut(&str),
) {
    scratch.clear();
    let mut prev_lower = false;
    for c in chars {
        if c.is_alphanumeric() {
            if c.is_uppercase() && prev_lower && !scratch.is_empty() {
                emit(scratch);
                scratch.clear();
            }
            prev_lower = c.is_lowercase() || c.is_ascii_digit();
            if c.is_ascii() {
                scratch.push(c.to_ascii_lowercase());
            } else {
                scratch.extend(c.to_lowercase());
            }
        } else {
            prev_lower = false;
            if !scratch.is_empty() {
                emit(scratch);
                scratch.clear();
            }
        }
    }
    if !scratch.is_empty() {
        emit(scratch);
        scratch.clear();
    }
}

/// Whether a link's address looks like the page of one story, post or item rather than a
/// section, a tag or a site page: its last path segment is a slug of four or more words
/// (`/news/chelsea-make-late-bid-30914522`, `/2012/03/14/council-approves-bridge/`), or of two
/// or more with a long number in it (`/news/world-europe-67891234`), or a long number alone
/// under a section (`/story/12345678`). Section links (`/news/`, `/sport/football`,
/// `/tag/climate-change`) and fragments are not. Teasers and related-story lists link to
/// such pages; menus mostly do not.
///
/// Called for every link of every page while slimming the markup, so it reads bytes: every
/// character it looks for is ASCII, and a UTF-8 sequence holds no ASCII byte, so splitting
/// and testing bytes finds what the `str` patterns did, without their decoding and searcher
/// set-up.
pub fn is_story_url(href: &str) -> bool {
    // A `//` starting at this byte or before begins the host (`https://`, `//cdn.`).
    const HOST_SLASHES_BY: usize = 6;
    let href = href.trim().as_bytes();
    if href.first() == Some(&b'#') || href.contains(&b':') && !href.starts_with(b"http") {
        return false; // fragments, mailto:, javascript:, tel:
    }
    // The path follows the host. Only the first `//` counts: if it is that early, it is
    // among the first bytes.
    let head = &href[..href.len().min(HOST_SLASHES_BY + 2)];
    let path = match head.windows(2).position(|w| w == b"//") {
        Some(i) => {
            let host = &href[i + 2..];
            host.iter()
                .position(|&b| b == b'/')
                .map_or(&[][..], |j| &host[j..])
        }
        None => href,
    };
    let path = path
        .iter()
        .position(|&b| b == b'?' || b == b'#')
        .map_or(path, |end| &path[..end]);
    let (mut depth, mut last) = (0, &[][..]);
    for segment in path.split(|&b| b == b'/').filter(|s| !s.is_empty()) {
        depth += 1;
        last = segment;
    }
    if depth == 0 {
        return false;
    }
    let stem = match last.iter().rposition(|&b| b == b'.') {
        Some(dot)
            if last.len() - dot - 1 <= 5 && last[dot + 1..].iter().all(u8::is_ascii_alphabetic) =>
        {
            &last[..dot]
        }
        _ => last,
    };
    let mut words = 0;
    let mut long_number = false;
    let parts = stem
        .split(|&b| matches!(b, b'-' | b'_' | b'+'))
        .filter(|p| !p.is_empty());
    for part in parts {
        if part.iter().all(u8::is_ascii_digit) {
            long_number |= part.len() >= 5;
        } else {
            words += 1;
        }
    }
    words >= 4 || (words >= 2 && long_number) || (words == 0 && long_number && depth >= 2)
}

/// 12+ words, under a third of them in links: the shape of a paragraph of prose.
pub fn is_prose(words: u32, link_words: u32) -> bool {
    words >= 12 && link_words * 3 < words
}

impl Block {
    /// Words inside links, estimated from the share of characters in links.
    pub fn link_words(&self) -> u32 {
        if self.chars == 0 {
            return 0;
        }
        (u64::from(self.words) * u64::from(self.link_chars.min(self.chars)) / u64::from(self.chars))
            as u32
    }

    /// Whether the block reads like prose (see [`is_prose`]).
    pub fn is_prose(&self) -> bool {
        is_prose(self.words, self.link_words())
    }
}

/// The stable hash a class/id token is known by in [`Block::near_tokens`] and
/// [`Block::far_tokens`].
pub fn token_hash(token: &str) -> u64 {
    crate::text::fnv1a(token.as_bytes())
}

/// Hashes of the cue words, sorted for binary search.
/// Which cue lists a class/id token is on, as a bit set of [`NEGATIVE_CUE`], [`POSITIVE_CUE`],
/// [`COMMENT_CUE`], [`REVIEW_CUE`] and [`CONSENT_CUE`]: one table lookup a token, where a
/// binary search of each list cost more than the rest of reading an element.
fn cue_kinds(token: u64) -> u8 {
    type Table = std::collections::HashMap<u64, u8, crate::text::PrehashedState>;
    static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = Table::default();
        for (cues, kind) in [
            (NEGATIVE_CUES, NEGATIVE_CUE),
            (POSITIVE_CUES, POSITIVE_CUE),
            (COMMENT_CUES, COMMENT_CUE),
            (REVIEW_CUES, REVIEW_CUE),
            (CONSENT_CUES, CONSENT_CUE),
        ] {
            for cue in cues {
                *table.entry(token_hash(cue)).or_default() |= kind;
            }
        }
        table
    });
    table.get(&token).copied().unwrap_or(0)
}

const NEGATIVE_CUE: u8 = 1;
const POSITIVE_CUE: u8 = 2;
const COMMENT_CUE: u8 = 4;
const REVIEW_CUE: u8 = 8;
const CONSENT_CUE: u8 = 16;

/// The attributes the walk reads, found in one pass over the element's attribute list
/// (`Element::attr` interns its argument on every call, which costs more than the scan).
#[derive(Default)]
struct Attributes<'a> {
    class: Option<&'a str>,
    id: Option<&'a str>,
    role: Option<&'a str>,
    label: Option<&'a str>,
    style: Option<&'a str>,
    itemtype: Option<&'a str>,
    href: bool,
    hidden: bool,
    aria_hidden: bool,
    /// Values only the structured renderings read (kept by `parse_document_with`).
    href_value: Option<&'a str>,
    src: Option<&'a str>,
    data_src: Option<&'a str>,
    alt: Option<&'a str>,
    colspan: Option<&'a str>,
    rowspan: Option<&'a str>,
}

impl<'a> Attributes<'a> {
    fn of(element: &'a scraper::node::Element) -> Self {
        let mut attributes = Attributes::default();
        for (name, value) in &element.attrs {
            if !name.ns.is_empty() {
                continue;
            }
            let value: &'a str = value;
            match &*name.local {
                "class" => attributes.class = Some(value),
                "id" => attributes.id = Some(value),
                "role" => attributes.role = Some(value),
                "data-gleaner-label" => attributes.label = Some(value),
                "style" => attributes.style = Some(value),
                "itemtype" => attributes.itemtype = Some(value),
                "href" => {
                    attributes.href = true;
                    attributes.href_value = Some(value);
                }
                "src" => attributes.src = Some(value),
                "data-src" => attributes.data_src = Some(value),
                "alt" => attributes.alt = Some(value),
                "colspan" => attributes.colspan = Some(value),
                "rowspan" => attributes.rowspan = Some(value),
                "hidden" => attributes.hidden = true,
                "aria-hidden" if value == "true" => attributes.aria_hidden = true,
                _ => {}
            }
        }
        attributes
    }

    /// Hidden from the eye: the `hidden` attribute or an inline style that hides. (An
    /// `aria-hidden` element only hides from screen readers; the walk decides about those.)
    fn hides_from_the_eye(&self) -> bool {
        self.hidden || self.style.is_some_and(style_hides)
    }
}

/// `display: none` or `visibility: hidden` in an inline style.
fn style_hides(style: &str) -> bool {
    let mentions = |word: &str| {
        style
            .as_bytes()
            .windows(word.len())
            .any(|w| w.eq_ignore_ascii_case(word.as_bytes()))
    };
    if !mentions("none") && !mentions("hidden") {
        return false;
    }
    let style: String = style
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    style.contains("display:none") || style.contains("visibility:hidden")
}

struct Frame<'a> {
    tag: &'a str,
    /// The tag as a `'static` name when the element is block-level.
    block_level: Option<&'static str>,
    element_index: u32,
    context: Context,
    /// This element's class/id token hashes: `Walker::tokens[tokens_start..tokens_end]`.
    tokens_start: u32,
    tokens_end: u32,
    negative_cue: bool,
    positive_cue: bool,
    label: Option<Label>,
    in_link: bool,
    href_link: bool,
    /// An `<a>` whose `href` looks like another story's page ([`is_story_url`]).
    story_link: bool,
    /// The outermost open comment-section element at or above this one.
    comment_section: Option<u32>,
    /// The outermost open consent-dialog element at or above this one.
    consent_box: Option<u32>,
    stats: ContainerStats,
    /// With structure: what the element says to the renderings (see [`FrameOutput`]).
    output: Option<Box<FrameOutput<'a>>>,
}

/// What an element that matters to the structured renderings records when it opens.
struct FrameOutput<'a> {
    /// A link's `href`, or a code language (`pre`, `code`).
    value: Option<&'a str>,
    colspan: u16,
    rowspan: u16,
    /// For inline spans (`a`, `code`): the open block's serial number and its raw length
    /// when the element opened.
    block_serial: u64,
    raw_start: u32,
    /// A cell's first column; a row's columns so far.
    column: u16,
}

#[derive(Default)]
struct OpenBlock {
    raw: String,
    link_chars: u32,
    links: u16,
    story_links: u16,
    started: bool,
    template: Block,
    /// With structure: inline spans by byte offsets into `raw`.
    inline: Vec<Inline>,
}

/// Walks a parsed document and returns its blocks, title and per-element statistics.
///
/// ```
/// let html = scraper::Html::parse_document(
///     "<title>T</title><nav><a href=/>Home</a></nav><article><p>Some <b>bold</b> text.</p></article>",
/// );
/// let page = gleaner::segment::segment(&html);
/// let texts: Vec<&str> = page.blocks.iter().map(|b| b.text.as_str()).collect();
/// assert_eq!(texts, ["Home", "Some bold text."]);
/// assert_eq!(page.title, "T");
/// assert!(page.blocks[0].context.contains(gleaner::segment::Context::NAV));
/// ```
pub fn segment(html: &Html) -> Page {
    segment_with(html, false)
}

/// [`segment`]; with `structure`, every block also records its [`Structure`] (and the page
/// its `<base href>`). The blocks, their text and every other field are the same either way.
pub fn segment_with(html: &Html, structure: bool) -> Page {
    segment_with_options(html, structure, false)
}

/// [`segment_with`]; with `aria_hidden_shows`, elements marked `aria-hidden="true"` are read
/// like any other (see [`Page::aria_hidden_skipped`]).
pub fn segment_with_options(html: &Html, structure: bool, aria_hidden_shows: bool) -> Page {
    let shown = Shown {
        aria_hidden: aria_hidden_shows,
        hidden_by_style: false,
    };
    segment_showing(html, structure, shown)
}

/// Which hidden elements a reading of the page shows ([`segment_showing`]); by default none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shown {
    /// Elements marked `aria-hidden="true"` (see [`Page::aria_hidden_skipped`]).
    pub aria_hidden: bool,
    /// Elements an inline style or the `hidden` attribute hides (see
    /// [`Page::style_hidden_skipped`]).
    pub hidden_by_style: bool,
}

/// [`segment_with`], reading the hidden elements that `shown` names like any other.
pub fn segment_showing(html: &Html, structure: bool, shown: Shown) -> Page {
    let mut walker = Walker {
        structure,
        ..Walker::default()
    };
    let mut skip_until: Option<ego_tree::NodeId> = None;
    for edge in html.tree.root().traverse() {
        match edge {
            Edge::Open(node) => {
                if skip_until.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(element) => {
                        let tag = element.name();
                        if tag == "title" && walker.page.title.is_empty() {
                            walker.page.title = collapse_whitespace(&node_text(node));
                        }
                        if tag == "meta" {
                            walker.read_meta(element);
                        }
                        if tag == "html" && walker.page.lang.is_none() {
                            walker.page.lang =
                                element.attr("lang").map(|l| l.trim().to_lowercase());
                        }
                        let attributes = Attributes::of(element);
                        if matches!(tag, "input" | "button" | "select" | "textarea") {
                            walker.form_control();
                        }
                        if let Some(itemtype) = attributes.itemtype {
                            walker.read_itemtype(itemtype);
                        }
                        if tag == "link" {
                            walker.read_link(element);
                        }
                        let style_skipped = !is_skipped(tag)
                            && attributes.hides_from_the_eye()
                            && !shown.hidden_by_style;
                        walker.page.style_hidden_skipped += usize::from(style_skipped);
                        let skipped = is_skipped(tag) || style_skipped;
                        let aria_skipped = !skipped && attributes.aria_hidden && !shown.aria_hidden;
                        walker.page.aria_hidden_skipped += usize::from(aria_skipped);
                        if skipped || aria_skipped {
                            if tag == "script"
                                && element
                                    .attr("type")
                                    .is_some_and(|t| t.to_ascii_lowercase().contains("ld+json"))
                            {
                                let body = node_text(node);
                                if !body.trim().is_empty() {
                                    walker.page.json_ld.push(body);
                                }
                            }
                            if tag == "noscript" {
                                walker.page.noscript_bytes += node
                                    .children()
                                    .filter_map(|c| c.value().as_text().map(|t| t.len()))
                                    .sum::<usize>();
                            }
                            skip_until = Some(node.id());
                            continue;
                        }
                        walker.open(tag, &attributes);
                    }
                    Node::Text(text) => walker.text(text),
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if let Some(id) = skip_until {
                    if id == node.id() {
                        skip_until = None;
                    }
                    continue;
                }
                if node.value().is_element() {
                    walker.close();
                }
            }
        }
    }
    walker.finish()
}

fn node_text(node: ego_tree::NodeRef<'_, Node>) -> String {
    node.descendants()
        .filter_map(|n| n.value().as_text().map(|t| &**t))
        .collect()
}

#[derive(Default)]
struct Walker<'a> {
    page: Page,
    stack: Vec<Frame<'a>>,
    /// Class/id token hashes of the open elements, in stack order.
    tokens: Vec<u64>,
    scratch: String,
    context_counts: [u32; 32],
    negative_cues: u16,
    positive_cues: u16,
    block: OpenBlock,
    image_pending: bool,
    break_pending: bool,
    og_url: Option<String>,
    /// Record each block's [`Structure`].
    structure: bool,
    /// Counts flushes, so an inline element can tell whether its block is still open.
    block_serial: u64,
    images_pending: Vec<Image>,
}

impl<'a> Walker<'a> {
    fn read_itemtype(&mut self, itemtype: &str) {
        // Several types may be listed; each is a URL such as https://schema.org/Product.
        for url in itemtype.split_whitespace().take(4) {
            let name = url.trim_end_matches('/').rsplit('/').next().unwrap_or(url);
            if !name.is_empty() && self.page.microdata_types.len() < 32 {
                self.page.microdata_types.push(name.to_ascii_lowercase());
            }
        }
    }

    fn read_link(&mut self, element: &scraper::node::Element) {
        let canonical = element.attr("rel").is_some_and(|rel| {
            rel.split_whitespace()
                .any(|r| r.eq_ignore_ascii_case("canonical"))
        });
        if canonical && self.page.canonical_url.is_none() {
            if let Some(href) = element
                .attr("href")
                .map(str::trim)
                .filter(|h| !h.is_empty())
            {
                self.page.canonical_url = Some(href.to_string());
            }
        }
    }

    fn read_meta(&mut self, element: &scraper::node::Element) {
        let key = element.attr("property").or_else(|| element.attr("name"));
        let content = || {
            element
                .attr("content")
                .map(str::trim)
                .filter(|c| !c.is_empty())
        };
        match key {
            Some("og:url") if self.page.canonical_url.is_none() => {
                // `<link rel=canonical>` outranks it, wherever it comes.
                self.og_url = content().map(str::to_string);
            }
            Some("og:type") if self.page.og_type.is_none() => {
                self.page.og_type = content().map(str::to_ascii_lowercase);
            }
            _ => {}
        }
        if matches!(key, Some("og:title") | Some("twitter:title")) && self.page.meta_title.is_none()
        {
            if let Some(content) = element.attr("content") {
                let title = collapse_whitespace(content);
                if !title.is_empty() {
                    self.page.meta_title = Some(title);
                }
            }
        }
    }

    fn form_control(&mut self) {
        if let Some(frame) = self.stack.last_mut() {
            frame.stats.form_controls += 1;
        }
    }

    fn frame_tokens(&self, frame: &Frame<'_>) -> &[u64] {
        &self.tokens[frame.tokens_start as usize..frame.tokens_end as usize]
    }

    fn open(&mut self, tag: &'a str, attributes: &Attributes<'a>) {
        match tag {
            "br" => {
                if self.break_pending {
                    self.flush();
                } else {
                    self.block.raw.push('\n');
                    self.break_pending = true;
                    if self.structure && self.block.started {
                        let at = self.block.raw.len() as u32;
                        self.block.inline.push(Inline {
                            start: at,
                            end: at,
                            kind: InlineKind::LineBreak,
                        });
                    }
                }
            }
            "img" => {
                self.image_pending = true;
                if self.structure {
                    self.read_image(attributes);
                }
            }
            "base" if self.structure && self.page.base_href.is_none() => {
                self.page.base_href = attributes
                    .href_value
                    .map(str::trim)
                    .filter(|h| !h.is_empty())
                    .map(str::to_string);
            }
            "hr" => self.flush(),
            _ => {}
        }
        let block_level = block_level_name(tag);
        if block_level.is_some() {
            self.flush();
        }
        let tokens_start = self.tokens.len() as u32;
        let mut compound_comment_cue = false;
        for value in [attributes.class, attributes.id].into_iter().flatten() {
            let tokens = &mut self.tokens;
            for_each_class_token(value, &mut self.scratch, |token| {
                // One letter says nothing: it is what a generated class name ("sc-kLwhqv")
                // or a grid class ("col-md-6 s") leaves once split into words.
                if token.chars().nth(1).is_some() {
                    tokens.push(token_hash(token));
                    compound_comment_cue |= is_compound_comment_cue(token);
                }
            });
        }
        let own_tokens = &self.tokens[tokens_start as usize..];
        // Each token looked up once: the cue lists it is on, and whether it marks comments.
        let (cues, comment_token) = own_tokens.iter().fold((0, false), |(all, comment), &t| {
            let kinds = cue_kinds(t);
            (all | kinds, comment || is_comment_token(kinds, tag))
        });
        let negative_cue = cues & NEGATIVE_CUE != 0;
        let positive_cue = cues & POSITIVE_CUE != 0;
        let comment_cue = comment_cue_of(
            tag,
            comment_token || compound_comment_cue,
            attributes.itemtype,
        );
        // A page-level element that names consent (`<body class="cookie-consent-open">`)
        // wraps the whole page, not a dialog.
        let consent_cue =
            !matches!(tag, "html" | "body" | "main" | "article") && cues & CONSENT_CUE != 0;
        let context = context_of(tag, attributes.role);
        for_each_bit(context.0, |bit| self.context_counts[bit] += 1);
        self.negative_cues += u16::from(negative_cue);
        self.positive_cues += u16::from(positive_cue);
        let parent_label = self.stack.last().and_then(|f| f.label);
        let label = attributes
            .label
            .and_then(|l| l.parse::<Label>().ok())
            .or(parent_label);
        let in_link = tag == "a" || self.stack.last().is_some_and(|f| f.in_link);
        let href_link = tag == "a" && attributes.href;
        let story_link = href_link && attributes.href_value.is_some_and(is_story_url);
        let element_index = self.page.containers.len() as u32;
        let own_stats = ContainerStats {
            parent: self.stack.last().map_or(element_index, |f| f.element_index),
            ..ContainerStats::default()
        };
        self.page.containers.push(own_stats);
        let comment_section = self
            .stack
            .last()
            .and_then(|f| f.comment_section)
            .or(comment_cue.then_some(element_index));
        let consent_box = self
            .stack
            .last()
            .and_then(|f| f.consent_box)
            .or(consent_cue.then_some(element_index));
        let mut output = if self.structure {
            self.frame_output(tag, attributes)
        } else {
            None
        };
        if let (Some(cell), "td" | "th") = (output.as_mut(), tag) {
            // The cell takes the next columns of its row.
            let row = self.stack.iter_mut().rev().find(|f| f.tag == "tr");
            if let Some(row) = row.and_then(|f| f.output.as_mut()) {
                cell.column = row.column;
                row.column = row.column.saturating_add(cell.colspan);
            }
        }
        self.stack.push(Frame {
            tag,
            block_level,
            element_index,
            context,
            tokens_start,
            tokens_end: self.tokens.len() as u32,
            negative_cue,
            positive_cue,
            label,
            in_link,
            href_link,
            story_link,
            comment_section,
            consent_box,
            stats: own_stats,
            output,
        });
    }

    fn read_image(&mut self, attributes: &Attributes<'_>) {
        let src = [attributes.src, attributes.data_src]
            .into_iter()
            .flatten()
            .map(str::trim)
            .find(|s| !s.is_empty() && !s.starts_with("data:"));
        if let Some(src) = src {
            if self.images_pending.len() < 64 {
                self.images_pending.push(Image {
                    src: src.to_string(),
                    alt: collapse_whitespace(attributes.alt.unwrap_or("")),
                });
            }
        }
    }

    /// What a structural element records for the renderings; `None` for the others.
    fn frame_output(&self, tag: &str, attributes: &Attributes<'a>) -> Option<Box<FrameOutput<'a>>> {
        let span = |value: Option<&str>| {
            value
                .and_then(|v| v.trim().parse::<u16>().ok())
                .map_or(1, |n| n.clamp(1, 1000))
        };
        let value = match tag {
            "a" => attributes.href_value,
            "pre" | "code" => attributes.class.and_then(code_language),
            "td" | "th" | "tr" | "kbd" | "samp" => None,
            _ => return None,
        };
        Some(Box::new(FrameOutput {
            value,
            colspan: span(attributes.colspan),
            rowspan: span(attributes.rowspan),
            block_serial: self.block_serial,
            raw_start: self.block.raw.len() as u32,
            column: 0,
        }))
    }

    /// Ends an inline element's span ([`InlineKind::Link`] or [`InlineKind::Code`]) when its
    /// block is still the open one.
    fn close_inline(&mut self, tag: &str, output: &FrameOutput<'_>) {
        if output.block_serial != self.block_serial || !self.block.started {
            return;
        }
        let kind = match tag {
            "a" => match output.value.map(str::trim) {
                Some(href) if !href.is_empty() => InlineKind::Link(href.to_string()),
                _ => return,
            },
            "code" | "kbd" | "samp" => InlineKind::Code,
            _ => return,
        };
        let end = self.block.raw.len() as u32;
        if end > output.raw_start {
            self.block.inline.push(Inline {
                start: output.raw_start,
                end,
                kind,
            });
        }
    }

    /// The block's [`Structure`], from the open elements around it.
    fn structure_of(&self) -> Structure {
        let mut structure = Structure::default();
        let mut list_item_at = None;
        let mut table_at = None;
        for (i, frame) in self.stack.iter().enumerate() {
            match frame.tag {
                "ul" | "ol" | "menu" => {
                    structure.list_depth = structure.list_depth.saturating_add(1)
                }
                "li" => list_item_at = Some(i),
                "blockquote" => structure.quote_depth = structure.quote_depth.saturating_add(1),
                "table" => {
                    let parent_table = table_at.map(|(_, cell): (usize, TableCell)| cell.table);
                    table_at = Some((
                        i,
                        TableCell {
                            table: frame.element_index,
                            parent_table,
                            ..TableCell::default()
                        },
                    ));
                }
                "pre" => {
                    structure.pre = Some(frame.element_index);
                    structure.code_language = frame_value(frame).map(str::to_string);
                }
                "code" if structure.pre.is_some() && structure.code_language.is_none() => {
                    structure.code_language = frame_value(frame).map(str::to_string);
                }
                _ => {}
            }
        }
        if let Some(at) = list_item_at {
            structure.list_item = Some(self.stack[at].element_index);
            let list = self.stack[..at]
                .iter()
                .rev()
                .find(|f| matches!(f.tag, "ul" | "ol" | "menu"));
            structure.ordered = list.is_some_and(|f| f.tag == "ol");
            structure.list = list.map(|f| f.element_index);
        }
        if let Some((at, mut cell)) = table_at {
            let mut row = None;
            let mut cell_frame = None;
            for frame in &self.stack[at + 1..] {
                match frame.tag {
                    "tr" => row = Some(frame.element_index),
                    "thead" => cell.header = true,
                    "td" | "th" if cell_frame.is_none() => cell_frame = Some(frame),
                    _ => {}
                }
            }
            if let (Some(row), Some(frame)) = (row, cell_frame) {
                cell.row = row;
                cell.cell = frame.element_index;
                cell.header |= frame.tag == "th";
                (cell.colspan, cell.rowspan, cell.column) = frame
                    .output
                    .as_ref()
                    .map_or((1, 1, 0), |o| (o.colspan, o.rowspan, o.column));
                structure.table = Some(cell);
            }
        }
        structure
    }

    fn close(&mut self) {
        let Some(frame) = self.stack.last() else {
            return;
        };
        if frame.block_level.is_some() {
            self.flush();
        }
        let frame = self.stack.pop().expect("checked above");
        if let Some(output) = &frame.output {
            self.close_inline(frame.tag, output);
        }
        self.tokens.truncate(frame.tokens_start as usize);
        for_each_bit(frame.context.0, |bit| self.context_counts[bit] -= 1);
        self.negative_cues -= u16::from(frame.negative_cue);
        self.positive_cues -= u16::from(frame.positive_cue);
        self.page.containers[frame.element_index as usize] = frame.stats;
        if let Some(parent) = self.stack.last_mut() {
            parent.stats.words += frame.stats.words;
            parent.stats.link_words += frame.stats.link_words;
            parent.stats.blocks += frame.stats.blocks;
            parent.stats.prose_blocks += frame.stats.prose_blocks;
            parent.stats.prose_words += frame.stats.prose_words;
            parent.stats.form_controls += frame.stats.form_controls;
        }
    }

    fn text(&mut self, text: &str) {
        let in_link = self.stack.last().is_some_and(|f| f.in_link);
        // Outside links only whether the text shows anything matters, not how much.
        let visible: u32 = if in_link {
            text.chars().filter(|c| !c.is_whitespace()).count() as u32
        } else {
            u32::from(text.chars().any(|c| !c.is_whitespace()))
        };
        if visible > 0 {
            if !self.block.started {
                self.start_block();
            }
            self.break_pending = false;
            if in_link {
                self.block.link_chars += visible;
                if let Some(anchor) = self.stack.iter_mut().rev().find(|f| f.tag == "a") {
                    if anchor.href_link {
                        // Count each anchor once, however many text nodes it has.
                        anchor.href_link = false;
                        self.block.links += 1;
                        self.block.story_links += u16::from(anchor.story_link);
                    }
                }
            }
        }
        self.block.raw.push_str(text);
    }

    /// Captures the structure around the block when its first visible text arrives.
    fn start_block(&mut self) {
        self.block.started = true;
        let mut template = std::mem::take(&mut self.block.template);
        template.depth = self.stack.len() as u32;
        let mut context = 0u32;
        for (bit, count) in self.context_counts.iter().enumerate() {
            if *count > 0 {
                context |= 1 << bit;
            }
        }
        template.context = Context(context);
        template.negative_cues = self.negative_cues;
        template.positive_cues = self.positive_cues;
        template.label = self.stack.last().and_then(|f| f.label);
        template.comment_section = self.stack.last().and_then(|f| f.comment_section);
        template.consent_box = self.stack.last().and_then(|f| f.consent_box);
        let block_frame = self
            .stack
            .iter()
            .rposition(|f| f.block_level.is_some())
            .unwrap_or(0);
        template.tag = self
            .stack
            .get(block_frame)
            .map_or("body", |f| f.block_level.unwrap_or("body"));
        template.heading_level = match template.tag {
            "h1" => 1,
            "h2" => 2,
            "h3" => 3,
            "h4" => 4,
            "h5" => 5,
            "h6" => 6,
            _ => 0,
        };
        let window_start = self.stack.len().saturating_sub(ANCESTOR_WINDOW);
        let window = &self.stack[window_start..];
        let mut tag_path = String::with_capacity(window.iter().map(|f| f.tag.len() + 1).sum());
        for frame in window {
            if !tag_path.is_empty() {
                tag_path.push('>');
            }
            tag_path.push_str(frame.tag);
        }
        template.tag_path = tag_path;
        template.near_tokens.clear();
        template.far_tokens.clear();
        // Inline wrappers inside the block element (spans, links) count as the block element.
        for frame in &self.stack[block_frame.min(self.stack.len())..] {
            template
                .near_tokens
                .extend_from_slice(self.frame_tokens(frame));
        }
        let ancestors = &self.stack[..block_frame.min(self.stack.len())];
        for (distance, frame) in ancestors.iter().rev().take(ANCESTOR_WINDOW).enumerate() {
            let target = if distance < NEAR_ANCESTORS {
                &mut template.near_tokens
            } else {
                &mut template.far_tokens
            };
            target.extend_from_slice(self.frame_tokens(frame));
        }
        let mut containers = [0u32; CONTAINER_LEVELS];
        let mut found = 0;
        let up_to_block = &self.stack[..(block_frame + 1).min(self.stack.len())];
        for frame in up_to_block.iter().rev().filter(|f| f.block_level.is_some()) {
            containers[found] = frame.element_index;
            found += 1;
            if found == CONTAINER_LEVELS {
                break;
            }
        }
        for level in found.max(1)..CONTAINER_LEVELS {
            containers[level] = containers[found.max(1) - 1];
        }
        template.containers = containers;
        template.structure = self.structure.then(|| Box::new(self.structure_of()));
        self.block.template = template;
    }

    fn flush(&mut self) {
        self.break_pending = false;
        self.block_serial += 1;
        let mut open = std::mem::take(&mut self.block);
        // The raw-text buffer is reused, emptied, by the next block (a page has hundreds).
        let recycle = |walker: &mut Self, mut raw: String| {
            raw.clear();
            walker.block.raw = raw;
        };
        if !open.started {
            // Text-less stretches keep a pending image for the next block.
            recycle(self, open.raw);
            return;
        }
        let in_pre = open.template.context.contains(Context::PRE) && open.template.tag == "pre";
        let (text, chars, words) = if in_pre {
            let text = open
                .raw
                .trim_matches(|c: char| c.is_whitespace())
                .to_string();
            let chars = text.chars().filter(|c| !c.is_whitespace()).count() as u32;
            let words = count_words(&text);
            (text, chars, words)
        } else {
            collapse_and_count(&open.raw)
        };
        let mut block = open.template;
        block.text = text;
        block.chars = chars;
        block.link_chars = open.link_chars.min(chars);
        block.words = words;
        block.links = open.links;
        block.story_links = open.story_links;
        let link_words = block.link_words();
        block.near_image = std::mem::take(&mut self.image_pending);
        if let Some(structure) = block.structure.as_mut() {
            structure.inline = text_spans(&open.raw, &block.text, in_pre, open.inline);
            structure.images = std::mem::take(&mut self.images_pending);
        }
        // After the structure has read the raw text (its inline spans are offsets into it).
        recycle(self, std::mem::take(&mut open.raw));
        if let Some(frame) = self
            .stack
            .iter_mut()
            .rev()
            .find(|f| f.block_level.is_some())
        {
            frame.stats.words += words;
            frame.stats.link_words += link_words;
            frame.stats.blocks += 1;
            if is_prose(words, link_words) {
                frame.stats.prose_blocks += 1;
                frame.stats.prose_words += words;
            }
        }
        self.page.blocks.push(block);
    }

    fn finish(mut self) -> Page {
        self.flush();
        if self.page.canonical_url.is_none() {
            self.page.canonical_url = self.og_url.take();
        }
        while !self.stack.is_empty() {
            self.close();
        }
        self.page
    }
}

/// The language a `class` names for code: `language-x` or `lang-x` (lowercase).
fn code_language(class: &str) -> Option<&str> {
    class.split_whitespace().find_map(|token| {
        let lower = token.get(..9).map(str::to_ascii_lowercase);
        let rest = if lower.as_deref() == Some("language-") {
            &token[9..]
        } else if token
            .get(..5)
            .is_some_and(|p| p.eq_ignore_ascii_case("lang-"))
        {
            &token[5..]
        } else {
            return None;
        };
        let valid = !rest.is_empty()
            && rest.len() <= 32
            && rest
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '-' | '_' | '.'));
        valid.then_some(rest)
    })
}

fn frame_value<'a>(frame: &Frame<'a>) -> Option<&'a str> {
    frame.output.as_ref().and_then(|o| o.value)
}

/// Moves inline spans from byte offsets into a block's raw text to offsets into its final
/// text (whitespace collapsed, or only trimmed inside `<pre>`, where spans are dropped: the
/// block renders as code). A span starts at its first word and ends after its last; spans
/// left empty are dropped, except line breaks, which are kept only between words.
fn text_spans(raw: &str, text: &str, in_pre: bool, mut spans: Vec<Inline>) -> Vec<Inline> {
    if in_pre || spans.is_empty() {
        return Vec::new();
    }
    // Sorted positions to map: (raw offset, is start, span index).
    // A line break sits at the end of the word before it.
    let mut marks: Vec<(u32, bool, usize)> = Vec::with_capacity(spans.len() * 2);
    for (i, span) in spans.iter().enumerate() {
        marks.push((span.start, span.kind != InlineKind::LineBreak, i));
        marks.push((span.end, false, i));
    }
    marks.sort_unstable_by_key(|m| m.0);
    let mut next = 0;
    let (mut out_len, mut space_due) = (0usize, false);
    let mut resolve = |upto: usize, out_len: usize, space_due: bool, next: &mut usize| {
        while let Some(&(at, is_start, i)) = marks.get(*next) {
            if at as usize > upto {
                break;
            }
            let mapped = if is_start && space_due {
                out_len + 1
            } else {
                out_len
            };
            let mapped = mapped.min(text.len()) as u32;
            if is_start {
                spans[i].start = mapped;
            } else {
                spans[i].end = mapped;
            }
            *next += 1;
        }
    };
    for (at, c) in raw.char_indices() {
        resolve(at, out_len, space_due, &mut next);
        if c.is_whitespace() {
            space_due = out_len > 0;
        } else {
            if space_due {
                out_len += 1;
                space_due = false;
            }
            out_len += c.len_utf8();
        }
    }
    resolve(usize::MAX, out_len, false, &mut next);
    let bytes = text.as_bytes();
    for span in &mut spans {
        if span.kind == InlineKind::LineBreak {
            // Both of its marks resolved as ends.
            span.start = span.end;
        }
        while span.start < span.end && bytes[span.start as usize] == b' ' {
            span.start += 1;
        }
        while span.end > span.start && bytes[span.end as usize - 1] == b' ' {
            span.end -= 1;
        }
    }
    spans.retain(|s| match s.kind {
        InlineKind::LineBreak => s.start > 0 && (s.start as usize) < text.len(),
        _ => s.end > s.start,
    });
    spans
}

/// Collapses every run of whitespace to one space and trims the ends.
pub fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// [`collapse_whitespace`], [`count_words`] and the count of non-whitespace characters, in
/// one pass.
fn collapse_and_count(raw: &str) -> (String, u32, u32) {
    if raw.is_ascii() {
        return collapse_and_count_ascii(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let (mut chars, mut words) = (0u32, 0u32);
    let mut in_token = false;
    let mut token_cjk = 0u32;
    for c in raw.chars() {
        if c.is_whitespace() {
            if in_token {
                words += token_cjk.max(1);
                in_token = false;
            }
            continue;
        }
        if !in_token {
            if !out.is_empty() {
                out.push(' ');
            }
            in_token = true;
            token_cjk = 0;
        }
        out.push(c);
        chars += 1;
        token_cjk += u32::from(is_cjk(c));
    }
    if in_token {
        words += token_cjk.max(1);
    }
    (out, chars, words)
}

/// [`collapse_and_count`] of an ASCII text: its whitespace is what `char::is_whitespace` takes
/// in ASCII (tab to carriage return, and space), it has no CJK, and each token is copied whole.
fn collapse_and_count_ascii(raw: &str) -> (String, u32, u32) {
    let mut out = String::with_capacity(raw.len());
    let (mut chars, mut words) = (0u32, 0u32);
    let is_blank = |b: &u8| matches!(b, b'\t'..=b'\r' | b' ');
    for token in raw.as_bytes().split(is_blank).filter(|t| !t.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        // An ASCII slice of the text is valid UTF-8.
        out.push_str(std::str::from_utf8(token).unwrap_or_default());
        chars += token.len() as u32;
        words += 1;
    }
    (out, chars, words)
}

/// Whitespace tokens, with each CJK character counting as a word of its own, so that
/// languages written without spaces get comparable counts.
pub fn count_words(text: &str) -> u32 {
    let mut words = 0u32;
    for token in text.split_whitespace() {
        let cjk = token.chars().filter(|&c| is_cjk(c)).count() as u32;
        words += if cjk > 0 { cjk.max(1) } else { 1 };
    }
    words
}

pub(crate) fn is_cjk(c: char) -> bool {
    // The first test settles every Latin, Greek and Cyrillic character at once.
    c as u32 >= 0x3040
        && matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(html: &str) -> Vec<Block> {
        segment(&Html::parse_document(html)).blocks
    }

    #[test]
    fn block_elements_split_and_inline_elements_join() {
        let b = blocks(
            "<body><div>Intro <a href='/x'>link</a> text<p>First <em>para</em>.</p>tail</div>\
             <ul><li>one</li><li>two</li></ul></body>",
        );
        let texts: Vec<&str> = b.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(
            texts,
            ["Intro link text", "First para.", "tail", "one", "two"]
        );
        assert_eq!(b[0].link_chars, 4);
        assert_eq!(b[0].links, 1);
        assert_eq!(b[1].tag, "p");
        assert_eq!(b[3].tag, "li");
        assert!(b[3].context.contains(Context::LIST));
    }

    #[test]
    fn scripts_styles_and_hidden_elements_are_skipped() {
        let b = blocks(
            "<head><style>p{}</style><script>var x = 1;</script></head><body>\
             <p>Visible</p><p hidden>Hidden attr</p><div style='display: none'>Hidden style</div>\
             <noscript>Enable JS</noscript><template><p>tpl</p></template><p aria-hidden=true>aria</p>\
             <svg><text>svg text</text></svg></body>",
        );
        let texts: Vec<&str> = b.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, ["Visible"]);
    }

    #[test]
    fn context_tokens_and_labels_are_recorded() {
        let page = segment(&Html::parse_document(
            "<html lang=de><head><title> Die  Seite </title><meta property='og:title' content='Headline'></head>\
             <body data-gleaner-label=boilerplate><nav class='mainNav'><a href=/>Start</a></nav>\
             <article class='article__body' data-gleaner-label=content><h2>Sub</h2><p>Text hier.</p>\
             <p data-gleaner-label=teaser><a href=/other>Other story</a></p></article>\
             <footer>Impressum</footer></body></html>",
        ));
        assert_eq!(page.title, "Die Seite");
        assert_eq!(page.meta_title.as_deref(), Some("Headline"));
        assert_eq!(page.lang.as_deref(), Some("de"));
        let b = &page.blocks;
        assert_eq!(b[0].label, Some(Label::Boilerplate));
        assert!(b[0].near_tokens.contains(&token_hash("nav")));
        assert!(b[0].negative_cues >= 1);
        assert_eq!(b[1].heading_level, 2);
        assert_eq!(b[2].label, Some(Label::Content));
        assert!(b[2].near_tokens.contains(&token_hash("article")));
        assert!(b[2].context.contains(Context::ARTICLE));
        assert_eq!(b[3].label, Some(Label::Teaser));
        assert_eq!(b[3].link_chars, b[3].chars);
        assert!(b[4].context.contains(Context::FOOTER));
    }

    #[test]
    fn consent_dialogs_are_marked_from_their_outermost_element() {
        let html = r#"<body class="cookie-consent-open"><main><p>Tomato sauce recipes for every kind of dish.</p></main>
            <div id="onetrust-consent-sdk"><div class="ot-pc"><h3>Store and/or access information
              on a device</h3><p>91 partners can use this purpose</p></div></div>
            <div class="cookie-recipes"><p>Chocolate chip cookies</p></div></body>"#;
        let page = segment(&Html::parse_document(html));
        // The body's class names consent, but a page-level element is never the dialog.
        let consent = |text: &str| {
            page.blocks
                .iter()
                .find(|b| b.text.starts_with(text))
                .unwrap()
                .consent_box
        };
        assert_eq!(consent("Tomato sauce"), None);
        let outer = consent("Store and/or access").expect("in the consent dialog");
        assert_eq!(consent("91 partners"), Some(outer));
        // A cue word is a cue, not a verdict: the model weighs it with everything else.
        assert!(consent("Chocolate chip").is_some());
    }

    /// `is_story_url` as it was first written, over `str` patterns.
    fn is_story_url_by_str(href: &str) -> bool {
        let href = href.trim();
        if href.starts_with('#') || href.contains(':') && !href.starts_with("http") {
            return false;
        }
        let path = match href.find("//") {
            Some(i) if i <= 6 => href[i + 2..].find('/').map_or("", |j| &href[i + 2 + j..]),
            _ => href,
        };
        let path = path.split(['?', '#']).next().unwrap_or("");
        let mut segments = path.split('/').filter(|s| !s.is_empty());
        let Some(last) = segments.next_back() else {
            return false;
        };
        let depth = 1 + segments.count();
        let stem = last.rsplit_once('.').map_or(last, |(stem, ext)| {
            if ext.len() <= 5 && ext.chars().all(|c| c.is_ascii_alphabetic()) {
                stem
            } else {
                last
            }
        });
        let mut words = 0;
        let mut long_number = false;
        for part in stem.split(['-', '_', '+']).filter(|p| !p.is_empty()) {
            if part.chars().all(|c| c.is_ascii_digit()) {
                long_number |= part.len() >= 5;
            } else {
                words += 1;
            }
        }
        words >= 4 || (words >= 2 && long_number) || (words == 0 && long_number && depth >= 2)
    }

    #[test]
    fn story_links_are_read_from_bytes_as_they_were_from_str() {
        let realistic = [
            "https://www.bbc.co.uk/news/uk-politics-67891234",
            "https://www.theguardian.com/world/2023/nov/14/council-approves-harbour-bridge",
            "http://example.com/2012/03/14/council-approves-bridge/",
            "//cdn.example.com/news/world-europe-67891234?ref=rel#top",
            "/news/sport/chelsea-make-shock-late-bid-30914522",
            "/news/sport/chelsea-make-shock-late-bid-30914522.amp",
            "/artikel/neue-brücke-über-den-fluss-eröffnet-12345.html",
            "/wiadomości/polska-z-najniższym-bezrobociem-w-całej-ue",
            "/ニュース/記事-12345678",
            "/story/12345678",
            "/story/12345678/",
            "12345678",
            "/p/123456.php?id=9",
            "what-happened-on-the-night.html",
            "what-happened-on-the-night.htmlx",
            "what-happened-on-the-night.12345",
            "/a.b.c-d-e-f",
            "/a+b+c+d",
            "/a__b__c__d",
            "/news/a-b.c-d-e",
            "?page=2",
            "/search?q=one-two-three-four",
            "/#/news/one-two-three-four",
            "/news#one-two-three-four",
            "https://example.com",
            "https://example.com/",
            "https:example.com/one-two-three-four",
            "http://a//b/one-two-three-four",
            "ab://x/one-two-three-four",
            "abcdefg//x/one-two-three-four",
            "abcde//x/one-two-three-four",
            "abcdef//x",
            "x//y//one-two-three-four",
            "mailto:desk@example.com",
            "javascript:void(0)",
            "tel:+44-20-7946-0958",
            "  /news/one-two-three-four  ",
            "\u{a0}/news/one-two-three-four\u{3000}",
            "\u{a0}#comments",
            "#comments",
            "",
            "/",
            "//",
            "///",
            "/-/-/-",
            "/tag/climate-change",
            "/category/electronics-and-gadgets",
            "/page/2",
            "/2024/01/02/",
            "/video/12345-67890",
        ];
        for href in realistic {
            assert_eq!(is_story_url(href), is_story_url_by_str(href), "{href:?}");
        }
        // Addresses made of the bytes that matter, in every arrangement a small generator
        // reaches: separators, dots, digits, schemes, whitespace and non-ASCII letters.
        let pieces = [
            "/", "//", "-", "_", "+", ".", "?", "#", ":", "http", "https://", "a", "ab", "news",
            "é", "ü", "日", "1", "12345", "2024", "html", "htm5", " ", "\u{a0}", "\u{2028}",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut stories = 0;
        for _ in 0..200_000 {
            let mut href = String::new();
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let mut bits = state;
            for _ in 0..(bits % 12) {
                bits /= 12;
                href.push_str(pieces[(bits % pieces.len() as u64) as usize]);
                bits /= pieces.len() as u64;
                if bits == 0 {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    bits = state;
                }
            }
            assert_eq!(is_story_url(&href), is_story_url_by_str(&href), "{href:?}");
            stories += usize::from(is_story_url(&href));
        }
        assert!(stories > 500, "{stories} story addresses made");
    }

    #[test]
    fn story_links_are_told_from_section_links() {
        for story in [
            "/news/sport/chelsea-make-shock-late-bid-30914522",
            "https://example.com/2012/03/14/council-approves-harbour-bridge/",
            "//example.com/news/world-europe-67891234?ref=rel",
            "/story/12345678",
            "what-happened-on-the-night.html",
        ] {
            assert!(is_story_url(story), "{story}");
        }
        for section in [
            "/",
            "/news/",
            "/sport/football",
            "/tag/climate-change",
            "#comments",
            "mailto:desk@example.com",
            "https://example.com",
            "/page/2",
            "/category/electronics-and-gadgets",
        ] {
            assert!(!is_story_url(section), "{section}");
        }
        let page = segment(&Html::parse_document(
            r#"<p><a href="/news/council-approves-harbour-bridge-rebuild-4187">Council approves harbour bridge rebuild</a></p>
               <p>See <a href="/news/">all news</a> or <a href="/news/bus-route-to-hospital-cut-4188">the bus story</a>.</p>"#,
        ));
        assert_eq!(
            page.blocks
                .iter()
                .map(|b| (b.links, b.story_links))
                .collect::<Vec<_>>(),
            [(1, 1), (2, 1)]
        );
    }

    /// The comment section of the block with exactly this text.
    fn comment_section_of(page: &Page, text: &str) -> Option<u32> {
        page.blocks
            .iter()
            .find(|b| b.text == text)
            .unwrap_or_else(|| panic!("no block {text:?}"))
            .comment_section
    }

    #[test]
    fn page_level_classes_do_not_hide_the_thread_inside() {
        // The body names the page's state and the article its category: neither is the
        // comment section. The thread below the article is.
        let html = r#"<body class="single single-post comments-open">
            <article class="post category-reviews"><p>The film itself, reviewed at length here.</p></article>
            <div id="comments"><ol><li><p>A reader's view of the film.</p></li></ol></div></body>"#;
        let page = segment(&Html::parse_document(html));
        let section = |text: &str| comment_section_of(&page, text);
        assert_eq!(section("The film itself, reviewed at length here."), None);
        let thread = section("A reader's view of the film.").expect("in the thread");
        assert_eq!(page.containers[thread as usize].words, 6);
    }

    #[test]
    fn comment_plugins_and_talkbacks_are_comment_sections_but_commentary_is_not() {
        let html = r#"<div class="commentary"><p>Our critic's commentary on the match.</p></div>
            <div id="jcomments"><p>First plugin comment.</p></div>
            <div class="userCommentsBox"><p>A user comment here.</p></div>
            <div class="talkbacks"><p>A talkback from a reader.</p></div>
            <article class="comment"><p>A comment as an article.</p></article>"#;
        let page = segment(&Html::parse_document(html));
        let in_section = |text: &str| comment_section_of(&page, text).is_some();
        assert!(!in_section("Our critic's commentary on the match."));
        for comment in [
            "First plugin comment.",
            "A user comment here.",
            "A talkback from a reader.",
            "A comment as an article.",
        ] {
            assert!(in_section(comment), "{comment}");
        }
    }

    #[test]
    fn comment_sections_are_marked_from_their_outermost_element() {
        let html = r#"<article><p>The post itself, long enough to read as prose.</p></article>
            <div id="comments" class="comments-area"><h2>2 comments</h2>
              <ol class="comment-list"><li class="comment"><p>First reader comment.</p></li></ol></div>
            <section itemscope itemtype="https://schema.org/Review"><p>Great lamp.</p></section>
            <footer><p>About us</p></footer>"#;
        let page = segment(&Html::parse_document(html));
        let section = |text: &str| comment_section_of(&page, text);
        assert_eq!(
            section("The post itself, long enough to read as prose."),
            None
        );
        assert_eq!(section("About us"), None);
        // The heading and the nested comment share the outermost section element.
        let outer = section("2 comments").expect("in the comment section");
        assert_eq!(section("First reader comment."), Some(outer));
        assert_eq!(
            page.containers[outer as usize].words,
            2 + 3,
            "the section's words"
        );
        assert!(section("Great lamp.").is_some_and(|s| s != outer));
    }

    #[test]
    fn one_letter_class_tokens_are_not_recorded() {
        let page = segment(&Html::parse_document(
            "<div class='sc-kLwhqv fKpBnX'><p>Words of a paragraph.</p></div>",
        ));
        let tokens = &page.blocks[0].near_tokens;
        for kept in ["sc", "lwhqv", "kp", "bn"] {
            assert!(tokens.contains(&token_hash(kept)), "{kept} is kept");
        }
        for dropped in ["k", "f", "x"] {
            assert!(
                !tokens.contains(&token_hash(dropped)),
                "{dropped} is dropped"
            );
        }
    }

    #[test]
    fn container_statistics_sum_their_blocks() {
        let page = segment(&Html::parse_document(
            "<div id=a><p>one two three four five six seven eight nine ten eleven twelve</p>\
             <p><a href=#>x y</a></p></div><div>z</div>",
        ));
        let first = &page.blocks[0];
        let parent = page.containers[first.containers[1] as usize];
        assert_eq!(parent.words, 14);
        assert_eq!(parent.link_words, 2);
        assert_eq!(parent.blocks, 2);
        assert_eq!(parent.prose_blocks, 1);
    }

    #[test]
    fn double_line_breaks_separate_blocks_and_pre_keeps_newlines() {
        let b = blocks("<td>first line<br>same block<br><br>next block</td><pre>a\n  b</pre>");
        let texts: Vec<&str> = b.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, ["first line same block", "next block", "a\n  b"]);
    }

    #[test]
    fn ascii_text_collapses_and_counts_as_any_text_does() {
        // The general path, for comparison: the ASCII text with one non-ASCII character
        // appended as a token of its own, then that token taken off again.
        for raw in [
            "",
            "  ",
            "a",
            " Hello,\tworld \n\x0b x\x0c\ry ",
            "one  two\u{1c}three",
        ] {
            let (out, chars, words) = collapse_and_count(&format!("{raw} é"));
            let general = (
                out.trim_end_matches('é').trim_end().to_string(),
                chars - 1,
                words - 1,
            );
            assert_eq!(collapse_and_count_ascii(raw), general, "{raw:?}");
        }
    }

    #[test]
    fn class_tokens_split_camel_case_and_separators() {
        let mut out = Vec::new();
        class_tokens("articleBody__text-2 css-1x9f3a", &mut out);
        assert_eq!(out, ["article", "body", "text", "2", "css", "1x9f3a"]);
        // A value with one non-ASCII letter takes the general path, and splits the same.
        out.clear();
        class_tokens("articleBody__text-2 css-1x9f3a Ünïcode", &mut out);
        assert_eq!(
            out,
            ["article", "body", "text", "2", "css", "1x9f3a", "ünïcode"]
        );
    }

    #[test]
    fn cjk_characters_count_as_words() {
        assert_eq!(count_words("東京 is big"), 4);
        let raw = " 東京 is\n\t big  ";
        assert_eq!(
            collapse_and_count(raw),
            (collapse_whitespace(raw), 7, count_words(raw))
        );
    }
}
