//! What an extraction is written as: plain text, Markdown or clean HTML, with or without
//! links and images. Plain settings with no dependency, so the [`crate::extract`] stage can
//! carry them and the [`crate::formats`] renderers read them without the two importing each
//! other.
//!
//! ```
//! use gleaner::output::{Format, Output};
//! let output = Output { format: Format::from_name("md").unwrap(), links: true, images: false };
//! assert!(output.needs_structure());
//! assert!(!Output::default().needs_structure());
//! ```

/// What `text` holds: the plain text, Markdown, or clean HTML.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Text,
    Markdown,
    Html,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &["text", "markdown", "html"];

    pub fn from_name(name: &str) -> Option<Format> {
        match name {
            "text" => Some(Format::Text),
            "markdown" | "md" => Some(Format::Markdown),
            "html" => Some(Format::Html),
            _ => None,
        }
    }
}

/// How an extraction is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Output {
    pub format: Format,
    /// Write links (`[text](url)`, `<a href>`) with absolute URLs.
    pub links: bool,
    /// Write images (`![alt](src)`, `<img>`) that come with kept blocks.
    pub images: bool,
}

impl Output {
    /// Whether segmentation has to record the blocks' structure.
    pub fn needs_structure(&self) -> bool {
        self.format != Format::Text
    }
}
