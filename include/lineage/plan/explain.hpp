#pragma once
// ln::explain(p): the plan as text, one line per stage with the operators fused into it,
// like Spark's toDebugString. E.g.
//   stage 1: range<long> -> map -> filter -> map
#include <string>

#include "../core/pipeline.hpp"
#include "explain_builder.hpp"

namespace lineage {

template <pipeline P>
std::string explain(const P& p) {
  plan::explain_builder out;
  p.explain_into(out);
  return out.str();
}

}  // namespace lineage
