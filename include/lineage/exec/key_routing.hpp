// SPDX-License-Identifier: Apache-2.0
#pragma once
// Routing pairs (k, v) by key through the one shuffle: the combiner that sends each pair to the
// partition its key hashes to under a partitioner (the join family, partition_by).
#include <cstddef>
#include <tuple>

#include "../partitioner.hpp"
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

}  // namespace lineage::detail
