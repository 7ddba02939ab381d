// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::min() / ln::min: the smallest element by <, std::nullopt when there is none (Spark's min
// throws on an empty RDD). The first of equal smallest elements, in partition order.
#include <optional>
#include <type_traits>
#include <utility>

#include "action.hpp"

namespace lineage {
namespace detail {

// Keeps the element x for which better(x, kept) never held against a later one.
template <class T, bool Largest>
struct extreme_sink {
  std::optional<T> best;
  static constexpr bool can_stop = false;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(best);
  }
  template <class X>
  void operator()(X&& x) {
    if (!best) {
      best.emplace(std::forward<X>(x));
    } else if (Largest ? *best < x : x < *best) {
      *best = T(std::forward<X>(x));
    }
  }
};

template <bool Largest>
struct extreme_action {
  template <class Ref, bool Parallel>
  static constexpr bool accepts() {
    using T = std::remove_cvref_t<Ref>;
    constexpr bool ok = requires(const T& a, const T& b) {
      { a < b } -> std::convertible_to<bool>;
    };
    static_assert(ok, "ln::min() / ln::max(): the elements need operator<");
    return ok;
  }
  template <class Ref>
  auto make() const {
    return extreme_sink<std::remove_cvref_t<Ref>, Largest>{};
  }
  template <class Acc>
  void merge(Acc& into, Acc&& later) const {
    if (later.best) into(std::move(*later.best));
  }
  template <class Acc>
  auto finish(Acc&& acc) const {
    return std::move(acc.best);
  }
};

}  // namespace detail

struct min_fn : usable_bare<min_fn> {
  template <execution_policy Policy = seq_t>
  auto operator()(Policy policy = {}) const {
    return detail::make_action(detail::extreme_action<false>{}, policy);
  }
};
inline constexpr min_fn min{};

}  // namespace lineage
