#!/usr/bin/env bash
# Brings the OCR models (PP-OCRv6 small detection and recognition, ONNX)
# out of the rapidocr wheel on PyPI into models/ocr/. The wheel's version
# and SHA-256 are pinned here, and sightline-ocr checks each model's own
# SHA-256 before loading it. Idempotent: does nothing when both are there.
set -euo pipefail
cd "$(dirname "$0")/.."
WHEEL=rapidocr-3.10.0-py3-none-any.whl
WHEEL_SHA256=2fc34e26cd0f48514804a94f8832283039c7334076bff60768b1fed9ad068050
DIR=models/ocr
MODELS=(PP-OCRv6_det_small.onnx PP-OCRv6_rec_small.onnx)
SUMS=(090f04abcd9d9a7498bc4ebf677e4cb9bdce1fe4197ddb7e529f1ef44e1ff94f
      6f327246b50388f3c176ae304bd95767ea6dc0c9ae92153ef8cbe210b3c14884)

ok=1
for i in 0 1; do
    f="$DIR/${MODELS[$i]}"
    if [ ! -f "$f" ] || [ "$(sha256sum "$f" | cut -d' ' -f1)" != "${SUMS[$i]}" ]; then ok=0; fi
done
[ "$ok" = 1 ] && exit 0

mkdir -p "$DIR"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "fetching the OCR models ($WHEEL from PyPI)" >&2
python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$tmp" "rapidocr==3.10.0"
echo "$WHEEL_SHA256  $tmp/$WHEEL" | sha256sum --check --quiet
for i in 0 1; do
    python3 - "$tmp/$WHEEL" "rapidocr/models/${MODELS[$i]}" "$tmp/${MODELS[$i]}" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[3], "wb") as out:
    out.write(z.read(sys.argv[2]))
PY
    echo "${SUMS[$i]}  $tmp/${MODELS[$i]}" | sha256sum --check --quiet
    mv "$tmp/${MODELS[$i]}" "$DIR/${MODELS[$i]}"
done
echo "OCR models in $DIR" >&2
