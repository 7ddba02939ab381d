// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::key_by(f): each element x becomes the pair (f(x), x), as Spark's keyBy. Narrow.
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

template <class F, class In>
using key_by_result_t = std::pair<std::remove_cvref_t<std::invoke_result_t<const F&, const std::remove_cvref_t<In>&>>,
                                  std::remove_cvref_t<In>>;

template <class F, class In, class Down>
struct key_by_sink : forwarding_sink<Down> {
  const F* f;
  template <class X>
  void operator()(X&& x) {
    auto key = std::invoke(*f, std::as_const(x));  // before x may be moved into the pair
    this->down(key_by_result_t<F, In>(std::move(key), std::forward<X>(x)));
  }
};

}  // namespace detail

template <class F>
struct key_by_op {
  F fn;
  static constexpr plan::op_kind kind = plan::op_kind::narrow;
  static constexpr std::string_view name = "key_by";
  static constexpr bool one_to_one = true;

  template <class In>
  static constexpr bool check() {
    constexpr bool ok = std::is_invocable_v<const F&, const std::remove_cvref_t<In>&>;
    static_assert(ok, "ln::key_by(f): f is not invocable with the pipeline's element type");
    if constexpr (ok) {
      constexpr bool not_void = !std::is_void_v<std::invoke_result_t<const F&, const std::remove_cvref_t<In>&>>;
      static_assert(not_void, "ln::key_by(f): f returns void; it must return the key");
      return not_void;
    }
    return ok;
  }
  template <class In>
  using reference = detail::key_by_result_t<F, In>;

  template <class In, class Down>
  auto sink(Down& down) const {
    return detail::key_by_sink<F, In, Down>{{down}, &fn};
  }
};

struct key_by_fn : function_adaptor<key_by_op> {};
inline constexpr key_by_fn key_by{};

}  // namespace lineage
