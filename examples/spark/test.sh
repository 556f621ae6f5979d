#!/usr/bin/env bash
# Runs the Spark job and a local `gleaner batch` on the same JSON Lines and checks that both
# give the same records (matched by "url"; "path" differs: Spark numbers lines per partition).
#
#   examples/spark/test.sh [PAGES_DIR]   # default: the repository's training-data/pages
#
# PAGES_DIR's *.html/*.htm files become {"url", "html"} lines, plus a few broken pages (empty,
# binary junk, deep nesting). Same environment as run.sh, and GLEANER_MODEL: a model file
# both runs use instead of the built-in one. Exit status 0 when equal.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pages=${1:-$root/training-data/pages}
venv=${SPARK_VENV:-/work/spark-venv}

if [[ -z ${GLEANER:-} ]]; then
    target=${CARGO_TARGET_DIR:-$root/target}
    [[ $target = /* ]] || target=$root/$target
    (cd "$root" && cargo build --release --quiet --bin gleaner)
    export GLEANER=$target/release/gleaner
fi

model_args=()
if [[ -n ${GLEANER_MODEL:-} ]]; then
    model_args=(--model "$GLEANER_MODEL")
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$pages" "$work/pages.jsonl" <<'PY'
import json, pathlib, sys
pages, out = pathlib.Path(sys.argv[1]), sys.argv[2]
files = sorted(p for p in pages.rglob("*") if p.is_file() and p.suffix.lower() in (".html", ".htm"))
if not files:
    sys.exit(f"no .html pages under {pages}")
with open(out, "w", encoding="utf-8") as f:
    for p in files:
        # Pages that are not UTF-8 are passed on with replacement characters: JSON strings
        # are Unicode, so a JSONL producer has to decode somehow.
        html = p.read_bytes().decode("utf-8", errors="replace")
        f.write(json.dumps({"url": "https://example.org/" + p.relative_to(pages).as_posix(), "html": html}) + "\n")
    f.write(json.dumps({"url": "https://example.org/broken/empty", "html": ""}) + "\n")
    f.write(json.dumps({"url": "https://example.org/broken/junk", "html": "\x00\x01\x02\x03" * 500}) + "\n")
    f.write(json.dumps({"url": "https://example.org/broken/deep", "html": "<div>" * 2000 + "<p>deep text at the bottom of the page</p>"}) + "\n")
print(f"test.sh: {len(files) + 3} input lines from {pages}", file=sys.stderr)
PY

"$here/run.sh" "$work/pages.jsonl" "$work/spark-out" --partitions 4 "${model_args[@]}"
cat "$work"/spark-out/part-* > "$work/spark.jsonl"
"$GLEANER" batch --input-format jsonl - --output - --jobs 2 --no-progress "${model_args[@]}" \
    < "$work/pages.jsonl" > "$work/local.jsonl"

"$venv/bin/python" - "$work/pages.jsonl" "$work/spark.jsonl" "$work/local.jsonl" <<'PY'
import json, sys
inputs = [json.loads(l)["url"] for l in open(sys.argv[1], encoding="utf-8")]

def records(path):
    by_url = {}
    for line in open(path, encoding="utf-8"):
        record = json.loads(line)
        url = record.get("url")
        assert url, f"record without url in {path}: {line[:200]}"
        assert url not in by_url, f"duplicate record for {url} in {path}"
        assert record["path"].startswith("-:"), record["path"]
        record.pop("path")
        by_url[url] = record
    return by_url

spark, local = records(sys.argv[2]), records(sys.argv[3])
failed = 0
for name, got in (("spark", spark), ("local", local)):
    missing = set(inputs) - set(got)
    if missing or len(got) != len(inputs):
        print(f"FAIL {name}: {len(got)} records for {len(inputs)} inputs; missing {sorted(missing)[:5]}")
        failed += 1
for url in inputs:
    if url in spark and url in local and spark[url] != local[url]:
        print(f"FAIL {url}: spark and local records differ:\n  {spark[url]}\n  {local[url]}")
        failed += 1
texts = sum(1 for r in local.values() if r.get("text"))
errors = sum(1 for r in local.values() if r.get("error"))
for url in ("https://example.org/broken/empty", "https://example.org/broken/junk"):
    if not local.get(url, {}).get("error"):
        print(f"FAIL {url}: expected an error record, got {local.get(url)}")
        failed += 1
if not texts:
    print("FAIL: no record has text")
    failed += 1
print(f"spark vs local: {len(inputs)} pages, {texts} with text, {errors} errors")
print(f"{1 if failed == 0 else 0} passed, {1 if failed else 0} failed")
sys.exit(1 if failed else 0)
PY
