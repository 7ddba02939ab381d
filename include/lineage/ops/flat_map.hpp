// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::flat_map(f): each element x becomes all the elements of the range f(x) (a container,
// a std view, a range-v3 view). Narrow: the inner loop is part of the fused kernel, no
// intermediate container is built beyond what f itself returns.
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

namespace lineage {
namespace detail {

// Elements of a container that f returned by value are ours: move them on. A view's elements
// (or those of a container f returned by reference) belong to someone else.
template <class Result>
inline constexpr bool moves_elements =
    !std::is_reference_v<Result> && owning_container<std::remove_cv_t<Result>>;

// f may return a std::optional: a range of zero or one element.
template <class T>
struct is_optional : std::false_type {};
template <class U>
struct is_optional<std::optional<U>> : std::true_type {};
template <class Result>
inline constexpr bool optional_result = is_optional<std::remove_cvref_t<Result>>::value;

template <class Result, bool Optional = optional_result<Result>>
struct flat_map_reference_of {
  using type = std::conditional_t<moves_elements<Result>,
                                  std::ranges::range_rvalue_reference_t<std::remove_reference_t<Result>>,
                                  std::ranges::range_reference_t<std::remove_reference_t<Result>>>;
};
template <class Result>
struct flat_map_reference_of<Result, true> {
  using type = decltype(*std::declval<Result>());  // U&& from a returned optional, else as referred
};
template <class F, class In>
using flat_map_reference = typename flat_map_reference_of<std::invoke_result_t<const F&, In>>::type;

template <class F, class In, class Down>
struct flat_map_sink : forwarding_sink<Down> {
  const F* f;
  template <class X>
  void operator()(X&& x) {
    auto&& inner = std::invoke(*f, std::forward<X>(x));
    if constexpr (optional_result<std::invoke_result_t<const F&, In>>) {
      if (inner) this->down(*std::forward<decltype(inner)>(inner));
    } else {
      for (auto&& y : inner) {
        if constexpr (moves_elements<std::invoke_result_t<const F&, In>>) {
          this->down(std::move(y));
        } else {
          this->down(std::forward<decltype(y)>(y));
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
struct flat_map_op {
  F fn;
  static constexpr plan::op_kind kind = plan::op_kind::narrow;
  static constexpr std::string_view name = "flat_map";

  template <class In>
  static constexpr bool check() {
    if constexpr (!std::is_invocable_v<const F&, In>) {
      static_assert(detail::always_false<In>,
                    "ln::flat_map(f): f is not invocable with the pipeline's element type");
      return false;
    } else {
      using result = std::invoke_result_t<const F&, In>;
      constexpr bool ranged =
          std::ranges::input_range<std::remove_reference_t<result>> || detail::optional_result<result>;
      static_assert(ranged,
                    "ln::flat_map(f): f must return a range (a container, a std view or a range-v3 view) or a "
                    "std::optional");
      return ranged;
    }
  }
  template <class In>
  using reference = detail::flat_map_reference<F, In>;

  template <class In, class Down>
  auto sink(Down& down) const {
    return detail::flat_map_sink<F, In, Down>{{down}, &fn};
  }
};

struct flat_map_fn : function_adaptor<flat_map_op> {};
inline constexpr flat_map_fn flat_map{};

}  // namespace lineage
