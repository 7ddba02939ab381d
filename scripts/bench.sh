#!/usr/bin/env bash
# bench.sh: build every benchmarks/*.cpp in the release tree (g++ -O2) and run each one with
# 5 repetitions, reporting the aggregates (mean, median, stddev, cv).
#   scripts/bench.sh [extra Google Benchmark flags, e.g. --benchmark_filter=map]
#   LINEAGE_BENCHES="map checkpoint"   runs only bench_map and bench_checkpoint
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/deps.sh

cmake --preset release
cmake --build --preset bench -j "$(nproc)"

dir=build/release/benchmarks
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
  "$bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true "$@"
done
if [ -x build/release/benchmarks/mpi_wordcount/mpi_wordcount ]; then echo; echo "==== mpi_wordcount"; benchmarks/mpi_wordcount/run.sh build/release/benchmarks/mpi_wordcount/mpi_wordcount; fi
