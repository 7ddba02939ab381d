// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::count(): the number of elements.
#include <cstddef>

#include "action.hpp"

namespace lineage {
namespace detail {

struct count_sink {
  std::size_t n = 0;
  static constexpr bool can_stop = false;
  // Its state, for a distributed backend's gather_ordered (exec/backend.hpp).
  template <class Archive>
  void serialize(Archive& ar) {
    ar(n);
  }
  template <class X>
  void operator()(X&&) {
    ++n;
  }
  template <class X>
  void push_if(bool keep, X&&) {
    n += keep;
  }
};

struct count_action {
  template <class Ref>
  count_sink make() const {
    return {};
  }
  void merge(count_sink& into, count_sink&& later) const { into.n += later.n; }
  std::size_t finish(count_sink&& acc) const { return acc.n; }
};

}  // namespace detail

struct count_fn : usable_bare<count_fn> {
  template <execution_policy Policy = seq_t>
  auto operator()(Policy policy = {}) const {
    return detail::make_action(detail::count_action{}, policy);
  }
};
inline constexpr count_fn count{};

}  // namespace lineage
