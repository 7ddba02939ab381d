// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::partition_by(partitioner | n): pairs (k, v) moved to the partition their key hashes to
// under the partitioner (Spark's partitionBy): n partitions (0: as many as the upstream has),
// every key in exactly one, each partition keeping the upstream order of its pairs. Wide: one
// shuffle, nothing combined. With the default hasher the output is partitioned by key
// (exec/key_partitioning.hpp): a later reduce_by_key, group_by_key, aggregate_by_key... into
// the same partition count does not shuffle again; and partition_by of data already
// partitioned so (into the same count) does not shuffle either.
#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/closure.hpp"
#include "../core/op_params.hpp"
#include "../core/concepts.hpp"
#include "../core/partitioned.hpp"
#include "../exec/key_partitioning.hpp"
#include "../exec/key_routing.hpp"
#include "../exec/partitions.hpp"
#include "../exec/shuffle.hpp"
#include "../plan/explain_builder.hpp"
#include "../plan/op_kind.hpp"

namespace lineage {
namespace detail {

// The partition_by shuffle, shared with repartition_and_sort_within_partitions.
template <class Hash, pipeline Up, class Ctx>
partition_set<element_t<Up>> partition_pairs_by_key(const Up& up, const partitioner<Hash>& part, const Ctx& ctx) {
  using T = element_t<Up>;
  using K = key_of_t<T>;
  const auto producer = up.producer(ctx);
  const std::size_t n = downstream_partitions(part, producer.partitions());
  if constexpr (std::is_same_v<Hash, std_hash>) {
    // Every key is already where the shuffle would send it.
    if (n == producer.partitions() && key_partitioned(up)) return run_partitions<T>(producer, ctx);
  }
  auto read = shuffle_write(producer, ctx, n, pair_router_combiner_maker<T, K, Hash>{&part});
  return shuffle_read(std::move(read), ctx, [](shuffle_input<T>&& in) {
    if (in.size() == 1) return std::move(in.front());  // one upstream partition: its bucket as is
    std::size_t count = 0;
    for (const auto& bucket : in) count += bucket.size();
    std::vector<T> out;
    out.reserve(count);
    for (auto& bucket : in) out.insert(out.end(), std::make_move_iterator(bucket.begin()), std::make_move_iterator(bucket.end()));
    return out;
  });
}

// Its check, shared too: pairs with a key the hasher takes.
template <class In, class Hash>
constexpr bool check_keyed_partitioning(std::string_view) {
  if constexpr (!pair_like<In>) {
    static_assert(always_false<In>, "ln::partition_by / repartition_and_sort_within_partitions: the elements are not "
                                    "pair-like (std::pair, std::tuple of 2)");
    return false;
  } else {
    constexpr bool ok = hashable_key<key_of_t<In>, Hash>;
    static_assert(ok, "ln::partition_by / repartition_and_sort_within_partitions: the key type has no std::hash; pass "
                      "a hasher in ln::partitioner");
    return ok;
  }
}

inline std::string partitions_text(std::size_t n) { return n == 0 ? std::string("upstream count") : std::to_string(n); }

}  // namespace detail

template <class Hash = std_hash>
struct partition_by_op {
  partitioner<Hash> part;

  static constexpr plan::op_kind kind = plan::op_kind::wide;
  static constexpr std::string_view name = "partition_by";

  // Its value parameters, for the lineage signature (core/op_params.hpp).
  std::string signature_params() const { return param_list().add_partitioner(part).text(); }
  static constexpr bool partitions_by_key = std::is_same_v<Hash, std_hash>;

  template <class In>
  static constexpr bool check() {
    return detail::check_keyed_partitioning<In, Hash>(name);
  }
  template <class In>
  using reference = const std::remove_cvref_t<In>&;

  template <pipeline Up, class Ctx>
  auto produce(const Up& up, const Ctx& ctx) const {
    return detail::make_partitioned_producer(detail::partition_pairs_by_key(up, part, ctx));
  }

  void explain_into(plan::explain_builder& out) const {
    out.shuffle("partition_by(" + detail::partitions_text(part.partitions) + ")");
  }
};

struct partition_by_fn {
  template <class Part>
  auto operator()(Part part) const {
    return op_closure<partition_by_op<partition_hash_t<Part>>>{{}, {as_partitioner(part)}};
  }
};
inline constexpr partition_by_fn partition_by{};

}  // namespace lineage
