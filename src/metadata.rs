//! Page metadata: title, authors, dates, site, language, canonical URL, description, image,
//! tags and page type, read beside the extraction pipeline from the same parsed DOM.
//!
//! ## Types and data flow
//!
//! ```text
//! Html (parsed once) ─read_dom─▶ DomSignals ─┐
//! Page blocks + kept text ──────────────────┼─resolve─▶ Metadata ─▶ JSON fields / front matter
//! today's date (rejects future dates) ──────┘
//! ```
//!
//! - [`read_dom`] walks the parsed document once and keeps the raw material: JSON-LD bodies,
//!   `<meta>` pairs (OpenGraph, Twitter, `name=author|date…`), microdata `itemprop` values,
//!   `<time datetime>`, elements whose class or id names a byline or a date, the first `<h1>`,
//!   the `lang` of `<html>` and the canonical link. These are [`DomSignals`].
//! - [`Metadata::resolve`] picks every field from the most trusted source that has a valid
//!   value, in this order: JSON-LD (schema.org Article, NewsArticle, BlogPosting, Product…,
//!   inside `@graph` and arrays; malformed JSON is repaired where it can be, skipped where it
//!   cannot), OpenGraph/Twitter meta, other `<meta>`, microdata, `<time datetime>`, and last
//!   what the page shows (byline and date lines near the headline, from the blocks).
//! - Dates go through [`parse_date`] (ISO 8601 and free text such as "6 December 2026",
//!   "Dec. 6, 2026", "06.12.2026", "6 de dezembro de 2026" in English, German, French,
//!   Spanish, Italian, Portuguese and Dutch); impossible dates and dates after today are
//!   rejected. Language is the page's `lang` (as BCP 47), else its declared locale, else
//!   detected from the article text with `whatlang`.
//! - [`Metadata::to_front_matter`] writes the fields as YAML front matter for Markdown.
//!
//! ## Example
//!
//! ```
//! use gleaner::metadata::{Date, Metadata};
//! let html = r#"<html lang="en-gb"><head>
//!   <meta property="og:site_name" content="Coast News">
//!   <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
//!     {"@type":"NewsArticle","headline":"Harbour reopens","datePublished":"2026-03-02T09:00:00Z",
//!      "author":{"@type":"Person","name":"Ada Byron"},"keywords":"harbour, storms"}]}</script>
//! </head><body><h1>Harbour reopens</h1><p>The harbour reopened on Monday.</p></body></html>"#;
//! let dom = scraper::Html::parse_document(html);
//! let signals = gleaner::metadata::read_dom(&dom);
//! let today = Date::new(2026, 12, 6).unwrap();
//! let meta = Metadata::resolve(&signals, &[], "The harbour reopened on Monday.", today);
//! assert_eq!(meta.author, ["Ada Byron"]);
//! assert_eq!(meta.date_published.as_deref(), Some("2026-03-02T09:00:00Z"));
//! assert_eq!(meta.site_name.as_deref(), Some("Coast News"));
//! assert_eq!(meta.language.as_deref(), Some("en-GB"));
//! assert_eq!(meta.tags, ["harbour", "storms"]);
//! assert!(meta.to_front_matter().starts_with("---\n"));
//! ```

use ego_tree::NodeRef;
use scraper::{Html, Node};
use serde::Serialize;
use serde_json::Value;

use crate::segment::Block;

/// Longest JSON-LD body read (bytes); longer ones are skipped rather than parsed.
pub const MAX_JSON_LD_BYTES: usize = 2 << 20;
/// How many of each kind of DOM candidate are kept.
const MAX_CANDIDATES: usize = 64;
/// Longest text kept from one element.
const MAX_ELEMENT_TEXT: usize = 400;
/// How many authors a page may list.
const MAX_AUTHORS: usize = 12;
/// How many tags a page may list.
const MAX_TAGS: usize = 32;

/// The page's metadata. Every field is optional: a page states what it states.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metadata {
    /// The headline (in JSON records, the record's own `title` field holds it).
    #[serde(skip)]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub author: Vec<String>,
    /// ISO 8601: `YYYY-MM-DD`, or the date and time as the page gave them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_modified: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_name: Option<String>,
    /// BCP 47 tag (`en`, `pt-BR`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// The page's canonical URL; `canonical_url` in JSON records, whose `url` is the URL a
    /// batch input gave.
    #[serde(rename = "canonical_url", skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// What kind of page it is (`article`, `product`, …), when the model says (in JSON
    /// records, the record's own `page_type` field holds it).
    #[serde(skip)]
    pub page_type: Option<String>,
}

/// A calendar date (proleptic Gregorian).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// The date, if it exists on the calendar.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Date> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(Date { year, month, day })
    }

    /// Today's date in UTC, from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days_since_epoch((secs / 86_400) as i64)
    }

    /// The date `days` days after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Date {
        // Counted in 400-year eras of 146,097 days starting on 0000-03-01, so that the leap
        // day ends each year of the era.
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z.rem_euclid(146_097);
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u32;
        let month = if shifted_month < 10 {
            shifted_month + 3
        } else {
            shifted_month - 9
        } as u32;
        let year = (year_of_era + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// `YYYY-MM-DD`.
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Dates before this year are taken for mistakes (or for dates that are not publication
/// dates, such as a birth date in a biography).
const EARLIEST_YEAR: i32 = 1995;

/// A publication date found in `text`, as ISO 8601, if it is a real date no later than
/// `today` (a day's grace for time zones). A full ISO 8601 timestamp keeps its time; any
/// other form gives `YYYY-MM-DD`.
///
/// ```
/// use gleaner::metadata::{parse_date, Date};
/// let today = Date::new(2026, 12, 6).unwrap();
/// assert_eq!(parse_date("Dec. 6, 2026", today).as_deref(), Some("2026-12-06"));
/// assert_eq!(parse_date("6 de dezembro de 2026", today).as_deref(), Some("2026-12-06"));
/// assert_eq!(parse_date("06.12.2026", today).as_deref(), Some("2026-12-06"));
/// assert_eq!(parse_date("2026-02-30", today), None); // no such day
/// assert_eq!(parse_date("7 January 2027", today), None); // in the future
/// ```
pub fn parse_date(text: &str, today: Date) -> Option<String> {
    let text = text.trim();
    if let Some((date, iso)) = iso_timestamp(text) {
        return plausible(date, today).then_some(iso);
    }
    find_date(text, today).map(|d| d.iso())
}

fn plausible(date: Date, today: Date) -> bool {
    let tomorrow = {
        let mut next = Date::new(today.year, today.month, today.day + 1);
        if next.is_none() {
            next = Date::new(today.year, today.month + 1, 1);
        }
        next.unwrap_or(Date {
            year: today.year + 1,
            month: 1,
            day: 1,
        })
    };
    date.year >= EARLIEST_YEAR && date <= tomorrow
}

/// A text that is an ISO 8601 date or timestamp as a whole (`2026-12-06`,
/// `2026-12-06T09:30:00+01:00`, `2026-12-06 09:30`), with the date and the text to keep.
fn iso_timestamp(text: &str) -> Option<(Date, String)> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = text.get(r)?;
        (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let date = Date::new(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?)?;
    if b.len() == 10 {
        return Some((date, date.iso()));
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    // A time follows: keep it as given when it reads as HH:MM[:SS[.fff]][Z|±HH[:]MM].
    let rest = &text[11..];
    let time_ok = {
        let r = rest.as_bytes();
        let hm = r.len() >= 5
            && r[..2].iter().all(u8::is_ascii_digit)
            && r[2] == b':'
            && r[3..5].iter().all(u8::is_ascii_digit);
        hm && rest[5..]
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b':' | b'.' | b'+' | b'-' | b'Z' | b'z'))
    };
    Some((
        date,
        if time_ok {
            format!("{}T{}", date.iso(), rest)
        } else {
            date.iso()
        },
    ))
}

#[derive(Debug, Clone, PartialEq)]
enum Token<'a> {
    Number(u32, usize),
    Word(&'a str),
    Punct(char),
}

fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            continue;
        }
        let same = |d: char| {
            if c.is_ascii_digit() {
                d.is_ascii_digit()
            } else {
                d.is_alphabetic()
            }
        };
        if c.is_ascii_digit() || c.is_alphabetic() {
            let mut end = start + c.len_utf8();
            while let Some(&(i, d)) = chars.peek() {
                if !same(d) {
                    break;
                }
                end = i + d.len_utf8();
                chars.next();
            }
            let s = &text[start..end];
            out.push(if c.is_ascii_digit() {
                Token::Number(s.parse().unwrap_or(u32::MAX), s.len())
            } else {
                Token::Word(s)
            });
        } else {
            out.push(Token::Punct(c));
        }
        if out.len() > 4_000 {
            break;
        }
    }
    out
}

/// The month a word names, in the languages of the shared data sets (full names and the
/// usual abbreviations).
fn month_number(word: &str) -> Option<u32> {
    const MONTHS: [&[&str]; 12] = [
        &[
            "january", "jan", "januar", "jänner", "janvier", "janv", "enero", "ene", "gennaio",
            "gen", "janeiro", "januari",
        ],
        &[
            "february",
            "feb",
            "februar",
            "février",
            "fevrier",
            "févr",
            "fevr",
            "febrero",
            "febbraio",
            "fevereiro",
            "fev",
            "februari",
        ],
        &[
            "march", "mar", "märz", "maerz", "mars", "marzo", "março", "marco", "maart", "mrt",
        ],
        &["april", "apr", "avril", "avr", "abril", "abr", "aprile"],
        &["may", "mai", "mayo", "maggio", "mag", "maio", "mei"],
        &[
            "june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho",
        ],
        &[
            "july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho",
        ],
        &["august", "aug", "août", "aout", "agosto", "ago", "augustus"],
        &[
            "september",
            "sep",
            "sept",
            "septembre",
            "septiembre",
            "setiembre",
            "settembre",
            "set",
            "setembro",
        ],
        &[
            "october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro",
            "out",
        ],
        &["november", "nov", "novembre", "noviembre", "novembro"],
        &[
            "december",
            "dec",
            "dezember",
            "dez",
            "décembre",
            "decembre",
            "déc",
            "diciembre",
            "dic",
            "dicembre",
            "dezembro",
        ],
    ];
    if word.len() > 12 {
        return None;
    }
    let lower = word.to_lowercase();
    MONTHS
        .iter()
        .position(|names| names.contains(&lower.as_str()))
        .map(|i| i as u32 + 1)
}

/// Words that may sit between the parts of a written date ("6 de dezembro de 2026",
/// "the 6th of December").
fn is_filler(word: &str) -> bool {
    matches!(
        word.to_lowercase().as_str(),
        "de" | "del" | "of" | "st" | "nd" | "rd" | "th" | "er" | "le" | "el" | "il" | "den"
    )
}

/// The first plausible date written anywhere in `text`.
fn find_date(text: &str, today: Date) -> Option<Date> {
    let tokens = tokens(text);
    (0..tokens.len()).find_map(|i| date_at(&tokens[i..], today))
}

/// A date that starts at the first token.
fn date_at(t: &[Token<'_>], today: Date) -> Option<Date> {
    let ok = |d: Option<Date>| d.filter(|d| plausible(*d, today));
    let year = |t: Option<&Token<'_>>| match t {
        Some(Token::Number(y, 4)) => Some(*y as i32),
        _ => None,
    };
    let small = |t: Option<&Token<'_>>| match t {
        Some(Token::Number(n, 1 | 2)) => Some(*n),
        _ => None,
    };
    let sep = |t: Option<&Token<'_>>| match t {
        Some(Token::Punct(c)) if matches!(c, '-' | '/' | '.') => Some(*c),
        _ => None,
    };
    // Numeric: Y-M-D, D.M.Y, D/M/Y or M/D/Y.
    if let (Some(y), Some(s)) = (year(t.first()), sep(t.get(1))) {
        if let (Some(m), Some(s2), Some(d)) = (small(t.get(2)), sep(t.get(3)), small(t.get(4))) {
            if s == s2 && !matches!(t.get(5), Some(Token::Number(..))) {
                return ok(Date::new(y, m, d));
            }
        }
        return None;
    }
    if let (Some(a), Some(s), Some(b), Some(s2), Some(y)) = (
        small(t.first()),
        sep(t.get(1)),
        small(t.get(2)),
        sep(t.get(3)),
        year(t.get(4)),
    ) {
        if s != s2 || matches!(t.get(5), Some(Token::Punct('.' | '/' | '-'))) {
            return None;
        }
        // Day first unless that cannot be (13/25/2026); with slashes and both ≤ 12, the
        // American month-first reading.
        return if a > 12 || (s != '/' && b <= 12) {
            ok(Date::new(y, b, a))
        } else {
            ok(Date::new(y, a, b))
        };
    }
    // Written month, day first: "6 December 2026", "6. Dezember 2026", "6 de dezembro de 2026".
    let mut i = 0;
    let skip = |i: &mut usize| {
        while let Some(tok) = t.get(*i) {
            match tok {
                Token::Punct('.' | ',') => *i += 1,
                Token::Word(w) if is_filler(w) => *i += 1,
                _ => break,
            }
        }
    };
    if let Some(d) = small(t.first()) {
        i += 1;
        skip(&mut i);
        if let Some(Token::Word(w)) = t.get(i) {
            if let Some(m) = month_number(w) {
                i += 1;
                skip(&mut i);
                return year(t.get(i)).and_then(|y| ok(Date::new(y, m, d)));
            }
        }
        return None;
    }
    // Month first: "December 6, 2026", "Dec. 6th, 2026".
    if let Some(Token::Word(w)) = t.first() {
        let m = month_number(w)?;
        i += 1;
        skip(&mut i);
        let d = small(t.get(i))?;
        i += 1;
        skip(&mut i);
        return year(t.get(i)).and_then(|y| ok(Date::new(y, m, d)));
    }
    None
}

/// The date in a URL path such as `/2026/12/06/slug` or `/2026-12-06-slug`.
fn url_date(url: &str, today: Date) -> Option<String> {
    let path = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let parts: Vec<&str> = path.split('/').collect();
    let num = |s: &str, len: usize| -> Option<u32> {
        (s.len() == len && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    for w in parts.windows(3) {
        if let (Some(y), Some(m)) = (num(w[0], 4), num(w[1], 2)) {
            let d = w[2].get(..2).and_then(|d| num(d, 2))?;
            if w[2].len() == 2 || !w[2].as_bytes()[2].is_ascii_digit() {
                return Date::new(y as i32, m, d)
                    .filter(|d| plausible(*d, today))
                    .map(|d| d.iso());
            }
        }
    }
    None
}

/// What [`read_dom`] finds in a parsed page, before any choice is made.
#[derive(Debug, Clone, Default)]
pub struct DomSignals {
    /// `lang` of `<html>`.
    pub lang: Option<String>,
    /// `<meta>` pairs: `property`/`name`/`itemprop` (lowercase) and `content`.
    pub metas: Vec<(String, String)>,
    /// Bodies of `<script type="application/ld+json">`.
    pub json_ld: Vec<String>,
    /// `<link rel=canonical href>`.
    pub canonical: Option<String>,
    /// Microdata outside `<meta>`: `itemprop` (lowercase) and the value (`content`,
    /// `datetime`, or the text).
    pub itemprops: Vec<Candidate>,
    /// `<time datetime>` values.
    pub times: Vec<Candidate>,
    /// Texts of elements whose class or id names an author or byline, and of
    /// `rel=author` links.
    pub bylines: Vec<Candidate>,
    /// Texts of elements whose class or id names a date.
    pub date_lines: Vec<Candidate>,
    /// Text of the first `<h1>`.
    pub h1: Option<String>,
}

/// A value found in the page, with where it was.
#[derive(Debug, Clone, Default)]
pub struct Candidate {
    /// The attribute or property name, where it matters.
    pub key: String,
    pub value: String,
    /// It comes after the first `<h1>` (near the headline rather than in the page's header).
    pub after_h1: bool,
}

/// Walks a parsed page once and keeps what metadata can be read from.
pub fn read_dom(html: &Html) -> DomSignals {
    let mut s = DomSignals::default();
    let mut seen_h1 = false;
    for node in html.tree.root().descendants() {
        let Node::Element(element) = node.value() else {
            continue;
        };
        let name = element.name();
        let attrs = Attributes::of(element);
        match name {
            "html" if s.lang.is_none() => s.lang = attrs.lang.map(str::to_string),
            "meta" => {
                let key = attrs.property.or(attrs.name).or(attrs.itemprop);
                if let (Some(key), Some(content)) = (key, attrs.content) {
                    if s.metas.len() < 4 * MAX_CANDIDATES {
                        s.metas
                            .push((key.to_ascii_lowercase(), content.to_string()));
                    }
                }
                continue;
            }
            "link" => {
                let canonical = attrs.rel.is_some_and(|rel| {
                    rel.split_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("canonical"))
                });
                if canonical && s.canonical.is_none() {
                    s.canonical = attrs.href.map(str::to_string);
                }
                continue;
            }
            "script" => {
                if attrs
                    .type_
                    .is_some_and(|t| t.to_ascii_lowercase().contains("ld+json"))
                {
                    let body = text_of(node, MAX_JSON_LD_BYTES + 1, false);
                    if !body.trim().is_empty() && s.json_ld.len() < MAX_CANDIDATES {
                        s.json_ld.push(body);
                    }
                }
                continue;
            }
            "h1" if !seen_h1 => {
                let text = collapse(&text_of(node, MAX_ELEMENT_TEXT, true));
                if !text.is_empty() {
                    s.h1 = Some(text);
                    seen_h1 = true;
                }
            }
            "time" => {
                if let Some(datetime) = attrs.datetime {
                    push(&mut s.times, "time", datetime, seen_h1);
                }
            }
            _ => {}
        }
        if let Some(prop) = attrs.itemprop {
            let value = attrs
                .content
                .or(attrs.datetime)
                .map(str::to_string)
                .unwrap_or_else(|| collapse(&text_of(node, MAX_ELEMENT_TEXT, true)));
            for p in prop.split_whitespace() {
                push(&mut s.itemprops, &p.to_ascii_lowercase(), &value, seen_h1);
            }
        }
        let rel_author = name == "a"
            && attrs
                .rel
                .is_some_and(|r| r.split_whitespace().any(|r| r == "author"));
        let mut cues = (rel_author, false);
        for value in [attrs.class, attrs.id].into_iter().flatten() {
            let mut check = |token: &[u8]| {
                // Lowercased on the stack: this runs for every class and id on the page. No
                // cue word below is shorter than four letters (keep this in step with them).
                let mut buffer = [0u8; 16];
                if token.len() < 4 {
                    return;
                }
                let Some(lower) = buffer.get_mut(..token.len()) else {
                    return;
                };
                lower.copy_from_slice(token);
                lower.make_ascii_lowercase();
                cues.0 |= is_author_cue(lower);
                cues.1 |= is_date_cue(lower);
            };
            // Words are runs of alphanumeric characters: in an ASCII value (nearly all),
            // runs of ASCII letters and digits, found without decoding characters.
            if value.is_ascii() {
                value
                    .as_bytes()
                    .split(|b| !b.is_ascii_alphanumeric())
                    .for_each(&mut check);
            } else {
                value
                    .split(|c: char| !c.is_alphanumeric())
                    .for_each(|token| check(token.as_bytes()));
            }
        }
        if cues.0 || cues.1 {
            let text = collapse(&text_of(node, MAX_ELEMENT_TEXT, true));
            if !text.is_empty() && text.len() < MAX_ELEMENT_TEXT {
                if cues.0 {
                    push(&mut s.bylines, name, &text, seen_h1);
                }
                if cues.1 {
                    push(&mut s.date_lines, name, &text, seen_h1);
                }
            }
        }
    }
    s
}

/// The attributes [`read_dom`] reads, trimmed, empty ones left out, found in one pass over an
/// element's attributes. `Element::attr` interns the name it is given before comparing, which
/// asked seven times of every element cost more than the rest of the walk.
#[derive(Default)]
struct Attributes<'a> {
    lang: Option<&'a str>,
    property: Option<&'a str>,
    name: Option<&'a str>,
    itemprop: Option<&'a str>,
    content: Option<&'a str>,
    rel: Option<&'a str>,
    href: Option<&'a str>,
    type_: Option<&'a str>,
    datetime: Option<&'a str>,
    class: Option<&'a str>,
    id: Option<&'a str>,
}

impl<'a> Attributes<'a> {
    fn of(element: &'a scraper::node::Element) -> Attributes<'a> {
        let mut found = Attributes::default();
        for (name, value) in &element.attrs {
            // As `Element::attr` does, namespaced attributes (`xml:lang`) are not read.
            let value: &'a str = value.trim();
            if !name.ns.is_empty() || value.is_empty() {
                continue;
            }
            let slot = match &*name.local {
                "lang" => &mut found.lang,
                "property" => &mut found.property,
                "name" => &mut found.name,
                "itemprop" => &mut found.itemprop,
                "content" => &mut found.content,
                "rel" => &mut found.rel,
                "href" => &mut found.href,
                "type" => &mut found.type_,
                "datetime" => &mut found.datetime,
                "class" => &mut found.class,
                "id" => &mut found.id,
                _ => continue,
            };
            // The first of a repeated attribute wins, as with `Element::attr`.
            slot.get_or_insert(value);
        }
        found
    }
}

fn push(list: &mut Vec<Candidate>, key: &str, value: &str, after_h1: bool) {
    if list.len() < MAX_CANDIDATES && !value.is_empty() {
        list.push(Candidate {
            key: key.to_string(),
            value: value.to_string(),
            after_h1,
        });
    }
}

/// Class/id words of bylines, in the languages of the shared data sets.
fn is_author_cue(token: &[u8]) -> bool {
    matches!(
        token,
        b"author"
            | b"authors"
            | b"byline"
            | b"writer"
            | b"autor"
            | b"auteur"
            | b"autore"
            | b"autora"
    )
}

/// Class/id words of date lines.
fn is_date_cue(token: &[u8]) -> bool {
    matches!(
        token,
        b"date"
            | b"dateline"
            | b"published"
            | b"publish"
            | b"pubdate"
            | b"posted"
            | b"datum"
            | b"fecha"
            | b"timestamp"
            | b"byline"
            | b"meta"
    )
}

/// The text inside a node, up to about `limit` bytes; with `spaced`, the text of each element
/// apart from its neighbours' ("By" and a linked name are two words).
fn text_of(node: NodeRef<'_, Node>, limit: usize, spaced: bool) -> String {
    let mut out = String::new();
    for n in node.descendants() {
        if let Node::Text(t) = n.value() {
            if spaced && !out.is_empty() {
                out.push(' ');
            }
            out.push_str(t);
            if out.len() > limit {
                break;
            }
        }
    }
    out
}

fn collapse(text: &str) -> String {
    crate::segment::collapse_whitespace(text)
}

/// JSON-LD objects found in a page, ranked by how likely each describes the main content
/// (borrowed from the parsed values, never copied).
struct JsonLd<'a> {
    /// (rank, object): 0 articles and posts, 1 other main things (products, recipes, events,
    /// videos…), 2 web pages.
    main: Vec<(u8, &'a Value)>,
    /// Names of the site (`WebSite`, `Organization` publishers).
    site_names: Vec<&'a str>,
    /// Objects by `@id`, to follow references (`"author": {"@id": …}`).
    by_id: Vec<(&'a str, &'a Value)>,
}

/// Parses a JSON-LD body; a body that is not valid JSON is read again with the usual damage
/// undone (raw line breaks and tabs inside strings, comment or CDATA wrappers, trailing
/// commas, several objects in a row). Gives up on what still does not parse.
fn parse_json_ld(body: &str) -> Vec<Value> {
    if body.len() > MAX_JSON_LD_BYTES {
        return Vec::new();
    }
    let read_all = |text: &str| -> Vec<Value> {
        serde_json::Deserializer::from_str(text)
            .into_iter::<Value>()
            .map_while(Result::ok)
            .take(MAX_CANDIDATES)
            .collect()
    };
    if let Ok(value) = serde_json::from_str::<Value>(body) {
        return vec![value];
    }
    let mut repaired = body
        .trim()
        .trim_start_matches("<!--")
        .trim_end_matches("-->")
        .trim()
        .trim_start_matches("//<![CDATA[")
        .trim_start_matches("<![CDATA[")
        .trim_end_matches("//]]>")
        .trim_end_matches("]]>")
        .replace(['\n', '\r', '\t'], " ");
    // Trailing commas before a closing bracket (outside strings: a comma directly before
    // `}` or `]` never occurs in valid JSON text outside strings, and rarely inside).
    for closing in [b'}', b']'] {
        while let Some(at) = find_trailing_comma(&repaired, closing) {
            repaired.replace_range(at..at + 1, " ");
        }
    }
    read_all(&repaired)
}

/// The byte offset of the first comma followed (after whitespace) by `closing`.
/// Works on bytes: both are ASCII, so a match can never fall inside a multi-byte character,
/// while slicing the `str` after an arbitrary comma could.
fn find_trailing_comma(text: &str, closing: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = bytes[from..]
        .iter()
        .position(|&b| b == b',')
        .map(|i| i + from)
    {
        let next = bytes[at + 1..].iter().find(|b| !b.is_ascii_whitespace());
        if next == Some(&closing) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

impl<'a> JsonLd<'a> {
    fn read(values: &'a [Value]) -> JsonLd<'a> {
        let mut ld = JsonLd {
            main: Vec::new(),
            site_names: Vec::new(),
            by_id: Vec::new(),
        };
        for value in values {
            ld.visit(value, 0);
        }
        // A stable sort keeps document order within a rank.
        ld.main.sort_by_key(|(rank, _)| *rank);
        ld
    }

    fn visit(&mut self, value: &'a Value, depth: usize) {
        if depth > 6 || self.main.len() + self.by_id.len() > 4 * MAX_CANDIDATES {
            return;
        }
        match value {
            Value::Array(items) => {
                for item in items.iter().take(4 * MAX_CANDIDATES) {
                    self.visit(item, depth + 1);
                }
            }
            Value::Object(object) => {
                if let Some(id) = object.get("@id").and_then(Value::as_str) {
                    if object.len() > 1 {
                        self.by_id.push((id, value));
                    }
                }
                let types = types_of(value);
                let rank = types.iter().filter_map(|t| type_rank(t)).min();
                if let Some(rank) = rank {
                    self.main.push((rank, value));
                }
                if types.iter().any(|t| t == "WebSite") {
                    if let Some(name) = object.get("name").and_then(Value::as_str) {
                        self.site_names.push(name);
                    }
                }
                if let Some(graph) = object.get("@graph") {
                    self.visit(graph, depth + 1);
                }
                // Articles nested as the main entity of a page.
                if let Some(entity) = object.get("mainEntity") {
                    if entity.is_object() || entity.is_array() {
                        self.visit(entity, depth + 1);
                    }
                }
            }
            _ => {}
        }
    }

    /// An object itself, or the object its `@id` reference points at.
    fn resolve<'v>(&'v self, value: &'v Value) -> &'v Value
    where
        'a: 'v,
    {
        match value.as_object() {
            Some(o) if o.len() == 1 => o
                .get("@id")
                .and_then(Value::as_str)
                .and_then(|id| self.by_id.iter().find(|(i, _)| *i == id).map(|(_, v)| *v))
                .unwrap_or(value),
            _ => value,
        }
    }

    /// The first main object (by rank) with a value for `key`, mapped by `f`.
    fn first<T>(&self, keys: &[&str], mut f: impl FnMut(&Value) -> Option<T>) -> Option<T> {
        self.main.iter().find_map(|(_, object)| {
            keys.iter()
                .filter_map(|k| object.get(*k))
                .find_map(|v| f(self.resolve(v)))
        })
    }

    /// Names in an `author` value (a string, a person, or a list of them): people's in `out`,
    /// organisations' in `organisations`.
    fn names(&self, value: &Value, out: &mut Vec<String>, organisations: &mut Vec<String>) {
        match value {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => {
                for item in items.iter().take(MAX_AUTHORS) {
                    self.names(self.resolve(item), out, organisations);
                }
            }
            Value::Object(o) => {
                let organisation = types_of(value)
                    .iter()
                    .any(|t| t.contains("Organization") || t == "NewsMediaOrganization");
                let out = if organisation { organisations } else { out };
                if let Some(name) = o.get("name") {
                    match name {
                        Value::String(s) => out.push(s.clone()),
                        Value::Array(items) => out.extend(
                            items
                                .iter()
                                .filter_map(Value::as_str)
                                .map(str::to_string)
                                .take(MAX_AUTHORS),
                        ),
                        _ => {}
                    }
                } else if let (Some(given), Some(family)) = (
                    o.get("givenName").and_then(Value::as_str),
                    o.get("familyName").and_then(Value::as_str),
                ) {
                    out.push(format!("{given} {family}"));
                }
            }
            _ => {}
        }
    }
}

fn types_of(value: &Value) -> Vec<String> {
    let short = |t: &str| t.rsplit(['/', ':']).next().unwrap_or(t).to_string();
    match value.get("@type") {
        Some(Value::String(t)) => vec![short(t)],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).map(short).collect(),
        _ => Vec::new(),
    }
}

fn type_rank(t: &str) -> Option<u8> {
    if t.ends_with("Article") || t.ends_with("Posting") || t == "Report" || t == "Blog" {
        Some(0)
    } else if matches!(
        t,
        "Product"
            | "Recipe"
            | "Review"
            | "HowTo"
            | "Event"
            | "VideoObject"
            | "Course"
            | "Book"
            | "Movie"
            | "Question"
            | "PodcastEpisode"
            | "SoftwareApplication"
            | "JobPosting"
            | "CreativeWork"
    ) {
        Some(1)
    } else if t.ends_with("Page") {
        Some(2)
    } else {
        None
    }
}

fn string_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(collapse(s)).filter(|s| !s.is_empty()),
        Value::Array(items) => items.iter().find_map(string_of),
        Value::Object(o) => o
            .get("url")
            .or_else(|| o.get("@id"))
            .or_else(|| o.get("name"))
            .and_then(string_of),
        _ => None,
    }
}

fn keywords_of(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => s.split(',').map(str::to_string).collect(),
        Value::Array(items) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => o.get("name").and_then(Value::as_str).map(str::to_string),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Words that introduce a name in a byline ("By", "Von", "Par", …), lowercase.
const BYLINE_LEADS: &[&str] = &[
    "written by",
    "posted by",
    "published by",
    "reviewed by",
    "words by",
    "story by",
    "by",
    "von",
    "par",
    "por",
    "di",
    "door",
    "author:",
    "author",
    "autor:",
    "autor",
    "auteur:",
    "autore:",
];

/// How strictly a text must look like a name: what the page's structured data calls an
/// author needs less proof than a text found in an element with a byline class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    /// Structured data: no markup, URL or address.
    Lenient,
    /// Visible text: also capitalised words, or a single user name.
    Strict,
}

/// A person's name cleaned from a byline or a metadata value, or `None` when it does not
/// look like one (a URL, a handle, a sentence, a date).
fn clean_name(raw: &str, check: Check) -> Option<String> {
    let mut name = collapse(raw);
    loop {
        let lower = name.to_lowercase();
        let lead = BYLINE_LEADS.iter().find(|lead| {
            lower.starts_with(*lead)
                && lower[lead.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_whitespace() || c == ':')
        });
        match lead {
            Some(lead) => {
                name = name[lead.len()..]
                    .trim_start_matches([':', ' '])
                    .trim()
                    .to_string()
            }
            None => break,
        }
    }
    let name = name
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != ')')
        .trim()
        .to_string();
    let words: Vec<&str> = name.split_whitespace().collect();
    let lower = name.to_lowercase();
    // A name is a few capitalised words (particles such as "van" or "de" aside), or one
    // word that may be a user name ("paulb203"); never markup, a URL or an address.
    let capitalised = words.iter().all(|w| {
        w.chars().next().is_some_and(char::is_uppercase)
            || NAME_PARTICLES.contains(&w.to_lowercase().as_str())
    });
    let user_name = words.len() == 1 && words[0].chars().any(char::is_alphabetic);
    let looks_like_name = (1..=6).contains(&words.len())
        && name.chars().count() <= 60
        && (capitalised || user_name || check == Check::Lenient)
        && !name.contains(['<', '>', '=', '"', '{', '}', '[', ']', '/', '\\', '@'])
        && !["http", "www.", ".com", ".net", ".org"]
            .iter()
            .any(|bad| lower.contains(bad))
        && (user_name || !name.chars().any(|c| c.is_ascii_digit()))
        && name.chars().next().is_some_and(|c| c.is_alphabetic());
    looks_like_name.then_some(name)
}

/// Lowercase words that may stand inside a name.
const NAME_PARTICLES: &[&str] = &[
    "van", "von", "der", "den", "de", "da", "di", "du", "del", "la", "le", "bin", "al", "y", "dos",
    "das", "ter", "ten", "st.",
];

/// Splits a list of names ("A, B and C") and cleans each; credentials after a name
/// ("Jane Doe, MD") are dropped.
fn split_names(raw: &str, check: Check, out: &mut Vec<String>) {
    let raw = collapse(raw);
    let lower = raw.to_lowercase();
    // Separators of several names: commas, semicolons, "and"/"&" and their translations.
    let mut parts = vec![String::new()];
    let words: Vec<&str> = raw.split(' ').collect();
    let lower_words: Vec<&str> = lower.split(' ').collect();
    for (word, lw) in words.iter().zip(&lower_words) {
        if matches!(
            *lw,
            "and" | "&" | "und" | "et" | "y" | "e" | "en" | "|" | "·" | "•"
        ) {
            parts.push(String::new());
            continue;
        }
        let current = parts.last_mut().expect("never empty");
        if !current.is_empty() {
            current.push(' ');
        }
        for c in word.chars() {
            if matches!(c, ',' | ';' | '|' | '/') {
                parts.push(String::new());
            } else {
                parts.last_mut().expect("never empty").push(c);
            }
        }
    }
    let mut names = Vec::new();
    for part in parts {
        let part = part.trim();
        let credential = part.len() <= 5
            && part
                .chars()
                .all(|c| c.is_uppercase() || c == '.' || c.is_whitespace());
        if credential || part.is_empty() {
            continue;
        }
        // One part that is no name makes the whole text something else (a sentence, a bio).
        names.push(match clean_name(part, check) {
            Some(name) => name,
            None => return,
        });
    }
    for name in names {
        if out.len() < MAX_AUTHORS && !out.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            out.push(name);
        }
    }
}

/// A byline text ("By Jane Doe | 6 December 2026") cut to its name part.
fn byline_names(text: &str, check: Check) -> Vec<String> {
    let mut out = Vec::new();
    // The part that follows a "By", else the first part.
    let segments: Vec<&str> = text
        .split(['|', '·', '•', '—', '–', '\n'])
        .flat_map(|s| s.split(" - "))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let lower_starts = |s: &str| {
        let l = s.to_lowercase();
        BYLINE_LEADS
            .iter()
            .any(|lead| l.starts_with(lead) && l[lead.len()..].starts_with([' ', ':']))
    };
    let chosen = segments
        .iter()
        .find(|s| lower_starts(s))
        .or(segments.first());
    if let Some(segment) = chosen {
        // Whatever follows a date or "on"/"am" is not part of the names.
        let mut cut = segment.to_string();
        for stop in [
            " on ",
            " am ",
            " le ",
            " el ",
            " il ",
            " em ",
            " updated ",
            " published ",
        ] {
            if let Some(at) = cut.to_lowercase().find(stop) {
                cut.truncate(at);
            }
        }
        split_names(&cut, check, &mut out);
    }
    out
}

/// The names in the first candidate that has some; of nested candidates (an author box and
/// the name inside it, which follow each other in document order), the innermost.
fn innermost_names(candidates: &[&Candidate], check: Check) -> Vec<String> {
    for (i, candidate) in candidates.iter().enumerate() {
        let mut inner = *candidate;
        for next in &candidates[i + 1..] {
            if next.value.len() < inner.value.len() && inner.value.contains(&next.value) {
                inner = next;
            } else {
                break;
            }
        }
        for c in [inner, candidate] {
            let names = byline_names(&c.value, check);
            if !names.is_empty() {
                return names;
            }
        }
    }
    Vec::new()
}

/// The page's headline: its first `<h1>` when that shares at least half of its words with
/// the title in its metadata (`og:title`) or in `<title>` — which tells a headline from a
/// logo or a section name in an `<h1>` —, else the first part of that title, before a
/// separator such as " | " or " - " that usually leads to the site's name.
///
/// ```
/// use gleaner::metadata::headline;
/// assert_eq!(
///     headline(Some("Harbour reopens after storm"), Some("Harbour reopens | Coast News"), ""),
///     "Harbour reopens after storm"
/// );
/// assert_eq!(headline(Some("Sections"), None, "Harbour reopens | Coast News"), "Harbour reopens");
/// ```
pub fn headline(h1: Option<&str>, meta_title: Option<&str>, html_title: &str) -> String {
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let titles = format!("{} {html_title}", meta_title.unwrap_or(""));
    let title_words = words(&titles);
    if let Some(h1) = h1.map(str::trim).filter(|h| !h.is_empty()) {
        let h1_words = words(h1);
        let shared = h1_words.iter().filter(|w| title_words.contains(w)).count();
        if title_words.is_empty() || 2 * shared >= h1_words.len().max(1) {
            return h1.to_string();
        }
    }
    let title = meta_title
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .unwrap_or(html_title.trim());
    const SEPARATORS: &[&str] = &[
        " | ", " - ", " – ", " — ", " • ", " · ", " :: ", " « ", " » ",
    ];
    let cut = SEPARATORS
        .iter()
        .filter_map(|sep| title.find(sep))
        .min()
        .unwrap_or(title.len());
    let first = title[..cut].trim();
    if first.is_empty() { title } else { first }.to_string()
}

/// A visible "By …" line among the blocks around the headline.
fn block_byline(blocks: &[&Block]) -> Vec<String> {
    for block in near_headline(blocks) {
        let lower = block.text.to_lowercase();
        let starts_with_lead = BYLINE_LEADS
            .iter()
            .filter(|lead| lead.ends_with("by") || **lead == "von" || **lead == "por")
            .any(|lead| lower.starts_with(lead) && lower[lead.len()..].starts_with([' ', ':']));
        if starts_with_lead && block.words <= 20 {
            let names = byline_names(&block.text, Check::Strict);
            if !names.is_empty() {
                return names;
            }
        }
    }
    Vec::new()
}

/// A date in a short block around the headline, else the first date line of the page (a
/// block of a few words holding a date, such as "Last updated: November 13, 2025" or a
/// forum post's header), copyright lines aside.
fn block_date(blocks: &[&Block], today: Date) -> Option<String> {
    const DATE_LINE_WORDS: u32 = 12;
    let copyright = |b: &Block| {
        let lower = b.text.to_lowercase();
        lower.contains('©') || lower.contains("copyright") || lower.contains("(c)")
    };
    near_headline(blocks)
        .filter(|b| b.words <= 25 && !copyright(b))
        .find_map(|b| find_date(&b.text, today))
        .or_else(|| {
            blocks
                .iter()
                .filter(|b| b.words <= DATE_LINE_WORDS && !copyright(b))
                .find_map(|b| find_date(&b.text, today))
        })
        .map(|d| d.iso())
}

/// The blocks from just before the first `<h1>` to a few after it (the top of the page when
/// it has none).
fn near_headline<'a>(blocks: &'a [&'a Block]) -> impl Iterator<Item = &'a Block> {
    let h1 = blocks.iter().position(|b| b.heading_level == 1);
    let (from, to) = match h1 {
        Some(i) => (i.saturating_sub(3), i + 8),
        None => (0, 12),
    };
    blocks[from.min(blocks.len())..to.min(blocks.len())]
        .iter()
        .copied()
}

/// `en_us`, `EN-us` → `en-US`: BCP 47's usual casing; `None` for what is not a tag.
pub fn normalise_language(tag: &str) -> Option<String> {
    let tag = tag.trim().replace('_', "-");
    let mut parts = tag.split('-');
    let primary = parts.next()?.to_ascii_lowercase();
    if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let mut out = primary;
    for part in parts {
        if part.is_empty() || part.len() > 8 || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
            break;
        }
        out.push('-');
        match part.len() {
            2 => out.push_str(&part.to_ascii_uppercase()),
            4 => {
                out.push_str(&part[..1].to_ascii_uppercase());
                out.push_str(&part[1..].to_ascii_lowercase());
            }
            _ => out.push_str(&part.to_ascii_lowercase()),
        }
    }
    Some(out)
}

/// The language of `text` as a BCP 47 tag, when `whatlang` is confident.
pub fn detect_language(text: &str) -> Option<String> {
    // The first few thousand characters are plenty, and keep detection cheap on long pages.
    let end = text
        .char_indices()
        .nth(2_000)
        .map_or(text.len(), |(i, _)| i);
    let info = whatlang::detect(&text[..end])?;
    if !info.is_reliable() {
        return None;
    }
    let code = info.lang().code();
    // BCP 47 takes the two-letter ISO 639-1 code where one exists.
    let two = match code {
        "eng" => "en",
        "deu" => "de",
        "fra" => "fr",
        "spa" => "es",
        "ita" => "it",
        "por" => "pt",
        "nld" => "nl",
        "rus" => "ru",
        "cmn" => "zh",
        "jpn" => "ja",
        "kor" => "ko",
        "ara" => "ar",
        "hin" => "hi",
        "ben" => "bn",
        "pol" => "pl",
        "ukr" => "uk",
        "tur" => "tr",
        "swe" => "sv",
        "dan" => "da",
        "nob" => "nb",
        "fin" => "fi",
        "ces" => "cs",
        "slk" => "sk",
        "slv" => "sl",
        "hrv" => "hr",
        "srp" => "sr",
        "bul" => "bg",
        "mkd" => "mk",
        "bel" => "be",
        "ell" => "el",
        "hun" => "hu",
        "ron" => "ro",
        "lit" => "lt",
        "lav" => "lv",
        "est" => "et",
        "heb" => "he",
        "yid" => "yi",
        "pes" => "fa",
        "urd" => "ur",
        "tha" => "th",
        "vie" => "vi",
        "ind" => "id",
        "cat" => "ca",
        "afr" => "af",
        "lat" => "la",
        "epo" => "eo",
        "tgl" => "tl",
        "hye" => "hy",
        "kat" => "ka",
        "aze" => "az",
        "uzb" => "uz",
        "tuk" => "tk",
        "tam" => "ta",
        "tel" => "te",
        "kan" => "kn",
        "mal" => "ml",
        "mar" => "mr",
        "guj" => "gu",
        "pan" => "pa",
        "ori" => "or",
        "nep" => "ne",
        "sin" => "si",
        "mya" => "my",
        "khm" => "km",
        "amh" => "am",
        "jav" => "jv",
        "zul" => "zu",
        "sna" => "sn",
        "aka" => "ak",
        other => other,
    };
    Some(two.to_string())
}

impl Metadata {
    /// Chooses every field from `signals` (what [`read_dom`] found), the page's `blocks` and
    /// its extracted `text` (for a visible byline or date, and to detect the language), with
    /// dates after `today` rejected.
    pub fn resolve(signals: &DomSignals, blocks: &[&Block], text: &str, today: Date) -> Metadata {
        let values: Vec<Value> = signals
            .json_ld
            .iter()
            .flat_map(|body| parse_json_ld(body))
            .collect();
        let ld = JsonLd::read(&values);
        let meta = |keys: &[&str]| -> Vec<&str> {
            keys.iter()
                .flat_map(|k| {
                    signals
                        .metas
                        .iter()
                        .filter(move |(key, _)| key == k)
                        .map(|(_, v)| v.as_str())
                })
                .collect()
        };
        let first_meta =
            |keys: &[&str]| meta(keys).into_iter().map(collapse).find(|v| !v.is_empty());
        let itemprop = |key: &str| {
            let mut found: Vec<&Candidate> =
                signals.itemprops.iter().filter(|c| c.key == key).collect();
            // Near the headline first.
            found.sort_by_key(|c| !c.after_h1);
            found
        };

        let meta_title = first_meta(&["og:title", "twitter:title"])
            .or_else(|| ld.first(&["headline", "name"], string_of));
        let title = Some(headline(signals.h1.as_deref(), meta_title.as_deref(), ""))
            .filter(|t| !t.is_empty());
        let site_name = first_meta(&["og:site_name"])
            .or_else(|| {
                ld.first(&["publisher"], |v| {
                    v.get("name").and_then(Value::as_str).map(collapse)
                })
            })
            .or_else(|| ld.site_names.first().map(|s| collapse(s)))
            .or_else(|| first_meta(&["application-name", "apple-mobile-web-app-title"]))
            .filter(|s| !s.is_empty());

        // Authors: people first; an organisation (often the publisher) only when the page
        // names nobody.
        let mut people = Vec::new();
        let mut organisations = Vec::new();
        ld.first(&["author", "creator"], |v| {
            ld.names(v, &mut people, &mut organisations);
            (!people.is_empty()).then_some(())
        });
        let mut author = Vec::new();
        for name in &people {
            split_names(name, Check::Lenient, &mut author);
        }
        if author.is_empty() {
            for value in meta(&[
                "author",
                "article:author",
                "dc.creator",
                "dcterms.creator",
                "parsely-author",
                "sailthru.author",
                "citation_author",
                "byl",
            ]) {
                split_names(value, Check::Lenient, &mut author);
                if !author.is_empty() {
                    break;
                }
            }
        }
        if author.is_empty() {
            let props: Vec<&Candidate> = itemprop("author")
                .into_iter()
                .chain(itemprop("creator"))
                .collect();
            author = innermost_names(&props, Check::Lenient);
        }
        if author.is_empty() {
            let mut bylines: Vec<&Candidate> = signals.bylines.iter().collect();
            bylines.sort_by_key(|c| !c.after_h1);
            author = innermost_names(&bylines, Check::Strict);
        }
        if author.is_empty() {
            author = block_byline(blocks);
        }
        if author.is_empty() {
            for name in &organisations {
                split_names(name, Check::Lenient, &mut author);
            }
        }

        // Dates.
        let valid = |v: &str| parse_date(v, today);
        let date_published = ld
            .first(&["datePublished", "dateCreated", "uploadDate"], |v| {
                v.as_str().and_then(valid)
            })
            .or_else(|| {
                meta(&[
                    "article:published_time",
                    "og:published_time",
                    "og:article:published_time",
                    "datepublished",
                    "date",
                    "pubdate",
                    "publishdate",
                    "publish-date",
                    "publish_date",
                    "published_time",
                    "dc.date",
                    "dc.date.issued",
                    "dcterms.date",
                    "dcterms.issued",
                    "dcterms.created",
                    "sailthru.date",
                    "parsely-pub-date",
                    "citation_publication_date",
                    "citation_date",
                    "article.published",
                ])
                .into_iter()
                .find_map(valid)
            })
            .or_else(|| {
                itemprop("datepublished")
                    .into_iter()
                    .chain(itemprop("datecreated"))
                    .find_map(|c| valid(&c.value))
            })
            .or_else(|| {
                let mut times: Vec<&Candidate> = signals.times.iter().collect();
                times.sort_by_key(|c| !c.after_h1);
                times.into_iter().find_map(|c| valid(&c.value))
            })
            .or_else(|| {
                let mut lines: Vec<&Candidate> = signals.date_lines.iter().collect();
                lines.sort_by_key(|c| !c.after_h1);
                lines
                    .into_iter()
                    .find_map(|c| find_date(&c.value, today).map(|d| d.iso()))
            })
            .or_else(|| block_date(blocks, today));
        let date_modified = ld
            .first(&["dateModified"], |v| v.as_str().and_then(valid))
            .or_else(|| {
                meta(&[
                    "article:modified_time",
                    "og:updated_time",
                    "datemodified",
                    "last-modified",
                    "dcterms.modified",
                    "dc.date.modified",
                ])
                .into_iter()
                .find_map(valid)
            })
            .or_else(|| {
                itemprop("datemodified")
                    .into_iter()
                    .find_map(|c| valid(&c.value))
            });

        let url = signals
            .canonical
            .clone()
            .or_else(|| first_meta(&["og:url", "twitter:url"]))
            .or_else(|| ld.first(&["url", "mainEntityOfPage"], string_of))
            .filter(|u| u.starts_with("http") || u.starts_with('/'));
        let date_published =
            date_published.or_else(|| url.as_deref().and_then(|u| url_date(u, today)));

        let description = ld
            .first(&["description"], |v| v.as_str().map(collapse))
            .or_else(|| first_meta(&["og:description", "description", "twitter:description"]))
            .filter(|s| !s.is_empty());
        let image = first_meta(&[
            "og:image",
            "og:image:url",
            "og:image:secure_url",
            "twitter:image",
            "twitter:image:src",
        ])
        .or_else(|| ld.first(&["image", "thumbnailUrl"], string_of));

        let mut tags: Vec<String> = Vec::new();
        let mut add_tags = |list: Vec<String>| {
            for tag in list {
                let tag = collapse(&tag);
                if !tag.is_empty()
                    && tag.len() <= 100
                    && tags.len() < MAX_TAGS
                    && !tags.iter().any(|t| t.eq_ignore_ascii_case(&tag))
                {
                    tags.push(tag);
                }
            }
        };
        if let Some(keywords) = ld.first(&["keywords"], |v| {
            Some(keywords_of(v)).filter(|k| !k.is_empty())
        }) {
            add_tags(keywords);
        } else {
            let article_tags: Vec<String> = meta(&["article:tag"])
                .into_iter()
                .map(str::to_string)
                .collect();
            if article_tags.is_empty() {
                add_tags(
                    meta(&["keywords", "news_keywords"])
                        .into_iter()
                        .take(1)
                        .flat_map(|k| k.split(','))
                        .map(str::to_string)
                        .collect(),
                );
            } else {
                add_tags(article_tags);
            }
        }

        let language = signals
            .lang
            .as_deref()
            .and_then(normalise_language)
            .or_else(|| {
                ld.first(&["inLanguage"], |v| match v {
                    Value::String(s) => normalise_language(s),
                    Value::Object(o) => o
                        .get("alternateName")
                        .or_else(|| o.get("name"))
                        .and_then(Value::as_str)
                        .and_then(normalise_language),
                    _ => None,
                })
            })
            .or_else(|| {
                meta(&["og:locale", "language", "content-language", "dc.language"])
                    .into_iter()
                    .find_map(normalise_language)
            })
            .or_else(|| detect_language(text));

        Metadata {
            title,
            author,
            date_published,
            date_modified,
            site_name,
            language,
            url,
            description,
            image,
            tags,
            page_type: None,
        }
    }

    /// The metadata as YAML front matter (`---` lines around `key: value` pairs), every
    /// string double-quoted and escaped, lists as YAML sequences; fields without a value are
    /// left out.
    ///
    /// ```
    /// let meta = gleaner::metadata::Metadata {
    ///     title: Some("Say \"hi\": a guide".into()),
    ///     author: vec!["Ada Byron".into()],
    ///     ..Default::default()
    /// };
    /// assert_eq!(
    ///     meta.to_front_matter(),
    ///     "---\ntitle: \"Say \\\"hi\\\": a guide\"\nauthor:\n  - \"Ada Byron\"\n---\n"
    /// );
    /// ```
    pub fn to_front_matter(&self) -> String {
        let mut out = String::from("---\n");
        front_matter_scalar(&mut out, "title", &self.title);
        front_matter_list(&mut out, "author", &self.author);
        for (key, value) in [
            ("date_published", &self.date_published),
            ("date_modified", &self.date_modified),
            ("site_name", &self.site_name),
            ("language", &self.language),
            ("url", &self.url),
            ("description", &self.description),
            ("image", &self.image),
        ] {
            front_matter_scalar(&mut out, key, value);
        }
        front_matter_list(&mut out, "tags", &self.tags);
        front_matter_scalar(&mut out, "page_type", &self.page_type);
        out.push_str("---\n");
        out
    }
}

fn front_matter_scalar(out: &mut String, key: &str, value: &Option<String>) {
    if let Some(v) = value {
        out.push_str(key);
        out.push_str(": ");
        out.push_str(&yaml_string(v));
        out.push('\n');
    }
}

fn front_matter_list(out: &mut String, key: &str, values: &[String]) {
    if !values.is_empty() {
        out.push_str(key);
        out.push_str(":\n");
        for v in values {
            out.push_str("  - ");
            out.push_str(&yaml_string(v));
            out.push('\n');
        }
    }
}

/// A YAML double-quoted scalar: backslash, quote and control characters escaped.
fn yaml_string(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> Date {
        Date::new(2026, 12, 6).unwrap()
    }

    /// Metadata of a page as the pipeline reads it: parsed once, signals and blocks.
    fn metadata_of(html: &str) -> Metadata {
        let dom = crate::parse::parse_document(html);
        let page = crate::segment::segment(&dom);
        let blocks: Vec<&Block> = page.blocks.iter().collect();
        let text: Vec<&str> = page.blocks.iter().map(|b| b.text.as_str()).collect();
        Metadata::resolve(&read_dom(&dom), &blocks, &text.join("\n"), today())
    }

    const BODY: &str = "<p>The council approved the new cycle lanes on Tuesday evening after a \
        long debate about parking on the high street, and work starts in the spring.</p>";

    #[test]
    fn json_ld_graph_with_references_and_an_organisation_publisher() {
        let html = format!(
            r#"<html lang="en"><head><script type="application/ld+json">
            {{"@context":"https://schema.org","@graph":[
              {{"@type":"WebSite","@id":"https://ex.org/#site","name":"Town Crier"}},
              {{"@type":"WebPage","@id":"https://ex.org/lanes","datePublished":"2020-01-01"}},
              {{"@type":["NewsArticle"],"headline":"Cycle lanes approved",
                "author":[{{"@id":"https://ex.org/#ann"}},{{"@type":"Person","name":"Bo Lind"}}],
                "publisher":{{"@type":"Organization","name":"Town Crier Ltd"}},
                "datePublished":"2026-11-03T08:15:00+01:00","dateModified":"2026-11-04",
                "keywords":["transport","council"],"image":{{"@type":"ImageObject","url":"https://ex.org/l.jpg"}}}},
              {{"@type":"Person","@id":"https://ex.org/#ann","name":"Ann Ek"}}]}}
            </script></head><body><h1>Cycle lanes approved</h1>{BODY}</body></html>"#
        );
        let m = metadata_of(&html);
        assert_eq!(m.author, ["Ann Ek", "Bo Lind"]);
        // The article's date, not the web page's.
        assert_eq!(
            m.date_published.as_deref(),
            Some("2026-11-03T08:15:00+01:00")
        );
        assert_eq!(m.date_modified.as_deref(), Some("2026-11-04"));
        assert_eq!(m.site_name.as_deref(), Some("Town Crier Ltd"));
        assert_eq!(m.tags, ["transport", "council"]);
        assert_eq!(m.image.as_deref(), Some("https://ex.org/l.jpg"));
        assert_eq!(m.title.as_deref(), Some("Cycle lanes approved"));
    }

    #[test]
    fn json_ld_in_a_top_level_array_and_an_organisation_author_as_last_resort() {
        let html = format!(
            r#"<html><head><script type="application/ld+json">[
              {{"@type":"BreadcrumbList","itemListElement":[]}},
              {{"@type":"BlogPosting","author":{{"@type":"Organization","name":"Acme Blog Team"}},
                "datePublished":"2025-05-06"}}]</script>
            <meta property="og:site_name" content="Acme"></head><body><h1>Post</h1>{BODY}</body></html>"#
        );
        let m = metadata_of(&html);
        assert_eq!(m.date_published.as_deref(), Some("2025-05-06"));
        assert_eq!(m.author, ["Acme Blog Team"]);
        // A person named anywhere on the page outranks the organisation.
        let with_byline = html.replace(
            "<h1>Post</h1>",
            "<h1>Post</h1><div class=\"byline\">By <a rel=\"author\">Kim Park</a></div>",
        );
        assert_eq!(metadata_of(&with_byline).author, ["Kim Park"]);
    }

    #[test]
    fn malformed_json_ld_is_repaired_or_skipped() {
        // A raw line break inside a string and a trailing comma.
        let html = format!(
            "<html><head><script type=\"application/ld+json\">{{\"@type\": \"Article\",\n\
             \"headline\": \"Two\nlines\", \"author\": \"Lea Moss\", \"datePublished\": \"2024-03-09\",}}\
             </script><script type=\"application/ld+json\">{{\"@type\": \"Article\", oops</script>\
             </head><body>{BODY}</body></html>"
        );
        let m = metadata_of(&html);
        assert_eq!(m.author, ["Lea Moss"]);
        assert_eq!(m.date_published.as_deref(), Some("2024-03-09"));
    }

    #[test]
    fn garbage_and_huge_json_ld_never_panic() {
        let deep = "[".repeat(100_000);
        let huge = format!(
            "{{\"@type\":\"Article\",\"author\":\"{}\"}}",
            "x".repeat(3 << 20)
        );
        let wide = format!(
            "{{\"@graph\":[{}]}}",
            vec!["{\"@type\":\"Article\",\"author\":{\"@id\":\"a\"}}"; 5_000].join(",")
        );
        for body in [
            deep.as_str(),
            huge.as_str(),
            wide.as_str(),
            "\u{0}\u{1}}}}{{{",
            "null",
            "{\"@type\":7,\"author\":[[[[]]]],\"datePublished\":{}}",
            // Broken JSON (a raw newline in a string) whose commas are followed by
            // multi-byte characters: the repair pass looks at the byte after each comma.
            "{\"@type\":\"Thing\",\"name\":\"a\nb\",\u{201c}\u{200b}\"x\":1,}",
        ] {
            let html =
                format!("<html><head><script type=application/ld+json>{body}</script></head><body>{BODY}</body></html>");
            let m = metadata_of(&html);
            assert!(m.date_published.is_none());
        }
    }

    #[test]
    fn open_graph_only() {
        let html = format!(
            r#"<html><head><meta property="og:title" content="Lanes | Town Crier">
            <meta property="og:site_name" content="Town Crier"><meta property="og:url" content="https://ex.org/lanes">
            <meta property="og:description" content="The council said yes.">
            <meta property="og:image" content="https://ex.org/l.jpg"><meta property="og:locale" content="en_GB">
            <meta property="article:published_time" content="2026-10-01T10:00:00Z">
            <meta property="article:author" content="https://facebook.example/someone">
            <meta property="article:tag" content="transport"><meta property="article:tag" content="council">
            </head><body>{BODY}</body></html>"#
        );
        let m = metadata_of(&html);
        assert_eq!(m.title.as_deref(), Some("Lanes"));
        assert_eq!(m.site_name.as_deref(), Some("Town Crier"));
        assert_eq!(m.url.as_deref(), Some("https://ex.org/lanes"));
        assert_eq!(m.description.as_deref(), Some("The council said yes."));
        assert_eq!(m.image.as_deref(), Some("https://ex.org/l.jpg"));
        assert_eq!(m.language.as_deref(), Some("en-GB"));
        assert_eq!(m.date_published.as_deref(), Some("2026-10-01T10:00:00Z"));
        // A profile URL is no name.
        assert!(m.author.is_empty());
        assert_eq!(m.tags, ["transport", "council"]);
    }

    #[test]
    fn plain_meta_tags_only() {
        let html = format!(
            r#"<html><head><meta name="author" content="By Jane Doe, MD and Tom Lee">
            <meta name="date" content="2019-07-04"><meta name="keywords" content="a, b ,c">
            <link rel="canonical" href="https://ex.org/c"></head><body>{BODY}</body></html>"#
        );
        let m = metadata_of(&html);
        assert_eq!(m.author, ["Jane Doe", "Tom Lee"]);
        assert_eq!(m.date_published.as_deref(), Some("2019-07-04"));
        assert_eq!(m.tags, ["a", "b", "c"]);
        assert_eq!(m.url.as_deref(), Some("https://ex.org/c"));
    }

    #[test]
    fn microdata_only() {
        let html = format!(
            r#"<html><body><article itemscope itemtype="https://schema.org/Article">
            <h1 itemprop="headline">Lanes</h1>
            <span itemprop="author" itemscope itemtype="https://schema.org/Person">
              <span itemprop="name">Ola Berg</span></span>
            <meta itemprop="datePublished" content="2023-02-28">{BODY}</article></body></html>"#
        );
        let m = metadata_of(&html);
        assert_eq!(m.author, ["Ola Berg"]);
        assert_eq!(m.date_published.as_deref(), Some("2023-02-28"));
    }

    #[test]
    fn visible_byline_and_date_only() {
        let html = format!(
            "<html><body><header><a href=/>Home</a></header><h1>Cycle lanes approved</h1>\
             <p>By Maria Lopes</p><p>Published 6 de dezembro de 2025</p>{BODY}</body></html>"
        );
        let m = metadata_of(&html);
        assert_eq!(m.author, ["Maria Lopes"]);
        assert_eq!(m.date_published.as_deref(), Some("2025-12-06"));
        // A byline box and the name inside it: the name.
        let boxed = format!(
            "<html><body><h1>Lanes</h1><div class=\"author-box\"><img alt=\"\">\
             <span class=\"author-name\">Ravi Shah</span> <span>Senior writer at the paper</span></div>\
             <span class=\"post-date\">March 3, 2024</span>{BODY}</body></html>"
        );
        let m = metadata_of(&boxed);
        assert_eq!(m.author, ["Ravi Shah"]);
        assert_eq!(m.date_published.as_deref(), Some("2024-03-03"));
        // A bio in an author box is no name.
        let bio = format!(
            "<html><body><h1>Lanes</h1><div class=\"author\">writes about data, cities and \
             technology from Lisbon</div>{BODY}</body></html>"
        );
        assert!(metadata_of(&bio).author.is_empty());
    }

    #[test]
    fn time_datetime_near_the_headline_wins_over_one_in_the_header() {
        let html = format!(
            "<html><body><header><time datetime=\"2026-12-01\">today</time></header>\
             <h1>Lanes</h1><time datetime=\"2026-06-15T12:00:00Z\">15 June</time>{BODY}</body></html>"
        );
        assert_eq!(
            metadata_of(&html).date_published.as_deref(),
            Some("2026-06-15T12:00:00Z")
        );
    }

    #[test]
    fn dates_in_the_languages_of_the_data_sets() {
        for (text, iso) in [
            ("6 December 2026", "2026-12-06"),
            ("December 6th, 2026", "2026-12-06"),
            ("Dec. 6, 2026", "2026-12-06"),
            ("06.12.2026", "2026-12-06"),
            ("2026/12/06", "2026-12-06"),
            ("12/25/2025", "2025-12-25"),
            ("25/12/2025", "2025-12-25"),
            ("6. Dezember 2026", "2026-12-06"),
            ("Veröffentlicht am 3. März 2025", "2025-03-03"),
            ("le 14 février 2024", "2024-02-14"),
            ("publié le 1er août 2023", "2023-08-01"),
            ("6 de dezembro de 2026", "2026-12-06"),
            ("15 de enero de 2024", "2024-01-15"),
            ("3 settembre 2022", "2022-09-03"),
            ("Posted on 29 Feb 2024 by Tom", "2024-02-29"),
            ("2025-09-04T10:30:00+02:00", "2025-09-04T10:30:00+02:00"),
            ("2025-09-04 10:30", "2025-09-04T10:30"),
        ] {
            assert_eq!(parse_date(text, today()).as_deref(), Some(iso), "{text}");
        }
    }

    #[test]
    fn impossible_and_future_dates_are_rejected() {
        for text in [
            "2025-02-29",
            "31 April 2024",
            "2024-13-01",
            "32.01.2024",
            "8 December 2026",
            "2027-01-01",
            "January 1, 1890",
            "no date here",
            "",
        ] {
            assert_eq!(parse_date(text, today()), None, "{text}");
        }
        // Tomorrow passes (time zones); the day after does not.
        assert!(parse_date("2026-12-07", today()).is_some());
        // A rejected structured date falls through to the next source.
        let html = format!(
            "<html><head><meta property=\"article:published_time\" content=\"2031-01-01\">\
             <meta name=\"date\" content=\"2024-02-30\"></head><body><h1>Lanes</h1>\
             <time datetime=\"2024-05-05\">5 May</time>{BODY}</body></html>"
        );
        assert_eq!(
            metadata_of(&html).date_published.as_deref(),
            Some("2024-05-05")
        );
    }

    #[test]
    fn language_from_lang_else_declared_else_detected() {
        let german = "<p>Der Gemeinderat hat am Dienstagabend nach einer langen Debatte über das \
            Parken in der Hauptstraße die neuen Radwege genehmigt, und die Arbeiten beginnen im \
            Frühjahr, sagte die Bürgermeisterin.</p>";
        let lang = format!("<html lang=\"pt_br\"><body>{german}</body></html>");
        assert_eq!(metadata_of(&lang).language.as_deref(), Some("pt-BR"));
        let detected = format!("<html><body>{german}</body></html>");
        assert_eq!(metadata_of(&detected).language.as_deref(), Some("de"));
        let english = format!("<html><body>{BODY}</body></html>");
        assert_eq!(metadata_of(&english).language.as_deref(), Some("en"));
        assert_eq!(metadata_of("<html><body></body></html>").language, None);
    }

    #[test]
    fn date_in_the_canonical_url_is_the_last_resort() {
        let html = format!(
            "<html><head><link rel=canonical href=\"https://ex.org/2024/07/19/lanes/\"></head>\
             <body>{BODY}</body></html>"
        );
        assert_eq!(
            metadata_of(&html).date_published.as_deref(),
            Some("2024-07-19")
        );
    }

    #[test]
    fn front_matter_is_valid_quoted_yaml() {
        let m = Metadata {
            title: Some("A \"quoted\" title: with colon\nand newline".into()),
            author: vec!["O'Brien, \\ Pat".into()],
            date_published: Some("2026-01-02".into()),
            tags: vec!["#tag".into(), "- dash".into()],
            page_type: Some("article".into()),
            ..Metadata::default()
        };
        assert_eq!(
            m.to_front_matter(),
            "---\ntitle: \"A \\\"quoted\\\" title: with colon\\nand newline\"\nauthor:\n  - \
             \"O'Brien, \\\\ Pat\"\ndate_published: \"2026-01-02\"\ntags:\n  - \"#tag\"\n  - \
             \"- dash\"\npage_type: \"article\"\n---\n"
        );
        assert_eq!(Metadata::default().to_front_matter(), "---\n---\n");
    }

    #[test]
    fn days_since_the_epoch_become_calendar_dates() {
        assert_eq!(
            Date::from_days_since_epoch(0),
            Date::new(1970, 1, 1).unwrap()
        );
        assert_eq!(
            Date::from_days_since_epoch(11_016),
            Date::new(2000, 2, 29).unwrap()
        );
        assert_eq!(
            Date::from_days_since_epoch(20_428),
            Date::new(2025, 12, 6).unwrap()
        );
        assert_eq!(
            Date::from_days_since_epoch(-1),
            Date::new(1969, 12, 31).unwrap()
        );
    }
}
