//! Baseline: scraper's `Html::parse_document` alone over every page (pages already decoded to
//! text, as the extractor hands them to the parser), to compare `extract` against.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

mod common;

fn parse_only(c: &mut Criterion) {
    let pages = common::load();
    // Decode outside the measurement: this bench is about the parser only.
    let texts: Vec<String> = pages
        .pages
        .iter()
        .filter_map(|(_, bytes)| {
            gleaner::decode::decode(bytes, None, gleaner::decode::DEFAULT_MAX_BYTES)
                .ok()
                .map(|d| d.html)
        })
        .collect();
    let bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
    eprintln!(
        "parse_only: {} pages, {} bytes from {}",
        texts.len(),
        bytes,
        pages.source.display()
    );
    let mut group = c.benchmark_group("parse_only");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function(format!("{}_pages", texts.len()), |b| {
        b.iter(|| {
            let mut nodes = 0usize;
            for text in &texts {
                let document = scraper::Html::parse_document(text);
                nodes += document.tree.nodes().len();
            }
            std::hint::black_box(nodes)
        })
    });
    group.finish();
}

criterion_group!(benches, parse_only);
criterion_main!(benches);
