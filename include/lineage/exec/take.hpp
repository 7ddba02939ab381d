// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::take(n): the first n elements in order; ln::first(): the first one, if any.
// Sequentially the source loop stops as soon as n elements are taken. Under ln::par every
// partition stops after n, and the partitions' results are concatenated in order and cut at n.
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "action.hpp"

namespace lineage {
namespace detail {

template <class T>
struct take_sink {
  std::vector<T> out;
  std::size_t limit;
  static constexpr bool can_stop = true;
  // Its state, for a distributed backend's gather_ordered (exec/backend.hpp).
  template <class Archive>
  void serialize(Archive& ar) {
    ar(out);
  }
  bool stopped() const { return out.size() >= limit; }
  template <class X>
  void operator()(X&& x) {
    if (out.size() < limit) out.emplace_back(std::forward<X>(x));
  }
};

struct take_action {
  std::size_t n;
  template <class Ref>
  auto make() const {
    return take_sink<std::remove_cvref_t<Ref>>{{}, n};
  }
  template <class Acc>
  void merge(Acc& into, Acc&& later) const {
    for (auto& x : later.out) {
      if (into.stopped()) break;
      into.out.push_back(std::move(x));
    }
  }
  template <class Acc>
  auto finish(Acc&& acc) const {
    return std::move(acc.out);
  }
};

struct first_action : take_action {
  first_action() : take_action{1} {}
  template <class Acc>
  auto finish(Acc&& acc) const {
    using T = typename decltype(acc.out)::value_type;
    return acc.out.empty() ? std::optional<T>() : std::optional<T>(std::move(acc.out.front()));
  }
};

}  // namespace detail

struct take_fn {
  template <execution_policy Policy = seq_t>
  auto operator()(std::size_t n, Policy policy = {}) const {
    return detail::make_action(detail::take_action{n}, policy);
  }
};
inline constexpr take_fn take{};

struct first_fn : usable_bare<first_fn> {
  template <execution_policy Policy = seq_t>
  auto operator()(Policy policy = {}) const {
    return detail::make_action(detail::first_action{}, policy);
  }
};
inline constexpr first_fn first{};

}  // namespace lineage
