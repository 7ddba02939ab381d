// sort_join: the two wide operators that move whole datasets, against the standard library and
// a hand-written hash join, on the same data:
//
//   sort: 4M std::pair<int64_t, int64_t> with uniformly random keys, ordered by .first, stable.
//         data | ln::sort_by(first) | ln::collect()  vs  copy the vector + std::stable_sort.
//         Both copy the input inside the timed loop (lineage materializes its source partition;
//         the baseline copies the vector it sorts). ln::count() instead of ln::collect() shows
//         the sort without the final copy into the caller's vector.
//   join: 1M x 1M rows (std::pair<int64_t, int64_t>) with keys uniform over 100k distinct values,
//         so ~10 rows per key per side and ~10M output rows (k, (v, w)).
//         left | ln::join(right) | ln::count()  vs  std::unordered_map<K, std::vector<W>> built
//         from the right side, probed with the left, pairs emitted into a std::vector. ln::count()
//         after ln::join runs the whole join (the output rows are materialized by the shuffle's
//         read side); every variant checks its row count against the hand join's.
//         hand_multimap_join is the same join written with std::unordered_multimap
//         (emplace every right row, equal_range per left row).
//
// items_per_second counts input rows. Compare the medians of
// --benchmark_repetitions=5 --benchmark_report_aggregates_only=true from one run.
// Targets: lineage_sort_by_seq <= 1.3x std_stable_sort; lineage_join_seq <= 1.5x hand_hash_join
// and <= 0.9x hand_multimap_join.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <unordered_map>
#include <utility>
#include <vector>

#include <lineage/lineage.hpp>

namespace ln = lineage;

namespace {

using row = std::pair<std::int64_t, std::int64_t>;
using joined = std::pair<std::int64_t, std::pair<std::int64_t, std::int64_t>>;

constexpr std::size_t sort_size = std::size_t{4} << 20;   // 4M rows
constexpr std::size_t join_side = 1'000'000;              // rows per side
constexpr std::int64_t join_keys = 100'000;               // distinct keys

// Keys from `gen`, values = position (so a stable order is visible in the values).
std::vector<row> make_rows(std::size_t n, std::uint64_t seed, std::int64_t key_limit) {
  std::mt19937_64 gen(seed);
  std::uniform_int_distribution<std::int64_t> key(0, key_limit - 1);
  std::vector<row> rows(n);
  for (std::size_t i = 0; i < n; ++i) rows[i] = {key(gen), static_cast<std::int64_t>(i)};
  return rows;
}

const std::vector<row>& sort_input() {
  static const std::vector<row> data = make_rows(sort_size, 20240601, INT64_MAX);
  return data;
}
const std::vector<row>& join_left() {
  static const std::vector<row> data = make_rows(join_side, 1, join_keys);
  return data;
}
const std::vector<row>& join_right() {
  static const std::vector<row> data = make_rows(join_side, 2, join_keys);
  return data;
}

constexpr auto first = [](const row& r) { return r.first; };
constexpr auto by_first = [](const row& a, const row& b) { return a.first < b.first; };

void set_items(benchmark::State& state, std::size_t rows) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(rows));
}

// ---- sort -------------------------------------------------------------------------------

std::vector<row> std_sorted(const std::vector<row>& in) {
  std::vector<row> out = in;
  std::stable_sort(out.begin(), out.end(), by_first);
  return out;
}

const std::vector<row>& expected_sorted() {
  static const std::vector<row> v = std_sorted(sort_input());
  return v;
}

void BM_std_stable_sort(benchmark::State& state) {
  const auto& in = sort_input();
  for (auto _ : state) {
    auto out = std_sorted(in);
    benchmark::DoNotOptimize(out.data());
  }
  set_items(state, sort_size);
}

void BM_lineage_sort_by_seq(benchmark::State& state) {
  const auto& in = sort_input();
  bool same = true;
  for (auto _ : state) {
    auto out = in | ln::sort_by(first) | ln::collect();
    benchmark::DoNotOptimize(out.data());
    state.PauseTiming();
    same = same && out == expected_sorted();
    state.ResumeTiming();
  }
  if (!same) state.SkipWithError("sort_by's result differs from std::stable_sort's");
  set_items(state, sort_size);
}

void BM_lineage_sort_by_seq_count(benchmark::State& state) {
  const auto& in = sort_input();
  for (auto _ : state) {
    auto n = in | ln::sort_by(first) | ln::count();
    benchmark::DoNotOptimize(n);
  }
  set_items(state, sort_size);
}

void BM_lineage_sort_by_par(benchmark::State& state) {
  const auto& in = sort_input();
  bool same = true;
  for (auto _ : state) {
    auto out = in | ln::sort_by(first) | ln::collect(ln::par);
    benchmark::DoNotOptimize(out.data());
    state.PauseTiming();
    same = same && out == expected_sorted();
    state.ResumeTiming();
  }
  if (!same) state.SkipWithError("sort_by's result differs from std::stable_sort's");
  set_items(state, sort_size);
}

// ---- join -------------------------------------------------------------------------------

std::vector<joined> hand_join(const std::vector<row>& left, const std::vector<row>& right) {
  std::unordered_map<std::int64_t, std::vector<std::int64_t>> table;
  for (const auto& [k, w] : right) table[k].push_back(w);
  std::vector<joined> out;
  for (const auto& [k, v] : left) {
    const auto match = table.find(k);
    if (match == table.end()) continue;
    for (const auto w : match->second) out.emplace_back(k, std::pair(v, w));
  }
  return out;
}

std::vector<joined> hand_multimap_join(const std::vector<row>& left, const std::vector<row>& right) {
  std::unordered_multimap<std::int64_t, std::int64_t> table;
  for (const auto& [k, w] : right) table.emplace(k, w);
  std::vector<joined> out;
  for (const auto& [k, v] : left) {
    const auto [first, last] = table.equal_range(k);
    for (auto it = first; it != last; ++it) out.emplace_back(k, std::pair(v, it->second));
  }
  return out;
}

std::size_t expected_join_rows() {
  static const std::size_t n = hand_join(join_left(), join_right()).size();
  return n;
}

void finish_join(benchmark::State& state, std::size_t rows) {
  if (rows != expected_join_rows()) state.SkipWithError("join row count differs from the hand join's");
  state.counters["out_rows"] = static_cast<double>(rows);
  set_items(state, 2 * join_side);
}

void BM_hand_hash_join(benchmark::State& state) {
  const auto& left = join_left();
  const auto& right = join_right();
  std::size_t rows = 0;
  for (auto _ : state) {
    auto out = hand_join(left, right);
    rows = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  finish_join(state, rows);
}

void BM_hand_multimap_join(benchmark::State& state) {
  const auto& left = join_left();
  const auto& right = join_right();
  std::size_t rows = 0;
  for (auto _ : state) {
    auto out = hand_multimap_join(left, right);
    rows = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  finish_join(state, rows);
}

void BM_lineage_join_seq(benchmark::State& state) {
  const auto& left = join_left();
  const auto& right = join_right();
  std::size_t rows = 0;
  for (auto _ : state) {
    rows = left | ln::join(right) | ln::count();
    benchmark::DoNotOptimize(rows);
  }
  finish_join(state, rows);
}

// The same join, the output rows copied into one vector for the caller.
void BM_lineage_join_seq_collect(benchmark::State& state) {
  const auto& left = join_left();
  const auto& right = join_right();
  std::size_t rows = 0;
  for (auto _ : state) {
    auto out = left | ln::join(right) | ln::collect();
    rows = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  finish_join(state, rows);
}

void BM_lineage_join_par(benchmark::State& state) {
  const auto& left = join_left();
  const auto& right = join_right();
  std::size_t rows = 0;
  for (auto _ : state) {
    rows = left | ln::join(right) | ln::count(ln::par);
    benchmark::DoNotOptimize(rows);
  }
  finish_join(state, rows);
}

}  // namespace

BENCHMARK(BM_std_stable_sort)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_lineage_sort_by_seq)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_lineage_sort_by_seq_count)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_lineage_sort_by_par)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_hand_hash_join)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_hand_multimap_join)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_lineage_join_seq)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_lineage_join_seq_collect)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_lineage_join_par)->Unit(benchmark::kMillisecond)->UseRealTime();
