// SPDX-License-Identifier: Apache-2.0
#pragma once
// The one operator behind ln::join, left_join, right_join, full_join and cogroup:
// `left | ln::<name>(other [, ln::partitioner{n, hasher} | n])` over pairs (k, v) and pairs
// (k, w) of `other` (any lineage or range of pairs with the same key type). Wide: ends the
// stage; the plan runs other's stages too; the output has as many partitions as the larger
// input (or the partitioner's count). Each public operator is a Tag, in its own header:
//   Tag::name                         its name (explain, plan::ops_v, the checkpoint signature)
//   Tag::kind                         its join kind (exec/join_kind.hpp): what it emits
//   Tag::check<In, Right, Hash>()     static_asserts naming it (join_misuse_of says what is wrong)
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../core/closure.hpp"
#include "../core/op_params.hpp"
#include "../core/concepts.hpp"
#include "../core/partitioned.hpp"
#include "../core/source.hpp"
#include "../exec/hash_join.hpp"
#include "../exec/join_kind.hpp"
#include "../exec/shuffle.hpp"
#include "../plan/explain.hpp"
#include "../plan/op_kind.hpp"

namespace lineage {

namespace detail {

enum class join_misuse { none, not_pairs, different_keys, unhashable_key };

// What is wrong with joining elements In with elements Right under Hash (each Tag's check()
// turns it into a message that names the operator).
template <class In, class Right, class Hash>
constexpr join_misuse join_misuse_of() {
  if constexpr (!pair_like<In> || !pair_like<Right>) {
    return join_misuse::not_pairs;
  } else if constexpr (!std::is_same_v<key_of_t<In>, key_of_t<Right>>) {
    return join_misuse::different_keys;
  } else if constexpr (!hashable_key<key_of_t<In>, Hash>) {
    return join_misuse::unhashable_key;
  } else {
    return join_misuse::none;
  }
}

// The element type of a join kind's output; on sides that are not pairs, a placeholder, so that
// check()'s message is the only error.
template <class Kind, class In, class Right, bool = pair_like<In> && pair_like<Right>>
struct join_output {
  using type = int;
};
template <class Kind, class In, class Right>
struct join_output<Kind, In, Right, true> {
  using type = typename Kind::template output<key_of_t<In>, value_of_t<In>, value_of_t<Right>>;
};

}  // namespace detail

template <class Tag, pipeline Other, class Hash = std_hash>
struct join_family_op {
  Other right;
  partitioner<Hash> part;

  static constexpr plan::op_kind kind = plan::op_kind::wide;
  static constexpr std::string_view name = Tag::name;

  // Its value parameters, for the lineage signature (core/op_params.hpp).
  std::string signature_params() const { return param_list().add_partitioner(part).text(); }

  template <class In>
  static constexpr bool check() {
    return Tag::template check<In, reference_t<Other>, Hash>();
  }
  template <class In>
  using reference = const typename detail::join_output<typename Tag::kind, In, reference_t<Other>>::type&;

  // The second input: the lineage walk (core/walk.hpp) visits it, so explain, the stage count,
  // the plan, the signature and the content identity cover the right side.
  const Other& other() const noexcept { return right; }

  template <pipeline Up, class Ctx>
  auto produce(const Up& up, const Ctx& ctx) const {
    auto parts = detail::hash_join<typename Tag::kind>(up, right, part, ctx);
    return detail::make_partitioned_producer(std::move(parts));
  }
};

// `ln::<name>(other [, partitioner or partition count])`: the closure adding join_family_op<Tag>.
template <class Tag>
struct join_family_fn {
  template <source_range R, class Part = partitioner<>>
  auto operator()(R&& other, Part part = {}) const {
    using P = decltype(as_pipeline(std::forward<R>(other)));
    return op_closure<join_family_op<Tag, P, partition_hash_t<Part>>>{{}, {as_pipeline(std::forward<R>(other)), as_partitioner(part)}};
  }
};

}  // namespace lineage
