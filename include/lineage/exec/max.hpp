// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::max() / ln::max: the largest element by <, std::nullopt when there is none. The first of
// equal largest elements, in partition order.
#include "min.hpp"

namespace lineage {

struct max_fn : usable_bare<max_fn> {
  template <execution_policy Policy = seq_t>
  auto operator()(Policy policy = {}) const {
    return detail::make_action(detail::extreme_action<true>{}, policy);
  }
};
inline constexpr max_fn max{};

}  // namespace lineage
