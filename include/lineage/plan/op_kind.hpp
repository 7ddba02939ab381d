// SPDX-License-Identifier: Apache-2.0
#pragma once
// How an operator takes part in the plan. The planner only ever looks at this (via Op::kind),
// never at a particular operator, so a new operator is one header in ops/.
namespace lineage::plan {

enum class op_kind {
  narrow,  // fused into the current stage's kernel (map, filter, ...)
  wide,    // ends the stage: its input is shuffled/materialized, a new stage starts after it
  marker,  // changes how the plan runs, not what it computes (persist); not a transformation
};

}  // namespace lineage::plan
