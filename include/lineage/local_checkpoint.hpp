#pragma once
// ln::local_checkpoint(): materializes the pipeline in memory and cuts its lineage (fast, not
// durable), as Spark's localCheckpoint. The result is ln::checkpointed<T>, like a checkpoint's.
#include <utility>

#include "checkpointed.hpp"
#include "core/pipeline.hpp"
#include "exec/key_partitioning.hpp"
#include "exec/partitions.hpp"
#include "exec/policy.hpp"

namespace lineage {
namespace detail {

struct local_checkpoint_closure : closure_tag {
  exec_context context;
  template <pipeline P>
  checkpointed<element_t<P>> apply(const P& p) const {
    auto parts = compute_partitions(p, context);
    typename checkpointed<element_t<P>>::origin origin;
    if (key_partitioned(p)) origin.partitioner = key_partitioner_name(parts.size());
    return checkpointed<element_t<P>>(std::move(parts), std::move(origin));
  }
};

}  // namespace detail

struct local_checkpoint_fn {
  template <execution_policy Policy = seq_t>
  detail::local_checkpoint_closure operator()(Policy policy = {}) const {
    return {{}, make_context(policy)};
  }
};
inline constexpr local_checkpoint_fn local_checkpoint{};

}  // namespace lineage
