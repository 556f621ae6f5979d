//! How well the headline model carries over to another source: fits on one labelled set
//! (`clickbait.txt` / `not-clickbait.txt`) and scores another, for a few feature and smoothing
//! settings. Used to pick settings that generalise beyond one dataset's style.
//!
//! `cargo run --release --example clickbait_transfer -- TRAIN_DIR OTHER_DIR [even|odd|all]`
//! (`even`/`odd`: only every other line of OTHER_DIR, so settings can be chosen on one half and
//! reported on the other).

use gleaner::clickbait::{cross_validate, load_headlines, train, Algorithm, TrainParams};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (train_dir, other_dir) = (&args[0], &args[1]);
    let half = args.get(2).map_or("all", String::as_str);
    let data = load_headlines(
        format!("{train_dir}/clickbait.txt"),
        format!("{train_dir}/not-clickbait.txt"),
    )
    .expect("training headlines");
    let other: Vec<(String, bool)> = load_headlines(
        format!("{other_dir}/clickbait.txt"),
        format!("{other_dir}/not-clickbait.txt"),
    )
    .expect("other headlines")
    .into_iter()
    .enumerate()
    .filter(|(i, _)| match half {
        "even" => i % 2 == 0,
        "odd" => i % 2 == 1,
        _ => true,
    })
    .map(|(_, x)| x)
    .collect();

    let grid: Vec<(String, TrainParams)> = settings();
    println!(
        "{:<44} {:>7} {:>7} {:>7} {:>7} {:>7}",
        "setting", "cv_acc", "o_acc", "o_f1", "o_auc", "o_best"
    );
    for (name, params) in grid {
        let cv = if std::env::var_os("CV").is_some() {
            cross_validate(&data, &params, 5, 42)
                .map(|r| r.overall.accuracy())
                .unwrap_or(f64::NAN)
        } else {
            f64::NAN
        };
        let model = train(&data, &params).expect("fit");
        let scored: Vec<(f64, bool)> = other.iter().map(|(t, y)| (model.score(t), *y)).collect();
        let (acc, f1) = at_threshold(&scored, 0.5);
        let best = (1..20)
            .map(|t| at_threshold(&scored, f64::from(t) / 20.0).0)
            .fold(0.0, f64::max);
        println!(
            "{name:<44} {cv:>7.4} {acc:>7.4} {f1:>7.4} {:>7.4} {best:>7.4}",
            auc(&scored)
        );
    }
}

fn settings() -> Vec<(String, TrainParams)> {
    let mut out = Vec::new();
    for alpha in [0.03, 0.1, 0.3, 1.0] {
        for (fname, chars, bigrams, shape) in [
            ("default", (3, 5), true, true),
            ("chars2-4", (2, 4), true, true),
            ("chars3-4", (3, 4), true, true),
            ("no-bigrams", (3, 5), false, true),
            ("no-shape", (3, 5), true, false),
        ] {
            let mut p = TrainParams::new(Algorithm::NaiveBayes);
            p.nb_alpha = alpha;
            p.features.char_ngram_min = chars.0;
            p.features.char_ngram_max = chars.1;
            p.features.word_bigrams = bigrams;
            p.features.shape_features = shape;
            out.push((format!("nb a={alpha} {fname}"), p.clone()));
            if fname == "default" {
                let mut b = p;
                b.features.binary = true;
                out.push((format!("nb a={alpha} binary"), b));
            }
        }
    }
    // The shipped TF-IDF model, then without its case cues, to see what they do elsewhere.
    let tfidf = TrainParams::new(Algorithm::TfidfLogistic);
    out.push(("tfidf (shipped)".into(), tfidf.clone()));
    let mut no_copies = tfidf.clone();
    no_copies.case_copies = false;
    out.push(("tfidf, no sentence-case copies".into(), no_copies));
    let mut no_case = tfidf;
    no_case.case_copies = false;
    no_case.features.case_shape = false;
    out.push(("tfidf, no case token or copies".into(), no_case));
    if std::env::var_os("LR").is_some() {
        for l2 in [0.1, 1.0, 10.0] {
            let mut p = TrainParams::new(Algorithm::LogisticRegression);
            p.lr_l2 = l2;
            out.push((format!("lr l2={l2}"), p));
        }
    }
    out
}

fn at_threshold(scored: &[(f64, bool)], t: f64) -> (f64, f64) {
    let tp = scored.iter().filter(|(s, y)| *s >= t && *y).count() as f64;
    let fp = scored.iter().filter(|(s, y)| *s >= t && !*y).count() as f64;
    let fn_ = scored.iter().filter(|(s, y)| *s < t && *y).count() as f64;
    let tn = scored.len() as f64 - tp - fp - fn_;
    let f1 = if tp > 0.0 {
        2.0 * tp / (2.0 * tp + fp + fn_)
    } else {
        0.0
    };
    ((tp + tn) / scored.len() as f64, f1)
}

fn auc(scored: &[(f64, bool)]) -> f64 {
    let pos: Vec<f64> = scored.iter().filter(|x| x.1).map(|x| x.0).collect();
    let neg: Vec<f64> = scored.iter().filter(|x| !x.1).map(|x| x.0).collect();
    let mut wins = 0.0;
    for p in &pos {
        for n in &neg {
            wins += if p > n {
                1.0
            } else if p == n {
                0.5
            } else {
                0.0
            };
        }
    }
    wins / (pos.len() * neg.len()) as f64
}
