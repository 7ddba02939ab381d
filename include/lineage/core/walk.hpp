// SPDX-License-Identifier: Apache-2.0
#pragma once
// The lineage walk: the one traversal of a pipeline's lineage. Every question asked of a whole
// lineage is a visitor of this walk: ln::explain (plan/explain.hpp), ln::plan::ops_v
// (plan/plan.hpp), the stage count (ln::stage_count_v), the lineage signature
// (plan/signature.hpp), the content identity (checkpoint.hpp) and whether the output is
// partitioned by key (exec/key_partitioning.hpp).
//
//   ln::visit_lineage(p, v)     walks the pipeline value p: the visitor sees the source and the
//                               operators as values (const S&, const Op&);
//   ln::visit_lineage<P>(v)     walks the type P only (usable in constant expressions): the
//                               visitor sees ln::type_only<S>, ln::type_only<Op>.
// Both return the number of stages (fused kernels) the plan runs. ln::walked_t<X> is the type
// behind either form, so a visitor that needs only types serves both walks.
//
// Events, in the order the data flows (post-order), each with a walk_step:
//   v.source(s, step)                 the source of the lineage (it starts stage step.stage);
//   for each operator, from the source on:
//     for each extra input (op_traits.hpp: other()/others(), e.g. a join's right side):
//       v.begin_input(in, step)       step.stage: the last stage before the input's first one
//       ... the input's own walk, one level deeper (its source, its operators, its inputs) ...
//       v.end_input(in, step)         step.stage: the input's last stage
//     v.op(op, step)                  step.stage: the stage the operator runs in (a wide one
//                                     starts it); a visitor that also needs the operator's
//                                     upstream type (its input's element type) defines
//                                     v.op(op, step, ln::type_only<Upstream>) instead
// Derive from ln::lineage_visitor to ignore the events a visitor does not need.
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "op_traits.hpp"
#include "pipeline.hpp"

namespace lineage {

template <class Op, pipeline Up>
class node;

// A source, an operator or a pipeline known by its type only (in a walk over types).
template <class T>
struct type_only {
  using type = T;
};

namespace detail {
template <class X>
struct walked {
  using type = X;
};
template <class T>
struct walked<type_only<T>> {
  using type = T;
};
}  // namespace detail

// The type behind what a visitor receives: X for a value of X, T for type_only<T>.
template <class X>
using walked_t = typename detail::walked<std::remove_cvref_t<X>>::type;

struct walk_step {
  std::size_t stage = 0;  // 1-based, numbered in the order stages run, extra inputs included
  std::size_t level = 0;  // 0: the main line; n: inside n nested extra inputs
};

// A visitor that ignores every event: derive from it and define the events you need.
struct lineage_visitor {
  template <class S>
  constexpr void source(const S&, walk_step) {}
  template <class O>
  constexpr void op(const O&, walk_step) {}
  template <class I>
  constexpr void begin_input(const I&, walk_step) {}
  template <class I>
  constexpr void end_input(const I&, walk_step) {}
};

// A visitor that keeps one Frame per input being walked: frames.back() is the input the walk is
// in (the pipeline's own line first, then an operator's extra input such as a join's right
// side). When an extra input ends, Derived::fold_input(parent, std::move(child)) folds its
// frame into the frame of the line it feeds.
template <class Derived, class Frame>
struct input_frames_visitor : lineage_visitor {
  std::vector<Frame> frames = std::vector<Frame>(1);

  template <class I>
  void begin_input(const I&, walk_step) {
    frames.emplace_back();
  }
  template <class I>
  void end_input(const I&, walk_step) {
    Frame child = std::move(frames.back());
    frames.pop_back();
    static_cast<Derived&>(*this).fold_input(frames.back(), std::move(child));
  }
};

namespace detail {

// Upstream, operator and extra inputs of a walked node, as values or as types.
template <class Op, pipeline Up>
constexpr const Up& walk_upstream(const node<Op, Up>& n) {
  return n.upstream();
}
template <class Op, pipeline Up>
constexpr type_only<Up> walk_upstream(type_only<node<Op, Up>>) {
  return {};
}
template <class Op, pipeline Up>
constexpr const Op& walk_op(const node<Op, Up>& n) {
  return n.op();
}
template <class Op, pipeline Up>
constexpr type_only<Op> walk_op(type_only<node<Op, Up>>) {
  return {};
}
template <class Op, pipeline Up>
constexpr auto walk_inputs(const node<Op, Up>& n) {
  return op_inputs(n.op());
}
template <class... Ts>
constexpr std::tuple<type_only<Ts>...> as_type_only(std::tuple<Ts...>*) {
  return {};
}
template <class Op, pipeline Up>
constexpr auto walk_inputs(type_only<node<Op, Up>>) {
  return as_type_only(static_cast<op_inputs_t<Op>*>(nullptr));
}

template <class P>
struct lineage_walk {  // a source
  template <class H, class V>
  static constexpr void run(const H& h, V& v, std::size_t& stage, std::size_t level) {
    ++stage;
    v.source(h, walk_step{stage, level});
  }
};

template <class Op, pipeline Up>
struct lineage_walk<node<Op, Up>> {
  template <class H, class V>
  static constexpr void run(const H& h, V& v, std::size_t& stage, std::size_t level) {
    lineage_walk<Up>::run(walk_upstream(h), v, stage, level);
    std::apply([&](const auto&... in) { (run_input(in, v, stage, level + 1), ...); }, walk_inputs(h));
    stage += op_traits<Op>::own_stages;
    if constexpr (requires { v.op(walk_op(h), walk_step{}, type_only<Up>{}); }) {
      v.op(walk_op(h), walk_step{stage, level}, type_only<Up>{});
    } else {
      v.op(walk_op(h), walk_step{stage, level});
    }
  }

  template <class I, class V>
  static constexpr void run_input(const I& in, V& v, std::size_t& stage, std::size_t level) {
    v.begin_input(in, walk_step{stage, level});
    lineage_walk<walked_t<I>>::run(in, v, stage, level);
    v.end_input(in, walk_step{stage, level});
  }
};

}  // namespace detail

// Walks the pipeline p (see the top of this file); returns the number of stages.
template <pipeline P, class Visitor>
constexpr std::size_t visit_lineage(const P& p, Visitor&& v) {
  std::size_t stages = 0;
  detail::lineage_walk<std::remove_cvref_t<P>>::run(p, v, stages, 0);
  return stages;
}

// Walks the type P (usable in constant expressions); returns the number of stages. P needs not
// be complete (node<Op, Up> computes its own stage count with it).
template <class P, class Visitor>
constexpr std::size_t visit_lineage(Visitor&& v) {
  std::size_t stages = 0;
  detail::lineage_walk<std::remove_cvref_t<P>>::run(type_only<std::remove_cvref_t<P>>{}, v, stages, 0);
  return stages;
}

}  // namespace lineage
