#!/usr/bin/env bash
# Installs what the checks and the Lambda build need into .venv (cfn-lint, SAM CLI,
# cargo-lambda), pinned by infra/requirements.txt. Quick when nothing changed: a stamp
# records which requirements the venv was built from.
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v cargo >/dev/null || { echo "bootstrap: cargo is required (https://rustup.rs)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bootstrap: python3 (3.9+) is required" >&2; exit 1; }

stamp=.venv/.requirements.sha256
wanted=$(sha256sum infra/requirements.txt | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
  exit 0
fi
echo "bootstrap: installing the checks' tools into .venv (once)"
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r infra/requirements.txt
echo "$wanted" > "$stamp"
