// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::subtract_by_key(other [, ln::partitioner{n, hasher} | n]): the pairs (k, v) whose key no
// pair of `other` has (other: pairs (k, w) with the same key type, any value type),
// duplicates kept: Spark's subtractByKey. Wide: a set kind of the one hash join
// (ops/set_family.hpp); other's values are dropped before its shuffle.
#include <string_view>
#include <type_traits>
#include <utility>

#include "join_family.hpp"
#include "set_family.hpp"

namespace lineage {

struct subtract_by_key_tag {
  static constexpr std::string_view name = "subtract_by_key";
  // Its output pairs are where their key's hash sends them (ops/set_family.hpp).
  static constexpr bool keeps_pairs_by_key = true;
  using kind = detail::subtract_by_key_kind;
  template <class In, class Right>
  using output = typename detail::join_output<kind, In, Right>::type;

  template <class In, class Right, class Hash>
  static constexpr bool check() {
    constexpr auto misuse = detail::join_misuse_of<In, Right, Hash>();
    static_assert(misuse != detail::join_misuse::not_pairs,
                  "ln::subtract_by_key(other): both sides must hold pair-like elements (key, value)");
    static_assert(misuse != detail::join_misuse::different_keys,
                  "ln::subtract_by_key(other): both sides must have the same key type");
    static_assert(misuse != detail::join_misuse::unhashable_key,
                  "ln::subtract_by_key(other): the key type has no std::hash; pass a hasher in ln::partitioner");
    return misuse == detail::join_misuse::none;
  }
  template <pipeline P>
  static const P& as_left(const P& p) {
    return p;
  }
  template <pipeline P>
  static auto as_right(const P& p) {
    return detail::mapped(p, detail::key_with_unit{});
  }
};

struct subtract_by_key_fn : set_family_fn<subtract_by_key_tag> {};
inline constexpr subtract_by_key_fn subtract_by_key{};

}  // namespace lineage
