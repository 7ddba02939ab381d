#pragma once
// lineage: Spark's lineage-and-checkpoint model for C++20 ranges. The umbrella header.
//   namespace ln = lineage;
//   auto total = v | ln::map(f) | ln::filter(p) | ln::sum();

#include "core/closure.hpp"
#include "core/concepts.hpp"
#include "core/node.hpp"
#include "core/pipeline.hpp"
#include "core/source.hpp"
#include "exec/collect.hpp"
#include "exec/count.hpp"
#include "exec/fold.hpp"
#include "exec/for_each.hpp"
#include "exec/policy.hpp"
#include "exec/reduce.hpp"
#include "exec/sum.hpp"
#include "exec/take.hpp"
#include "ops/filter.hpp"
#include "ops/flat_map.hpp"
#include "ops/keys.hpp"
#include "ops/map.hpp"
#include "ops/map_values.hpp"
#include "ops/parallelize.hpp"
#include "ops/values.hpp"
#include "plan/explain.hpp"
#include "plan/plan.hpp"
