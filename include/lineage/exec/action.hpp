#pragma once
// action_closure: the right side of `p | ln::sum(ln::par)`; runs the plan when applied.
#include <type_traits>
#include <utility>

#include "../core/pipeline.hpp"
#include "execute.hpp"
#include "policy.hpp"

namespace lineage::detail {

template <class Action, execution_policy Policy>
struct action_closure : closure_tag {
  Action action;
  exec_context context;

  template <pipeline P>
  auto apply(const P& p) const {
    return execute<std::is_same_v<Policy, par_t>>(p, action, context);
  }
};

template <class Action, execution_policy Policy>
action_closure<Action, Policy> make_action(Action action, Policy policy) {
  return {{}, std::move(action), make_context(policy)};
}

}  // namespace lineage::detail
