#pragma once
// Adaptor closures and operator|.
//
// `ln::map(f)` is a closure: piping a range or a pipeline into it applies it. Closures also
// compose before any source exists (`auto clean = ln::map(trim) | ln::filter(non_empty);`),
// as range-v3's do.
#include <type_traits>
#include <utility>

#include "node.hpp"
#include "source.hpp"

namespace lineage {

// The closure of a transformation: `p | op_closure{op}` is node<Op, P>.
template <class Op>
struct op_closure : closure_tag {
  Op op;
  template <pipeline P>
  auto apply(P&& p) const {
    return make_node(std::forward<P>(p), op);
  }
};

template <class A, class B>
struct composed_closure : closure_tag {
  A first;
  B second;
  template <pipeline P>
  auto apply(P&& p) const {
    return (std::forward<P>(p) | first) | second;
  }
};

template <source_range L, closure C>
auto operator|(L&& lhs, const C& c) {
  return c.apply(as_pipeline(std::forward<L>(lhs)));
}

template <closure A, closure B>
auto operator|(A a, B b) {
  return composed_closure<A, B>{{}, std::move(a), std::move(b)};
}

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

// The same for an adaptor without arguments: `ln::keys()` and `ln::keys(range)`.
template <class Op>
struct nullary_adaptor {
  auto operator()() const { return op_closure<Op>{{}, Op{}}; }
  template <source_range R>
  auto operator()(R&& r) const {
    return std::forward<R>(r) | (*this)();
  }
};

}  // namespace lineage
