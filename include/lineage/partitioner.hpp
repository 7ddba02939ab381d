// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::partitioner{n, hasher}: how a key-based operator distributes keys over partitions, and
// ln::std_hash, its default hasher (std::hash<Key>). Every key-based operator takes one (or a
// plain partition count); the shuffle (exec/shuffle.hpp) routes each key with it.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <concepts>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <utility>

namespace lineage {

// The default hasher of every key-based operator: std::hash<Key>, and for std::pair and
// std::tuple keys (not hashable by std::hash) a combination of their members' default hashes,
// so that composite keys work without a user hasher (ln::default_hash<Key>).
struct std_hash {};

template <class Key>
struct default_hash;

namespace detail {

template <class T>
concept std_hashable = requires(const T& x) {
  { std::hash<T>{}(x) } -> std::convertible_to<std::size_t>;
};

template <class T>
struct composite_key : std::false_type {};
template <class A, class B>
struct composite_key<std::pair<A, B>> : std::true_type {};
template <class... Ts>
struct composite_key<std::tuple<Ts...>> : std::true_type {};

template <class T>
constexpr bool default_hashable() {
  if constexpr (std_hashable<T>) {
    return true;
  } else if constexpr (composite_key<T>::value) {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return (default_hashable<std::remove_cvref_t<std::tuple_element_t<I, T>>>() && ...);
    }(std::make_index_sequence<std::tuple_size_v<T>>{});
  } else {
    return false;
  }
}

}  // namespace detail

template <class Key>
struct default_hash {
  std::size_t operator()(const Key& k) const
    requires(detail::default_hashable<Key>())
  {
    if constexpr (detail::std_hashable<Key>) {
      return std::hash<Key>{}(k);
    } else {
      // boost::hash_combine's mixing, member by member, in order.
      return std::apply(
          [](const auto&... member) {
            std::size_t h = 0;
            ((h ^= default_hash<std::remove_cvref_t<decltype(member)>>{}(member) + 0x9e3779b97f4a7c15ULL + (h << 6) +
                   (h >> 2)),
             ...);
            return h;
          },
          k);
    }
  }
};

namespace detail {

// The hasher of keys without a user hasher. std::hash<Key> itself where it exists, not a
// wrapper: libstdc++'s unordered_map caches the hash code of every node unless the hasher is
// one it knows to be fast (std::hash of integers), and the cache costs the join of integer keys
// ~20 %.
template <class Key>
struct default_hasher {
  using type = default_hash<Key>;
};
template <std_hashable Key>
struct default_hasher<Key> {
  using type = std::hash<Key>;
};

}  // namespace detail

// How a wide operator distributes keys: `partitions` downstream partitions (0: as many as the
// upstream stage has), key k going to partition mix(hash(k)) % partitions. Deterministic for
// a given hasher; std::hash of strings and integers is deterministic within one standard library.
// `ln::partitioner{n}` takes any integer n (a negative one throws std::invalid_argument).
template <class Hash = std_hash>
struct partitioner {
  using hasher_type = Hash;
  std::size_t partitions = 0;
  Hash hash{};

  constexpr partitioner() = default;
  template <std::integral N>
    requires(!std::is_same_v<N, bool>)
  constexpr partitioner(N n, Hash h = {}) : partitions(checked_count(n)), hash(std::move(h)) {}

  // The hasher for keys of type Key: std::hash<Key> where it exists, ln::default_hash<Key> for
  // the other pair and tuple keys, or the user's.
  template <class Key>
  auto hash_for() const {
    if constexpr (std::is_same_v<Hash, std_hash>) {
      return typename detail::default_hasher<Key>::type{};
    } else {
      return hash;
    }
  }

 private:
  template <class N>
  static constexpr std::size_t checked_count(N n) {
    if constexpr (std::is_signed_v<N>) {
      if (n < 0) throw std::invalid_argument("ln::partitioner: the partition count is negative");
    }
    return static_cast<std::size_t>(n);
  }
};
partitioner()->partitioner<std_hash>;
template <std::integral N>
partitioner(N) -> partitioner<std_hash>;
template <std::integral N, class Hash>
partitioner(N, Hash) -> partitioner<Hash>;

namespace detail {

template <class T>
struct is_partitioner : std::false_type {};
template <class Hash>
struct is_partitioner<partitioner<Hash>> : std::true_type {};

template <class>
inline constexpr bool never = false;

}  // namespace detail

// What a key-based operator takes for its partitioning: an ln::partitioner, or a plain
// partition count (Spark's `reduceByKey(f, 10)`), which means ln::partitioner{count}.
template <class A>
constexpr auto as_partitioner(A arg) {
  if constexpr (detail::is_partitioner<A>::value) {
    return arg;
  } else if constexpr (std::integral<A> && !std::is_same_v<A, bool>) {
    return partitioner<std_hash>(arg);
  } else if constexpr (requires { make_backend(arg); }) {
    static_assert(detail::never<A>,
                  "ln: the policy belongs to actions: an execution policy (ln::seq, ln::par) is not an argument of "
                  "a transformation; write `p | ln::reduce_by_key(op) | ln::collect(ln::par)`");
    return partitioner<std_hash>{};
  } else {
    static_assert(detail::never<A>,
                  "ln: expected a partitioning: ln::partitioner{n [, hasher]} or a partition count");
    return partitioner<std_hash>{};
  }
}
// The hasher type of the partitioner that argument type A stands for.
template <class A>
using partition_hash_t = typename decltype(as_partitioner(std::declval<A>()))::hasher_type;

namespace detail {

template <class Key, class Hash>
using key_hasher_t = std::conditional_t<std::is_same_v<Hash, std_hash>, typename default_hasher<Key>::type, Hash>;

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
