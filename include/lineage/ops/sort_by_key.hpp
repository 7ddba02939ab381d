#pragma once
// ln::sort_by_key([ln::ascending | ln::descending]) / ln::sort_by_key: pairs (k, v) ordered by
// k, stable, as Spark's sortByKey: ln::sort_by on the key (explain shows "sort_by").
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
    requires std::is_same_v<Order, ascending_t> || std::is_same_v<Order, descending_t>
  auto operator()(Order order = {}) const {
    return sort_by(detail::pair_key{}, order);
  }
  template <class B>
    requires std::is_same_v<B, bool>
  auto operator()(B) const {
    static_assert(detail::always_false<B>,
                  "ln::sort_by_key(bool): use ln::descending (or ln::ascending) for the order, not a bool");
    return sort_by(detail::pair_key{});
  }
};
inline constexpr sort_by_key_fn sort_by_key{};

}  // namespace lineage
