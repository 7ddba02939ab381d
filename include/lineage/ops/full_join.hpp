// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::full_join(other [, ln::partitioner{n, hasher} | n]): pairs (k, v) and (k, w) of `other` -> (k, (v, w)) for every matching pair, (k, (v, std::nullopt)) for each unmatched left element and (k, (std::nullopt, w)) for each unmatched right one; elements pair<K, pair<std::optional<V>, std::optional<W>>> (Spark's fullOuterJoin).
// One of the join family: see ops/join_family.hpp (the operator) and exec/hash_join.hpp.
#include <string_view>

#include "../exec/join_kind.hpp"
#include "join_family.hpp"

namespace lineage {

struct full_join_tag {
  static constexpr std::string_view name = "full_join";
  using kind = detail::full_outer_join_kind;

  template <class In, class Right, class Hash>
  static constexpr bool check() {
    constexpr auto misuse = detail::join_misuse_of<In, Right, Hash>();
    static_assert(misuse != detail::join_misuse::not_pairs,
                  "ln::full_join(other): both sides must hold pair-like elements (key, value)");
    static_assert(misuse != detail::join_misuse::different_keys, "ln::full_join(other): both sides must have the same key type");
    static_assert(misuse != detail::join_misuse::unhashable_key,
                  "ln::full_join(other): the key type has no std::hash; pass a hasher in ln::partitioner");
    return misuse == detail::join_misuse::none;
  }
};

template <pipeline Other, class Hash = std_hash>
using full_join_op = join_family_op<full_join_tag, Other, Hash>;

struct full_join_fn : join_family_fn<full_join_tag> {};
inline constexpr full_join_fn full_join{};

}  // namespace lineage
