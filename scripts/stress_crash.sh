#!/usr/bin/env bash
# stress_crash.sh [kills=2000] [seed=<random>]: the crash-safety test (tests/crash) with more
# kills than its CTest. Builds crash_writer and crash_driver with g++ -O2 into
# build/stress-crash, then SIGKILLs the writer `kills` times at random moments; after each kill
# the checkpoint directory must load as exactly one of the two checkpoints the writer alternates
# between. The work directory is build/stress-crash/work (same file system as the tree).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

kills=${1:-2000}
seed=${2:-$RANDOM$RANDOM}
out=build/stress-crash
mkdir -p "$out"

flags=(-std=c++20 -O2 -Wall -Wextra -Wpedantic -Werror -Iinclude)
echo "stress_crash.sh: building into $out"
g++ "${flags[@]}" tests/crash/crash_writer.cpp -o "$out/crash_writer" -pthread -lzstd &
writer_build=$!
g++ "${flags[@]}" tests/crash/crash_driver.cpp -o "$out/crash_driver" -lzstd &
driver_build=$!
wait "$writer_build"
wait "$driver_build"

echo "stress_crash.sh: $kills kills, seed $seed"
"$out/crash_driver" "$out/crash_writer" "$out/work" "$kills" "$seed"
