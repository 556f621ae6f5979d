//! The words of chrome: how much a block's vocabulary says "noise".
//!
//! Layout features cannot tell a newsletter box, an "Advertisement" label or a "Play video"
//! leftover from a short paragraph when they sit in the article's own container with
//! paragraph markup. Their words can: "inbox", "unsubscribe", "advertisement", "correspondent"
//! are far more common in chrome than in articles, in any site's markup. A [`Lexicon`] learns,
//! from labelled blocks, one weight per hashed word — the log ratio of its share of the words
//! of noise blocks and of the words of content blocks — and gives each block three feature
//! columns ([`crate::features::LEXICAL_FEATURES`]): the mean weight of its words, the
//! weight of its most chrome-like word (one "inbox" among ordinary words), and the largest
//! weight of its openings (first word, first two words, whole short text: "picture:",
//! "play video", "more on" open lines of chrome whatever their other words).
//!
//! Words and openings are the [`BlockTerms`] the feature stage already hashes, so the lookup
//! costs one table read per word.
//!
//! Because the columns are learnt from labels, training must not show the classifier values
//! computed from a page's own labels: [`cross_fit`] fills each training page's columns from a
//! lexicon fitted on the other folds' pages.
//!
//! ```
//! use gleaner::features::content_terms;
//! use gleaner::lexicon::{Lexicon, LexiconParams};
//!
//! let mut blocks = Vec::new();
//! for _ in 0..5 {
//!     blocks.push((content_terms("Sign up for our newsletter inbox"), false));
//!     blocks.push((content_terms("The council voted for the new bridge"), true));
//! }
//! let lexicon = Lexicon::fit(blocks.iter().map(|(t, c)| (t, *c)), &LexiconParams::default());
//! assert!(lexicon.noise_evidence(&content_terms("newsletter inbox")) > 0.5);
//! assert!(lexicon.noise_evidence(&content_terms("council bridge")) < -0.5);
//! assert_eq!(lexicon.noise_evidence(&content_terms("unseen words")), 0.0);
//! // "Sign up" opened the noise blocks, "The council" the content ones.
//! assert!(lexicon.evidence(&content_terms("Sign up today"))[2] > 0.5);
//! assert!(lexicon.evidence(&content_terms("The council met"))[2] <= 0.0);
//! ```

use serde::{Deserialize, Serialize};

use crate::features::BlockTerms;

/// Settings of [`Lexicon::fit`], validated apart from fitting.
#[derive(Debug, Clone, PartialEq)]
pub struct LexiconParams {
    /// The table has `2^bucket_bits` weights.
    pub bucket_bits: u8,
    /// Words in fewer labelled blocks than this get no weight: rare words are topical.
    pub min_blocks: u32,
    /// Additive smoothing of the per-class block frequencies.
    pub smoothing: f64,
    /// Weights are clipped to ±this.
    pub max_weight: f64,
}

impl Default for LexiconParams {
    fn default() -> Self {
        LexiconParams {
            bucket_bits: 18,
            min_blocks: 5,
            smoothing: 1.0,
            max_weight: 4.0,
        }
    }
}

impl LexiconParams {
    pub fn validate(&self) -> Result<(), String> {
        if !(8..=24).contains(&self.bucket_bits) {
            return Err(format!(
                "bucket_bits must be in 8..=24, got {}",
                self.bucket_bits
            ));
        }
        if !(self.smoothing.is_finite() && self.smoothing > 0.0) {
            return Err(format!("smoothing must be > 0, got {}", self.smoothing));
        }
        if !(self.max_weight.is_finite() && self.max_weight > 0.0) {
            return Err(format!("max_weight must be > 0, got {}", self.max_weight));
        }
        Ok(())
    }
}

/// Noise weights of hashed words. Stored sparsely (only words seen often enough); a dense
/// table is built on first use.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Lexicon {
    pub bucket_bits: u8,
    /// `(bucket, weight)`, sorted by bucket.
    pub weights: Vec<(u32, f32)>,
    #[serde(skip)]
    table: std::sync::OnceLock<Vec<f32>>,
}

impl Lexicon {
    /// Learns the weights of words and openings from `(a block's terms, block is content)`.
    ///
    /// # Panics
    /// If `params` do not [validate](LexiconParams::validate).
    pub fn fit<'a>(
        blocks: impl IntoIterator<Item = (&'a BlockTerms, bool)>,
        params: &LexiconParams,
    ) -> Lexicon {
        params.validate().expect("valid lexicon parameters");
        let size = 1usize << params.bucket_bits;
        let mut counts = vec![[0u32; 2]; size];
        // Words per class, not blocks: content blocks are longer, so nearly every word is in
        // more content blocks than noise blocks. The share of each class's words is what
        // tells chrome vocabulary apart.
        let mut totals = [0u64; 2];
        for (terms, is_content) in blocks {
            let class = usize::from(is_content);
            let leads = terms.leads.iter().flatten();
            totals[class] += (terms.words.len() + leads.clone().count()) as u64;
            for &term in terms.words.iter().chain(leads) {
                counts[bucket(term, params.bucket_bits)][class] += 1;
            }
        }
        let a = params.smoothing;
        let seen = counts
            .iter()
            .filter(|[noise, content]| noise + content > 0)
            .count() as f64;
        let rate = |count: u32, total: u64| (f64::from(count) + a) / (total as f64 + a * seen);
        let weights = counts
            .iter()
            .enumerate()
            .filter(|(_, [noise, content])| noise + content >= params.min_blocks.max(1))
            .map(|(b, &[noise, content])| {
                let weight = (rate(noise, totals[0]) / rate(content, totals[1])).ln();
                // Three decimals are plenty and keep the model file small.
                let weight =
                    (weight.clamp(-params.max_weight, params.max_weight) * 1000.0).round() / 1000.0;
                (b as u32, weight as f32)
            })
            .filter(|&(_, w)| w != 0.0)
            .collect();
        Lexicon {
            bucket_bits: params.bucket_bits,
            weights,
            table: std::sync::OnceLock::new(),
        }
    }

    /// Whether a loaded lexicon is usable.
    pub fn check(&self) -> Result<(), String> {
        if !(8..=24).contains(&self.bucket_bits) {
            return Err(format!(
                "lexicon bucket_bits {} out of range",
                self.bucket_bits
            ));
        }
        let size = 1u64 << self.bucket_bits;
        if self
            .weights
            .iter()
            .any(|&(b, w)| u64::from(b) >= size || !w.is_finite())
        {
            return Err("lexicon weight outside its table".into());
        }
        Ok(())
    }

    fn table(&self) -> &[f32] {
        self.table.get_or_init(|| {
            let mut table = vec![0.0; 1 << self.bucket_bits];
            for &(b, w) in &self.weights {
                table[b as usize] = w;
            }
            table
        })
    }

    /// The block's noise evidence: the sum of its words' weights over (words + 1), so one
    /// telling word in a one-word line counts for half, and a paragraph needs many.
    pub fn noise_evidence(&self, terms: &BlockTerms) -> f64 {
        self.evidence(terms)[0]
    }

    /// The [`crate::features::LEXICAL_FEATURES`] of a block: its
    /// [noise evidence](Lexicon::noise_evidence), the largest weight among its words, and the
    /// largest weight among its openings (each 0 for a block without any).
    pub fn evidence(&self, terms: &BlockTerms) -> [f64; 3] {
        let table = self.table();
        let weight = |&term: &u64| f64::from(table[bucket(term, self.bucket_bits)]);
        let words = &terms.words;
        let sum: f64 = words.iter().map(weight).sum();
        [
            sum / (words.len() as f64 + 1.0),
            words.iter().map(weight).reduce(f64::max).unwrap_or(0.0),
            terms
                .leads
                .iter()
                .flatten()
                .map(weight)
                .reduce(f64::max)
                .unwrap_or(0.0),
        ]
    }

    /// Writes [`Lexicon::evidence`] into `row` from `column` on.
    pub fn write_evidence(
        &self,
        terms: &BlockTerms,
        mut row: ndarray::ArrayViewMut1<'_, f64>,
        column: usize,
    ) {
        for (i, value) in self.evidence(terms).into_iter().enumerate() {
            row[column + i] = value;
        }
    }
}

fn bucket(word: u64, bits: u8) -> usize {
    // The low bits of FNV-1a mix poorly for short inputs; fold the high half in first.
    ((word ^ (word >> 32)) & ((1u64 << bits) - 1)) as usize
}

/// One page for [`cross_fit`]: its feature rows, each block's terms, each block's label.
pub type LabelledRows<'a> = (
    &'a mut ndarray::Array2<f64>,
    &'a [BlockTerms],
    &'a [Option<crate::Label>],
);

/// Fills the lexical columns (from `column` on) of every page's rows from a lexicon fitted on the pages
/// of the *other* folds (`folds` lists page indices), so no row's value comes from its own
/// page's labels. Pages are `(rows, terms per block, labels per block)`.
pub fn cross_fit(
    pages: &mut [LabelledRows<'_>],
    folds: &[Vec<usize>],
    column: usize,
    params: &LexiconParams,
) {
    let mut fold_of = vec![usize::MAX; pages.len()];
    for (f, members) in folds.iter().enumerate() {
        for &p in members {
            fold_of[p] = f;
        }
    }
    let lexicons: Vec<Lexicon> = (0..folds.len())
        .map(|f| {
            Lexicon::fit(
                pages
                    .iter()
                    .zip(&fold_of)
                    .filter(|(_, &pf)| pf != f)
                    .flat_map(|((_, words, labels), _)| labelled_blocks(words, labels)),
                params,
            )
        })
        .collect();
    for ((rows, words, _), &f) in pages.iter_mut().zip(&fold_of) {
        let Some(lexicon) = lexicons.get(f) else {
            continue;
        };
        for (row, w) in rows.rows_mut().into_iter().zip(words.iter()) {
            lexicon.write_evidence(w, row, column);
        }
    }
}

/// The labelled blocks of one page as `(terms, is content)`.
pub fn labelled_blocks<'a>(
    terms: &'a [BlockTerms],
    labels: &'a [Option<crate::Label>],
) -> impl Iterator<Item = (&'a BlockTerms, bool)> + 'a {
    terms
        .iter()
        .zip(labels)
        .filter_map(|(t, l)| l.map(|l| (t, l.is_content())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(words: &[u64]) -> BlockTerms {
        BlockTerms {
            words: words.to_vec(),
            leads: [None; 3],
        }
    }

    #[test]
    fn rare_words_get_no_weight_and_weights_are_clipped() {
        let (noise_word, content_word, rare) = (terms(&[1]), terms(&[2]), terms(&[3]));
        let mut blocks: Vec<(&BlockTerms, bool)> = Vec::new();
        for _ in 0..200 {
            blocks.push((&noise_word, false));
            blocks.push((&content_word, true));
        }
        blocks.push((&rare, false));
        let lexicon = Lexicon::fit(blocks, &LexiconParams::default());
        assert_eq!(lexicon.noise_evidence(&rare), 0.0);
        let noise = lexicon.noise_evidence(&noise_word);
        assert!(
            (noise - 2.0).abs() < 1e-9,
            "clipped at 4, over 1 + 1 words: {noise}"
        );
        assert!(lexicon.noise_evidence(&content_word) < -1.9);
    }

    #[test]
    fn openings_are_weighed_apart_from_words() {
        let opening = |lead: u64, word: u64| BlockTerms {
            words: vec![word],
            leads: [Some(lead), None, None],
        };
        // The same word opens noise blocks under one lead and content blocks under another.
        let (noise, content) = (opening(10, 5), opening(11, 5));
        let mut blocks: Vec<(&BlockTerms, bool)> = Vec::new();
        for _ in 0..50 {
            blocks.push((&noise, false));
            blocks.push((&content, true));
        }
        let lexicon = Lexicon::fit(blocks, &LexiconParams::default());
        let [mean, strongest, lead] = lexicon.evidence(&noise);
        assert_eq!((mean, strongest), (0.0, 0.0), "the word says nothing");
        assert!(lead > 1.0, "its opening does: {lead}");
        assert!(lexicon.evidence(&content)[2] < -1.0);
        assert_eq!(lexicon.evidence(&terms(&[])), [0.0; 3]);
    }

    #[test]
    fn invalid_params_are_refused_before_fitting() {
        let bad = LexiconParams {
            smoothing: 0.0,
            ..LexiconParams::default()
        };
        assert!(bad.validate().unwrap_err().contains("smoothing"));
        let bad = LexiconParams {
            bucket_bits: 30,
            ..LexiconParams::default()
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn cross_fitting_never_uses_a_page_own_labels() {
        use crate::Label;
        // Word 7 is noise on page 0 and content on page 1 (word 8 the other way round), so
        // each page's value must come from the *other* page's lexicon, which says the opposite
        // of its own labels.
        let words: Vec<BlockTerms> = (0..12)
            .map(|i| terms(&[if i < 6 { 7 } else { 8 }]))
            .collect();
        let labels = |first: Label, second: Label| -> Vec<Option<Label>> {
            (0..12)
                .map(|i| Some(if i < 6 { first } else { second }))
                .collect()
        };
        let (labels0, labels1) = (
            labels(Label::Boilerplate, Label::Content),
            labels(Label::Content, Label::Boilerplate),
        );
        let mut rows0 = ndarray::Array2::zeros((12, 4));
        let mut rows1 = ndarray::Array2::zeros((12, 4));
        let mut pages = vec![
            (&mut rows0, words.as_slice(), labels0.as_slice()),
            (&mut rows1, words.as_slice(), labels1.as_slice()),
        ];
        cross_fit(
            &mut pages,
            &[vec![0], vec![1]],
            1,
            &LexiconParams::default(),
        );
        assert!(rows0[[0, 1]] < 0.0, "page 1 says word 7 is content");
        assert!(rows1[[0, 1]] > 0.0, "page 0 says word 7 is noise");
        assert!(
            rows0[[0, 2]] < 0.0 && rows1[[0, 2]] > 0.0,
            "the strongest word, too"
        );
        assert_eq!(rows0[[0, 0]], 0.0, "other columns untouched");
    }
}
