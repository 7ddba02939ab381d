// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::top(n [, comp]): the n largest elements (by comp, default <), largest first, as Spark's
// top. take_ordered with the order reversed: a bounded heap per partition, no full sort.
#include <cstddef>
#include <functional>
#include <utility>

#include "take_ordered.hpp"

namespace lineage {
namespace detail {

template <class Comp>
struct reversed_order {
  Comp comp;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    return comp(b, a);
  }
};

}  // namespace detail

struct top_fn {
  template <execution_policy Policy = seq_t>
  auto operator()(std::size_t n, Policy policy = {}) const {
    return detail::make_action(detail::take_ordered_action<detail::reversed_order<std::less<>>>{n, {}}, policy);
  }
  template <class Comp, execution_policy Policy = seq_t>
    requires(!execution_policy<Comp>)
  auto operator()(std::size_t n, Comp comp, Policy policy = {}) const {
    using reversed = detail::reversed_order<Comp>;
    return detail::make_action(detail::take_ordered_action<reversed>{n, reversed{std::move(comp)}}, policy);
  }
};
inline constexpr top_fn top{};

}  // namespace lineage
