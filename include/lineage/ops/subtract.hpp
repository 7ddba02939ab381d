// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::subtract(other [, ln::partitioner{n, hasher} | n]): the elements not in `other` (a
// lineage or range of the same element type), duplicates kept: Spark's subtract. Wide: a set
// kind of the one hash join (ops/set_family.hpp).
#include <string_view>
#include <type_traits>

#include "set_family.hpp"

namespace lineage {

struct subtract_tag {
  static constexpr std::string_view name = "subtract";
  using kind = detail::subtract_kind;
  template <class In, class Right>
  using output = std::remove_cvref_t<In>;

  template <class In, class Right, class Hash>
  static constexpr bool check() {
    constexpr bool ok = same_hashable_elements<In, Right, Hash>();
    static_assert(ok, "ln::subtract(other): both sides must have the same element type, with std::hash and == "
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

struct subtract_fn : set_family_fn<subtract_tag> {};
inline constexpr subtract_fn subtract{};

}  // namespace lineage
