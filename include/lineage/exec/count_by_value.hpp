// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::count_by_value([ln::partitioner{0, hasher}] [, policy]): how many times each distinct
// element occurs, as a std::unordered_map<T, std::size_t> (pair and tuple elements hash by
// default: the map's hasher is then ln::default_hash<T>). count_by_key's counting action
// (exec/count_by_key.hpp), counting whole elements.
#include <type_traits>
#include <utility>

#include "count_by_key.hpp"

namespace lineage {
namespace detail {

// What count_by_value counts: each element itself.
struct count_values {
  template <class Ref>
  using counted = std::remove_cvref_t<Ref>;
  template <class X>
  static X&& of(X&& x) {
    return std::forward<X>(x);
  }
  template <class Ref, class Hash>
  static constexpr bool accepts() {
    constexpr bool ok = hashable_key<std::remove_cvref_t<Ref>, Hash>;
    static_assert(ok, "ln::count_by_value(): the element type has no std::hash; pass a hasher: "
                      "ln::count_by_value(ln::partitioner{0, hasher})");
    return ok;
  }
};

}  // namespace detail

struct count_by_value_fn : usable_bare<count_by_value_fn> {
  template <execution_policy Policy = seq_t>
  auto operator()(Policy policy = {}) const {
    return detail::make_action(detail::count_table_action<std_hash, detail::count_values>{}, policy);
  }
  template <class Hash, execution_policy Policy = seq_t>
  auto operator()(partitioner<Hash> part, Policy policy = {}) const {
    return detail::make_action(detail::count_table_action<Hash, detail::count_values>{std::move(part)}, policy);
  }
};
inline constexpr count_by_value_fn count_by_value{};

}  // namespace lineage
