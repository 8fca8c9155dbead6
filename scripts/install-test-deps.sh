#!/usr/bin/env bash
# Installs the system packages the test suite runs against: PostgreSQL 15
# (the harness starts its own throwaway cluster as the postgres user).
# Safe to run repeatedly; installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    need+=(postgresql)
fi
command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
# Export tests read PDFs back as text.
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
# The web app's browser suite: Debian's Chromium (never a downloaded
# browser), driven by playwright-core under Node.
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs)
command -v npm >/dev/null 2>&1 || need+=(npm)
# The fuzz targets (scripts/fuzz.sh): libfuzzer-sys compiles libFuzzer, C++.
command -v c++ >/dev/null 2>&1 || need+=(g++)

if [ ${#need[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    echo "installing: ${need[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
# Debian's package starts a cluster of its own; the tests do not use it.
# The SMTP server the alert tests deliver to (sightline-testkit::SmtpServer).
if ! python3 -c "import aiosmtpd" >/dev/null 2>&1; then
    echo "installing: aiosmtpd"
    python3 -m pip install --quiet aiosmtpd 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages aiosmtpd 2>/dev/null \
        || { SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"; \
             DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-aiosmtpd; }
fi
# Export tests open the .xlsx with a real reader.
if ! python3 -c "import openpyxl" >/dev/null 2>&1; then
    echo "installing: openpyxl"
    python3 -m pip install --quiet openpyxl 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages openpyxl
fi
# The browser suite's npm packages (playwright-core, axe-core, esbuild),
# exactly as the lockfile pins them. playwright-core downloads no browser.
if ! cmp -s crates/sightline-web/package-lock.json crates/sightline-web/node_modules/.sightline-lock 2>/dev/null; then
    echo "installing: npm packages for crates/sightline-web"
    (cd crates/sightline-web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
    cp crates/sightline-web/package-lock.json crates/sightline-web/node_modules/.sightline-lock
fi
# The OCR models (PP-OCRv6 ONNX from the pinned rapidocr wheel on PyPI):
# the OCR tests and the browser suite's "Read plate from photo" run them.
scripts/fetch-ocr-models.sh
