//! Each stage of the pipeline on its own, over every page, with its input made beforehand by
//! the stages before it: decode, parse (slimming, then html5ever through `scraper`), segment,
//! features (with the page type and the lexicon), first pass, smooth (the smoothing rows and
//! the blended forest), decide. The per-stage counterpart of the `extract` bench; compare the
//! parse stage with the `parse_only` bench, which parses the whole unslimmed page.
//!
//! ```sh
//! GLEANER_BENCH_PAGES=../shared/data/trafilatura-dev/html cargo bench --bench stages
//! ```
//!
//! The built-in model is used, or the model file in `GLEANER_BENCH_MODEL` if that is set.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use gleaner::extract::Scored;

mod common;

fn stages(c: &mut Criterion) {
    let pages = common::load();
    let extractor = common::extractor();
    let model = extractor.model();
    let decode = |raw: &[u8]| {
        gleaner::decode::decode(raw, None, gleaner::decode::DEFAULT_MAX_BYTES)
            .ok()
            .map(|d| d.html)
    };
    // Each stage's input, made once by the stages before it.
    let texts: Vec<String> = pages.pages.iter().filter_map(|(_, b)| decode(b)).collect();
    let parsed: Vec<scraper::Html> = texts
        .iter()
        .map(|t| gleaner::parse::parse_document(t))
        .collect();
    let segmented: Vec<gleaner::segment::Page> =
        parsed.iter().map(gleaner::segment::segment).collect();
    drop(parsed);
    let rows: Vec<_> = segmented.iter().map(|p| model.page_rows(p, None)).collect();
    let first: Vec<Vec<f64>> = rows
        .iter()
        .map(|(features, _, _)| model.first_pass_scores(features))
        .collect();
    let smooth = |page: &gleaner::segment::Page, i: usize| -> Vec<f64> {
        let (features, words, _) = &rows[i];
        match &model.smoother {
            Some(smoother) => smoother.scores(&gleaner::smooth::smoothing_rows_with_words(
                page, features, &first[i], words,
            )),
            None => first[i].clone(),
        }
    };
    let scores: Vec<Vec<f64>> = segmented
        .iter()
        .enumerate()
        .map(|(i, p)| smooth(p, i))
        .collect();
    eprintln!(
        "stages: {} pages ({} decode), {} blocks, from {}",
        pages.pages.len(),
        texts.len(),
        segmented.iter().map(|p| p.blocks.len()).sum::<usize>(),
        pages.source.display()
    );

    let mut group = c.benchmark_group("stages");
    group.sample_size(10);
    group.throughput(Throughput::Elements(pages.pages.len() as u64));
    group.bench_function("decode", |b| {
        b.iter(|| {
            pages
                .pages
                .iter()
                .filter_map(|(_, raw)| decode(raw))
                .count()
        })
    });
    group.bench_function("parse", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| gleaner::parse::parse_document(t).tree.nodes().len())
                .sum::<usize>()
        })
    });
    // The documents are parsed outside the timing (`iter_batched`), a page at a time.
    group.bench_function("segment", |b| {
        b.iter_batched(
            || {
                texts
                    .iter()
                    .map(|t| gleaner::parse::parse_document(t))
                    .collect::<Vec<_>>()
            },
            |documents| {
                documents
                    .iter()
                    .map(|d| gleaner::segment::segment(d).blocks.len())
                    .sum::<usize>()
            },
            BatchSize::PerIteration,
        )
    });
    group.bench_function("features", |b| {
        b.iter(|| {
            segmented
                .iter()
                .map(|p| model.page_rows(p, None).0.nrows())
                .sum::<usize>()
        })
    });
    group.bench_function("first_pass", |b| {
        b.iter(|| {
            rows.iter()
                .map(|(features, _, _)| model.first_pass_scores(features).len())
                .sum::<usize>()
        })
    });
    group.bench_function("smooth", |b| {
        b.iter(|| {
            segmented
                .iter()
                .enumerate()
                .map(|(i, p)| smooth(p, i).len())
                .sum::<usize>()
        })
    });
    group.bench_function("decide", |b| {
        b.iter_batched(
            || {
                segmented
                    .iter()
                    .enumerate()
                    .map(|(i, page)| Scored {
                        page: page.clone(),
                        features: rows[i].0.clone(),
                        first_scores: first[i].clone(),
                        scores: scores[i].clone(),
                        page_type: rows[i].2,
                        reader_comments: gleaner::threads::reader_comments(
                            page,
                            rows[i].2.as_ref(),
                        ),
                    })
                    .collect::<Vec<_>>()
            },
            |scored| {
                scored
                    .into_iter()
                    .map(|s| extractor.decide(s).blocks.len())
                    .sum::<usize>()
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
