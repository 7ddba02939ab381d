// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::group_by_key([ln::partitioner{n, hasher}]): pairs (k, v) -> one pair (k, std::vector<V>)
// per key. Within a key, values keep their order of appearance (partition order, then element
// order). Wide: ends the stage.
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/closure.hpp"
#include "../core/op_params.hpp"
#include "../core/concepts.hpp"
#include "../core/partitioned.hpp"
#include "../exec/combine_by_key.hpp"
#include "../exec/shuffle.hpp"
#include "../plan/op_kind.hpp"

namespace lineage {

template <class Hash = std_hash>
struct group_by_key_op {
  partitioner<Hash> part;

  static constexpr plan::op_kind kind = plan::op_kind::wide;
  static constexpr std::string_view name = "group_by_key";

  // Its value parameters, for the lineage signature (core/op_params.hpp).
  std::string signature_params() const { return param_list().add_partitioner(part).text(); }
  // Its output partition of key k is mix(std::hash(k)) % n: a checkpoint records it (see
  // exec/key_partitioning.hpp), so that a later by-key operator can skip the shuffle.
  static constexpr bool partitions_by_key = std::is_same_v<Hash, std_hash>;

  template <class In>
  static constexpr bool check() {
    if constexpr (!pair_like<In>) {
      static_assert(detail::always_false<In>,
                    "ln::group_by_key(): the elements are not pair-like (std::pair, std::tuple of 2)");
      return false;
    } else {
      constexpr bool ok = detail::hashable_key<detail::key_of_t<In>, Hash>;
      static_assert(ok, "ln::group_by_key(): the key type has no std::hash; pass a hasher: "
                        "ln::group_by_key(ln::partitioner{0, hasher})");
      return ok;
    }
  }
  template <class In>
  using reference = const std::pair<detail::key_of_t<In>, std::vector<detail::value_of_t<In>>>&;

  struct aggregator {
    template <class V>
    auto create(V&& v) const {
      std::vector<std::remove_cvref_t<V>> group;
      group.push_back(std::forward<V>(v));
      return group;
    }
    template <class C, class V>
    void merge_value(C& group, V&& v) const {
      group.push_back(std::forward<V>(v));
    }
    template <class C>
    void merge_combiners(C& group, C&& later) const {
      group.insert(group.end(), std::make_move_iterator(later.begin()), std::make_move_iterator(later.end()));
    }
  };

  template <pipeline Up, class Ctx>
  auto produce(const Up& up, const Ctx& ctx) const {
    using K = detail::key_of_t<reference_t<Up>>;
    using C = std::vector<detail::value_of_t<reference_t<Up>>>;
    auto parts = detail::combine_by_key<K, C, Hash>(up, ctx, part, aggregator{});
    return detail::make_partitioned_producer(std::move(parts));
  }
};

struct group_by_key_fn : usable_bare<group_by_key_fn> {
  template <class Part = partitioner<>>
  auto operator()(Part part = {}) const {
    return op_closure<group_by_key_op<partition_hash_t<Part>>>{{}, {as_partitioner(part)}};
  }
};
inline constexpr group_by_key_fn group_by_key{};

}  // namespace lineage
