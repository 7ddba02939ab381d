// SPDX-License-Identifier: Apache-2.0
#pragma once
// Concepts shared by sources, operators and actions.
#include <concepts>
#include <cstddef>
#include <ranges>
#include <tuple>
#include <type_traits>
#include <utility>

namespace lineage {

// std::pair, std::tuple of two, std::array of two: anything std::get<0>/<1> reads.
template <class T>
concept pair_like = requires { std::tuple_size<std::remove_cvref_t<T>>::value; } &&
                    std::tuple_size<std::remove_cvref_t<T>>::value == 2 &&
                    requires(T&& t) {
                      std::get<0>(std::forward<T>(t));
                      std::get<1>(std::forward<T>(t));
                    };

namespace detail {

// Containers that own their elements (a prvalue of one can be moved from element by element);
// views, std or range-v3, refer to data owned elsewhere and must not be moved from.
template <class R>
concept owning_container = !std::ranges::view<R> && requires { typename R::allocator_type; };

template <class T>
using key_of_t = std::remove_cvref_t<decltype(std::get<0>(std::declval<T>()))>;
template <class T>
using value_of_t = std::remove_cvref_t<decltype(std::get<1>(std::declval<T>()))>;

// Used in static_assert to make a failure depend on a template parameter.
template <class...>
inline constexpr bool always_false = false;

}  // namespace detail
}  // namespace lineage
