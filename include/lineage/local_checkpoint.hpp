// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::local_checkpoint(): materializes the pipeline in memory and cuts its lineage (fast, not
// durable), as Spark's localCheckpoint. The result is ln::checkpointed<T>, like a checkpoint's.
#include <cstddef>
#include <numeric>
#include <optional>
#include <utility>

#include "checkpointed.hpp"
#include "core/pipeline.hpp"
#include "exec/key_partitioning.hpp"
#include "exec/index_routing.hpp"
#include "exec/partitions.hpp"
#include "exec/policy.hpp"

namespace lineage {
namespace detail {

template <execution_backend Backend>
struct local_checkpoint_closure : closure_tag {
  Backend context;
  template <pipeline P>
  checkpointed<element_t<P>> apply(const P& p) const {
    const observation_scope observed(stage_count_v<P>);  // observer.hpp
    auto parts = compute_partitions(p, context);
    typename checkpointed<element_t<P>>::origin origin;
    if (key_partitioned(p)) origin.partitioner = key_partitioner_name(parts.partitions());
    std::optional<std::size_t> records;  // global: add up every process's partitions
    if constexpr (!Backend::single_process) {
      const auto sizes = global_partition_sizes(parts, context);
      records = std::accumulate(sizes.begin(), sizes.end(), std::size_t{0});
    }
    return checkpointed<element_t<P>>(std::move(parts), std::move(origin), records);
  }
};

}  // namespace detail

struct local_checkpoint_fn {
  template <execution_policy Policy = seq_t>
  detail::local_checkpoint_closure<backend_t<Policy>> operator()(Policy policy = {}) const {
    return {{}, make_backend(policy)};
  }
};
inline constexpr local_checkpoint_fn local_checkpoint{};

}  // namespace lineage
