#!/usr/bin/env bash
# stress_stream_crash.sh [kills=1000] [seed=<random>]: the stream crash test (tests/crash,
# crash.stream_sigkill) with more kills than its CTest. Builds stream_crash_worker and
# stream_crash_driver with g++ -O2 into build/stress-stream-crash, then SIGKILLs the worker
# `kills` times at random moments (and once per round between a batch's output and its commit
# record), restarting it until the stream is drained; every round's outputs, final state and
# logs must equal an uninterrupted run's.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

kills=${1:-1000}
seed=${2:-$RANDOM$RANDOM}
out=build/stress-stream-crash
mkdir -p "$out"

flags=(-std=c++20 -O2 -Wall -Wextra -Wpedantic -Werror -Iinclude)
echo "stress_stream_crash.sh: building into $out"
g++ "${flags[@]}" tests/crash/stream_crash_worker.cpp -o "$out/stream_crash_worker" -pthread -lzstd &
worker_build=$!
g++ "${flags[@]}" tests/crash/stream_crash_driver.cpp -o "$out/stream_crash_driver" -pthread -lzstd &
driver_build=$!
wait "$worker_build"
wait "$driver_build"

echo "stress_stream_crash.sh: $kills kills, seed $seed"
"$out/stream_crash_driver" "$out/stream_crash_worker" "$out/work" "$kills" "$seed"
