// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::filter(p): keeps the elements x for which p(x) is true. Narrow: fused into the kernel.
#include <concepts>
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

template <class P, class Down>
struct filter_sink : forwarding_sink<Down> {
  const P* pred;
  template <class X>
  void operator()(X&& x) {
    if constexpr (requires(bool b) { this->down.push_if(b, std::forward<X>(x)); }) {
      // The next sink is an accumulator that can add its identity instead (sum, count): no
      // user code runs on the rejected element, and the source has no branch on the predicate
      // (a compiler may still choose to emit one).
      const bool keep = static_cast<bool>(std::invoke(*pred, std::as_const(x)));
      this->down.push_if(keep, std::forward<X>(x));
    } else {
      if (std::invoke(*pred, std::as_const(x))) this->down(std::forward<X>(x));
    }
  }
};

}  // namespace detail

template <class P>
struct filter_op {
  P pred;
  static constexpr plan::op_kind kind = plan::op_kind::narrow;
  static constexpr std::string_view name = "filter";
  static constexpr bool preserves_partitioning = true;  // keys stay where they were

  template <class In>
  static constexpr bool check() {
    using arg = const std::remove_reference_t<In>&;  // the predicate sees the element, read-only
    if constexpr (!std::is_invocable_v<const P&, arg>) {
      static_assert(detail::always_false<In>,
                    "ln::filter(p): p is not invocable with the pipeline's element type");
      return false;
    } else {
      constexpr bool boolean = std::convertible_to<std::invoke_result_t<const P&, arg>, bool>;
      static_assert(boolean, "ln::filter(p): p must return something convertible to bool");
      return boolean;
    }
  }
  template <class In>
  using reference = In;

  template <class In, class Down>
  auto sink(Down& down) const {
    return detail::filter_sink<P, Down>{{down}, &pred};
  }
};

struct filter_fn : function_adaptor<filter_op> {};
inline constexpr filter_fn filter{};

}  // namespace lineage
