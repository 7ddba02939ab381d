// SPDX-License-Identifier: Apache-2.0
#pragma once
// The shuffle that ends a stage (Spark's): how a wide operator moves data between partitions.
//
//   write:    each partition of the upstream stage runs its fused kernel into a map-side
//             combiner (the operator's: e.g. a hash map that pre-reduces by key), which then
//             splits its contents into one bucket per downstream partition;
//   exchange: bucket j of every upstream partition goes to downstream partition j: the
//             backend's exchange (exec/backend.hpp; in one process this moves vectors, a
//             distributed backend makes it an all-to-all);
//   read:     each downstream partition merges its buckets, in upstream-partition order.
// Both sides run the partitions this process owns (on the pool under ln::par); nothing is
// shared between partitions but the buckets handed over, so there is nothing to lock.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/partitioned.hpp"
#include "../core/pipeline.hpp"
#include "../partitioner.hpp"
#include "backend.hpp"
#include "observation.hpp"

namespace lineage {

namespace detail {

// Runs the upstream stage into one combiner per owned partition and exchanges the buckets
// (the backend's exchange, exec/backend.hpp): the result holds the input of every downstream
// partition this process owns. make_combiner(downstream_partitions) returns a sink with
// `buckets_of<Item> take_buckets() &&`. `downstream` must not be 0 (see downstream_partitions).
template <class Producer, class Ctx, class MakeCombiner>
auto shuffle_write(const Producer& producer, const Ctx& ctx, std::size_t downstream,
                   const MakeCombiner& make_combiner) {
  const std::size_t upstream = producer.partitions();
  using combiner = decltype(make_combiner(downstream));
  using item = typename decltype(std::declval<combiner&&>().take_buckets())::value_type::value_type;

  std::vector<buckets_of<item>> written(upstream);
  const auto probe = observe_stage(upstream, stage_kind::shuffle);
  ctx.for_each_owned_partition(upstream, [&](std::size_t i) {
    auto c = make_combiner(downstream);
    probe.run(producer, i, c);
    written[i] = std::move(c).take_buckets();
  });
  if (probe.active()) probe.finish(bucket_records(written), sizeof(item));
  return ctx.template exchange<item>(std::move(written), downstream);
}

// The partition count a shuffle writes: the partitioner's, or else the upstream stage's.
template <class Hash>
std::size_t downstream_partitions(const partitioner<Hash>& part, std::size_t upstream) {
  if (part.partitions != 0) return part.partitions;
  return upstream == 0 ? 1 : upstream;
}

// Reduces each owned downstream partition's input into its output partition.
template <class Item, class Ctx, class Reduce>
auto shuffle_read(std::vector<shuffle_input<Item>>&& read, const Ctx& ctx, const Reduce& reduce) {
  using out = typename decltype(reduce(std::declval<shuffle_input<Item>&&>()))::value_type;
  const std::size_t n = read.size();
  partition_set<out> parts(n, [&](std::size_t j) { return ctx.owns(j, n); });
  ctx.for_each_owned_partition(n, [&](std::size_t j) {
    parts.at(j) = reduce(std::move(read[j]));
    shuffle_input<Item>().swap(read[j]);  // free the input as soon as it is merged
  });
  return parts;
}

// A combiner that only routes each element to its bucket (no map-side combining).
template <class T, class PartitionOf>
struct routing_combiner {
  buckets_of<T> buckets;
  PartitionOf partition_of;
  static constexpr bool can_stop = false;
  template <class X>
  void operator()(X&& x) {
    auto& b = buckets[partition_of(x)];
    b.emplace_back(std::forward<X>(x));
  }
  buckets_of<T> take_buckets() && { return std::move(buckets); }
};

}  // namespace detail
}  // namespace lineage
