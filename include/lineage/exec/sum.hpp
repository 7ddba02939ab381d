// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::sum(): the sum of the elements, starting from a value-initialized element (0).
//
// Under ln::par partition sums are added in partition order; for floating point that
// association differs from the sequential one, so the last bits may differ.
#include <type_traits>
#include <utility>

#include "action.hpp"

namespace lineage {
namespace detail {

template <class T>
struct sum_sink {
  T total{};
  static constexpr bool can_stop = false;
  // Its state, for a distributed backend's gather_ordered (exec/backend.hpp).
  template <class Archive>
  void serialize(Archive& ar) {
    ar(total);
  }
  template <class X>
  void operator()(X&& x) {
    total += std::forward<X>(x);
  }
  // Branch-free conditional push, offered to a filter that feeds the sum directly: adding the
  // identity keeps the store to `total` unconditional, so the compiler can keep it in a
  // register and use a conditional move instead of a mispredicted branch. -0.0 is the exact
  // additive identity of floating point (x + -0.0 == x for every x, -0.0 included).
  template <class X>
    requires std::is_arithmetic_v<T> && std::is_convertible_v<X, T>
  void push_if(bool keep, X&& x) {
    const T value = static_cast<T>(x);
    constexpr T identity = std::is_floating_point_v<T> ? -T{} : T{};
    total += keep ? value : identity;
  }
};

struct sum_action {
  template <class Ref, bool Parallel>
  static constexpr bool accepts() {
    using T = std::remove_cvref_t<Ref>;
    constexpr bool ok = requires(T t, Ref r) { t += static_cast<Ref>(r); };
    static_assert(ok, "ln::sum(): the element type has no operator+=");
    return ok;
  }
  template <class Ref>
  auto make() const {
    return sum_sink<std::remove_cvref_t<Ref>>{};
  }
  template <class Acc>
  void merge(Acc& into, Acc&& later) const {
    into.total += std::move(later.total);
  }
  template <class Acc>
  auto finish(Acc&& acc) const {
    return std::move(acc.total);
  }
};

}  // namespace detail

struct sum_fn : usable_bare<sum_fn> {
  template <execution_policy Policy = seq_t>
  auto operator()(Policy policy = {}) const {
    return detail::make_action(detail::sum_action{}, policy);
  }
};
inline constexpr sum_fn sum{};

}  // namespace lineage
