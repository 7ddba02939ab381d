// SPDX-License-Identifier: Apache-2.0
#pragma once
// Runs a plan for an action.
//
// An action is described by its accumulator: a sink that consumes elements, can be merged with
// the accumulator of a later partition, and is finished into the result. Sequentially, one
// accumulator sees every partition in order (and may stop the run early, as take(n) does);
// under ln::par each partition fills its own accumulator on the pool, and they are merged in
// partition order, so order-preserving actions give the same result as ln::seq. A backend
// that does not hold every partition in this process (exec/backend.hpp) always runs that way:
// each process fills the accumulators of its own partitions, the backend's gather_ordered
// brings all of them to every process in partition order, and each merges them.
//
// An action type A provides
//   template <class Ref> auto make() const;                  // a fresh accumulator (a sink)
//   template <class Acc> void merge(Acc& into, Acc&& later) const;
//   template <class Acc> auto finish(Acc&& acc) const;       // the action's result
// and its accumulator a cereal `serialize(Archive&)` of its state, which only a distributed
// backend's gather_ordered instantiates.
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "../core/pipeline.hpp"
#include "../core/sink.hpp"
#include "backend.hpp"
#include "observation.hpp"

namespace lineage::detail {

// Whether accumulators are merged is a compile-time choice of the backend (merges_partials):
// merge() is only instantiated for ln::par and distributed backends, so an action whose merge
// needs more of the user's types (fold's op(acc, acc)) still works with ln::seq.
template <pipeline P, class Action, class Ctx>
auto execute(const P& p, const Action& action, const Ctx& ctx) {
  const observation_scope observed(stage_count_v<P>);  // observer.hpp; nothing when none is installed
  const auto producer = p.producer(ctx);                // the upstream stages run here
  const std::size_t n = producer.partitions();
  auto acc = action.template make<reference_t<P>>();
  if constexpr (requires(std::size_t k) { acc.reserve(k); }) {  // collect: one allocation when sizes are known
    std::size_t total = 0;
    bool known = true;
    for (std::size_t i = 0; i < n && known; ++i) {
      const auto hint = producer.size_hint(i);
      known = hint.has_value();
      total += hint.value_or(0);
    }
    if (known) acc.reserve(total);
  }
  if constexpr (Ctx::merges_partials) {
    if (!Ctx::single_process || (ctx.parallel() && n > 1)) {
      std::vector<std::optional<decltype(acc)>> partials(n);
      const auto probe = observe_stage(n, stage_kind::result);
      ctx.for_each_owned_partition(n, [&](std::size_t i) {
        partials[i].emplace(action.template make<reference_t<P>>());
        probe.run(producer, i, *partials[i]);
      });
      probe.finish();
      partials = ctx.gather_ordered(std::move(partials), [&] { return action.template make<reference_t<P>>(); });
      for (auto& partial : partials) action.merge(acc, std::move(*partial));
      return action.finish(std::move(acc));
    }
  }
  const auto probe = observe_stage(n, stage_kind::result);
  for (std::size_t i = 0; i < n && !sink_stopped(acc); ++i) probe.run(producer, i, acc);
  probe.finish();
  return action.finish(std::move(acc));
}

}  // namespace lineage::detail
