#pragma once
// ln::collect(): all elements, in order, as a std::vector.
#include <utility>
#include <vector>

#include "action.hpp"

namespace lineage {
namespace detail {

template <class T>
struct collect_sink {
  std::vector<T> out;
  static constexpr bool can_stop = false;
  template <class X>
  void operator()(X&& x) {
    out.emplace_back(std::forward<X>(x));
  }
  void reserve(std::size_t n) { out.reserve(n); }
};

struct collect_action {
  template <class Ref>
  auto make() const {
    return collect_sink<std::remove_cvref_t<Ref>>{};
  }
  template <class Acc>
  void merge(Acc& into, Acc&& later) const {
    if (into.out.empty()) {
      into.out = std::move(later.out);
    } else {
      into.out.insert(into.out.end(), std::make_move_iterator(later.out.begin()),
                      std::make_move_iterator(later.out.end()));
    }
  }
  template <class Acc>
  auto finish(Acc&& acc) const {
    return std::move(acc.out);
  }
};

// Runs the whole plan on the calling thread and returns the elements in order.
template <pipeline P>
auto materialize(const P& p) {
  return execute<false>(p, collect_action{}, exec_context{});
}

}  // namespace detail

struct collect_fn {
  template <execution_policy Policy = seq_t>
  auto operator()(Policy policy = {}) const {
    return detail::make_action(detail::collect_action{}, policy);
  }
};
inline constexpr collect_fn collect{};

}  // namespace lineage
