// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::left_join(other [, ln::partitioner{n, hasher} | n]): pairs (k, v) -> (k, (v, w)) for every w of `other` with key k, or (k, (v, std::nullopt)) when there is none (Spark's leftOuterJoin).
// One of the join family: see ops/join_family.hpp (the operator) and exec/hash_join.hpp.
#include <string_view>

#include "../exec/join_kind.hpp"
#include "join_family.hpp"

namespace lineage {

struct left_join_tag {
  static constexpr std::string_view name = "left_join";
  using kind = detail::left_outer_join_kind;

  template <class In, class Right, class Hash>
  static constexpr bool check() {
    constexpr auto misuse = detail::join_misuse_of<In, Right, Hash>();
    static_assert(misuse != detail::join_misuse::not_pairs,
                  "ln::left_join(other): both sides must hold pair-like elements (key, value)");
    static_assert(misuse != detail::join_misuse::different_keys, "ln::left_join(other): both sides must have the same key type");
    static_assert(misuse != detail::join_misuse::unhashable_key,
                  "ln::left_join(other): the key type has no std::hash; pass a hasher in ln::partitioner");
    return misuse == detail::join_misuse::none;
  }
};

template <pipeline Other, class Hash = std_hash>
using left_join_op = join_family_op<left_join_tag, Other, Hash>;

struct left_join_fn : join_family_fn<left_join_tag> {};
inline constexpr left_join_fn left_join{};

}  // namespace lineage
