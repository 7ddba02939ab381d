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
  template <class X>
  void operator()(X&& x) {
    total += std::forward<X>(x);
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

struct sum_fn {
  template <execution_policy Policy = seq_t>
  auto operator()(Policy policy = {}) const {
    return detail::make_action(detail::sum_action{}, policy);
  }
};
inline constexpr sum_fn sum{};

}  // namespace lineage
