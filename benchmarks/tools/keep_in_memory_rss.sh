#!/bin/sh
# Peak RSS of checkpointing a computed 1 GiB dataset and counting it, with
# checkpoint_options::keep_in_memory false and true (benchmarks/tools/keep_in_memory_rss.cpp),
# each in a fresh process under /usr/bin/time -v. Target (issue 12): with false, the peak is at
# most 15 % of 1 GiB (153.6 MiB) above the baseline process's.
#   usage: benchmarks/tools/keep_in_memory_rss.sh <build-tree> [scratch-dir]
set -eu
tree=${1:?usage: $0 <build-tree> [scratch-dir]}
scratch=${2:-${TMPDIR:-/tmp}}
program="$tree/benchmarks/tools/keep_in_memory_rss"
dir="$scratch/lineage-keep-in-memory-rss.$$"

peak_kib() {  # mode policy
  /usr/bin/time -v "$program" "$1" "$2" "$dir" 2>&1 >/dev/null | awk '/Maximum resident set size/ { print $6 }'
}

base=$(peak_kib baseline seq)
printf '%-6s %-4s %12s %16s %10s\n' mode exec "peak MiB" "above base MiB" "of 1 GiB"
printf '%-6s %-4s %12.1f %16s %10s\n' baseline - "$(echo "$base / 1024" | bc -l)" - -
for policy in seq par; do
  for mode in spill keep; do
    peak=$(peak_kib "$mode" "$policy")
    printf '%-6s %-4s %12.1f %16.1f %9.1f%%\n' "$mode" "$policy" "$(echo "$peak / 1024" | bc -l)" \
      "$(echo "($peak - $base) / 1024" | bc -l)" "$(echo "($peak - $base) * 100 / 1048576" | bc -l)"
  done
done
