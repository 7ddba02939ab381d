// SPDX-License-Identifier: Apache-2.0
#pragma once
// The one mechanism behind the join family (ln::join, left_join, right_join, full_join,
// cogroup): both inputs are shuffled by key into the same partitions; each partition builds a
// table of the right side's values per key and streams the left side through it; a join kind
// (exec/join_kind.hpp) decides what each left element, and each right key no left element
// matched, emits. For the pairwise kinds, per key every pair of a left and a right value is
// emitted (the SQL cross product), left values in order, right values in order for each;
// unmatched left elements where they occur; then the right-only keys, in order of their first
// right element, each with its values in order. The order across keys is unspecified.
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
#include "join_kind.hpp"
#include "key_routing.hpp"
#include "shuffle.hpp"

namespace lineage::detail {

// A key's right values, and whether a left element matched them: only the kinds that emit
// right-only keys need the flag (the inner and left joins keep the plain vector).
template <class W, bool Flagged>
struct right_group {
  std::vector<W> values;
  bool matched = false;
};
template <class W>
struct right_group<W, false> {
  std::vector<W> values;
};

template <class Kind, class Hash, pipeline Up, pipeline Other, class Ctx>
auto hash_join(const Up& up, const Other& other, const partitioner<Hash>& part, const Ctx& ctx) {
  using L = element_t<Up>;
  using R = element_t<Other>;
  using K = key_of_t<L>;
  using V = value_of_t<L>;
  using W = value_of_t<R>;
  using out = typename Kind::template output<K, V, W>;
  using hasher = key_hasher_t<K, Hash>;
  using group = right_group<W, Kind::emits_right_only>;
  using emitter = typename Kind::template emitter<K, V, W, hasher>;

  const auto left_producer = up.producer(ctx);
  const auto right_producer = other.producer(ctx);
  // Spark's default partitioner: as many partitions as the larger input has.
  const std::size_t n =
      downstream_partitions(part, std::max(left_producer.partitions(), right_producer.partitions()));
  auto left = shuffle_write(left_producer, ctx, n, pair_router_combiner_maker<L, K, Hash>{&part});
  auto right = shuffle_write(right_producer, ctx, n, pair_router_combiner_maker<R, K, Hash>{&part});

  partition_set<out> parts(n, [&](std::size_t j) { return ctx.owns(j, n); });
  ctx.for_each_owned_partition(n, [&](std::size_t j) {
    using table_t = std::unordered_map<K, group, hasher>;
    table_t table(0, part.template hash_for<K>());
    // The right keys in order of first appearance (map nodes do not move): the deterministic
    // order in which right-only keys are emitted.
    std::vector<typename table_t::value_type*> right_keys;
    for (auto& bucket : right[j]) {
      for (auto& [k, w] : bucket) {
        auto [at, inserted] = table.try_emplace(k);
        if constexpr (Kind::emits_right_only) {
          if (inserted) right_keys.push_back(&*at);
        }
        at->second.values.push_back(std::move(w));
      }
    }
    shuffle_input<R>().swap(right[j]);
    emitter emit(parts.at(j), part.template hash_for<K>());
    for (auto& bucket : left[j]) {
      for (auto& [k, v] : bucket) {
        const auto match = table.find(k);
        if (match == table.end()) {
          emit.left_only(k, std::move(v));
          continue;
        }
        if constexpr (Kind::emits_right_only) match->second.matched = true;
        emit.matched(k, v, match->second.values);
      }
    }
    shuffle_input<L>().swap(left[j]);
    if constexpr (Kind::emits_right_only) {
      for (auto* entry : right_keys) {
        if (!entry->second.matched) emit.right_only(entry->first, std::move(entry->second.values));
      }
    }
  });
  return parts;
}

}  // namespace lineage::detail
