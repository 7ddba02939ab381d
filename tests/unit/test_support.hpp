#pragma once
// Shared helpers of the core DSL tests: seeded inputs, every kind of source, every execution
// policy, counting function objects, and a readable vector comparison. Header only: the test
// sources are globbed from tests/unit/*.cpp, this file is included by them.
#include <catch2/catch.hpp>
#include <lineage/lineage.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <random>
#include <ranges>
#include <string>
#include <utility>
#include <vector>

#include <range/v3/view/iota.hpp>
#include <range/v3/view/transform.hpp>

namespace lineage_test {

namespace ln = lineage;

// Sizes every behaviour test runs: empty, one element, a few, and two sizes large enough for
// ln::par to split a random-access source into partitions (see core/source.hpp: 10'000 gives
// 2 partitions, 30'011 gives 3 with ln::par(3)). 100'003 appears in the tests of partitioning
// and early stop (parallel_test.cpp, actions_test.cpp); the whole matrix at that size would
// cost seconds under ThreadSanitizer for no new coverage.
inline constexpr std::size_t sizes[] = {0, 1, 2, 17, 10'000, 30'011};

// Seeded random ints in [lo, hi]: small enough that sums of 100'003 of them fit an int.
inline std::vector<int> random_ints(std::size_t n, std::uint32_t seed, int lo = -1000, int hi = 1000) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> dist(lo, hi);
  std::vector<int> out(n);
  for (auto& x : out) x = dist(gen);
  return out;
}

// x mod m in [0, m), also for negative x.
constexpr int mod(int x, int m) { return ((x % m) + m) % m; }

// Calls test(description, source) once for each kind of source holding `data`'s elements in
// order: a borrowed lvalue vector, an owned rvalue vector, a std view (elements by value), a
// range-v3 view (elements by const reference), and ln::parallelize(data, k) for several k.
// The views are random-access and sized, so ln::par splits them like vectors.
template <class T, class Test>
void with_sources(const std::vector<T>& data, Test&& test) {
  {
    std::vector<T> lvalue = data;
    test(std::string("lvalue vector"), lvalue);
  }
  test(std::string("rvalue vector"), std::vector<T>(data));
  const int n = static_cast<int>(data.size());
  test(std::string("std view"),
       std::views::iota(0, n) | std::views::transform([&data](int i) { return data[static_cast<std::size_t>(i)]; }));
  test(std::string("range-v3 view"), ranges::views::iota(0, n) | ranges::views::transform([&data](int i) -> const T& {
                                       return data[static_cast<std::size_t>(i)];
                                     }));
  for (std::size_t k : {1, 2, 7, 64}) {
    test("parallelize(v, " + std::to_string(k) + ")", ln::parallelize(data, k));
  }
}

// Calls fn(description, policy) for ln::seq, ln::par and ln::par(3).
template <class Fn>
void with_policies(Fn&& fn) {
  fn(std::string("seq"), ln::seq);
  fn(std::string("par"), ln::par);
  fn(std::string("par(3)"), ln::par(3));
}

// "" when a == b, else where they first differ (Catch would print every element otherwise).
template <class A, class B>
std::string mismatch(const A& got, const B& expected) {
  if (got.size() != expected.size()) {
    return "size " + std::to_string(got.size()) + " != expected " + std::to_string(expected.size());
  }
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (!(got[i] == expected[i])) {
      return "at " + std::to_string(i) + ": " + Catch::Detail::stringify(got[i]) +
             " != expected " + Catch::Detail::stringify(expected[i]);
    }
  }
  return "";
}

// A function object that counts its calls in a counter shared by all its copies.
template <class F>
struct counted {
  F f;
  std::atomic<std::size_t>* calls;
  template <class... A>
  decltype(auto) operator()(A&&... a) const {
    calls->fetch_add(1, std::memory_order_relaxed);
    return std::invoke(f, std::forward<A>(a)...);
  }
};
template <class F>
counted<F> count_calls(std::atomic<std::size_t>& calls, F f) {
  return {std::move(f), &calls};
}

// An element type that counts its copies (moves are free), to prove that data is not copied.
struct tracked {
  static inline std::atomic<std::size_t> copies{0};
  int value = 0;
  tracked() = default;
  explicit tracked(int v) : value(v) {}
  tracked(const tracked& other) : value(other.value) { copies.fetch_add(1, std::memory_order_relaxed); }
  tracked(tracked&&) noexcept = default;
  tracked& operator=(const tracked& other) {
    value = other.value;
    copies.fetch_add(1, std::memory_order_relaxed);
    return *this;
  }
  tracked& operator=(tracked&&) noexcept = default;
  ~tracked() = default;
};

}  // namespace lineage_test
