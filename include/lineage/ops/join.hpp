// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::join(other [, ln::partitioner{n, hasher} | n]): pairs (k, v) and (k, w) of `other` -> (k, (v, w)) for every matching pair (an inner join, as SQL).
// One of the join family: see ops/join_family.hpp (the operator) and exec/hash_join.hpp.
#include <string_view>

#include "../exec/join_kind.hpp"
#include "join_family.hpp"

namespace lineage {

struct join_tag {
  static constexpr std::string_view name = "join";
  using kind = detail::inner_join_kind;

  template <class In, class Right, class Hash>
  static constexpr bool check() {
    constexpr auto misuse = detail::join_misuse_of<In, Right, Hash>();
    static_assert(misuse != detail::join_misuse::not_pairs,
                  "ln::join(other): both sides must hold pair-like elements (key, value)");
    static_assert(misuse != detail::join_misuse::different_keys, "ln::join(other): both sides must have the same key type");
    static_assert(misuse != detail::join_misuse::unhashable_key,
                  "ln::join(other): the key type has no std::hash; pass a hasher in ln::partitioner");
    return misuse == detail::join_misuse::none;
  }
};

template <pipeline Other, class Hash = std_hash>
using join_op = join_family_op<join_tag, Other, Hash>;

struct join_fn : join_family_fn<join_tag> {};
inline constexpr join_fn join{};

}  // namespace lineage
