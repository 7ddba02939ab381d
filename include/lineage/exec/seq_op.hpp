// SPDX-License-Identifier: Apache-2.0
#pragma once
// Applying a Spark-style seq_op to an accumulator: seq_op(acc, x) may take the accumulator by
// value and return the new one, or take it by `U&`, mutate it and return it (a common Spark
// idiom for sets: `(s, x) => { s += x; s }`). Used by aggregate, aggregate_by_key and fold.
#include <type_traits>
#include <utility>

namespace lineage::detail {

// Whether seq_op(acc, x) folds x into an accumulator of type U, in either form.
template <class U, class SeqOp, class X>
concept folds_into = std::is_invocable_r_v<U, const SeqOp&, U, X> || std::is_invocable_r_v<U, const SeqOp&, U&, X>;

template <class U, class SeqOp, class X>
void apply_seq_op(const SeqOp& seq_op, U& acc, X&& x) {
  if constexpr (std::is_invocable_v<const SeqOp&, U&&, X&&>) {
    acc = seq_op(std::move(acc), std::forward<X>(x));
  } else {
    decltype(auto) result = seq_op(acc, std::forward<X>(x));  // seq_op(U&, x): mutates acc, returns it
    if constexpr (std::is_lvalue_reference_v<decltype(result)>) {
      if (&result != &acc) acc = result;
    } else {
      acc = std::move(result);
    }
  }
}

// The per-partition sink of fold and aggregate: folds each element into `acc` with *op.
template <class Acc, class Op>
struct seq_op_sink {
  Acc acc;
  const Op* op;
  static constexpr bool can_stop = false;
  // Its state, for a distributed backend's gather_ordered (exec/backend.hpp).
  template <class Archive>
  void serialize(Archive& ar) {
    ar(acc);
  }
  template <class X>
  void operator()(X&& x) {
    apply_seq_op(*op, acc, std::forward<X>(x));
  }
};

}  // namespace lineage::detail
