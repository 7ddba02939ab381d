// The wide operators (stage boundaries) against independent oracles (std::map, std::set,
// std::stable_sort) on seeded random data: reduce_by_key, group_by_key, aggregate_by_key,
// sort_by, distinct, repartition and the action count_by_key; plus ln::explain of a shuffle.
// Joins are in join_test.cpp, seq/par equality in wide_parallel_test.cpp.
//
// Every operator runs on the shapes that stress a shuffle (empty, one key, all-distinct keys,
// one key holding 90 % of the rows, random keys), from a one-partition source, a std view that
// pushes prvalues (the combiners' move path) and ln::parallelize(v, 5) (several map-side
// combiners to merge even under ln::seq), and with a hasher under which every key collides.
// Hash-based outputs are compared as sorted vectors; sort_by and repartition, which define
// their order, in order.
#include "wide_test_support.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <ranges>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace wide_test;

// Calls fn(description, data) for every shape at sizes 1, 17 and `large` (empty once). Under a
// hasher that makes every key collide, hash tables are quadratic: those tests pass a smaller
// `large`.
inline constexpr std::size_t colliding_large = 300;
template <class Fn>
void for_each_input(std::uint32_t seed, Fn&& fn, std::size_t large = 3000) {
  for (shape s : all_shapes) {
    for (std::size_t n : {std::size_t{1}, std::size_t{17}, large}) {
      if (s == shape::empty && n != 1) continue;
      const auto data = keyed(s, n, seed + static_cast<std::uint32_t>(n));
      fn(name_of(s) + ", n=" + std::to_string(data.size()), data);
    }
  }
}

// The keyed sources of for_each_source, plus a std view whose elements are prvalues.
template <class T, class Fn>
void for_each_keyed_source(const std::vector<T>& data, Fn&& fn) {
  for_each_source(data, fn);
  fn(std::string("std view of prvalues"), std::views::transform(data, [](const T& x) { return x; }));
}

const auto plus = [](int a, int b) { return a + b; };
const auto maximum = [](int a, int b) { return std::max(a, b); };

// A small vocabulary of words drawn with a skewed distribution: string keys and values.
std::vector<std::string> random_words(std::size_t n, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::geometric_distribution<int> pick(0.05);
  std::vector<std::string> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) out.push_back("word-with-a-long-heap-allocated-tail-" + std::to_string(pick(gen)));
  return out;
}

}  // namespace

// ---- reduce_by_key -------------------------------------------------------------------------------

TEST_CASE("wide: reduce_by_key equals a std::map oracle", "[wide][reduce_by_key]") {
  for_each_input(101, [](const std::string& input, const std::vector<kv>& data) {
    const auto expected_sum = oracle_reduce_by_key(data, plus);
    const auto expected_max = oracle_reduce_by_key(data, maximum);
    for_each_keyed_source(data, [&](const std::string& source, auto&& src) {
      INFO(input << "; source: " << source);
      WIDE_CHECK_SAME(sorted(src | ln::reduce_by_key(plus) | ln::collect()), expected_sum);
      WIDE_CHECK_SAME(sorted(src | ln::reduce_by_key(maximum) | ln::collect()), expected_max);
    });
  });
}

TEST_CASE("wide: reduce_by_key with a hasher under which every key collides", "[wide][reduce_by_key][hash]") {
  for_each_input(102, [](const std::string& input, const std::vector<kv>& data) {
    const auto expected = oracle_reduce_by_key(data, plus);
    for_each_keyed_source(data, [&](const std::string& source, auto&& src) {
      INFO(input << "; source: " << source);
      WIDE_CHECK_SAME(sorted(src | ln::reduce_by_key(plus, ln::partitioner{0, const_hasher{}}) | ln::collect()), expected);
      WIDE_CHECK_SAME(sorted(src | ln::reduce_by_key(plus, ln::partitioner{3, const_hasher{}}) | ln::collect()), expected);
    });
  }, colliding_large);
}

TEST_CASE("wide: reduce_by_key on string keys fed as prvalues (word count)", "[wide][reduce_by_key]") {
  const auto words = random_words(5000, 103);
  std::map<std::string, int> expected;
  for (const auto& w : words) ++expected[w];
  const auto to_pair = [](const std::string& w) { return std::pair<std::string, int>(w, 1); };
  WIDE_CHECK_SAME(sorted(words | ln::map(to_pair) | ln::reduce_by_key(std::plus<>{}) | ln::collect()),
                  to_vector(expected));
  WIDE_CHECK_SAME(
      sorted(ln::parallelize(words, 7) | ln::map(to_pair) | ln::reduce_by_key(std::plus<>{}) | ln::collect()),
      to_vector(expected));
  // Concatenation is not commutative, but one key's values all come from one partition here.
  const auto concat = [](std::string a, const std::string& b) { return a + "|" + b; };
  std::map<std::string, std::string> joined;
  for (std::size_t i = 0; i < 1000; ++i) {
    auto [it, fresh] = joined.emplace(words[i].substr(words[i].size() - 1), words[i]);
    if (!fresh) it->second = concat(it->second, words[i]);
  }
  const auto last_digit = [](const std::string& w) { return std::pair<std::string, std::string>(w.substr(w.size() - 1), w); };
  WIDE_CHECK_SAME(sorted(words | std::views::take(1000) | ln::map(last_digit) | ln::reduce_by_key(concat) | ln::collect()),
                  to_vector(joined));
}

TEST_CASE("wide: reduce_by_key emits each key once, with one partition per requested partition",
          "[wide][reduce_by_key]") {
  const auto data = keyed(shape::random, 3000, 104);
  for (std::size_t n : {1, 2, 7, 64}) {
    INFO("partitioner{" << n << "}");
    const auto cp = data | ln::reduce_by_key(plus, ln::partitioner{n}) | ln::local_checkpoint();
    CHECK(cp.partitions() == n);
    std::set<int> keys;
    std::size_t total = 0;
    for (const auto& part : cp.partition_data()) {
      for (const auto& [k, v] : part) {
        keys.insert(k);
        ++total;
      }
    }
    CHECK(total == keys.size());
    WIDE_CHECK_SAME(sorted(cp | ln::collect()), oracle_reduce_by_key(data, plus));
  }
  // partitioner{0} (the default): as many partitions as the upstream stage.
  CHECK((ln::parallelize(data, 5) | ln::reduce_by_key(plus) | ln::local_checkpoint()).partitions() == 5);
}

// ---- group_by_key --------------------------------------------------------------------------------

TEST_CASE("wide: group_by_key equals a std::map of vectors, values in order of appearance",
          "[wide][group_by_key]") {
  for_each_input(201, [](const std::string& input, const std::vector<kv>& data) {
    const auto expected = oracle_group_by_key(data);  // per key, values in input order
    for_each_keyed_source(data, [&](const std::string& source, auto&& src) {
      INFO(input << "; source: " << source);
      // Keys are unique, so sorting the output orders it by key and keeps each group as is.
      WIDE_CHECK_SAME(sorted(src | ln::group_by_key() | ln::collect()), expected);
      WIDE_CHECK_SAME(sorted(src | ln::group_by_key(ln::partitioner{7}) | ln::collect()), expected);
    });
  });
  for_each_input(203, [](const std::string& input, const std::vector<kv>& data) {
    const auto expected = oracle_group_by_key(data);
    for_each_keyed_source(data, [&](const std::string& source, auto&& src) {
      INFO(input << "; source: " << source << "; every key collides");
      WIDE_CHECK_SAME(sorted(src | ln::group_by_key(ln::partitioner{3, const_hasher{}}) | ln::collect()), expected);
    });
  }, colliding_large);
}

TEST_CASE("wide: group_by_key moves string keys and values without losing any", "[wide][group_by_key]") {
  const auto words = random_words(4000, 202);
  std::map<std::string, std::vector<std::string>> expected;
  for (std::size_t i = 0; i < words.size(); ++i) expected[words[i]].push_back(words[i] + "#" + std::to_string(i));
  std::vector<std::size_t> index(words.size());
  for (std::size_t i = 0; i < index.size(); ++i) index[i] = i;
  const auto tag = [&words](std::size_t i) {
    return std::pair<std::string, std::string>(words[i], words[i] + "#" + std::to_string(i));
  };
  WIDE_CHECK_SAME(sorted(index | ln::map(tag) | ln::group_by_key() | ln::collect()), to_vector(expected));
  WIDE_CHECK_SAME(sorted(ln::parallelize(index, 6) | ln::map(tag) | ln::group_by_key(ln::partitioner{2, const_hasher{}}) |
                         ln::collect()),
                  to_vector(expected));
}

// ---- aggregate_by_key ----------------------------------------------------------------------------

TEST_CASE("wide: aggregate_by_key equals a std::map fold, with an accumulator of another type",
          "[wide][aggregate_by_key]") {
  using acc = std::pair<long, int>;  // (sum, count)
  const auto seq_op = [](acc u, int v) { return acc{u.first + v, u.second + 1}; };
  const auto comb_op = [](acc a, const acc& b) { return acc{a.first + b.first, a.second + b.second}; };
  for_each_input(301, [&](const std::string& input, const std::vector<kv>& data) {
    std::map<int, acc> folded;
    for (const auto& [k, v] : data) {
      auto it = folded.try_emplace(k, acc{0, 0}).first;
      it->second = acc{it->second.first + v, it->second.second + 1};
    }
    const auto expected = to_vector(folded);
    for_each_keyed_source(data, [&](const std::string& source, auto&& src) {
      INFO(input << "; source: " << source);
      WIDE_CHECK_SAME(sorted(src | ln::aggregate_by_key(acc{0, 0}, seq_op, comb_op) | ln::collect()), expected);
      if (data.size() <= colliding_large) {
        WIDE_CHECK_SAME(sorted(src | ln::aggregate_by_key(acc{0, 0}, seq_op, comb_op, ln::partitioner{0, const_hasher{}}) |
                               ln::collect()),
                        expected);
      }
    });
  });
}

TEST_CASE("wide: aggregate_by_key into a vector holds every value of the key", "[wide][aggregate_by_key]") {
  const auto gather = [](std::vector<int> u, int v) {
    u.push_back(v);
    return u;
  };
  const auto concat = [](std::vector<int> a, const std::vector<int>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  for_each_input(302, [&](const std::string& input, const std::vector<kv>& data) {
    auto expected = oracle_group_by_key(data);
    for (auto& [k, vs] : expected) std::sort(vs.begin(), vs.end());
    for_each_keyed_source(data, [&](const std::string& source, auto&& src) {
      INFO(input << "; source: " << source);
      auto got = sorted(src | ln::aggregate_by_key(std::vector<int>{}, gather, concat) | ln::collect());
      for (auto& [k, vs] : got) std::sort(vs.begin(), vs.end());
      WIDE_CHECK_SAME(got, expected);
    });
  });
}

TEST_CASE("wide: aggregate_by_key starts each key at zero once in a one-partition source",
          "[wide][aggregate_by_key]") {
  const std::vector<kv> data{{1, 10}, {2, 20}, {1, 11}, {3, 30}, {1, 12}, {2, 21}};
  const auto append = [](std::string u, int v) { return u + "," + std::to_string(v); };
  const auto concat = [](std::string a, const std::string& b) { return a + b; };
  const std::vector<std::pair<int, std::string>> expected{{1, "z,10,11,12"}, {2, "z,20,21"}, {3, "z,30"}};
  WIDE_CHECK_SAME(sorted(data | ln::aggregate_by_key(std::string("z"), append, concat) | ln::collect()), expected);
}

// ---- sort_by ---------------------------------------------------------------------------------

TEST_CASE("wide: sort_by equals std::stable_sort, ascending and descending", "[wide][sort_by]") {
  for_each_input(401, [](const std::string& input, const std::vector<kv>& keyed_data) {
    // (key, position): equal keys are told apart by their input position.
    std::vector<kv> data;
    for (std::size_t i = 0; i < keyed_data.size(); ++i) data.emplace_back(keyed_data[i].first, static_cast<int>(i));
    const auto by_key = [](const kv& x) { return x.first; };
    const auto by_key_mod_3 = [](const kv& x) { return ((x.first % 3) + 3) % 3; };  // many ties

    auto asc = data;
    std::stable_sort(asc.begin(), asc.end(), [](const kv& a, const kv& b) { return a.first < b.first; });
    auto desc = data;
    std::stable_sort(desc.begin(), desc.end(), [](const kv& a, const kv& b) { return a.first > b.first; });
    auto asc_mod = data;
    std::stable_sort(asc_mod.begin(), asc_mod.end(), [&](const kv& a, const kv& b) { return by_key_mod_3(a) < by_key_mod_3(b); });
    auto desc_mod = data;
    std::stable_sort(desc_mod.begin(), desc_mod.end(),
                     [&](const kv& a, const kv& b) { return by_key_mod_3(a) > by_key_mod_3(b); });

    for_each_keyed_source(data, [&](const std::string& source, auto&& src) {
      INFO(input << "; source: " << source);
      WIDE_CHECK_SAME(src | ln::sort_by(by_key) | ln::collect(), asc);
      WIDE_CHECK_SAME(src | ln::sort_by(by_key, ln::ascending) | ln::collect(), asc);
      WIDE_CHECK_SAME(src | ln::sort_by(by_key, ln::descending) | ln::collect(), desc);
      WIDE_CHECK_SAME(src | ln::sort_by(by_key_mod_3) | ln::collect(), asc_mod);
      WIDE_CHECK_SAME(src | ln::sort_by(by_key_mod_3, ln::descending) | ln::collect(), desc_mod);
    });
  });
}

TEST_CASE("wide: sort_by with all keys equal keeps the input order across partitions", "[wide][sort_by]") {
  std::vector<int> data(1000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<int>(i);
  const auto constant = [](int) { return 0; };
  WIDE_CHECK_SAME(data | ln::sort_by(constant) | ln::collect(), data);
  WIDE_CHECK_SAME(data | ln::sort_by(constant, ln::descending) | ln::collect(), data);
  WIDE_CHECK_SAME(ln::parallelize(data, 9) | ln::sort_by(constant) | ln::collect(), data);
  WIDE_CHECK_SAME(ln::parallelize(data, 9) | ln::sort_by(constant, ln::descending) | ln::collect(), data);
}

TEST_CASE("wide: sort_by keeps the upstream partition count, cut in order", "[wide][sort_by]") {
  const auto data = keyed(shape::random, 1000, 402);
  const auto cp = ln::parallelize(data, 5) | ln::sort_by([](const kv& x) { return x.second; }) | ln::local_checkpoint();
  CHECK(cp.partitions() == 5);
  std::vector<int> seen;
  for (const auto& part : cp.partition_data()) {
    for (const auto& x : part) seen.push_back(x.second);
  }
  CHECK(std::is_sorted(seen.begin(), seen.end()));
  CHECK(seen.size() == data.size());
}

// ---- distinct --------------------------------------------------------------------------------

TEST_CASE("wide: distinct equals a std::set", "[wide][distinct]") {
  for_each_input(501, [](const std::string& input, const std::vector<kv>& data) {
    std::vector<int> keys;
    for (const auto& x : data) keys.push_back(x.first);
    const std::set<int> unique(keys.begin(), keys.end());
    const std::vector<int> expected(unique.begin(), unique.end());
    for_each_keyed_source(keys, [&](const std::string& source, auto&& src) {
      INFO(input << "; source: " << source);
      WIDE_CHECK_SAME(sorted(src | ln::distinct() | ln::collect()), expected);
      if (keys.size() <= colliding_large) {
        WIDE_CHECK_SAME(sorted(src | ln::distinct(ln::partitioner{0, const_hasher{}}) | ln::collect()), expected);
        WIDE_CHECK_SAME(sorted(src | ln::distinct(ln::partitioner{4, const_hasher{}}) | ln::collect()), expected);
      }
    });
  });
}

TEST_CASE("wide: distinct into one partition keeps the order of first appearance", "[wide][distinct]") {
  const auto words = random_words(3000, 502);
  std::vector<std::string> expected;
  std::set<std::string> seen;
  for (const auto& w : words) {
    if (seen.insert(w).second) expected.push_back(w);
  }
  WIDE_CHECK_SAME(words | ln::distinct(ln::partitioner{1}) | ln::collect(), expected);
  WIDE_CHECK_SAME(ln::parallelize(words, 6) | ln::distinct(ln::partitioner{1}) | ln::collect(), expected);
  WIDE_CHECK_SAME(sorted(ln::parallelize(words, 6) | ln::distinct() | ln::collect()), sorted(expected));
}

// ---- repartition -------------------------------------------------------------------------------

TEST_CASE("wide: repartition(n) keeps the elements in order in n near-equal partitions", "[wide][repartition]") {
  for (std::size_t size : {0, 1, 17, 3000}) {
    const auto data = keyed(shape::random, size, 601);
    for (std::size_t n : {1, 2, 3, 64}) {
      INFO("size " << size << ", repartition(" << n << ")");
      WIDE_CHECK_SAME(data | ln::repartition(n) | ln::collect(), data);
      WIDE_CHECK_SAME(ln::parallelize(data, 5) | ln::repartition(n) | ln::collect(), data);
      const auto cp = ln::parallelize(data, 5) | ln::repartition(n) | ln::local_checkpoint();
      REQUIRE(cp.partitions() == n);
      std::size_t smallest = data.size();
      std::size_t largest = 0;
      for (const auto& part : cp.partition_data()) {
        smallest = std::min(smallest, part.size());
        largest = std::max(largest, part.size());
      }
      CHECK(largest - std::min(smallest, largest) <= 1);
      WIDE_CHECK_SAME(cp | ln::collect(), data);
    }
  }
}

TEST_CASE("wide: repartition between narrow operators changes nothing but the partitions",
          "[wide][repartition]") {
  const auto data = keyed(shape::random, 2000, 602);
  std::vector<int> expected;
  for (const auto& [k, v] : data) {
    if (v % 2 == 0) expected.push_back(k * 2 + v);
  }
  const auto got = data | ln::filter([](const kv& x) { return x.second % 2 == 0; }) | ln::repartition(7) |
                   ln::map([](const kv& x) { return x.first * 2 + x.second; }) | ln::collect();
  WIDE_CHECK_SAME(got, expected);
  CHECK_THROWS_AS(ln::repartition(0), std::invalid_argument);
}

// ---- count_by_key --------------------------------------------------------------------------------

TEST_CASE("wide: count_by_key equals a std::map count", "[wide][count_by_key]") {
  for_each_input(701, [](const std::string& input, const std::vector<kv>& data) {
    const auto expected = oracle_count_by_key(data);
    for_each_keyed_source(data, [&](const std::string& source, auto&& src) {
      INFO(input << "; source: " << source);
      WIDE_CHECK_SAME(sorted_counts(src | ln::count_by_key()), expected);
      // After a shuffle too: grouping then flattening gives back the same pairs.
      const auto regrouped = src | ln::group_by_key(ln::partitioner{2}) |
                             ln::flat_map([](const std::pair<int, std::vector<int>>& g) {
                               std::vector<kv> out;
                               for (int v : g.second) out.emplace_back(g.first, v);
                               return out;
                             });
      WIDE_CHECK_SAME(sorted_counts(regrouped | ln::count_by_key()), expected);
    });
  });
}

// ---- by-key operators on input already partitioned by key ----------------------------------------
// A by-key operator whose input is partitioned by its key (the output of a by-key operator with
// the default hasher, through filter and map_values, or a checkpoint of it) combines each
// partition in place (exec/key_partitioning.hpp). Same results as with a shuffle, and only then.

TEST_CASE("wide: by-key operators after a by-key operator equal the oracle", "[wide][key_partitioning]") {
  const auto data = keyed(shape::random, 3000, 751);
  const auto positive = [](const kv& x) { return x.second > 0; };
  const auto mod7 = [](int v) { return ((v % 7) + 7) % 7; };
  const auto rekey = [](const kv& x) { return kv(((x.second % 13) + 13) % 13, x.first); };  // moves keys

  std::vector<kv> sums_positive;
  for (const auto& x : oracle_reduce_by_key(data, plus)) {
    if (x.second > 0) sums_positive.push_back(x);
  }
  std::vector<kv> rekeyed;
  for (const auto& x : oracle_reduce_by_key(data, plus)) rekeyed.push_back(rekey(x));
  const auto rekeyed_sums = oracle_reduce_by_key(rekeyed, plus);
  std::vector<kv> sizes_mod7;
  for (const auto& [k, vs] : oracle_group_by_key(data)) sizes_mod7.emplace_back(k, mod7(static_cast<int>(vs.size())));

  for_each_keyed_source(data, [&](const std::string& source, auto&& src) {
    INFO("source: " << source);
    // filter and map_values keep the partitioning: the second operator skips the shuffle.
    WIDE_CHECK_SAME(sorted(src | ln::reduce_by_key(plus) | ln::filter(positive) | ln::reduce_by_key(maximum) |
                           ln::collect()),
                    sums_positive);
    WIDE_CHECK_SAME(sorted(src | ln::group_by_key() | ln::map_values([&](const std::vector<int>& vs) {
                             return mod7(static_cast<int>(vs.size()));
                           }) |
                           ln::reduce_by_key(plus) | ln::collect()),
                    sizes_mod7);
    WIDE_CHECK_SAME(sorted(src | ln::reduce_by_key(plus, ln::partitioner{7}) | ln::filter(positive) |
                           ln::group_by_key() | ln::map_values([](const std::vector<int>& vs) { return vs.front(); }) |
                           ln::collect()),
                    sums_positive);
    // A partition count that differs, or a map that moves keys: the shuffle must happen.
    WIDE_CHECK_SAME(sorted(src | ln::reduce_by_key(plus, ln::partitioner{7}) | ln::filter(positive) |
                           ln::reduce_by_key(plus, ln::partitioner{3}) | ln::collect()),
                    sums_positive);
    WIDE_CHECK_SAME(sorted(src | ln::reduce_by_key(plus) | ln::map(rekey) | ln::reduce_by_key(plus) | ln::collect()),
                    rekeyed_sums);
    WIDE_CHECK_SAME(sorted(src | ln::aggregate_by_key(0, plus, plus) | ln::map(rekey) |
                           ln::aggregate_by_key(0, plus, plus) | ln::collect()),
                    rekeyed_sums);
  });
}

TEST_CASE("wide: a local checkpoint of by-key output keeps its partitioning, and only that",
          "[wide][key_partitioning]") {
  const auto data = keyed(shape::skewed, 3000, 752);
  const auto rekey = [](const kv& x) { return kv(((x.second % 13) + 13) % 13, x.first); };
  std::vector<kv> rekeyed;
  for (const auto& x : oracle_reduce_by_key(data, plus)) rekeyed.push_back(rekey(x));

  const auto reduced = ln::parallelize(data, 5) | ln::reduce_by_key(plus) | ln::local_checkpoint();
  CHECK(reduced.partitioner() == "hash:5");
  WIDE_CHECK_SAME(sorted(reduced | ln::reduce_by_key(plus) | ln::collect()), oracle_reduce_by_key(data, plus));
  WIDE_CHECK_SAME(sorted(reduced | ln::map(rekey) | ln::reduce_by_key(plus) | ln::collect()),
                  oracle_reduce_by_key(rekeyed, plus));
  // The in-place path gives each key the partition a shuffle would: same keys in partition i.
  const auto again = reduced | ln::filter([](const kv&) { return true; }) | ln::reduce_by_key(plus) | ln::local_checkpoint();
  CHECK(again.partitioner() == "hash:5");
  REQUIRE(again.partitions() == reduced.partitions());
  for (std::size_t i = 0; i < again.partitions(); ++i) {
    INFO("partition " << i);
    WIDE_CHECK_SAME(sorted(again.partition_data()[i]), sorted(reduced.partition_data()[i]));
  }
  // Not partitioned by key: a user hasher, a map, a sort, a repartition, a plain source.
  CHECK((data | ln::reduce_by_key(plus, ln::partitioner{0, const_hasher{}}) | ln::local_checkpoint()).partitioner() ==
        "none");
  CHECK((data | ln::reduce_by_key(plus) | ln::map(rekey) | ln::local_checkpoint()).partitioner() == "none");
  CHECK((data | ln::reduce_by_key(plus) | ln::sort_by([](const kv& x) { return x.first; }) | ln::local_checkpoint())
            .partitioner() == "none");
  CHECK((data | ln::reduce_by_key(plus) | ln::repartition(3) | ln::local_checkpoint()).partitioner() == "none");
  CHECK((data | ln::local_checkpoint()).partitioner() == "none");
}

// ---- several shuffles, explain -----------------------------------------------------------------

TEST_CASE("wide: a chain of shuffles equals the hand-written loops", "[wide]") {
  const auto data = keyed(shape::skewed, 3000, 801);
  // sum per key, then count keys per sum sign, then sort by count descending (ties by sign).
  std::map<int, int> sums;
  for (const auto& [k, v] : data) sums[k] += v;
  std::map<int, int> per_sign;
  for (const auto& [k, s] : sums) ++per_sign[(s > 0) - (s < 0)];
  std::vector<kv> expected(per_sign.begin(), per_sign.end());
  std::stable_sort(expected.begin(), expected.end(), [](const kv& a, const kv& b) { return a.second > b.second; });

  const auto got = ln::parallelize(data, 4) | ln::reduce_by_key(plus) |
                   ln::map([](const kv& x) { return kv((x.second > 0) - (x.second < 0), 1); }) |
                   ln::reduce_by_key(plus) | ln::sort_by([](const kv& x) { return x.first; }) |
                   ln::sort_by([](const kv& x) { return x.second; }, ln::descending) | ln::collect();
  WIDE_CHECK_SAME(got, expected);
}

TEST_CASE("wide: explain shows one line per stage, the shuffle on the second", "[wide][explain]") {
  const std::vector<int> v{1, 2, 3, 4};
  const auto p = v | ln::map([](int x) { return std::pair<int, int>(x % 2, x); }) | ln::reduce_by_key(plus) |
                 ln::map([](const kv& x) { return x.second; });
  const std::string text = ln::explain(p);
  INFO(text);
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("map") != std::string::npos);
  CHECK(lines[0].find("reduce_by_key") == std::string::npos);
  CHECK(lines[0].find("shuffle") == std::string::npos);
  CHECK(lines[1].find("shuffle") != std::string::npos);
  CHECK(lines[1].find("reduce_by_key") != std::string::npos);
  CHECK(lines[1].find("map") != std::string::npos);  // the map after the shuffle fuses into stage 2
  CHECK(lines[1].find("shuffle") < lines[1].find("reduce_by_key"));
  CHECK(lines[1].find("reduce_by_key") < lines[1].rfind("map"));

  // Each further wide operator adds one line.
  const std::string three = ln::explain(p | ln::sort_by([](int x) { return x; }, ln::descending) | ln::distinct());
  CHECK(std::count(three.begin(), three.end(), '\n') + (three.back() == '\n' ? 0 : 1) == 4);
  CHECK(three.find("sort_by[descending]") != std::string::npos);
  CHECK(three.find("distinct") != std::string::npos);
  // Building the pipeline ran nothing: explaining it twice gives the same text.
  CHECK(ln::explain(p) == text);
}

// ---- the partitioner -------------------------------------------------------------------------

namespace {
// DESIGN.md and the operators' headers spell a user hasher as `ln::partitioner{0, hasher}`.
template <class H>
concept partitioner_deduces_hasher = requires(H h) { ln::partitioner{std::size_t{3}, h}; };
}  // namespace

TEST_CASE("wide: ln::partitioner{n, hasher} deduces the hasher type", "[wide][partitioner]") {
  // Deduction guides for `{}` and `{n}` alone would suppress aggregate CTAD: `{n, h}` needs its own.
  CHECK(partitioner_deduces_hasher<const_hasher>);
  CHECK(partitioner_deduces_hasher<std::hash<int>>);
  // The forms without a hasher deduce std_hash.
  CHECK(std::is_same_v<decltype(ln::partitioner{}), ln::partitioner<ln::std_hash>>);
  CHECK(std::is_same_v<decltype(ln::partitioner{std::size_t{4}}), ln::partitioner<ln::std_hash>>);
}

// A stateful hasher without a default constructor: every table and partitioner uses the
// partitioner's own instance.
namespace {
struct seeded_hasher {
  std::size_t seed;
  explicit seeded_hasher(std::size_t s) : seed(s) {}
  std::size_t operator()(int k) const noexcept { return std::hash<int>{}(k) * 31 + seed; }
};
}  // namespace

TEST_CASE("wide: by-key operators accept a hasher without a default constructor", "[wide][partitioner]") {
  const auto data = keyed(shape::random, 2000, 901);
  const auto part = ln::partitioner<seeded_hasher>{3, seeded_hasher{17}};
  WIDE_CHECK_SAME(sorted(data | ln::reduce_by_key(plus, part) | ln::collect()), oracle_reduce_by_key(data, plus));
  WIDE_CHECK_SAME(sorted(data | ln::group_by_key(part) | ln::collect()), oracle_group_by_key(data));
  const auto add = [](long u, int v) { return u + v; };
  const auto sum_of = data | ln::aggregate_by_key(0L, add, std::plus<long>{}, part) | ln::collect();
  CHECK(sum_of.size() == oracle_reduce_by_key(data, plus).size());
}
