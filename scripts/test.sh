#!/usr/bin/env bash
# The whole test suite, on both storage backends: unit tests, the store's
# conformance suite, the black-box HTTP suite, the web app in headless
# Chromium, and the CLI and crash tests.
# PostgreSQL is installed if missing and started by the test harness itself.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-test-deps.sh
# The web app's committed bundle must be what its sources build.
(cd crates/sightline-web && node tools/build.mjs --check)
cargo test --workspace --locked "$@"
