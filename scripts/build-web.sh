#!/usr/bin/env bash
# Rebuilds the web app's bundle (crates/sightline-web/dist/, which the
# server embeds and which is committed) from its sources and the pinned
# npm packages. `scripts/test.sh` fails if dist/ differs from this build.
set -euo pipefail
cd "$(dirname "$0")/../crates/sightline-web"
PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
cp package-lock.json node_modules/.sightline-lock
node tools/build.mjs
