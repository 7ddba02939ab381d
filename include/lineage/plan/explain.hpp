// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::explain(p): the plan as text, one line per stage with the operators fused into it,
// like Spark's toDebugString. E.g.
//   stage 1: range<long> -> map -> filter -> map
// A visitor of the lineage walk (core/walk.hpp): a source describes itself (explain_into), an
// operator is its name (or its own explain_into, core/op_traits.hpp), an operator with extra
// inputs (a join's right side) is followed by their plans: "join with { stage 1: ... }".
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/op_traits.hpp"
#include "../core/pipeline.hpp"
#include "../core/walk.hpp"
#include "explain_builder.hpp"
#include "op_kind.hpp"

namespace lineage {

namespace detail {

class explain_visitor : public lineage_visitor {
 public:
  template <class S>
  void source(const S& s, walk_step) {
    s.explain_into(frames_.back().out);
  }

  template <class Op>
  void op(const Op& op, walk_step) {
    auto& f = frames_.back();
    if constexpr (requires { op.explain_into(f.out, std::as_const(f.inputs)); }) {
      op.explain_into(f.out, std::as_const(f.inputs));
    } else if constexpr (requires { op.explain_into(f.out); }) {
      op.explain_into(f.out);
    } else {
      std::string text(op_traits<Op>::name);
      for (std::size_t i = 0; i < f.inputs.size(); ++i) text += (i == 0 ? " with { " : " } and { ") + f.inputs[i];
      if (!f.inputs.empty()) text += " }";
      if constexpr (op_traits<Op>::kind == plan::op_kind::wide) {
        f.out.shuffle(std::move(text));
      } else {
        f.out.fuse(std::move(text));
      }
    }
    f.inputs.clear();
  }

  template <class I>
  void begin_input(const I&, walk_step) {
    frames_.emplace_back();
  }
  template <class I>
  void end_input(const I&, walk_step) {
    std::string plan = frames_.back().out.str(" ; ");  // a nested plan on one line
    frames_.pop_back();
    frames_.back().inputs.push_back(std::move(plan));
  }

  std::string str() const { return frames_.front().out.str(); }

 private:
  struct frame {
    plan::explain_builder out;
    std::vector<std::string> inputs;  // plans of the next operator's extra inputs
  };
  std::vector<frame> frames_ = std::vector<frame>(1);
};

}  // namespace detail

template <pipeline P>
std::string explain(const P& p) {
  detail::explain_visitor v;
  visit_lineage(p, v);
  return v.str();
}

}  // namespace lineage
