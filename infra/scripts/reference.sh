#!/usr/bin/env bash
# Installs the API reference page's viewer (Swagger UI, pinned by infra/reference's
# package-lock.json) from the npm registry into infra/reference/node_modules, for the local
# gateway to serve at /api/docs/. Quick when nothing changed. Install scripts are not run:
# the viewer is static files.
set -euo pipefail
cd "$(dirname "$0")/../../infra/reference"

stamp=node_modules/.package-lock.sha256
wanted=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" = "$wanted" ]; then
  exit 0
fi
command -v npm >/dev/null || { echo "reference: npm (Node.js) is required for the API reference page" >&2; exit 1; }
echo "reference: installing the API reference viewer (once)"
npm ci --ignore-scripts --no-audit --no-fund --silent
echo "$wanted" > "$stamp"
