//! Dropping related-story lists beside or inside an article: an adjustment of the final scores
//! before the threshold, beside [`crate::cards`] and [`crate::threads`] (only an adapter's
//! correction comes after them).
//!
//! Under an article, lists of related or recommended stories are not content (main-content rule).
//! The block model drops their titles, which are short lines that are all link, but a story's
//! summary under its title reads like any paragraph of the article: plain sentences, no link, often
//! in a container without a telling name. Block by block the summaries looked like content and came
//! out as article text (a list of five related stories with summaries kept two to five of its ten
//! lines). As a group they have one shape: sibling items that are each a title linking to another
//! story plus at most a short summary ([`story_lists`]). So, like the signed-thread rule, it is a
//! rule after the model: on a page the page-type classifier takes for an article, the blocks of
//! such a list are held below the threshold. On listings and collections those items are the cards,
//! which [`crate::cards`] keeps, so the rule leaves every other page type alone.
//!
//! Data flow: the page and its page-type probabilities in, one flag per block out
//! ([`related_stories`]); then [`crate::items::hold_below_threshold`] lowers the flagged
//! blocks' final scores. Extraction ([`crate::Extractor::score_page`]) and cross-validation
//! in training apply it alike; the dropped blocks' kind is the kind classifier's (teaser,
//! promo or boilerplate).
//!
//! ```
//! use gleaner::related::related_stories;
//!
//! let story = "<p>The council said on Tuesday that the new bridge, delayed for two years, \
//!              would open to traffic in the spring of next year, and that tolls would stay.</p>";
//! let card = |i: usize| {
//!     format!(
//!         "<li><a href=/news/2012/03/0{i}/river-bridge-story-number-{i}.html>Bridge story {i}</a>\
//!          <p>A summary of another story about the river crossing and its long delays.</p></li>"
//!     )
//! };
//! let list: String = (1..=3).map(card).collect();
//! let page = gleaner::extract::segment_html(&format!("{story}{story}{story}<ul>{list}</ul>"));
//! let article = [0.9, 0.0, 0.1, 0.0, 0.0, 0.0, 0.0];
//! let flags = related_stories(&page, Some(&article));
//! assert_eq!(flags, [false, false, false, true, true, true, true, true, true]);
//! ```

use rustc_hash::FxHashSet;

use crate::items::ItemWalk;
use crate::segment::Page;

/// An item of a related-story list holds at most this many blocks: a title, a summary, a
/// date or a kicker. More is a section of the article.
pub const STORY_ITEM_MAX_BLOCKS: u32 = 4;

/// An item of a related-story list holds at most this many words: a title and a summary of a
/// sentence or two. A longer item is a section that links its subject (a listicle's entry).
pub const STORY_ITEM_MAX_WORDS: u32 = 60;

/// A summary is a block of at least this many words, at most a third of them in links.
pub const SUMMARY_MIN_WORDS: u32 = 8;

/// Sibling story items that make a list: two could be a "previous / next" pair, which the
/// block model already drops.
pub const STORY_LIST_MIN_ITEMS: usize = 3;

/// The share of a list's blocks that its story items must hold: a list is its items (and a
/// heading), where an article's body holds linked entries among its own paragraphs.
pub const STORY_LIST_MIN_COVER: f64 = 0.7;

/// Per block: whether it is in a list of related stories with summaries, on a page whose
/// likeliest type is an article (see the module comment). All false without page-type
/// probabilities.
pub fn related_stories(page: &Page, page_type: Option<&[f64; 7]>) -> Vec<bool> {
    let is_article = crate::items::likeliest_is_article(page_type);
    if !is_article {
        return vec![false; page.blocks.len()];
    }
    story_lists(page)
}

/// Related stories keep one shape whatever their list is called: sibling items that each hold a
/// title line that is all link (four fifths of its characters) to another story (an address of a
/// story or item page, see [`crate::segment::Block::story_links`]) and at most a short summary
/// beside it — at most [`STORY_ITEM_MAX_BLOCKS`] blocks and [`STORY_ITEM_MAX_WORDS`] words. A list
/// is an element whose children include at least [`STORY_LIST_MIN_ITEMS`] such items, holding
/// [`STORY_LIST_MIN_COVER`] of its blocks, with a summary (a sentence of [`SUMMARY_MIN_WORDS`]
/// words or more, mostly not link) in at least half of its items: lists of bare titles the block
/// model already drops. The list does not hold the page's own text, and the page's own prose
/// outweighs the lists (a link round-up, whose entries are its text, is all list). Per block:
/// whether such a list holds it.
pub fn story_lists(page: &Page) -> Vec<bool> {
    let walk = ItemWalk::new(page);
    // Elements holding a story title: a line that is all link, to a story's page. A link
    // inside a sentence ("Ransomware: when criminals encrypt your data…") is an article's
    // list of terms, which links them to its glossary or its other posts.
    let titled =
        walk.holding(&|b| b.story_links > 0 && b.chars > 0 && b.link_chars * 5 >= b.chars * 4);
    if titled.is_empty() {
        return vec![false; page.blocks.len()];
    }
    let summarised =
        walk.holding(&|b| b.words >= SUMMARY_MIN_WORDS && b.link_words() * 3 < b.words);
    let is_story_item = |element: u32| {
        let stats = walk.stats(element);
        (1..=STORY_ITEM_MAX_BLOCKS).contains(&stats.blocks)
            && stats.words <= STORY_ITEM_MAX_WORDS
            && titled.contains(&element)
    };
    let around_text = walk.around_text();
    let lists: FxHashSet<u32> = walk
        .groups(is_story_item)
        .into_iter()
        .filter(|(list, items)| {
            items.len() >= STORY_LIST_MIN_ITEMS
                && 2 * items.iter().filter(|i| summarised.contains(i)).count() >= items.len()
                && walk.covered(*list, items, STORY_LIST_MIN_COVER)
                && !around_text.contains(list)
        })
        .map(|(list, _)| list)
        .collect();
    // Nested lists (a list of lists) are counted once, by their blocks.
    let flags = walk.blocks_within(&lists);
    let list_prose: u32 = own_prose(page, &flags, true);
    if list_prose >= own_prose(page, &flags, false) {
        return vec![false; page.blocks.len()];
    }
    flags
}

/// The prose words of the blocks flagged `within` (or not).
fn own_prose(page: &Page, flags: &[bool], within: bool) -> u32 {
    page.blocks
        .iter()
        .zip(flags)
        .filter(|(b, &flag)| flag == within && b.is_prose())
        .map(|(b, _)| b.words)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page_type::PageType;
    use crate::parse::parse_document;
    use crate::segment::segment;

    const STORY: &str = "<p>The city council voted on Tuesday night to approve a new budget that \
        includes funding for three additional fire stations, ending months of debate over how \
        to pay for emergency services in the fast-growing northern suburbs.</p>";

    fn related(i: usize, markup: &str) -> String {
        let title = format!(
            "<a href=/news/2012/03/0{i}/story-number-{i}-in-brief.html>Story number {i} in \
             brief</a>"
        );
        let summary = "The union representing city firefighters said Monday it supports the \
                       increase and will campaign for it.";
        markup
            .replace("{title}", &title)
            .replace("{summary}", summary)
    }

    fn flagged_lines(html: &str, pattern: &str) -> (usize, usize) {
        let page = segment(&parse_document(html));
        crate::items::flagged_among(&page, &story_lists(&page), pattern)
    }

    #[test]
    fn related_lists_with_summaries_are_found_beside_and_inside_the_story() {
        for item in [
            "<li>{title}<p>{summary}</p></li>",
            "<div class=item><h4>{title}</h4><p>{summary}</p></div>",
            "<tr><td><div>{title}</div><div>{summary}</div></td></tr>",
        ] {
            let list: String = (1..=5).map(|i| related(i, item)).collect();
            let list = if item.starts_with("<tr>") {
                format!("<table>{list}</table>")
            } else {
                format!("<div class=box><h3>Related stories</h3><ul>{list}</ul></div>")
            };
            for html in [
                format!("<div class=story>{}</div>{list}", STORY.repeat(4)),
                format!(
                    "<div class=story>{}{list}{}</div>",
                    STORY.repeat(2),
                    STORY.repeat(2)
                ),
            ] {
                assert_eq!(flagged_lines(&html, "union"), (5, 5), "{html}");
                assert_eq!(flagged_lines(&html, "Story number"), (5, 5), "{html}");
                assert_eq!(flagged_lines(&html, "fire stations"), (0, 4), "{html}");
            }
        }
    }

    #[test]
    fn bare_titles_sections_and_round_ups_are_no_related_list() {
        // Titles without summaries: the block model's job.
        let titles: String = (1..=5).map(|i| related(i, "<li>{title}</li>")).collect();
        let html = format!("{}<ul>{titles}</ul>", STORY.repeat(4));
        assert_eq!(flagged_lines(&html, "Story number"), (0, 5));
        // An article's list of terms, each linked inside its line.
        let terms: String = (1..=5)
            .map(|i| related(i, "<li>{title}: {summary}</li>"))
            .collect();
        let html = format!("{}<ul>{terms}</ul>", STORY.repeat(4));
        assert_eq!(flagged_lines(&html, "union"), (0, 5));
        // A listicle's entries: a linked heading over a long section.
        let section = format!("<div><h3>{{title}}</h3>{}</div>", STORY.repeat(2));
        let entries: String = (1..=5).map(|i| related(i, &section)).collect();
        let html = format!("{}<div>{entries}</div>", STORY.repeat(2));
        assert_eq!(flagged_lines(&html, "Story number"), (0, 5));
        // A round-up whose entries are the page's text.
        let round_up: String = (1..=8)
            .map(|i| related(i, "<li>{title}<p>{summary}</p></li>"))
            .collect();
        let html = format!("{STORY}<ul>{round_up}</ul>");
        assert_eq!(flagged_lines(&html, "union"), (0, 8));
    }

    #[test]
    fn only_an_articles_list_is_flagged() {
        let list: String = (1..=4)
            .map(|i| related(i, "<li>{title}<p>{summary}</p></li>"))
            .collect();
        let page = segment(&parse_document(&format!(
            "{}<ul>{list}</ul>",
            STORY.repeat(4)
        )));
        let mut probabilities = [0.0; 7];
        probabilities[PageType::Article.index()] = 0.8;
        assert_eq!(
            related_stories(&page, Some(&probabilities))
                .iter()
                .filter(|&&f| f)
                .count(),
            8
        );
        probabilities[PageType::Listing.index()] = 0.9;
        assert!(related_stories(&page, Some(&probabilities))
            .iter()
            .all(|&f| !f));
        assert!(related_stories(&page, None).iter().all(|&f| !f));
    }
}
