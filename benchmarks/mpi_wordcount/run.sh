#!/usr/bin/env bash
# Word count of >= 200 MiB of generated text: a hand-written sequential loop, ln::par(2) in one
# process, ln::mpi::world with 1 and 2 ranks (one thread each). Prints each way's wall time,
# the ratios the issue targets and the bytes each rank shuffled.
#   benchmarks/mpi_wordcount/run.sh BINARY [MB]      (scripts/bench.sh passes the release build's)
set -euo pipefail
bin=${1:?usage: run.sh path/to/mpi_wordcount [MB]}
mb=${2:-200}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_mpi_yield_when_idle=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
file=$tmp/words.txt
"$bin" generate "$file" "$mb"
echo "mpi_wordcount: $(du -m "$file" | cut -f1) MB of text in $file"
cat "$file" > /dev/null  # in the page cache for every way alike

loop=$("$bin" loop "$file");                         echo "$loop"
par=$("$bin" par "$file" 2);                         echo "$par"
np1=$(mpiexec -n 1 --bind-to none "$bin" world "$file"); echo "$np1"
np2=$(mpiexec -n 2 --bind-to none "$bin" world "$file"); echo "$np2"

seconds() { awk '{print $3}' <<<"$1"; }
counts() { awk '{print $5, $7}' <<<"$1"; }
for way in "$par" "$np1" "$np2"; do
  [ "$(counts "$way")" = "$(counts "$loop")" ] || { echo "mpi_wordcount: counts differ: $way" >&2; exit 1; }
done
awk -v loop="$(seconds "$loop")" -v par="$(seconds "$par")" -v np1="$(seconds "$np1")" -v np2="$(seconds "$np2")" 'BEGIN {
  printf "speed-up np=2 over np=1: %.2fx (target >= 1.6x)\n", np1 / np2
  printf "np=2 / ln::par(2) wall time: %.2f (target <= 1.2)\n", np2 / par
  printf "np=2 / hand-written loop wall time: %.2f\n", np2 / loop
}'
