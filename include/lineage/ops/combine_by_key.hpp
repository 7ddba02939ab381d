// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::combine_by_key(create, merge_value, merge_combiners [, partitioning]): Spark's
// combineByKey, the general by-key aggregation every other one is a case of: pairs (k, v) ->
// one pair (k, c) per key, where c = create(v) for a key's first value in a partition,
// merge_value(c, v) -> c for the next ones, and merge_combiners(c, c) -> c across partitions.
// Wide: combines per partition before the one shuffle (exec/combine_by_key.hpp).
// The partitioning is an ln::partitioner or a plain partition count.
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../core/closure.hpp"
#include "../core/op_params.hpp"
#include "../core/concepts.hpp"
#include "../core/partitioned.hpp"
#include "../exec/combine_by_key.hpp"
#include "../exec/shuffle.hpp"
#include "../plan/op_kind.hpp"

namespace lineage {

namespace detail {
struct combine_by_key_name {
  static constexpr std::string_view value = "combine_by_key";
};
}  // namespace detail

// Name: a type whose `value` names the operator in explain and the signature (fold_by_key
// reuses this operator under its own name).
template <class Create, class MergeValue, class MergeCombiners, class Hash = std_hash,
          class Name = detail::combine_by_key_name>
struct combine_by_key_op {
  Create create;
  MergeValue merge_value;
  MergeCombiners merge_combiners;
  partitioner<Hash> part;

  static constexpr plan::op_kind kind = plan::op_kind::wide;
  static constexpr std::string_view name = Name::value;

  // Its value parameters, for the lineage signature (core/op_params.hpp), with those of its
  // create function if it declares some (fold_by_key's zero).
  std::string signature_params() const {
    param_list params;
    if constexpr (detail::has_signature_params<Create>) params.add("create", create);
    return params.add_partitioner(part).text();
  }
  static constexpr bool partitions_by_key = std::is_same_v<Hash, std_hash>;

  template <class In>
  using combiner_t = std::remove_cvref_t<std::invoke_result_t<const Create&, detail::value_of_t<In>>>;

  template <class In>
  static constexpr bool check() {
    if constexpr (!pair_like<In>) {
      static_assert(detail::always_false<In>,
                    "ln::combine_by_key: the elements are not pair-like (std::pair, std::tuple of 2)");
      return false;
    } else if constexpr (!detail::hashable_key<detail::key_of_t<In>, Hash>) {
      static_assert(detail::always_false<In>,
                    "ln::combine_by_key: the key type has no std::hash; pass a hasher in ln::partitioner");
      return false;
    } else if constexpr (!std::is_invocable_v<const Create&, detail::value_of_t<In>>) {
      static_assert(detail::always_false<In>, "ln::combine_by_key: create(value) must be callable");
      return false;
    } else if constexpr (!std::is_invocable_r_v<combiner_t<In>, const MergeValue&, combiner_t<In>,
                                                 detail::value_of_t<In>>) {
      static_assert(detail::always_false<In>,
                    "ln::combine_by_key: merge_value(combiner, value) must return the combiner");
      return false;
    } else {
      constexpr bool ok = std::is_invocable_r_v<combiner_t<In>, const MergeCombiners&, combiner_t<In>, combiner_t<In>>;
      static_assert(ok, "ln::combine_by_key: merge_combiners(combiner, combiner) must return the combiner");
      return ok;
    }
  }
  template <class In>
  using reference = const std::pair<detail::key_of_t<In>, combiner_t<In>>&;

  struct aggregator {
    const combine_by_key_op* self;
    template <class V>
    auto create(V&& v) const {
      return std::remove_cvref_t<decltype(self->create(std::forward<V>(v)))>(self->create(std::forward<V>(v)));
    }
    template <class C, class V>
    void merge_value(C& c, V&& v) const {
      c = self->merge_value(std::move(c), std::forward<V>(v));
    }
    template <class C>
    void merge_combiners(C& c, C&& later) const {
      c = self->merge_combiners(std::move(c), std::move(later));
    }
  };

  template <pipeline Up, class Ctx>
  auto produce(const Up& up, const Ctx& ctx) const {
    using K = detail::key_of_t<reference_t<Up>>;
    using C = combiner_t<reference_t<Up>>;
    auto parts = detail::combine_by_key<K, C, Hash>(up, ctx, part, aggregator{this});
    return detail::make_partitioned_producer(std::move(parts));
  }
};

struct combine_by_key_fn {
  template <class Create, class MergeValue, class MergeCombiners, class Part = partitioner<>>
  auto operator()(Create create, MergeValue merge_value, MergeCombiners merge_combiners, Part part = {}) const {
    return op_closure<combine_by_key_op<Create, MergeValue, MergeCombiners, partition_hash_t<Part>>>{
        {}, {std::move(create), std::move(merge_value), std::move(merge_combiners), as_partitioner(part)}};
  }
};
inline constexpr combine_by_key_fn combine_by_key{};

}  // namespace lineage
