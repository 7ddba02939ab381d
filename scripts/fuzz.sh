#!/usr/bin/env bash
# fuzz.sh [seconds=600]: builds the checkpoint reader's libFuzzer target with clang++-16
# (ASan + UBSan) and fuzzes it for the given time, starting from tests/fuzz/corpus.
# New inputs go to build/fuzz/corpus (the seed corpus in the repository is left alone);
# findings (crash-*, leak-*, oom-*, timeout-*) to build/fuzz/findings/. Exit status: 0 when
# the run ended with no finding.
# Environment: LINEAGE_FUZZ_JOBS=<n> parallel fuzzing processes (default 1);
#              LINEAGE_FUZZ_MAX_LEN=<bytes> largest input (default 262144: room for inputs whose
#              decoding would be quadratic or nest past the stack without the reader's bounds).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-600}
jobs=${LINEAGE_FUZZ_JOBS:-1}
max_len=${LINEAGE_FUZZ_MAX_LEN:-262144}
out=build/fuzz
mkdir -p "$out/corpus" "$out/findings"

if ! command -v clang++-16 >/dev/null; then
  echo "fuzz.sh: clang++-16 is needed: apt-get install clang-16 libclang-rt-16-dev" >&2
  exit 2
fi
for header in /usr/include/xxhash.h /usr/include/cereal/cereal.hpp /usr/include/zstd.h; do
  if [ ! -f "$header" ]; then
    echo "fuzz.sh: $header is missing: apt-get install libxxhash-dev libcereal-dev libzstd-dev" >&2
    exit 2
  fi
done

echo "fuzz.sh: building $out/lineage_fuzz_reader"
clang++-16 -std=c++20 -O1 -g -Wall -Wextra -Wpedantic -Werror \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -Iinclude tests/fuzz/fuzz_target.cpp -lzstd -o "$out/lineage_fuzz_reader"

echo "fuzz.sh: fuzzing for $seconds s ($jobs job(s), inputs up to $max_len bytes)"
parallel=()
if [ "$jobs" -gt 1 ]; then
  parallel=(-jobs="$jobs" -workers="$jobs")  # each job logs to fuzz-<n>.log
fi
status=0
"$out/lineage_fuzz_reader" \
  -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 -timeout=10 \
  -print_final_stats=1 -artifact_prefix="$out/findings/" "${parallel[@]}" \
  "$out/corpus" tests/fuzz/corpus 2>&1 | tee "$out/fuzz.log" || status=$?

findings=$(find "$out/findings" -type f | wc -l)
echo "fuzz.sh: corpus now $(find "$out/corpus" -type f | wc -l) inputs; findings: $findings"
if [ "$status" -ne 0 ] || [ "$findings" -ne 0 ]; then
  echo "fuzz.sh: FINDINGS (see $out/findings and $out/fuzz.log)" >&2
  exit 1
fi
