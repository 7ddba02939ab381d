// wordcount: the classic Spark word count over 10M words (100k-word vocabulary, Zipf s = 1,
// lines of ~10 words; see tools/wordcount_data.hpp), lineage with ln::seq and ln::par against
// the hand-written single-thread loop one would write instead:
//
//   lines | ln::flat_map(split) | ln::map(w -> (w, 1)) | ln::reduce_by_key(+) | ln::count()
//   vs    for line, for w in split(line): ++counts[w]    (std::unordered_map<std::string_view, int>)
//
// Both split with the same tokenizer (a lazy range of std::string_view into the line) and key
// by std::string_view, so the difference is the lineage machinery: the fused kernel, the
// map-side combiner, the shuffle and the read-side merge. ln::count() after reduce_by_key runs
// the whole plan (the shuffle output is materialized), and returns the number of distinct words,
// which every variant checks against the hand loop's.
//
// items_per_second counts input words. Compare the medians of
// --benchmark_repetitions=5 --benchmark_report_aggregates_only=true from one run.
// Targets: lineage_seq <= 0.85x hand_loop's time (issue 12: the combiner's flat_table);
// lineage_par >= 1.6x faster than lineage_seq (hand_par shows what two threads can give here).
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <lineage/lineage.hpp>

#include "tools/wordcount_data.hpp"

namespace ln = lineage;
using wordcount_data::words_of;

namespace {

const std::vector<std::string>& lines() {
  static const std::vector<std::string> data = wordcount_data::make_lines();
  return data;
}

constexpr auto split = [](const std::string& line) { return words_of(line); };
constexpr auto one = [](std::string_view w) { return std::pair<std::string_view, int>(w, 1); };

// The reference: a single-thread loop, same tokenizer, same key type.
std::size_t hand_word_count(const std::vector<std::string>& input) {
  std::unordered_map<std::string_view, int> counts;
  for (const auto& line : input) {
    for (std::string_view w : words_of(line)) ++counts[w];
  }
  return counts.size();
}

std::size_t expected_distinct() {
  static const std::size_t n = hand_word_count(lines());
  return n;
}

void finish(benchmark::State& state, std::size_t distinct) {
  if (distinct != expected_distinct()) state.SkipWithError("distinct word count differs from the hand loop's");
  state.counters["distinct"] = static_cast<double>(distinct);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(wordcount_data::total_words));
}

void BM_hand_loop(benchmark::State& state) {
  const auto& input = lines();
  std::size_t distinct = 0;
  for (auto _ : state) {
    distinct = hand_word_count(input);
    benchmark::DoNotOptimize(distinct);
  }
  finish(state, distinct);
}

void BM_lineage_seq(benchmark::State& state) {
  const auto& input = lines();
  std::size_t distinct = 0;
  for (auto _ : state) {
    distinct = input | ln::flat_map(split) | ln::map(one) | ln::reduce_by_key(std::plus<>{}) | ln::count();
    benchmark::DoNotOptimize(distinct);
  }
  finish(state, distinct);
}

// The same plan, collecting the (word, count) pairs instead of counting them.
void BM_lineage_seq_collect(benchmark::State& state) {
  const auto& input = lines();
  std::size_t distinct = 0;
  for (auto _ : state) {
    auto counts = input | ln::flat_map(split) | ln::map(one) | ln::reduce_by_key(std::plus<>{}) | ln::collect();
    distinct = counts.size();
    benchmark::DoNotOptimize(counts.data());
  }
  finish(state, distinct);
}

// ln::par: the 1M lines are split into one partition per hardware thread (core/source.hpp).
void BM_lineage_par(benchmark::State& state) {
  const auto& input = lines();
  std::size_t distinct = 0;
  for (auto _ : state) {
    distinct = input | ln::flat_map(split) | ln::map(one) | ln::reduce_by_key(std::plus<>{}) | ln::count(ln::par);
    benchmark::DoNotOptimize(distinct);
  }
  finish(state, distinct);
}

// For context: the two-thread loop one would write by hand (one table per half, then merged).
void BM_hand_par(benchmark::State& state) {
  const auto& input = lines();
  std::size_t distinct = 0;
  for (auto _ : state) {
    std::unordered_map<std::string_view, int> halves[2];
    const std::size_t mid = input.size() / 2;
    auto count_range = [&](std::size_t first, std::size_t last, std::unordered_map<std::string_view, int>& counts) {
      for (std::size_t i = first; i < last; ++i) {
        for (std::string_view w : words_of(input[i])) ++counts[w];
      }
    };
    std::thread other(count_range, mid, input.size(), std::ref(halves[1]));
    count_range(0, mid, halves[0]);
    other.join();
    for (const auto& [w, n] : halves[1]) halves[0][w] += n;
    distinct = halves[0].size();
    benchmark::DoNotOptimize(distinct);
  }
  finish(state, distinct);
}

}  // namespace

BENCHMARK(BM_hand_loop)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_lineage_seq)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_lineage_seq_collect)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_lineage_par)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_hand_par)->Unit(benchmark::kMillisecond)->UseRealTime();
