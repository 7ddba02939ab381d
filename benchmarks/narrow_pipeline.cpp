// narrow_pipeline: map | filter | map | sum over 2^24 int64_t, the same computation written
// with lineage (ln::seq and ln::par), a hand-written loop, range-v3 views, std::ranges views,
// and "eager" code that materializes one std::vector per stage.
//
//   x -> y = x * 3 + 1 -> keep y % 5 != 0 -> double(y) * 0.5 -> sum (double)
//
// Every case reports items_per_second over the 2^24 input elements. Compare the medians of
// --benchmark_repetitions=5 --benchmark_report_aggregates_only=true from one run.
//
// The BM_expensive_* cases run map(f) | filter(p) | sum over 2^20 elements where f costs ~50 ns
// (a chain of multiply-xorshift rounds): what calling each user function once per element is
// worth. Pull-based views (range-v3, std::ranges) call f once in the filter's test and again
// when the sum reads a kept element; the counter calls_per_element shows it (measured once,
// outside the timed loop, with a counting f).
//
// Results go through benchmark::DoNotOptimize(const T&): with GCC 12, the non-const overload of
// Google Benchmark 1.7.1 (an asm with the two-alternative in-out constraint "+m,r") was seen to
// drop the store of a double computed by an out-of-line kernel and report garbage. Each case
// also checks its last result against the hand loop's (SkipWithError on a mismatch).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <numeric>
#include <random>
#include <ranges>
#include <span>
#include <utility>
#include <vector>

#include <lineage/lineage.hpp>
#include <range/v3/numeric/accumulate.hpp>
#include <range/v3/view/filter.hpp>
#include <range/v3/view/transform.hpp>

namespace ln = lineage;

namespace {

constexpr std::size_t input_size = std::size_t{1} << 24;

// The input, generated once (fixed seed) outside every timed loop. Values stay far from the
// int64_t limits so that x * 3 + 1 never overflows.
const std::vector<std::int64_t>& input() {
  static const std::vector<std::int64_t> data = [] {
    std::mt19937_64 gen(20240601);
    std::uniform_int_distribution<std::int64_t> dist(-1'000'000'000'000, 1'000'000'000'000);
    std::vector<std::int64_t> v(input_size);
    for (auto& x : v) x = dist(gen);
    return v;
  }();
  return data;
}

// The three stages, shared by every variant.
constexpr auto stage1 = [](std::int64_t x) { return x * 3 + 1; };
constexpr auto keep = [](std::int64_t y) { return y % 5 != 0; };
constexpr auto stage2 = [](std::int64_t y) { return static_cast<double>(y) * 0.5; };

// The hand loop's result, computed once: every variant must reproduce it (ln::par adds the
// partition sums in another association, so it may differ in the last bits).
double reference() {
  static const double total = [] {
    double t = 0.0;
    for (const std::int64_t x : input()) {
      const std::int64_t y = x * 3 + 1;
      if (y % 5 != 0) t += static_cast<double>(y) * 0.5;
    }
    return t;
  }();
  return total;
}

// Sets the items processed and checks the result of the last iteration.
void finish(benchmark::State& state, double total, bool exact = true) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(input_size));
  const double ref = reference();
  if (exact ? total != ref : std::abs(total - ref) > 1e-9 * std::abs(ref)) state.SkipWithError("wrong result");
}

void BM_lineage_seq(benchmark::State& state) {
  const auto& v = input();
  double total = 0.0;
  for (auto _ : state) {
    total = v | ln::map(stage1) | ln::filter(keep) | ln::map(stage2) | ln::sum();
    benchmark::DoNotOptimize(std::as_const(total));
  }
  finish(state, total);
}

// Partition sums are added in partition order: the last bits may differ from ln::seq.
void BM_lineage_par(benchmark::State& state) {
  const auto& v = input();
  double total = 0.0;
  for (auto _ : state) {
    total = v | ln::map(stage1) | ln::filter(keep) | ln::map(stage2) | ln::sum(ln::par);
    benchmark::DoNotOptimize(std::as_const(total));
  }
  finish(state, total, /*exact=*/false);
}

// The straightforward loop one would write by hand.
void BM_hand_loop(benchmark::State& state) {
  const auto& v = input();
  double total = 0.0;
  for (auto _ : state) {
    total = 0.0;
    for (const std::int64_t x : v) {
      const std::int64_t y = x * 3 + 1;
      if (y % 5 != 0) total += static_cast<double>(y) * 0.5;
    }
    benchmark::DoNotOptimize(std::as_const(total));
  }
  finish(state, total);
}

void BM_range_v3(benchmark::State& state) {
  const auto& v = input();
  double total = 0.0;
  for (auto _ : state) {
    auto view = v | ranges::views::transform(stage1) | ranges::views::filter(keep) | ranges::views::transform(stage2);
    total = ranges::accumulate(view, 0.0);
    benchmark::DoNotOptimize(std::as_const(total));
  }
  finish(state, total);
}

void BM_std_ranges(benchmark::State& state) {
  const auto& v = input();
  double total = 0.0;
  for (auto _ : state) {
    total = 0.0;
    for (const double d : v | std::views::transform(stage1) | std::views::filter(keep) | std::views::transform(stage2)) {
      total += d;
    }
    benchmark::DoNotOptimize(std::as_const(total));
  }
  finish(state, total);
}

// One vector per stage, as eager collection libraries (or naive code) do.
void BM_eager(benchmark::State& state) {
  const auto& v = input();
  double total = 0.0;
  for (auto _ : state) {
    std::vector<std::int64_t> mapped(v.size());
    std::transform(v.begin(), v.end(), mapped.begin(), stage1);
    std::vector<std::int64_t> kept;
    kept.reserve(mapped.size());
    std::copy_if(mapped.begin(), mapped.end(), std::back_inserter(kept), keep);
    std::vector<double> halves(kept.size());
    std::transform(kept.begin(), kept.end(), halves.begin(), stage2);
    total = std::accumulate(halves.begin(), halves.end(), 0.0);
    benchmark::DoNotOptimize(std::as_const(total));
  }
  finish(state, total);
}

// ---- an expensive map ----------------------------------------------------------------------

constexpr std::size_t expensive_size = std::size_t{1} << 20;
constexpr int expensive_rounds = 70;  // ~50 ns per call on this project's machine

constexpr auto expensive = [](std::int64_t x) {
  auto h = static_cast<std::uint64_t>(x);
  for (int i = 0; i < expensive_rounds; ++i) {
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
  }
  return static_cast<std::int64_t>(h >> 1);
};

std::span<const std::int64_t> expensive_input() { return {input().data(), expensive_size}; }

// The four ways, each a function of the map so that calls can be counted with the same code.
template <class F>
std::int64_t expensive_lineage(const F& f) {
  return expensive_input() | ln::map(f) | ln::filter(keep) | ln::sum();
}
template <class F>
std::int64_t expensive_hand(const F& f) {
  std::int64_t total = 0;
  for (const std::int64_t x : expensive_input()) {
    const std::int64_t y = f(x);
    if (keep(y)) total += y;
  }
  return total;
}
template <class F>
std::int64_t expensive_range_v3(const F& f) {
  return ranges::accumulate(expensive_input() | ranges::views::transform(f) | ranges::views::filter(keep),
                            std::int64_t{0});
}
template <class F>
std::int64_t expensive_std_ranges(const F& f) {
  std::int64_t total = 0;
  for (const std::int64_t y : expensive_input() | std::views::transform(f) | std::views::filter(keep)) total += y;
  return total;
}

// Way: a generic callable running one of the four ways with the map it is given.
template <class Way>
void expensive_case(benchmark::State& state, const Way& way) {
  std::int64_t total = 0;
  for (auto _ : state) {
    total = way(expensive);
    benchmark::DoNotOptimize(std::as_const(total));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(expensive_size));
  std::size_t calls = 0;
  const auto counting = [&calls](std::int64_t x) {
    ++calls;
    return expensive(x);
  };
  if (way(counting) != total || total != expensive_hand(expensive)) state.SkipWithError("wrong result");
  state.counters["calls_per_element"] = static_cast<double>(calls) / static_cast<double>(expensive_size);
}

void BM_expensive_lineage_seq(benchmark::State& state) {
  expensive_case(state, [](const auto& f) { return expensive_lineage(f); });
}
void BM_expensive_hand_loop(benchmark::State& state) {
  expensive_case(state, [](const auto& f) { return expensive_hand(f); });
}
void BM_expensive_range_v3(benchmark::State& state) {
  expensive_case(state, [](const auto& f) { return expensive_range_v3(f); });
}
void BM_expensive_std_ranges(benchmark::State& state) {
  expensive_case(state, [](const auto& f) { return expensive_std_ranges(f); });
}

}  // namespace

BENCHMARK(BM_lineage_seq)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_lineage_par)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_hand_loop)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_range_v3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_std_ranges)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_eager)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_expensive_lineage_seq)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_expensive_hand_loop)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_expensive_range_v3)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_expensive_std_ranges)->Unit(benchmark::kMillisecond);
