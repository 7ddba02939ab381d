// spark_ops: actions and joins from Spark's RDD API against the standard library and hand loops,
// baselines in the same binary (issue 10, item 6):
//
//   top(10) of 2^24 random ints: ln::top(10) (a bounded heap per partition) vs
//       std::partial_sort_copy into 10 slots, vs copy + std::nth_element + sort of the 10, vs
//       ln::sort_by(x, descending) | ln::take(10) (a full sort);
//   count_by_value of 4M ints over 100k distinct values vs a hand std::unordered_map loop;
//   full_join and cogroup of 1M x 1M rows (keys uniform over 100k values, ~10 rows per key and
//       side) vs a hand hash join into the same output type.
// Every variant checks its result against its baseline's. Compare medians of
// --benchmark_repetitions=5 --benchmark_report_aggregates_only=true from one run.
// Targets: top <= 1.2x nth_element; count_by_value <= 1.2x hand; full_join/cogroup <= 1.5x hand.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <unordered_map>
#include <utility>
#include <vector>

#include <lineage/lineage.hpp>

namespace ln = lineage;

namespace {

using row = std::pair<std::int64_t, std::int64_t>;
using full_row = std::pair<std::int64_t, std::pair<std::optional<std::int64_t>, std::optional<std::int64_t>>>;
using cogroup_row = std::pair<std::int64_t, std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>>>;

constexpr std::size_t top_size = std::size_t{1} << 24;
constexpr std::size_t top_n = 10;
constexpr std::size_t count_size = std::size_t{4} << 20;
constexpr int count_distinct = 100'000;
constexpr std::size_t join_side = 1'000'000;
constexpr std::int64_t join_keys = 100'000;

const std::vector<int>& top_input() {
  static const std::vector<int> data = [] {
    std::mt19937 gen(42);
    std::vector<int> v(top_size);
    for (auto& x : v) x = static_cast<int>(gen() >> 1);
    return v;
  }();
  return data;
}

const std::vector<int>& count_input() {
  static const std::vector<int> data = [] {
    std::mt19937 gen(43);
    std::uniform_int_distribution<int> d(0, count_distinct - 1);
    std::vector<int> v(count_size);
    for (auto& x : v) x = d(gen);
    return v;
  }();
  return data;
}

std::vector<row> make_rows(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::uniform_int_distribution<std::int64_t> key(0, join_keys - 1);
  std::vector<row> rows(n);
  for (std::size_t i = 0; i < n; ++i) rows[i] = {key(gen), static_cast<std::int64_t>(i)};
  return rows;
}
const std::vector<row>& join_left() {
  static const std::vector<row> data = make_rows(join_side, 1);
  return data;
}
const std::vector<row>& join_right() {
  // Keys shifted so that ~1/3 of each side's keys are on that side only.
  static const std::vector<row> data = [] {
    auto rows = make_rows(join_side, 2);
    for (auto& r : rows) r.first += join_keys / 3;
    return rows;
  }();
  return data;
}

void set_items(benchmark::State& state, std::size_t n) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

// ---- top(10) ------------------------------------------------------------------------------------
std::vector<int> nth_element_top(const std::vector<int>& in) {
  std::vector<int> copy = in;
  std::nth_element(copy.begin(), copy.begin() + top_n - 1, copy.end(), std::greater<>());
  copy.resize(top_n);
  std::sort(copy.begin(), copy.end(), std::greater<>());
  return copy;
}
const std::vector<int>& expected_top() {
  static const std::vector<int> v = nth_element_top(top_input());
  return v;
}

void BM_top_std_nth_element_sort(benchmark::State& state) {
  for (auto _ : state) {
    auto out = nth_element_top(top_input());
    benchmark::DoNotOptimize(out.data());
  }
  set_items(state, top_size);
}

void BM_top_std_partial_sort_copy(benchmark::State& state) {
  bool same = true;
  for (auto _ : state) {
    std::vector<int> out(top_n);
    std::partial_sort_copy(top_input().begin(), top_input().end(), out.begin(), out.end(), std::greater<>());
    benchmark::DoNotOptimize(out.data());
    same = same && out == expected_top();
  }
  if (!same) state.SkipWithError("partial_sort_copy differs");
  set_items(state, top_size);
}

void BM_top_lineage_seq(benchmark::State& state) {
  bool same = true;
  for (auto _ : state) {
    auto out = top_input() | ln::top(top_n);
    benchmark::DoNotOptimize(out.data());
    same = same && out == expected_top();
  }
  if (!same) state.SkipWithError("ln::top differs from nth_element");
  set_items(state, top_size);
}

void BM_top_lineage_par(benchmark::State& state) {
  bool same = true;
  for (auto _ : state) {
    auto out = top_input() | ln::top(top_n, ln::par);
    benchmark::DoNotOptimize(out.data());
    same = same && out == expected_top();
  }
  if (!same) state.SkipWithError("ln::top(par) differs from nth_element");
  set_items(state, top_size);
}

void BM_top_lineage_sort_by_take(benchmark::State& state) {
  bool same = true;
  for (auto _ : state) {
    auto out = top_input() | ln::sort_by(std::identity{}, ln::descending) | ln::take(top_n);
    benchmark::DoNotOptimize(out.data());
    same = same && out == expected_top();
  }
  if (!same) state.SkipWithError("sort_by | take differs from nth_element");
  set_items(state, top_size);
}

// ---- count_by_value -------------------------------------------------------------------------------
std::unordered_map<int, std::size_t> hand_count(const std::vector<int>& in) {
  std::unordered_map<int, std::size_t> counts;
  for (const int x : in) ++counts[x];
  return counts;
}
const std::unordered_map<int, std::size_t>& expected_counts() {
  static const auto m = hand_count(count_input());
  return m;
}

void BM_count_by_value_hand_unordered_map(benchmark::State& state) {
  for (auto _ : state) {
    auto m = hand_count(count_input());
    benchmark::DoNotOptimize(m.size());
  }
  set_items(state, count_size);
}

void BM_count_by_value_lineage_seq(benchmark::State& state) {
  bool same = true;
  for (auto _ : state) {
    auto m = count_input() | ln::count_by_value();
    benchmark::DoNotOptimize(m.size());
    state.PauseTiming();
    same = same && m.size() == expected_counts().size() &&
           std::all_of(m.begin(), m.end(), [](const auto& kc) { return expected_counts().at(kc.first) == kc.second; });
    state.ResumeTiming();
  }
  if (!same) state.SkipWithError("count_by_value differs from the hand loop");
  set_items(state, count_size);
}

// ---- full_join and cogroup ---------------------------------------------------------------------
std::vector<full_row> hand_full_join(const std::vector<row>& left, const std::vector<row>& right) {
  struct group {
    std::vector<std::int64_t> values;
    bool matched = false;
  };
  std::unordered_map<std::int64_t, group> table;
  std::vector<std::unordered_map<std::int64_t, group>::value_type*> order;
  for (const auto& [k, w] : right) {
    auto [at, inserted] = table.try_emplace(k);
    if (inserted) order.push_back(&*at);
    at->second.values.push_back(w);
  }
  std::vector<full_row> out;
  for (const auto& [k, v] : left) {
    const auto match = table.find(k);
    if (match == table.end()) {
      out.push_back({k, {v, std::nullopt}});
      continue;
    }
    match->second.matched = true;
    for (const auto w : match->second.values) out.push_back({k, {v, w}});
  }
  for (auto* entry : order) {
    if (entry->second.matched) continue;
    for (const auto w : entry->second.values) out.push_back({entry->first, {std::nullopt, w}});
  }
  return out;
}

std::vector<cogroup_row> hand_cogroup(const std::vector<row>& left, const std::vector<row>& right) {
  std::unordered_map<std::int64_t, std::size_t> row_of;
  std::vector<cogroup_row> out;
  const auto at = [&](std::int64_t k) -> cogroup_row& {
    const auto [it, inserted] = row_of.try_emplace(k, out.size());
    if (inserted) out.push_back({k, {}});
    return out[it->second];
  };
  for (const auto& [k, v] : left) at(k).second.first.push_back(v);
  for (const auto& [k, w] : right) at(k).second.second.push_back(w);
  return out;
}

void BM_full_join_hand(benchmark::State& state) {
  for (auto _ : state) {
    auto out = hand_full_join(join_left(), join_right());
    benchmark::DoNotOptimize(out.data());
  }
  set_items(state, 2 * join_side);
}

void BM_full_join_lineage_seq(benchmark::State& state) {
  static const std::size_t expected = hand_full_join(join_left(), join_right()).size();
  bool same = true;
  for (auto _ : state) {
    auto n = join_left() | ln::full_join(join_right()) | ln::count();
    benchmark::DoNotOptimize(n);
    same = same && n == expected;
  }
  if (!same) state.SkipWithError("full_join's row count differs from the hand join's");
  set_items(state, 2 * join_side);
}

void BM_cogroup_hand(benchmark::State& state) {
  for (auto _ : state) {
    auto out = hand_cogroup(join_left(), join_right());
    benchmark::DoNotOptimize(out.data());
  }
  set_items(state, 2 * join_side);
}

void BM_cogroup_lineage_seq(benchmark::State& state) {
  static const std::size_t expected = hand_cogroup(join_left(), join_right()).size();
  bool same = true;
  for (auto _ : state) {
    auto n = join_left() | ln::cogroup(join_right()) | ln::count();
    benchmark::DoNotOptimize(n);
    same = same && n == expected;
  }
  if (!same) state.SkipWithError("cogroup's row count differs from the hand cogroup's");
  set_items(state, 2 * join_side);
}

}  // namespace

BENCHMARK(BM_top_std_nth_element_sort)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_top_std_partial_sort_copy)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_top_lineage_seq)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_top_lineage_par)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_top_lineage_sort_by_take)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_count_by_value_hand_unordered_map)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_count_by_value_lineage_seq)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_full_join_hand)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_full_join_lineage_seq)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cogroup_hand)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_cogroup_lineage_seq)->Unit(benchmark::kMillisecond);
