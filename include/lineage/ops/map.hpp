// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::map(f): each element x becomes f(x). Narrow: fused into the stage's kernel.
#include <functional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../core/closure.hpp"
#include "../core/concepts.hpp"
#include "../core/sink.hpp"
#include "../exec/collect.hpp"  // running the plan: iteration (core/interop.hpp)
#include "../plan/op_kind.hpp"

namespace lineage {
namespace detail {

template <class F, class Down>
struct map_sink : forwarding_sink<Down> {
  const F* f;
  template <class X>
  void operator()(X&& x) {
    this->down(std::invoke(*f, std::forward<X>(x)));
  }
};

}  // namespace detail

template <class F>
struct map_op {
  F fn;
  static constexpr plan::op_kind kind = plan::op_kind::narrow;
  static constexpr std::string_view name = "map";
  static constexpr bool one_to_one = true;  // one output per input: sizes are known ahead

  template <class In>
  static constexpr bool check() {
    if constexpr (!std::is_invocable_v<const F&, In>) {
      static_assert(detail::always_false<In>, "ln::map(f): f is not invocable with the pipeline's element type");
      return false;
    } else {
      constexpr bool returns_value = !std::is_void_v<std::invoke_result_t<const F&, In>>;
      static_assert(returns_value, "ln::map(f): f returns void (to run f for its effect, use ln::for_each)");
      return returns_value;
    }
  }
  template <class In>
  using reference = std::invoke_result_t<const F&, In>;

  template <class In, class Down>
  auto sink(Down& down) const {
    return detail::map_sink<F, Down>{{down}, &fn};
  }
};

struct map_fn : function_adaptor<map_op> {};
inline constexpr map_fn map{};

}  // namespace lineage
