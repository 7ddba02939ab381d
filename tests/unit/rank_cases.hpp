#pragma once
// The cases every distributed backend must pass: every narrow operator, wide operator and
// action (narrow_and_actions, wide, several_inputs_and_partitioning, partition_operations,
// join_family: each is called by both users below), on seeded random data and keyed shapes (empty, one key, all distinct, skewed), from
// a plain range (one partition) and from parallelize with partition counts below, equal to and
// above the rank counts. Shared by the simulated ranks (simulated_ranks_test.cpp) and the MPI
// backend (tests/mpi/), so both run the same cases against ln::seq.
//
// check(what, build) is the backend's: build(policy) builds the pipeline and runs the action;
// the check compares build(backend policy) with build(ln::seq) on every rank.
#include "test_support.hpp"
#include "wide_test_support.hpp"

#include <cstddef>
#include <functional>
#include <numeric>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace rank_cases {

namespace ln = lineage;
using lineage_test::random_ints;
using wide_test::kv;
using wide_test::shape;

// The sources every case runs on: parallelize with partition counts below, equal to and above
// the rank counts (tests run 1 to 5 ranks).
template <class T, class Fn>
void for_each_source(const std::vector<T>& data, const Fn& fn) {
  fn(std::string("parallelize(v, 1)"), [&data] { return ln::parallelize(data, 1); }, true);
  for (const std::size_t k : {2, 5, 7}) {
    fn("parallelize(v, " + std::to_string(k) + ")", [&data, k] { return ln::parallelize(data, k); }, false);
  }
}

inline const auto twice = [](int x) { return 2 * x; };
inline const auto odd = [](int x) { return x % 2 != 0; };
inline const auto plus = [](int a, int b) { return a + b; };

// Narrow operators and every action.
template <class Check>
void narrow_and_actions(const Check& check) {
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{17}, std::size_t{1000}}) {
    const auto data = random_ints(n, 1300 + static_cast<unsigned>(n));
    const auto pairs = wide_test::keyed(shape::random, n, 1310 + static_cast<unsigned>(n));
    // The plain range source itself (not parallelize): one partition, rank 0's.
    check("range | map | collect", [&](auto p) { return data | ln::map(twice) | ln::collect(p); });
    for_each_source(data, [&](const std::string& src, const auto& source, bool) {
      const std::string at = src + ", n = " + std::to_string(n);
      check(at + ": map|filter|collect", [&](auto p) { return source() | ln::map(twice) | ln::filter(odd) | ln::collect(p); });
      check(at + ": filter|collect", [&](auto p) { return source() | ln::filter(odd) | ln::collect(p); });
      check(at + ": flat_map|collect", [&](auto p) {
        return source() | ln::flat_map([](int x) { return std::vector<int>(static_cast<std::size_t>(lineage_test::mod(x, 3)), x); }) |
               ln::collect(p);
      });
      check(at + ": count", [&](auto p) { return source() | ln::filter(odd) | ln::count(p); });
      check(at + ": sum", [&](auto p) { return source() | ln::map(twice) | ln::sum(p); });
      check(at + ": reduce", [&](auto p) { return source() | ln::reduce(plus, p); });
      check(at + ": fold", [&](auto p) {
        // Partials are combined with op(acc, acc), as under ln::par: init is op's neutral element.
        return source() | ln::fold(0L, [](long acc, long x) { return acc + x; }, p);
      });
      check(at + ": first", [&](auto p) { return source() | ln::filter(odd) | ln::first(p); });
      for (const std::size_t k : {0, 1, 3, 50, 5000}) {
        check(at + ": take(" + std::to_string(k) + ")", [&](auto p) { return source() | ln::take(k, p); });
      }
    });
    for_each_source(pairs, [&](const std::string& src, const auto& source, bool) {
      const std::string at = src + ", n = " + std::to_string(n);
      check(at + ": map_values|keys|values", [&](auto p) {
        auto v = source() | ln::map_values(twice);
        return std::make_pair(v | ln::keys() | ln::collect(p), v | ln::values() | ln::collect(p));
      });
      check(at + ": count_by_key", [&](auto p) { return source() | ln::count_by_key(p); });
    });
  }
}

// Wide operators (and actions after them).
template <class Check>
void wide(const Check& check) {
  for (const shape s : wide_test::all_shapes) {
    for (const std::size_t n : {std::size_t{1}, std::size_t{40}, std::size_t{600}}) {
      const auto data = wide_test::keyed(s, n, 1330 + static_cast<unsigned>(n));
      const auto other = wide_test::keyed(s, n / 2 + 1, 1340 + static_cast<unsigned>(n));
      for_each_source(data, [&](const std::string& src, const auto& source, bool) {
        const std::string at = src + ", " + wide_test::name_of(s) + ", n = " + std::to_string(n);
        const auto second = [](const kv& x) { return x.second; };
        check(at + ": reduce_by_key", [&](auto p) { return source() | ln::reduce_by_key(plus) | ln::collect(p); });
        check(at + ": reduce_by_key(3 partitions)",
                       [&](auto p) { return source() | ln::reduce_by_key(plus, ln::partitioner{3}) | ln::collect(p); });
        check(at + ": group_by_key", [&](auto p) { return source() | ln::group_by_key() | ln::collect(p); });
        check(at + ": aggregate_by_key", [&](auto p) {
          return source() | ln::aggregate_by_key(std::size_t{0}, [](std::size_t a, int) { return a + 1; }, std::plus<>()) |
                 ln::collect(p);
        });
        check(at + ": distinct", [&](auto p) { return source() | ln::keys() | ln::distinct() | ln::collect(p); });
        check(at + ": sort_by", [&](auto p) { return source() | ln::sort_by(second) | ln::collect(p); });
        check(at + ": sort_by descending",
                       [&](auto p) { return source() | ln::sort_by(second, ln::descending) | ln::collect(p); });
        check(at + ": sort_by with ties", [&](auto p) {
          return source() | ln::sort_by([](const kv& x) { return x.first % 3; }) | ln::collect(p);
        });
        check(at + ": join", [&](auto p) { return source() | ln::join(ln::parallelize(other, 3)) | ln::collect(p); });
        check(at + ": left_join",
                       [&](auto p) { return source() | ln::left_join(ln::parallelize(other, 4)) | ln::collect(p); });
        for (const std::size_t k : {1, 3, 8}) {
          check(at + ": repartition(" + std::to_string(k) + ")", [&](auto p) {
            const auto cp = source() | ln::map_values(twice) | ln::repartition(k) | ln::local_checkpoint(p);
            return std::make_tuple(cp.partitions(), cp.size(), cp | ln::collect(p));
          });
        }
        check(at + ": reduce_by_key | sort_by | take", [&](auto p) {
          return source() | ln::reduce_by_key(plus) | ln::sort_by(second) | ln::map([](const kv& x) { return x.first; }) |
                 ln::take(10, p);
        });
        check(at + ": sort_by keeps the partition count, cut in order", [&](auto p) {
          const auto cp = source() | ln::sort_by(second) | ln::local_checkpoint(p);
          return std::make_pair(cp.partitions(), cp.size());
        });
      });
    }
  }
}

// Operators with several inputs (union_all, subtract, subtract_by_key, intersection, cartesian)
// and by-key partitioning (partition_by, repartition_and_sort_within_partitions, sort_by with a
// comparator and a partition count).
template <class Check>
void several_inputs_and_partitioning(const Check& check) {
  for (const shape s : {shape::empty, shape::skewed, shape::random}) {
    for (const std::size_t n : {std::size_t{1}, std::size_t{300}}) {
      const auto data = wide_test::keyed(s, n, 1430 + static_cast<unsigned>(n));
      const auto other = wide_test::keyed(s, n / 2 + 1, 1440 + static_cast<unsigned>(n));
      for_each_source(data, [&](const std::string& src, const auto& source, bool) {
        const std::string at = src + ", " + wide_test::name_of(s) + ", n = " + std::to_string(n);
        const auto key = [](const kv& x) { return x.first; };
        check(at + ": union_all", [&](auto p) {
          return source() | ln::union_all(ln::parallelize(other, 3), other) | ln::map_values(twice) | ln::collect(p);
        });
        check(at + ": union_all | reduce_by_key",
              [&](auto p) { return source() | ln::union_all(ln::parallelize(other, 4)) | ln::reduce_by_key(plus) | ln::collect(p); });
        check(at + ": subtract", [&](auto p) { return source() | ln::subtract(ln::parallelize(other, 2)) | ln::collect(p); });
        check(at + ": subtract_by_key", [&](auto p) { return source() | ln::subtract_by_key(other, 4) | ln::collect(p); });
        check(at + ": intersection",
              [&](auto p) { return source() | ln::map(key) | ln::intersection(ln::parallelize(other, 3) | ln::map(key)) | ln::collect(p); });
        check(at + ": cartesian", [&](auto p) {
          return source() | ln::map(key) | ln::cartesian(ln::parallelize(std::vector<int>{1, 2, 3, 4, 5}, 2)) | ln::collect(p);
        });
        check(at + ": partition_by", [&](auto p) {
          const auto cp = source() | ln::partition_by(3) | ln::local_checkpoint(p);
          return std::make_tuple(cp.partitions(), cp.size(), cp | ln::collect(p));
        });
        check(at + ": partition_by | reduce_by_key",
              [&](auto p) { return source() | ln::partition_by(4) | ln::reduce_by_key(plus, 4) | ln::collect(p); });
        check(at + ": repartition_and_sort_within_partitions", [&](auto p) {
          return source() | ln::repartition_and_sort_within_partitions(3, std::greater<>()) | ln::collect(p);
        });
        check(at + ": sort_by(key, comparator, 4)", [&](auto p) {
          return source() | ln::sort_by([](const kv& x) { return x.second; }, std::greater<>(), 4) | ln::collect(p);
        });
      });
    }
  }
}

// Partition-wise operators and sampling: map_partitions_with_index, coalesce (its partition
// count and sizes), zip_with_index, sample, random_split and take_sample (deterministic for a
// seed and a partitioning, so every backend draws the same).
template <class Check>
void partition_operations(const Check& check) {
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{17}, std::size_t{1000}}) {
    const auto data = random_ints(n, 1100 + static_cast<unsigned>(n));
    for_each_source(data, [&](const std::string& src, const auto& source, bool) {
      const std::string at = src + ", n = " + std::to_string(n);
      check(at + ": map_partitions_with_index", [&](auto p) {
        return source() | ln::filter(odd) | ln::map_partitions_with_index([](std::size_t i, std::span<const int> part) {
                 return std::vector<std::pair<std::size_t, int>>{{i, std::accumulate(part.begin(), part.end(), 0)}};
               }) |
               ln::collect(p);
      });
      for (const std::size_t m : {1, 2, 3, 10}) {
        check(at + ": coalesce(" + std::to_string(m) + ")", [&](auto p) {
          const auto cp = source() | ln::filter(odd) | ln::coalesce(m) | ln::local_checkpoint(p);
          return std::make_tuple(cp.partitions(), cp.size(), cp | ln::collect(p),
                                 source() | ln::coalesce(m) | ln::map_partitions([](std::span<const int> part) {
                                   return std::vector<std::size_t>{part.size()};
                                 }) | ln::collect(p));
        });
      }
      check(at + ": zip_with_index", [&](auto p) {
        return std::make_pair(source() | ln::zip_with_index | ln::collect(p),
                              source() | ln::filter(odd) | ln::zip_with_index | ln::collect(p));
      });
      check(at + ": sample", [&](auto p) {
        return std::make_pair(source() | ln::sample(0.4, 3) | ln::collect(p),
                              source() | ln::sample(0.7, 3, ln::with_replacement) | ln::collect(p));
      });
      check(at + ": random_split", [&](auto p) {
        std::vector<std::vector<int>> out;
        for (const auto& s : source() | ln::random_split({2, 1, 1}, 8)) out.push_back(s | ln::collect(p));
        return out;
      });
      check(at + ": take_sample", [&](auto p) {
        return std::make_pair(source() | ln::filter(odd) | ln::take_sample(7, 1, p),
                              source() | ln::take_sample(7, 1, ln::with_replacement, p));
      });
    });
  }
}

// The join family (join, left_join, right_join, full_join, cogroup) on keyed shapes, the right
// side from a range (one partition) or parallelize, with the default and a given partition count.
template <class Check>
void join_family(const Check& check) {
  const auto kinds = std::make_tuple(
      std::pair{"join", [](auto&&... a) { return ln::join(std::forward<decltype(a)>(a)...); }},
      std::pair{"left_join", [](auto&&... a) { return ln::left_join(std::forward<decltype(a)>(a)...); }},
      std::pair{"right_join", [](auto&&... a) { return ln::right_join(std::forward<decltype(a)>(a)...); }},
      std::pair{"full_join", [](auto&&... a) { return ln::full_join(std::forward<decltype(a)>(a)...); }},
      std::pair{"cogroup", [](auto&&... a) { return ln::cogroup(std::forward<decltype(a)>(a)...); }});
  for (const shape s : {shape::empty, shape::one_key, shape::skewed, shape::random}) {
    const auto left = wide_test::keyed(s, 200, 1450);
    const auto right = wide_test::keyed(s, 90, 1451);
    for_each_source(left, [&](const std::string& src, const auto& source, bool) {
      const std::string at = src + ", " + wide_test::name_of(s);
      std::apply(
          [&](const auto&... kind) {
            (check(at + ": " + kind.first, [&](auto p) { return source() | kind.second(ln::parallelize(right, 3)) | ln::collect(p); }),
             ...);
            (check(at + ": " + kind.first + " (2 partitions)",
                   [&](auto p) { return source() | kind.second(right, 2) | ln::collect(p); }),
             ...);
          },
          kinds);
    });
  }
}

}  // namespace rank_cases
