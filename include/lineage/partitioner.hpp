#pragma once
// ln::partitioner{n, hasher}: how a key-based operator distributes keys over partitions, and
// ln::std_hash, its default hasher (std::hash<Key>). Every key-based operator takes one (or a
// plain partition count); the shuffle (exec/shuffle.hpp) routes each key with it.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <type_traits>

namespace lineage {

// Use std::hash<Key> (the default of every key-based operator).
struct std_hash {};

// How a wide operator distributes keys: `partitions` downstream partitions (0: as many as the
// upstream stage has), key k going to partition mix(hash(k)) % partitions. Deterministic for
// a given hasher; std::hash of strings and integers is deterministic within one standard library.
template <class Hash = std_hash>
struct partitioner {
  std::size_t partitions = 0;
  Hash hash{};

  // The hasher for keys of type Key: std::hash<Key>, or the user's.
  template <class Key>
  auto hash_for() const {
    if constexpr (std::is_same_v<Hash, std_hash>) {
      return std::hash<Key>{};
    } else {
      return hash;
    }
  }
};
partitioner()->partitioner<std_hash>;
partitioner(std::size_t)->partitioner<std_hash>;
template <class Hash>
partitioner(std::size_t, Hash) -> partitioner<Hash>;

namespace detail {

template <class Key, class Hash>
using key_hasher_t = std::conditional_t<std::is_same_v<Hash, std_hash>, std::hash<Key>, Hash>;

template <class Key, class Hash>
concept hashable_key = std::is_invocable_r_v<std::size_t, const key_hasher_t<Key, Hash>&, const Key&>;

// std::hash of an integer is the integer itself: mix the bits before taking the modulus, so
// that keys with a common stride still spread over the partitions.
constexpr std::size_t mix_bits(std::uint64_t h) noexcept {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb53a85ebe34fULL;
  h ^= h >> 33;
  return static_cast<std::size_t>(h);
}

template <class Key, class Hash>
struct key_partitioner {
  std::size_t partitions;
  key_hasher_t<Key, Hash> hash;
  std::size_t operator()(const Key& k) const { return partitions == 1 ? 0 : mix_bits(hash(k)) % partitions; }
};

}  // namespace detail
}  // namespace lineage
