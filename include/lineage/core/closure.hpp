// SPDX-License-Identifier: Apache-2.0
#pragma once
// Adaptor closures and operator|.
//
// `ln::map(f)` is a closure: piping a range or a pipeline into it applies it. Closures also
// compose before any source exists (`auto clean = ln::map(trim) | ln::filter(non_empty);`),
// as range-v3's do; the composition is a flat, inspectable list, ln::closure_chain<C...>.
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "node.hpp"
#include "source.hpp"

namespace lineage {

// The closure of a transformation: `p | op_closure{op}` is node<Op, P>.
template <class Op>
struct op_closure : closure_tag {
  using op_type = Op;  // the operator this closure adds
  Op op;
  template <pipeline P>
  auto apply(P&& p) const {
    return make_node(std::forward<P>(p), op);
  }
};

// Closures composed before a source, as a flat list: `ln::map(f) | ln::filter(p) | ln::keys()`
// is closure_chain<map's closure, filter's, keys'>, whatever the grouping of the `|`s. Piping
// a source into it applies the closures in order. It can be taken apart (a stream runner splits
// a per-batch chain at its first stateful operator):
//   Chain::size, Chain::closure_types (a std::tuple of the closure types), chain.get<I>(),
//   chain.slice<First, Last>() (closures [First, Last), a chain again; `p | chain.slice<0, k>()`
//   applies a part), Chain::find_first<Pred> (index of the first closure type C with
//   Pred<C>::value, else size), and ln::lineage_of_t<Chain, Reference> (the pipeline type it
//   makes from a source pushing Reference, for plan::ops_v or a lineage signature).
template <class... Cs>
struct closure_chain : closure_tag {
  using closure_types = std::tuple<Cs...>;
  static constexpr std::size_t size = sizeof...(Cs);

  std::tuple<Cs...> closures;

  template <std::size_t I>
  const auto& get() const noexcept {
    return std::get<I>(closures);
  }

  template <std::size_t First, std::size_t Last = size>
  auto slice() const {
    static_assert(First <= Last && Last <= size, "ln::closure_chain::slice<First, Last>: out of range");
    return [this]<std::size_t... I>(std::index_sequence<I...>) {
      return closure_chain<std::tuple_element_t<First + I, closure_types>...>{{}, {std::get<First + I>(closures)...}};
    }(std::make_index_sequence<Last - First>{});
  }

  template <template <class> class Pred>
  static constexpr std::size_t find_first = [] {
    constexpr bool matches[] = {Pred<Cs>::value..., false};
    std::size_t i = 0;
    while (i < size && !matches[i]) ++i;
    return i;
  }();

  template <pipeline P>
  auto apply(P&& p) const {
    if constexpr (size == 0) {
      return std::remove_cvref_t<P>(std::forward<P>(p));
    } else {
      return pipe_from<0>(std::forward<P>(p));
    }
  }

 private:
  template <std::size_t I, class X>
  auto pipe_from(X&& x) const {
    if constexpr (I + 1 == size) {
      return std::forward<X>(x) | std::get<I>(closures);  // may be an action's result, or void
    } else {
      return pipe_from<I + 1>(std::forward<X>(x) | std::get<I>(closures));
    }
  }
};

namespace detail {

template <class C>
auto as_chain(C c) {
  return closure_chain<C>{{}, {std::move(c)}};
}
template <class... Cs>
auto as_chain(closure_chain<Cs...> c) {
  return c;
}
template <class... As, class... Bs>
auto concat_chains(closure_chain<As...> a, closure_chain<Bs...> b) {
  return closure_chain<As..., Bs...>{{}, std::tuple_cat(std::move(a.closures), std::move(b.closures))};
}

}  // namespace detail

template <source_range L, closure C>
auto operator|(L&& lhs, const C& c) {
  return c.apply(as_pipeline(std::forward<L>(lhs)));
}

template <closure A, closure B>
auto operator|(A a, B b) {
  return detail::concat_chains(detail::as_chain(std::move(a)), detail::as_chain(std::move(b)));
}

// A source known by what it pushes only: never built, never run. It names the pipeline type a
// closure chain makes (ln::lineage_of_t), e.g. for ln::plan::ops_v or a lineage signature.
template <class Reference>
struct typed_source : pipeline_tag {
  using reference = Reference;
  static constexpr std::size_t depth = 0;
  static constexpr std::size_t stages = 1;
};

// The pipeline type that closure (or chain) C makes from a source pushing Reference.
template <closure C, class Reference>
using lineage_of_t = decltype(std::declval<typed_source<Reference>>() | std::declval<const C&>());

// The two call forms of an adaptor taking one function, as in range-v3:
// `ln::map(f)` gives a closure, `ln::map(range, f)` applies it at once.
template <template <class> class Op>
struct function_adaptor {
  template <class F>
  auto operator()(F f) const {
    return op_closure<Op<F>>{{}, Op<F>{std::move(f)}};
  }
  template <source_range R, class F>
  auto operator()(R&& r, F f) const {
    return std::forward<R>(r) | (*this)(std::move(f));
  }
};

// The same for an adaptor without arguments: `ln::keys()`, `ln::keys` and `ln::keys(range)`.
template <class Op>
struct nullary_adaptor : usable_bare<nullary_adaptor<Op>> {
  auto operator()() const { return op_closure<Op>{{}, Op{}}; }
  template <source_range R>
  auto operator()(R&& r) const {
    return std::forward<R>(r) | (*this)();
  }
};

}  // namespace lineage
