// Issue 10, partition-at-a-time part: map_partitions, map_partitions_with_index,
// foreach_partition, coalesce, zip_with_index, sample, take_sample, random_split,
// ln::accumulator and save_as_text_file. Each against a hand-written oracle (the partitions of
// parallelize(v, k) are the documented slices: element i goes to partition i * k / n), on seeded
// random data, empty input, one and several partitions, ln::seq and ln::par, in ln::explain
// and in a checkpointed lineage; every one also on simulated ranks, equal to ln::seq.
#include "../support/simulated_ranks.hpp"
#include "checkpoint_test_support.hpp"

#include <catch2/catch.hpp>
#include <lineage/lineage.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <random>
#include <ranges>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace ln = lineage;
namespace fs = std::filesystem;

std::vector<int> random_ints(std::size_t n, unsigned seed, int lo = -1000, int hi = 1000) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> d(lo, hi);
  std::vector<int> out(n);
  for (auto& x : out) x = d(gen);
  return out;
}
// n distinct values in random order (so an element tells where it came from).
std::vector<int> distinct_ints(std::size_t n, unsigned seed) {
  std::vector<int> out(n);
  std::iota(out.begin(), out.end(), 0);
  std::shuffle(out.begin(), out.end(), std::mt19937(seed));
  return out;
}

// The partitions of parallelize(data, k), by its documented rule; a plain vector is one.
template <class T>
std::vector<std::vector<T>> slices(const std::vector<T>& data, std::size_t k) {
  std::vector<std::vector<T>> out(k);
  for (std::size_t i = 0; i < data.size(); ++i) out[i * k / data.size()].push_back(data[i]);
  return out;
}

constexpr std::size_t sizes[] = {0, 1, 17, 1000};
constexpr std::size_t partition_counts[] = {1, 3, 7};

// test(what, source, partitions of the source, policy) for a plain vector (one partition) and
// parallelize(data, k), under ln::seq and ln::par(3).
template <class T, class Test>
void with_sources(const std::vector<T>& data, Test&& test) {
  const auto both = [&](const std::string& what, const auto& src, const std::vector<std::vector<T>>& parts) {
    test(what + " / seq", src, parts, ln::seq);
    test(what + " / par", src, parts, ln::par(3));
  };
  both("vector", data, std::vector<std::vector<T>>{data});
  for (const std::size_t k : partition_counts) both("parallelize " + std::to_string(k), ln::parallelize(data, k), slices(data, k));
}

// Whether `sub` is a subsequence of `all` (all distinct).
bool is_subsequence(const std::vector<int>& sub, const std::vector<int>& all) {
  std::size_t at = 0;
  for (const int x : sub) {
    while (at < all.size() && all[at] != x) ++at;
    if (at == all.size()) return false;
    ++at;
  }
  return true;
}

}  // namespace

TEST_CASE("map_partitions and map_partitions_with_index see each whole partition once", "[partition_ops][par]") {
  for (const std::size_t n : sizes) {
    const auto data = random_ints(n, 100 + static_cast<unsigned>(n));
    with_sources(data, [&](const std::string& what, const auto& src, const auto& parts, auto policy) {
      INFO(what << ", n = " << n);
      // Oracle: per partition, running sums of 3x, then keep the odd ones; and (index, size).
      std::vector<long> expected;
      std::vector<std::pair<std::size_t, std::size_t>> expected_sizes;
      for (std::size_t p = 0; p < parts.size(); ++p) {
        long run = 0;
        for (const int x : parts[p]) {
          run += 3L * x;
          if (run % 2 != 0) expected.push_back(run);
        }
        expected_sizes.emplace_back(p, parts[p].size());
      }
      std::atomic<std::size_t> calls{0};
      const auto triple = [&calls](int x) {
        calls.fetch_add(1, std::memory_order_relaxed);
        return 3 * x;
      };
      const auto running = [](std::span<const int> part) {
        std::vector<long> out;
        long run = 0;
        for (const int x : part) out.push_back(run += x);
        return out;
      };
      const auto p = src | ln::map(triple) | ln::map_partitions(running) | ln::filter([](long x) { return x % 2 != 0; });
      CHECK((p | ln::collect(policy)) == expected);
      CHECK(calls.load() == n);  // the upstream map is fused: once per element
      const auto sized = src | ln::map_partitions_with_index([](std::size_t i, std::span<const int> part) {
                           return std::vector<std::pair<std::size_t, std::size_t>>{{i, part.size()}};
                         });
      CHECK((sized | ln::collect(policy)) == expected_sizes);
      // f may return a view of the span: its elements are pushed before the buffer goes.
      std::vector<int> reversed;
      for (const auto& part : parts) reversed.insert(reversed.end(), part.rbegin(), part.rend());
      CHECK((src | ln::map_partitions([](std::span<const int> part) { return part | std::views::reverse; }) |
             ln::collect(policy)) == reversed);
      // An early stop downstream (take) still gives the first elements.
      const auto first3 = src | ln::map_partitions([](std::span<const int> part) { return part; }) | ln::take(3, policy);
      CHECK(first3 == std::vector<int>(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(3, n))));
    });
  }
}

TEST_CASE("foreach_partition calls f once per partition with its elements", "[partition_ops][par]") {
  for (const std::size_t n : sizes) {
    const auto data = random_ints(n, 200 + static_cast<unsigned>(n));
    with_sources(data, [&](const std::string& what, const auto& src, const auto& parts, auto policy) {
      INFO(what << ", n = " << n);
      std::mutex m;
      std::multiset<std::vector<int>> seen;
      src | ln::map([](int x) { return x + 1; }) | ln::foreach_partition([&](std::span<const int> part) {
        const std::lock_guard lock(m);
        seen.emplace(part.begin(), part.end());
      }, policy);
      std::multiset<std::vector<int>> expected;
      for (const auto& part : parts) {
        std::vector<int> plus1;
        for (const int x : part) plus1.push_back(x + 1);
        expected.insert(std::move(plus1));
      }
      CHECK(seen == expected);
    });
  }
}

TEST_CASE("coalesce merges neighbouring partitions in order, without a shuffle", "[partition_ops][par]") {
  for (const std::size_t n : sizes) {
    const auto data = random_ints(n, 300 + static_cast<unsigned>(n));
    with_sources(data, [&](const std::string& what, const auto& src, const auto& parts, auto policy) {
      for (const std::size_t m : {1, 2, 3, 5, 100}) {
        INFO(what << ", n = " << n << ", coalesce(" << m << ")");
        const auto c = src | ln::filter([](int x) { return x % 3 != 0; }) | ln::coalesce(m);
        std::vector<int> kept;
        for (const int x : data) {
          if (x % 3 != 0) kept.push_back(x);
        }
        CHECK((c | ln::collect(policy)) == kept);
        // Partition j holds upstream partitions [k*j/m', k*(j+1)/m').
        const std::size_t k = parts.size();
        const std::size_t merged = std::min(m, k);
        std::vector<std::size_t> expected_sizes(merged, 0);
        for (std::size_t j = 0; j < merged; ++j) {
          for (std::size_t i = k * j / merged; i < k * (j + 1) / merged; ++i) {
            for (const int x : parts[i]) expected_sizes[j] += x % 3 != 0 ? 1 : 0;
          }
        }
        std::vector<std::size_t> sizes_seen;
        const auto sized = c | ln::map_partitions_with_index([](std::size_t, std::span<const int> part) {
                             return std::vector<std::size_t>{part.size()};
                           });
        CHECK((sized | ln::collect(policy)) == expected_sizes);
        const auto cp = src | ln::coalesce(m) | ln::local_checkpoint(policy);
        CHECK(cp.partitions() == merged);
        CHECK((cp | ln::collect) == data);
        CHECK((src | ln::coalesce(m) | ln::take(5, policy)) ==
              std::vector<int>(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(5, n))));
      }
    });
  }
  CHECK(ln::stage_count_v<decltype(std::declval<std::vector<int>&>() | ln::coalesce(2))> == 1);
  CHECK_THROWS_AS(ln::coalesce(0), std::invalid_argument);
}

TEST_CASE("zip_with_index numbers elements in partition order", "[partition_ops][par]") {
  for (const std::size_t n : sizes) {
    const auto data = random_ints(n, 400 + static_cast<unsigned>(n));
    with_sources(data, [&](const std::string& what, const auto& src, const auto&, auto policy) {
      INFO(what << ", n = " << n);
      std::vector<std::pair<int, std::size_t>> all;
      std::vector<std::pair<int, std::size_t>> evens;
      for (const int x : data) {
        all.emplace_back(x, all.size());
        if (x % 2 == 0) evens.emplace_back(x, evens.size());
      }
      CHECK((src | ln::zip_with_index | ln::collect(policy)) == all);  // sizes known: no counting pass
      // Sizes unknown after filter: a counting pass first.
      CHECK((src | ln::filter([](int x) { return x % 2 == 0; }) | ln::zip_with_index() | ln::collect(policy)) == evens);
      CHECK((src | ln::zip_with_index | ln::values | ln::sum(policy)) == (n == 0 ? 0 : n * (n - 1) / 2));
    });
  }
}

TEST_CASE("sample is deterministic for a seed and a partitioning, a subsequence, plausibly sized", "[partition_ops][par]") {
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{17}, std::size_t{10000}}) {
    const auto data = distinct_ints(n, 500 + static_cast<unsigned>(n));
    for (const std::size_t k : partition_counts) {
      INFO("n = " << n << ", " << k << " partitions");
      const auto src = ln::parallelize(data, k);
      const auto a = src | ln::sample(0.3, 42) | ln::collect;
      CHECK(a == (src | ln::sample(0.3, 42) | ln::collect(ln::par(3))));  // the policy does not matter
      CHECK(is_subsequence(a, data));
      CHECK((src | ln::sample(0.0, 42) | ln::count) == 0);
      CHECK((src | ln::sample(1.0, 42) | ln::collect) == data);
      const auto r = src | ln::sample(1.5, 7, ln::with_replacement) | ln::collect;
      CHECK(r == (src | ln::sample(1.5, 7, ln::with_replacement) | ln::collect(ln::par(3))));
      // With replacement: copies are adjacent, in input order.
      std::map<int, std::size_t> position;
      for (std::size_t i = 0; i < n; ++i) position[data[i]] = i;
      CHECK(std::is_sorted(r.begin(), r.end(), [&](int x, int y) { return position.at(x) < position.at(y); }));
      if (n == 10000) {
        // Loose: within 6 standard deviations of the mean.
        const double sd = std::sqrt(n * 0.3 * 0.7);
        CHECK(std::abs(static_cast<double>(a.size()) - 3000.0) < 6 * sd);
        CHECK(std::abs(static_cast<double>(r.size()) - 15000.0) < 6 * std::sqrt(15000.0));
        CHECK(a != (src | ln::sample(0.3, 43) | ln::collect));  // another seed, another sample
      }
    }
  }
  CHECK_THROWS_AS(ln::sample(1.5, 1), std::invalid_argument);
  CHECK_THROWS_AS(ln::sample(-0.1, 1, ln::with_replacement), std::invalid_argument);
}

TEST_CASE("random_split: disjoint splits whose union is the input, deterministic", "[partition_ops][par]") {
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{17}, std::size_t{10000}}) {
    const auto data = distinct_ints(n, 600 + static_cast<unsigned>(n));
    for (const std::size_t k : partition_counts) {
      INFO("n = " << n << ", " << k << " partitions");
      const auto splits = ln::parallelize(data, k) | ln::map([](int x) { return x; }) | ln::random_split({1.0, 2.0, 0.0, 3.0}, 9);
      REQUIRE(splits.size() == 4);
      std::vector<int> all;
      std::vector<std::vector<int>> parts;
      for (const auto& s : splits) {
        parts.push_back(s | ln::collect);
        CHECK(parts.back() == (s | ln::collect(ln::par(3))));
        CHECK(is_subsequence(parts.back(), data));
        all.insert(all.end(), parts.back().begin(), parts.back().end());
      }
      std::sort(all.begin(), all.end());
      auto sorted_data = data;
      std::sort(sorted_data.begin(), sorted_data.end());
      CHECK(all == sorted_data);  // disjoint (values are distinct) and covering
      CHECK(parts[2].empty());    // weight 0
      if (n == 10000) {
        for (const auto& [i, w] : {std::pair{0, 1.0 / 6}, std::pair{1, 2.0 / 6}, std::pair{3, 3.0 / 6}}) {
          const double sd = std::sqrt(n * w * (1 - w));
          CHECK(std::abs(static_cast<double>(parts[static_cast<std::size_t>(i)].size()) - n * w) < 6 * sd);
        }
      }
    }
  }
  CHECK_THROWS_AS(ln::random_split({}, 1), std::invalid_argument);
  CHECK_THROWS_AS(ln::random_split({0.0, 0.0}, 1), std::invalid_argument);
  CHECK_THROWS_AS(ln::random_split({1.0, -1.0}, 1), std::invalid_argument);
}

TEST_CASE("take_sample: exact size, distinct picks, deterministic, independent of partitioning", "[partition_ops][par]") {
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{17}, std::size_t{1000}}) {
    const auto data = distinct_ints(n, 700 + static_cast<unsigned>(n));
    std::set<int> values(data.begin(), data.end());
    const auto reference = data | ln::filter([](int) { return true; }) | ln::take_sample(10, 3);
    const auto reference_r = data | ln::take_sample(10, 3, ln::with_replacement);
    with_sources(data, [&](const std::string& what, const auto& src, const auto&, auto policy) {
      INFO(what << ", n = " << n);
      for (const std::size_t want : {0, 1, 10, 5000}) {
        const auto s = src | ln::take_sample(want, 3, policy);
        CHECK(s.size() == std::min(want, n));
        CHECK(std::set<int>(s.begin(), s.end()).size() == s.size());  // distinct positions
        for (const int x : s) CHECK(values.count(x) == 1);
        if (want >= n) CHECK(std::set<int>(s.begin(), s.end()) == values);
        const auto r = src | ln::take_sample(want, 3, ln::with_replacement, policy);
        CHECK(r.size() == (n == 0 ? 0 : want));
        for (const int x : r) CHECK(values.count(x) == 1);
      }
      CHECK((src | ln::take_sample(10, 3, policy)) == reference);
      CHECK((src | ln::take_sample(10, 3, ln::with_replacement, policy)) == reference_r);
    });
  }
  // Plausibility: every element is picked about equally often over many seeds.
  const auto data = distinct_ints(20, 1);
  std::vector<std::size_t> hits(20, 0);
  for (unsigned seed = 0; seed < 2000; ++seed) {
    for (const int x : ln::parallelize(data, 3) | ln::take_sample(5, seed)) ++hits[static_cast<std::size_t>(x)];
  }
  for (const std::size_t h : hits) CHECK(std::abs(static_cast<double>(h) - 500.0) < 6 * std::sqrt(500.0 * 0.75));
}

TEST_CASE("accumulator: adds from user functions under ln::par, copies share the value", "[partition_ops][par]") {
  const auto data = random_ints(30011, 800);
  long sum = 0;
  std::size_t odd = 0;
  for (const int x : data) {
    sum += x;
    odd += x % 2 != 0 ? 1 : 0;
  }
  std::set<int> distinct(data.begin(), data.end());
  for (const auto policy_is_par : {false, true}) {
    INFO((policy_is_par ? "par" : "seq"));
    ln::accumulator<long> total;
    ln::accumulator<std::size_t> odds;
    ln::accumulator<double> halves;
    const auto merge = [](std::set<int> a, const std::set<int>& b) {
      a.insert(b.begin(), b.end());
      return a;
    };
    ln::accumulator<std::set<int>, decltype(merge)> seen({}, merge);
    const auto p = ln::parallelize(data, 7) | ln::filter([odds](int x) {  // captured by value: shares the value
                     if (x % 2 != 0) odds += 1;
                     return true;
                   });
    const auto body = [&](int x) {
      total += x;
      halves.add(x * 0.5);
      seen.add({x});
    };
    if (policy_is_par) {
      p | ln::for_each(body, ln::par(4));
    } else {
      p | ln::for_each(body);
    }
    CHECK(total.value() == sum);
    CHECK(odds.value() == odd);
    CHECK(halves.value() == Approx(static_cast<double>(sum) * 0.5));
    CHECK(seen.value() == distinct);
    total.reset();
    CHECK(total.value() == 0);
  }
}

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

TEST_CASE("save_as_text_file writes one part per partition, atomically, and never into an existing directory",
          "[partition_ops][par]") {
  const ckpt_test::scratch_dir scratch("lineage-text-out-");
  std::size_t run = 0;
  for (const std::size_t n : sizes) {
    const auto data = random_ints(n, 900 + static_cast<unsigned>(n));
    with_sources(data, [&](const std::string& what, const auto& src, const auto& parts, auto policy) {
      INFO(what << ", n = " << n);
      const fs::path dir = scratch / ("out" + std::to_string(run++));
      src | ln::save_as_text_file(dir, policy);
      std::set<std::string> expected_names{"_SUCCESS"};
      for (std::size_t p = 0; p < parts.size(); ++p) {
        char name[32];
        std::snprintf(name, sizeof name, "part-%05zu", p);
        expected_names.insert(name);
        std::string expected;
        for (const int x : parts[p]) expected += std::to_string(x) + "\n";
        CHECK(read_text(dir / name) == expected);
      }
      std::set<std::string> names;
      for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
      CHECK(names == expected_names);  // no temporary left behind
      // Again into the same directory: refused, and nothing in it changes.
      const std::string before = read_text(dir / "part-00000");
      CHECK_THROWS_AS(src | ln::map([](int x) { return x + 1; }) | ln::save_as_text_file(dir, policy), ln::checkpoint_error);
      CHECK(read_text(dir / "part-00000") == before);
    });
  }
  // A directory lineage did not write is refused and left alone.
  const fs::path mine = scratch / "users";
  fs::create_directory(mine);
  std::ofstream(mine / "part-00000") << "precious\n";
  try {
    std::vector<int>{1, 2} | ln::save_as_text_file(mine);
    FAIL("expected a checkpoint_error");
  } catch (const ln::checkpoint_error& e) {
    CHECK(e.reason() == ln::checkpoint_errc::io_error);
    CHECK(std::string(e.what()).find("already exists") != std::string::npos);
  }
  CHECK(read_text(mine / "part-00000") == "precious\n");
  // A missing parent: an io error naming the path, nothing created.
  CHECK_THROWS_AS(std::vector<int>{1} | ln::save_as_text_file(scratch / "no" / "such"), ln::checkpoint_error);
  // Strings and pairs with operator<<.
  std::vector<std::string> words{"a b", "", "c"};
  words | ln::save_as_text_file(scratch / "words");
  CHECK(read_text(scratch / "words" / "part-00000") == "a b\n\nc\n");
}

TEST_CASE("partition operations in explain and inside a checkpointed lineage", "[partition_ops]") {
  const ckpt_test::scratch_dir dir("lineage-partition-ops-");
  const auto data = distinct_ints(2000, 1000);
  const auto lineage_of = [&] {
    return ln::parallelize(data, 6) | ln::map([](int x) { return x * 2; }) |
           ln::map_partitions([](std::span<const int> part) { return std::vector<int>(part.rbegin(), part.rend()); }) |
           ln::coalesce(4) | ln::sample(0.5, 11) | ln::zip_with_index |
           ln::map_partitions_with_index([](std::size_t i, std::span<const std::pair<int, std::size_t>> part) {
             std::vector<std::pair<std::size_t, long>> out;
             for (const auto& [x, at] : part) out.emplace_back(i, static_cast<long>(x) + static_cast<long>(at));
             return out;
           });
  };
  const std::string plan = ln::explain(lineage_of());
  INFO(plan);
  CHECK(plan == "stage 1: parallelize<int>[6 partitions] -> map -> map_partitions -> coalesce(4) -> sample(0.500000) -> "
                "zip_with_index -> map_partitions_with_index\n");
  const auto splits = ln::parallelize(data, 2) | ln::random_split({1, 1}, 5);
  CHECK(ln::explain(splits[1]) == "stage 1: parallelize<int>[2 partitions] -> random_split[0.500000, 1.000000)\n");

  // Oracle of the whole lineage, by hand (sample's choice taken from the library: its own
  // determinism is tested above; here the rest of the lineage is checked around it).
  const auto expected = lineage_of() | ln::collect;
  const auto sampled = ln::parallelize(data, 6) | ln::map([](int x) { return x * 2; }) |
                       ln::map_partitions([](std::span<const int> part) { return std::vector<int>(part.rbegin(), part.rend()); }) |
                       ln::coalesce(4) | ln::sample(0.5, 11) | ln::collect;
  const auto merged = slices(data, 6);
  std::vector<std::size_t> first_of(5);  // coalesce(4) of 6: partitions [0,1), [1,3), [3,4), [4,6)
  for (std::size_t j = 0; j <= 4; ++j) first_of[j] = 6 * j / 4;
  std::vector<std::pair<std::size_t, long>> by_hand;
  std::size_t at = 0;
  // Which merged partition each sampled element is in: walk the merged partitions in order.
  std::vector<int> doubled_reversed;
  std::vector<std::size_t> partition_of;
  for (std::size_t j = 0; j < 4; ++j) {
    for (std::size_t i = first_of[j]; i < first_of[j + 1]; ++i) {
      for (auto it = merged[i].rbegin(); it != merged[i].rend(); ++it) {
        doubled_reversed.push_back(*it * 2);
        partition_of.push_back(j);
      }
    }
  }
  std::size_t from = 0;
  for (const int x : sampled) {
    while (doubled_reversed[from] != x) ++from;  // the sample is a subsequence
    by_hand.emplace_back(partition_of[from], static_cast<long>(x) + static_cast<long>(at++));
    ++from;
  }
  CHECK(expected == by_hand);

  const auto first = lineage_of() | ln::checkpoint(dir / "c", ckpt_test::fast());
  CHECK_FALSE(first.recovered());
  CHECK((first | ln::collect) == expected);
  const auto again = lineage_of() | ln::checkpoint(dir / "c", ckpt_test::fast());
  CHECK(again.recovered());
  CHECK((again | ln::collect) == expected);
  // Without the sample: another lineage, another signature.
  const auto other = ln::parallelize(data, 6) | ln::map([](int x) { return x * 2; }) |
                     ln::map_partitions([](std::span<const int> part) { return std::vector<int>(part.rbegin(), part.rend()); }) |
                     ln::coalesce(4) | ln::zip_with_index |
                     ln::map_partitions_with_index([](std::size_t i, std::span<const std::pair<int, std::size_t>> part) {
                       std::vector<std::pair<std::size_t, long>> out;
                       for (const auto& [x, a] : part) out.emplace_back(i, static_cast<long>(x) + static_cast<long>(a));
                       return out;
                     }) |
                     ln::checkpoint(dir / "c", ckpt_test::fast());
  CHECK_FALSE(other.recovered());
  CHECK(other.size() == data.size());
}

namespace {

using lineage_test::ranks_policy;
using lineage_test::run_on_ranks;

}  // namespace

// The other partition operations on ranks: rank_cases::partition_operations (simulated_ranks_test.cpp,
// tests/mpi/operators_test.cpp).
TEST_CASE("ranks: foreach_partition runs each partition once, on its rank", "[partition_ops][ranks]") {
  for (const std::size_t n : sizes) {
    const auto data = random_ints(n, 1100 + static_cast<unsigned>(n));
    for (const std::size_t k : {1, 2, 5, 7}) {
      const auto src = [&] { return ln::parallelize(data, k); };
      // The ranks' shares add up.
      long expected_sum = 0;
      for (const int x : data) expected_sum += x;
      for (const std::size_t ranks : {1, 2, 3, 5}) {
        ln::accumulator<long> sum;
        ln::accumulator<std::size_t> calls;
        run_on_ranks(ranks, [&](ranks_policy p) {
          src() | ln::foreach_partition([=](std::span<const int> part) {
            calls += 1;
            sum += std::accumulate(part.begin(), part.end(), 0L);
          }, p);
          return 0;
        });
        CHECK(sum.value() == expected_sum);
        CHECK(calls.value() == k);
      }
    }
  }
}

TEST_CASE("ranks: save_as_text_file writes what ln::seq writes", "[partition_ops][ranks]") {
  const ckpt_test::scratch_dir scratch("lineage-text-ranks-");
  const auto data = random_ints(500, 1200);
  const auto files_of = [](const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out[e.path().filename().string()] = read_text(e.path());
    return out;
  };
  for (const std::size_t k : {1, 4, 7}) {
    const fs::path seq_dir = scratch / ("seq" + std::to_string(k));
    ln::parallelize(data, k) | ln::save_as_text_file(seq_dir);
    for (const std::size_t ranks : {1, 2, 3, 5}) {
      INFO(k << " partitions on " << ranks << " ranks");
      const fs::path dir = scratch / ("ranks" + std::to_string(k) + "-" + std::to_string(ranks));
      run_on_ranks(ranks, [&](ranks_policy p) {
        ln::parallelize(data, k) | ln::save_as_text_file(dir, p);
        return 0;
      });
      CHECK(files_of(dir) == files_of(seq_dir));
      // Refused on every rank at once (none hangs).
      CHECK_THROWS_AS(run_on_ranks(ranks, [&](ranks_policy p) {
                        ln::parallelize(data, k) | ln::save_as_text_file(dir, p);
                        return 0;
                      }),
                      ln::checkpoint_error);
    }
  }
}

TEST_CASE("save_as_text_file into an existing path: a typed error naming it, nothing overwritten or followed",
          "[partition_ops]") {
  const ckpt_test::scratch_dir scratch("lineage-text-exists-");
  const auto refused = [](const fs::path& path) {
    try {
      std::vector<int>{7, 8} | ln::save_as_text_file(path);
    } catch (const ln::checkpoint_error& e) {
      CHECK(e.reason() == ln::checkpoint_errc::io_error);
      CHECK(e.path() == path);
      CHECK(std::string(e.what()).find(path.string()) != std::string::npos);
      return true;
    }
    return false;
  };
  // An empty directory (Spark refuses it too).
  fs::create_directory(scratch / "empty");
  CHECK(refused(scratch / "empty"));
  CHECK(fs::is_empty(scratch / "empty"));
  // A directory holding a _SUCCESS and parts of someone else's.
  fs::create_directory(scratch / "theirs");
  std::ofstream(scratch / "theirs" / "_SUCCESS") << "";
  std::ofstream(scratch / "theirs" / "part-00001") << "keep\n";
  CHECK(refused(scratch / "theirs"));
  CHECK(read_text(scratch / "theirs" / "part-00001") == "keep\n");
  CHECK(std::distance(fs::directory_iterator(scratch / "theirs"), fs::directory_iterator()) == 2);
  // A regular file by that name: not replaced.
  std::ofstream(scratch / "file") << "data\n";
  CHECK(refused(scratch / "file"));
  CHECK(read_text(scratch / "file") == "data\n");
  // A symlink to a directory: not followed, the target stays empty.
  fs::create_directory(scratch / "target");
  fs::create_directory_symlink(scratch / "target", scratch / "link");
  CHECK(refused(scratch / "link"));
  CHECK(fs::is_empty(scratch / "target"));
  // A dangling symlink: not followed (nothing created where it points).
  fs::create_directory_symlink(scratch / "nowhere", scratch / "dangling");
  CHECK(refused(scratch / "dangling"));
  CHECK_FALSE(fs::exists(scratch / "nowhere"));
}
