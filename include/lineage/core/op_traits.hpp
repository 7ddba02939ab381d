// SPDX-License-Identifier: Apache-2.0
#pragma once
// The operator protocol, in one place: what an operator type Op (the Op of node<Op, Up>) must
// provide, and the optional traits it may declare, each with its default. Everything outside
// ops/ reads the optional ones through op_traits<Op>, never with its own `requires` test, so a
// new trait gets its default here and nowhere else.
//
// Required:
//   static constexpr plan::op_kind kind;          narrow (fused), wide (ends a stage) or marker
//                                                 (persist: changes how the plan runs, not what
//                                                 it computes); see plan/op_kind.hpp
//   static constexpr std::string_view name;       in explain, plan::ops_v and the signature
//   template <class In> static constexpr bool check();  static_asserts with a clear message
//   template <class In> using reference = ...;    what it pushes, given what it receives
// and, if narrow:        template <class In, class Down> auto sink(Down& down) const;
//     (or, if partition_wise below: template <class In, class UpProducer, class Ctx>
//      auto partition_producer(UpProducer up, const Ctx& ctx) const;  see below)
//     if wide or marker: template <class Up, class Ctx> auto produce(const Up&, const Ctx&) const;
//
// Optional (default in brackets):
//   static constexpr bool one_to_one              [false] one output per input element: a narrow
//                                                 operator then keeps each partition's size known
//   static constexpr bool preserves_partitioning  [false] keys stay in the partition they were in
//                                                 (filter, map_values): a key partitioning of the
//                                                 input survives it (exec/key_partitioning.hpp)
//   static constexpr bool partitions_by_key       [false] the output is hash-partitioned by key
//                                                 with std::hash (by-key operators, default hasher)
//   static constexpr bool partition_wise          [false] a narrow operator that works on whole
//                                                 partitions (map_partitions, coalesce, sample,
//                                                 zip_with_index): instead of an element sink it
//                                                 wraps the upstream producer (its fused kernel,
//                                                 run as one loop) into a producer of its own,
//                                                 partition_producer<In>(up, ctx), which knows the
//                                                 partition index and where each partition begins
//                                                 and ends; downstream narrow operators still fuse
//                                                 into its run(). exec/whole_partition.hpp has the
//                                                 helpers.
//   static constexpr std::size_t extra_stages     [0] kernels the operator runs that the lineage
//                                                 walk cannot see (not its second inputs: the walk
//                                                 visits and counts those)
//   const Other& other() const                    [none] a second input, any pipeline (a join's
//                                                 right side); or
//   std::tuple<const A&, const B&...> others() const  several extra inputs (union_all).
//                                                 The lineage walk (core/walk.hpp) visits them, so
//                                                 explain, plan::ops_v, the stage count, the
//                                                 signature and the content identity cover them.
//   void explain_into(plan::explain_builder&) const    [`name`: fused into the stage, or a new
//                                                 stage "shuffle <- name" if wide; followed by
//                                                 " with { <plan of each extra input> }"] its
//                                                 explain text; the form taking also
//                                                 `const std::vector<std::string>& inputs` (one
//                                                 line per extra input) gets the inputs' plans
//   void unpersist() const                        [none] a memo that the pipeline exposes (persist)
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../plan/op_kind.hpp"

namespace lineage {

template <class Op>
struct op_traits {
  static constexpr plan::op_kind kind = Op::kind;
  static constexpr std::string_view name = Op::name;

  static constexpr bool one_to_one = [] {
    if constexpr (requires { Op::one_to_one; }) {
      return static_cast<bool>(Op::one_to_one);
    } else {
      return false;
    }
  }();
  static constexpr bool preserves_partitioning = [] {
    if constexpr (requires { Op::preserves_partitioning; }) {
      return static_cast<bool>(Op::preserves_partitioning);
    } else {
      return false;
    }
  }();
  static constexpr bool partitions_by_key = [] {
    if constexpr (requires { Op::partitions_by_key; }) {
      return static_cast<bool>(Op::partitions_by_key);
    } else {
      return false;
    }
  }();
  static constexpr bool partition_wise = [] {
    if constexpr (requires { Op::partition_wise; }) {
      return static_cast<bool>(Op::partition_wise);
    } else {
      return false;
    }
  }();
  static constexpr std::size_t extra_stages = [] {
    if constexpr (requires { Op::extra_stages; }) {
      return static_cast<std::size_t>(Op::extra_stages);
    } else {
      return std::size_t{0};
    }
  }();
  // Stages this operator adds to its upstream's, its extra inputs' aside.
  static constexpr std::size_t own_stages = (kind == plan::op_kind::wide ? 1 : 0) + extra_stages;
};

namespace detail {

// The extra inputs of an operator, as a tuple of const references (empty for most).
template <class Op>
constexpr auto op_inputs(const Op& op) {
  if constexpr (requires { op.others(); }) {
    return op.others();
  } else if constexpr (requires { op.other(); }) {
    return std::tuple<const std::remove_cvref_t<decltype(op.other())>&>(op.other());
  } else {
    return std::tuple<>{};
  }
}

template <class Tuple>
struct decayed_tuple;
template <class... Ts>
struct decayed_tuple<std::tuple<Ts...>> {
  using type = std::tuple<std::remove_cvref_t<Ts>...>;
};

}  // namespace detail

// The pipeline types of Op's extra inputs, as a std::tuple (std::tuple<> for most operators).
template <class Op>
using op_inputs_t = typename detail::decayed_tuple<decltype(detail::op_inputs(std::declval<const Op&>()))>::type;

}  // namespace lineage
