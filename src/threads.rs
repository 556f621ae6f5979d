//! Dropping reader comments whose markup has no comment name: an adjustment of the final
//! scores before the threshold, beside [`crate::cards`] and [`crate::related`] (only an
//! adapter's correction comes after them).
//!
//! Under an article, reader comments are not content (main-content rule). The block model
//! learns them from their section's name (`comments`, `disqus_thread`, `commentlist`…), which
//! nearly every thread in the training sets carries, so a thread called `echo-item`,
//! `pluck-comm` or `readerposts` came out as article text. Whatever it is called, a thread has
//! one shape: sibling items that each hold a stamp line (who posted, and when) beside a
//! paragraph ([`signed_threads`]), whether the thread sits beside the story or after its
//! paragraphs in the story's own container. As block features that shape got little weight (the
//! comment names already explain the threads the model learns from, and it lowered
//! wcxb-dev's cross-validated F1 by 0.002), so it is a rule: on a page the page-type
//! classifier takes for an article, the blocks of such a thread beside the page's text are
//! held below the threshold and named `comment`, so `--include-comments` brings them back.
//! On forums the posts are the content, and on product and service pages reviews and
//! testimonials often are, so the rule leaves those alone.
//!
//! Data flow: the page and its page-type probabilities in, one flag per block out
//! ([`reader_comments`]); then [`drop_reader_comments`] lowers the flagged blocks' final
//! scores. Extraction ([`crate::Extractor::score_page`]) and cross-validation in training
//! apply it alike, and extraction names each flagged block's kind `comment`.
//!
//! ```
//! use gleaner::threads::{drop_reader_comments, reader_comments};
//!
//! let story = "<p>The council said on Tuesday that the new bridge, delayed for two years, \
//!              would open to traffic in the spring of next year.</p>";
//! let post = |i: usize| {
//!     format!(
//!         "<div class=echo-item><div>reader{i} · {i} hours ago</div>\
//!          <div class=echo-text>I have heard this promise before, so forgive me if I \
//!          wait for the ribbon before I believe a word of it.</div></div>"
//!     )
//! };
//! let thread: String = (1..=3).map(post).collect();
//! let page = gleaner::extract::segment_html(&format!("{story}{story}<div>{thread}</div>"));
//! let article = [0.9, 0.0, 0.1, 0.0, 0.0, 0.0, 0.0];
//! let flags = reader_comments(&page, Some(&article));
//! assert_eq!(flags, [false, false, true, true, true, true, true, true]);
//!
//! let mut scores = vec![0.9; 8];
//! drop_reader_comments(&mut scores, &flags, 0.5);
//! assert_eq!(scores[..3], [0.9, 0.9, 0.25]); // the thread now falls below the threshold
//! ```

use rustc_hash::FxHashSet;

use crate::features::paragraph_parent;
use crate::items::ItemWalk;
use crate::segment::{Context, Page};

/// Per block: whether it is a reader comment under an article — in a signed thread beside the
/// page's text ([`signed_threads`]) on a page whose likeliest type is an article (see the
/// module comment). A long thread under a short story pulls the classifier towards "listing"
/// or "forum" (40 signed comments under 200 words: article 0.46, listing 0.45), so no
/// certainty beyond the likeliest type is asked for; the thread's shape, which on wcxb-dev's
/// articles only reader comments have, is the rest of the evidence. All false without
/// page-type probabilities.
pub fn reader_comments(page: &Page, page_type: Option<&[f64; 7]>) -> Vec<bool> {
    let is_article = crate::items::likeliest_is_article(page_type);
    if !is_article {
        return vec![false; page.blocks.len()];
    }
    signed_threads(page)
}

/// Lowers to half the threshold the score of every block flagged by [`reader_comments`];
/// other blocks keep their scores.
pub fn drop_reader_comments(scores: &mut [f64], reader_comments: &[bool], threshold: f64) {
    crate::items::hold_below_threshold(scores, reader_comments, threshold);
}

/// A signed item needs at least one block of prose and at least one other block (the
/// signature), and at most this many blocks: more is a section or a whole article.
pub const SIGNED_ITEM_MAX_BLOCKS: u32 = 12;

/// Sibling signed items that make a thread: two could be an article's two halves.
pub const SIGNED_THREAD_MIN_ITEMS: usize = 3;

/// The share of a thread's blocks that its signed items must hold: a thread is its posts,
/// where an article's body holds lists and figures of that shape among its own paragraphs.
pub const SIGNED_THREAD_MIN_COVER: f64 = 0.7;

/// The story's own prose, in words, that a thread inside the story's container must follow
/// (see [`signed_threads`]): a few paragraphs, more than a live blog's introduction.
pub const SIGNED_THREAD_MIN_TEXT_WORDS: u32 = 150;

/// Reader comments keep one shape whatever their markup is called: sibling items that each
/// hold a stamp line (who posted and when: "jdoe77 · 2 hours ago", "March 3, 2012 at 5:04
/// pm", see [`is_stamp_line`]) beside a paragraph of prose. A thread called `echo-item` or
/// `readerposts` carries no comment word for the class features to catch, but it has this
/// shape. Without the stamp, testimonials, a FAQ's entries and an article's lists and table
/// rows have it too (on wcxb-dev's articles most of what the shape alone caught was gold
/// text); items that hold a heading, a story link or a short question are a listing's cards
/// or a FAQ's entries, and a forum's posts have the same shape (the page type tells those
/// apart). A thread is an element whose children include at least [`SIGNED_THREAD_MIN_ITEMS`]
/// such items, holding [`SIGNED_THREAD_MIN_COVER`] of its blocks, and which does not hold the
/// page's own text (the direct parent of the most prose: the thread is beside the text, not
/// around it). When that element is the direct parent of the most prose itself (old templates
/// print the comments in the story's container), its items are the thread if they all follow
/// its own paragraphs, of [`SIGNED_THREAD_MIN_TEXT_WORDS`] words or more. A signature line
/// without a date ("reader7 says:", [`is_signature_line`]) signs an item as a stamp does:
/// comment templates that print no date print that.
/// Per block: whether such a thread holds it.
pub fn signed_threads(page: &Page) -> Vec<bool> {
    let walk = ItemWalk::new(page);
    // Elements that hold a stamp line: when something was posted. Not in a table, where a
    // date is a column of a timetable or of a list of results. Most pages have none, and
    // then there is no thread to look for.
    let stamped = walk.holding(&|b| {
        b.words <= STAMP_MAX_WORDS
            && !b.context.contains(Context::TABLE)
            && (is_stamp_line(&b.text) || is_signature_line(&b.text))
    });
    if stamped.is_empty() {
        return vec![false; page.blocks.len()];
    }
    // Elements that hold a heading, a story link or a short question: a card, a section or
    // a FAQ's entry, not a post.
    let titled = walk.holding(&|b| {
        b.heading_level > 0
            || b.story_links > 0
            || (!b.is_prose() && b.text.trim_end().ends_with(['?', '？']))
    });
    let is_signed_item = |element: u32| {
        let stats = walk.stats(element);
        (2..=SIGNED_ITEM_MAX_BLOCKS).contains(&stats.blocks)
            && stats.prose_blocks >= 1
            && stats.prose_blocks < stats.blocks
            && stamped.contains(&element)
            && !titled.contains(&element)
    };
    let around_text = walk.around_text();
    let text_parent = paragraph_parent(page);
    let mut threads: FxHashSet<u32> = FxHashSet::default();
    for (thread, items) in walk.groups(is_signed_item) {
        if items.len() < SIGNED_THREAD_MIN_ITEMS {
            continue;
        }
        if !around_text.contains(&thread) {
            if walk.covered(thread, &items, SIGNED_THREAD_MIN_COVER) {
                threads.insert(thread);
            }
        } else if thread == text_parent && follows_the_text(page, &walk, thread, &items) {
            // Old templates put the comments in the story's own container, right after its
            // paragraphs: then the posts, not their container, are the thread.
            threads.extend(items);
        }
    }
    walk.blocks_within_or_at(&threads)
}

/// Whether every one of an element's items comes after the element's own prose (the
/// paragraphs that are its direct children), and there is such prose: comments follow the
/// story they answer. A live blog's dated entries are its text, and its container holds
/// little prose of its own before them.
fn follows_the_text(page: &Page, walk: &ItemWalk, element: u32, items: &FxHashSet<u32>) -> bool {
    let mut own_prose_words = 0;
    let mut last_own_prose = None;
    let mut first_in_items = None;
    for (i, block) in page.blocks.iter().enumerate() {
        if block.containers[1] == element && block.is_prose() {
            own_prose_words += block.words;
            last_own_prose = Some(i);
        } else if first_in_items.is_none() && walk.elements_of(block).any(|e| items.contains(&e)) {
            first_in_items = Some(i);
        }
    }
    own_prose_words >= SIGNED_THREAD_MIN_TEXT_WORDS
        && matches!((last_own_prose, first_in_items), (Some(text), Some(thread)) if text < thread)
}

/// A line of at most this many words that dates something is a stamp (a comment's or a card's
/// "posted" line), not a sentence that mentions a date.
pub const STAMP_MAX_WORDS: u32 = 12;

const MONTHS: &[&str] = &[
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

const TIME_UNITS: &[&str] = &[
    "sec", "secs", "second", "seconds", "min", "mins", "minute", "minutes", "hr", "hrs", "hour",
    "hours", "day", "days", "week", "weeks", "month", "months", "year", "years",
];

/// Whether a short line introduces what someone posted: a name and "says:", "wrote:",
/// "said..." (WordPress's and Blogger's comment signatures, a quoted post's header), in the
/// languages of the shared sets. It stands in for a date in [`signed_threads`]: comments
/// whose template prints no date still carry it.
pub fn is_signature_line(text: &str) -> bool {
    const ENDINGS: &[&str] = &[
        "says:",
        "said:",
        "wrote:",
        "writes:",
        "says...",
        "said...",
        "says…",
        "said…",
        "sagt:",
        "schrieb:",
        "schreibt:",
        "a écrit :",
        "a écrit:",
        "dice:",
        "escribió:",
        "ha scritto:",
        "scrive:",
        "schreef:",
        "napisał:",
    ];
    let text = text.trim();
    let words = text.split_whitespace().count();
    (2..=SIGNATURE_MAX_WORDS).contains(&words) && {
        let lower = text.to_lowercase();
        ENDINGS.iter().any(|ending| lower.ends_with(ending))
    }
}

/// A signature line is a name and a verb: a few words, not a sentence that ends in a colon.
pub const SIGNATURE_MAX_WORDS: usize = 6;

/// Whether a short text says on which day something was posted: a date in digits
/// ("2012-03-03", "03/03/12"), a month name beside a number ("March 3", "3 Mar 2012"), or a
/// time ago ("2 hours ago") — what a comment's signature line or a post's header holds. A
/// clock time alone is not enough: an event programme's sessions ("13:15 Uhr - 17:00 Uhr")
/// and a video's duration have one, a comment's stamp nearly always has the day as well.
pub fn is_stamp_line(text: &str) -> bool {
    let tokens: Vec<&str> = text
        .split_whitespace()
        .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric() && c != ':' && c != '/'))
        .filter(|t| !t.is_empty())
        .collect();
    let is_number =
        |t: &str| !t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit());
    let day_or_year = |t: &str| {
        let digits = t.trim_end_matches(|c: char| c.is_ascii_alphabetic());
        is_number(digits) && digits.len() != 3
    };
    tokens.iter().enumerate().any(|(i, token)| {
        let lower = token.to_ascii_lowercase();
        let digit_date = {
            let parts: Vec<&str> = lower.split(['-', '/', '.']).collect();
            parts.len() == 3
                && parts.iter().all(|p| is_number(p))
                && parts.iter().any(|p| p.len() == 4 || p.len() == 2)
                && parts.iter().map(|p| p.len()).sum::<usize>() >= 4
        };
        let month = MONTHS.contains(&lower.as_str())
            && (tokens.get(i + 1).is_some_and(|t| day_or_year(t))
                || i.checked_sub(1)
                    .and_then(|j| tokens.get(j))
                    .is_some_and(|t| day_or_year(t)));
        let ago = lower == "ago"
            && i >= 2
            && TIME_UNITS.contains(&tokens[i - 1].to_ascii_lowercase().as_str())
            && (is_number(tokens[i - 2]) || matches!(tokens[i - 2], "a" | "an" | "A" | "An"));
        digit_date || month || ago
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page_type::PageType;
    use crate::parse::parse_document;
    use crate::segment::segment;

    #[test]
    fn a_thread_without_a_comment_name_is_found_by_its_signed_items_and_cards_are_not() {
        let story: String = (0..5)
            .map(|i| {
                format!(
                    "<p>The council said on day {i} that the new bridge, which has been delayed \
                     for two years, would open to traffic in the spring of next year.</p>"
                )
            })
            .collect();
        let posts: String = (0..4)
            .map(|i| {
                format!(
                    "<div class=echo-item><div class=echo-head><a href=/u/{i}>reader{i}</a> \
                     <span>3 hours ago</span></div><div class=echo-body><div class=echo-text>\
                     <p>I drive over that river every morning and I have heard this promise \
                     before, so forgive me if I wait for the ribbon.</p></div></div>\
                     <div class=echo-foot>Reply</div></div>"
                )
            })
            .collect();
        let cards: String = (0..4)
            .map(|i| {
                format!(
                    "<div class=tile><h3><a href=/news/2012/03/story-{i}.html>Bridge story {i}</a>\
                     </h3><p>Another long summary of a story about roads and rivers that runs \
                     well past a dozen words in all.</p><span>3 hours ago</span></div>"
                )
            })
            .collect();
        let html = format!(
            "<html lang=en><body><article><h1>New bridge to open</h1>{story}</article>\
             <div class=talk>{posts}</div><div class=more>{cards}</div></body></html>"
        );
        let page = segment(&parse_document(&html));
        let in_thread = signed_threads(&page);
        let flagged = |pattern: &str| {
            page.blocks
                .iter()
                .zip(&in_thread)
                .filter(|(b, _)| b.text.contains(pattern))
                .map(|(_, &flag)| flag)
                .collect::<Vec<_>>()
        };
        // Every line of the posts, the signature and "Reply" too.
        assert_eq!(flagged("I drive over"), vec![true; 4]);
        assert_eq!(flagged("reader"), vec![true; 4]);
        assert_eq!(flagged("Reply"), vec![true; 4]);
        // Not the story, not the titled cards beside the thread.
        assert_eq!(flagged("The council said"), vec![false; 5]);
        assert_eq!(flagged("Another long summary"), vec![false; 4]);
    }

    #[test]
    fn stamp_lines_say_when_something_was_posted() {
        for stamp in [
            "Posted by Jane Doe on March 3, 2012 at 5:04 pm",
            "jdoe77 · 2 hours ago",
            "03/03/2012 17:04",
            "Reply #12 – 3 Mar 2012",
            "Anna, 2012-03-03",
            "an hour ago",
            "14:02 · 12.03.2012",
        ] {
            assert!(is_stamp_line(stamp), "{stamp}");
        }
        for not_stamp in [
            "Reply",
            "Read more about the council's plan",
            "May the best team win",
            "Chapter 3 of 10",
            "Call 555 1234",
            "Version 1.2",
            "Acme Ltd, 8200 Schaffhausen 13:15 Uhr - 17:00 Uhr",
            "Play video 01:48",
        ] {
            assert!(!is_stamp_line(not_stamp), "{not_stamp}");
        }
    }

    #[test]
    fn signature_lines_name_a_poster_and_a_verb() {
        for signature in [
            "jwalker wrote:",
            "Pete Simmons says:",
            "Anna said...",
            "Max schrieb:",
        ] {
            assert!(is_signature_line(signature), "{signature}");
        }
        for not_signature in [
            "wrote:",
            "The report, which the council published on Tuesday, said:",
            "Here is what the mayor said",
            "Ingredients:",
        ] {
            assert!(!is_signature_line(not_signature), "{not_signature}");
        }
    }

    /// A story of `paragraphs` long paragraphs in one container, followed in that same
    /// container by four posts, each `header` then a reply.
    fn story_then_posts(paragraphs: usize, header: &dyn Fn(usize) -> String) -> Page {
        let paragraph = "<p>The council said on Tuesday that the new bridge, which has been \
                         delayed for two years, would open to traffic in the spring of next \
                         year, and that the tolls agreed in 2009 would stay in place.</p>";
        let posts: String = (0..4)
            .map(|i| {
                format!(
                    "<div class=c-item><p class=c-head>{}</p><p>I drive over that river every \
                     morning and I have heard this promise before.</p></div>",
                    header(i)
                )
            })
            .collect();
        segment(&parse_document(&format!(
            "<html lang=en><body><div class=main><h1>New bridge</h1>{}<h3>Responses</h3>\
             {posts}</div></body></html>",
            paragraph.repeat(paragraphs)
        )))
    }

    fn flagged_count(page: &Page, pattern: &str) -> (usize, usize) {
        crate::items::flagged_among(page, &signed_threads(page), pattern)
    }

    #[test]
    fn posts_in_the_storys_own_container_after_its_text_are_a_thread() {
        let dated = |i: usize| format!("reader{i} · March {}, 2012 at 5:04 pm", i + 3);
        let signed = |i: usize| format!("reader{i} wrote:");
        let headers: [&dyn Fn(usize) -> String; 2] = [&dated, &signed];
        for header in headers {
            let page = story_then_posts(6, header);
            assert_eq!(flagged_count(&page, "I drive over"), (4, 4));
            assert_eq!(flagged_count(&page, "reader"), (4, 4));
            assert_eq!(flagged_count(&page, "The council said"), (0, 6));
            assert_eq!(flagged_count(&page, "New bridge"), (0, 1));
        }
    }

    #[test]
    fn a_live_blogs_dated_entries_after_a_short_introduction_are_no_thread() {
        let page = story_then_posts(2, &|i| format!("March {}, 2012, 10:{i}5", i + 3));
        assert_eq!(flagged_count(&page, "I drive over"), (0, 4));
    }

    #[test]
    fn testimonials_a_programme_and_a_dated_table_are_no_thread() {
        let quote = "I drive over that river every morning and the new service has made \
                     the trip so much easier for the whole family.";
        let testimonials: String = (0..4)
            .map(|i| format!("<div class=quote><p>{quote}</p><div>Customer {i}</div></div>"))
            .collect();
        let programme: String = (0..4)
            .map(|i| {
                format!("<div class=session><div>Room {i}, 13:15 - 17:00</div><p>{quote}</p></div>")
            })
            .collect();
        let results: String = (0..4)
            .map(|i| format!("<tr><td>March {}, 2024</td><td>{quote}</td></tr>", i + 1))
            .collect();
        let page = segment(&parse_document(&format!(
            "<html lang=en><body><p>{quote}</p><p>{quote}</p>{testimonials}{programme}\
             <table>{results}</table></body></html>"
        )));
        assert_eq!(page.blocks.len(), 26);
        assert!(signed_threads(&page).iter().all(|&flag| !flag));
    }

    #[test]
    fn only_an_articles_thread_is_flagged_and_lowered() {
        let story = "<p>The council said on Tuesday that the new bridge, delayed for two years, \
                     would open to traffic in the spring of next year.</p>";
        let thread: String = (1..=4)
            .map(|i| {
                format!(
                    "<li><span>reader{i}</span> <span>March {i}, 2012</span><div>I have heard \
                     this promise before, so forgive me if I wait for the ribbon first.</div></li>"
                )
            })
            .collect();
        let page = segment(&parse_document(&format!("{story}{story}<ul>{thread}</ul>")));
        let mut probabilities = [0.0; 7];
        probabilities[PageType::Article.index()] = 0.8;
        let flags = reader_comments(&page, Some(&probabilities));
        assert_eq!(flags.iter().filter(|&&f| f).count(), 8);
        assert!(!flags[0] && !flags[1]);
        let mut scores = vec![0.9; flags.len()];
        drop_reader_comments(&mut scores, &flags, 0.4);
        assert_eq!(scores[..3], [0.9, 0.9, 0.2]);
        // Barely the likeliest type is enough.
        probabilities[PageType::Article.index()] = 0.46;
        probabilities[PageType::Listing.index()] = 0.45;
        assert_eq!(reader_comments(&page, Some(&probabilities)), flags);
        // A forum or a page without page types keeps its thread.
        probabilities[PageType::Forum.index()] = 0.5;
        assert!(reader_comments(&page, Some(&probabilities))
            .iter()
            .all(|&f| !f));
        assert!(reader_comments(&page, None).iter().all(|&f| !f));
    }
}
