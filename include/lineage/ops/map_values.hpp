// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::map_values(f): each pair (k, v) becomes (k, f(v)). Narrow: fused into the kernel.
#include <functional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../core/closure.hpp"
#include "../core/concepts.hpp"
#include "../core/sink.hpp"
#include "../exec/collect.hpp"  // running the plan: iteration (core/interop.hpp)
#include "../plan/op_kind.hpp"

namespace lineage {
namespace detail {

template <class In>
using second_ref_t = decltype(std::get<1>(std::declval<In>()));

template <class F, class In>
using map_values_result_t =
    std::pair<key_of_t<In>, std::remove_cvref_t<std::invoke_result_t<const F&, second_ref_t<In>>>>;

template <class F, class In, class Down>
struct map_values_sink : forwarding_sink<Down> {
  const F* f;
  template <class X>
  void operator()(X&& x) {
    // Distinct members of x: forwarding x to both get<0> and get<1> moves each at most once.
    this->down(map_values_result_t<F, In>(std::get<0>(std::forward<X>(x)),
                                          std::invoke(*f, std::get<1>(std::forward<X>(x)))));
  }
};

}  // namespace detail

template <class F>
struct map_values_op {
  F fn;
  static constexpr plan::op_kind kind = plan::op_kind::narrow;
  static constexpr std::string_view name = "map_values";
  static constexpr bool one_to_one = true;  // one output per input: sizes are known ahead
  static constexpr bool preserves_partitioning = true;  // keys stay where they were

  template <class In>
  static constexpr bool check() {
    if constexpr (!pair_like<In>) {
      static_assert(detail::always_false<In>,
                    "ln::map_values(f): the elements are not pair-like (std::pair, std::tuple of 2)");
      return false;
    } else {
      constexpr bool ok = std::is_invocable_v<const F&, detail::second_ref_t<In>>;
      static_assert(ok, "ln::map_values(f): f is not invocable with the pairs' value type");
      return ok;
    }
  }
  template <class In>
  using reference = detail::map_values_result_t<F, In>;

  template <class In, class Down>
  auto sink(Down& down) const {
    return detail::map_values_sink<F, In, Down>{{down}, &fn};
  }
};

struct map_values_fn : function_adaptor<map_values_op> {};
inline constexpr map_values_fn map_values{};

}  // namespace lineage
