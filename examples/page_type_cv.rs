//! Cross-validates the page-type classifier alone on a set of typed pages (WCXB's
//! ground-truth records), folds grouped by host, and prints accuracy and the confusion matrix.
//!
//! ```sh
//! cargo run --release --example page_type_cv -- ../shared/data/wcxb-dev [FOLDS] [ALPHA]
//! ```
//!
//! With `OOF=FILE` it also writes each page's out-of-fold type probabilities as JSONL
//! (`{"path", "probabilities": {type: p}}`), for simulating type-dependent rules on
//! cross-validated block scores (`gleaner train --cv-blocks`). `MAXIT=N` sets the fit's
//! iteration limit (to check that it converged), `SHOW=1` prints each wrong page and its URL.

use gleaner::dataset::Dataset;
use gleaner::page_type::{most_likely, page_signals, PageType, PageTypeModel, PageTypeParams};
use rayon::prelude::*;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args
        .get(1)
        .expect("usage: page_type_cv DIR [FOLDS] [ALPHA]");
    let folds: usize = args
        .get(2)
        .map_or(5, |f| f.parse().expect("FOLDS is a number"));
    let alpha: f64 = args.get(3).map_or(PageTypeParams::default().alpha, |a| {
        a.parse().expect("ALPHA is a number")
    });
    let sets = Dataset::discover(std::path::Path::new(dir)).expect("a labelled set");
    let pages: Vec<_> = sets
        .iter()
        .flat_map(|s| s.pages.iter())
        .filter(|p| p.page_type.is_some())
        .collect();
    let rows: Vec<(Vec<f64>, PageType, String, String)> = pages
        .par_iter()
        .filter_map(|p| {
            let bytes = std::fs::read(&p.path).ok()?;
            let html = gleaner::decode::decode(&bytes, None, gleaner::decode::DEFAULT_MAX_BYTES)
                .ok()?
                .html;
            let page = gleaner::extract::segment_html(&html);
            Some((
                page_signals(&page, p.url.as_deref()),
                p.page_type?,
                p.host().unwrap_or_default(),
                p.path.display().to_string(),
            ))
        })
        .collect();
    let pages_url: Vec<String> = pages
        .iter()
        .map(|p| p.url.clone().unwrap_or_default())
        .collect();
    let keys: Vec<u64> = rows
        .iter()
        .map(|r| gleaner::text::fnv1a(r.2.as_bytes()))
        .collect();
    let params = PageTypeParams {
        alpha,
        max_iterations: std::env::var("MAXIT")
            .ok()
            .and_then(|m| m.parse().ok())
            .unwrap_or(PageTypeParams::default().max_iterations),
    };
    let mut confusion = [[0usize; 7]; 7];
    let mut oof = Vec::new();
    for held_out in gleaner::train::folds(&keys, folds, 42) {
        let (train_rows, train_types): (Vec<Vec<f64>>, Vec<PageType>) = (0..rows.len())
            .filter(|i| !held_out.contains(i))
            .map(|i| (rows[i].0.clone(), rows[i].1))
            .unzip();
        if std::env::var("FOREST").is_ok() {
            use linfa::prelude::*;
            use rand::SeedableRng;
            let x = ndarray::Array2::from_shape_vec(
                (train_rows.len(), train_rows[0].len()),
                train_rows.concat(),
            )
            .unwrap();
            let y = ndarray::Array1::from_iter(train_types.iter().map(|t| t.index()));
            let trees: usize = std::env::var("FOREST").unwrap().parse().unwrap_or(100);
            let forest = linfa_ensemble::EnsembleLearnerParams::new_fixed_rng(
                linfa_trees::DecisionTree::params()
                    .max_depth(Some(12))
                    .min_weight_leaf(2.0),
                rand::rngs::SmallRng::seed_from_u64(7),
            )
            .ensemble_size(trees)
            .bootstrap_proportion(0.7)
            .feature_proportion(0.3)
            .fit(&linfa::Dataset::new(x, y))
            .unwrap();
            let test: Vec<Vec<f64>> = held_out.iter().map(|&i| rows[i].0.clone()).collect();
            let tx = ndarray::Array2::from_shape_vec((test.len(), test[0].len()), test.concat())
                .unwrap();
            let predicted = forest.predict(&tx);
            for (k, &i) in held_out.iter().enumerate() {
                confusion[rows[i].1.index()][predicted[k]] += 1;
            }
            continue;
        }
        let model = PageTypeModel::fit(&train_rows, &train_types, &params).expect("fits");
        for &i in &held_out {
            let probabilities = model.probabilities(&rows[i].0);
            let by_type: serde_json::Map<String, serde_json::Value> = PageType::ALL
                .iter()
                .map(|t| (t.as_str().to_string(), probabilities[t.index()].into()))
                .collect();
            oof.push(serde_json::json!({"path": rows[i].3, "probabilities": by_type}));
            let predicted = most_likely(&probabilities);
            confusion[rows[i].1.index()][predicted.index()] += 1;
            if std::env::var("SHOW").is_ok() && predicted != rows[i].1 {
                eprintln!("{}\t{}\t{}", rows[i].1, predicted, pages_url[i]);
            }
        }
    }
    if let Ok(path) = std::env::var("OOF") {
        let lines: Vec<String> = oof.iter().map(|v| v.to_string()).collect();
        std::fs::write(&path, lines.join("\n") + "\n").expect("OOF file written");
    }
    let right: usize = (0..7).map(|i| confusion[i][i]).sum();
    println!(
        "{} pages, {folds}-fold grouped by host, alpha {alpha}: accuracy {:.4}",
        rows.len(),
        right as f64 / rows.len() as f64
    );
    print!("{:>14}", "true \\ pred");
    for t in PageType::ALL {
        print!("{:>8}", &t.as_str()[..t.as_str().len().min(7)]);
    }
    println!();
    for t in PageType::ALL {
        print!("{:>14}", t.as_str());
        for count in confusion[t.index()] {
            print!("{count:>8}");
        }
        println!();
    }
}
