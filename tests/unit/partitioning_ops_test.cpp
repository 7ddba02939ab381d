// partition_by, repartition_and_sort_within_partitions, sort_by with a comparator or an order
// and a partition count, and Spark's seq_op taking the accumulator by U& (aggregate_by_key,
// aggregate, fold), against hand loops and std algorithms, on seeded random data of every
// shape, one partition and many, ln::seq and ln::par; partitions inspected one by one.
#include "test_support.hpp"
#include "wide_test_support.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace ln = lineage;
using wide_test::kv;
using wide_test::shape;
using wide_test::sorted;

// Whether `part` appears in `whole` in order (not necessarily contiguous).
bool is_subsequence(const std::vector<kv>& part, const std::vector<kv>& whole) {
  std::size_t at = 0;
  for (const auto& x : whole) {
    if (at < part.size() && part[at] == x) ++at;
  }
  return at == part.size();
}

// The checks every by-key partitioning must pass: n partitions, the input's elements, each key
// in one partition only.
void check_partitioned_by_key(const std::vector<std::vector<kv>>& parts, const std::vector<kv>& input, std::size_t n) {
  CHECK(parts.size() == n);
  std::vector<kv> all;
  std::map<int, std::size_t> home;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    for (const auto& x : parts[i]) {
      all.push_back(x);
      const auto [at, inserted] = home.emplace(x.first, i);
      if (!inserted && at->second != i) FAIL_CHECK("key " << x.first << " in partitions " << at->second << " and " << i);
    }
  }
  WIDE_CHECK_SAME(sorted(all), sorted(input));
}

std::vector<std::pair<std::string, std::vector<kv>>> all_inputs() {
  std::vector<std::pair<std::string, std::vector<kv>>> out;
  for (const shape s : wide_test::all_shapes) {
    for (const std::size_t n : {std::size_t{1}, std::size_t{90}, std::size_t{1500}}) {
      out.emplace_back(wide_test::name_of(s) + ", n = " + std::to_string(n), wide_test::keyed(s, n, 3100 + static_cast<std::uint32_t>(n)));
    }
  }
  return out;
}

const auto by_key = [](const kv& a, const kv& b) { return a.first < b.first; };

}  // namespace

TEST_CASE("partition_by: each key in the partition the partitioner gives, input order kept", "[partitioning][par]") {
  for (const auto& [name, input] : all_inputs()) {
    INFO(name);
    const auto check_source = [&](const auto& source, std::size_t upstream) {
      for (const bool parallel : {false, true}) {
        INFO("parallel " << parallel);
        const auto run = [&](const auto& p) {
          return parallel ? (p | ln::local_checkpoint(ln::par(3))) : (p | ln::local_checkpoint());
        };
        const auto four = run(source | ln::partition_by(ln::partitioner{4}));
        check_partitioned_by_key(four.partition_data(), input, 4);
        for (const auto& part : four.partition_data()) CHECK(is_subsequence(part, input));
        check_partitioned_by_key(run(source | ln::partition_by(7)).partition_data(), input, 7);
        check_partitioned_by_key(run(source | ln::partition_by(ln::partitioner{})).partition_data(), input, upstream);
        // A hasher that sends every key to one place: one partition holds everything, in order.
        const auto one = run(source | ln::partition_by(ln::partitioner{3, wide_test::const_hasher{}}));
        std::size_t non_empty = 0;
        for (const auto& part : one.partition_data()) {
          if (part.empty()) continue;
          ++non_empty;
          WIDE_CHECK_SAME(part, input);
        }
        CHECK(non_empty == (input.empty() ? 0u : 1u));
        // Partitioning again the same way moves nothing.
        const auto twice = run(source | ln::partition_by(4) | ln::partition_by(4));
        CHECK(twice.partition_data() == four.partition_data());
      }
    };
    check_source(ln::as_pipeline(input), 1);
    check_source(ln::parallelize(input, 5), 5);
  }
}

TEST_CASE("partition_by: the output is known to be partitioned by key, so later by-key operators need no shuffle",
          "[partitioning]") {
  const auto input = wide_test::keyed(shape::skewed, 800, 3201);
  const auto p = ln::parallelize(input, 3) | ln::partition_by(4);
  CHECK(ln::detail::key_partitioned(p));
  CHECK(ln::detail::key_partitioned(p | ln::map_values([](int v) { return v + 1; })));
  CHECK_FALSE(ln::detail::key_partitioned(p | ln::map([](const kv& x) { return x; })));
  CHECK_FALSE(ln::detail::key_partitioned(input | ln::partition_by(ln::partitioner{4, wide_test::const_hasher{}})));
  // reduce_by_key into the same count combines in place: same result, keys stay where they were.
  const auto reduced = p | ln::reduce_by_key(std::plus<>(), 4) | ln::local_checkpoint();
  WIDE_CHECK_SAME(sorted(reduced | ln::collect()), wide_test::oracle_reduce_by_key(input, std::plus<>()));
  const auto placed = p | ln::local_checkpoint();
  for (std::size_t i = 0; i < 4; ++i) {
    std::set<int> before;
    std::set<int> after;
    for (const auto& x : placed.partition_data()[i]) before.insert(x.first);
    for (const auto& x : reduced.partition_data()[i]) after.insert(x.first);
    CHECK(before == after);
  }
  // A checkpoint of it records the partitioning.
  CHECK(placed.partitioner() == "hash:4");
}

TEST_CASE("repartition_and_sort_within_partitions: partition_by, then each partition sorted by key, stable",
          "[partitioning][par]") {
  for (const auto& [name, input] : all_inputs()) {
    INFO(name);
    const auto source = ln::parallelize(input, 3);
    for (const bool parallel : {false, true}) {
      INFO("parallel " << parallel);
      const auto run = [&](const auto& p) {
        return parallel ? (p | ln::local_checkpoint(ln::par(2))) : (p | ln::local_checkpoint());
      };
      const auto placed = run(source | ln::partition_by(5));
      const auto sorted_parts = run(source | ln::repartition_and_sort_within_partitions(5));
      const auto descending = run(source | ln::repartition_and_sort_within_partitions(ln::partitioner{5}, std::greater<>()));
      check_partitioned_by_key(sorted_parts.partition_data(), input, 5);
      for (std::size_t i = 0; i < 5; ++i) {
        auto expected = placed.partition_data()[i];
        std::stable_sort(expected.begin(), expected.end(), by_key);
        WIDE_CHECK_SAME(sorted_parts.partition_data()[i], expected);
        expected = placed.partition_data()[i];
        std::stable_sort(expected.begin(), expected.end(), [](const kv& a, const kv& b) { return a.first > b.first; });
        WIDE_CHECK_SAME(descending.partition_data()[i], expected);
      }
      CHECK(sorted_parts.partitioner() == "hash:5");
    }
  }
}

TEST_CASE("sort_by with a comparator or an order, and a partition count (Spark's sortBy(f, ascending, n))",
          "[partitioning][par]") {
  const auto second = [](const kv& x) { return x.second; };
  const auto by_magnitude = [](int a, int b) { return std::abs(a) < std::abs(b); };
  for (const auto& [name, input] : all_inputs()) {
    INFO(name);
    const auto stable_sorted = [&](auto less) {
      auto out = input;
      std::stable_sort(out.begin(), out.end(), [&](const kv& a, const kv& b) { return less(a.second, b.second); });
      return out;
    };
    const auto ascending = stable_sorted(std::less<>());
    const auto descending = stable_sorted(std::greater<>());
    const auto magnitude = stable_sorted(by_magnitude);
    for (const std::size_t n : {std::size_t{1}, std::size_t{3}, std::size_t{8}}) {
      INFO("partitions " << n);
      const auto source = ln::parallelize(input, 4);
      WIDE_CHECK_SAME(source | ln::sort_by(second, ln::descending, n) | ln::collect(), descending);
      WIDE_CHECK_SAME(source | ln::sort_by(second, n) | ln::collect(ln::par), ascending);
      WIDE_CHECK_SAME(source | ln::sort_by(second, by_magnitude, static_cast<int>(n)) | ln::collect(ln::par(3)), magnitude);
      WIDE_CHECK_SAME(input | ln::sort_by(second, by_magnitude) | ln::collect(), magnitude);
      const auto cp = source | ln::sort_by(second, ln::descending, n) | ln::local_checkpoint(ln::par);
      CHECK(cp.partitions() == n);
      for (const auto& part : cp.partition_data()) {  // cut evenly, in order
        CHECK(part.size() * n <= input.size() + n);
        CHECK(part.size() * n + n >= input.size());
      }
      // sort_by_key(order, n): Spark's sortByKey(ascending, numPartitions).
      auto by_key_desc = input;
      std::stable_sort(by_key_desc.begin(), by_key_desc.end(), [](const kv& a, const kv& b) { return a.first > b.first; });
      WIDE_CHECK_SAME(source | ln::sort_by_key(ln::descending, n) | ln::collect(), by_key_desc);
      CHECK((source | ln::sort_by_key(n) | ln::local_checkpoint()).partitions() == n);
    }
  }
  CHECK_THROWS_AS(ln::sort_by(second, ln::descending, 0), std::invalid_argument);
  CHECK(ln::explain(std::vector<kv>{} | ln::sort_by(second, by_magnitude, 2)).find("sort_by[comparator]") != std::string::npos);
}

TEST_CASE("aggregate_by_key, aggregate and fold accept a seq_op taking the accumulator by U& (Spark's idiom)",
          "[partitioning][par]") {
  using set = std::set<int>;
  const auto add = [](set& s, int v) -> set& {
    s.insert(v);
    return s;
  };
  const auto merge = [](set& a, const set& b) -> set& {
    a.insert(b.begin(), b.end());
    return a;
  };
  for (const auto& [name, input] : all_inputs()) {
    INFO(name);
    std::map<int, set> expected;
    set values;
    for (const auto& [k, v] : input) {
      expected[k].insert(v);
      values.insert(v);
    }
    const std::vector<std::pair<int, set>> expected_rows(expected.begin(), expected.end());
    const auto source = ln::parallelize(input, 4);
    CHECK(sorted(source | ln::aggregate_by_key(set{}, add, merge) | ln::collect()) == expected_rows);
    CHECK(sorted(source | ln::aggregate_by_key(set{}, add, merge, 3) | ln::collect(ln::par)) == expected_rows);
    const auto element = [&](set& s, const kv& x) -> set& { return add(s, x.second); };
    CHECK((source | ln::aggregate(set{}, element, merge)) == values);
    CHECK((source | ln::aggregate(set{}, element, merge, ln::par)) == values);
    // fold's op(acc&, x); under ln::par it also combines op(acc&, acc).
    struct collect_values {
      set& operator()(set& s, const kv& x) const {
        s.insert(x.second);
        return s;
      }
      set& operator()(set& s, const set& other) const {
        s.insert(other.begin(), other.end());
        return s;
      }
    };
    CHECK((source | ln::fold(set{}, collect_values{})) == values);
    CHECK((source | ln::fold(set{}, collect_values{}, ln::par)) == values);
  }
}

namespace shuffle_counting {
// ln::seq that counts the shuffles' exchanges: how a test sees that a shuffle was skipped.
struct counting_backend : lineage::seq_backend {
  std::size_t* exchanges = nullptr;
  template <class T>
  auto exchange(std::vector<lineage::detail::buckets_of<T>>&& written, std::size_t downstream) const {
    ++*exchanges;
    return lineage::seq_backend::exchange<T>(std::move(written), downstream);
  }
};
struct counting_policy {
  std::size_t* exchanges;
};
inline counting_backend make_backend(counting_policy p) {
  counting_backend b;
  b.exchanges = p.exchanges;
  return b;
}
}  // namespace shuffle_counting

TEST_CASE("subtract_by_key: the output is partitioned by key, so a later by-key operator skips its shuffle",
          "[partitioning][set_ops]") {
  const auto left = wide_test::keyed(shape::skewed, 900, 3301);
  const auto right = wide_test::keyed(shape::random, 60, 3302);
  std::vector<kv> kept;  // the oracle: a hand loop
  for (const auto& x : left) {
    if (std::none_of(right.begin(), right.end(), [&](const kv& y) { return y.first == x.first; })) kept.push_back(x);
  }
  const auto sums = wide_test::oracle_reduce_by_key(kept, std::plus<>());

  const auto subtracted = ln::parallelize(left, 3) | ln::subtract_by_key(right, 4);
  CHECK(ln::detail::key_partitioned(subtracted));
  CHECK_FALSE(ln::detail::key_partitioned(ln::parallelize(left, 3) |
                                          ln::subtract_by_key(right, ln::partitioner{4, wide_test::const_hasher{}})));
  CHECK_FALSE(ln::detail::key_partitioned(ln::parallelize(left, 3) | ln::subtract(right, 4)));  // pairs keyed whole

  std::size_t exchanges = 0;
  const shuffle_counting::counting_policy counting{&exchanges};
  WIDE_CHECK_SAME(sorted(subtracted | ln::collect(counting)), sorted(kept));
  CHECK(exchanges == 2);  // the join's two sides
  exchanges = 0;
  WIDE_CHECK_SAME(sorted(subtracted | ln::reduce_by_key(std::plus<>(), 4) | ln::collect(counting)), sums);
  CHECK(exchanges == 2);  // no third: reduce_by_key combines each partition in place
  exchanges = 0;
  WIDE_CHECK_SAME(sorted(subtracted | ln::reduce_by_key(std::plus<>(), 3) | ln::collect(counting)), sums);
  CHECK(exchanges == 3);  // another partition count: the shuffle must happen
  // A checkpoint of it records the partitioning.
  CHECK((subtracted | ln::local_checkpoint()).partitioner() == "hash:4");
}
