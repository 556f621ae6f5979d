#!/usr/bin/env bash
# Runs gleaner under Spark (local mode) over JSON Lines: see README.md.
#
#   examples/spark/run.sh INPUT.jsonl OUTPUT_DIR [extra gleaner_spark.py options]
#
# Environment:
#   SPARK_VENV   virtualenv with pyspark (default /work/spark-venv; created if missing)
#   SPARK_MASTER Spark master (default local[2])
#   GLEANER      gleaner binary (default: the repository's release build, built if missing)
set -euo pipefail

if [[ $# -lt 2 ]]; then
    sed -n '2,10p' "$0" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${SPARK_VENV:-/work/spark-venv}
master=${SPARK_MASTER:-local[2]}

if [[ ! -x $venv/bin/spark-submit ]]; then
    echo "run.sh: installing pyspark into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet pyspark
fi

if [[ -z ${GLEANER:-} ]]; then
    target=${CARGO_TARGET_DIR:-$root/target}
    [[ $target = /* ]] || target=$root/$target
    (cd "$root" && cargo build --release --quiet --bin gleaner)
    GLEANER=$target/release/gleaner
fi
if ! "$GLEANER" batch --help | grep -q -- --input-format; then
    echo "run.sh: $GLEANER has no 'batch --input-format' (JSONL input); rebuild it" >&2
    exit 1
fi

input=$1
output=$2
shift 2
export PYSPARK_PYTHON=$venv/bin/python
export PYSPARK_DRIVER_PYTHON=$venv/bin/python
# Quiet Spark's console logging; errors still show.
exec "$venv/bin/spark-submit" --master "$master" \
    --conf spark.ui.enabled=false \
    --conf spark.log.level=WARN \
    "$here/gleaner_spark.py" --gleaner "$GLEANER" --input "$input" --output "$output" "$@"
