// flat_map_pipeline: flat_map | filter | sum over 2^24 int64_t, each element expanded to three,
// written with lineage (ln::seq and ln::par), a hand-written loop, range-v3 views::for_each and
// std::views::join.
//
//   x -> {x, x + 1, x * 2} -> keep y % 3 != 0 -> sum (int64_t)
//
// Every case reports items_per_second over the 2^24 input elements (3 * 2^24 reach the filter).
// Compare the medians of --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
// from one run.
//
// Results go through benchmark::DoNotOptimize(const T&): with GCC 12, the non-const overload of
// Google Benchmark 1.7.1 (an asm with the two-alternative in-out constraint "+m,r") was seen to
// drop the store of a double computed by an out-of-line kernel and report garbage. Each case
// also checks its last result against the hand loop's (SkipWithError on a mismatch).
#include <benchmark/benchmark.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <ranges>
#include <utility>
#include <vector>

#include <lineage/lineage.hpp>
#include <range/v3/numeric/accumulate.hpp>
#include <range/v3/view/concat.hpp>
#include <range/v3/view/filter.hpp>
#include <range/v3/view/for_each.hpp>
#include <range/v3/view/single.hpp>

namespace ln = lineage;

namespace {

constexpr std::size_t input_size = std::size_t{1} << 24;

// The input, generated once (fixed seed) outside every timed loop. |x| < 2^30, so no sum of
// the 3 * 2^24 values can overflow int64_t.
const std::vector<std::int64_t>& input() {
  static const std::vector<std::int64_t> data = [] {
    std::mt19937_64 gen(20240602);
    std::uniform_int_distribution<std::int64_t> dist(-(std::int64_t{1} << 30), std::int64_t{1} << 30);
    std::vector<std::int64_t> v(input_size);
    for (auto& x : v) x = dist(gen);
    return v;
  }();
  return data;
}

constexpr auto expand = [](std::int64_t x) { return std::array<std::int64_t, 3>{x, x + 1, x * 2}; };
constexpr auto keep = [](std::int64_t y) { return y % 3 != 0; };

// The hand loop's result, computed once: every variant must reproduce it exactly.
std::int64_t reference() {
  static const std::int64_t total = [] {
    std::int64_t t = 0;
    for (const std::int64_t x : input()) {
      for (const std::int64_t y : expand(x)) {
        if (keep(y)) t += y;
      }
    }
    return t;
  }();
  return total;
}

// Sets the items processed and checks the result of the last iteration.
void finish(benchmark::State& state, std::int64_t total) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(input_size));
  if (total != reference()) state.SkipWithError("wrong result");
}

void BM_lineage_seq(benchmark::State& state) {
  const auto& v = input();
  std::int64_t total = 0;
  for (auto _ : state) {
    total = v | ln::flat_map(expand) | ln::filter(keep) | ln::sum();
    benchmark::DoNotOptimize(std::as_const(total));
  }
  finish(state, total);
}

void BM_lineage_par(benchmark::State& state) {
  const auto& v = input();
  std::int64_t total = 0;
  for (auto _ : state) {
    total = v | ln::flat_map(expand) | ln::filter(keep) | ln::sum(ln::par);
    benchmark::DoNotOptimize(std::as_const(total));
  }
  finish(state, total);
}

// The straightforward loop one would write by hand.
void BM_hand_loop(benchmark::State& state) {
  const auto& v = input();
  std::int64_t total = 0;
  for (auto _ : state) {
    total = 0;
    for (const std::int64_t x : v) {
      const std::int64_t ys[] = {x, x + 1, x * 2};
      for (const std::int64_t y : ys) {
        if (y % 3 != 0) total += y;
      }
    }
    benchmark::DoNotOptimize(std::as_const(total));
  }
  finish(state, total);
}

// range-v3's idiom: views::for_each yielding the three values.
void BM_range_v3_for_each(benchmark::State& state) {
  const auto& v = input();
  std::int64_t total = 0;
  for (auto _ : state) {
    auto view = v | ranges::views::for_each([](std::int64_t x) {
                  return ranges::views::concat(ranges::yield(x), ranges::yield(x + 1), ranges::yield(x * 2));
                }) |
                ranges::views::filter(keep);
    total = ranges::accumulate(view, std::int64_t{0});
    benchmark::DoNotOptimize(std::as_const(total));
  }
  finish(state, total);
}

// std::views::join of prvalue ranges needs class template argument deduction for aggregates
// inside libstdc++ 12's <ranges>, which clang 16 lacks: the case only exists where it compiles.
#if !defined(__clang__) || __clang_major__ >= 17
#define LINEAGE_BENCH_STD_JOIN 1
void BM_std_join(benchmark::State& state) {
  const auto& v = input();
  std::int64_t total = 0;
  for (auto _ : state) {
    total = 0;
    for (const std::int64_t y : v | std::views::transform(expand) | std::views::join | std::views::filter(keep)) {
      total += y;
    }
    benchmark::DoNotOptimize(std::as_const(total));
  }
  finish(state, total);
}
#endif

}  // namespace

BENCHMARK(BM_lineage_seq)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_lineage_par)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_hand_loop)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_range_v3_for_each)->Unit(benchmark::kMillisecond);
#ifdef LINEAGE_BENCH_STD_JOIN
BENCHMARK(BM_std_join)->Unit(benchmark::kMillisecond);
#endif
