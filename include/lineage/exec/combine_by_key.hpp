// SPDX-License-Identifier: Apache-2.0
#pragma once
// The one mechanism behind reduce_by_key, group_by_key and aggregate_by_key (Spark's
// combineByKey): per key, the first value creates a combiner, later values merge into it,
// and combiners of the same key from different partitions merge with each other.
//
// The map side combines within each upstream partition before the shuffle (so a word count
// ships one (word, n) per word and partition, not one per occurrence); the read side merges
// the partitions' combiners. An Aggregator provides
//   template <class V> C create(V&& value) const;
//   template <class V> void merge_value(C& c, V&& value) const;
//   void merge_combiners(C& c, C&& later) const;
#include <cstddef>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/partitioned.hpp"
#include "../core/pipeline.hpp"
#include "../plan/op_kind.hpp"
#include "collect.hpp"  // running the plan: iteration (core/interop.hpp)
#include "flat_table.hpp"
#include "key_partitioning.hpp"
#include "shuffle.hpp"

namespace lineage::detail {

template <class K, class C, class Hash, class Aggregator>
struct by_key_combiner {
  flat_table<K, C, key_hasher_t<K, Hash>> table;
  const Aggregator* agg;
  key_partitioner<K, Hash> partition_of;
  static constexpr bool can_stop = false;

  template <class X>
  void operator()(X&& x) {
    auto&& key = std::get<0>(std::forward<X>(x));
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(key)>, K>) {
      add(std::forward<decltype(key)>(key), std::forward<X>(x));
    } else {
      add(K(std::forward<decltype(key)>(key)), std::forward<X>(x));  // hashed as K, never as a proxy
    }
  }
  template <class Key, class X>
  void add(Key&& key, X&& x) {
    // create() only for a new key; the key is copied or moved into the table only then.
    auto [at, inserted] = table.find_or_make(std::forward<Key>(key), [&] {
      return agg->create(std::get<1>(std::forward<X>(x)));
    });
    if (!inserted) agg->merge_value(at->second, std::get<1>(std::forward<X>(x)));
  }

  buckets_of<std::pair<K, C>> take_buckets() && {
    buckets_of<std::pair<K, C>> out(partition_of.partitions);
    if (partition_of.partitions == 1) {
      out.front() = std::move(table).take_entries();
      return out;
    }
    for (auto& [k, c] : table) out[partition_of(k)].emplace_back(std::move(k), std::move(c));
    table.clear();
    return out;
  }
};

// The table gets the partitioner's hasher: a user hasher need not be default-constructible.
template <class K, class C, class Hash, class Aggregator>
by_key_combiner<K, C, Hash, Aggregator> make_by_key_combiner(const Aggregator& agg, const partitioner<Hash>& part,
                                                              std::size_t partitions) {
  return {flat_table<K, C, key_hasher_t<K, Hash>>(part.template hash_for<K>()), &agg,
          {partitions, part.template hash_for<K>()}};
}

template <class K, class C, class Hash, class Aggregator, pipeline Up, class Ctx>
partition_set<std::pair<K, C>> combine_by_key(const Up& up, const Ctx& ctx, const partitioner<Hash>& part,
                                               const Aggregator& agg) {
  using item = std::pair<K, C>;
  const auto producer = up.producer(ctx);
  const std::size_t downstream = downstream_partitions(part, producer.partitions());
  if constexpr (std::is_same_v<Hash, std_hash>) {
    if (downstream == producer.partitions() && key_partitioned(up)) {
      // Every key is already in the partition the shuffle would send it to.
      partition_set<item> parts(downstream, [&](std::size_t i) { return ctx.owns(i, downstream); });
      const auto probe = observe_stage(downstream, stage_kind::shuffle);  // a shuffle that moves nothing
      ctx.for_each_owned_partition(downstream, [&](std::size_t i) {
        auto c = make_by_key_combiner<K, C>(agg, part, 1);
        probe.run(producer, i, c);
        parts.at(i) = std::move(std::move(c).take_buckets().front());
      });
      probe.finish();
      return parts;
    }
  }
  auto read = shuffle_write(producer, ctx, downstream, [&](std::size_t n) {
    return make_by_key_combiner<K, C>(agg, part, n);
  });
  return shuffle_read(std::move(read), ctx, [&](shuffle_input<item>&& in) {
    std::size_t non_empty = 0;
    for (const auto& bucket : in) {
      if (!bucket.empty()) ++non_empty;
    }
    if (non_empty <= 1) {  // one partition's combiners: keys already unique
      for (auto& bucket : in) {
        if (!bucket.empty()) return std::move(bucket);
      }
      return std::vector<item>();
    }
    flat_table<K, C, key_hasher_t<K, Hash>> table(part.template hash_for<K>());
    for (auto& bucket : in) {
      for (auto& [k, c] : bucket) {
        auto [at, inserted] = table.find_or_make(std::move(k), [&] { return std::move(c); });
        if (!inserted) agg.merge_combiners(at->second, std::move(c));
      }
      std::vector<item>().swap(bucket);
    }
    return std::move(table).take_entries();
  });
}

}  // namespace lineage::detail
