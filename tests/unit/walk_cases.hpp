#pragma once
// Lineages of every shape the lineage walk must cover (main line, markers, a join's right side,
// nested joins, shuffled inputs, checkpointed sources), for lineage_walk_test.cpp. The values
// pinned there were computed with the recursions the walk replaced (main at 5c14c6e), from this
// same file: the walk must give the same explain text, signature, identity and partitioning.
#include <lineage/lineage.hpp>

#include <cereal/types/string.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace walk_cases {

namespace ln = lineage;

inline const std::vector<int>& ints() {
  static const std::vector<int> v{5, 3, 8, 1, 9, 2, 7};
  return v;
}
inline const std::vector<std::pair<int, long>>& kv() {
  static const std::vector<std::pair<int, long>> v{{1, 10}, {2, 20}, {1, 11}, {3, 30}, {2, 21}, {4, 40}};
  return v;
}
inline const std::vector<std::pair<int, std::string>>& names() {
  static const std::vector<std::pair<int, std::string>> v{{1, "one"}, {2, "two"}, {3, "three"}, {2, "deux"}};
  return v;
}

// Calls f(name, pipeline) for each case.
template <class F>
void for_each_case(F&& f) {
  const auto twice = [](int x) { return 2 * x; };
  const auto odd = [](int x) { return x % 2 == 1; };
  const auto upto = [](int x) { return std::vector<int>(static_cast<std::size_t>(x % 3), x); };
  const auto inc = [](long v) { return v + 1; };
  const auto big = [](const auto& p) { return p.first > 1; };
  const auto key_of = [](const auto& p) { return p.first; };
  const auto first_of = [](const auto& p) { return p.first; };
  const auto seq_op = [](double acc, long v) { return acc + static_cast<double>(v); };
  const auto comb_op = [](double a, double b) { return a + b; };

  f("narrow", ints() | ln::map(twice) | ln::filter(odd) | ln::flat_map(upto));
  f("reduce_persist", kv() | ln::reduce_by_key(std::plus<>{}) | ln::map_values(inc) | ln::persist());
  f("join_plain", kv() | ln::join(names()));
  f("join_both_shuffled",
    kv() | ln::reduce_by_key(std::plus<>{}) | ln::join(kv() | ln::reduce_by_key(std::plus<>{})) | ln::map(first_of));
  f("left_join_shuffled", kv() | ln::left_join(names() | ln::repartition(2)));
  f("nested_join", kv() | ln::join(kv() | ln::join(names() | ln::filter(big))) | ln::keys());
  f("parallelize_group_sort",
    ln::parallelize(kv(), 3) | ln::group_by_key() | ln::sort_by(key_of, ln::descending) | ln::keys() | ln::distinct());
  f("local_checkpoint_source", kv() | ln::reduce_by_key(std::plus<>{}) | ln::local_checkpoint() | ln::map_values(inc) |
                                   ln::filter(big));
  f("aggregate_filter", kv() | ln::aggregate_by_key(0.0, seq_op, comb_op) | ln::filter(big));
  f("aggregate_map", kv() | ln::aggregate_by_key(0.0, seq_op, comb_op) | ln::map(first_of));
  f("join_persisted_right", kv() | ln::join(ln::parallelize(names(), 2) | ln::persist()) | ln::values());
  f("persist_after_join", kv() | ln::group_by_key(ln::partitioner{3}) | ln::persist() | ln::filter(big));
}

}  // namespace walk_cases
