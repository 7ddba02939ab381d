// Actions (collect, count, reduce, fold, sum, for_each, take, first) against std algorithms and
// hand-written loops, on every kind of source and with every execution policy; early stop of
// take/first; exceptions thrown by user functions.
#include <catch2/catch.hpp>
#include <lineage/lineage.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <mutex>
#include <numeric>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <range/v3/view/iota.hpp>

#include "test_support.hpp"

namespace {

namespace ln = lineage;
using namespace lineage_test;

constexpr auto times_2_plus_1 = [](int x) { return static_cast<long long>(x) * 2 + 1; };
constexpr auto not_multiple_of_3 = [](long long x) { return x % 3 != 0; };

// x -> a*x + b (mod p): composition is associative but not commutative, so a reduce or fold
// with it detects any reordering of the elements.
struct affine {
  static constexpr long long p = 1'000'003;
  long long a = 1;
  long long b = 0;
  friend bool operator==(const affine&, const affine&) = default;
};
// f then g
constexpr affine then(const affine& f, const affine& g) { return {f.a * g.a % affine::p, (g.a * f.b + g.b) % affine::p}; }
constexpr auto to_affine = [](long long x) {
  const long long r = (x % 1000 + 1000) % 1000;
  return affine{r % 97 + 1, r};
};
constexpr auto compose = [](affine f, const affine& g) { return then(f, g); };

// The elements of `source | map(times_2_plus_1) | filter(not_multiple_of_3)`, by a loop.
std::vector<long long> oracle(const std::vector<int>& data) {
  std::vector<long long> out;
  for (int x : data) {
    const long long y = times_2_plus_1(x);
    if (not_multiple_of_3(y)) out.push_back(y);
  }
  return out;
}

// Runs every action with every policy on the pipeline p, whose elements must be `expected`.
template <class P>
void check_actions(const P& p, const std::vector<long long>& expected, const std::string& source) {
  const long long total = std::accumulate(expected.begin(), expected.end(), 0LL);
  std::vector<affine> maps;
  for (long long x : expected) maps.push_back(to_affine(x));
  const affine composed = std::accumulate(maps.begin(), maps.end(), affine{}, then);

  with_policies([&](const std::string& policy, auto pol) {
    INFO("source: " << source << ", policy: " << policy << ", size: " << expected.size());
    CHECK(mismatch(p | ln::collect(pol), expected) == "");
    CHECK((p | ln::count(pol)) == expected.size());
    CHECK((p | ln::sum(pol)) == total);

    const std::optional<long long> reduced = p | ln::reduce([](long long a, long long b) { return a + b; }, pol);
    CHECK(reduced.has_value() == !expected.empty());
    if (reduced) CHECK(*reduced == total);
    const std::optional<affine> reduced_maps = p | ln::map(to_affine) | ln::reduce(compose, pol);
    CHECK(reduced_maps.has_value() == !expected.empty());
    if (reduced_maps) CHECK(*reduced_maps == composed);

    CHECK((p | ln::fold(0LL, [](long long acc, long long x) { return acc + x; }, pol)) == total);
    CHECK((p | ln::map(to_affine) | ln::fold(affine{}, compose, pol)) == composed);

    for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{7}, expected.size(), expected.size() + 5}) {
      INFO("take(" << n << ")");
      const std::vector<long long> prefix(expected.begin(), expected.begin() + static_cast<std::ptrdiff_t>(std::min(n, expected.size())));
      CHECK(mismatch(p | ln::take(n, pol), prefix) == "");
    }
    const std::optional<long long> first = p | ln::first(pol);
    CHECK(first.has_value() == !expected.empty());
    if (first) CHECK(*first == expected.front());

    // for_each: every element once; in order with ln::seq.
    std::mutex mutex;
    std::vector<long long> seen;
    p | ln::for_each(
            [&](long long x) {
              std::lock_guard lock(mutex);
              seen.push_back(x);
            },
            pol);
    if (policy == "seq") {
      CHECK(mismatch(seen, expected) == "");
    } else {
      auto sorted_expected = expected;
      std::sort(seen.begin(), seen.end());
      std::sort(sorted_expected.begin(), sorted_expected.end());
      CHECK(mismatch(seen, sorted_expected) == "");
    }
  });

  // Folds whose accumulator is not the element type, and whose op is not associative: ln::seq.
  std::string expected_text;
  for (long long x : expected) expected_text += std::to_string(x) + ",";
  CHECK((p | ln::fold(std::string(), [](std::string acc, long long x) { return std::move(acc) + std::to_string(x) + ","; })) ==
        expected_text);
  long long poly = 17;
  for (long long x : expected) poly = (poly * 31 + x) % 1'000'000'007;
  CHECK((p | ln::fold(17LL, [](long long acc, long long x) { return (acc * 31 + x) % 1'000'000'007; }, ln::seq)) == poly);
}

}  // namespace

TEST_CASE("every action on every kind of source matches std algorithms", "[actions][par]") {
  for (std::size_t n : sizes) {
    const auto data = random_ints(n, 1001u + static_cast<std::uint32_t>(n));
    const auto expected = oracle(data);
    with_sources(data, [&](const std::string& source, auto&& src) {
      const auto p = std::forward<decltype(src)>(src) | ln::map(times_2_plus_1) | ln::filter(not_multiple_of_3);
      check_actions(p, expected, source);
    });
  }
}

TEST_CASE("actions on std::views::iota and ranges::views::iota sources", "[actions][par]") {
  for (int n : {0, 1, 2, 17, 10'000, 100'003}) {
    std::vector<int> data(static_cast<std::size_t>(n));
    std::iota(data.begin(), data.end(), 0);
    const auto expected = oracle(data);
    check_actions(std::views::iota(0, n) | ln::map(times_2_plus_1) | ln::filter(not_multiple_of_3), expected,
                  "std::views::iota");
    check_actions(ranges::views::iota(0, n) | ln::map(times_2_plus_1) | ln::filter(not_multiple_of_3), expected,
                  "ranges::views::iota");
  }
}

TEST_CASE("actions directly on a source, without a transformation", "[actions][par]") {
  const auto data = random_ints(10'000, 21);
  const long long total = std::accumulate(data.begin(), data.end(), 0LL);
  with_policies([&](const std::string& policy, auto pol) {
    INFO("policy: " << policy);
    CHECK(mismatch(data | ln::collect(pol), data) == "");
    CHECK((data | ln::count(pol)) == data.size());
    CHECK((data | ln::fold(0LL, [](long long a, long long x) { return a + x; }, pol)) == total);
    CHECK((ln::parallelize(data, 7) | ln::sum(pol)) == std::accumulate(data.begin(), data.end(), 0));
    CHECK(mismatch(std::vector<int>(data) | ln::take(100, pol), std::vector<int>(data.begin(), data.begin() + 100)) == "");
    CHECK((std::views::iota(5, 50) | ln::first(pol)) == std::optional<int>(5));
  });
}

TEST_CASE("fold with a non-neutral initial value starts from it once with ln::seq", "[actions]") {
  const auto data = random_ints(1000, 22);
  CHECK((data | ln::fold(1000LL, [](long long acc, int x) { return acc + x; })) ==
        std::accumulate(data.begin(), data.end(), 1000LL));
  // The accumulator type is the initial value's, not the element's.
  CHECK((data | ln::map([](int x) { return x * 0.5; }) | ln::fold(0.25, [](double acc, double x) { return acc + x; })) ==
        Approx(std::accumulate(data.begin(), data.end(), 0.0) * 0.5 + 0.25));
}

TEST_CASE("take and first stop the source loop early with ln::seq", "[actions][take]") {
  constexpr std::size_t big = 100'003;
  const auto data = random_ints(big, 23);
  const auto keep = [](int x) { return x > 900; };  // about 1 in 20

  // The oracle: how many elements the source loop must read to find the first n kept ones.
  const auto reads_for = [&](std::size_t n) {
    std::size_t found = 0;
    for (std::size_t i = 0; i < data.size(); ++i) {
      if (keep(data[i]) && ++found == n) return i + 1;
    }
    return data.size();
  };

  std::atomic<std::size_t> calls{0};
  const auto counted_id = count_calls(calls, [](int x) { return x; });
  for (std::size_t n : {1, 10, 50}) {
    INFO("take(" << n << ")");
    std::vector<int> expected;
    for (int x : data) {
      if (keep(x) && expected.size() < n) expected.push_back(x);
    }
    calls = 0;
    CHECK(mismatch(data | ln::map(counted_id) | ln::filter(keep) | ln::take(n), expected) == "");
    CHECK(calls == reads_for(n));
    CHECK(calls < big / 10);

    calls = 0;
    CHECK(mismatch(ln::parallelize(data, 7) | ln::map(counted_id) | ln::filter(keep) | ln::take(n, ln::seq), expected) ==
          "");
    CHECK(calls == reads_for(n));

    calls = 0;
    CHECK(mismatch(std::views::iota(0, static_cast<int>(big)) |
                       ln::map([&](int i) { return counted_id(data[static_cast<std::size_t>(i)]); }) |
                       ln::filter(keep) | ln::take(n),
                   expected) == "");
    CHECK(calls == reads_for(n));
  }

  calls = 0;
  CHECK((data | ln::map(counted_id) | ln::filter(keep) | ln::first()) == std::optional<int>(data[reads_for(1) - 1]));
  CHECK(calls == reads_for(1));

  // take(0) reads nothing.
  calls = 0;
  CHECK((data | ln::map(counted_id) | ln::take(0)).empty());
  CHECK(calls == 0);

  // A flat_map's inner loop stops too: one outer element, five inner ones.
  std::atomic<std::size_t> outer{0};
  calls = 0;
  const auto inner = data | ln::flat_map(count_calls(outer, [](int x) { return std::views::iota(x, x + 1000); })) |
                     ln::map(counted_id) | ln::take(5);
  CHECK(mismatch(inner, std::vector<int>{data[0], data[0] + 1, data[0] + 2, data[0] + 3, data[0] + 4}) == "");
  CHECK(outer == 1);
  CHECK(calls == 5);
}

TEST_CASE("empty inputs: reduce and first give nullopt, sum and count zero", "[actions][par]") {
  const std::vector<int> empty;
  with_policies([&](const std::string& policy, auto pol) {
    INFO("policy: " << policy);
    CHECK_FALSE((empty | ln::reduce([](int a, int b) { return a + b; }, pol)).has_value());
    CHECK_FALSE((empty | ln::first(pol)).has_value());
    CHECK((empty | ln::sum(pol)) == 0);
    CHECK((empty | ln::count(pol)) == 0);
    CHECK((empty | ln::fold(42, [](int a, int b) { return a + b; }, pol)) == 42);
    CHECK((empty | ln::collect(pol)).empty());
    CHECK((empty | ln::take(3, pol)).empty());
    // A non-empty source whose elements are all filtered out.
    CHECK_FALSE((ln::parallelize(random_ints(10'000, 24), 5) | ln::filter([](int) { return false; }) |
                 ln::reduce([](int a, int b) { return a + b; }, pol))
                    .has_value());
  });
}

TEST_CASE("an exception thrown by a user function propagates out of the action (seq)", "[actions][exceptions]") {
  auto data = random_ints(1000, 25);
  data[500] = 5000;  // the only element equal to 5000: the others are in [-1000, 1000]
  const auto throws_at = [](int at) {
    return [at](int x) {
      if (x == at) throw std::runtime_error("bad element " + std::to_string(x));
      return x;
    };
  };
  const int bad = data[500];
  const std::string message = "bad element " + std::to_string(bad);
  CHECK_THROWS_WITH(data | ln::map(throws_at(bad)) | ln::collect(), message);
  CHECK_THROWS_WITH(data | ln::filter([&](int x) { return throws_at(bad)(x) > 0; }) | ln::count(), message);
  CHECK_THROWS_WITH(data | ln::flat_map([&](int x) { return std::vector<int>{throws_at(bad)(x)}; }) | ln::sum(), message);
  CHECK_THROWS_WITH(data | ln::reduce([&](int a, int x) { return a + throws_at(bad)(x); }), message);
  CHECK_THROWS_WITH(data | ln::fold(0, [&](int a, int x) { return a + throws_at(bad)(x); }), message);
  CHECK_THROWS_WITH(data | ln::for_each([&](int x) { (void)throws_at(bad)(x); }), message);
  CHECK_THROWS_WITH(ln::parallelize(data, 7) | ln::map(throws_at(bad)) | ln::take(1000), message);
  CHECK_THROWS_AS(data | ln::map(throws_at(bad)) | ln::take(501), std::runtime_error);
  // take stops before the bad element is read.
  CHECK_NOTHROW(data | ln::map(throws_at(bad)) | ln::first());
  CHECK_NOTHROW(data | ln::map(throws_at(bad)) | ln::take(500));
  // The pipeline is unharmed: without the bad element the same chain runs.
  CHECK((data | ln::filter([bad](int x) { return x != bad; }) | ln::map(throws_at(bad)) | ln::count()) ==
        static_cast<std::size_t>(std::count_if(data.begin(), data.end(), [bad](int x) { return x != bad; })));
}
