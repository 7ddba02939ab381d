// compression: checkpoint_options::compression = zstd against uncompressed checkpoints of the
// same data (the baseline, in this binary), on three kinds of data:
//   sorted int64     2^22 values 0, 3, 6, ... (highly regular)
//   random doubles   2^22 uniform doubles (incompressible)
//   word counts      the output of a word count: 1M pair<string, long>, Zipf-like counts
// For each: checkpoint write time (durable = false) and recover time, with the on-disk size
// and the ratio to the uncompressed size as counters.
#include <benchmark/benchmark.h>

#include <lineage/checkpoint.hpp>
#include <lineage/lineage.hpp>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace ln = lineage;
namespace fs = std::filesystem;

namespace {

const fs::path scratch = fs::temp_directory_path() / "lineage-bench-compression";

const std::vector<std::int64_t>& sorted_ints() {
  static const auto data = [] {
    std::vector<std::int64_t> v(std::size_t{1} << 22);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<std::int64_t>(3 * i);
    return v;
  }();
  return data;
}

const std::vector<double>& random_doubles() {
  static const auto data = [] {
    std::vector<double> v(std::size_t{1} << 22);
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> d(0, 1);
    for (auto& x : v) x = d(rng);
    return v;
  }();
  return data;
}

const std::vector<std::pair<std::string, long>>& word_counts() {
  static const auto data = [] {
    std::vector<std::pair<std::string, long>> v(1'000'000);
    std::mt19937 rng(3);
    std::uniform_int_distribution<int> len(3, 10), ch('a', 'z');
    for (std::size_t i = 0; i < v.size(); ++i) {
      auto& [word, count] = v[i];
      word.resize(static_cast<std::size_t>(len(rng)));
      for (auto& c : word) c = static_cast<char>(ch(rng));
      count = static_cast<long>(1'000'000 / (i + 1)) + 1;  // Zipf: the i-th word's count
    }
    return v;
  }();
  return data;
}

ln::checkpoint_options options_for(ln::compression c, int level) {
  ln::checkpoint_options o;
  o.durable = false;
  o.compression = c;
  o.compression_level = level;
  return o;
}

template <class T>
void write(benchmark::State& state, const std::vector<T>& (*data_of)(), ln::compression c, int level) {
  const auto& data = data_of();
  const fs::path dir = scratch / "write";
  std::uint64_t bytes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    fs::remove_all(dir);
    state.ResumeTiming();
    auto result = ln::parallelize(data, 4) | ln::checkpoint(dir, options_for(c, level));
    bytes = result.bytes();
    benchmark::DoNotOptimize(result);
  }
  state.counters["disk_MiB"] = static_cast<double>(bytes) / (1 << 20);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
  fs::remove_all(dir);
}

template <class T>
void recover(benchmark::State& state, const std::vector<T>& (*data_of)(), ln::compression c, int level) {
  const auto& data = data_of();
  const fs::path dir = scratch / "recover";
  fs::remove_all(dir);
  (void)(ln::parallelize(data, 4) | ln::checkpoint(dir, options_for(c, level)));
  for (auto _ : state) {
    auto result = ln::recover<T>(dir);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * data.size()));
  fs::remove_all(dir);
}

#define LINEAGE_COMPRESSION_CASES(name, data)                                                          \
  BENCHMARK_CAPTURE(write, name##_none, &data, ln::compression::none, 0)->Unit(benchmark::kMillisecond);     \
  BENCHMARK_CAPTURE(write, name##_zstd1, &data, ln::compression::zstd, 1)->Unit(benchmark::kMillisecond);    \
  BENCHMARK_CAPTURE(write, name##_zstd3, &data, ln::compression::zstd, 3)->Unit(benchmark::kMillisecond);    \
  BENCHMARK_CAPTURE(recover, name##_none, &data, ln::compression::none, 0)->Unit(benchmark::kMillisecond);   \
  BENCHMARK_CAPTURE(recover, name##_zstd1, &data, ln::compression::zstd, 1)->Unit(benchmark::kMillisecond)

LINEAGE_COMPRESSION_CASES(sorted_int64, sorted_ints);
LINEAGE_COMPRESSION_CASES(random_doubles, random_doubles);
LINEAGE_COMPRESSION_CASES(word_counts, word_counts);

}  // namespace
