#!/usr/bin/env bash
# compile_time.sh: how long g++ -O2 takes to compile lineage code against range-v3 equivalents
# (benchmarks/compile_time/*.cpp), median of 3 runs each, and the ratios issue 12 tracks:
#   umbrella: #include <lineage/lineage.hpp> vs <range/v3/all.hpp>       (target <= 1.0)
#   pipeline: a 12-operator narrow pipeline vs the same with range-v3 views (target <= 1.5)
# and the umbrella's floor: a file that includes only the standard, cereal, xxhash and zstd
# headers the umbrella's headers include (found with g++ -M), none of lineage's own code.
# Run by scripts/bench.sh; CXX overrides the compiler.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cxx=${CXX:-g++}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

seconds() {  # median wall time of 3 compilations of $1
  local times=()
  for _ in 1 2 3; do
    local start end
    start=$(date +%s%N)
    "$cxx" -std=c++20 -O2 -Iinclude -c "$1" -o "$out/x.o"
    end=$(date +%s%N)
    times+=("$(( (end - start) / 1000000 ))")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 2p
}

echo "==== compile time ($("$cxx" --version | head -1), -O2, median of 3, ms)"
declare -A ms
for file in benchmarks/compile_time/*.cpp; do
  name=$(basename "$file" .cpp)
  ms[$name]=$(seconds "$file")
  printf '%-22s %6d ms\n' "$name" "${ms[$name]}"
done
# The floor: every <...> include of the lineage headers the umbrella pulls in, minus lineage's.
deps="$out/umbrella_dependencies.cpp"
{
  echo '#define XXH_INLINE_ALL'  # as storage/archive.hpp includes it: header-only XXH3
  "$cxx" -std=c++20 -Iinclude -M benchmarks/compile_time/umbrella_lineage.cpp | tr ' \\' '\n\n' |
    grep '^include/lineage/.*\.hpp$' | xargs grep -h '^#[[:space:]]*include <' |
    sed 's/^#[[:space:]]*include/#include/' | grep -v '<lineage/' | sort -u
} > "$deps"
ms[umbrella_dependencies]=$(seconds "$deps")
printf '%-22s %6d ms  (%d headers, no lineage code)\n' umbrella_dependencies "${ms[umbrella_dependencies]}" \
  "$(grep -c '^#include' "$deps")"
for what in umbrella pipeline; do
  awk -v a="${ms[${what}_lineage]}" -v b="${ms[${what}_range_v3]}" -v w="$what" \
    'BEGIN { printf "%-22s %6.2fx range-v3\n", w " ratio", a / b }'
done
awk -v a="${ms[umbrella_dependencies]}" -v b="${ms[umbrella_range_v3]}" -v c="${ms[umbrella_lineage]}" \
  'BEGIN { printf "%-22s %6.2fx range-v3 (lineage code: %.0f%% of the umbrella)\n", "dependencies ratio", a / b, 100 * (c - a) / c }'
