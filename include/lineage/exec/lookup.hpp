// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::lookup(key): the values of the pairs (k, v) with k == key, in order (Spark's lookup).
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/concepts.hpp"
#include "action.hpp"

namespace lineage {
namespace detail {

template <class K, class V>
struct lookup_sink {
  std::vector<V> out;
  const K* key;
  static constexpr bool can_stop = false;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(out);
  }
  template <class X>
  void operator()(X&& x) {
    if (std::get<0>(x) == *key) out.push_back(std::get<1>(std::forward<X>(x)));
  }
};

template <class Key>
struct lookup_action {
  Key key;
  template <class Ref, bool Parallel>
  static constexpr bool accepts() {
    if constexpr (!pair_like<Ref>) {
      static_assert(always_false<Ref>, "ln::lookup(key): the elements are not pair-like (std::pair, std::tuple of 2)");
      return false;
    } else {
      constexpr bool ok = std::equality_comparable_with<const key_of_t<Ref>&, const Key&>;
      static_assert(ok, "ln::lookup(key): key cannot be compared with == to the pairs' key type");
      return ok;
    }
  }
  template <class Ref>
  auto make() const {
    return lookup_sink<Key, value_of_t<Ref>>{{}, &key};
  }
  template <class Acc>
  void merge(Acc& into, Acc&& later) const {
    into.out.insert(into.out.end(), std::make_move_iterator(later.out.begin()), std::make_move_iterator(later.out.end()));
  }
  template <class Acc>
  auto finish(Acc&& acc) const {
    return std::move(acc.out);
  }
};

}  // namespace detail

struct lookup_fn {
  template <class Key, execution_policy Policy = seq_t>
  auto operator()(Key key, Policy policy = {}) const {
    return detail::make_action(detail::lookup_action<Key>{std::move(key)}, policy);
  }
};
inline constexpr lookup_fn lookup{};

}  // namespace lineage
