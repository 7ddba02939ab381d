// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::aggregate_by_key(zero, seq_op, comb_op [, ln::partitioner{n, hasher}]): pairs (k, v) ->
// one pair (k, u) per key, where u starts at `zero`, takes each value with u = seq_op(u, v)
// and partition results combine with comb_op(u, u) (Spark's aggregateByKey). Wide. seq_op may
// also take the accumulator by `U&`, mutate it and return it (exec/seq_op.hpp).
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
#include "../exec/seq_op.hpp"
#include "../exec/shuffle.hpp"
#include "../plan/op_kind.hpp"

namespace lineage {

template <class U, class SeqOp, class CombOp, class Hash = std_hash>
struct aggregate_by_key_op {
  U zero;
  SeqOp seq_op;
  CombOp comb_op;
  partitioner<Hash> part;

  static constexpr plan::op_kind kind = plan::op_kind::wide;
  static constexpr std::string_view name = "aggregate_by_key";

  // Its value parameters, for the lineage signature (core/op_params.hpp).
  std::string signature_params() const { return param_list().add("zero", zero).add_partitioner(part).text(); }
  // Its output partition of key k is mix(std::hash(k)) % n: a checkpoint records it (see
  // exec/key_partitioning.hpp), so that a later by-key operator can skip the shuffle.
  static constexpr bool partitions_by_key = std::is_same_v<Hash, std_hash>;

  template <class In>
  static constexpr bool check() {
    if constexpr (!pair_like<In>) {
      static_assert(detail::always_false<In>,
                    "ln::aggregate_by_key: the elements are not pair-like (std::pair, std::tuple of 2)");
      return false;
    } else if constexpr (!detail::hashable_key<detail::key_of_t<In>, Hash>) {
      static_assert(detail::always_false<In>,
                    "ln::aggregate_by_key: the key type has no std::hash; pass a hasher in ln::partitioner");
      return false;
    } else if constexpr (!detail::folds_into<U, SeqOp, detail::value_of_t<In>>) {
      static_assert(detail::always_false<In>,
                    "ln::aggregate_by_key(zero, seq_op, comb_op): seq_op(acc, value) must return the accumulator");
      return false;
    } else {
      constexpr bool ok = detail::folds_into<U, CombOp, U>;
      static_assert(ok, "ln::aggregate_by_key(zero, seq_op, comb_op): comb_op(acc, acc) must return the accumulator");
      return ok;
    }
  }
  template <class In>
  using reference = const std::pair<detail::key_of_t<In>, U>&;

  struct aggregator {
    const aggregate_by_key_op* self;
    template <class V>
    U create(V&& v) const {
      U acc(self->zero);
      detail::apply_seq_op(self->seq_op, acc, std::forward<V>(v));
      return acc;
    }
    template <class V>
    void merge_value(U& acc, V&& v) const {
      detail::apply_seq_op(self->seq_op, acc, std::forward<V>(v));
    }
    void merge_combiners(U& acc, U&& later) const { detail::apply_seq_op(self->comb_op, acc, std::move(later)); }
  };

  template <pipeline Up, class Ctx>
  auto produce(const Up& up, const Ctx& ctx) const {
    using K = detail::key_of_t<reference_t<Up>>;
    auto parts = detail::combine_by_key<K, U, Hash>(up, ctx, part, aggregator{this});
    return detail::make_partitioned_producer(std::move(parts));
  }
};

struct aggregate_by_key_fn {
  template <class U, class SeqOp, class CombOp, class Part = partitioner<>>
  auto operator()(U zero, SeqOp seq_op, CombOp comb_op, Part part = {}) const {
    return op_closure<aggregate_by_key_op<U, SeqOp, CombOp, partition_hash_t<Part>>>{
        {}, {std::move(zero), std::move(seq_op), std::move(comb_op), as_partitioner(part)}};
  }
};
inline constexpr aggregate_by_key_fn aggregate_by_key{};

}  // namespace lineage
