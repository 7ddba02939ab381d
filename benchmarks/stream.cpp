// stream: a running word count as a stream (issue 8, item 8). 1,000 micro-batches of 10k words
// each (10M words, 20k-word vocabulary, Zipf s = 1, fixed seed) go through
//
//   ln::batches(word ids) | ln::map(id -> (word, 1L)) | ln::update_state_by_key(sum)
//                         | ln::foreach_batch(no-op)              run with ln::seq, durable logs
//
// with a state checkpoint every 10 batches (stream_every10) and every 1,000 (stream_every1000:
// effectively never, to measure what the checkpoints cost), against the same 10M words as one
// batch job (ln::reduce_by_key over all of them) and a hand-written loop keeping an
// std::unordered_map<std::string, long> of totals. Every variant checks its totals against the
// hand loop's. Two more variants tell the costs apart: the stream with every file in memory
// (its CPU cost alone) and the log records alone (the floor the disk sets, no computing).
//
// Counters: items_per_second (input words), batch_median_us and batch_p99_us (the time between
// two consecutive output calls: one whole batch cycle with its offsets and commit records and,
// every 10th, its state checkpoint), peak_rss_mb_b100 / peak_rss_mb_b1000 (getrusage's peak
// RSS after batch 100 and 1,000) and rss_mb_b100 / rss_mb_b1000 (the current RSS then,
// /proc/self/statm). The input (10M word ids, 40 MB) is generated once, before any variant.
// The stream variants are registered first, so their peak RSS is not the batch job's.
//
// Run: build/release/benchmarks/bench_stream (one iteration of each stream variant, ~20 s).
// Targets: stream throughput >= 0.7x batch_job's; every10 <= 15 % slower than every1000;
// RSS at batch 1,000 about RSS at batch 100.
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <lineage/lineage.hpp>
#include <lineage/storage/small_file.hpp>
#include <lineage/storage/testing/memory_file_system.hpp>
#include <lineage/stream.hpp>

namespace ln = lineage;

namespace {

constexpr std::size_t batch_count = 1000;
constexpr std::size_t words_per_batch = 10'000;
constexpr std::size_t vocabulary_size = 20'000;
constexpr std::uint64_t seed = 20261130;

struct input_data {
  std::vector<std::string> vocabulary;
  std::vector<std::vector<std::uint32_t>> batches;  // word ids
};

const input_data& input() {
  static const input_data data = [] {
    input_data d;
    std::mt19937_64 gen(seed);
    std::uniform_int_distribution<int> length(2, 12);
    std::uniform_int_distribution<int> letter('a', 'z');
    std::unordered_set<std::string> seen;
    while (d.vocabulary.size() < vocabulary_size) {
      std::string w(static_cast<std::size_t>(length(gen)), ' ');
      for (auto& c : w) c = static_cast<char>(letter(gen));
      if (seen.insert(w).second) d.vocabulary.push_back(std::move(w));
    }
    std::vector<double> cdf(vocabulary_size);
    double total = 0.0;
    for (std::size_t k = 0; k < vocabulary_size; ++k) cdf[k] = total += 1.0 / static_cast<double>(k + 1);
    std::uniform_real_distribution<double> uniform(0.0, total);
    d.batches.resize(batch_count);
    for (auto& batch : d.batches) {
      batch.reserve(words_per_batch);
      for (std::size_t i = 0; i < words_per_batch; ++i) {
        auto rank = static_cast<std::size_t>(std::upper_bound(cdf.begin(), cdf.end(), uniform(gen)) - cdf.begin());
        batch.push_back(static_cast<std::uint32_t>(std::min(rank, vocabulary_size - 1)));
      }
    }
    return d;
  }();
  return data;
}

using totals_map = std::unordered_map<std::string, long>;

totals_map hand_totals() {
  const auto& in = input();
  totals_map totals;
  for (const auto& batch : in.batches) {
    for (const auto id : batch) ++totals[in.vocabulary[id]];
  }
  return totals;
}

const totals_map& expected() {
  static const totals_map totals = hand_totals();
  return totals;
}

template <class Range>
bool equals_expected(const Range& pairs) {
  std::size_t n = 0;
  for (const auto& [word, total] : pairs) {
    const auto it = expected().find(word);
    if (it == expected().end() || it->second != total) return false;
    ++n;
  }
  return n == expected().size();
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux: kilobytes
}

double current_rss_mb() {
  long pages = 0, resident = 0;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
    std::fclose(f);
  }
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

void set_words_processed(benchmark::State& state) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(batch_count * words_per_batch));
}

struct batch_probe {
  std::vector<double> cycle_us;
  std::chrono::steady_clock::time_point last;
  double peak_b100 = 0, peak_b1000 = 0, rss_b100 = 0, rss_b1000 = 0;
  bool totals_ok = false;
};

// `in_memory`: every file of the stream (logs, state checkpoints) in a memory_file_system, so
// that the run measures the stream's CPU cost alone.
void stream_run(benchmark::State& state, std::size_t state_every, bool durable = true, bool in_memory = false) {
  const auto& in = input();
  const auto vocabulary = std::make_shared<const std::vector<std::string>>(in.vocabulary);
  auto probe = std::make_shared<batch_probe>();
  const auto query =
      ln::batches(in.batches) |
      ln::map([vocabulary](std::uint32_t id) { return std::pair<std::string, long>((*vocabulary)[id], 1L); }) |
      ln::update_state_by_key([](std::span<const long> news, std::optional<long> total) {
        long sum = total.value_or(0);
        for (const long n : news) sum += n;
        return std::optional<long>(sum);
      }) |
      ln::foreach_batch([probe](std::uint64_t b, const ln::checkpointed<std::pair<std::string, long>>& totals) {
        const auto now = std::chrono::steady_clock::now();
        probe->cycle_us.push_back(std::chrono::duration<double, std::micro>(now - probe->last).count());
        probe->last = now;
        if (b + 1 == 100) {
          probe->peak_b100 = peak_rss_mb();
          probe->rss_b100 = current_rss_mb();
        }
        if (b + 1 == batch_count) {
          probe->peak_b1000 = peak_rss_mb();
          probe->rss_b1000 = current_rss_mb();
          probe->totals_ok = equals_expected(totals | ln::collect());
        }
      });
  const auto dir = std::filesystem::temp_directory_path() / ("lineage-bench-stream-" + std::to_string(getpid()));
  ln::stream_options options;
  options.state_every = state_every;
  options.keep_last = 2;
  options.durable = durable;

  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    ln::storage::testing::memory_file_system memory;
    if (in_memory) {
      memory.put_directory(dir.parent_path());
      options.file_system = &memory;
    }
    probe->cycle_us.clear();
    probe->last = std::chrono::steady_clock::now();
    state.ResumeTiming();
    const auto report = query.run(dir, options, ln::seq);
    options.file_system = nullptr;
    if (report.batches_run != batch_count) state.SkipWithError("the stream did not run 1,000 batches");
  }
  std::filesystem::remove_all(dir);
  if (!probe->totals_ok) state.SkipWithError("the stream's totals differ from the hand loop's");

  auto cycles = probe->cycle_us;
  std::sort(cycles.begin(), cycles.end());
  const auto at = [&](double q) { return cycles[static_cast<std::size_t>(q * static_cast<double>(cycles.size() - 1))]; };
  state.counters["batch_median_us"] = at(0.5);
  state.counters["batch_p99_us"] = at(0.99);
  state.counters["peak_rss_mb_b100"] = probe->peak_b100;
  state.counters["peak_rss_mb_b1000"] = probe->peak_b1000;
  state.counters["rss_mb_b100"] = probe->rss_b100;
  state.counters["rss_mb_b1000"] = probe->rss_b1000;
  set_words_processed(state);
}

void BM_stream_every10(benchmark::State& state) { stream_run(state, 10); }
void BM_stream_every1000(benchmark::State& state) { stream_run(state, 1000); }
// Without fsync (durable = false: scratch only): what the durable logs and state cost.
void BM_stream_every10_not_durable(benchmark::State& state) { stream_run(state, 10, false); }

// With no disk at all: what the stream costs in CPU.
void BM_stream_every10_in_memory(benchmark::State& state) { stream_run(state, 10, false, true); }
void BM_stream_every1000_in_memory(benchmark::State& state) { stream_run(state, 1000, false, true); }

// The floor the disk sets, without any computing: per batch, the two small records the stream
// writes (the offsets entry before the batch, the commit entry after it), each a new file
// replaced in atomically, and every 10 batches the removal of the records 20 or more batches
// old, as the stream's purge after a state checkpoint does. Arg: 1 = durable (fsync).
void BM_log_records_only(benchmark::State& state) {
  const bool durable = state.range(0) != 0;
  const auto dir = std::filesystem::temp_directory_path() / ("lineage-bench-logs-" + std::to_string(getpid()));
  const std::vector<std::byte> record(16, std::byte{7});
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "offsets");
    std::filesystem::create_directories(dir / "commits");
    state.ResumeTiming();
    for (std::size_t b = 0; b < batch_count; ++b) {
      ln::storage::write_small_file(dir / "offsets" / std::to_string(b), record, durable);
      ln::storage::write_small_file(dir / "commits" / std::to_string(b), record, durable);
      if ((b + 1) % 10 == 0 && b >= 20) {
        for (std::size_t old = b - 29; old + 20 <= b; ++old) {
          std::filesystem::remove(dir / "offsets" / std::to_string(old));
          std::filesystem::remove(dir / "commits" / std::to_string(old));
        }
      }
    }
  }
  std::filesystem::remove_all(dir);
  set_words_processed(state);  // the words a stream would process along with these records
}

void BM_batch_job(benchmark::State& state) {
  const auto& in = input();
  std::vector<std::uint32_t> all;
  all.reserve(batch_count * words_per_batch);
  for (const auto& batch : in.batches) all.insert(all.end(), batch.begin(), batch.end());
  const auto& vocabulary = in.vocabulary;
  bool ok = false;
  for (auto _ : state) {
    auto totals = all |
                  ln::map([&vocabulary](std::uint32_t id) { return std::pair<std::string, long>(vocabulary[id], 1L); }) |
                  ln::reduce_by_key(std::plus<>{}) | ln::collect();
    ok = equals_expected(totals);
  }
  if (!ok) state.SkipWithError("the batch job's totals differ from the hand loop's");
  state.counters["peak_rss_mb"] = peak_rss_mb();
  set_words_processed(state);
}

void BM_hand_loop(benchmark::State& state) {
  bool ok = false;
  for (auto _ : state) {
    const auto totals = hand_totals();
    ok = totals == expected();
  }
  if (!ok) state.SkipWithError("the hand loop is not deterministic");
  set_words_processed(state);
}

// Built before any timing, so that no variant pays for it.
[[maybe_unused]] const bool input_ready = (input(), expected(), true);

}  // namespace

BENCHMARK(BM_stream_every10)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_stream_every1000)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_stream_every10_not_durable)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_stream_every10_in_memory)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_stream_every1000_in_memory)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_log_records_only)->Arg(1)->Arg(0)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_batch_job)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_hand_loop)->Unit(benchmark::kMillisecond)->UseRealTime();
