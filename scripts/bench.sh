#!/usr/bin/env bash
# bench.sh: build every benchmarks/*.cpp in the release tree (g++ -O2) and run each one with
# 5 repetitions, reporting the aggregates (mean, median, stddev, cv); then compile times
# (scripts/compile_time.sh). Each binary's results also go to build/release/bench-results/
# <binary>.json (Google Benchmark's JSON: unlike its CSV writer, it accepts counters that only
# some cases of a binary set); a full run ends with scripts/bench_report.sh: the lineage/baseline ratios of
# benchmarks/ratios.tsv as a Markdown table (bench-results/ratios.md, the README's) and the
# chart docs/benchmark-ratios.svg.
#   scripts/bench.sh [extra Google Benchmark flags, e.g. --benchmark_filter=map]
#   LINEAGE_BENCHES="map checkpoint"   runs only bench_map and bench_checkpoint
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/deps.sh bench

cmake --preset release
cmake --build --preset bench -j "$(nproc)"

dir=build/release/benchmarks
results=build/release/bench-results
mkdir -p "$results"
if [ -n "${LINEAGE_BENCHES:-}" ]; then
  benches=()
  for name in $LINEAGE_BENCHES; do benches+=("$dir/bench_$name"); done
else
  shopt -s nullglob
  benches=("$dir"/bench_*)
fi
if [ ${#benches[@]} -eq 0 ]; then
  echo "bench.sh: no benchmarks (benchmarks/*.cpp) found" >&2
  exit 1
fi
for bench in "${benches[@]}"; do
  [ -x "$bench" ] || { echo "bench.sh: $bench is not built" >&2; exit 1; }
  echo
  echo "==== $(basename "$bench")"
  "$bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_out="$results/$(basename "$bench" | sed 's/^bench_//').json" --benchmark_out_format=json "$@"
done

# The MPI word count (np 1 and 2 against ln::par(2) and a hand loop), when built with MPI.
mpi_bench=build/release/benchmarks/mpi_wordcount/mpi_wordcount
if [ -z "${LINEAGE_BENCHES:-}" ] && [ -x "$mpi_bench" ]; then
  echo
  echo "==== mpi_wordcount"
  benchmarks/mpi_wordcount/run.sh "$mpi_bench"
fi

# Compile times (issue 12) and the ratio table and chart: only in a full run.
if [ -z "${LINEAGE_BENCHES:-}" ]; then
  echo
  scripts/compile_time.sh
  echo
  echo "==== lineage / baseline ratios"
  scripts/bench_report.sh "$results" docs/benchmark-ratios.svg
fi
