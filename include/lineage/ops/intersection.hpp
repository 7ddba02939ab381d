// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::intersection(other [, ln::partitioner{n, hasher} | n]): each element that both the
// pipeline and `other` hold, once (Spark's intersection: the result has no duplicates). Wide:
// a set kind of the one hash join (ops/set_family.hpp).
#include <string_view>
#include <type_traits>

#include "set_family.hpp"

namespace lineage {

struct intersection_tag {
  static constexpr std::string_view name = "intersection";
  using kind = detail::intersection_kind;
  template <class In, class Right>
  using output = std::remove_cvref_t<In>;

  template <class In, class Right, class Hash>
  static constexpr bool check() {
    constexpr bool ok = same_hashable_elements<In, Right, Hash>();
    static_assert(ok, "ln::intersection(other): both sides must have the same element type, with std::hash and == "
                      "(or pass a hasher in ln::partitioner)");
    return ok;
  }
  template <pipeline P>
  static auto as_left(const P& p) {
    return detail::mapped(p, detail::as_unit_pair{});
  }
  template <pipeline P>
  static auto as_right(const P& p) {
    return detail::mapped(p, detail::as_unit_pair{});
  }
};

struct intersection_fn : set_family_fn<intersection_tag> {};
inline constexpr intersection_fn intersection{};

}  // namespace lineage
