#pragma once
// The compile-time plan: every operator of a lineage with the stage (fused kernel) it runs in,
// derived from the pipeline type alone. ln::stage_count_v and ln::lineage_depth_v are its
// summaries; ln::plan::ops_v<P> is the whole list, usable in static_assert:
//   static_assert(ln::plan::ops_v<P>[1].name == "filter" && ln::plan::ops_v<P>[1].stage == 1);
#include <array>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include "../core/node.hpp"
#include "../core/pipeline.hpp"
#include "op_kind.hpp"

namespace lineage::plan {

struct op_info {
  std::string_view name;
  std::size_t stage;  // 1-based: the kernel this operator is fused into (a wide one starts it)
  op_kind kind;
};

namespace detail {

template <class P>
struct op_list {  // a source: no operators
  static constexpr std::array<op_info, 0> value{};
};

template <class Op, class Up>
struct op_list<node<Op, Up>> {
  static constexpr auto value = [] {
    constexpr auto up = op_list<Up>::value;
    std::array<op_info, up.size() + 1> out{};
    for (std::size_t i = 0; i < up.size(); ++i) out[i] = up[i];
    out[up.size()] = op_info{Op::name, node<Op, Up>::stages, Op::kind};
    return out;
  }();
};

}  // namespace detail

template <pipeline P>
inline constexpr auto ops_v = detail::op_list<std::remove_cvref_t<P>>::value;

}  // namespace lineage::plan
