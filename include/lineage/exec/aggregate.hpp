// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::aggregate(zero, seq_op, comb_op): Spark's aggregate. Each partition folds its elements
// into a copy of `zero` with seq_op(acc, x); the partition results are combined in order with
// comb_op(acc, acc), starting from `zero` (so zero must be neutral for comb_op). seq_op may also
// take the accumulator by reference, mutate it and return it (a Spark idiom for sets).
#include <type_traits>
#include <utility>

#include "action.hpp"
#include "seq_op.hpp"

namespace lineage {
namespace detail {

template <class U, class SeqOp, class CombOp>
struct aggregate_action {
  U zero;
  SeqOp seq_op;
  CombOp comb_op;

  template <class Ref, bool Parallel>
  static constexpr bool accepts() {
    constexpr bool folds = folds_into<U, SeqOp, Ref>;
    static_assert(folds, "ln::aggregate(zero, seq_op, comb_op): seq_op(acc, element) must return the accumulator");
    constexpr bool combines = folds_into<U, CombOp, U>;
    static_assert(!folds || combines, "ln::aggregate(zero, seq_op, comb_op): comb_op(acc, acc) must return the accumulator");
    return folds && combines;
  }
  template <class Ref>
  auto make() const {
    return seq_op_sink<U, SeqOp>{zero, &seq_op};
  }
  template <class Acc>
  void merge(Acc& into, Acc&& later) const {
    apply_seq_op(comb_op, into.acc, std::move(later.acc));
  }
  // Sequentially one accumulator saw every partition: still combine it with zero, as Spark does.
  template <class Acc>
  U finish(Acc&& acc) const {
    U result(zero);
    apply_seq_op(comb_op, result, std::move(acc.acc));
    return result;
  }
};

}  // namespace detail

struct aggregate_fn {
  template <class U, class SeqOp, class CombOp, execution_policy Policy = seq_t>
  auto operator()(U zero, SeqOp seq_op, CombOp comb_op, Policy policy = {}) const {
    return detail::make_action(detail::aggregate_action<U, SeqOp, CombOp>{std::move(zero), std::move(seq_op),
                                                                          std::move(comb_op)},
                               policy);
  }
};
inline constexpr aggregate_fn aggregate{};

}  // namespace lineage
