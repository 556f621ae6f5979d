//! Fuzz target: the whole pipeline from raw bytes, as `gleaner extract` and `gleaner batch`
//! run it. Any panic, abort, timeout or out-of-memory is a bug; errors are fine.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

fn extractor() -> &'static gleaner::Extractor {
    static EXTRACTOR: OnceLock<gleaner::Extractor> = OnceLock::new();
    EXTRACTOR.get_or_init(|| gleaner::Extractor::with_default_model().expect("default model"))
}

fuzz_target!(|data: &[u8]| {
    if let Ok(extraction) = extractor().extract_bytes(data) {
        // Rendering must not panic either, and content text always comes from the blocks.
        let text = extraction.text();
        for block in extraction.blocks.iter().filter(|b| b.label.is_content()) {
            assert!(text.contains(block.block.text.as_str()));
        }
        let record = gleaner::render::Record::from_extraction(&extraction, true);
        let _ = record.to_json_line();
    }
});
