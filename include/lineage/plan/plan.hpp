// SPDX-License-Identifier: Apache-2.0
#pragma once
// The compile-time plan: every operator of a lineage with the stage (fused kernel) it runs in,
// derived from the pipeline type alone by the lineage walk (core/walk.hpp). ln::stage_count_v
// and ln::lineage_depth_v are its summaries; ln::plan::ops_v<P> is the whole list, usable in
// static_assert:
//   static_assert(ln::plan::ops_v<P>[1].name == "filter" && ln::plan::ops_v<P>[1].stage == 1);
// ops_v<P> lists the operators of P's main line; an operator with extra inputs (a join's right
// side) lists their operators in `inputs`. ln::plan::all_ops_v<P> lists every operator the plan
// runs, extra inputs' included, in the order they run, with the nesting `level` of each.
#include <array>
#include <cstddef>
#include <span>
#include <string_view>
#include <type_traits>

#include "../core/node.hpp"
#include "../core/op_traits.hpp"
#include "../core/pipeline.hpp"
#include "../core/walk.hpp"
#include "op_kind.hpp"

namespace lineage::plan {

struct op_info {
  std::string_view name;
  std::size_t stage;  // 1-based: the kernel this operator is fused into (a wide one starts it)
  op_kind kind;
  std::size_t level = 0;  // 0: on the main line; n: inside n nested extra inputs
  // In ops_v: the operators of this operator's extra inputs (a join's right side), in the order
  // they run, their own inputs' included (told apart by `level`). Empty in all_ops_v.
  std::span<const op_info> inputs{};
};

namespace detail {

struct op_counter : lineage_visitor {
  std::size_t all = 0;
  std::size_t main = 0;
  template <class O>
  constexpr void op(const O&, walk_step s) {
    ++all;
    if (s.level == 0) ++main;
  }
};

template <class P>
inline constexpr op_counter op_counts = [] {
  op_counter c;
  visit_lineage<P>(c);
  return c;
}();

template <std::size_t N>
struct op_collector : lineage_visitor {
  std::array<op_info, N> ops{};
  std::size_t next = 0;
  template <class O>
  constexpr void op(const O&, walk_step s) {
    using Op = walked_t<O>;
    ops[next++] = op_info{op_traits<Op>::name, s.stage, op_traits<Op>::kind, s.level, {}};
  }
};

template <class P>
constexpr auto collect_all_ops() {
  op_collector<op_counts<P>.all> c;
  visit_lineage<P>(c);
  return c.ops;
}

}  // namespace detail

// Every operator the plan runs, in order: an extra input's operators come before the operator
// that reads them.
template <pipeline P>
inline constexpr auto all_ops_v = detail::collect_all_ops<std::remove_cvref_t<P>>();

// The operators of P's main line, each with its extra inputs' operators.
template <pipeline P>
inline constexpr auto ops_v = [] {
  constexpr const auto& all = all_ops_v<P>;
  std::array<op_info, detail::op_counts<std::remove_cvref_t<P>>.main> out{};
  std::size_t next = 0;
  std::size_t first_input = 0;  // the extra inputs' operators precede the operator that reads them
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i].level != 0) continue;
    out[next] = all[i];
    out[next].inputs = std::span<const op_info>(all.data() + first_input, i - first_input);
    ++next;
    first_input = i + 1;
  }
  return out;
}();

}  // namespace lineage::plan
