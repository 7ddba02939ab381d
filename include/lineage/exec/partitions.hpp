// SPDX-License-Identifier: Apache-2.0
#pragma once
// Materializes a pipeline partition by partition (for checkpoints, persist, shuffles): the
// result keeps the partitioning of the plan's last stage, one vector per partition, filled for
// the partitions this process owns (all of them under ln::seq and ln::par).
#include <cstddef>
#include <utility>

#include "../core/partitioned.hpp"
#include "../core/pipeline.hpp"
#include "collect.hpp"
#include "observation.hpp"

namespace lineage::detail {

// Runs every owned partition of a producer already made (its upstream stages have run).
template <class T, class Producer, class Ctx>
partition_set<T> run_partitions(const Producer& producer, const Ctx& ctx) {
  const std::size_t n = producer.partitions();
  partition_set<T> parts(n, [&](std::size_t i) { return ctx.owns(i, n); });
  const auto probe = observe_stage(n, stage_kind::materialize);
  ctx.for_each_owned_partition(n, [&](std::size_t i) {
    collect_sink<T> sink;
    if (const auto hint = producer.size_hint(i)) sink.out.reserve(*hint);
    probe.run(producer, i, sink);
    parts.at(i) = std::move(sink.out);
  });
  probe.finish();
  return parts;
}

template <pipeline P, class Ctx>
partition_set<element_t<P>> compute_partitions(const P& p, const Ctx& ctx) {
  return run_partitions<element_t<P>>(p.producer(ctx), ctx);
}

}  // namespace lineage::detail
