// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::for_each(f): calls f on every element. With ln::seq in order on the calling thread;
// with ln::par partitions run concurrently, so f must be safe to call from several threads.
#include <functional>
#include <type_traits>
#include <utility>

#include "action.hpp"

namespace lineage {
namespace detail {

template <class F>
struct for_each_sink {
  const F* f;
  static constexpr bool can_stop = false;
  // Nothing to gather: f ran where the partition did (exec/backend.hpp).
  template <class Archive>
  void serialize(Archive&) {}
  template <class X>
  void operator()(X&& x) {
    std::invoke(*f, std::forward<X>(x));
  }
};

template <class F>
struct for_each_action {
  F f;
  template <class Ref, bool Parallel>
  static constexpr bool accepts() {
    constexpr bool ok = std::is_invocable_v<const F&, Ref>;
    static_assert(ok, "ln::for_each(f): f is not invocable with the pipeline's element type");
    return ok;
  }
  template <class Ref>
  auto make() const {
    return for_each_sink<F>{&f};
  }
  void merge(for_each_sink<F>&, for_each_sink<F>&&) const {}
  void finish(for_each_sink<F>&&) const {}
};

}  // namespace detail

struct for_each_fn {
  template <class F, execution_policy Policy = seq_t>
  auto operator()(F f, Policy policy = {}) const {
    return detail::make_action(detail::for_each_action<F>{std::move(f)}, policy);
  }
};
inline constexpr for_each_fn for_each{};

}  // namespace lineage
