#!/usr/bin/env bash
# demo.sh: install what is missing (scripts/deps.sh), build the flagship example with g++ -O2
# (tree build/demo: examples only) and run it in a fresh folder build/demo/run/<example>.
# With DEMO_RUNS=2 the second run starts from what the first one left there (its checkpoint).
# The word count reads real text shipped with every Debian system: the licence texts of
# /usr/share/common-licenses (its regular files, copied into the run folder as texts/; the
# links there would count some licences twice).
set -euo pipefail

DEMO_EXAMPLE=wordcount    # examples/<name>/ to build and run
DEMO_RUNS=2               # run twice: the first computes and checkpoints, the second recovers
DEMO_ARGS=(texts counts.ckpt)  # its command-line arguments: input folder, checkpoint

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
mkdir -p "$work/texts"
cd "$work"
find /usr/share/common-licenses -maxdepth 1 -type f -exec cp {} texts/ \;
echo "demo: $(ls texts | wc -l) licence texts from /usr/share/common-licenses, $(cat texts/* | wc -w) words"
for ((run = 1; run <= DEMO_RUNS; run++)); do
  echo
  echo "==== demo: run $run of $DEMO_RUNS: $DEMO_EXAMPLE${DEMO_ARGS[*]:+ ${DEMO_ARGS[*]}} (in $work)"
  start=$(date +%s%N)
  "$exe" "${DEMO_ARGS[@]}"
  echo "(run $run took $(( ($(date +%s%N) - start) / 1000000 )) ms in all)"
done
