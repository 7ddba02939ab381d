// keep_in_memory_rss: checkpoints a computed 1 GiB dataset (2^27 doubles, never held by its
// source) and counts it, once, so that the peak memory of checkpoint_options::keep_in_memory
// can be measured from outside:
//
//   /usr/bin/time -v keep_in_memory_rss <mode> <policy> <dir>   # "Maximum resident set size"
//
// <mode>    baseline  only start up (the process's baseline RSS)
//           spill     dataset | ln::checkpoint(dir, {.keep_in_memory = false}) | ln::count()
//           keep      the same with keep_in_memory = true (the default)
// <policy>  seq or par
// <dir>     the checkpoint directory (a scratch one: it is removed before and after)
// It also prints the peak RSS (VmHWM) before and after the run, in MiB.
// benchmarks/tools/keep_in_memory_rss.sh runs every mode and prints the table.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <ranges>
#include <string>
#include <string_view>
#include <vector>

#include <lineage/lineage.hpp>

namespace ln = lineage;

namespace {

constexpr std::size_t partitions = 64;
constexpr std::int64_t per_partition = (std::int64_t{1} << 27) / partitions;  // 2^21 doubles: 16 MiB

// The peak resident set size so far, in KiB (Linux /proc/self/status VmHWM), or -1.
long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// 2^27 doubles computed partition by partition from 64 partition numbers.
auto dataset() {
  std::vector<std::int64_t> chunks(partitions);
  for (std::size_t i = 0; i < partitions; ++i) chunks[i] = static_cast<std::int64_t>(i);
  return ln::parallelize(std::move(chunks), partitions) | ln::flat_map([](std::int64_t chunk) {
           return std::views::iota(chunk * per_partition, (chunk + 1) * per_partition) |
                  std::views::transform([](std::int64_t x) { return 0.5 * static_cast<double>(x); });
         });
}

template <class Policy>
std::size_t run(const std::filesystem::path& dir, bool keep_in_memory, Policy policy) {
  ln::checkpoint_options options;
  options.durable = false;  // memory is measured, not the disk
  options.keep_in_memory = keep_in_memory;
  const auto cp = dataset() | ln::checkpoint(dir, options, policy);
  return cp | ln::count(policy);
}

int usage(const char* self) {
  std::fprintf(stderr, "usage: %s baseline|spill|keep seq|par DIR\n", self);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) return usage(argv[0]);
  const std::string_view mode = argv[1], policy = argv[2];
  const std::filesystem::path dir = argv[3];
  if ((mode != "baseline" && mode != "spill" && mode != "keep") || (policy != "seq" && policy != "par")) {
    return usage(argv[0]);
  }
  const long before = peak_rss_kib();
  std::size_t count = 0;
  if (mode != "baseline") {
    std::filesystem::remove_all(dir);
    const bool keep = mode == "keep";
    count = policy == "par" ? run(dir, keep, ln::par) : run(dir, keep, ln::seq);
    std::filesystem::remove_all(dir);
    if (count != std::size_t{1} << 27) {
      std::fprintf(stderr, "wrong count %zu\n", count);
      return 1;
    }
  }
  const long after = peak_rss_kib();
  std::printf("%s %s: %zu records, peak RSS before %.1f MiB, after %.1f MiB\n", argv[1], argv[2], count,
              static_cast<double>(before) / 1024.0, static_cast<double>(after) / 1024.0);
  return 0;
}
