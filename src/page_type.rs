//! What kind of page this is: article, forum, listing… — because what counts as main content
//! depends on it (a list of links is noise inside an article and the content of a listing).

use std::fmt;
use std::str::FromStr;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_category_means_collection() {
        for t in PageType::ALL {
            assert_eq!(t.as_str().parse::<PageType>().unwrap(), t);
            assert_eq!(PageType::ALL[t.index()], t);
        }
        assert_eq!("Category".parse::<PageType>(), Ok(PageType::Collection));
        assert!("blog".parse::<PageType>().unwrap_err().contains("article"));
    }
}
