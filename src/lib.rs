//! # gleaner — keep only the article
//!
//! gleaner reads scraped web pages and keeps the article: it cuts each page into text blocks,
//! scores every block with a small trained classifier as content or noise, smooths the scores
//! along the page, and writes clean text.
//!
//! ## How data flows
//!
//! ```text
//! bytes ─decode─▶ String ─parse─▶ Html ─segment─▶ Page{blocks} ─features─▶ Array2 rows
//!       ─Model (first pass)─▶ scores ─smooth─▶ final scores ─decide─▶ Extraction ─render─▶ text/JSON
//! ```
//!
//! - [`decode`]: bytes (plain or gzip, any charset) to text.
//! - [`parse`]: text to DOM with `scraper`, after leaving out what no later stage reads
//!   (script bodies, comments, unread attributes).
//! - [`segment`]: the DOM to a flat list of [`segment::Block`]s with their structural context.
//! - [`features`]: one row per block under a versioned [`features::FeatureSchema`]; its last
//!   columns come from the model's [`lexicon`], the words that give chrome away.
//! - [`model`]: the trained [`Model`] (embedded default in `models/`), and its file format;
//!   [`fitted`]: the scaler, trees and logistic link both passes are made of.
//! - [`smooth`]: the second pass over neighbouring and container scores.
//! - [`rules`]: the rules after the model (a listing's cards kept; an article's reader
//!   comments, related-story lists and headings over nothing dropped).
//! - [`extract`]: the [`Extractor`], which runs these steps in order.
//! - [`explain`]: the reasons of every block's label in words, as a self-contained HTML
//!   report (and a batch's index of reports).
//! - [`metadata`]: author, dates, site, language and the rest, read from the same parsed
//!   page beside the pipeline.
//! - [`render`]: text and JSON output ([`formats`]: Markdown and clean HTML); [`batch`]: many
//!   pages in parallel, one record each,
//!   from the inputs [`input`] reads (HTML files, JSON Lines, [`warc`] files) as streams.
//! - [`dataset`], [`train`], [`eval`]: labelled data in, fitted models and scores out, reusing
//!   the same stages; [`trainer`]: the steps of `gleaner train` around the fitting;
//!   [`labelling`]: labels written into pages and read back (`gleaner label`);
//!   [`adapt`]: a correction fitted on a user's few pages on top of a trained model.
//!
//! ## Example
//!
//! ```
//! let extractor = gleaner::Extractor::with_default_model().unwrap();
//! let html = r#"<html><head><title>Harbour reopens</title></head><body>
//!   <nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sport">Sport</a></nav>
//!   <article><h1>Harbour reopens after storm repairs</h1>
//!   <p>The harbour reopened on Monday after three months of repairs to the sea wall, which was
//!   badly damaged in the January storms, the port authority said.</p>
//!   <p>Fishing boats returned to their moorings by the afternoon, and the ferry to the islands
//!   will resume its full timetable next week, according to the operator.</p></article>
//!   <footer>© 2024 Coast News · Privacy · Terms</footer></body></html>"#;
//! let extraction = extractor.extract_html(html);
//! let text = extraction.text();
//! assert!(text.contains("The harbour reopened on Monday"));
//! assert!(!text.contains("Privacy"));
//! ```

pub mod adapt;
pub mod adapter;
pub mod batch;
pub mod cards;
pub mod clickbait;
pub mod confidence;
pub mod dataset;
pub mod decode;
pub mod error;
pub mod eval;
pub mod explain;
pub mod extract;
pub mod features;
pub mod fitted;
pub mod formats;
pub mod input;
pub mod items;
pub mod label;
pub mod labelling;
pub mod lexicon;
pub mod metadata;
pub mod model;
pub mod output;
pub mod page_type;
pub mod parse;
pub mod related;
pub mod render;
pub mod rules;
pub mod sections;
pub mod segment;
pub mod smooth;
pub mod sparse_logistic;
pub mod text;
pub mod threads;
pub mod train;
pub mod trainer;
pub mod warc;

pub use error::{Error, Result};
pub use extract::{Extraction, Extractor};
pub use label::Label;
pub use model::Model;
