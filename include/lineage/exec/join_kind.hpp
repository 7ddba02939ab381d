// SPDX-License-Identifier: Apache-2.0
#pragma once
// The join kinds (Spark's join, leftOuterJoin, rightOuterJoin, fullOuterJoin, cogroup) as small
// policies of the one hash join (exec/hash_join.hpp). The core hands a kind, per partition, each
// left element with the right values of its key (or none), then each right-only key's values;
// the kind decides what to emit and how to wrap the values. A key's right values come as a
// std::span<W> into the core's table, one per key for the whole partition: an emitter may move
// from it or empty it (the next left element of the key then sees what is left).
//   pairwise_join_kind<KeepLeftOnly, KeepRightOnly>: one row per matching (v, w), and, when
//     asked, one row per unmatched element of a side, the missing side std::nullopt (a side
//     that may be missing is wrapped in std::optional);
//   cogroup_kind: one row per key present on either side, (k, (all v, all w)).
#include <cstddef>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "flat_table.hpp"

namespace lineage::detail {

template <bool KeepLeftOnly, bool KeepRightOnly>
struct pairwise_join_kind {
  // Whether the core must find the right keys no left element matched (costs a flag per key).
  static constexpr bool emits_right_only = KeepRightOnly;

  template <class V>
  using left_t = std::conditional_t<KeepRightOnly, std::optional<V>, V>;
  template <class W>
  using right_t = std::conditional_t<KeepLeftOnly, std::optional<W>, W>;
  template <class K, class V, class W>
  using output = std::pair<K, std::pair<left_t<V>, right_t<W>>>;

  // Per output partition: writes its rows into `rows`. Hasher: the partitioner's key hasher
  // (unused here, taken so that every kind's emitter is made the same way).
  template <class K, class V, class W, class Hasher>
  struct emitter {
    std::vector<output<K, V, W>>& rows;
    emitter(std::vector<output<K, V, W>>& r, const Hasher&) : rows(r) {}

    template <class Vx>
    void matched(const K& k, Vx&& v, const std::span<W>& ws) {
      for (const auto& w : ws) rows.emplace_back(k, std::pair<left_t<V>, right_t<W>>(v, w));
    }
    template <class Vx>
    void left_only(const K& k, Vx&& v) {
      if constexpr (KeepLeftOnly) rows.emplace_back(k, std::pair<left_t<V>, right_t<W>>(std::forward<Vx>(v), std::nullopt));
    }
    void right_only(const K& k, std::span<W> ws) {
      if constexpr (KeepRightOnly) {
        for (auto& w : ws) rows.emplace_back(k, std::pair<left_t<V>, right_t<W>>(std::nullopt, std::move(w)));
      }
    }
  };
};

using inner_join_kind = pairwise_join_kind<false, false>;
using left_outer_join_kind = pairwise_join_kind<true, false>;
using right_outer_join_kind = pairwise_join_kind<false, true>;
using full_outer_join_kind = pairwise_join_kind<true, true>;

struct cogroup_kind {
  static constexpr bool emits_right_only = true;

  template <class K, class V, class W>
  using output = std::pair<K, std::pair<std::vector<V>, std::vector<W>>>;

  // Rows in order of each key's first left element, then right-only keys; values in input order.
  template <class K, class V, class W, class Hasher>
  struct emitter {
    std::vector<output<K, V, W>>& rows;
    flat_table<K, std::size_t, Hasher> row_of;  // key -> its row, for keys seen on the left

    emitter(std::vector<output<K, V, W>>& r, const Hasher& h) : rows(r), row_of(h) {}

    static std::vector<W> moved(std::span<W> ws) {
      return std::vector<W>(std::make_move_iterator(ws.begin()), std::make_move_iterator(ws.end()));
    }
    template <class Vx>
    void matched(const K& k, Vx&& v, std::span<W>& ws) {
      const auto [at, inserted] = row_of.try_emplace(k, rows.size());
      // The right values move into the key's row once; the core marks the key matched.
      if (inserted) rows.emplace_back(k, std::pair<std::vector<V>, std::vector<W>>({}, moved(ws)));
      rows[at->second].second.first.push_back(std::forward<Vx>(v));
    }
    template <class Vx>
    void left_only(const K& k, Vx&& v) {
      const auto [at, inserted] = row_of.try_emplace(k, rows.size());
      if (inserted) rows.emplace_back(k, std::pair<std::vector<V>, std::vector<W>>());
      rows[at->second].second.first.push_back(std::forward<Vx>(v));
    }
    void right_only(const K& k, std::span<W> ws) {
      rows.emplace_back(k, std::pair<std::vector<V>, std::vector<W>>({}, moved(ws)));
    }
  };
};

}  // namespace lineage::detail
