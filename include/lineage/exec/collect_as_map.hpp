// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::collect_as_map() / ln::collect_as_map: pairs (k, v) as a std::unordered_map<K, V> (pair
// and tuple keys hash by default), as Spark's collectAsMap: for a key that occurs several
// times, the last value in partition order wins.
#include <cstddef>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "../core/concepts.hpp"
#include "count_by_key.hpp"

namespace lineage {
namespace detail {

template <class K, class V>
struct as_map_sink {
  std::unordered_map<K, V, key_hasher_t<K, std_hash>> map;
  static constexpr bool can_stop = false;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(map);
  }
  template <class X>
  void operator()(X&& x) {
    map.insert_or_assign(std::get<0>(std::forward<X>(x)), std::get<1>(std::forward<X>(x)));
  }
};

struct collect_as_map_action {
  template <class Ref, bool Parallel>
  static constexpr bool accepts() {
    if constexpr (!pair_like<Ref>) {
      static_assert(always_false<Ref>, "ln::collect_as_map(): the elements are not pair-like (std::pair, std::tuple of 2)");
      return false;
    } else {
      constexpr bool ok = hashable_key<key_of_t<Ref>, std_hash>;
      static_assert(ok, "ln::collect_as_map(): the key type has no std::hash");
      return ok;
    }
  }
  template <class Ref>
  auto make() const {
    return as_map_sink<key_of_t<Ref>, value_of_t<Ref>>{};
  }
  template <class Acc>
  void merge(Acc& into, Acc&& later) const {
    for (auto& [k, v] : later.map) into.map.insert_or_assign(k, std::move(v));
  }
  template <class Acc>
  auto finish(Acc&& acc) const {
    return std::move(acc.map);
  }
};

}  // namespace detail

struct collect_as_map_fn : usable_bare<collect_as_map_fn> {
  template <execution_policy Policy = seq_t>
  auto operator()(Policy policy = {}) const {
    return detail::make_action(detail::collect_as_map_action{}, policy);
  }
};
inline constexpr collect_as_map_fn collect_as_map{};

}  // namespace lineage
