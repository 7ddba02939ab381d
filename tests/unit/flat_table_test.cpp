// flat_table (exec/flat_table.hpp), the open-addressing table under the combiner, distinct,
// the counting actions and the join, against std::unordered_map plus a vector of first
// appearances as the oracle: random inserts and lookups, growth, string keys and lookups by
// std::string_view, hashers that make keys collide, move-only values, and exceptions from
// constructors, hashers and combiners leaving the table as it was. Then the operators built on
// it, on the cases the table changes: string keys, values that are not default-constructible.
#include <catch2/catch.hpp>
#include <lineage/exec/flat_table.hpp>
#include <lineage/lineage.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

namespace {

namespace ln = lineage;
using ln::detail::flat_table;

// The oracle: a std::unordered_map, and the keys in order of first insertion.
template <class K, class V>
struct oracle {
  std::unordered_map<K, V> map;
  std::vector<K> order;
  void add(const K& k, const V& v) {
    if (map.try_emplace(k, v).second) order.push_back(k);
  }
};

template <class K, class V, class H>
void check_same(const flat_table<K, V, H>& t, const oracle<K, V>& o) {
  REQUIRE(t.size() == o.map.size());
  REQUIRE(t.entries().size() == o.order.size());
  for (std::size_t i = 0; i < o.order.size(); ++i) {
    REQUIRE(t.entries()[i].first == o.order[i]);
    REQUIRE(t.entries()[i].second == o.map.at(o.order[i]));
    const auto* e = t.find(o.order[i]);
    REQUIRE(e == &t.entries()[i]);
    REQUIRE(t.index_of(o.order[i]) == i);
  }
  // Growth policy: a power of two, at most 3/4 full.
  if (t.slot_count() != 0) {
    CHECK((t.slot_count() & (t.slot_count() - 1)) == 0);
    CHECK(t.size() * 4 <= t.slot_count() * 3);
  }
}

std::string random_word(std::mt19937_64& gen) {
  std::uniform_int_distribution<int> len(0, 24);  // short ones fit the small-string buffer, long ones do not
  std::uniform_int_distribution<int> letter('a', 'e');
  std::string s(static_cast<std::size_t>(len(gen)), 'a');
  for (auto& c : s) c = static_cast<char>(letter(gen));
  return s;
}

struct collide_all {
  std::size_t operator()(int) const noexcept { return 7; }
};
// Keys that differ only in their hash's high bits (a naive slot = hash & mask would collide).
struct high_bits_only {
  std::size_t operator()(int k) const noexcept { return static_cast<std::size_t>(static_cast<std::uint32_t>(k)) << 40; }
};

}  // namespace

TEST_CASE("flat_table: random inserts and lookups equal std::unordered_map's, in order of insertion", "[flat_table]") {
  for (const std::uint64_t seed : {1u, 2u, 3u}) {
    for (const int range : {10, 1000, 100000}) {
      std::mt19937_64 gen(seed);
      std::uniform_int_distribution<int> key(-range, range);
      flat_table<int, long, std::hash<int>> t;
      oracle<int, long> o;
      for (int i = 0; i < 20000; ++i) {
        const int k = key(gen);
        auto [e, inserted] = t.try_emplace(k, 0L);
        e->second += i;
        auto [it, fresh] = o.map.try_emplace(k, 0L);
        if (fresh) o.order.push_back(k);
        it->second += i;
        REQUIRE(inserted == fresh);
      }
      check_same(t, o);
      for (int i = 0; i < 2000; ++i) {
        const int k = key(gen) + 3 * range + 1;  // never inserted
        REQUIRE(t.find(k) == nullptr);
        REQUIRE(t.index_of(k) == t.npos);
      }
    }
  }
}

TEST_CASE("flat_table: growth keeps every entry findable; reserve and clear", "[flat_table]") {
  flat_table<std::uint64_t, std::uint64_t, std::hash<std::uint64_t>> t;
  CHECK(t.slot_count() == 0);
  CHECK(t.find(std::uint64_t{1}) == nullptr);
  oracle<std::uint64_t, std::uint64_t> o;
  std::size_t grows = 0;
  std::size_t last_slots = 0;
  for (std::uint64_t i = 0; i < 70000; ++i) {
    const std::uint64_t k = i * 4096;  // a common stride: the low bits are all zero
    t.try_emplace(k, i);
    o.add(k, i);
    if (t.slot_count() != last_slots) {
      ++grows;
      last_slots = t.slot_count();
      check_same(t, o);
    }
  }
  CHECK(grows > 10);
  check_same(t, o);
  t.clear();
  CHECK(t.empty());
  CHECK(t.find(std::uint64_t{0}) == nullptr);
  t.reserve(1000);
  const auto slots = t.slot_count();
  CHECK(slots * 3 / 4 >= 1000);
  for (std::uint64_t i = 0; i < 1000; ++i) t.try_emplace(i, i);
  CHECK(t.slot_count() == slots);  // reserved: no growth
}

TEST_CASE("flat_table: std::string keys, lookups by std::string_view", "[flat_table]") {
  std::mt19937_64 gen(42);
  flat_table<std::string, int, std::hash<std::string>> t;
  oracle<std::string, int> o;
  for (int i = 0; i < 30000; ++i) {
    std::string w = random_word(gen);
    o.add(w, 0);
    ++o.map[w];
    std::string moved_from = w;
    ++t.try_emplace(std::move(moved_from), 0).first->second;
  }
  check_same(t, o);
  flat_table<std::string, int, std::hash<std::string_view>> by_view;
  for (const auto& [w, n] : t) by_view.try_emplace(w, n);
  for (const auto& [w, n] : o.map) {
    const auto* e = by_view.find(std::string_view(w));
    REQUIRE(e != nullptr);
    REQUIRE(e->second == n);
  }
  CHECK(by_view.find(std::string_view("not a word: has spaces")) == nullptr);
}

TEST_CASE("flat_table: hashers that make keys collide", "[flat_table]") {
  std::mt19937_64 gen(7);
  std::uniform_int_distribution<int> key(0, 3000);
  flat_table<int, int, collide_all> same;
  flat_table<int, int, high_bits_only> high;
  oracle<int, int> o;
  for (int i = 0; i < 5000; ++i) {
    const int k = key(gen);
    same.try_emplace(k, k * 2);
    high.try_emplace(k, k * 2);
    o.add(k, k * 2);
  }
  check_same(same, o);
  check_same(high, o);
  CHECK(same.find(-1) == nullptr);
  CHECK(high.find(-1) == nullptr);
}

TEST_CASE("flat_table: move-only values; find_or_make makes only new keys' values; take_entries", "[flat_table]") {
  flat_table<std::string, std::unique_ptr<int>, std::hash<std::string>> t;
  int made = 0;
  auto make = [&] {
    ++made;
    return std::make_unique<int>(0);
  };
  const std::vector<std::string> words = {"a", "bb", "a", "a long key beyond the small buffer", "bb", "a"};
  std::unordered_map<std::string, int> expected;
  for (const auto& w : words) {
    ++expected[w];
    auto [e, inserted] = t.find_or_make(w, make);
    ++*e->second;
  }
  CHECK(made == 3);
  REQUIRE(t.size() == expected.size());
  auto entries = std::move(t).take_entries();
  CHECK(t.empty());
  CHECK(t.find(std::string("a")) == nullptr);
  REQUIRE(entries.size() == 3);
  CHECK(entries[0].first == "a");
  CHECK(entries[1].first == "bb");
  for (const auto& [w, p] : entries) CHECK(*p == expected.at(w));
  t.try_emplace(std::string("again"), std::make_unique<int>(5));  // usable after take_entries
  CHECK(*t.find(std::string("again"))->second == 5);
}

namespace {

struct boom : std::runtime_error {
  boom() : std::runtime_error("boom") {}
};

// A key whose copy throws when the shared countdown reaches zero (moves never throw).
struct touchy {
  static inline int copies_left = -1;  // negative: never throw
  std::string text;
  explicit touchy(std::string s) : text(std::move(s)) {}
  touchy(const touchy& other) : text(other.text) {
    if (copies_left == 0) throw boom();
    if (copies_left > 0) --copies_left;
  }
  touchy(touchy&&) noexcept = default;
  touchy& operator=(const touchy&) = default;
  touchy& operator=(touchy&&) noexcept = default;
  friend bool operator==(const touchy& a, const touchy& b) { return a.text == b.text; }
};
struct touchy_hash {
  static inline int hashes_left = -1;
  std::size_t operator()(const touchy& t) const {
    if (hashes_left == 0) throw boom();
    if (hashes_left > 0) --hashes_left;
    return std::hash<std::string>{}(t.text);
  }
};

}  // namespace

TEST_CASE("flat_table: an exception from a key's copy, the hasher or the value leaves the table as it was",
          "[flat_table]") {
  flat_table<touchy, int, touchy_hash> t;
  std::vector<std::string> order;
  std::mt19937_64 gen(3);
  int thrown = 0;
  for (int i = 0; i < 3000; ++i) {
    const touchy k(random_word(gen) + std::to_string(i % 700));
    const int failure = i % 3;
    if (i % 5 == 0) {
      touchy::copies_left = failure == 0 ? 0 : -1;
      touchy_hash::hashes_left = failure == 1 ? 0 : -1;
    }
    const bool value_throws = i % 5 == 0 && failure == 2;
    const std::size_t before = t.size();
    const std::size_t slots_before = t.slot_count();
    try {
      t.find_or_make(k, [&] {
        if (value_throws) throw boom();
        return i;
      });
      if (before != t.size()) order.push_back(k.text);
    } catch (const boom&) {
      ++thrown;
      REQUIRE(t.size() == before);
      REQUIRE(t.slot_count() >= slots_before);
    }
    touchy::copies_left = -1;
    touchy_hash::hashes_left = -1;
  }
  CHECK(thrown > 100);
  REQUIRE(t.size() == order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    REQUIRE(t.entries()[i].first.text == order[i]);
    REQUIRE(t.index_of(touchy(order[i])) == i);
  }
}

// ---- the operators on the table ---------------------------------------------------------------

namespace {

// A value type without a default constructor: the join's generic (pointer) grouping path.
struct tagged {
  std::string text;
  explicit tagged(std::string s) : text(std::move(s)) {}
  friend bool operator==(const tagged& a, const tagged& b) { return a.text == b.text; }
  friend bool operator<(const tagged& a, const tagged& b) { return a.text < b.text; }
};

std::vector<std::string> words(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 gen(seed);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(random_word(gen));
  return out;
}

template <class T>
std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("flat_table under reduce_by_key, distinct, count_by_value: string keys equal a hand loop's",
          "[flat_table][combine][par]") {
  const auto input = words(20000, 11);
  std::unordered_map<std::string, int> counts;
  std::vector<std::string> first_seen;
  for (const auto& w : input) {
    if (counts[w]++ == 0) first_seen.push_back(w);
  }
  std::vector<std::pair<std::string, int>> expected(counts.begin(), counts.end());
  auto one = [](const std::string& w) { return std::pair<std::string, int>(w, 1); };
  for (const std::size_t parts : {1u, 3u}) {
    const auto src = ln::parallelize(input, parts);
    CHECK(sorted(src | ln::map(one) | ln::reduce_by_key(std::plus<>{}) | ln::collect()) == sorted(expected));
    CHECK(sorted(src | ln::map(one) | ln::reduce_by_key(std::plus<>{}) | ln::collect(ln::par)) == sorted(expected));
    CHECK(sorted(src | ln::distinct() | ln::collect(ln::par)) == sorted(first_seen));
    const auto by_value = src | ln::count_by_value(ln::par);
    REQUIRE(by_value.size() == counts.size());
    for (const auto& [w, n] : counts) CHECK(by_value.at(w) == static_cast<std::size_t>(n));
  }
  // One partition into one: distinct keeps the order of first appearance.
  CHECK((input | ln::distinct(ln::partitioner{1}) | ln::collect()) == first_seen);
}

TEST_CASE("flat_table under reduce_by_key: an exception from the combiner reaches the caller", "[flat_table][combine]") {
  const auto input = words(5000, 12);
  auto one = [](const std::string& w) { return std::pair<std::string, int>(w, 1); };
  auto throws_late = [](int a, int b) {
    if (a + b > 50) throw boom();
    return a + b;
  };
  CHECK_THROWS_AS(input | ln::map(one) | ln::reduce_by_key(throws_late) | ln::collect(), boom);
  CHECK_THROWS_AS(ln::parallelize(input, 4) | ln::map(one) | ln::reduce_by_key(throws_late) | ln::collect(ln::par), boom);
}

TEST_CASE("flat_table under the join: string keys, values that are not default-constructible", "[flat_table][join][par]") {
  const auto lw = words(3000, 21);
  const auto rw = words(3000, 22);
  std::vector<std::pair<std::string, int>> left;
  std::vector<std::pair<std::string, tagged>> right;
  for (std::size_t i = 0; i < lw.size(); ++i) left.emplace_back(lw[i], static_cast<int>(i));
  for (std::size_t i = 0; i < rw.size(); ++i) right.emplace_back(rw[i], tagged(std::to_string(i)));
  using row = std::pair<std::string, std::pair<int, tagged>>;
  std::vector<row> expected;
  for (const auto& [k, v] : left) {
    for (const auto& [k2, w] : right) {
      if (k == k2) expected.emplace_back(k, std::pair<int, tagged>(v, w));
    }
  }
  auto by = [](const row& a, const row& b) {
    return std::tie(a.first, a.second.first, a.second.second) < std::tie(b.first, b.second.first, b.second.second);
  };
  std::sort(expected.begin(), expected.end(), by);
  for (const std::size_t parts : {1u, 4u}) {
    auto got = ln::parallelize(left, parts) | ln::join(ln::parallelize(right, 3)) | ln::collect(ln::par);
    std::sort(got.begin(), got.end(), by);
    CHECK(got == expected);
  }
  // Per key, the right values keep their input order (exec/hash_join.hpp).
  auto grouped = ln::parallelize(left, 2) | ln::cogroup(ln::parallelize(right, 2)) | ln::collect();
  std::unordered_map<std::string, std::vector<tagged>> right_of;
  for (const auto& [k, w] : right) right_of[k].push_back(w);
  std::unordered_set<std::string> keys;
  for (const auto& [k, vw] : grouped) {
    CHECK(keys.insert(k).second);
    const auto it = right_of.find(k);
    if (it == right_of.end()) {
      CHECK(vw.second.empty());
    } else {
      CHECK(vw.second == it->second);
    }
  }
  for (const auto& [k, w] : right_of) CHECK(keys.count(k) == 1);
}
