// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::sort_by_key([ln::ascending | ln::descending | comparator] [, partitions]) /
// ln::sort_by_key: pairs (k, v) ordered by k, stable, as Spark's sortByKey(ascending,
// numPartitions): ln::sort_by on the key (explain shows "sort_by").
#include <tuple>
#include <type_traits>
#include <utility>

#include "sort_by.hpp"

namespace lineage {
namespace detail {

struct pair_key {
  template <class P>
  auto operator()(const P& p) const {
    static_assert(pair_like<const P&>, "ln::sort_by_key(): the elements are not pair-like (std::pair, std::tuple of 2)");
    return std::remove_cvref_t<decltype(std::get<0>(p))>(std::get<0>(p));
  }
};

}  // namespace detail

struct sort_by_key_fn : usable_bare<sort_by_key_fn> {
  template <class Order = ascending_t>
    requires(!std::is_same_v<Order, bool> && !detail::partition_count<Order>)
  auto operator()(Order order = {}) const {
    return sort_by(detail::pair_key{}, std::move(order));
  }
  template <class Order, detail::partition_count N>
    requires(!std::is_same_v<Order, bool>)
  auto operator()(Order order, N partitions) const {
    return sort_by(detail::pair_key{}, std::move(order), partitions);
  }
  template <detail::partition_count N>
  auto operator()(N partitions) const {
    return sort_by(detail::pair_key{}, ascending, partitions);
  }
  template <class B, class... Rest>
    requires std::is_same_v<B, bool>
  auto operator()(B, Rest...) const {
    static_assert(detail::always_false<B>,
                  "ln::sort_by_key(bool): use ln::descending (or ln::ascending) for the order, not a bool");
    return sort_by(detail::pair_key{});
  }
};
inline constexpr sort_by_key_fn sort_by_key{};

}  // namespace lineage
