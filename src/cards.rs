//! Keeping a listing's cards: an adjustment of the final scores before the threshold (only an
//! adapter's correction comes after it).
//!
//! On a listing or collection page the cards *are* the content (main-content rule), but each
//! card is a short line that is all link, which on the far more common article pages is what
//! a related-stories list or a menu looks like. The block model sees the page type among its
//! features, yet card-shaped lines carry so much "noise" evidence that many listings lose most
//! of their cards. So when the page-type classifier is sure the page is a listing or a
//! collection, and the page has little prose besides (a listing's own text is an intro, an
//! article's is paragraphs), the page's largest group of repeated linked blocks outside
//! navigation, header and footer (the `structure.in_largest_repeat` feature: the card grid) is
//! kept whole.
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

use crate::features::FeatureSchema;
use crate::segment::Page;

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

/// Raises to `threshold` the score of every block in the page's largest repeated group when
/// the page is surely a listing or a collection (see the module comment); other pages' scores
/// are left as they are.
pub fn keep_listing_cards(scores: &mut [f64], page: &Page, features: &Array2<f64>, threshold: f64) {
    let [listing, collection, repeat] = columns();
    if features.nrows() == 0
        || features.ncols() != FeatureSchema::current().len()
        || features.nrows() != page.blocks.len()
    {
        return;
    }
    if features[[0, listing]] + features[[0, collection]] < LISTING_CERTAINTY {
        return;
    }
    let prose_besides: u32 = page
        .blocks
        .iter()
        .zip(features.rows())
        .filter(|(block, row)| {
            row[repeat] <= 0.0 && block.is_prose() && block.consent_box.is_none()
        })
        .map(|(block, _)| block.words)
        .sum();
    if prose_besides >= LISTING_MAX_PROSE_WORDS {
        return;
    }
    for (score, row) in scores.iter_mut().zip(features.rows()) {
        if row[repeat] > 0.0 && *score < threshold {
            *score = threshold;
        }
    }
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
        let page = crate::extract::segment_html(&html);
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
    fn an_article_or_a_doubtful_listing_is_left_alone() {
        for (listing, collection) in [(0.0, 0.0), (0.6, 0.2)] {
            let mut scores = vec![0.8, 0.1];
            keep_listing_cards(
                &mut scores,
                &page(2, 0),
                &rows(listing, collection, &[true, true]),
                0.4,
            );
            assert_eq!(scores, vec![0.8, 0.1]);
        }
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
        let page = crate::extract::segment_html(&html);
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
