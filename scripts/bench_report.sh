#!/usr/bin/env bash
# bench_report.sh: the lineage/baseline ratios of one scripts/bench.sh run, as a table and a chart.
#   scripts/bench_report.sh [RESULTS_DIR [CHART]]
# Reads RESULTS_DIR/<binary>.json (Google Benchmark JSON files, bench.sh writes them to
# build/release/bench-results), computes every ratio that benchmarks/ratios.tsv names (median
# against median, time ratios: lower is better), writes RESULTS_DIR/ratios.md (a Markdown
# table for the README) and RESULTS_DIR/ratios.dat, and draws CHART (default
# docs/benchmark-ratios.svg) with gnuplot. A ratio whose cases are missing from the run is
# listed as missing, never invented.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
results=${1:-build/release/bench-results}
chart=${2:-docs/benchmark-ratios.svg}
[ -d "$results" ] || { echo "bench_report.sh: no results folder $results" >&2; exit 1; }

awk -F'\t' -v dir="$results" -v dat="$results/ratios.dat" '
  function to_ns(value, unit) {
    if (unit == "ms") return value * 1e6
    if (unit == "us") return value * 1e3
    if (unit == "s") return value * 1e9
    return value
  }
  # The medians of one binary, by case name without /real_time and /iterations:N. Google
  # Benchmark writes one "key": value per line, each case an object of its own.
  function load(bin,   file, line, key, val, name, agg, rt, ct, unit) {
    if (bin in loaded) return
    loaded[bin] = 1
    file = dir "/" bin ".json"
    while ((getline line < file) > 0) {
      if (line ~ /^[ \t]*"[A-Za-z_]+": /) {
        key = line
        sub(/^[ \t]*"/, "", key)
        sub(/".*/, "", key)
        val = line
        sub(/^[^:]*: */, "", val)
        sub(/,[ \t]*$/, "", val)
        gsub(/"/, "", val)
        if (key == "name") name = val
        else if (key == "aggregate_name") agg = val
        else if (key == "real_time") rt = val
        else if (key == "cpu_time") ct = val
        else if (key == "time_unit") unit = val
      } else if (line ~ /^[ \t]*}/) {
        if (name != "" && agg == "median") {
          sub(/_median$/, "", name)
          gsub(/\/(real_time|iterations:[0-9]+)/, "", name)
          real[bin, name] = to_ns(rt, unit)
          cpu[bin, name] = to_ns(ct, unit)
        }
        name = ""; agg = ""; rt = ""; ct = ""; unit = ""
      }
    }
    close(file)
  }
  BEGIN {
    print "| ratio (time, lower is better) | lineage / baseline | target |"
    print "|---|---|---|"
    printf "" > dat
  }
  /^#/ || NF < 6 { next }
  {
    bin = $1; lin = $2; base = $3; column = $4; target = $5; label = $6
    load(bin)
    if (column == "cpu") { a = cpu[bin, lin]; b = cpu[bin, base] } else { a = real[bin, lin]; b = real[bin, base] }
    if (a == "" || b == "" || b + 0 == 0) {
      md_label = label
      gsub(/\|/, "\\|", md_label)
      printf "| %s | missing from this run | %s |\n", md_label, target
      next
    }
    md_label = label
    gsub(/\|/, "\\|", md_label)  # a pipe would end the Markdown cell
    ratio = a / b
    verdict = ""
    if (target != "-") verdict = (ratio <= target + 0 ? " ✅" : " ❌")
    printf "| %s | %.2f | %s%s |\n", md_label, ratio, (target == "-" ? "" : "≤ " target), verdict
    printf "%.4f\t%s\t\"%s\"\n", ratio, (target == "-" ? "NaN" : target), label >> dat
  }
' benchmarks/ratios.tsv > "$results/ratios.md"
cat "$results/ratios.md"

if [ ! -s "$results/ratios.dat" ]; then
  echo "bench_report.sh: no ratio could be computed from $results" >&2
  exit 1
fi
if ! command -v gnuplot >/dev/null 2>&1; then
  echo "bench_report.sh: gnuplot is not installed (Debian: gnuplot-nox); no chart drawn" >&2
  exit 1
fi
mkdir -p "$(dirname "$chart")"
rows=$(wc -l < "$results/ratios.dat")
gnuplot <<GNUPLOT
set terminal svg size 900,$((120 + 22 * rows)) font "sans,11" background rgb "white"
set output "$chart"
set datafile separator "\t"
set termoption noenhanced
set title "lineage / baseline, time ratio (lower is better)"
set yrange [$rows - 0.3:-0.7]
set ytics nomirror
set xrange [0:*]
set xtics nomirror
set grid xtics
set key below
set style fill solid 0.6 noborder
set arrow from 1, graph 0 to 1, graph 1 nohead dashtype 2 lc rgb "#555555"
plot "$results/ratios.dat" using (\$1/2):0:(\$1/2):(0.35):ytic(3) with boxxyerror lc rgb "#4a7ab5" title "ratio", \
     "" using 2:0 with points pt 7 ps 0.8 lc rgb "#c0392b" title "target (issue)"
GNUPLOT
echo "bench_report.sh: chart written to $chart"
