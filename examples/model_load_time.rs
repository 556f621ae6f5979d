//! Times loading the shipped models (the bar: under 50 ms each).
//! `cargo run --release --example model_load_time`
use std::time::Instant;

fn main() {
    let start = Instant::now();
    let model = gleaner::Model::default_model().expect("the shipped block model loads");
    let block = start.elapsed();
    let start = Instant::now();
    let clickbait =
        gleaner::clickbait::ClickbaitModel::from_json(gleaner::clickbait::DEFAULT_CLICKBAIT_JSON)
            .expect("the shipped clickbait model loads");
    let headline = start.elapsed();
    println!(
        "block model ({} bytes, {}): {:.2} ms; clickbait model ({} bytes): {:.2} ms; score of a test headline {:.3}",
        gleaner::model::DEFAULT_MODEL_JSON.len(),
        model.algorithm,
        block.as_secs_f64() * 1e3,
        gleaner::clickbait::DEFAULT_CLICKBAIT_JSON.len(),
        headline.as_secs_f64() * 1e3,
        clickbait.score("You won't believe what happened next")
    );
}
