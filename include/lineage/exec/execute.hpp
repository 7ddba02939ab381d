#pragma once
// Runs a plan for an action.
//
// An action is described by its accumulator: a sink that consumes elements, can be merged with
// the accumulator of a later partition, and is finished into the result. Sequentially, one
// accumulator sees every partition in order (and may stop the run early, as take(n) does);
// under ln::par each partition fills its own accumulator on the pool, and they are merged in
// partition order, so order-preserving actions give the same result as ln::seq.
//
// An action type A provides
//   template <class Ref> auto make() const;                  // a fresh accumulator (a sink)
//   template <class Acc> void merge(Acc& into, Acc&& later) const;
//   template <class Acc> auto finish(Acc&& acc) const;       // the action's result
#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

#include "../core/pipeline.hpp"
#include "../core/sink.hpp"
#include "policy.hpp"

namespace lineage::detail {

// Parallel is a compile-time choice: merge() is only instantiated for ln::par, so an action
// whose merge needs more of the user's types (fold's op(acc, acc)) still works with ln::seq.
template <bool Parallel, pipeline P, class Action>
auto execute(const P& p, const Action& action, const exec_context& ctx) {
  const auto producer = p.producer(ctx);
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
  if constexpr (Parallel) {
    if (ctx.parallel() && n > 1) {
      std::vector<std::optional<decltype(acc)>> partials(n);
      ctx.for_each_partition(n, [&](std::size_t i) {
        partials[i].emplace(action.template make<reference_t<P>>());
        producer.run(i, *partials[i]);
      });
      for (auto& partial : partials) action.merge(acc, std::move(*partial));
      return action.finish(std::move(acc));
    }
  }
  for (std::size_t i = 0; i < n && !sink_stopped(acc); ++i) producer.run(i, acc);
  return action.finish(std::move(acc));
}

}  // namespace lineage::detail
