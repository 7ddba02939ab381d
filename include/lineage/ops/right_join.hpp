// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::right_join(other [, ln::partitioner{n, hasher} | n]): pairs (k, v) and (k, w) of `other` -> (k, (v, w)) for every matching pair, and (k, (std::nullopt, w)) for each w of `other` whose key no left element has; elements pair<K, pair<std::optional<V>, W>> (Spark's rightOuterJoin).
// One of the join family: see ops/join_family.hpp (the operator) and exec/hash_join.hpp.
#include <string_view>

#include "../exec/join_kind.hpp"
#include "join_family.hpp"

namespace lineage {

struct right_join_tag {
  static constexpr std::string_view name = "right_join";
  using kind = detail::right_outer_join_kind;

  template <class In, class Right, class Hash>
  static constexpr bool check() {
    constexpr auto misuse = detail::join_misuse_of<In, Right, Hash>();
    static_assert(misuse != detail::join_misuse::not_pairs,
                  "ln::right_join(other): both sides must hold pair-like elements (key, value)");
    static_assert(misuse != detail::join_misuse::different_keys, "ln::right_join(other): both sides must have the same key type");
    static_assert(misuse != detail::join_misuse::unhashable_key,
                  "ln::right_join(other): the key type has no std::hash; pass a hasher in ln::partitioner");
    return misuse == detail::join_misuse::none;
  }
};

template <pipeline Other, class Hash = std_hash>
using right_join_op = join_family_op<right_join_tag, Other, Hash>;

struct right_join_fn : join_family_fn<right_join_tag> {};
inline constexpr right_join_fn right_join{};

}  // namespace lineage
