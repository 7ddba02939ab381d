// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::count_by_key([ln::partitioner{0, hasher}] [, policy]): for pair-like elements, how many
// elements each key has, as a std::unordered_map<K, std::size_t>. An action: partitions count
// on their own and the counts are added. count_by_value (exec/count_by_value.hpp) is the same
// action counting whole elements.
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../core/concepts.hpp"
#include "action.hpp"
#include "flat_table.hpp"
#include "shuffle.hpp"

namespace lineage {
namespace detail {

// What a counting action counts: the key of each pair-like element.
struct count_keys {
  template <class Ref>
  using counted = key_of_t<Ref>;
  template <class X>
  static decltype(auto) of(X&& x) {
    return std::get<0>(std::forward<X>(x));
  }
  template <class Ref, class Hash>
  static constexpr bool accepts() {
    if constexpr (!pair_like<Ref>) {
      static_assert(always_false<Ref>, "ln::count_by_key(): the elements are not pair-like (std::pair, std::tuple of 2)");
      return false;
    } else {
      constexpr bool hashable = hashable_key<key_of_t<Ref>, Hash>;
      static_assert(hashable, "ln::count_by_key(): the key type has no std::hash; pass a hasher: "
                              "ln::count_by_key(ln::partitioner{0, hasher})");
      return hashable;
    }
  }
};

// The counts of one partition, then of all, in a flat_table; the action's result is a
// std::unordered_map<K, std::size_t, key_hasher_t<K, Hash>>: std::hash<K> when it exists (the
// map is then a plain std::unordered_map<K, std::size_t>), else ln::default_hash<K> (pair and
// tuple keys), or the user's (ln::partitioner{0, hasher}).
template <class K, class Hash, class What>
struct count_table_sink {
  flat_table<K, std::size_t, key_hasher_t<K, Hash>> counts;
  static constexpr bool can_stop = false;
  // Its state, for a distributed backend's gather_ordered (exec/backend.hpp): the (key, count)
  // entries.
  template <class Archive>
  void save(Archive& ar) const {
    ar(counts.entries());
  }
  template <class Archive>
  void load(Archive& ar) {
    std::vector<std::pair<K, std::size_t>> entries;
    ar(entries);
    counts.clear();
    counts.reserve(entries.size());
    for (auto& [k, n] : entries) counts.try_emplace(std::move(k), 0).first->second += n;
  }
  template <class X>
  void operator()(X&& x) {
    decltype(auto) key = What::of(std::forward<X>(x));
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(key)>, K>) {
      ++counts.try_emplace(std::forward<decltype(key)>(key), 0).first->second;
    } else {
      ++counts.try_emplace(K(std::forward<decltype(key)>(key)), 0).first->second;
    }
  }
};

template <class Hash, class What>
struct count_table_action {
  partitioner<Hash> part;
  template <class Ref, bool Parallel>
  static constexpr bool accepts() {
    return What::template accepts<Ref, Hash>();
  }
  template <class Ref>
  auto make() const {
    using K = typename What::template counted<Ref>;
    return count_table_sink<K, Hash, What>{flat_table<K, std::size_t, key_hasher_t<K, Hash>>(part.template hash_for<K>())};
  }
  template <class Acc>
  void merge(Acc& into, Acc&& later) const {
    if (into.counts.empty()) {
      into.counts = std::move(later.counts);
      return;
    }
    for (auto& [k, n] : later.counts) into.counts.try_emplace(std::move(k), 0).first->second += n;
  }
  template <class Acc>
  auto finish(Acc&& acc) const {
    using table = decltype(acc.counts);
    using K = typename table::entry::first_type;
    std::unordered_map<K, std::size_t, key_hasher_t<K, Hash>> out(acc.counts.size(), part.template hash_for<K>());
    for (auto& [k, n] : acc.counts) out.emplace(std::move(k), n);
    return out;
  }
};

}  // namespace detail

struct count_by_key_fn : usable_bare<count_by_key_fn> {
  template <execution_policy Policy = seq_t>
  auto operator()(Policy policy = {}) const {
    return detail::make_action(detail::count_table_action<std_hash, detail::count_keys>{}, policy);
  }
  template <class Hash, execution_policy Policy = seq_t>
  auto operator()(partitioner<Hash> part, Policy policy = {}) const {
    return detail::make_action(detail::count_table_action<Hash, detail::count_keys>{std::move(part)}, policy);
  }
};
inline constexpr count_by_key_fn count_by_key{};

}  // namespace lineage
