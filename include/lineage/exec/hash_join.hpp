// SPDX-License-Identifier: Apache-2.0
#pragma once
// The one mechanism behind the join family (ln::join, left_join, right_join, full_join,
// cogroup): both inputs are shuffled by key into the same partitions; each partition builds a
// multimap of the right side's values per key (a flat_table of the keys, the values grouped by
// counting) and streams the left side through it; a join kind
// (exec/join_kind.hpp) decides what each left element, and each right key no left element
// matched, emits. For the pairwise kinds, per key every pair of a left and a right value is
// emitted (the SQL cross product), left values in order, right values in order for each;
// unmatched left elements where they occur; then the right-only keys, in order of their first
// right element, each with its values in order. The order across keys is unspecified.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/partitioned.hpp"
#include "../core/pipeline.hpp"
#include "collect.hpp"  // running the plan: iteration (core/interop.hpp)
#include "flat_table.hpp"
#include "join_kind.hpp"
#include "key_routing.hpp"
#include "shuffle.hpp"

namespace lineage::detail {

// One partition's right side as a multimap, built by counting: each distinct key once in
// `keys` (in order of its first right element; its position there is its index), the values of
// key i contiguous and in input order in `values`, seen through groups[i].
template <class K, class W, class Hasher>
struct right_multimap {
  flat_table<K, no_value, Hasher> keys;
  std::vector<W> values;
  std::vector<std::span<W>> groups;

  template <class Buckets>
  right_multimap(Buckets& buckets, const Hasher& hasher) : keys(hasher) {
    std::vector<std::uint32_t> key_of_row;  // flat_table indexes fit in 32 bits
    std::vector<std::size_t> start;         // per key: its count, then where its values start
    std::size_t rows = 0;
    for (const auto& bucket : buckets) rows += bucket.size();
    key_of_row.reserve(rows);
    for (auto& bucket : buckets) {
      for (auto& [k, w] : bucket) {
        const auto [at, inserted] = keys.try_emplace(k);
        if (inserted) start.push_back(0);
        const auto i = static_cast<std::size_t>(at - keys.entries().data());
        ++start[i];
        key_of_row.push_back(static_cast<std::uint32_t>(i));
      }
    }
    std::size_t sum = 0;
    for (auto& s : start) sum += std::exchange(s, sum);
    std::vector<std::size_t> next = start;
    std::size_t r = 0;
    if constexpr (std::is_nothrow_default_constructible_v<W> && std::is_nothrow_move_assignable_v<W>) {
      values.resize(rows);  // scattered straight into place
      for (auto& bucket : buckets) {
        for (auto& row : bucket) values[next[key_of_row[r++]]++] = std::move(std::get<1>(row));
      }
    } else {
      std::vector<W*> placed(rows);  // the values in key order, then moved there once
      for (auto& bucket : buckets) {
        for (auto& row : bucket) placed[next[key_of_row[r++]]++] = &std::get<1>(row);
      }
      values.reserve(rows);
      for (W* w : placed) values.push_back(std::move(*w));
    }
    groups.reserve(start.size());
    for (std::size_t i = 0; i < start.size(); ++i) {
      groups.emplace_back(values.data() + start[i], (i + 1 < start.size() ? start[i + 1] : rows) - start[i]);
    }
  }
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
    right_multimap<K, W, hasher> table(right[j], part.template hash_for<K>());
    shuffle_input<R>().swap(right[j]);
    std::vector<char> matched;  // per right key: whether a left element had it
    if constexpr (Kind::emits_right_only) matched.resize(table.groups.size());
    emitter emit(parts.at(j), part.template hash_for<K>());
    for (auto& bucket : left[j]) {
      for (auto& [k, v] : bucket) {
        const auto i = table.keys.index_of(k);
        if (i == table.keys.npos) {
          emit.left_only(k, std::move(v));
          continue;
        }
        if constexpr (Kind::emits_right_only) matched[i] = 1;
        emit.matched(k, v, table.groups[i]);
      }
    }
    shuffle_input<L>().swap(left[j]);
    if constexpr (Kind::emits_right_only) {
      for (std::size_t i = 0; i < matched.size(); ++i) {
        if (!matched[i]) emit.right_only(table.keys.entries()[i].first, table.groups[i]);
      }
    }
  });
  return parts;
}

}  // namespace lineage::detail
