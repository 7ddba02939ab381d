// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::is_empty() / ln::is_empty: whether the pipeline has no element. Stops at the first one.
#include "action.hpp"

namespace lineage {
namespace detail {

struct is_empty_sink {
  bool seen = false;
  static constexpr bool can_stop = true;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(seen);
  }
  bool stopped() const { return seen; }
  template <class X>
  void operator()(X&&) {
    seen = true;
  }
};

struct is_empty_action {
  template <class Ref>
  is_empty_sink make() const {
    return {};
  }
  void merge(is_empty_sink& into, is_empty_sink&& later) const { into.seen = into.seen || later.seen; }
  bool finish(is_empty_sink&& acc) const { return !acc.seen; }
};

}  // namespace detail

struct is_empty_fn : usable_bare<is_empty_fn> {
  template <execution_policy Policy = seq_t>
  auto operator()(Policy policy = {}) const {
    return detail::make_action(detail::is_empty_action{}, policy);
  }
};
inline constexpr is_empty_fn is_empty{};

}  // namespace lineage
