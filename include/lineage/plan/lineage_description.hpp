// SPDX-License-Identifier: Apache-2.0
#pragma once
// The lineage of a pipeline as a list of steps, from its type alone: each source and operator
// with its kind, name and element types, in the order the plan runs them (an extra input's steps,
// e.g. a join's right side, before the operator that reads them). A checkpoint's manifest stores
// it (storage/format.hpp, version 3), so that a later signature mismatch can say which step
// changed (signature_diff.hpp). Markers (persist) are left out, as in the signature: they do not
// change the data.
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/node.hpp"
#include "../core/op_params.hpp"
#include "../core/op_traits.hpp"
#include "../core/pipeline.hpp"
#include "../core/type_name.hpp"
#include "../core/walk.hpp"
#include "../storage/format.hpp"
#include "op_kind.hpp"

namespace lineage::plan {

namespace detail {

struct description_visitor : lineage_visitor {
  std::vector<storage::operator_entry> steps;

  template <class S>
  void source(const S&, walk_step step) {
    steps.push_back({"source", "source", "",
                     lineage::detail::portable_type_name<element_t<walked_t<S>>>(),
                     static_cast<std::uint32_t>(step.level)});
  }
  template <class O, class Up>
  void op(const O& o, walk_step step, type_only<Up>) {
    using Op = walked_t<O>;
    if constexpr (op_traits<Op>::kind != op_kind::marker) {
      std::string name(op_traits<Op>::name);
      if constexpr (std::is_same_v<std::remove_cvref_t<O>, Op>) {  // a value: "sample(fraction 0.1, seed 7)"
        if (const std::string params = op_params_of(o); !params.empty()) name += '(' + params + ')';
      }
      steps.push_back({op_traits<Op>::kind == op_kind::wide ? "wide" : "narrow", std::move(name),
                       lineage::detail::portable_type_name<element_t<Up>>(),
                       lineage::detail::portable_type_name<element_t<node<Op, Up>>>(),
                       static_cast<std::uint32_t>(step.level)});
    }
  }
};

}  // namespace detail

// The steps of P's lineage, cut to the bounds a manifest stores (storage::format).
template <pipeline P>
std::vector<storage::operator_entry> lineage_steps() {
  detail::description_visitor v;
  visit_lineage<P>(v);
  storage::provenance bounded;
  bounded.operators = std::move(v.steps);
  return storage::format::bounded_provenance(std::move(bounded)).operators;
}

// The steps of the pipeline value p, each operator's name followed by its parameters, if it has
// any: "sample(fraction 0.1, seed 7)" (what ln::checkpoint records).
template <pipeline P>
std::vector<storage::operator_entry> lineage_steps(const P& p) {
  detail::description_visitor v;
  visit_lineage(p, v);
  storage::provenance bounded;
  bounded.operators = std::move(v.steps);
  return storage::format::bounded_provenance(std::move(bounded)).operators;
}

// "map<int → double>", or "filter<int>" when the element type stays the same.
inline std::string describe_step(const storage::operator_entry& step) {
  std::string text = step.name + '<';
  if (!step.input.empty() && step.input != step.output) text += step.input + " \u2192 ";
  text += step.output + '>';
  return text;
}

}  // namespace lineage::plan
