#!/usr/bin/env bash
# Side by side, in one run: `tariffs import --dry-run` of the Writer fixture
# (extraction + parse + validate) against `pdftotext -raw` (poppler) and
# Python's pdfplumber `extract_text` on the same file.
# Installs what it needs (Debian packages poppler-utils and hyperfine; pdfplumber from PyPI).
# Usage: benches/pdf-vs-peers.sh [PDF]
set -euo pipefail
cd "$(dirname "$0")/.."
pdf=${1:-tests/fixtures/pdf/tarifs-kine-2024-01-01.fr.writer.pdf}

need_apt=()
command -v pdftotext >/dev/null || need_apt+=(poppler-utils)
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
python3 -c 'import pdfplumber' 2>/dev/null || pip install -q pdfplumber

cargo build --release --quiet
repo=$(mktemp -d)
trap 'rm -rf "$repo"' EXIT

hyperfine --warmup 3 --runs 20 --export-markdown "$repo/results.md" \
  --command-name "tariffs import --dry-run" "target/release/tariffs import --dry-run --repo $repo $pdf" \
  --command-name "pdftotext -raw" "pdftotext -raw $pdf -" \
  --command-name "pdfplumber extract_text" "python3 -c 'import pdfplumber,sys
with pdfplumber.open(sys.argv[1]) as p: [pg.extract_text() for pg in p.pages]' $pdf"
cat "$repo/results.md"
