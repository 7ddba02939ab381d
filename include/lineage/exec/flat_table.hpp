// SPDX-License-Identifier: Apache-2.0
#pragma once
// flat_table<K, V, Hash>: the hash table under the combiner (combine_by_key), distinct, the
// counting actions and the join's build side. Open addressing, kept small on purpose:
//
// - The (key, value) entries live in one std::vector, in order of insertion; the table proper
//   is a power-of-two array of 8-byte slots {entry index + 1, 32-bit hash tag}, probed
//   linearly, at most 3/4 full. Keeping the entries in a vector (not in the slots) means no
//   hand-managed object lifetimes: std::string keys or move-only values are constructed and
//   destroyed by the vector alone, so there is no uninitialized-slot UB to get wrong.
// - Growing rehashes the slots from their tags alone: the hasher is never called again and
//   the entries never move for it; a rehash cannot throw once its slot array is allocated.
// - Insertion order is iteration order: distinct keeps first appearances, the join emits
//   right-only keys in order of first appearance, and the combiner's output can be moved out
//   as a whole (take_entries) without walking nodes.
// - Strong guarantee for insertions: the slot array grows before anything else changes, the
//   entry is constructed by vector::emplace_back (strong where the entry's move is noexcept
//   or it is copyable), and only then does a slot point at it. An exception from the hasher,
//   ==, a key's or value's constructor leaves the table as it was.
// There is no erase: none of the operators needs one.
//
// Lookups may use another key type Q (e.g. std::string_view for std::string keys) when the
// hasher accepts it, hashes it as the equal K, and K == Q compiles.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <tuple>
#include <utility>
#include <vector>

namespace lineage::detail {

// The value type of a table used as a set.
struct no_value {};

template <class K, class V, class Hash>
class flat_table {
 public:
  using entry = std::pair<K, V>;

  flat_table() = default;
  explicit flat_table(Hash hash) : hash_(std::move(hash)) {}

  std::size_t size() const noexcept { return entries_.size(); }
  bool empty() const noexcept { return entries_.empty(); }
  // Slots in the probing array (0 before the first insertion): for tests of the growth policy.
  std::size_t slot_count() const noexcept { return slots_.size(); }

  // The entries in order of insertion. The keys must not be changed through these.
  const std::vector<entry>& entries() const noexcept { return entries_; }
  auto begin() noexcept { return entries_.begin(); }
  auto end() noexcept { return entries_.end(); }
  auto begin() const noexcept { return entries_.begin(); }
  auto end() const noexcept { return entries_.end(); }

  // Room for n entries without growing.
  void reserve(std::size_t n) {
    if (n > max_entries) throw std::length_error("lineage: flat_table: more than 2^32 - 2 entries");
    entries_.reserve(n);
    const std::size_t wanted = slots_for(n);
    if (wanted > slots_.size()) rehash(wanted);
  }

  template <class Q>
  entry* find(const Q& key) {
    if (slots_.empty()) return nullptr;
    const auto [pos, found] = probe(key, tag_of(hash_(key)));
    return found ? &entries_[slots_[pos].index - 1] : nullptr;
  }
  template <class Q>
  const entry* find(const Q& key) const {
    return const_cast<flat_table*>(this)->find(key);
  }
  // The position of an entry in entries(), or npos.
  static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
  template <class Q>
  std::size_t index_of(const Q& key) const {
    const entry* e = find(key);
    return e == nullptr ? npos : static_cast<std::size_t>(e - entries_.data());
  }

  // The key's entry, inserted as (key, V(args...)) if absent; true if inserted.
  template <class Q, class... Args>
  std::pair<entry*, bool> try_emplace(Q&& key, Args&&... args) {
    return find_or_insert(std::forward<Q>(key), [&]() -> decltype(auto) {
      return std::forward_as_tuple(std::forward<Args>(args)...);
    });
  }
  // The key's entry, inserted as (key, make()) if absent: make is called only for a new key.
  template <class Q, class Make>
  std::pair<entry*, bool> find_or_make(Q&& key, Make&& make) {
    return find_or_insert(std::forward<Q>(key), [&] { return std::tuple<V>(std::forward<Make>(make)()); });
  }

  // Lends the entries out (moved, in order of insertion) and keeps the slots: the batch output
  // of update_state_by_key shares its state this way instead of copying it. Until
  // return_entries gives the same entries back, the table may only be cleared or destroyed.
  std::vector<entry> lend_entries() noexcept {
    lent_ = entries_.size();
    return std::move(entries_);
  }
  // The lent entries back (unchanged, in the same order: copies of them will do).
  void return_entries(std::vector<entry> entries) {
    if (entries.size() != lent_ || !entries_.empty()) {
      throw std::logic_error("lineage: flat_table: return_entries without the entries lent_entries lent");
    }
    entries_ = std::move(entries);
    lent_ = 0;
  }

  // All entries, in order of insertion; the table is left empty.
  std::vector<entry> take_entries() && {
    std::vector<entry> out = std::move(entries_);
    clear();
    return out;
  }
  void clear() noexcept {
    entries_.clear();
    std::vector<slot>().swap(slots_);
    shift_ = 32;
    lent_ = 0;
  }

 private:
  struct slot {
    std::uint32_t index = 0;  // entry index + 1; 0: empty
    std::uint32_t tag = 0;
  };
  struct probe_result {
    std::size_t pos;
    bool found;
  };
  static constexpr std::size_t max_entries = std::numeric_limits<std::uint32_t>::max() - 1;
  static constexpr std::size_t max_slots = std::size_t{1} << 31;

  // 32 well-mixed bits of the user's hash (std::hash of an integer is the integer): fold the
  // high half in, multiply by 2^64 / phi, keep the top half. The slot is the tag's top bits.
  static std::uint32_t tag_of(std::size_t h) noexcept {
    std::uint64_t x = h;
    x ^= x >> 32;
    return static_cast<std::uint32_t>((x * 0x9E3779B97F4A7C15ULL) >> 32);
  }
  std::size_t home_of(std::uint32_t tag) const noexcept { return static_cast<std::size_t>(tag >> shift_); }

  // The fewest power-of-two slots (at least 16) that hold n entries at most 3/4 full.
  static std::size_t slots_for(std::size_t n) {
    std::size_t s = 16;
    while (s / 4 * 3 < n) {
      if (s >= max_slots) throw std::length_error("lineage: flat_table: too many entries");
      s *= 2;
    }
    return s;
  }

  template <class Q>
  probe_result probe(const Q& key, std::uint32_t tag) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t pos = home_of(tag);; pos = (pos + 1) & mask) {
      const slot s = slots_[pos];
      if (s.index == 0) return {pos, false};
      if (s.tag == tag && entries_[s.index - 1].first == key) return {pos, true};
    }
  }

  // Replaces the slot array by one of `count` slots. Only the allocation can throw.
  void rehash(std::size_t count) {
    std::vector<slot> grown(count);
    unsigned shift = 32;
    for (std::size_t c = count; c > 1; c >>= 1) --shift;
    const std::size_t mask = count - 1;
    for (const slot s : slots_) {
      if (s.index == 0) continue;
      std::size_t pos = static_cast<std::size_t>(s.tag >> shift);
      while (grown[pos].index != 0) pos = (pos + 1) & mask;
      grown[pos] = s;
    }
    slots_.swap(grown);
    shift_ = shift;
  }

  // value_args() gives the tuple of arguments of the new value's constructor. The lookup is
  // kept small enough to inline into the caller's loop and the insertion is out of line: with
  // no call and well-predicted branches on the hot path, the CPU overlaps the cache misses of
  // consecutive elements (measured: count_by_value 1.3x faster than with one function).
  template <class Q, class ValueArgs>
  std::pair<entry*, bool> find_or_insert(Q&& key, ValueArgs&& value_args) {
    const std::uint32_t tag = tag_of(hash_(std::as_const(key)));
    if (!slots_.empty()) [[likely]] {
      const probe_result at = probe(std::as_const(key), tag);
      if (at.found) [[likely]] return {&entries_[slots_[at.pos].index - 1], false};
      return insert(std::forward<Q>(key), value_args, tag, at.pos);
    }
    return insert(std::forward<Q>(key), value_args, tag, 0);
  }

  // Inserts the absent key, whose free slot is `pos` if the slot array is not empty.
  template <class Q, class ValueArgs>
  [[gnu::noinline]] std::pair<entry*, bool> insert(Q&& key, ValueArgs& value_args, std::uint32_t tag, std::size_t pos) {
    probe_result at{pos, false};
    const std::size_t n = entries_.size();
    if (n >= max_entries) throw std::length_error("lineage: flat_table: more than 2^32 - 2 entries");
    if (slots_.empty() || n + 1 > slots_.size() / 4 * 3) {
      rehash(slots_for(n + 1));
      at = probe(std::as_const(key), tag);  // the key is absent: finds the free slot
    }
    entries_.emplace_back(std::piecewise_construct, std::forward_as_tuple(std::forward<Q>(key)), value_args());
    slots_[at.pos] = slot{static_cast<std::uint32_t>(n + 1), tag};
    return {&entries_.back(), true};
  }

  std::vector<entry> entries_;
  std::vector<slot> slots_;
  unsigned shift_ = 32;  // 32 - log2(slots_.size())
  std::size_t lent_ = 0;  // how many entries lend_entries lent
  [[no_unique_address]] Hash hash_{};
};

}  // namespace lineage::detail
