#!/usr/bin/env bash
# Side by side, in one run: `tariffs import` of a batch of N distinct table PDFs into a new
# data repository (extraction, parse, validation, snapshots and one git commit per document)
# against `pdftotext -raw` (poppler) of the same files, one after another.
# The batch comes from benches/make-batch.py (the 2024 French table with N other dates and
# key values), each PDF checked with `tariffs import --dry-run` first.
# Then the peak memory (max RSS, GNU time) of one batch import and of the pdftotext loop.
# Installs what it needs (Debian packages poppler-utils, hyperfine and time; reportlab from PyPI).
# Usage: benches/batch-vs-pdftotext.sh [N] [RUNS]     (defaults: 24 PDFs, 5 runs)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-24}
runs=${2:-5}

need_apt=()
command -v pdftotext >/dev/null || need_apt+=(poppler-utils)
command -v hyperfine >/dev/null || need_apt+=(hyperfine)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
python3 -c 'import reportlab' 2>/dev/null || pip install -q reportlab

cargo build --release --quiet
tariffs=$PWD/target/release/tariffs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
batch=$work/batch
repo=$work/repo

python3 benches/make-batch.py "$batch" -n "$n" --verify "$tariffs"
echo "machine: $(nproc) cores, $(uname -m); $("$tariffs" --version); $(pdftotext -v 2>&1 | head -1)"

# A new data repository for every run: `git init`, nothing else.
fresh="rm -rf $repo && git init -q $repo"
hyperfine --warmup 1 --runs "$runs" --export-markdown "$work/results.md" \
  --command-name "tariffs import ($n PDFs, $n commits)" \
  --prepare "$fresh" "$tariffs import --color never --repo $repo $batch" \
  --command-name "pdftotext -raw ($n PDFs, one after another)" \
  --prepare "true" "for f in $batch/*.pdf; do pdftotext -raw \"\$f\" -; done >/dev/null"
cat "$work/results.md"

# The last timed import must have written the whole batch: N commits, N snapshots, N sources.
commits=$(git -C "$repo" rev-list --count HEAD)
snapshots=$(find "$repo/parsed" -name '*.yaml' | wc -l)
sources=$(find "$repo/sources" -name '*.pdf' | wc -l)
if [ "$commits" != "$n" ] || [ "$snapshots" != "$n" ] || [ "$sources" != "$n" ]; then
  echo "FAIL: expected $n commits, snapshots and sources; got $commits, $snapshots, $sources" >&2
  exit 1
fi
echo "check: $commits commits, $snapshots snapshots, $sources sources in the data repository"

# Peak memory: max RSS of the whole process tree (GNU time counts the largest process,
# children included: tariffs' extraction workers, git; each pdftotext).
eval "$fresh"
/usr/bin/time -f '%M %e' -o "$work/tariffs.time" "$tariffs" import --color never --repo "$repo" "$batch" >/dev/null
/usr/bin/time -f '%M %e' -o "$work/pdftotext.time" \
  sh -c "for f in $batch/*.pdf; do pdftotext -raw \"\$f\" -; done >/dev/null"
read -r t_rss _ < "$work/tariffs.time"
read -r p_rss _ < "$work/pdftotext.time"
echo "peak RSS: tariffs import $((t_rss / 1024)) MiB ($t_rss KiB), pdftotext loop $((p_rss / 1024)) MiB ($p_rss KiB)"

# Ratio of the mean times, tariffs / pdftotext (target: at most 1.0).
python3 - "$work/results.md" <<'EOF'
import re, sys
means = [float(re.split(r"\s*±", row.split("|")[2])[0])
         for row in open(sys.argv[1]) if row.startswith("| `")]
print(f"time ratio tariffs/pdftotext: {means[0] / means[1]:.2f}× "
      f"({means[0]:.1f} ms / {means[1]:.1f} ms; target ≤ 1.0×)")
EOF
