#!/usr/bin/env bash
# Adapting the shipped model to a site from a few of its pages, measured on wcxb-dev's sites
# that have five or more pages (by URL host, without a leading www.).
#
#   bench/adapt-sites.sh            # WORK=/tmp/gleaner-adapt GLEANER=target/release/gleaner
#   PAGES=3 MIN_PAGES=5 bench/adapt-sites.sh
#
# 1. One base model is trained (logistic, no cross-validation: several minutes on 2 cores) on
#    the other shared sets, training-data/ and wcxb-dev without any page of those sites, so
#    that no site below was seen by the base. It is kept in $WORK and reused on later runs.
# 2. For each site: its first $PAGES pages (by record id) are the labelled pages a user would
#    have (ground-truth records, read as `gleaner train` reads wcxb-dev); the model is adapted
#    on them with `gleaner train --base`; the site's other pages are scored with WCXB's word
#    F1 (`gleaner eval`), by the base alone and by the adapted model.
# Prints one row per site, the mean of each column and the largest drop.
set -euo pipefail
cd "$(dirname "$0")/.."
gleaner=${GLEANER:-${CARGO_TARGET_DIR:-target}/release/gleaner}
shared=${SHARED:-../shared/data}
work=${WORK:-/tmp/gleaner-adapt}
pages=${PAGES:-3}
min_pages=${MIN_PAGES:-5}
[ -x "$gleaner" ] || cargo build --release --quiet
mkdir -p "$work"
wcxb=$(realpath "$shared/wcxb-dev")

# Sites, their pages (record ids, sorted), and wcxb-dev without them, as symlink trees.
python3 - "$wcxb" "$work" "$min_pages" "$pages" <<'PY'
import json, os, sys
from collections import defaultdict
from urllib.parse import urlsplit
wcxb, work, min_pages, train_pages = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
by_host = defaultdict(list)
for name in sorted(os.listdir(f"{wcxb}/ground-truth")):
    if not name.endswith(".json"):
        continue
    record = json.load(open(f"{wcxb}/ground-truth/{name}"))
    host = (urlsplit((record.get("url") or "").strip()).hostname or "").lower()
    host = host[4:] if host.startswith("www.") else host
    by_host[host].append(name[:-5])
sites = {h: ids for h, ids in by_host.items() if h and len(ids) >= min_pages}
def link_tree(dest, ids):
    os.makedirs(f"{dest}/ground-truth", exist_ok=True)
    os.makedirs(f"{dest}/html", exist_ok=True)
    for i in ids:
        os.symlink(f"{wcxb}/ground-truth/{i}.json", f"{dest}/ground-truth/{i}.json")
        for ext in ("html.gz", "htm.gz", "html", "htm"):
            if os.path.exists(f"{wcxb}/html/{i}.{ext}"):
                os.symlink(f"{wcxb}/html/{i}.{ext}", f"{dest}/html/{i}.{ext}")
                break
import shutil
for d in ("base-data", "sites"):
    shutil.rmtree(f"{work}/{d}", ignore_errors=True)
held = {i for ids in sites.values() for i in ids}
link_tree(f"{work}/base-data/wcxb-dev", [i for ids in by_host.values() for i in ids if i not in held])
with open(f"{work}/sites.txt", "w") as out:
    for host, ids in sorted(sites.items()):
        link_tree(f"{work}/sites/{host}/train", ids[:train_pages])
        link_tree(f"{work}/sites/{host}/test", ids[train_pages:])
        out.write(f"{host} {len(ids)}\n")
PY

base="$work/base.json"
if [ ! -s "$base" ]; then
  echo "training the base model without the sites' pages (several minutes)..." >&2
  "$gleaner" train --data "$shared/trafilatura-dev" "$shared/readability-pages" "$shared/cleaneval" \
    "$work/base-data/wcxb-dev" training-data --algorithm logistic --no-cv --out "$base.tmp" \
    >"$work/base.log" 2>&1
  mv "$base.tmp" "$base"
fi

f1() { # model, data dir: the word F1 of the model's extractions
  "$gleaner" eval --data "$2" --model "$1" | awk 'NR == 1 {print $NF}'
}
printf '%-28s %5s %5s %8s %8s %8s\n' site pages test base adapted change
while read -r host count; do
  adapted="$work/adapted-$host.json"
  "$gleaner" train --data "$work/sites/$host/train" --base "$base" --out "$adapted" \
    >"$work/adapt-$host.log" 2>&1
  b=$(f1 "$base" "$work/sites/$host/test")
  a=$(f1 "$adapted" "$work/sites/$host/test")
  printf '%-28s %5s %5s %8.4f %8.4f %+8.4f\n' "$host" "$count" $((count - pages)) "$b" "$a" \
    "$(echo "$a - $b" | bc -l)"
done <"$work/sites.txt" | tee "$work/table.txt"
awk '{b += $4; a += $5; if ($6 < worst) worst = $6; n++}
     END {printf "mean over %d sites: base %.4f, adapted %.4f; largest drop %+.4f\n", n, b/n, a/n, worst}' \
  "$work/table.txt"
