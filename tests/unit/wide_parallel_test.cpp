// Every wide operator gives the same result under ln::seq, ln::par and ln::par(3): from sources
// of 1, 2, 7 and 64 partitions (ln::parallelize) and from a vector that ln::par splits itself,
// with the default partitioner and with ln::partitioner{n} for n in {1, 2, 7, 64}; chains with
// two shuffles; and an exception thrown by a user function in a stage before a shuffle reaches
// the caller. All test cases are tagged [par]: the ThreadSanitizer build runs exactly these.
//
// Results are compared with an oracle (so with each other); hash-based outputs as sorted
// vectors, sort_by and repartition in order.
#include "wide_test_support.hpp"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace wide_test;

// Large enough for ln::par(3) to split a vector into three partitions (core/source.hpp splits
// random-access sources into one partition per 4096 elements, at most one per thread).
constexpr std::size_t par_size = 12'500;
constexpr std::size_t source_partitions[] = {1, 2, 7, 64};
constexpr std::size_t shuffle_partitions[] = {1, 2, 7, 64};

const auto plus = [](int a, int b) { return a + b; };

// Calls fn(description, source): `data` as a vector (partitioned by ln::par itself) and as
// ln::parallelize(data, k) for every k of source_partitions.
template <class T, class Fn>
void for_each_par_source(const std::vector<T>& data, Fn&& fn) {
  fn(std::string("vector"), data);
  for (std::size_t k : source_partitions) fn("parallelize(v, " + std::to_string(k) + ")", ln::parallelize(data, k));
}

// Calls check(description, source, policy) for every source and policy.
template <class T, class Check>
void for_each_source_and_policy(const std::vector<T>& data, Check&& check) {
  for_each_par_source(data, [&](const std::string& source, auto&& src) {
    for_each_policy([&](const std::string& policy, auto pol) { check(source + " / " + policy, src, pol); });
  });
}

// Calls check(description, partitioner, source, policy) with ln::partitioner{n} for every n of
// shuffle_partitions, from a vector and from a 7-partition source, under every policy.
template <class T, class Check>
void for_each_partitioner(const std::vector<T>& data, Check&& check) {
  const auto seven = ln::parallelize(data, 7);
  for (std::size_t n : shuffle_partitions) {
    for_each_policy([&](const std::string& policy, auto pol) {
      const std::string what = "partitioner{" + std::to_string(n) + "} / " + policy;
      check("vector / " + what, ln::partitioner{n}, data, pol);
      check("parallelize(v, 7) / " + what, ln::partitioner{n}, seven, pol);
    });
  }
}

}  // namespace

// ---- by-key operators -----------------------------------------------------------------------

TEST_CASE("wide par: reduce_by_key is the same under seq, par and par(3)", "[wide][par][reduce_by_key]") {
  const auto data = keyed(shape::random, par_size, 1001);
  const auto expected = oracle_reduce_by_key(data, plus);
  for_each_source_and_policy(data, [&](const std::string& what, const auto& src, auto pol) {
    INFO(what);
    WIDE_CHECK_SAME(sorted(src | ln::reduce_by_key(plus) | ln::collect(pol)), expected);
  });
  for_each_partitioner(data, [&](const std::string& what, auto part, const auto& src, auto pol) {
    INFO(what);
    const auto cp = src | ln::reduce_by_key(plus, part) | ln::local_checkpoint(pol);
    CHECK(cp.partitions() == part.partitions);
    WIDE_CHECK_SAME(sorted(cp | ln::collect(pol)), expected);
  });
}

TEST_CASE("wide par: group_by_key is the same under seq, par and par(3), values in order",
          "[wide][par][group_by_key]") {
  const auto data = keyed(shape::skewed, par_size, 1002);
  const auto expected = oracle_group_by_key(data);  // partitions are contiguous: input order
  for_each_source_and_policy(data, [&](const std::string& what, const auto& src, auto pol) {
    INFO(what);
    WIDE_CHECK_SAME(sorted(src | ln::group_by_key() | ln::collect(pol)), expected);
  });
  for_each_partitioner(data, [&](const std::string& what, auto part, const auto& src, auto pol) {
    INFO(what);
    const auto cp = src | ln::group_by_key(part) | ln::local_checkpoint(pol);
    CHECK(cp.partitions() == part.partitions);
    WIDE_CHECK_SAME(sorted(cp | ln::collect(pol)), expected);
  });
}

TEST_CASE("wide par: aggregate_by_key is the same under seq, par and par(3)", "[wide][par][aggregate_by_key]") {
  using acc = std::pair<long, int>;  // (sum, count)
  const auto seq_op = [](acc u, int v) { return acc{u.first + v, u.second + 1}; };
  const auto comb_op = [](acc a, const acc& b) { return acc{a.first + b.first, a.second + b.second}; };
  const auto data = keyed(shape::random, par_size, 1003);
  std::map<int, acc> folded;
  for (const auto& [k, v] : data) {
    auto& u = folded.try_emplace(k, acc{0, 0}).first->second;
    u = acc{u.first + v, u.second + 1};
  }
  const auto expected = to_vector(folded);
  for_each_source_and_policy(data, [&](const std::string& what, const auto& src, auto pol) {
    INFO(what);
    WIDE_CHECK_SAME(sorted(src | ln::aggregate_by_key(acc{0, 0}, seq_op, comb_op) | ln::collect(pol)), expected);
  });
  for_each_partitioner(data, [&](const std::string& what, auto part, const auto& src, auto pol) {
    INFO(what);
    WIDE_CHECK_SAME(sorted(src | ln::aggregate_by_key(acc{0, 0}, seq_op, comb_op, part) | ln::collect(pol)), expected);
  });
}

TEST_CASE("wide par: count_by_key is the same under seq, par and par(3)", "[wide][par][count_by_key]") {
  const auto data = keyed(shape::skewed, par_size, 1004);
  const auto expected = oracle_count_by_key(data);
  for_each_source_and_policy(data, [&](const std::string& what, const auto& src, auto pol) {
    INFO(what);
    WIDE_CHECK_SAME(sorted_counts(src | ln::count_by_key(pol)), expected);
    WIDE_CHECK_SAME(sorted_counts(src | ln::repartition(5) | ln::count_by_key(pol)), expected);
  });
}

// ---- distinct, sort_by, repartition -------------------------------------------------------------

TEST_CASE("wide par: distinct is the same under seq, par and par(3)", "[wide][par][distinct]") {
  std::vector<int> data;
  for (const auto& [k, v] : keyed(shape::random, par_size, 1005)) data.push_back(k % 500 + v);
  const std::set<int> unique(data.begin(), data.end());
  const std::vector<int> expected(unique.begin(), unique.end());
  for_each_source_and_policy(data, [&](const std::string& what, const auto& src, auto pol) {
    INFO(what);
    WIDE_CHECK_SAME(sorted(src | ln::distinct() | ln::collect(pol)), expected);
  });
  for_each_partitioner(data, [&](const std::string& what, auto part, const auto& src, auto pol) {
    INFO(what);
    const auto cp = src | ln::distinct(part) | ln::local_checkpoint(pol);
    CHECK(cp.partitions() == part.partitions);
    WIDE_CHECK_SAME(sorted(cp | ln::collect(pol)), expected);
  });
}

TEST_CASE("wide par: sort_by is the same stable sort under seq, par and par(3)", "[wide][par][sort_by]") {
  // (key, position), keys with many ties: stability across partitions is visible.
  std::vector<kv> data;
  const auto keyed_data = keyed(shape::random, par_size, 1006);
  for (std::size_t i = 0; i < keyed_data.size(); ++i) data.emplace_back(keyed_data[i].first % 50, static_cast<int>(i));
  auto asc = data;
  std::stable_sort(asc.begin(), asc.end(), [](const kv& a, const kv& b) { return a.first < b.first; });
  auto desc = data;
  std::stable_sort(desc.begin(), desc.end(), [](const kv& a, const kv& b) { return a.first > b.first; });
  const auto key = [](const kv& x) { return x.first; };
  for_each_source_and_policy(data, [&](const std::string& what, const auto& src, auto pol) {
    INFO(what);
    WIDE_CHECK_SAME(src | ln::sort_by(key) | ln::collect(pol), asc);
    WIDE_CHECK_SAME(src | ln::sort_by(key, ln::descending) | ln::collect(pol), desc);
  });
}

TEST_CASE("wide par: repartition(n) keeps the order under seq, par and par(3)", "[wide][par][repartition]") {
  const auto data = keyed(shape::random, par_size, 1007);
  for_each_source_and_policy(data, [&](const std::string& what, const auto& src, auto pol) {
    for (std::size_t n : shuffle_partitions) {
      INFO(what << " / repartition(" << n << ")");
      const auto cp = src | ln::repartition(n) | ln::local_checkpoint(pol);
      CHECK(cp.partitions() == n);
      WIDE_CHECK_SAME(cp | ln::collect(pol), data);
      if (n == 7) {
        WIDE_CHECK_SAME(src | ln::repartition(n) | ln::map([](const kv& x) { return x; }) | ln::collect(pol), data);
      }
    }
  });
}

// ---- joins -----------------------------------------------------------------------------------

TEST_CASE("wide par: join and left_join are the same under seq, par and par(3)", "[wide][par][join]") {
  // Left keys in [0, 1200), right keys in [600, 1800): duplicates on both sides (2 or 3 per key
  // on the left, one or two on the right), keys missing on both sides.
  std::vector<kv> left = keyed(shape::random, 3000, 1008);
  for (std::size_t i = 0; i < left.size(); ++i) left[i].first = static_cast<int>((i * 7919) % 1200);
  std::vector<kv> right = keyed(shape::random, 2000, 1009);
  for (std::size_t i = 0; i < right.size(); ++i) right[i].first = 600 + static_cast<int>((i * 104729) % 1200);
  const auto expected_join = sorted(oracle_join(left, right));
  const auto expected_left = sorted(oracle_left_join(left, right));
  for_each_source_and_policy(left, [&](const std::string& what, const auto& src, auto pol) {
    INFO(what << " / right: parallelize(right, 7)");
    const auto other = ln::parallelize(right, 7);
    WIDE_CHECK_SAME(sorted(src | ln::join(other) | ln::collect(pol)), expected_join);
    WIDE_CHECK_SAME(sorted(src | ln::left_join(other) | ln::collect(pol)), expected_left);
  });
  for_each_partitioner(left, [&](const std::string& what, auto part, const auto& src, auto pol) {
    INFO(what);
    const auto cp = src | ln::join(right, part) | ln::local_checkpoint(pol);
    CHECK(cp.partitions() == part.partitions);
    WIDE_CHECK_SAME(sorted(cp | ln::collect(pol)), expected_join);
    WIDE_CHECK_SAME(sorted(src | ln::left_join(ln::parallelize(right, 3), part) | ln::collect(pol)), expected_left);
  });
}

TEST_CASE("wide par: by-key operators on key-partitioned input are the same under every policy",
          "[wide][par][key_partitioning]") {
  const auto data = keyed(shape::random, par_size, 1012);
  const auto positive = [](const kv& x) { return x.second > 0; };
  const auto rekey = [](const kv& x) { return kv(((x.second % 13) + 13) % 13, x.first); };
  std::vector<kv> sums_positive;
  std::vector<kv> rekeyed;
  for (const auto& x : oracle_reduce_by_key(data, plus)) {
    if (x.second > 0) sums_positive.push_back(x);
    rekeyed.push_back(rekey(x));
  }
  const auto rekeyed_sums = oracle_reduce_by_key(rekeyed, plus);
  for_each_source_and_policy(data, [&](const std::string& what, const auto& src, auto pol) {
    INFO(what);
    WIDE_CHECK_SAME(sorted(src | ln::reduce_by_key(plus) | ln::filter(positive) | ln::reduce_by_key(plus) |
                           ln::collect(pol)),
                    sums_positive);
    WIDE_CHECK_SAME(sorted(src | ln::reduce_by_key(plus) | ln::map(rekey) | ln::reduce_by_key(plus) | ln::collect(pol)),
                    rekeyed_sums);
    const auto cp = src | ln::reduce_by_key(plus) | ln::local_checkpoint(pol);
    WIDE_CHECK_SAME(sorted(cp | ln::filter(positive) | ln::group_by_key() |
                           ln::map_values([](const std::vector<int>& vs) { return vs.front(); }) | ln::collect(pol)),
                    sums_positive);
  });
}

// ---- chains, exceptions ------------------------------------------------------------------------

TEST_CASE("wide par: map | reduce_by_key | map | sort_by | collect is the same under every policy",
          "[wide][par][chain]") {
  const auto data = keyed(shape::skewed, par_size, 1010);
  // Sum per key, then (sum, key) sorted by sum descending: a total order, so one answer.
  std::map<int, long> sums;
  for (const auto& [k, v] : data) sums[k] += v * 3;
  std::vector<std::pair<long, int>> expected;
  for (const auto& [k, s] : sums) expected.emplace_back(s, k);
  std::sort(expected.begin(), expected.end(), std::greater<>{});

  const auto to_pair = [](const kv& x) { return std::pair<int, long>(x.first, x.second * 3L); };
  const auto swap = [](const std::pair<int, long>& x) { return std::pair<long, int>(x.second, x.first); };
  const auto by_value = [](const std::pair<long, int>& x) { return x; };
  for_each_source_and_policy(data, [&](const std::string& what, const auto& src, auto pol) {
    INFO(what);
    const auto p = src | ln::map(to_pair) | ln::reduce_by_key(std::plus<long>{}) | ln::map(swap) |
                   ln::sort_by(by_value, ln::descending);
    WIDE_CHECK_SAME(p | ln::collect(pol), expected);
    // The same with three shuffles, the middle one with an explicit partition count.
    const auto q = src | ln::map(to_pair) | ln::reduce_by_key(std::plus<long>{}, ln::partitioner{7}) | ln::map(swap) |
                   ln::repartition(3) | ln::sort_by(by_value, ln::descending);
    WIDE_CHECK_SAME(q | ln::collect(pol), expected);
  });
}

TEST_CASE("wide par: an exception in a stage before a shuffle reaches the caller", "[wide][par][exception]") {
  std::vector<int> data(par_size);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<int>(i);
  const auto boom_at = [](int bad) {
    return [bad](int x) {
      if (x == bad) throw std::runtime_error("boom at " + std::to_string(bad));
      return kv(x % 100, x);
    };
  };
  const auto explode_every_100 = [](int x) {  // many tasks throw at once
    if (x % 100 == 99) throw std::runtime_error("boom");
    return x % 10;
  };
  const std::vector<kv> right{{1, 1}, {2, 2}};
  for_each_par_source(data, [&](const std::string& source, const auto& src) {
    for_each_policy([&](const std::string& policy, auto pol) {
      INFO(source << " / " << policy);
      const int last = static_cast<int>(par_size) - 1;
      CHECK_THROWS_WITH(src | ln::map(boom_at(last)) | ln::reduce_by_key(plus) | ln::collect(pol), "boom at " +
                                                                                                     std::to_string(last));
      CHECK_THROWS_WITH(src | ln::map(boom_at(0)) | ln::group_by_key() | ln::count(pol), "boom at 0");
      CHECK_THROWS_WITH(src | ln::map(boom_at(5000)) | ln::sort_by([](const kv& x) { return x.second; }) |
                            ln::collect(pol),
                        "boom at 5000");
      CHECK_THROWS_WITH(src | ln::map(explode_every_100) | ln::distinct() | ln::collect(pol), "boom");
      // In the right side of a join, and in the operator itself (the map-side combiner).
      CHECK_THROWS_WITH(ln::parallelize(right, 2) | ln::join(src | ln::map(boom_at(7))) | ln::collect(pol),
                        "boom at 7");
      const auto throwing_plus = [](int a, int b) {
        if (a + b > 1'000'000) throw std::overflow_error("too big");
        return a + b;
      };
      CHECK_THROWS_AS(src | ln::map([](int x) { return kv(0, x); }) | ln::reduce_by_key(throwing_plus) | ln::collect(pol),
                      std::overflow_error);
      // The pool is still usable afterwards.
      CHECK((src | ln::map([](int x) { return kv(x % 3, 1); }) | ln::reduce_by_key(plus) | ln::count(pol)) == 3);
    });
  });
}

TEST_CASE("wide par: user functions of a shuffle run once per element under par", "[wide][par]") {
  const auto data = keyed(shape::random, par_size, 1011);
  for_each_source_and_policy(data, [&](const std::string& what, const auto& src, auto pol) {
    INFO(what);
    std::atomic<std::size_t> before{0};
    std::atomic<std::size_t> after{0};
    const auto p = src | ln::map([&before](const kv& x) {
                     before.fetch_add(1, std::memory_order_relaxed);
                     return x;
                   }) |
                   ln::reduce_by_key(plus) | ln::map([&after](const kv& x) {
                     after.fetch_add(1, std::memory_order_relaxed);
                     return x.first;
                   });
    const auto keys = p | ln::collect(pol);
    CHECK(before.load() == data.size());
    CHECK(after.load() == keys.size());
    CHECK(keys.size() == oracle_reduce_by_key(data, plus).size());
  });
}

TEST_CASE("wide par: a stage's user function may itself run a shuffle under par", "[wide][par]") {
  // The pool's caller takes part in its own job, so a nested job cannot deadlock.
  std::vector<int> outer(64);
  std::vector<int> inner(1000);
  for (std::size_t i = 0; i < outer.size(); ++i) outer[i] = static_cast<int>(i);
  for (std::size_t i = 0; i < inner.size(); ++i) inner[i] = static_cast<int>(i);
  const auto inner_pipeline = ln::parallelize(inner, 8) | ln::map([](int y) { return kv(y % 7, y); });
  for_each_policy([&](const std::string& policy, auto pol) {
    INFO(policy);
    const auto got = ln::parallelize(outer, 16) | ln::map([&](int x) {
                       const auto keys = inner_pipeline | ln::reduce_by_key(plus) | ln::count(pol);
                       return kv(x % 4, static_cast<int>(keys));
                     }) |
                     ln::reduce_by_key(plus) | ln::collect(pol);
    const std::vector<kv> expected{{0, 16 * 7}, {1, 16 * 7}, {2, 16 * 7}, {3, 16 * 7}};
    WIDE_CHECK_SAME(sorted(got), expected);
  });
}
