#pragma once
// action_closure: the right side of `p | ln::sum(ln::par)`; runs the plan when applied.
#include <type_traits>
#include <utility>

#include "../core/pipeline.hpp"
#include "execute.hpp"
#include "policy.hpp"

namespace lineage::detail {

// Whether Action accepts elements of type Ref (with ln::par if Parallel). An action with
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

template <class Action, execution_policy Policy>
struct action_closure : closure_tag {
  Action action;
  exec_context context;

  template <pipeline P>
  auto apply(const P& p) const {
    constexpr bool parallel = std::is_same_v<Policy, par_t>;
    if constexpr (action_accepts<Action, reference_t<P>, parallel>()) {
      return execute<parallel>(p, action, context);
    } else {
      return invalid_pipeline{};  // the static_assert in accepts() said why
    }
  }
};

template <class Action, execution_policy Policy>
action_closure<Action, Policy> make_action(Action action, Policy policy) {
  return {{}, std::move(action), make_context(policy)};
}

}  // namespace lineage::detail
