// Issue 10: more of Spark's RDD API, composite keys, join partitioning and Spark habits. Every
// operation is checked against a hand-written oracle on seeded random data, empty inputs, one
// and several partitions, ln::seq and ln::par, and inside a checkpointed lineage.
#include "checkpoint_test_support.hpp"

#include <catch2/catch.hpp>
#include <lineage/lineage.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

namespace ln = lineage;
using kv = std::pair<int, int>;

std::vector<int> random_ints(std::size_t n, unsigned seed, int lo = -50, int hi = 50) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int> out(n);
  for (auto& x : out) x = d(gen);
  return out;
}
std::vector<kv> random_pairs(std::size_t n, unsigned seed) {
  const auto keys = random_ints(n, seed, 0, static_cast<int>(n / 5 + 1));
  const auto values = random_ints(n, seed + 1);
  std::vector<kv> out;
  for (std::size_t i = 0; i < n; ++i) out.emplace_back(keys[i], values[i]);
  return out;
}
template <class T>
std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

constexpr std::size_t sizes[] = {0, 1, 17, 1000};

// Calls test(description, source, policy) for a vector and parallelize(data, k) sources, under
// ln::seq and ln::par(3).
template <class T, class Test>
void with_sources(const std::vector<T>& data, Test&& test) {
  for (const int policy : {0, 1}) {
    const auto run = [&](const std::string& what, const auto& src) {
      if (policy == 0) {
        test(what + " / seq", src, ln::seq);
      } else {
        test(what + " / par", src, ln::par(3));
      }
    };
    run("vector", data);
    for (const std::size_t k : {1, 3, 7}) run("parallelize " + std::to_string(k), ln::parallelize(data, k));
  }
}

}  // namespace

TEST_CASE("spark habits: plain partition counts, bare actions, optional flat_map", "[spark_api][par]") {
  for (const std::size_t n : sizes) {
    const auto data = random_pairs(n, 11 + static_cast<unsigned>(n));
    std::map<int, int> sums;
    std::map<int, std::vector<int>> groups;
    for (const auto& [k, v] : data) {
      sums[k] += v;
      groups[k].push_back(v);
    }
    const std::vector<kv> expected_sums(sums.begin(), sums.end());
    with_sources(data, [&](const std::string& what, const auto& src, auto policy) {
      INFO(what << ", n = " << n);
      const int parts = 5;  // a runtime int, as Spark code passes it
      CHECK(sorted(src | ln::reduce_by_key(std::plus<int>{}, parts) | ln::collect(policy)) == expected_sums);
      CHECK(sorted(src | ln::reduce_by_key(std::plus<int>{}, ln::partitioner{parts}) | ln::collect(policy)) ==
            expected_sums);
      const auto grouped = src | ln::group_by_key(10) | ln::collect(policy);
      CHECK(grouped.size() == groups.size());
      for (const auto& [k, vs] : grouped) CHECK(vs == groups[k]);
      std::set<int> keys;
      for (const auto& [k, v] : data) keys.insert(k);
      CHECK(sorted(src | ln::keys | ln::distinct(2) | ln::collect(policy)) == std::vector<int>(keys.begin(), keys.end()));
      CHECK((src | ln::count) == n);
      CHECK((src | ln::keys | ln::collect) == (src | ln::keys() | ln::collect()));
      CHECK((src | ln::values | ln::sum) == (src | ln::values() | ln::sum()));
      std::vector<int> odd_values;
      for (const auto& [k, v] : data) {
        if (v % 2 != 0) odd_values.push_back(v);
      }
      const auto odd = [](const kv& p) { return p.second % 2 != 0 ? std::optional<int>(p.second) : std::nullopt; };
      CHECK((src | ln::flat_map(odd) | ln::collect(policy)) == odd_values);
    });
  }
  CHECK_THROWS_AS(ln::partitioner{-1}, std::invalid_argument);
}

TEST_CASE("composite keys hash by default", "[spark_api][par]") {
  for (const std::size_t n : sizes) {
    const auto base = random_pairs(n, 5 + static_cast<unsigned>(n));
    std::vector<std::pair<std::pair<int, int>, int>> pairs;
    std::vector<std::pair<std::tuple<int, std::string, long>, int>> tuples;
    for (const auto& [k, v] : base) {
      pairs.push_back({{k % 3, k}, v});
      tuples.push_back({{k % 2, std::to_string(k), long{k} * 3}, v});
    }
    std::map<std::pair<int, int>, int> pair_sums;
    std::map<std::pair<int, int>, std::size_t> pair_counts;
    for (const auto& [k, v] : pairs) {
      pair_sums[k] += v;
      ++pair_counts[k];
    }
    std::map<std::tuple<int, std::string, long>, int> tuple_sums;
    for (const auto& [k, v] : tuples) tuple_sums[k] += v;

    with_sources(pairs, [&](const std::string& what, const auto& src, auto policy) {
      INFO(what << ", n = " << n);
      const auto sums = src | ln::reduce_by_key(std::plus<int>{}) | ln::collect(policy);
      CHECK(sorted(sums) == std::vector<std::pair<std::pair<int, int>, int>>(pair_sums.begin(), pair_sums.end()));
      const auto counts = src | ln::count_by_key(policy);
      CHECK(std::map<std::pair<int, int>, std::size_t>(counts.begin(), counts.end()) == pair_counts);
      CHECK(sorted(src | ln::keys | ln::distinct | ln::collect(policy)).size() == pair_sums.size());
      const auto values = src | ln::count_by_value(policy);
      std::map<std::pair<std::pair<int, int>, int>, std::size_t> value_counts;
      for (const auto& p : pairs) ++value_counts[p];
      CHECK(std::map<std::pair<std::pair<int, int>, int>, std::size_t>(values.begin(), values.end()) == value_counts);
      // join on a composite key against itself: every key's count squared.
      std::size_t joined = 0;
      for (const auto& [k, c] : pair_counts) joined += c * c;
      CHECK((src | ln::join(src, 3) | ln::count(policy)) == joined);
    });
    const auto tuple_result = tuples | ln::reduce_by_key(std::plus<int>{}) | ln::collect(ln::par(3));
    CHECK(sorted(tuple_result) ==
          std::vector<std::pair<std::tuple<int, std::string, long>, int>>(tuple_sums.begin(), tuple_sums.end()));
  }
}

TEST_CASE("join output has as many partitions as the larger input", "[spark_api][par]") {
  const auto left = random_pairs(50, 1);
  const auto right = random_pairs(400, 2);
  std::size_t matches = 0;
  for (const auto& l : left) {
    for (const auto& r : right) matches += l.first == r.first ? 1 : 0;
  }
  const auto small = ln::parallelize(left, 2);
  const auto big = ln::parallelize(right, 9);
  const auto a = small | ln::join(big) | ln::local_checkpoint();
  CHECK(a.partitions() == 9);
  CHECK(a.size() == matches);
  const auto b = big | ln::join(small) | ln::local_checkpoint(ln::par(3));
  CHECK(b.partitions() == 9);
  CHECK(b.size() == matches);
  const auto c = small | ln::left_join(big) | ln::local_checkpoint();
  CHECK(c.partitions() == 9);
  const auto d = small | ln::join(big, 4) | ln::local_checkpoint();
  CHECK(d.partitions() == 4);
  CHECK(d.size() == matches);
}

TEST_CASE("actions: min, max, is_empty, top, take_ordered, count_by_value, aggregate, lookup, collect_as_map",
          "[spark_api][par]") {
  for (const std::size_t n : sizes) {
    const auto data = random_ints(n, 99 + static_cast<unsigned>(n));
    with_sources(data, [&](const std::string& what, const auto& src, auto policy) {
      INFO(what << ", n = " << n);
      CHECK((src | ln::min(policy)) ==
            (data.empty() ? std::nullopt : std::optional<int>(*std::min_element(data.begin(), data.end()))));
      CHECK((src | ln::max(policy)) ==
            (data.empty() ? std::nullopt : std::optional<int>(*std::max_element(data.begin(), data.end()))));
      CHECK((src | ln::is_empty(policy)) == data.empty());
      CHECK((src | ln::min) == (src | ln::min()));
      for (const std::size_t k : {std::size_t{0}, std::size_t{1}, std::size_t{10}, n + 5}) {
        auto asc = data;
        std::sort(asc.begin(), asc.end());
        auto desc = asc;
        std::reverse(desc.begin(), desc.end());
        asc.resize(std::min(k, asc.size()));
        desc.resize(std::min(k, desc.size()));
        CHECK((src | ln::take_ordered(k, policy)) == asc);
        CHECK((src | ln::top(k, policy)) == desc);
        CHECK((src | ln::top(k, std::greater<>{}, policy)) == asc);  // reversed order: the smallest
        CHECK((src | ln::take_ordered(k, std::greater<>{}, policy)) == desc);
      }
      std::map<int, std::size_t> counts;
      for (const int x : data) ++counts[x];
      const auto by_value = src | ln::count_by_value(policy);
      CHECK(std::map<int, std::size_t>(by_value.begin(), by_value.end()) == counts);
      // aggregate: (sum, count), and the Spark idiom of a set mutated through U&.
      long sum = 0;
      for (const int x : data) sum += x;
      const auto agg = src | ln::aggregate(
                                 std::pair<long, std::size_t>{0, 0},
                                 [](std::pair<long, std::size_t> acc, int x) {
                                   return std::pair<long, std::size_t>{acc.first + x, acc.second + 1};
                                 },
                                 [](std::pair<long, std::size_t> a, std::pair<long, std::size_t> b) {
                                   return std::pair<long, std::size_t>{a.first + b.first, a.second + b.second};
                                 },
                                 policy);
      CHECK(agg == std::pair<long, std::size_t>{sum, n});
      const auto set = src | ln::aggregate(
                                 std::set<int>{},
                                 [](std::set<int>& s, int x) -> std::set<int>& {
                                   s.insert(x);
                                   return s;
                                 },
                                 [](std::set<int> a, const std::set<int>& b) {
                                   a.insert(b.begin(), b.end());
                                   return a;
                                 },
                                 policy);
      CHECK(set == std::set<int>(data.begin(), data.end()));
    });
    const auto pairs = random_pairs(n, 7 + static_cast<unsigned>(n));
    with_sources(pairs, [&](const std::string& what, const auto& src, auto policy) {
      INFO(what << ", n = " << n);
      std::map<int, int> last;
      for (const auto& [k, v] : pairs) last[k] = v;
      const auto map = src | ln::collect_as_map(policy);
      CHECK(std::map<int, int>(map.begin(), map.end()) == last);
      for (const int key : {0, 1, 3, 1000}) {
        std::vector<int> expected;
        for (const auto& [k, v] : pairs) {
          if (k == key) expected.push_back(v);
        }
        CHECK((src | ln::lookup(key, policy)) == expected);
      }
    });
  }
}

TEST_CASE("narrow and by-key operations: key_by, flat_map_values, combine_by_key, fold_by_key, sort_by_key",
          "[spark_api][par]") {
  for (const std::size_t n : sizes) {
    const auto data = random_pairs(n, 21 + static_cast<unsigned>(n));
    with_sources(data, [&](const std::string& what, const auto& src, auto policy) {
      INFO(what << ", n = " << n);
      std::vector<std::pair<int, kv>> keyed;
      for (const auto& p : data) keyed.emplace_back(p.first + p.second, p);
      CHECK((src | ln::key_by([](const kv& p) { return p.first + p.second; }) | ln::collect(policy)) == keyed);

      std::vector<kv> flat;
      for (const auto& [k, v] : data) {
        for (int i = 0; i < (v % 3 + 3) % 3; ++i) flat.emplace_back(k, v + i);
      }
      const auto expand = [](int v) {
        std::vector<int> out;
        for (int i = 0; i < (v % 3 + 3) % 3; ++i) out.push_back(v + i);
        return out;
      };
      CHECK((src | ln::flat_map_values(expand) | ln::collect(policy)) == flat);
      std::vector<kv> positive;
      for (const auto& [k, v] : data) {
        if (v > 0) positive.emplace_back(k, v);
      }
      CHECK((src | ln::flat_map_values([](int v) { return v > 0 ? std::optional<int>(v) : std::nullopt; }) |
             ln::collect(policy)) == positive);

      // combine_by_key: (min, max, count) per key.
      using stats = std::tuple<int, int, int>;
      std::map<int, stats> expected_stats;
      for (const auto& [k, v] : data) {
        auto [it, fresh] = expected_stats.try_emplace(k, stats{v, v, 1});
        if (!fresh) {
          auto& [lo, hi, c] = it->second;
          lo = std::min(lo, v);
          hi = std::max(hi, v);
          ++c;
        }
      }
      const auto combined =
          src |
          ln::combine_by_key([](int v) { return stats{v, v, 1}; },
                             [](stats s, int v) {
                               return stats{std::min(std::get<0>(s), v), std::max(std::get<1>(s), v), std::get<2>(s) + 1};
                             },
                             [](stats a, stats b) {
                               return stats{std::min(std::get<0>(a), std::get<0>(b)), std::max(std::get<1>(a), std::get<1>(b)),
                                            std::get<2>(a) + std::get<2>(b)};
                             },
                             4) |
          ln::collect(policy);
      CHECK(sorted(combined) == std::vector<std::pair<int, stats>>(expected_stats.begin(), expected_stats.end()));

      std::map<int, long> sums;
      for (const auto& [k, v] : data) sums[k] += v;
      const auto folded = src | ln::map_values([](int v) { return long{v}; }) | ln::fold_by_key(0L, std::plus<long>{}) |
                          ln::collect(policy);
      CHECK(sorted(folded) == std::vector<std::pair<int, long>>(sums.begin(), sums.end()));

      auto by_key = data;
      std::stable_sort(by_key.begin(), by_key.end(), [](const kv& a, const kv& b) { return a.first < b.first; });
      CHECK((src | ln::sort_by_key | ln::collect(policy)) == by_key);
      auto by_key_desc = data;
      std::stable_sort(by_key_desc.begin(), by_key_desc.end(), [](const kv& a, const kv& b) { return a.first > b.first; });
      CHECK((src | ln::sort_by_key(ln::descending) | ln::collect(policy)) == by_key_desc);
    });
  }
}

TEST_CASE("new operations in explain and inside a checkpointed lineage", "[spark_api]") {
  const ckpt_test::scratch_dir dir("lineage-spark-api-");
  const auto data = random_pairs(500, 3);
  const auto lineage_of = [&](int zero) {
    return ln::parallelize(data, 4) | ln::key_by([](const kv& p) { return p.first % 7; }) |
           ln::flat_map_values([](const kv& p) { return std::vector<int>{p.second, -p.second}; }) |
           ln::fold_by_key(zero, std::plus<int>{}) | ln::sort_by_key;
  };
  const std::string plan = ln::explain(lineage_of(0));
  CHECK(plan.find("key_by") != std::string::npos);
  CHECK(plan.find("flat_map_values") != std::string::npos);
  CHECK(plan.find("fold_by_key") != std::string::npos);
  CHECK(plan.find("sort_by") != std::string::npos);
  CHECK(ln::explain(data | ln::combine_by_key([](int v) { return v; }, std::plus<int>{}, std::plus<int>{})).find(
            "combine_by_key") != std::string::npos);

  // Values cancel out: every key folds to 0 (and its key set is the oracle's).
  std::set<int> keys;
  for (const auto& p : data) keys.insert(p.first % 7);
  std::vector<kv> expected;
  for (const int k : keys) expected.emplace_back(k, 0);
  const auto first = lineage_of(0) | ln::checkpoint(dir / "c", ckpt_test::fast());
  CHECK_FALSE(first.recovered());
  CHECK((first | ln::collect) == expected);
  const auto again = lineage_of(0) | ln::checkpoint(dir / "c", ckpt_test::fast());
  CHECK(again.recovered());
  CHECK((again | ln::collect) == expected);
  // Another lineage (fold_by_key replaced by reduce_by_key) has another signature.
  const auto other = ln::parallelize(data, 4) | ln::key_by([](const kv& p) { return p.first % 7; }) |
                     ln::flat_map_values([](const kv& p) { return std::vector<int>{p.second, -p.second}; }) |
                     ln::reduce_by_key(std::plus<int>{}) | ln::sort_by_key | ln::checkpoint(dir / "c", ckpt_test::fast());
  CHECK_FALSE(other.recovered());
  CHECK((other | ln::collect) == expected);
}
