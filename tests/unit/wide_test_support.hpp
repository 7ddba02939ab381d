#pragma once
// Helpers of the wide-operator tests (wide_ops_test.cpp, join_test.cpp, join_family_test.cpp,
// wide_parallel_test.cpp):
// seeded keyed inputs for the shapes that stress a shuffle (empty, one key, all-distinct keys,
// heavy skew), hashers that make every key collide, independent oracles' canonical forms, and
// a readable first-difference report. Header only; the .cpp files are globbed into one binary.
#include <catch2/catch.hpp>
#include <lineage/lineage.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace wide_test {

namespace ln = lineage;

using kv = std::pair<int, int>;

// The input shapes every wide operator is run on.
enum class shape { empty, one_key, all_distinct, skewed, random };
inline constexpr shape all_shapes[] = {shape::empty, shape::one_key, shape::all_distinct, shape::skewed, shape::random};

inline std::string name_of(shape s) {
  switch (s) {
    case shape::empty: return "empty";
    case shape::one_key: return "one key";
    case shape::all_distinct: return "all-distinct keys";
    case shape::skewed: return "skewed (one key holds 90%)";
    case shape::random: return "random keys";
  }
  return "?";
}

// n pairs with keys in [lo, hi) (so duplicates when n > hi - lo) and int values: the two sides
// of the join tests.
inline std::vector<kv> key_range_side(std::size_t n, int lo, int hi, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> key(lo, hi - 1);
  std::uniform_int_distribution<int> value(-1000, 1000);
  std::vector<kv> out;
  for (std::size_t i = 0; i < n; ++i) {
    const int k = key(gen);  // one statement each: argument evaluation order is unspecified
    out.emplace_back(k, value(gen));
  }
  return out;
}

// The same with string values that do not fit a small-string buffer.
inline std::vector<std::pair<int, std::string>> key_range_string_side(std::size_t n, int lo, int hi, std::uint32_t seed) {
  std::vector<std::pair<int, std::string>> out;
  for (const auto& [k, v] : key_range_side(n, lo, hi, seed)) out.emplace_back(k, "value-on-the-heap-" + std::to_string(v));
  return out;
}

// n (key, value) pairs of the given shape; values are small random ints (sums fit an int).
inline std::vector<kv> keyed(shape s, std::size_t n, std::uint32_t seed) {
  if (s == shape::empty) return {};
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> value(-1000, 1000);
  std::uniform_int_distribution<int> key(0, static_cast<int>(std::max<std::size_t>(n / 8, 1)));
  std::uniform_int_distribution<int> percent(0, 99);
  std::vector<kv> out;
  out.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    int k = 0;
    switch (s) {
      case shape::one_key: k = 42; break;
      case shape::all_distinct: k = static_cast<int>(n - i) * 3 - 7; break;  // distinct, not sorted
      case shape::skewed: k = percent(gen) < 90 ? 7 : key(gen) + 100; break;
      default: k = key(gen); break;
    }
    out.emplace_back(k, value(gen));
  }
  if (s == shape::all_distinct) std::shuffle(out.begin(), out.end(), gen);
  return out;
}

// Every key hashes to the same value: all keys collide in every table and every partition.
struct const_hasher {
  template <class K>
  std::size_t operator()(const K&) const noexcept {
    return 12345;
  }
};

// ---- readable values, for failure messages (Catch2 v2 prints pairs as {?}) -------------------
inline std::string show(int x) { return std::to_string(x); }
inline std::string show(long x) { return std::to_string(x); }
inline std::string show(long long x) { return std::to_string(x); }
inline std::string show(std::size_t x) { return std::to_string(x); }
inline std::string show(const std::string& s) { return '"' + s + '"'; }
template <class T>
std::string show(const std::optional<T>& o);
template <class A, class B>
std::string show(const std::pair<A, B>& p);
template <class T>
std::string show(const std::vector<T>& v);
template <class... T>
std::string show(const std::tuple<T...>& t);

template <class T>
std::string show(const std::optional<T>& o) {
  return o ? show(*o) : std::string("nullopt");
}
template <class A, class B>
std::string show(const std::pair<A, B>& p) {
  return "(" + show(p.first) + ", " + show(p.second) + ")";
}
template <class T>
std::string show(const std::vector<T>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size() && i < 8; ++i) out += (i ? ", " : "") + show(v[i]);
  if (v.size() > 8) out += ", ... (" + std::to_string(v.size()) + ")";
  return out + "]";
}
template <class... T>
std::string show(const std::tuple<T...>& t) {
  std::string out = "<";
  std::apply([&](const auto&... x) { ((out += show(x) + ";"), ...); }, t);
  return out + ">";
}

// "" when got == expected element by element, else where they first differ.
template <class T>
std::string first_difference(const std::vector<T>& got, const std::vector<T>& expected) {
  for (std::size_t i = 0; i < got.size() && i < expected.size(); ++i) {
    if (!(got[i] == expected[i])) {
      return "at " + std::to_string(i) + ": got " + show(got[i]) + ", expected " + show(expected[i]);
    }
  }
  if (got.size() != expected.size()) {
    return "size " + std::to_string(got.size()) + ", expected " + std::to_string(expected.size());
  }
  return "";
}

// Output order of hash-based operators is unspecified: compare them as sorted vectors.
template <class T>
std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

template <class K, class V>
std::vector<std::pair<K, V>> to_vector(const std::map<K, V>& m) {
  return {m.begin(), m.end()};
}

// The CHECK every comparison uses: prints the first difference instead of two huge vectors.
#define WIDE_CHECK_SAME(got, expected)                        \
  do {                                                        \
    const std::string wide_diff_ = ::wide_test::first_difference((got), (expected)); \
    INFO(wide_diff_);                                         \
    CHECK(wide_diff_.empty());                                \
  } while (false)

// ---- oracles -----------------------------------------------------------------------------------
template <class K, class V, class Op>
std::vector<std::pair<K, V>> oracle_reduce_by_key(const std::vector<std::pair<K, V>>& in, Op op) {
  std::map<K, V> acc;
  for (const auto& [k, v] : in) {
    auto it = acc.find(k);
    if (it == acc.end()) {
      acc.emplace(k, v);
    } else {
      it->second = op(it->second, v);
    }
  }
  return to_vector(acc);
}

template <class K, class V>
std::vector<std::pair<K, std::vector<V>>> oracle_group_by_key(const std::vector<std::pair<K, V>>& in) {
  std::map<K, std::vector<V>> groups;
  for (const auto& [k, v] : in) groups[k].push_back(v);
  return to_vector(groups);
}

template <class K, class V>
std::vector<std::pair<K, std::size_t>> oracle_count_by_key(const std::vector<std::pair<K, V>>& in) {
  std::map<K, std::size_t> counts;
  for (const auto& kv_ : in) ++counts[kv_.first];
  return to_vector(counts);
}

// Inner join by nested loops: for each left element in order, each matching right one in order.
template <class K, class V, class W>
std::vector<std::pair<K, std::pair<V, W>>> oracle_join(const std::vector<std::pair<K, V>>& left,
                                                       const std::vector<std::pair<K, W>>& right) {
  std::vector<std::pair<K, std::pair<V, W>>> out;
  for (const auto& [k, v] : left) {
    for (const auto& [k2, w] : right) {
      if (k == k2) out.push_back({k, {v, w}});
    }
  }
  return out;
}

template <class K, class V, class W>
std::vector<std::pair<K, std::pair<V, std::optional<W>>>> oracle_left_join(const std::vector<std::pair<K, V>>& left,
                                                                           const std::vector<std::pair<K, W>>& right) {
  std::vector<std::pair<K, std::pair<V, std::optional<W>>>> out;
  for (const auto& [k, v] : left) {
    bool matched = false;
    for (const auto& [k2, w] : right) {
      if (k == k2) {
        out.push_back({k, {v, std::optional<W>(w)}});
        matched = true;
      }
    }
    if (!matched) out.push_back({k, {v, std::nullopt}});
  }
  return out;
}

// The canonical form of a count_by_key result.
template <class K>
std::vector<std::pair<K, std::size_t>> sorted_counts(const std::unordered_map<K, std::size_t>& m) {
  return sorted(std::vector<std::pair<K, std::size_t>>(m.begin(), m.end()));
}

// Calls fn(description, source) with `data` as a borrowed lvalue vector (one partition), an
// owned rvalue vector, and ln::parallelize(data, 5) (five partitions even under ln::seq, so the
// read side of every shuffle merges several map-side combiners).
template <class T, class Fn>
void for_each_source(const std::vector<T>& data, Fn&& fn) {
  const std::vector<T> lvalue = data;
  fn(std::string("lvalue vector"), lvalue);
  fn(std::string("rvalue vector"), std::vector<T>(data));
  fn(std::string("parallelize(v, 5)"), ln::parallelize(data, 5));
}

// Calls fn(description, policy) for ln::seq, ln::par and ln::par(3).
template <class Fn>
void for_each_policy(Fn&& fn) {
  fn(std::string("seq"), ln::seq);
  fn(std::string("par"), ln::par);
  fn(std::string("par(3)"), ln::par(3));
}

}  // namespace wide_test
