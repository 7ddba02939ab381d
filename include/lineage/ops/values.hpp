// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::values(): the value (std::get<1>) of each pair-like element. Narrow: fused into the kernel.
#include <string_view>
#include <tuple>
#include <utility>

#include "../core/closure.hpp"
#include "../core/concepts.hpp"
#include "../core/sink.hpp"
#include "../exec/collect.hpp"  // running the plan: iteration (core/interop.hpp)
#include "../plan/op_kind.hpp"

namespace lineage {
namespace detail {

template <class Down>
struct values_sink : forwarding_sink<Down> {
  template <class X>
  void operator()(X&& x) {
    this->down(std::get<1>(std::forward<X>(x)));
  }
};

}  // namespace detail

struct values_op {
  static constexpr plan::op_kind kind = plan::op_kind::narrow;
  static constexpr std::string_view name = "values";
  static constexpr bool one_to_one = true;  // one output per input: sizes are known ahead

  template <class In>
  static constexpr bool check() {
    static_assert(pair_like<In>, "ln::values(): the elements are not pair-like (std::pair, std::tuple of 2)");
    return pair_like<In>;
  }
  template <class In>
  using reference = decltype(std::get<1>(std::declval<In>()));

  template <class In, class Down>
  auto sink(Down& down) const {
    return detail::values_sink<Down>{{down}};
  }
};

struct values_fn : nullary_adaptor<values_op> {};
inline constexpr values_fn values{};

}  // namespace lineage
