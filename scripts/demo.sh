#!/usr/bin/env bash
# demo.sh: install what is missing (scripts/deps.sh), build the flagship example with g++ -O2
# (tree build/demo: examples only) and run it in a fresh folder build/demo/run/<example>.
# With DEMO_RUNS=2 the second run starts from what the first one left there (its checkpoint).
set -euo pipefail

DEMO_EXAMPLE=wordcount    # examples/<name>/ to build and run
DEMO_RUNS=2               # run twice: the first computes and checkpoints, the second recovers
DEMO_ARGS=()              # its command-line arguments

cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
scripts/deps.sh

if [ ! -d "examples/$DEMO_EXAMPLE" ]; then
  echo "demo.sh: examples/$DEMO_EXAMPLE does not exist" >&2
  exit 1
fi
cmake --preset demo
cmake --build --preset demo --target "example_$DEMO_EXAMPLE" -j "$(nproc)"

exe=$root/build/demo/examples/$DEMO_EXAMPLE
work=$root/build/demo/run/$DEMO_EXAMPLE
rm -rf "$work"
mkdir -p "$work"
cd "$work"
for ((run = 1; run <= DEMO_RUNS; run++)); do
  echo
  echo "==== demo: run $run of $DEMO_RUNS: $DEMO_EXAMPLE${DEMO_ARGS[*]:+ ${DEMO_ARGS[*]}} (in $work)"
  "$exe" "${DEMO_ARGS[@]}"
done
