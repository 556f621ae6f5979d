//! Keeping a listing's cards: an adjustment of the final scores before the threshold (only an
//! adapter's correction comes after it).
//!
//! On a listing or collection page the cards *are* the content (main-content rule), but each
//! card is a short line that is all link, which on the far more common article pages is what
//! a related-stories list or a menu looks like. The block model sees the page type among its
//! features, yet card-shaped lines carry so much "noise" evidence that many listings lose most
//! of their cards. So the page's largest group of repeated linked blocks outside navigation,
//! header and footer (the `structure.in_largest_repeat` feature: the card grid) is kept when
//! either
//! - the page-type classifier is sure the page is a listing or a collection and the page has
//!   little prose besides (a listing's own text is an intro, an article's is paragraphs), or
//! - the page has almost no prose of its own besides the group, and the classifier gives
//!   listings and collections at least a small chance: a page that is a grid of links and
//!   little else exists for that grid, whatever type the classifier liked best (recipe and
//!   news indexes, catalogues it took for articles or service pages).
//!
//! A card is more than its link: the price, the standfirst, the date beside the title are
//! repeated too, under other tag paths. So each linked block of the group brings the whole of
//! its card: the largest element around it that holds no other block of the group (a card
//! never spans two titles) and at most [`CARD_MAX_BLOCKS`] blocks.
//!
//! Data flow: the page's blocks, their feature rows (page-type probabilities and the repeat
//! flag are columns of them) and the final scores in, the same scores out with the cards raised
//! to the threshold. Extraction ([`crate::Extractor::score_page`], before an adapter's correction) and
//! cross-validation in training apply it alike.
//!
//! ```
//! use gleaner::cards::keep_listing_cards;
//! use gleaner::features::FeatureSchema;
//!
//! let page = gleaner::extract::segment_html("<h1>Hiking boots</h1><a href=/b1>Trail boot</a>");
//! let schema = FeatureSchema::current();
//! let mut rows = ndarray::Array2::zeros((2, schema.len()));
//! let listing = schema.column("page_type.listing").unwrap();
//! let repeat = schema.column("structure.in_largest_repeat").unwrap();
//! rows.column_mut(listing).fill(0.95);
//! rows[[1, repeat]] = 1.0;
//! let mut scores = vec![0.9, 0.1];
//! keep_listing_cards(&mut scores, &page, &rows, 0.5);
//! assert_eq!(scores, vec![0.9, 0.5]); // the card now reaches the threshold
//! ```

use ndarray::Array2;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::features::FeatureSchema;
use crate::items::ItemWalk;
use crate::segment::{Context, Page};

/// How sure the page-type classifier must be that the page is a listing or a collection (the
/// two probabilities summed). Cross-validated on wcxb-dev (out-of-fold page types and block
/// scores), 0.9 raised listings and collections most without costing any other type; lower
/// cut-offs let the rule reach articles the classifier half-took for listings, whose largest
/// repeated group is a related-stories list.
pub const LISTING_CERTAINTY: f64 = 0.9;

/// A page with this many prose words outside its repeated group is not taken for a listing,
/// however sure the page-type classifier is. That classifier learnt from modern pages only, and
/// on older articles it said "listing" for one trafilatura-dev page in 18 and one CleanEval
/// page in 11, where the largest repeated group is the related-stories list. On wcxb-dev, out
/// of fold, the cut keeps nearly all of the rule's gain (0.8470 without it, 0.8468 with it).
/// Words in a cookie or consent dialog do not count: they are no page's own text, and a
/// consent manager's purposes list alone can pass the cut (on wcxb-dev, out of fold, not
/// counting it raised listings from 0.689 to 0.697).
pub const LISTING_MAX_PROSE_WORDS: u32 = 300;

/// A page with fewer prose words than this outside its repeated group keeps the group even when
/// the page-type classifier is unsure, as long as it gives listings and collections together
/// at least [`CARD_PAGE_MIN_LISTING`]. Cross-validated on wcxb-dev with fold models (each
/// applied to the pages it did not see, whole cards throughout): 100 raised listings from
/// 0.698 to 0.741 at a cost of 0.003 on products, whose related-product grids sit under a
/// short description; 50 gained less, 150 and 200 cost services and products more.
pub const CARD_PAGE_MAX_PROSE_WORDS: u32 = 100;

/// The least chance of a listing or collection (the two probabilities summed) for
/// [`CARD_PAGE_MAX_PROSE_WORDS`] to apply. The classifier's chance of a listing on the listings
/// it got wrong is often 0.1 or less; with no floor at all the rule also reached a short blog
/// post and a forum thread whose largest repeated group was not theirs.
pub const CARD_PAGE_MIN_LISTING: f64 = 0.05;

/// For [`CARD_PAGE_MAX_PROSE_WORDS`]: the least share of the group's blocks that link to an
/// item's own page. Without this test or [`CARD_MIN_MEAN_WORDS`], CleanEval's pages of 2007,
/// left out of training, lost 0.001 F1 to menus kept whole (tables of links with no `nav`);
/// with them, none of its pages changed, and wcxb-dev kept most of the gain (0.8514 against
/// 0.8520 without them).
pub const CARD_MIN_STORY_SHARE: f64 = 0.5;

/// For [`CARD_PAGE_MAX_PROSE_WORDS`]: the least mean words of the group's blocks, when fewer of
/// them link to item pages than [`CARD_MIN_STORY_SHARE`] (a product name of four words passes;
/// a menu's "Home", "Help" do not).
pub const CARD_MIN_MEAN_WORDS: f64 = 4.0;

/// The most blocks a card may hold: the climb from a linked title stops below any larger
/// element (a section holding one card and much else is not a card).
pub const CARD_MAX_BLOCKS: u32 = 10;

/// Raises to `threshold` the score of every block in the cards of the page's largest repeated
/// group when the page is a listing by the page-type classifier or by its shape (see the module
/// comment); other pages' scores are left as they are.
pub fn keep_listing_cards(scores: &mut [f64], page: &Page, features: &Array2<f64>, threshold: f64) {
    let [listing, collection, repeat] = columns();
    if features.nrows() == 0
        || features.ncols() != FeatureSchema::current().len()
        || features.nrows() != page.blocks.len()
    {
        return;
    }
    let listing_chance = features[[0, listing]] + features[[0, collection]];
    if listing_chance < CARD_PAGE_MIN_LISTING {
        return;
    }
    let in_group: Vec<bool> = features
        .rows()
        .into_iter()
        .map(|row| row[repeat] > 0.0)
        .collect();
    let prose_besides: u32 = page
        .blocks
        .iter()
        .zip(&in_group)
        .filter(|(block, &in_group)| !in_group && block.is_prose() && block.consent_box.is_none())
        .map(|(block, _)| block.words)
        .sum();
    let sure_listing =
        listing_chance >= LISTING_CERTAINTY && prose_besides < LISTING_MAX_PROSE_WORDS;
    let grid_of_links =
        prose_besides < CARD_PAGE_MAX_PROSE_WORDS && looks_like_cards(page, &in_group);
    if !(sure_listing || grid_of_links) {
        return;
    }
    for (score, in_card) in scores.iter_mut().zip(whole_cards(page, &in_group)) {
        if in_card && *score < threshold {
            *score = threshold;
        }
    }
}

/// Whether the repeated group reads like cards rather than a menu: at least
/// [`CARD_MIN_STORY_SHARE`] of its blocks link to an item's own page (a story's or product's
/// slug), or its blocks average [`CARD_MIN_MEAN_WORDS`] words or more (titles, not "Home",
/// "Contact us"). Older sites draw their menus as tables of links with no `nav`, so on a page
/// with little prose the largest repeated group is often the menu.
fn looks_like_cards(page: &Page, in_group: &[bool]) -> bool {
    let (mut blocks, mut with_story_links, mut words) = (0u32, 0u32, 0u32);
    for (block, _) in page.blocks.iter().zip(in_group).filter(|(_, &g)| g) {
        blocks += 1;
        with_story_links += u32::from(block.story_links > 0);
        words += block.words;
    }
    blocks > 0
        && (f64::from(with_story_links) >= CARD_MIN_STORY_SHARE * f64::from(blocks)
            || f64::from(words) >= CARD_MIN_MEAN_WORDS * f64::from(blocks))
}

/// Per block: whether it is in the group or in the card of one of the group's blocks (the
/// largest element around that block holding no other block of the group and at most
/// [`CARD_MAX_BLOCKS`] blocks), outside navigation, header and footer.
fn whole_cards(page: &Page, in_group: &[bool]) -> Vec<bool> {
    let walk = ItemWalk::new(page);
    let group = || {
        page.blocks
            .iter()
            .zip(in_group)
            .filter(|(_, &g)| g)
            .map(|(b, _)| b)
    };
    // A lone block is no grid: nothing tells its card from the page around it.
    if group().nth(1).is_none() {
        return in_group.to_vec();
    }
    let mut group_blocks_within: FxHashMap<u32, u32> = FxHashMap::default();
    for block in group() {
        for element in walk.elements_of(block) {
            *group_blocks_within.entry(element).or_default() += 1;
        }
    }
    let cards: FxHashSet<u32> = group()
        .filter_map(|block| {
            walk.elements_of(block)
                .take_while(|element| {
                    group_blocks_within[element] == 1
                        && walk.stats(*element).blocks <= CARD_MAX_BLOCKS
                })
                .last()
        })
        .collect();
    walk.blocks_within_or_at(&cards)
        .into_iter()
        .zip(&page.blocks)
        .zip(in_group)
        .map(|((in_card, block), &in_group)| {
            in_group || (in_card && !block.context.contains(Context::CHROME))
        })
        .collect()
}

/// The columns the rule reads, looked up in the schema once rather than on every page.
fn columns() -> [usize; 3] {
    static COLUMNS: std::sync::OnceLock<[usize; 3]> = std::sync::OnceLock::new();
    *COLUMNS.get_or_init(|| {
        let schema = FeatureSchema::current();
        [
            "page_type.listing",
            "page_type.collection",
            "structure.in_largest_repeat",
        ]
        .map(|name| schema.column(name).expect("the schema names this feature"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_document;
    use crate::segment::segment;

    /// A page of `n` one-line blocks, the first `paragraphs` of them long paragraphs.
    fn page(n: usize, paragraphs: usize) -> Page {
        let paragraph = "<p>The storm closed the coast road for three days, and the council \
                         says the repairs to the sea wall will take until the end of the summer \
                         at the earliest, with the harbour shut to visitors until then.</p>";
        let cards = "<li><a href=/x>A card</a></li>";
        let html = format!(
            "{}{}",
            paragraph.repeat(paragraphs),
            cards.repeat(n - paragraphs)
        );
        let page = segment(&parse_document(&html));
        assert_eq!(page.blocks.len(), n);
        page
    }

    fn rows(listing: f64, collection: f64, repeats: &[bool]) -> Array2<f64> {
        let schema = FeatureSchema::current();
        let mut rows = Array2::zeros((repeats.len(), schema.len()));
        let column = |name: &str| schema.column(name).unwrap();
        rows.column_mut(column("page_type.listing")).fill(listing);
        rows.column_mut(column("page_type.collection"))
            .fill(collection);
        for (i, &r) in repeats.iter().enumerate() {
            rows[[i, column("structure.in_largest_repeat")]] = f64::from(u8::from(r));
        }
        rows
    }

    #[test]
    fn a_sure_listing_keeps_its_cards_and_nothing_else() {
        let mut scores = vec![0.8, 0.1, 0.05, 0.2];
        keep_listing_cards(
            &mut scores,
            &page(4, 1),
            &rows(0.5, 0.45, &[false, true, true, false]),
            0.4,
        );
        assert_eq!(scores, vec![0.8, 0.4, 0.4, 0.2]);
    }

    #[test]
    fn an_article_or_a_doubtful_listing_with_some_prose_is_left_alone() {
        // No chance of a listing at all: even a bare grid of links is left to the model.
        let mut scores = vec![0.8, 0.1];
        keep_listing_cards(
            &mut scores,
            &page(2, 0),
            &rows(0.0, 0.0, &[true, true]),
            0.4,
        );
        assert_eq!(scores, vec![0.8, 0.1]);
        // A doubtful listing with three paragraphs (over 100 prose words, under 300).
        let mut scores = vec![0.8, 0.8, 0.8, 0.1, 0.1];
        keep_listing_cards(
            &mut scores,
            &page(5, 3),
            &rows(0.6, 0.2, &[false, false, false, true, true]),
            0.4,
        );
        assert_eq!(scores, vec![0.8, 0.8, 0.8, 0.1, 0.1]);
    }

    /// A short intro paragraph, then `links` as a list of linked items.
    fn intro_and_links(links: &[(&str, &str)]) -> Page {
        let items: String = links
            .iter()
            .map(|(href, text)| format!("<li><a href={href}>{text}</a></li>"))
            .collect();
        segment(&parse_document(&format!(
            "<p>Our favourite weeknight dinners, tested by the food desk this month.</p><ul>{items}</ul>"
        )))
    }

    /// The scores [0.8, 0.1, 0.2, 0.1, 0.3] of an intro and four links after the rule, on a page
    /// the classifier gives a one-in-ten chance of a listing.
    fn scores_on_a_doubtful_page(page: &Page) -> Vec<f64> {
        let mut scores = vec![0.8, 0.1, 0.2, 0.1, 0.3];
        keep_listing_cards(
            &mut scores,
            page,
            &rows(0.1, 0.0, &[false, true, true, true, true]),
            0.4,
        );
        scores
    }

    #[test]
    fn a_grid_of_links_with_little_else_keeps_its_cards_whatever_the_type() {
        // One short paragraph and four recipe cards of three words each, linking to their own
        // pages (slugs of four words and more); the classifier liked another type best and gave
        // a listing a one-in-ten chance.
        let page = intro_and_links(&[
            (
                "/recipes/lemon-chicken-traybake-with-olives",
                "Lemon chicken traybake",
            ),
            ("/recipes/smoky-bean-chilli-for-four", "Smoky bean chilli"),
            ("/recipes/one-pot-orzo-with-peas", "Orzo with peas"),
            (
                "/recipes/quick-prawn-noodle-soup-bowls",
                "Prawn noodle soup",
            ),
        ]);
        assert_eq!(
            scores_on_a_doubtful_page(&page),
            vec![0.8, 0.4, 0.4, 0.4, 0.4]
        );
    }

    #[test]
    fn a_menu_of_short_section_links_is_no_grid_of_cards() {
        // The same page shape as a table-drawn menu of an older site: short links to sections.
        let page = intro_and_links(&[
            ("/", "Home"),
            ("/news", "News"),
            ("/help", "Help"),
            ("/contact", "Contact us"),
        ]);
        assert_eq!(scores_on_a_doubtful_page(&page), [0.8, 0.1, 0.2, 0.1, 0.3]);
    }

    #[test]
    fn each_card_keeps_its_price_and_summary_beside_its_linked_title() {
        let card = |n: u32| {
            format!(
                "<li><a href=/boots/{n}>Trail boot {n}</a><div>$1{n}9</div>\
                 <p>Waterproof leather, a grippy sole.</p></li>"
            )
        };
        let html = format!(
            "<h1>Hiking boots</h1><ul>{}</ul><footer><ul><li><a href=/help>Help</a></li></ul></footer>",
            (1..=5).map(card).collect::<String>()
        );
        let page = segment(&parse_document(&html));
        assert_eq!(page.blocks.len(), 1 + 5 * 3 + 1);
        // The repeated linked group is the titles alone (every third block after the heading).
        let repeats: Vec<bool> = (0..page.blocks.len())
            .map(|i| (1..16).contains(&i) && (i - 1) % 3 == 0)
            .collect();
        let mut scores = vec![0.1; page.blocks.len()];
        keep_listing_cards(&mut scores, &page, &rows(0.95, 0.0, &repeats), 0.4);
        // Every block of the five cards reaches the threshold; the heading and the footer's
        // link, outside any card, keep their scores.
        assert_eq!(scores[0], 0.1);
        assert_eq!(&scores[1..16], &[0.4; 15]);
        assert_eq!(scores[16], 0.1);
    }

    #[test]
    fn a_consent_dialogs_text_does_not_make_a_listing_an_article() {
        // Ten long paragraphs, all in a cookie dialog, then the cards.
        let paragraph = "<p>We and our partners store and access information on a device, such \
                         as cookies, and process personal data such as unique identifiers for \
                         personalised advertising, content measurement and audience research.</p>";
        let html = format!(
            "<div id=\"onetrust-consent-sdk\">{}</div>{}",
            paragraph.repeat(10),
            "<li><a href=/x>A card</a></li>".repeat(4)
        );
        let page = segment(&parse_document(&html));
        assert_eq!(page.blocks.len(), 14);
        let repeats: Vec<bool> = (0..14).map(|i| i >= 10).collect();
        let mut scores = vec![0.1; 14];
        keep_listing_cards(&mut scores, &page, &rows(0.99, 0.0, &repeats), 0.4);
        assert_eq!(&scores[..10], &[0.1; 10]);
        assert_eq!(&scores[10..], &[0.4; 4]);
    }

    #[test]
    fn an_article_the_classifier_takes_for_a_listing_keeps_its_scores() {
        // Ten paragraphs (over 300 prose words) and a repeated group of related links.
        let repeats: Vec<bool> = (0..14).map(|i| i >= 10).collect();
        let mut scores = vec![0.1; 14];
        keep_listing_cards(&mut scores, &page(14, 10), &rows(0.99, 0.0, &repeats), 0.4);
        assert_eq!(scores, vec![0.1; 14]);
    }
}
