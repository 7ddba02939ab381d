// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::collect(): all elements, in order, as a std::vector.
#include <iterator>
#include <utility>
#include <vector>

#include "action.hpp"

namespace lineage {
namespace detail {

template <class T>
struct collect_sink {
  std::vector<T> out;
  static constexpr bool can_stop = false;
  // Its state, for a distributed backend's gather_ordered (exec/backend.hpp).
  template <class Archive>
  void serialize(Archive& ar) {
    ar(out);
  }
  template <class X>
  void operator()(X&& x) {
    out.emplace_back(std::forward<X>(x));
  }
  void reserve(std::size_t n) { out.reserve(n); }
  // A whole partition a source owns (core/sink.hpp's push_block): the first is adopted as the
  // result, later ones are appended.
  void take_block(std::vector<T>&& block) {
    if (out.empty()) {
      out = std::move(block);
    } else {
      out.insert(out.end(), std::make_move_iterator(block.begin()), std::make_move_iterator(block.end()));
    }
  }
};

struct collect_action {
  template <class Ref>
  auto make() const {
    return collect_sink<std::remove_cvref_t<Ref>>{};
  }
  template <class Acc>
  void merge(Acc& into, Acc&& later) const {
    if (into.out.empty()) {
      into.out = std::move(later.out);
    } else {
      into.out.insert(into.out.end(), std::make_move_iterator(later.out.begin()),
                      std::make_move_iterator(later.out.end()));
    }
  }
  template <class Acc>
  auto finish(Acc&& acc) const {
    return std::move(acc.out);
  }
};

// Runs the whole plan on the calling thread and returns the elements in order (declared in
// core/interop.hpp, for iteration).
template <pipeline P>
std::vector<element_t<P>> materialize(const P& p) {
  return execute(p, collect_action{}, seq_backend{});
}

}  // namespace detail

struct collect_fn : usable_bare<collect_fn> {
  template <execution_policy Policy = seq_t>
  auto operator()(Policy policy = {}) const {
    return detail::make_action(detail::collect_action{}, policy);
  }
};
inline constexpr collect_fn collect{};

}  // namespace lineage
