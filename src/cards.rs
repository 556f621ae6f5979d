//! Keeping a listing's cards: the last adjustment of the final scores, before the threshold.
//!
//! On a listing or collection page the cards *are* the content (main-content rule), but each
//! card is a short line that is all link, which on the far more common article pages is what
//! a related-stories list or a menu looks like. The block model sees the page type among its
//! features, yet card-shaped lines carry so much "noise" evidence that many listings lose most
//! of their cards. So when the page-type classifier is sure the page is a listing or a
//! collection, the page's largest group of repeated linked blocks outside navigation, header
//! and footer (the `structure.in_largest_repeat` feature: the card grid) is kept whole.
//!
//! Data flow: the feature rows (page-type probabilities and the repeat flag are columns of
//! them) and the final scores in, the same scores out with the cards raised to the threshold.
//! Extraction ([`crate::Extractor::score_page`], before an adapter's correction) and
//! cross-validation in training apply it alike.
//!
//! ```
//! use gleaner::cards::keep_listing_cards;
//! use gleaner::features::FeatureSchema;
//!
//! let schema = FeatureSchema::current();
//! let mut rows = ndarray::Array2::zeros((2, schema.len()));
//! let listing = schema.column("page_type.listing").unwrap();
//! let repeat = schema.column("structure.in_largest_repeat").unwrap();
//! rows.column_mut(listing).fill(0.95);
//! rows[[1, repeat]] = 1.0;
//! let mut scores = vec![0.9, 0.1];
//! keep_listing_cards(&mut scores, &rows, 0.5);
//! assert_eq!(scores, vec![0.9, 0.5]); // the card now reaches the threshold
//! ```

use ndarray::Array2;

use crate::features::FeatureSchema;

/// How sure the page-type classifier must be that the page is a listing or a collection (the
/// two probabilities summed). Cross-validated on wcxb-dev (out-of-fold page types and block
/// scores), 0.9 raised listings and collections most without costing any other type; lower
/// cut-offs let the rule reach articles the classifier half-took for listings, whose largest
/// repeated group is a related-stories list.
pub const LISTING_CERTAINTY: f64 = 0.9;

/// Raises to `threshold` the score of every block in the page's largest repeated group when
/// the page is surely a listing or a collection (see the module comment); other pages' scores
/// are left as they are.
pub fn keep_listing_cards(scores: &mut [f64], features: &Array2<f64>, threshold: f64) {
    let schema = FeatureSchema::current();
    let column = |name: &str| schema.column(name).expect("the schema names this feature");
    if features.nrows() == 0 || features.ncols() != schema.len() {
        return;
    }
    let listing =
        features[[0, column("page_type.listing")]] + features[[0, column("page_type.collection")]];
    if listing < LISTING_CERTAINTY {
        return;
    }
    let repeat = column("structure.in_largest_repeat");
    for (score, row) in scores.iter_mut().zip(features.rows()) {
        if row[repeat] > 0.0 && *score < threshold {
            *score = threshold;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            &rows(0.5, 0.45, &[false, true, true, false]),
            0.4,
        );
        assert_eq!(scores, vec![0.8, 0.4, 0.4, 0.2]);
    }

    #[test]
    fn an_article_or_a_doubtful_listing_is_left_alone() {
        for (listing, collection) in [(0.0, 0.0), (0.6, 0.2)] {
            let mut scores = vec![0.8, 0.1];
            keep_listing_cards(&mut scores, &rows(listing, collection, &[true, true]), 0.4);
            assert_eq!(scores, vec![0.8, 0.1]);
        }
    }
}
