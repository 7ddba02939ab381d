// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::cogroup(other [, ln::partitioner{n, hasher} | n]): pairs (k, v) and (k, w) of `other` -> one (k, (all v of k, all w of k)) per key present on either side; elements pair<K, pair<std::vector<V>, std::vector<W>>>, each vector in input order (Spark's cogroup).
// One of the join family: see ops/join_family.hpp (the operator) and exec/hash_join.hpp.
#include <string_view>

#include "../exec/join_kind.hpp"
#include "join_family.hpp"

namespace lineage {

struct cogroup_tag {
  static constexpr std::string_view name = "cogroup";
  using kind = detail::cogroup_kind;

  template <class In, class Right, class Hash>
  static constexpr bool check() {
    constexpr auto misuse = detail::join_misuse_of<In, Right, Hash>();
    static_assert(misuse != detail::join_misuse::not_pairs,
                  "ln::cogroup(other): both sides must hold pair-like elements (key, value)");
    static_assert(misuse != detail::join_misuse::different_keys, "ln::cogroup(other): both sides must have the same key type");
    static_assert(misuse != detail::join_misuse::unhashable_key,
                  "ln::cogroup(other): the key type has no std::hash; pass a hasher in ln::partitioner");
    return misuse == detail::join_misuse::none;
  }
};

template <pipeline Other, class Hash = std_hash>
using cogroup_op = join_family_op<cogroup_tag, Other, Hash>;

struct cogroup_fn : join_family_fn<cogroup_tag> {};
inline constexpr cogroup_fn cogroup{};

}  // namespace lineage
