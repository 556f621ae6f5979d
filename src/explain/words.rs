//! Feature columns in plain words: what a column's value says about one block, written so that
//! a reader who never saw the feature schema understands it ("link-dense (72% of its text in
//! links)", "class/id says 'footer'").
//!
//! Every phrase states the block's own value, not a direction: the report groups phrases
//! under "towards keeping" and "towards dropping" by the sign of their push. Hashed columns
//! (opening words, class/id buckets, lexicon words) are named by the words of this block that
//! filled them, found again by hashing the block's own text and class names the way the
//! feature stage does.

use std::collections::HashMap;

use ndarray::ArrayView1;

use crate::features::{content_terms, BlockTerms, FeatureSchema};
use crate::lexicon::Lexicon;
use crate::segment::Block;

/// What naming a block's hashed columns needs besides its row.
pub(super) struct Context<'a> {
    pub block: &'a Block,
    /// The unscaled feature row of the block.
    pub row: ArrayView1<'a, f64>,
    /// Class/id tokens of the page by [`crate::segment::token_hash`].
    pub class_words: &'a HashMap<u64, String>,
    pub lexicon: Option<&'a Lexicon>,
    /// Only tokens of this vocabulary fill the class buckets (all without one).
    pub vocabulary: Option<&'a crate::features::ClassVocabulary>,
}

/// How many buckets the schema has for columns named `prefix.N`.
fn buckets(prefix: &str) -> u64 {
    let names = FeatureSchema::current().names();
    names
        .iter()
        .filter(|n| {
            n.strip_prefix(prefix)
                .and_then(|rest| rest.strip_prefix('.'))
                .is_some_and(|i| i.parse::<u32>().is_ok())
        })
        .count()
        .max(1) as u64
}

fn percent(share: f64) -> String {
    format!("{:.0}%", (share * 100.0).clamp(0.0, 100.0))
}

/// `e^x - 1`, rounded: the count behind a `ln(1 + n)` column.
fn count_of(log: f64) -> u64 {
    (log.exp() - 1.0).max(0.0).round() as u64
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn yes_no(value: f64, yes: &str, no: &str) -> String {
    if value > 0.5 {
        yes.to_string()
    } else {
        no.to_string()
    }
}

/// Who a neighbour column speaks of.
fn neighbour(prefix: &str) -> Option<&'static str> {
    Some(match prefix {
        "text" => "",
        "prev1" => "the block before: ",
        "next1" => "the block after: ",
        "prev2" => "two blocks before: ",
        "next2" => "two blocks after: ",
        _ => return None,
    })
}

/// The block's own text features (and its neighbours', under `who`).
fn text_feature(name: &str, x: f64) -> Option<String> {
    Some(match name {
        "log_words" => plural(count_of(x), "word", "words"),
        "log_chars" => plural(count_of(x), "character", "characters"),
        "link_density" if x >= 0.5 => format!("link-dense ({} of its text in links)", percent(x)),
        "link_density" if x > 0.0 => format!("some links ({} of its text in links)", percent(x)),
        "link_density" => "no links".into(),
        "text_density" => format!("{x:.1} words per 80-character line"),
        "avg_word_length" => format!("words of {:.1} characters on average", x * 10.0),
        "log_avg_sentence_length" => format!("sentences of {} words on average", count_of(x)),
        "punctuation_ratio" => format!("punctuation is {} of its characters", percent(x)),
        "digit_ratio" => format!("digits are {} of its characters", percent(x)),
        "uppercase_ratio" => format!("capitals are {} of its letters", percent(x)),
        "stopword_ratio" if x >= 0.25 => format!(
            "reads like prose ({} of its words are little words like 'the', 'of')",
            percent(x)
        ),
        "stopword_ratio" => format!(
            "not like running prose (only {} of its words are little words like 'the', 'of')",
            percent(x)
        ),
        "ends_with_sentence_punctuation" => {
            yes_no(x, "ends like a sentence", "does not end like a sentence")
        }
        "title_case_ratio" => format!("{} of its words Capitalised", percent(x)),
        "log_links" if count_of(x) == 0 => "no links".into(),
        "log_links" => plural(count_of(x), "link", "links"),
        "all_link" => yes_no(x, "all of it is a link", "not all a link"),
        "comma_ratio" => format!("{x:.2} commas per word"),
        "ends_with_question_or_exclamation" => {
            yes_no(x, "ends with ? or !", "does not end with ? or !")
        }
        "heading" => yes_no(x, "a heading", "not a heading"),
        "inverse_heading_level" if x > 0.0 => format!("a level-{:.0} heading", 1.0 / x),
        "inverse_heading_level" => "not a heading".into(),
        "near_image" => yes_no(x, "right after an image", "not next to an image"),
        "cjk_ratio" => format!("{} of its letters Chinese, Japanese or Korean", percent(x)),
        "starts_with_label_colon" => yes_no(
            x,
            "opens with a label and a colon (like 'Tags:')",
            "does not open with a label and a colon",
        ),
        "log_sentences" => plural(count_of(x), "sentence", "sentences"),
        "quote_ratio" => format!("quotation marks are {} of its characters", percent(x)),
        "short_headline_shape" => yes_no(
            x,
            "short line like a headline teaser",
            "not shaped like a headline",
        ),
        "clickbait" if x > 0.0 => format!("reads like a clickbait headline ({})", percent(x)),
        "clickbait" => "no clickbait headline".into(),
        "caption_shape" => yes_no(
            x,
            "reads like a picture caption (after an image, not a link)",
            "not shaped like a caption",
        ),
        "ends_with_bracketed_credit" => yes_no(
            x,
            "ends with a credit in brackets, like a caption",
            "no credit in brackets at its end",
        ),
        "ends_with_time" => yes_no(
            x,
            "ends with a time or a duration (like a video's length)",
            "does not end with a time",
        ),
        "story_link_density" if x > 0.0 => format!(
            "{} of its text links to other stories' pages (like a teaser or a related-story list)",
            percent(x)
        ),
        "story_link_density" => "no links to other stories' pages".into(),
        _ => return None,
    })
}

fn tag_name(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "p" => "a paragraph (<p>)",
        "div" => "a <div>",
        "li" => "a list item (<li>)",
        "heading" => "a heading element (<h1>–<h6>)",
        "td" => "a table cell",
        "blockquote" => "a quotation (<blockquote>)",
        "pre" => "preformatted text (<pre>)",
        "figcaption" => "a figure caption",
        "dt_dd" => "a definition list item",
        "body" => "text straight in the page body",
        "span" => "an inline element",
        "other" => "an unusual element",
        _ => return None,
    })
}

fn landmark(flag: &str) -> Option<&'static str> {
    Some(match flag {
        "article" => "<article>",
        "main" => "<main>",
        "aside" => "<aside> (a sidebar)",
        "nav" => "<nav> (navigation)",
        "header" => "<header>",
        "footer" => "<footer>",
        "figure" => "a <figure>",
        "list" => "a list",
        "link" => "a link",
        "form" => "a form or button",
        "table" => "a table",
        "blockquote" => "a quotation",
        "pre" => "preformatted text",
        "section" => "a <section>",
        "emphasis" => "emphasis (<em>, <strong>)",
        "time" => "a <time>",
        "heading" => "a heading",
        "menu" => "a menu",
        _ => return None,
    })
}

/// How many enclosing elements have class/id cue words of `kind` (the column is count / 5).
fn cues(x: f64, kind: &str) -> String {
    match (x * 5.0).round() as u64 {
        0 => format!("no element around it has class/id names typical of {kind}"),
        n => format!(
            "{} around it with class/id names typical of {kind}",
            plural(n, "element", "elements")
        ),
    }
}

fn structure(name: &str, x: f64) -> Option<String> {
    Some(match name {
        "depth" => format!("nested {:.0} elements deep", x * 30.0),
        "negative_cues" => cues(x, "page chrome (nav, footer, share, ad…)"),
        "positive_cues" => cues(x, "content (article, post, content…)"),
        "in_form_box" => yes_no(
            x,
            "in a small box with a form (sign-up, search or comment box)",
            "not in a small box with a form",
        ),
        "in_comment_section" => yes_no(x, "inside a comment section", "not in a comment section"),
        "comment_beside_text" => yes_no(
            x,
            "in a comment section beside the page's own text (reader comments)",
            "not in a comment section beside the page's text",
        ),
        "in_consent_box" => yes_no(
            x,
            "inside a cookie or consent dialog",
            "not in a cookie or consent dialog",
        ),
        "comment_section_share" => {
            format!(
                "its comment section holds {} of the page's words",
                percent(x)
            )
        }
        "log_same_path_blocks" if count_of(x * 5.0) <= 1 => {
            "no other block shares its element path".into()
        }
        "log_same_path_blocks" => format!(
            "{} blocks on the page share its element path (a repeated template)",
            count_of(x * 5.0)
        ),
        "same_path_share" => format!("{} of the page's blocks share its element path", percent(x)),
        "in_largest_repeat" => yes_no(
            x,
            "in the page's largest repeated list of links (like cards of a listing)",
            "not in the page's largest repeated list of links",
        ),
        _ => return None,
    })
}

fn container(level: &str, name: &str, x: f64) -> Option<String> {
    let whose = match level {
        "0" => "its own element",
        "1" => "its container",
        "2" => "the container around that",
        "3" => "the outer container",
        _ => return None,
    };
    Some(match name {
        "page_word_share" => format!("{whose} holds {} of the page's words", percent(x)),
        "link_density" => format!("{whose}: {} of its words in links", percent(x)),
        "prose_share" => format!("{whose}: {} of its blocks read like prose", percent(x)),
        "log_blocks" => format!(
            "{whose} holds {}",
            plural(count_of(x * 5.0), "block", "blocks")
        ),
        "block_share" => format!("it is {} of the words of {whose}", percent(x)),
        _ => return None,
    })
}

fn page(name: &str, x: f64) -> Option<String> {
    Some(match name {
        "page_word_share" => format!("{} of the page's words", percent(x)),
        "log_page_words" => format!(
            "the page has {}",
            plural(count_of(x * 10.0), "word", "words")
        ),
        "log_page_blocks" => format!(
            "the page has {}",
            plural(count_of(x * 7.0), "block", "blocks")
        ),
        "page_link_density" => format!("{} of the page's text is links", percent(x)),
        "densest_region_distance" => {
            format!("{} of the page away from its densest text", percent(x))
        }
        "region_density" => format!(
            "the text around it is {} as dense as the page's densest part",
            percent(x)
        ),
        "best_container_credit" => format!(
            "its container scores {} of the likeliest article container",
            percent(x)
        ),
        "in_best_container" => yes_no(
            x,
            "inside the likeliest article container",
            "outside the likeliest article container",
        ),
        "title_overlap_of_block" => format!("{} of its words are in the title", percent(x)),
        "title_overlap_of_title" => format!("it holds {} of the title's words", percent(x)),
        "is_title" => yes_no(x, "it is the page's title", "not the page's title"),
        "relative_position" => format!("{} of the way down the page", percent(x)),
        "relative_char_position" => {
            format!("{} of the page's text comes before it", percent(x))
        }
        "same_container_as_prev" => yes_no(
            x,
            "shares its container with the block before",
            "in another container than the block before",
        ),
        "same_container_as_next" => yes_no(
            x,
            "shares its container with the block after",
            "in another container than the block after",
        ),
        _ => return None,
    })
}

/// The page-type columns: a probability, or a page-type group times a block feature.
fn page_type(name: &str, x: f64, context: &Context<'_>) -> Option<String> {
    if let Some((group, feature)) = name.split_once("_x_") {
        let group = match group {
            "cards" => "a listing or collection",
            "forum" => "a forum",
            "product" => "a product page",
            _ => return None,
        };
        let base = match feature {
            "li" => "tag.li".to_string(),
            "negative_cues"
            | "in_comment_section"
            | "comment_beside_text"
            | "same_path_share"
            | "in_largest_repeat" => format!("structure.{feature}"),
            _ => format!("text.{feature}"),
        };
        let column = FeatureSchema::current().column(&base)?;
        let value = context.row[column];
        let described = match base.strip_prefix("tag.") {
            Some(tag) if value <= 0.0 => format!("it is not {}", tag_name(tag)?),
            _ => in_words(&base, value, context)?,
        };
        return Some(format!("on a page like {group}: {described}"));
    }
    if x <= 0.0 {
        return None;
    }
    let kind = match name {
        "documentation" => "documentation".to_string(),
        "service" => "a service page".to_string(),
        "article" => "an article".to_string(),
        other => format!("a {other}"),
    };
    Some(format!("the page looks like {kind} ({})", percent(x)))
}

/// How a text opens, as the feature stage's opening keys read it (by `\w+` tokens): its first
/// word, its first two words, and its whole text when it has at most five words.
fn openings(text: &str) -> [Option<String>; 3] {
    let tokens: Vec<&str> = crate::text::word_tokens(text).take(6).collect();
    [
        tokens.first().map(|w| w.to_string()),
        (tokens.len() >= 2).then(|| tokens[..2].join(" ")),
        (1..=5).contains(&tokens.len()).then(|| tokens.join(" ")),
    ]
}

/// The openings of the block whose hashes land in bucket `bucket` of `buckets`.
fn openings_in(text: &str, terms: &BlockTerms, bucket: u64, buckets: u64) -> Vec<String> {
    terms
        .leads
        .iter()
        .zip(openings(text))
        .filter_map(|(key, words)| {
            key.filter(|key| key % buckets == bucket)
                .and(words.filter(|w| !w.is_empty()))
        })
        .collect()
}

/// The class/id words of the block (near: its element and close ancestors; else further
/// ancestors) that land in `bucket`.
fn class_words_in(context: &Context<'_>, near: bool, bucket: u64, buckets: u64) -> Vec<String> {
    let tokens = if near {
        &context.block.near_tokens
    } else {
        &context.block.far_tokens
    };
    let mut words: Vec<String> = tokens
        .iter()
        .filter(|&&t| t % buckets == bucket)
        .filter(|&&t| context.vocabulary.is_none_or(|v| v.contains(t)))
        .filter_map(|t| context.class_words.get(t).cloned())
        .collect();
    words.sort();
    words.dedup();
    words
}

fn quoted(words: &[String]) -> String {
    words
        .iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The block's words that the lexicon weighs most as chrome, strongest first.
pub(super) fn chrome_words(text: &str, lexicon: &Lexicon, count: usize) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut weighted: Vec<(f64, String)> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3)
        .map(str::to_lowercase)
        .filter(|w| seen.insert(w.clone()))
        .filter_map(|w| {
            let terms = BlockTerms {
                words: content_terms(&w).words,
                leads: [None; 3],
            };
            let weight = lexicon.evidence(&terms)[1];
            (weight > 0.0).then_some((weight, w))
        })
        .collect();
    weighted.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    weighted.into_iter().take(count).map(|(_, w)| w).collect()
}

fn lexical(name: &str, x: f64, context: &Context<'_>) -> Option<String> {
    let text = &context.block.text;
    let words = context
        .lexicon
        .map(|l| chrome_words(text, l, 3))
        .unwrap_or_default();
    Some(match name {
        "noise_evidence" if x > 0.0 && !words.is_empty() => format!(
            "its words are more common in page chrome than in articles ({})",
            quoted(&words)
        ),
        "noise_evidence" if x > 0.0 => {
            "its words are more common in page chrome than in articles".into()
        }
        "noise_evidence" => "its words are more common in articles than in page chrome".into(),
        "strongest_noise_word" if x > 0.0 && !words.is_empty() => {
            format!("the word '{}' usually belongs to page chrome", words[0])
        }
        "strongest_noise_word" => "none of its words is typical of page chrome".into(),
        "lead_noise" if x > 0.0 => match openings(text)[0].as_ref() {
            Some(first) => format!("opens like a line of chrome ('{first}…')"),
            None => "opens like a line of chrome".into(),
        },
        "lead_noise" => "its opening words are not typical of chrome".into(),
        _ => return None,
    })
}

/// The feature column `feature` with value `x` (unscaled) in words, or `None` when it says
/// nothing worth showing (an empty hashed bucket, a tag the block does not have).
pub(super) fn in_words(feature: &str, x: f64, context: &Context<'_>) -> Option<String> {
    let (prefix, name) = feature.split_once('.')?;
    if let Some(who) = neighbour(prefix) {
        if !who.is_empty() && name == "log_words" && x <= 0.0 {
            // Blocks have words: a neighbour without any is past the page's edge.
            return Some(format!("{who}none (the page's edge)"));
        }
        return text_feature(name, x).map(|words| format!("{who}{words}"));
    }
    match prefix {
        "lead" if x > 0.0 => {
            let bucket = name.parse::<u64>().ok()?;
            let terms = content_terms(&context.block.text);
            let found = openings_in(&context.block.text, &terms, bucket, buckets("lead"));
            Some(match found.first() {
                Some(words) => format!("opens with '{words}'"),
                None => "its opening words".into(),
            })
        }
        "near_class" | "far_class" if x > 0.0 => {
            let bucket = name.parse::<u64>().ok()?;
            let near = prefix == "near_class";
            let words = class_words_in(context, near, bucket, buckets(prefix));
            let whose = if near {
                "class/id"
            } else {
                "an outer element's class/id"
            };
            Some(if words.is_empty() {
                format!("{whose} names")
            } else {
                format!("{whose} says {}", quoted(&words))
            })
        }
        "tag" if x > 0.0 => tag_name(name).map(|t| format!("it is {t}")),
        "inside" => {
            let place = landmark(name)?;
            Some(if x > 0.0 {
                format!("inside {place}")
            } else {
                format!("not inside {place}")
            })
        }
        "structure" => structure(name, x),
        "page" => page(name, x),
        "page_type" => page_type(name, x, context),
        "lexical" => lexical(name, x, context),
        _ if prefix.starts_with("container") => container(&prefix["container".len()..], name, x),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str) -> Block {
        crate::extract::segment_html(&format!("<p>{text}</p>"))
            .blocks
            .remove(0)
    }

    fn words_for(feature: &str, x: f64, text: &str) -> Option<String> {
        let block = block(text);
        let row = ndarray::Array1::<f64>::zeros(FeatureSchema::current().len());
        let class_words = HashMap::new();
        let context = Context {
            block: &block,
            row: row.view(),
            class_words: &class_words,
            lexicon: None,
            vocabulary: None,
        };
        in_words(feature, x, &context)
    }

    #[test]
    fn every_column_of_the_schema_has_words_for_a_set_value() {
        for name in FeatureSchema::current().names() {
            let said = words_for(name, 1.0, "Read more about the storm");
            assert!(said.is_some_and(|s| !s.is_empty()), "{name} has no words");
        }
    }

    #[test]
    fn values_are_stated_in_units_a_reader_knows() {
        let words = words_for("text.link_density", 0.72, "x").unwrap();
        assert_eq!(words, "link-dense (72% of its text in links)");
        let count = words_for("prev1.log_words", (1.0f64 + 12.0).ln(), "x").unwrap();
        assert_eq!(count, "the block before: 12 words");
        assert_eq!(
            words_for("inside.footer", 1.0, "x").unwrap(),
            "inside <footer>"
        );
    }

    #[test]
    fn an_opening_bucket_is_named_by_the_block_s_own_words() {
        let text = "Read more: the storm";
        let terms = content_terms(text);
        let bucket = terms.leads[1].unwrap() % buckets("lead");
        let said = words_for(&format!("lead.{bucket}"), 1.0, text).unwrap();
        assert!(said.starts_with("opens with '"), "{said}");
        assert!(said.contains("Read"), "{said}");
    }
}
