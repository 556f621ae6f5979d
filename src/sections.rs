//! Dropping an article's headings whose sections are all dropped: the last adjustment of the
//! final scores before the threshold, after [`crate::cards`], [`crate::threads`] and
//! [`crate::related`] (only an adapter's correction comes after it).
//!
//! A heading is kept or dropped by its own evidence, mostly, and a heading is short, set in
//! `<h2>`–`<h4>`, and sits right after the article's last paragraph — what the article's own
//! headings look like too. So an article's "Related stories", "Das könnte Sie auch interessieren"
//! or "Ähnliche Beiträge" was kept while every teaser under it was dropped, leaving a heading over
//! nothing at the end of the text. A heading introduces the blocks up to the next heading of its
//! level or above ([`orphan_headings`]); when not one of them is kept, neither is the heading —
//! unless it is the page's first kept line, a title. On trafilatura-dev, left out of training, that
//! raised the snippet F1 from 0.9225 to 0.9262. Only on pages the page-type classifier takes for an
//! article: a listing's or a product page's headings are card and product titles whose other lines
//! are often short and dropped, and on wcxb-dev the rule on every page type cost 0.002 of word F1,
//! on articles alone nothing.
//!
//! Data flow: the page, its scores after the other rules, the threshold and the page-type
//! probabilities in, one flag per block out; [`crate::items::hold_below_threshold`] then
//! lowers the flagged headings. Extraction ([`crate::Extractor::score_page`]) and
//! cross-validation in training apply it alike.
//!
//! ```
//! use gleaner::sections::orphan_headings;
//!
//! let page = gleaner::extract::segment_html(
//!     "<h1>Bridge to open</h1><p>The council said the bridge opens in spring.</p>\
//!      <h3>Related stories</h3><ul><li><a href=/a>One</a></li><li><a href=/b>Two</a></li></ul>",
//! );
//! let scores = [0.9, 0.9, 0.6, 0.1, 0.2]; // the heading kept, the list under it not
//! let article = [0.9, 0.0, 0.1, 0.0, 0.0, 0.0, 0.0];
//! let flags = orphan_headings(&page, &scores, 0.5, Some(&article));
//! assert_eq!(flags, [false, false, true, false, false]);
//! ```

use crate::segment::Page;

/// Per block: whether it is a kept heading (`<h1>`–`<h6>`) on a page whose likeliest type is
/// an article, all of whose section — the blocks after it up to the next heading of its
/// level or above, or the end of the page — scores below the threshold. A heading with no
/// block after it is left alone, and so is the page's first kept block. All false without
/// page-type probabilities.
pub fn orphan_headings(
    page: &Page,
    scores: &[f64],
    threshold: f64,
    page_type: Option<&[f64; 7]>,
) -> Vec<bool> {
    let blocks = &page.blocks;
    let mut flags = vec![false; blocks.len()];
    let is_article = crate::items::likeliest_is_article(page_type);
    if !is_article || scores.len() != blocks.len() {
        return flags;
    }
    // The page's first kept line is never dropped: a heading over nothing kept that opens
    // the kept text is the page's title, or all that was found of a short page (a post's
    // title whose text the model missed), not a list's heading after the text.
    let Some(first_kept) = scores.iter().position(|&s| s >= threshold) else {
        return flags;
    };
    // Walking backwards, `kept_after[level]` says whether a kept block follows before the
    // next heading of `level` or above: one pass however many headings the page has.
    const LEVELS: usize = 7;
    let mut kept_after = [false; LEVELS];
    let mut any_after = [false; LEVELS];
    for (i, block) in blocks.iter().enumerate().rev() {
        let level = usize::from(block.heading_level).min(LEVELS - 1);
        let mut kept = scores[i] >= threshold;
        if level > 0 {
            flags[i] = kept && i > first_kept && any_after[level] && !kept_after[level];
            // An orphan sub-heading keeps no section above it alive.
            kept &= !flags[i];
            // A heading closes the sections of its level and below.
            for l in level..LEVELS {
                kept_after[l] = false;
                any_after[l] = false;
            }
        }
        // The block belongs to every open section of a level above its own.
        for l in 1..LEVELS {
            if level == 0 || l < level {
                kept_after[l] |= kept;
                any_after[l] = true;
            }
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page_type::PageType;
    use crate::parse::parse_document;
    use crate::segment::segment;

    const ARTICLE: [f64; 7] = [0.9, 0.0, 0.1, 0.0, 0.0, 0.0, 0.0];

    #[test]
    fn a_heading_over_kept_text_or_kept_subsections_stays() {
        let page = segment(&parse_document(
            "<h1>Title</h1><h2>Part one</h2><h3>Detail</h3><p>Kept text.</p>\
             <h2>Part two</h2><p>Dropped line.</p><h3>Sub</h3><p>Kept line.</p>",
        ));
        let scores = [0.9, 0.9, 0.9, 0.9, 0.9, 0.1, 0.9, 0.9];
        assert_eq!(
            orphan_headings(&page, &scores, 0.5, Some(&ARTICLE)),
            [false; 8]
        );
    }

    #[test]
    fn the_first_kept_heading_stays_even_over_nothing_kept() {
        let page = segment(&parse_document(
            "<h1>Short post title</h1><p>Dropped.</p><p>Dropped too.</p>",
        ));
        assert_eq!(
            orphan_headings(&page, &[0.9, 0.1, 0.2], 0.5, Some(&ARTICLE)),
            [false; 3]
        );
    }

    #[test]
    fn a_heading_whose_section_is_all_dropped_goes_and_only_on_articles() {
        let page = segment(&parse_document(
            "<h1>Title</h1><p>Kept text.</p><h2>Read more</h2><p>Teaser one.</p>\
             <h3>Inner</h3><p>Teaser two.</p><h2>Last</h2>",
        ));
        let scores = [0.9, 0.9, 0.6, 0.1, 0.7, 0.2, 0.8];
        // "Read more" and "Inner" head nothing kept; "Last" heads nothing at all.
        assert_eq!(
            orphan_headings(&page, &scores, 0.5, Some(&ARTICLE)),
            [false, false, true, false, true, false, false]
        );
        let mut listing = [0.0; 7];
        listing[PageType::Listing.index()] = 0.9;
        assert!(orphan_headings(&page, &scores, 0.5, Some(&listing))
            .iter()
            .all(|&f| !f));
        assert!(orphan_headings(&page, &scores, 0.5, None)
            .iter()
            .all(|&f| !f));
    }
}
