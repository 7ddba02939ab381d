// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::flat_map_values(f): each pair (k, v) becomes (k, w) for every w of the range f(v) (or of
// the std::optional f(v)), as Spark's flatMapValues. Narrow; keys stay where they were.
#include <functional>
#include <optional>
#include <ranges>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../core/closure.hpp"
#include "../core/concepts.hpp"
#include "../core/sink.hpp"
#include "../exec/collect.hpp"  // running the plan: iteration (core/interop.hpp)
#include "../plan/op_kind.hpp"
#include "flat_map.hpp"

namespace lineage {
namespace detail {

template <class In>
using flat_values_arg_t = decltype(std::get<1>(std::declval<In>()));

template <class F, class In>
using flat_map_values_result_t =
    std::pair<key_of_t<In>, std::remove_cvref_t<typename flat_map_reference_of<
                                std::invoke_result_t<const F&, flat_values_arg_t<In>>>::type>>;

template <class F, class In, class Down>
struct flat_map_values_sink : forwarding_sink<Down> {
  const F* f;
  template <class X>
  void operator()(X&& x) {
    using result = std::invoke_result_t<const F&, flat_values_arg_t<In>>;
    using out = flat_map_values_result_t<F, In>;
    const auto& key = std::get<0>(x);
    auto&& inner = std::invoke(*f, std::get<1>(std::forward<X>(x)));
    if constexpr (optional_result<result>) {
      if (inner) this->down(out(key, *std::forward<decltype(inner)>(inner)));
    } else {
      for (auto&& w : inner) {
        if constexpr (moves_elements<result>) {
          this->down(out(key, std::move(w)));
        } else {
          this->down(out(key, std::forward<decltype(w)>(w)));
        }
        if constexpr (Down::can_stop) {
          if (this->down.stopped()) return;
        }
      }
    }
  }
};

}  // namespace detail

template <class F>
struct flat_map_values_op {
  F fn;
  static constexpr plan::op_kind kind = plan::op_kind::narrow;
  static constexpr std::string_view name = "flat_map_values";
  static constexpr bool preserves_partitioning = true;

  template <class In>
  static constexpr bool check() {
    if constexpr (!pair_like<In>) {
      static_assert(detail::always_false<In>,
                    "ln::flat_map_values(f): the elements are not pair-like (std::pair, std::tuple of 2)");
      return false;
    } else if constexpr (!std::is_invocable_v<const F&, detail::flat_values_arg_t<In>>) {
      static_assert(detail::always_false<In>, "ln::flat_map_values(f): f is not invocable with the pairs' value type");
      return false;
    } else {
      using result = std::invoke_result_t<const F&, detail::flat_values_arg_t<In>>;
      constexpr bool ok = std::ranges::input_range<std::remove_reference_t<result>> || detail::optional_result<result>;
      static_assert(ok, "ln::flat_map_values(f): f must return a range or a std::optional");
      return ok;
    }
  }
  template <class In>
  using reference = detail::flat_map_values_result_t<F, In>;

  template <class In, class Down>
  auto sink(Down& down) const {
    return detail::flat_map_values_sink<F, In, Down>{{down}, &fn};
  }
};

struct flat_map_values_fn : function_adaptor<flat_map_values_op> {};
inline constexpr flat_map_values_fn flat_map_values{};

}  // namespace lineage
