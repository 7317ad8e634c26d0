#!/usr/bin/env bash
# Rebuilds static/plotly-academy.min.js: plotly.js with only the traces the pages draw.
# Needs Node.js and npm; the result is committed, so the app itself needs neither.
# Keep plotly.js at the version the Python plotly package bundles
# (python -c "from plotly.offline import get_plotlyjs_version as v; print(v())").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
cp "$here/package.json" "$here/package-lock.json" "$here/entry.mjs" "$work/"
cd "$work"
npm ci --no-audit --no-fund --silent
npx esbuild entry.mjs --bundle --minify --format=esm --define:global=window --legal-comments=none \
    --outfile=plotly-academy.min.js
cp plotly-academy.min.js "$here/../../static/plotly-academy.min.js"
cp node_modules/plotly.js/LICENSE "$here/../../static/plotly.js-LICENSE.txt"
rm -rf "$work"
