#pragma once
// ln::aggregate(zero, seq_op, comb_op): Spark's aggregate. Each partition folds its elements
// into a copy of `zero` with seq_op(acc, x); the partition results are combined in order with
// comb_op(acc, acc), starting from `zero` (so zero must be neutral for comb_op). seq_op may also
// take the accumulator by reference, mutate it and return it (a Spark idiom for sets).
#include <type_traits>
#include <utility>

#include "action.hpp"

namespace lineage {
namespace detail {

template <class U, class SeqOp>
struct aggregate_sink {
  U acc;
  const SeqOp* seq_op;
  static constexpr bool can_stop = false;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(acc);
  }
  template <class X>
  void operator()(X&& x) {
    if constexpr (std::is_invocable_v<const SeqOp&, U&&, X&&>) {
      acc = (*seq_op)(std::move(acc), std::forward<X>(x));
    } else {
      auto&& result = (*seq_op)(acc, std::forward<X>(x));  // seq_op(U&, x): mutates acc, returns it
      if constexpr (std::is_lvalue_reference_v<decltype(result)>) {
        if (&result != &acc) acc = result;
      } else {
        acc = std::move(result);
      }
    }
  }
};

template <class U, class SeqOp, class CombOp>
struct aggregate_action {
  U zero;
  SeqOp seq_op;
  CombOp comb_op;

  template <class Ref, bool Parallel>
  static constexpr bool accepts() {
    constexpr bool folds = std::is_invocable_r_v<U, const SeqOp&, U, Ref> || std::is_invocable_r_v<U, const SeqOp&, U&, Ref>;
    static_assert(folds, "ln::aggregate(zero, seq_op, comb_op): seq_op(acc, element) must return the accumulator");
    constexpr bool combines = std::is_invocable_r_v<U, const CombOp&, U, U>;
    static_assert(!folds || combines, "ln::aggregate(zero, seq_op, comb_op): comb_op(acc, acc) must return the accumulator");
    return folds && combines;
  }
  template <class Ref>
  auto make() const {
    return aggregate_sink<U, SeqOp>{zero, &seq_op};
  }
  template <class Acc>
  void merge(Acc& into, Acc&& later) const {
    into.acc = comb_op(std::move(into.acc), std::move(later.acc));
  }
  // Sequentially one accumulator saw every partition: still combine it with zero, as Spark does.
  template <class Acc>
  U finish(Acc&& acc) const {
    return comb_op(U(zero), std::move(acc.acc));
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
