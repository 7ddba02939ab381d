// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::repartition_and_sort_within_partitions(partitioner | n [, comparator]): ln::partition_by,
// then each partition stably sorted by key, with `comparator` on keys (default <): Spark's
// repartitionAndSortWithinPartitions. Wide: one shuffle (none if the input is already
// partitioned so), the sort runs in each output partition. The output stays partitioned by key.
#include <algorithm>
#include <functional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../core/closure.hpp"
#include "../core/op_params.hpp"
#include "../core/concepts.hpp"
#include "../core/partitioned.hpp"
#include "../plan/explain_builder.hpp"
#include "../plan/op_kind.hpp"
#include "partition_by.hpp"

namespace lineage {

template <class Compare, class Hash = std_hash>
struct repartition_and_sort_within_partitions_op {
  partitioner<Hash> part;
  Compare compare;

  static constexpr plan::op_kind kind = plan::op_kind::wide;
  static constexpr std::string_view name = "repartition_and_sort_within_partitions";

  // Its value parameters, for the lineage signature (core/op_params.hpp).
  std::string signature_params() const { return param_list().add_partitioner(part).text(); }
  static constexpr bool partitions_by_key = std::is_same_v<Hash, std_hash>;

  template <class In>
  static constexpr bool check() {
    if constexpr (!detail::check_keyed_partitioning<In, Hash>(name)) {
      return false;
    } else if constexpr (!std::is_move_assignable_v<std::remove_cvref_t<In>>) {
      static_assert(detail::always_false<In>,
                    "ln::repartition_and_sort_within_partitions: the elements must be move-assignable to be sorted");
      return false;
    } else {
      using K = detail::key_of_t<In>;
      constexpr bool ok = std::is_invocable_r_v<bool, const Compare&, const K&, const K&>;
      static_assert(ok, "ln::repartition_and_sort_within_partitions(partitioner, comparator): comparator(key, key) "
                        "must return bool (for the default, the key needs <)");
      return ok;
    }
  }
  template <class In>
  using reference = const std::remove_cvref_t<In>&;

  template <pipeline Up, class Ctx>
  auto produce(const Up& up, const Ctx& ctx) const {
    using T = element_t<Up>;
    auto parts = detail::partition_pairs_by_key(up, part, ctx);
    const auto by_key = [&](const T& a, const T& b) { return std::invoke(compare, std::get<0>(a), std::get<0>(b)); };
    ctx.for_each_owned_partition(parts.partitions(), [&](std::size_t i) {
      std::stable_sort(parts.at(i).begin(), parts.at(i).end(), by_key);
    });
    return detail::make_partitioned_producer(std::move(parts));
  }

  void explain_into(plan::explain_builder& out) const {
    out.shuffle("repartition_and_sort_within_partitions(" + detail::partitions_text(part.partitions) + ")");
  }
};

struct repartition_and_sort_within_partitions_fn {
  template <class Part, class Compare = std::less<>>
  auto operator()(Part part, Compare compare = {}) const {
    return op_closure<repartition_and_sort_within_partitions_op<Compare, partition_hash_t<Part>>>{
        {}, {as_partitioner(part), std::move(compare)}};
  }
};
inline constexpr repartition_and_sort_within_partitions_fn repartition_and_sort_within_partitions{};

}  // namespace lineage
