// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::reduce(op): combines all elements with op, in order; std::nullopt when there are none.
// Under ln::par, partition results are combined in order too: op must be associative.
#include <optional>
#include <type_traits>
#include <utility>

#include "action.hpp"

namespace lineage {
namespace detail {

template <class T, class Op>
struct reduce_sink {
  std::optional<T> acc;
  const Op* op;
  static constexpr bool can_stop = false;
  // Its state, for a distributed backend's gather_ordered (exec/backend.hpp).
  template <class Archive>
  void serialize(Archive& ar) {
    ar(acc);
  }
  template <class X>
  void operator()(X&& x) {
    if (acc) {
      *acc = (*op)(std::move(*acc), std::forward<X>(x));
    } else {
      acc.emplace(std::forward<X>(x));
    }
  }
};

template <class Op>
struct reduce_action {
  Op op;
  template <class Ref, bool Parallel>
  static constexpr bool accepts() {
    using T = std::remove_cvref_t<Ref>;
    // With ln::par, partition results (T) are combined too.
    constexpr bool ok = std::is_invocable_r_v<T, const Op&, T, Ref> && (!Parallel || std::is_invocable_r_v<T, const Op&, T, T>);
    static_assert(ok, "ln::reduce(op): op(element, element) must be callable and return the element type");
    return ok;
  }
  template <class Ref>
  auto make() const {
    using T = std::remove_cvref_t<Ref>;
    return reduce_sink<T, Op>{std::nullopt, &op};
  }
  template <class Acc>
  void merge(Acc& into, Acc&& later) const {
    if (!later.acc) return;
    if (into.acc) {
      *into.acc = op(std::move(*into.acc), std::move(*later.acc));
    } else {
      into.acc = std::move(later.acc);
    }
  }
  template <class Acc>
  auto finish(Acc&& s) const {
    return std::move(s.acc);
  }
};

}  // namespace detail

struct reduce_fn {
  template <class Op, execution_policy Policy = seq_t>
  auto operator()(Op op, Policy policy = {}) const {
    return detail::make_action(detail::reduce_action<Op>{std::move(op)}, policy);
  }
};
inline constexpr reduce_fn reduce{};

}  // namespace lineage
