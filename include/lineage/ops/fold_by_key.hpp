// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::fold_by_key(zero, op [, partitioning]): pairs (k, v) -> one pair (k, fold of op over the
// key's values starting from zero), as Spark's foldByKey: each partition starts a key from a
// copy of zero, so zero must be op's neutral element. combine_by_key under its own name.
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "combine_by_key.hpp"

namespace lineage {
namespace detail {

struct fold_by_key_name {
  static constexpr std::string_view value = "fold_by_key";
};

template <class U, class Op>
struct fold_from_zero {
  U zero;
  Op op;
  std::string signature_params() const { return param_list().add("zero", zero).text(); }
  template <class V>
  U operator()(V&& v) const {
    return op(U(zero), std::forward<V>(v));
  }
};

}  // namespace detail

struct fold_by_key_fn {
  template <class U, class Op, class Part = partitioner<>>
  auto operator()(U zero, Op op, Part part = {}) const {
    using create = detail::fold_from_zero<U, Op>;
    using op_type = combine_by_key_op<create, Op, Op, partition_hash_t<Part>, detail::fold_by_key_name>;
    return op_closure<op_type>{{}, {create{zero, op}, op, op, as_partitioner(part)}};
  }
};
inline constexpr fold_by_key_fn fold_by_key{};

}  // namespace lineage
