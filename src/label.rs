//! Block labels: content, or one kind of noise.

use std::fmt;
use std::str::FromStr;

/// What a block is. Text output keeps only [`Label::Content`]; the noise kinds say why a block
/// was dropped. `Noise` is the generic kind for data that does not say which one.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    Content,
    /// Page chrome: navigation, headers, footers, share bars, cookie banners.
    Boilerplate,
    /// Links or headlines for other stories: related lists, inline "read more" lines.
    Teaser,
    /// Ads, sponsored boxes, newsletter and subscription prompts.
    Promo,
    /// Reader comments under an article or post (and customer reviews under a product), and
    /// the comment form: not the page's content, but kept on request (`--include-comments`).
    /// On a forum the posts are content instead.
    Comment,
    /// Noise of an unstated kind.
    Noise,
}

impl Label {
    pub const ALL: [Label; 6] = [
        Label::Content,
        Label::Boilerplate,
        Label::Teaser,
        Label::Promo,
        Label::Comment,
        Label::Noise,
    ];

    pub fn is_content(self) -> bool {
        self == Label::Content
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Label::Content => "content",
            Label::Boilerplate => "boilerplate",
            Label::Teaser => "teaser",
            Label::Promo => "promo",
            Label::Comment => "comment",
            Label::Noise => "noise",
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Label {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        Label::ALL
            .into_iter()
            .find(|l| l.as_str() == wanted)
            .ok_or_else(|| {
                format!(
                    "unknown label {s:?}: use one of content, boilerplate, teaser, promo, comment, \
                     noise"
                )
            })
    }
}
