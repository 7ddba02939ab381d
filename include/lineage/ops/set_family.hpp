// SPDX-License-Identifier: Apache-2.0
#pragma once
// The one operator behind ln::subtract, subtract_by_key and intersection: the one hash join
// (exec/hash_join.hpp) with a set kind (exec/set_join_kinds.hpp). Wide: both inputs go
// through the shuffle by key; the output has as many partitions as the larger input (or the
// partitioner's count). A Tag, in each operator's header, gives:
//   Tag::name                          its name (explain, plan::ops_v, the checkpoint signature)
//   Tag::kind                          its join kind
//   Tag::output<In, Right>             its element type
//   Tag::check<In, Right, Hash>()      static_asserts naming it
//   Tag::as_left(p), Tag::as_right(p)  each side as the pairs the join core takes: an element x
//                                      as (x, unit), or a right pair's value dropped
#include <concepts>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../core/closure.hpp"
#include "../core/op_params.hpp"
#include "../core/concepts.hpp"
#include "../core/partitioned.hpp"
#include "../core/source.hpp"
#include "../exec/hash_join.hpp"
#include "../exec/set_join_kinds.hpp"
#include "../plan/op_kind.hpp"
#include "map.hpp"

namespace lineage {
namespace detail {

// x -> (x, unit): an element as a key.
struct as_unit_pair {
  template <class T>
  std::pair<std::remove_cvref_t<T>, unit> operator()(const T& x) const {
    return {x, unit{}};
  }
};
// (k, v) -> (k, unit): only the key matters.
struct key_with_unit {
  template <class P>
  std::pair<key_of_t<P>, unit> operator()(const P& p) const {
    return {std::get<0>(p), unit{}};
  }
};

// p | ln::map(f), built inside a plan.
template <class F, pipeline P>
auto mapped(const P& p, F f) {
  return make_node(P(p), map_op<F>{std::move(f)});
}

}  // namespace detail

template <class Tag, pipeline Other, class Hash = std_hash>
struct set_family_op {
  Other right;
  partitioner<Hash> part;

  static constexpr plan::op_kind kind = plan::op_kind::wide;
  static constexpr std::string_view name = Tag::name;
  // The one hash join routes every output pair by its key (subtract_by_key keeps the left pairs
  // in the partition their key goes to), so with the default hasher a later by-key operator can
  // skip its shuffle (exec/key_partitioning.hpp). subtract and intersection key whole elements.
  static constexpr bool partitions_by_key = [] {
    if constexpr (requires { Tag::keeps_pairs_by_key; }) {
      return Tag::keeps_pairs_by_key && std::is_same_v<Hash, std_hash>;
    } else {
      return false;
    }
  }();

  // Its value parameters, for the lineage signature (core/op_params.hpp).
  std::string signature_params() const { return param_list().add_partitioner(part).text(); }

  template <class In>
  static constexpr bool check() {
    return Tag::template check<In, reference_t<Other>, Hash>();
  }
  template <class In>
  using reference = const typename Tag::template output<In, reference_t<Other>>&;

  // The second input: the lineage walk (core/walk.hpp) covers it.
  const Other& other() const noexcept { return right; }

  template <pipeline Up, class Ctx>
  auto produce(const Up& up, const Ctx& ctx) const {
    auto parts = detail::hash_join<typename Tag::kind>(Tag::as_left(up), Tag::as_right(right), part, ctx);
    return detail::make_partitioned_producer(std::move(parts));
  }
};

// `ln::<name>(other [, partitioner or partition count])`.
template <class Tag>
struct set_family_fn {
  template <source_range R, class Part = partitioner<>>
  auto operator()(R&& other, Part part = {}) const {
    using P = decltype(as_pipeline(std::forward<R>(other)));
    return op_closure<set_family_op<Tag, P, partition_hash_t<Part>>>{{}, {as_pipeline(std::forward<R>(other)), as_partitioner(part)}};
  }
};

// subtract and intersection: whole elements of one type on both sides, hashable and ==.
template <class In, class Right, class Hash>
constexpr bool same_hashable_elements() {
  using T = std::remove_cvref_t<In>;
  return std::is_same_v<T, std::remove_cvref_t<Right>> && detail::hashable_key<T, Hash> && std::equality_comparable<T>;
}

}  // namespace lineage
