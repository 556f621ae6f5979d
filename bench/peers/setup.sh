#!/usr/bin/env bash
# Create the peers venv and install the pinned peer extractors.
# Usage: PEERS_VENV=/path/to/venv bash bench/peers/setup.sh   (default /work/peers-venv)
# Idempotent: does nothing if the venv already has exactly the pinned versions.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENV="${PEERS_VENV:-/work/peers-venv}"
REQ="$HERE/requirements.txt"
PYTHON="${PYTHON:-python3}"

pins_satisfied() {
  [ -x "$VENV/bin/python" ] || return 1
  "$VENV/bin/python" - "$REQ" <<'PY'
import re, sys
from importlib.metadata import version, PackageNotFoundError
ok = True
for line in open(sys.argv[1]):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    name, want = re.split(r"==", line, maxsplit=1)
    try:
        have = version(name.strip())
    except PackageNotFoundError:
        have = None
    if have != want.strip():
        ok = False
sys.exit(0 if ok else 1)
PY
}

if pins_satisfied; then
  echo "peers venv $VENV already has the pinned versions; nothing to do" >&2
  exit 0
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "creating venv $VENV" >&2
  "$PYTHON" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -r "$REQ"
pins_satisfied || { echo "error: installed versions do not match $REQ" >&2; exit 1; }
echo "peers venv ready: $VENV" >&2
"$VENV/bin/python" -m pip freeze >&2
