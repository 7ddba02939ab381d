// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::fold(init, op): a left fold, acc = op(acc, x) for each element in order.
//
// Under ln::par each partition folds from `init` and the partition results are combined in
// order with op(acc, acc), as Spark's fold does: `init` must then be op's neutral element
// (0 for +, 1 for *) and op must accept two accumulators. op may take the accumulator by `Acc&`,
// mutate it and return it (exec/seq_op.hpp).
#include <concepts>
#include <type_traits>
#include <utility>

#include "../core/concepts.hpp"
#include "action.hpp"
#include "seq_op.hpp"

namespace lineage {
namespace detail {

template <class Acc, class Op>
struct fold_action {
  Acc init;
  Op op;

  template <class Ref, bool Parallel>
  static constexpr bool accepts() {
    constexpr bool folds = folds_into<Acc, Op, Ref>;
    static_assert(folds, "ln::fold(init, op): op(acc, element) must be callable and return the accumulator type");
    if constexpr (folds && Parallel) {
      constexpr bool combines = folds_into<Acc, Op, Acc>;
      static_assert(combines,
                    "ln::fold with ln::par combines partition results with op(acc, acc): "
                    "op must also accept two accumulators");
      return combines;
    } else {
      return folds;
    }
  }
  template <class Ref>
  auto make() const {
    return seq_op_sink<Acc, Op>{init, &op};
  }
  void merge(seq_op_sink<Acc, Op>& into, seq_op_sink<Acc, Op>&& later) const {
    apply_seq_op(op, into.acc, std::move(later.acc));
  }
  Acc finish(seq_op_sink<Acc, Op>&& s) const { return std::move(s.acc); }
};

}  // namespace detail

struct fold_fn {
  template <class Init, class Op, execution_policy Policy = seq_t>
  auto operator()(Init init, Op op, Policy policy = {}) const {
    return detail::make_action(detail::fold_action<Init, Op>{std::move(init), std::move(op)}, policy);
  }
};
inline constexpr fold_fn fold{};

}  // namespace lineage
