#pragma once
// Materializes a pipeline partition by partition (for checkpoints, persist, shuffles): the
// result keeps the partitioning of the plan's last stage, one vector per partition.
#include <cstddef>
#include <utility>

#include "../core/partitioned.hpp"
#include "../core/pipeline.hpp"
#include "collect.hpp"
#include "policy.hpp"

namespace lineage::detail {

template <pipeline P>
partitions_of<element_t<P>> compute_partitions(const P& p, const exec_context& ctx) {
  const auto producer = p.producer(ctx);
  partitions_of<element_t<P>> parts(producer.partitions());
  ctx.for_each_partition(parts.size(), [&](std::size_t i) {
    collect_sink<element_t<P>> sink;
    if (const auto n = producer.size_hint(i)) sink.out.reserve(*n);
    producer.run(i, sink);
    parts[i] = std::move(sink.out);
  });
  return parts;
}

}  // namespace lineage::detail
