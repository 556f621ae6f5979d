//! The whole pipeline, `Extractor::extract_bytes`, over every page: decode, parse, segment,
//! features, model, smoothing and decision. Compare with the `parse_only` bench.
//! The built-in model is used, or the model file in `GLEANER_BENCH_MODEL` if that is set.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

mod common;

fn extract(c: &mut Criterion) {
    let pages = common::load();
    let extractor = common::extractor();
    let ok = pages
        .pages
        .iter()
        .filter(|(_, b)| extractor.extract_bytes(b).is_ok())
        .count();
    eprintln!(
        "extract: {} pages ({} extract without error), {} bytes from {}",
        pages.pages.len(),
        ok,
        pages.total_bytes(),
        pages.source.display()
    );
    let mut group = c.benchmark_group("extract");
    group.sample_size(10);
    group.throughput(Throughput::Bytes(pages.total_bytes()));
    group.bench_function(format!("{}_pages", pages.pages.len()), |b| {
        b.iter(|| {
            let mut chars = 0usize;
            for (_, bytes) in &pages.pages {
                if let Ok(extraction) = extractor.extract_bytes(bytes) {
                    chars += extraction.text().len();
                }
            }
            std::hint::black_box(chars)
        })
    });
    group.finish();
}

criterion_group!(benches, extract);
criterion_main!(benches);
