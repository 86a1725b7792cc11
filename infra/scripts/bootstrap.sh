#!/usr/bin/env bash
# Installs what the checks and the Lambda build need: into .venv the Python tools pinned by
# infra/requirements.txt (cfn-lint, SAM CLI, cargo-lambda, the OpenAPI validator and
# schemathesis), the API reference's viewer (infra/scripts/reference.sh), and Debian's
# Chromium for the test that loads that page. Quick when nothing changed: a stamp records
# which requirements the venv was built from.
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v cargo >/dev/null || { echo "bootstrap: cargo is required (https://rustup.rs)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bootstrap: python3 (3.9+) is required" >&2; exit 1; }

infra/scripts/reference.sh

if ! command -v chromium >/dev/null; then
  command -v apt-get >/dev/null || { echo "bootstrap: Chromium is required (the API reference test)" >&2; exit 1; }
  echo "bootstrap: installing Debian's chromium (once)"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

stamp=.venv/.requirements.sha256
wanted=$(sha256sum infra/requirements.txt | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
  exit 0
fi
echo "bootstrap: installing the checks' tools into .venv (once)"
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r infra/requirements.txt
echo "$wanted" > "$stamp"
