#!/usr/bin/env bash
# The whole test suite, on both storage backends: unit tests, the store's
# conformance suite, the black-box HTTP suite, the web app in headless
# Chromium, the CLI and crash tests, and a smoke of the fuzz targets.
# PostgreSQL is installed if missing and started by the test harness itself.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
# The web app's committed bundle must be what its sources build.
(cd crates/sightline-web && node tools/build.mjs --check)
cargo test --workspace --locked "$@"
# A smoke of every fuzz target from a fixed seed, two at a time: 25 % of
# the run counts in scripts/fuzz.sh, about 15 s a target (the long run is
# `scripts/fuzz.sh long`, not CI). FUZZ_SMOKE_PERCENT scales it; 0 skips it.
if [ "${FUZZ_SMOKE_PERCENT:-25}" != 0 ]; then
    scripts/fuzz.sh smoke "${FUZZ_SMOKE_PERCENT:-25}"
fi
