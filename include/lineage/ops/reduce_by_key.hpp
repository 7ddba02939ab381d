// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::reduce_by_key(op [, ln::partitioner{n, hasher}]): pairs (k, v) -> one pair (k, op(...))
// per key, in no particular order. Wide: ends the stage; combines per partition before the
// shuffle. op must be associative (and commutative: partitions merge in any grouping).
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../core/closure.hpp"
#include "../core/op_params.hpp"
#include "../core/concepts.hpp"
#include "../core/partitioned.hpp"
#include "../exec/combine_by_key.hpp"
#include "../exec/shuffle.hpp"
#include "../plan/op_kind.hpp"

namespace lineage {

template <class Op, class Hash = std_hash>
struct reduce_by_key_op {
  Op op;
  partitioner<Hash> part;

  static constexpr plan::op_kind kind = plan::op_kind::wide;
  static constexpr std::string_view name = "reduce_by_key";

  // Its value parameters, for the lineage signature (core/op_params.hpp).
  std::string signature_params() const { return param_list().add_partitioner(part).text(); }
  // Its output partition of key k is mix(std::hash(k)) % n: a checkpoint records it (see
  // exec/key_partitioning.hpp), so that a later by-key operator can skip the shuffle.
  static constexpr bool partitions_by_key = std::is_same_v<Hash, std_hash>;

  template <class In>
  static constexpr bool check() {
    if constexpr (!pair_like<In>) {
      static_assert(detail::always_false<In>,
                    "ln::reduce_by_key(op): the elements are not pair-like (std::pair, std::tuple of 2)");
      return false;
    } else if constexpr (!detail::hashable_key<detail::key_of_t<In>, Hash>) {
      static_assert(detail::always_false<In>,
                    "ln::reduce_by_key(op): the key type has no std::hash; pass a hasher: "
                    "ln::reduce_by_key(op, ln::partitioner{0, hasher})");
      return false;
    } else {
      using V = detail::value_of_t<In>;
      constexpr bool ok = std::is_invocable_r_v<V, const Op&, V, V>;
      static_assert(ok, "ln::reduce_by_key(op): op(value, value) must be callable and return the value type");
      return ok;
    }
  }
  template <class In>
  using reference = const std::pair<detail::key_of_t<In>, detail::value_of_t<In>>&;

  // combineByKey with the value itself as the combiner.
  struct aggregator {
    const Op* op;
    template <class V>
    auto create(V&& v) const {
      return std::forward<V>(v);
    }
    template <class C, class V>
    void merge_value(C& c, V&& v) const {
      c = (*op)(std::move(c), std::forward<V>(v));
    }
    template <class C>
    void merge_combiners(C& c, C&& later) const {
      c = (*op)(std::move(c), std::move(later));
    }
  };

  template <pipeline Up, class Ctx>
  auto produce(const Up& up, const Ctx& ctx) const {
    using K = detail::key_of_t<reference_t<Up>>;
    using V = detail::value_of_t<reference_t<Up>>;
    auto parts = detail::combine_by_key<K, V, Hash>(up, ctx, part, aggregator{&op});
    return detail::make_partitioned_producer(std::move(parts));
  }
};

struct reduce_by_key_fn {
  template <class Op, class Part = partitioner<>>
  auto operator()(Op op, Part part = {}) const {
    return op_closure<reduce_by_key_op<Op, partition_hash_t<Part>>>{{}, {std::move(op), as_partitioner(part)}};
  }
};
inline constexpr reduce_by_key_fn reduce_by_key{};

}  // namespace lineage
