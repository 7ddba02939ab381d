#pragma once
// The one mechanism behind ln::join and ln::left_join: both inputs are shuffled by key into the
// same partitions; each partition builds a table of the right side's values per key and
// streams the left side through it. Per key every pair of a left and a right value is emitted
// (the SQL cross product), left values in order, right values in order for each.
#include <algorithm>
#include <cstddef>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/partitioned.hpp"
#include "../core/pipeline.hpp"
#include "collect.hpp"  // running the plan: iteration (core/interop.hpp)
#include "shuffle.hpp"

namespace lineage::detail {

template <class K, class Hash>
struct route_by_key {
  key_partitioner<K, Hash> partition_of;
  template <class Pair>
  std::size_t operator()(const Pair& p) const {
    return partition_of(std::get<0>(p));
  }
};

template <class T, class K, class Hash>
struct pair_router_combiner_maker {
  const partitioner<Hash>* part;
  auto operator()(std::size_t n) const {
    using router = route_by_key<K, Hash>;
    return routing_combiner<T, router>{buckets_of<T>(n), router{{n, part->template hash_for<K>()}}};
  }
};

// Left: true for a left join (unmatched left values are kept, with std::nullopt).
template <bool Left, class Hash, pipeline Up, pipeline Other, class Ctx>
auto hash_join(const Up& up, const Other& other, const partitioner<Hash>& part, const Ctx& ctx) {
  using L = element_t<Up>;
  using R = element_t<Other>;
  using K = key_of_t<L>;
  using V = value_of_t<L>;
  using W = value_of_t<R>;
  using right_value = std::conditional_t<Left, std::optional<W>, W>;
  using out = std::pair<K, std::pair<V, right_value>>;

  const auto left_producer = up.producer(ctx);
  const auto right_producer = other.producer(ctx);
  // Spark's default partitioner: as many partitions as the larger input has.
  const std::size_t n =
      downstream_partitions(part, std::max(left_producer.partitions(), right_producer.partitions()));
  auto left = shuffle_write(left_producer, ctx, n, pair_router_combiner_maker<L, K, Hash>{&part});
  auto right = shuffle_write(right_producer, ctx, n, pair_router_combiner_maker<R, K, Hash>{&part});

  partition_set<out> parts(n, [&](std::size_t j) { return ctx.owns(j, n); });
  ctx.for_each_owned_partition(n, [&](std::size_t j) {
    std::unordered_map<K, std::vector<W>, key_hasher_t<K, Hash>> table(0, part.template hash_for<K>());
    for (auto& bucket : right[j]) {
      for (auto& [k, w] : bucket) table[k].push_back(std::move(w));
    }
    shuffle_input<R>().swap(right[j]);
    auto& result = parts.at(j);
    for (auto& bucket : left[j]) {
      for (auto& [k, v] : bucket) {
        const auto match = table.find(k);
        if (match == table.end()) {
          if constexpr (Left) result.emplace_back(k, std::pair<V, right_value>(v, std::nullopt));
          continue;
        }
        for (const auto& w : match->second) result.emplace_back(k, std::pair<V, right_value>(v, w));
      }
    }
    shuffle_input<L>().swap(left[j]);
  });
  return parts;
}

}  // namespace lineage::detail
