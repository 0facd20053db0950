#!/usr/bin/env python3
"""Generate a batch of distinct, valid tariff-table PDFs for benches/batch-vs-pdftotext.sh.

Each PDF is the 2024-01-01 French physiotherapy table
(sources/physiotherapy/2024-01-01-tariff.fr.txt) with
- another effective date, replaced wherever the document states it (title, page headers,
  `Date d'application`, the `à partir du 1 / janvier 2024` header, the preamble's dates),
  document i dated year 2000+i, month 1 + 5i mod 12, day 1;
- other values: every key value M scaled by 0.70 + 0.0125*i (rounded half-up to 6 decimals),
  the fee recomputed as round_half_up(key value × relative value, 2), and both interventions
  moved with it so each row keeps its personal shares (fee − intervention). Travel-indemnity
  rows (no key letter, reimbursed by rate) are kept as they are.
It is rendered one text line per PDF line (Courier 9 pt, landscape A4, 46 lines a page) as
`tarifs-kine-YYYY-MM-DD.fr.pdf`.

Usage: benches/make-batch.py OUT_DIR [-n 24] [--verify target/release/tariffs]
With --verify, every PDF must pass `tariffs import --dry-run` (exit 0) with all rows read.
Needs reportlab (`pip install reportlab`).
"""
import argparse
import calendar
import re
import subprocess
import sys
import tempfile
from decimal import Decimal, ROUND_HALF_UP
from pathlib import Path

try:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas
except ImportError:
    sys.exit("make-batch.py needs reportlab: pip install reportlab")

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "sources/physiotherapy/2024-01-01-tariff.fr.txt"
MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
          "septembre", "octobre", "novembre", "décembre"]

ROW = re.compile(r"^(?P<lead> M = )(?P<key>\d,\d{6}) (?P<amb>\d{6}|-) (?P<hos>\d{6}|-) "
                 r"= M (?P<coef>\d+(?:,\d+)?) (?P<fee>\(\*\)|\d+,\d{2}) "
                 r"(?P<pref>\d+,\d{2}) (?P<std>\d+,\d{2})(?P<tail>\s*)$")
TRAVEL = re.compile(r"^\d,\d{6} \d{6} - 1 \d+,\d{2} \d+,\d{2} \d+,\d{2}\s*$")


def dec(s):
    return Decimal(s.replace(",", "."))


def fmt(d, places):
    return f"{d.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):.{places}f}".replace(".", ",")


def half_up(d, places):
    return d.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


def scale_row(m, factor):
    key, coef = dec(m["key"]), dec(m["coef"])
    pref, std = dec(m["pref"]), dec(m["std"])
    amount = half_up(key * coef, 2)  # the fee, stated or free (*)
    if m["fee"] != "(*)" and dec(m["fee"]) != amount:
        raise ValueError(f"source row breaks fee = key × coefficient: {m.group(0)!r}")
    new_key = half_up(key * factor, 6)
    new_amount = half_up(new_key * coef, 2)
    new_pref = new_amount - (amount - pref)
    new_std = new_amount - (amount - std)
    if new_std < 0 or new_pref < new_std:
        raise ValueError(f"factor {factor} gives a negative intervention: {m.group(0)!r}")
    fee = "(*)" if m["fee"] == "(*)" else fmt(new_amount, 2)
    return (f"{m['lead']}{fmt(new_key, 6)} {m['amb']} {m['hos']} = M {m['coef']} {fee} "
            f"{fmt(new_pref, 2)} {fmt(new_std, 2)}{m['tail']}")


def redate(text, year, month):
    """Every statement of the date (2024-01-01) and the dates around it, moved to year-month-01."""
    prev_y, prev_m = (year - 1, 12) if month == 1 else (year, month - 1)
    next_y, next_m = (year + 1, 1) if month == 12 else (year, month + 1)
    name, prev_name, next_name = MONTHS[month - 1], MONTHS[prev_m - 1], MONTHS[next_m - 1]
    last = calendar.monthrange(year, month)[1]
    subs = [
        ("01-01-2024", f"01-{month:02d}-{year}"),
        ("Le 14 décembre 2023", f"Le 14 {prev_name} {prev_y}"),
        ("pour les années 2024 et 2025", f"pour les années {year} et {year + 1}"),
        ("à partir du 1er février 2024", f"à partir du 1er {next_name} {next_y}"),
        ("fin 2023 restent applicables jusqu’au 31 janvier 2024",
         f"fin {prev_name} {prev_y} restent applicables jusqu’au {last} {name} {year}"),
        ("À partir du 1er janvier 2024", f"À partir du 1er {name} {year}"),
        ("Date d’application : 1er janvier 2024", f"Date d’application : 1er {name} {year}"),
        ("  janvier 2024", f"  {name} {year}"),  # the header's `à partir du 1` / `janvier 2024`
    ]
    rest = text
    for old, _ in subs:
        if old not in rest:
            raise ValueError(f"the source no longer holds {old!r}: update make-batch.py")
        rest = rest.replace(old, "")
    left = re.findall(r"\b202[345]\b", rest)
    if left:
        raise ValueError(f"dates left unreplaced: {left}")
    for old, new in subs:
        text = text.replace(old, new)
    return text


def document(source, i):
    year, month = 2000 + i, 1 + (5 * i) % 12
    factor = Decimal("0.70") + Decimal("0.0125") * i
    lines, rows = [], 0
    for line in redate(source, year, month).split("\n"):
        m = ROW.match(line)
        if m:
            line, rows = scale_row(m, factor), rows + 1
        elif TRAVEL.match(line):
            rows += 1
        lines.append(line)
    return f"{year}-{month:02d}-01", factor, lines, rows


def render(lines, path):
    size = landscape(A4)
    font, points, leading, margin = "Courier", 9, 11, 40
    per_page = int((size[1] - 2 * margin) // leading)
    c = canvas.Canvas(str(path), pagesize=size, invariant=1)
    for start in range(0, len(lines), per_page):
        y = size[1] - margin
        for line in lines[start:start + per_page]:
            c.setFont(font, points)
            if line.strip():
                c.drawString(margin, y, line.rstrip())
            y -= leading
        c.showPage()
    c.save()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("-n", type=int, default=24)
    ap.add_argument("--verify", metavar="TARIFFS", help="check each PDF with `TARIFFS import --dry-run`")
    args = ap.parse_args()
    if not 1 <= args.n <= 48:
        sys.exit("-n: 1 to 48 documents")
    args.out.mkdir(parents=True, exist_ok=True)
    source = SOURCE.read_text(encoding="utf-8")
    made = []
    for i in range(args.n):
        date, factor, lines, rows = document(source, i)
        path = args.out / f"tarifs-kine-{date}.fr.pdf"
        render(lines, path)
        made.append((path, date, factor, rows))
    print(f"{len(made)} PDFs in {args.out}: {made[0][1]} … {made[-1][1]}, "
          f"key values × {made[0][2]} … × {made[-1][2]}, {made[0][3]} rows each")
    if args.verify:
        with tempfile.TemporaryDirectory() as repo:
            for path, date, _, rows in made:
                run = subprocess.run([args.verify, "import", "--dry-run", "--color", "never",
                                      "--repo", repo, str(path)], capture_output=True, text=True)
                want = f"physiotherapy tariff {date}, {rows} rows"
                if run.returncode != 0 or want not in run.stdout:
                    sys.exit(f"{path}: expected exit 0 and “{want}”, got exit {run.returncode}:\n"
                             f"{run.stdout}{run.stderr}")
        print(f"verified: each imports with --dry-run as its own date, {made[0][3]} rows")


if __name__ == "__main__":
    main()
