#!/usr/bin/env bash
# deps.sh: make sure the Debian 12 packages lineage needs are installed.
#   As root: installs the missing ones (apt-get). Otherwise: prints the exact install command
#   and exits non-zero. Nothing to do (and no apt call) when all are present.
#   Called by scripts/test.sh, demo.sh and bench.sh (`deps.sh bench`: also what only the
#   benchmark report needs); can also be sourced (then it defines LINEAGE_DEB_PACKAGES and
#   lineage_deps, and does nothing else).
#   LINEAGE_SKIP_DEPS=1 skips the check (e.g. on a machine that is not Debian).

LINEAGE_DEB_PACKAGES=(
  g++                 # primary compiler (g++ 12), with libtsan for the ThreadSanitizer tree
  cmake               # 3.25
  ninja-build         # generator used by CMakePresets.json
  ccache
  git
  librange-v3-dev
  libcereal-dev
  catch2              # Catch2 v2 (catch2/catch.hpp)
  libbenchmark-dev    # Google Benchmark
  libxxhash-dev       # XXH3 checksums, used header-only
  libzstd-dev         # checkpoint compression (checkpoint_options::compression)
  clang-16            # second compiler; ASan+UBSan tree
  libclang-rt-16-dev  # sanitizer and libFuzzer runtimes for clang-16
  libopenmpi-dev      # Open MPI 4.1: lineage::mpi (<lineage/mpi.hpp>), LINEAGE_WITH_MPI
  openmpi-bin         # mpiexec, for the MPI tests and examples
)

# Only for scripts/bench.sh's report (scripts/bench_report.sh): its chart.
LINEAGE_BENCH_DEB_PACKAGES=(
  gnuplot-nox
)

# lineage_deps [bench]
lineage_deps() {
  if [ "${LINEAGE_SKIP_DEPS:-0}" = 1 ]; then
    return 0
  fi
  local missing=() pkg wanted=("${LINEAGE_DEB_PACKAGES[@]}")
  if [ "${1:-}" = bench ]; then
    wanted+=("${LINEAGE_BENCH_DEB_PACKAGES[@]}")
  fi
  if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps.sh: not a Debian system (no dpkg-query); install the equivalents of:" >&2
    echo "  ${wanted[*]}" >&2
    return 0
  fi
  for pkg in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^ii'; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "deps.sh: missing Debian packages: ${missing[*]}" >&2
    echo "Install them with:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    return 1
  fi
  echo "deps.sh: installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Executed (not sourced): run the check.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  lineage_deps "$@"
fi
