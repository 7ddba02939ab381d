#pragma once
// ln::count_by_value([ln::partitioner{0, hasher}] [, policy]): how many times each distinct
// element occurs, as a std::unordered_map<T, std::size_t> (pair and tuple elements hash by
// default: the map's hasher is then ln::default_hash<T>). count_by_key of (x, unit).
#include <cstddef>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "count_by_key.hpp"

namespace lineage {
namespace detail {

template <class T, class Hash>
struct count_by_value_sink {
  std::unordered_map<T, std::size_t, key_hasher_t<T, Hash>> counts;
  static constexpr bool can_stop = false;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(counts);
  }
  template <class X>
  void operator()(X&& x) {
    ++counts[std::forward<X>(x)];
  }
};

template <class Hash>
struct count_by_value_action {
  partitioner<Hash> part;
  template <class Ref, bool Parallel>
  static constexpr bool accepts() {
    constexpr bool ok = hashable_key<std::remove_cvref_t<Ref>, Hash>;
    static_assert(ok, "ln::count_by_value(): the element type has no std::hash; pass a hasher: "
                      "ln::count_by_value(ln::partitioner{0, hasher})");
    return ok;
  }
  template <class Ref>
  auto make() const {
    using T = std::remove_cvref_t<Ref>;
    using map_hash = key_hasher_t<T, Hash>;
    if constexpr (std::is_same_v<map_hash, std::hash<T>>) {
      return count_by_value_sink<T, Hash>{};
    } else {
      return count_by_value_sink<T, Hash>{std::unordered_map<T, std::size_t, map_hash>(0, part.template hash_for<T>())};
    }
  }
  template <class Acc>
  void merge(Acc& into, Acc&& later) const {
    if (into.counts.empty()) {
      into.counts = std::move(later.counts);
      return;
    }
    for (auto& [x, n] : later.counts) into.counts[x] += n;
  }
  template <class Acc>
  auto finish(Acc&& acc) const {
    return std::move(acc.counts);
  }
};

}  // namespace detail

struct count_by_value_fn : usable_bare<count_by_value_fn> {
  template <execution_policy Policy = seq_t>
  auto operator()(Policy policy = {}) const {
    return detail::make_action(detail::count_by_value_action<std_hash>{}, policy);
  }
  template <class Hash, execution_policy Policy = seq_t>
  auto operator()(partitioner<Hash> part, Policy policy = {}) const {
    return detail::make_action(detail::count_by_value_action<Hash>{std::move(part)}, policy);
  }
};
inline constexpr count_by_value_fn count_by_value{};

}  // namespace lineage
