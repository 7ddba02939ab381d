// SPDX-License-Identifier: Apache-2.0
#pragma once
// Join kinds (exec/join_kind.hpp) for the set operators on the one hash join
// (exec/hash_join.hpp): subtract_by_key, subtract and intersection. subtract and intersection
// see each element x as the key of a pair (x, unit) (ops/set_family.hpp), so their output is
// the key alone; the right side's values are units, nothing is kept of them but their count.
#include <span>
#include <utility>
#include <vector>

namespace lineage::detail {

// The value of a key that stands alone (an element seen as a key, a right side whose values
// do not matter).
struct unit {
  friend constexpr bool operator==(unit, unit) noexcept { return true; }
  template <class Archive>
  void serialize(Archive&) {}
};

// Spark's subtractByKey: each left pair (k, v) whose key no right pair has, duplicates kept,
// in left order within a partition.
struct subtract_by_key_kind {
  static constexpr bool emits_right_only = false;
  template <class K, class V, class W>
  using output = std::pair<K, V>;

  template <class K, class V, class W, class Hasher>
  struct emitter {
    std::vector<output<K, V, W>>& rows;
    emitter(std::vector<output<K, V, W>>& r, const Hasher&) : rows(r) {}
    template <class Vx>
    void matched(const K&, Vx&&, const std::span<W>&) {}
    template <class Vx>
    void left_only(const K& k, Vx&& v) {
      rows.emplace_back(k, std::forward<Vx>(v));
    }
    void right_only(const K&, std::span<W>) {}
  };
};

// Spark's subtract: each left element (the key) that the right side does not hold, duplicates kept.
struct subtract_kind {
  static constexpr bool emits_right_only = false;
  template <class K, class V, class W>
  using output = K;

  template <class K, class V, class W, class Hasher>
  struct emitter {
    std::vector<K>& rows;
    emitter(std::vector<K>& r, const Hasher&) : rows(r) {}
    template <class Vx>
    void matched(const K&, Vx&&, const std::span<W>&) {}
    template <class Vx>
    void left_only(const K& k, Vx&&) {
      rows.push_back(k);
    }
    void right_only(const K&, std::span<W>) {}
  };
};

// Spark's intersection: each element both sides hold, once. The first left element of a key
// that matches emits it and empties the key's right values, so that later ones match nothing.
struct intersection_kind {
  static constexpr bool emits_right_only = false;
  template <class K, class V, class W>
  using output = K;

  template <class K, class V, class W, class Hasher>
  struct emitter {
    std::vector<K>& rows;
    emitter(std::vector<K>& r, const Hasher&) : rows(r) {}
    template <class Vx>
    void matched(const K& k, Vx&&, std::span<W>& ws) {
      if (ws.empty()) return;
      rows.push_back(k);
      ws = {};
    }
    template <class Vx>
    void left_only(const K&, Vx&&) {}
    void right_only(const K&, std::span<W>) {}
  };
};

}  // namespace lineage::detail
