// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::take_ordered(n [, comp]): the n smallest elements (by comp, default <), in ascending
// order, as Spark's takeOrdered. No full sort: each partition keeps a bounded heap of its n
// best, the heaps are merged, and only the n survivors are sorted. Ties keep no particular order.
#include <algorithm>
#include <cstddef>
#include <functional>
#include <type_traits>
#include <utility>
#include <vector>

#include "action.hpp"

namespace lineage {
namespace detail {

// The n smallest elements seen, as a max-heap under comp (its top is the worst kept).
template <class T, class Comp>
struct bounded_heap_sink {
  std::vector<T> heap;
  std::size_t limit = 0;
  Comp comp{};
  static constexpr bool can_stop = false;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(heap);
  }
  template <class X>
  void operator()(X&& x) {
    if (limit == 0) return;
    if (heap.size() < limit) {
      heap.emplace_back(std::forward<X>(x));
      std::push_heap(heap.begin(), heap.end(), comp);
    } else if (comp(x, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), comp);
      heap.back() = T(std::forward<X>(x));
      std::push_heap(heap.begin(), heap.end(), comp);
    }
  }
};

template <class Comp>
struct take_ordered_action {
  std::size_t n;
  Comp comp;

  template <class Ref, bool Parallel>
  static constexpr bool accepts() {
    using T = std::remove_cvref_t<Ref>;
    constexpr bool ok = std::is_invocable_r_v<bool, const Comp&, const T&, const T&>;
    static_assert(ok, "ln::take_ordered / ln::top: comp(a, b) must be callable on two elements and return bool");
    return ok;
  }
  template <class Ref>
  auto make() const {
    return bounded_heap_sink<std::remove_cvref_t<Ref>, Comp>{{}, n, comp};
  }
  template <class Acc>
  void merge(Acc& into, Acc&& later) const {
    for (auto& x : later.heap) into(std::move(x));
  }
  template <class Acc>
  auto finish(Acc&& acc) const {
    std::sort_heap(acc.heap.begin(), acc.heap.end(), comp);
    return std::move(acc.heap);
  }
};

}  // namespace detail

struct take_ordered_fn {
  template <execution_policy Policy = seq_t>
  auto operator()(std::size_t n, Policy policy = {}) const {
    return detail::make_action(detail::take_ordered_action<std::less<>>{n, {}}, policy);
  }
  template <class Comp, execution_policy Policy = seq_t>
    requires(!execution_policy<Comp>)
  auto operator()(std::size_t n, Comp comp, Policy policy = {}) const {
    return detail::make_action(detail::take_ordered_action<Comp>{n, std::move(comp)}, policy);
  }
};
inline constexpr take_ordered_fn take_ordered{};

}  // namespace lineage
