// SPDX-License-Identifier: Apache-2.0
#pragma once
// action_closure: the right side of `p | ln::sum(ln::par)`; runs the plan when applied.
#include <type_traits>
#include <utility>

#include "../core/partitioned.hpp"
#include "../core/pipeline.hpp"
#include "execute.hpp"
#include "policy.hpp"  // execution_policy, backend_t

namespace lineage::detail {

// Whether Action accepts elements of type Ref (Parallel: its accumulators may be merged). An action with
// requirements on the user's types checks them in `static constexpr bool accepts<Ref,
// Parallel>()`, with a readable static_assert, so that nothing else gets instantiated.
template <class Action, class Ref, bool Parallel>
constexpr bool action_accepts() {
  if constexpr (requires { Action::template accepts<Ref, Parallel>(); }) {
    return Action::template accepts<Ref, Parallel>();
  } else {
    return true;
  }
}

template <class Action, execution_backend Backend>
struct action_closure : closure_tag {
  Action action;
  Backend context;

  template <pipeline P>
  auto apply(const P& p) const {
    if constexpr (action_accepts<Action, reference_t<P>, Backend::merges_partials>()) {
      return execute(p, action, context);
    } else {
      return invalid_pipeline{};  // the static_assert in accepts() said why
    }
  }

  // An expiring source that owns materialized partitions (checkpointed<T>) hands them over
  // when nothing else shares them: the action moves them rather than copies them.
  template <pipeline P>
    requires(!std::is_lvalue_reference_v<P> && requires(P&& p) { std::move(p).release_partitions(); })
  auto apply(P&& p) const {
    if constexpr (Backend::single_process) {
      if (auto owned = std::move(p).release_partitions()) {
        return apply(released_partitions<element_t<P>>{{}, std::move(owned)});
      }
    }
    return apply(std::as_const(p));
  }
};

template <class Action, execution_policy Policy>
action_closure<Action, backend_t<Policy>> make_action(Action action, Policy policy) {
  return {{}, std::move(action), make_backend(policy)};
}

}  // namespace lineage::detail
