#pragma once
// ln::count_by_key(): for pair-like elements, how many elements each key has, as a
// std::unordered_map<K, std::size_t>. An action: partitions count on their own and the
// counts are added.
#include <cstddef>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "../core/concepts.hpp"
#include "action.hpp"
#include "shuffle.hpp"

namespace lineage {
namespace detail {

// The result map's hasher is key_hasher_t<K, Hash>: std::hash<K> when it exists (the map is
// then a plain std::unordered_map<K, std::size_t>), else ln::default_hash<K> (pair and tuple
// keys), or the user's (ln::partitioner{0, hasher}).
template <class K, class Hash>
struct count_by_key_sink {
  std::unordered_map<K, std::size_t, key_hasher_t<K, Hash>> counts;
  static constexpr bool can_stop = false;
  // Its state, for a distributed backend's gather_ordered (exec/backend.hpp).
  template <class Archive>
  void serialize(Archive& ar) {
    ar(counts);
  }
  template <class X>
  void operator()(X&& x) {
    ++counts[std::get<0>(std::forward<X>(x))];
  }
};

template <class Hash>
struct count_by_key_action {
  partitioner<Hash> part;
  template <class Ref, bool Parallel>
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
  template <class Ref>
  auto make() const {
    using K = key_of_t<Ref>;
    using map_hash = key_hasher_t<K, Hash>;
    if constexpr (std::is_same_v<map_hash, std::hash<K>>) {
      return count_by_key_sink<K, Hash>{};
    } else {
      return count_by_key_sink<K, Hash>{std::unordered_map<K, std::size_t, map_hash>(0, part.template hash_for<K>())};
    }
  }
  template <class Acc>
  void merge(Acc& into, Acc&& later) const {
    if (into.counts.empty()) {
      into.counts = std::move(later.counts);
      return;
    }
    for (auto& [k, n] : later.counts) into.counts[k] += n;
  }
  template <class Acc>
  auto finish(Acc&& acc) const {
    return std::move(acc.counts);
  }
};

}  // namespace detail

struct count_by_key_fn : usable_bare<count_by_key_fn> {
  template <execution_policy Policy = seq_t>
  auto operator()(Policy policy = {}) const {
    return detail::make_action(detail::count_by_key_action<std_hash>{}, policy);
  }
  template <class Hash, execution_policy Policy = seq_t>
  auto operator()(partitioner<Hash> part, Policy policy = {}) const {
    return detail::make_action(detail::count_by_key_action<Hash>{std::move(part)}, policy);
  }
};
inline constexpr count_by_key_fn count_by_key{};

}  // namespace lineage
