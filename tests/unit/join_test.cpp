// ln::join and ln::left_join against nested loops (the SQL definition: every matching pair of
// a left and a right element, and for a left join each unmatched left element once with
// std::nullopt) on seeded random data: keys missing on either side, duplicate keys on both
// sides (the full cross product per key), empty sides, one key, all-distinct keys, heavy
// skew, every key colliding under the hasher, and right sides that are ranges or pipelines
// (with their own shuffle). Output order is unspecified: compared as sorted vectors.
#include "wide_test_support.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace wide_test;
using kw = std::pair<int, std::string>;

struct join_case {
  std::string name;
  std::vector<kv> left;
  std::vector<kw> right;
};

// Left keys and right keys overlap in part: some keys only left, some only right, and most
// keys repeat on both sides.
std::vector<join_case> join_cases() {
  std::vector<join_case> cases;
  cases.push_back({"overlapping keys, duplicates on both sides", key_range_side(500, 0, 60, 1), key_range_string_side(400, 30, 90, 2)});
  cases.push_back({"empty left", {}, key_range_string_side(50, 0, 10, 3)});
  cases.push_back({"empty right", key_range_side(50, 0, 10, 4), {}});
  cases.push_back({"both empty", {}, {}});
  cases.push_back({"one key on both sides (30 x 20)", key_range_side(30, 5, 6, 5), key_range_string_side(20, 5, 6, 6)});
  cases.push_back({"no common key", key_range_side(100, 0, 50, 7), key_range_string_side(100, 50, 100, 8)});
  {
    // All-distinct keys on each side, half of them shared.
    std::vector<kv> left;
    std::vector<kw> right;
    for (int k = 0; k < 300; ++k) left.emplace_back(k * 7 % 300, k);
    for (int k = 150; k < 450; ++k) right.emplace_back(k, "r" + std::to_string(k));
    std::mt19937 gen(9);
    std::shuffle(right.begin(), right.end(), gen);
    cases.push_back({"all-distinct keys", std::move(left), std::move(right)});
  }
  {
    // One key holds 90 % of the rows on both sides.
    std::vector<kv> left = key_range_side(100, 100, 200, 10);
    std::vector<kw> right = key_range_string_side(60, 100, 200, 11);
    for (std::size_t i = 0; i < left.size(); ++i) {
      if (i % 10 != 0) left[i].first = 7;
    }
    for (std::size_t i = 0; i < right.size(); ++i) {
      if (i % 10 != 3) right[i].first = 7;
    }
    cases.push_back({"skewed (one key holds 90% on both sides)", std::move(left), std::move(right)});
  }
  return cases;
}

// Calls fn(description, right) with `right` as each kind of right side.
template <class Fn>
void for_each_right(const std::vector<kw>& right, Fn&& fn) {
  fn(std::string("lvalue vector"), right);
  fn(std::string("rvalue vector"), std::vector<kw>(right));
  fn(std::string("parallelize(right, 3)"), ln::parallelize(right, 3));
  fn(std::string("pipeline parallelize(right, 2) | map"),
     ln::parallelize(right, 2) | ln::map([](const kw& x) { return x; }));
}

// Calls fn(description, left) with `left` as a one-partition and a four-partition source.
template <class Fn>
void for_each_left(const std::vector<kv>& left, Fn&& fn) {
  fn(std::string("lvalue vector"), left);
  fn(std::string("parallelize(left, 4)"), ln::parallelize(left, 4));
}

// Orders by key only, stably: what remains of the output order that joins define per key.
template <class T>
std::vector<T> stable_by_key(std::vector<T> v) {
  std::stable_sort(v.begin(), v.end(), [](const T& a, const T& b) { return a.first < b.first; });
  return v;
}

}  // namespace

TEST_CASE("join: equals nested loops, the cross product per key", "[wide][join]") {
  for (const auto& c : join_cases()) {
    const auto expected = sorted(oracle_join(c.left, c.right));
    for_each_left(c.left, [&](const std::string& left_source, auto&& left) {
      for_each_right(c.right, [&](const std::string& right_source, auto&& right) {
        INFO(c.name << "; left: " << left_source << "; right: " << right_source);
        WIDE_CHECK_SAME(sorted(left | ln::join(right) | ln::collect()), expected);
      });
      INFO(c.name << "; left: " << left_source << "; right: lvalue vector, explicit partitioners");
      WIDE_CHECK_SAME(sorted(left | ln::join(c.right, ln::partitioner{7}) | ln::collect()), expected);
      WIDE_CHECK_SAME(sorted(left | ln::join(c.right, ln::partitioner{0, const_hasher{}}) | ln::collect()), expected);
      WIDE_CHECK_SAME(sorted(left | ln::join(c.right, ln::partitioner{5, const_hasher{}}) | ln::collect()), expected);
    });
  }
}

TEST_CASE("join: sizes of the cross product", "[wide][join]") {
  // 30 left and 20 right elements of one key: 600 pairs, every (v, w) once.
  const auto left = key_range_side(30, 5, 6, 21);
  const auto right = key_range_string_side(20, 5, 6, 22);
  const auto got = left | ln::join(right) | ln::collect();
  REQUIRE(got.size() == 600);
  std::multiset<std::pair<int, std::string>> pairs;
  for (const auto& [k, vw] : got) {
    CHECK(k == 5);
    pairs.insert(vw);
  }
  std::multiset<std::pair<int, std::string>> expected;
  for (const auto& l : left) {
    for (const auto& r : right) expected.insert({l.second, r.second});
  }
  CHECK(pairs == expected);
  CHECK((left | ln::join(std::vector<kw>{}) | ln::count()) == 0);
  CHECK((std::vector<kv>{} | ln::join(right) | ln::count()) == 0);
}

TEST_CASE("join: within a key, left values in order and right values in order for each", "[wide][join]") {
  // exec/hash_join.hpp promises this order per key (the order across keys is unspecified).
  for (const auto& c : join_cases()) {
    const auto expected = stable_by_key(oracle_join(c.left, c.right));
    for_each_left(c.left, [&](const std::string& left_source, auto&& left) {
      INFO(c.name << "; left: " << left_source);
      WIDE_CHECK_SAME(stable_by_key(left | ln::join(ln::parallelize(c.right, 3)) | ln::collect()), expected);
      WIDE_CHECK_SAME(stable_by_key(left | ln::join(c.right, ln::partitioner{2, const_hasher{}}) | ln::collect()), expected);
    });
  }
}

TEST_CASE("left_join: equals nested loops, std::nullopt for unmatched left elements", "[wide][left_join]") {
  for (const auto& c : join_cases()) {
    const auto expected = sorted(oracle_left_join(c.left, c.right));
    for_each_left(c.left, [&](const std::string& left_source, auto&& left) {
      for_each_right(c.right, [&](const std::string& right_source, auto&& right) {
        INFO(c.name << "; left: " << left_source << "; right: " << right_source);
        WIDE_CHECK_SAME(sorted(left | ln::left_join(right) | ln::collect()), expected);
      });
      INFO(c.name << "; left: " << left_source << "; right: lvalue vector, explicit partitioners");
      WIDE_CHECK_SAME(sorted(left | ln::left_join(c.right, ln::partitioner{7}) | ln::collect()), expected);
      WIDE_CHECK_SAME(sorted(left | ln::left_join(c.right, ln::partitioner{0, const_hasher{}}) | ln::collect()), expected);
      WIDE_CHECK_SAME(sorted(left | ln::left_join(c.right, ln::partitioner{5, const_hasher{}}) | ln::collect()), expected);
    });
  }
}

TEST_CASE("left_join: every left element appears, unmatched ones exactly once", "[wide][left_join]") {
  const auto left = key_range_side(400, 0, 80, 31);
  const auto right = key_range_string_side(100, 40, 120, 32);
  std::set<int> right_keys;
  for (const auto& r : right) right_keys.insert(r.first);
  const auto got = left | ln::left_join(right) | ln::collect();
  std::multiset<kv> unmatched;
  std::size_t matched_rows = 0;
  for (const auto& [k, vw] : got) {
    if (vw.second) {
      CHECK(right_keys.count(k) == 1);
      ++matched_rows;
    } else {
      CHECK(right_keys.count(k) == 0);
      unmatched.insert({k, vw.first});
    }
  }
  std::multiset<kv> expected_unmatched;
  for (const auto& l : left) {
    if (right_keys.count(l.first) == 0) expected_unmatched.insert(l);
  }
  CHECK(unmatched == expected_unmatched);
  CHECK(matched_rows == oracle_join(left, right).size());
  // An empty right side keeps every left element, each with std::nullopt.
  const auto alone = left | ln::left_join(std::vector<kw>{}) | ln::collect();
  REQUIRE(alone.size() == left.size());
  for (const auto& [k, vw] : alone) CHECK_FALSE(vw.second.has_value());
}

TEST_CASE("join: a right side with its own shuffle, and joins chained with other wide ops", "[wide][join]") {
  const auto left = key_range_side(600, 0, 50, 41);
  const auto right = key_range_side(800, 25, 75, 42);
  const auto plus = [](int a, int b) { return a + b; };
  const auto right_sums = oracle_reduce_by_key(right, plus);

  WIDE_CHECK_SAME(sorted(left | ln::join(right | ln::reduce_by_key(plus)) | ln::collect()),
                  sorted(oracle_join(left, right_sums)));
  WIDE_CHECK_SAME(sorted(ln::parallelize(left, 3) | ln::left_join(ln::parallelize(right, 5) | ln::reduce_by_key(plus)) |
                         ln::collect()),
                  sorted(oracle_left_join(left, right_sums)));

  // join -> map -> reduce_by_key -> join: four shuffles.
  std::vector<kv> products;
  for (const auto& [k, vw] : oracle_join(left, right_sums)) products.emplace_back(k, vw.first * vw.second % 1000);
  const auto per_key = oracle_reduce_by_key(products, plus);
  const auto expected = sorted(oracle_join(per_key, left));
  const auto got = left | ln::join(right | ln::reduce_by_key(plus)) |
                   ln::map([](const std::pair<int, std::pair<int, int>>& x) {
                     return kv(x.first, x.second.first * x.second.second % 1000);
                   }) |
                   ln::reduce_by_key(plus) | ln::join(left) | ln::collect();
  WIDE_CHECK_SAME(sorted(got), expected);
}

TEST_CASE("join: string keys and values moved through both shuffles", "[wide][join]") {
  std::vector<std::pair<std::string, std::string>> left;
  std::vector<std::pair<std::string, std::string>> right;
  for (const auto& [k, v] : key_range_side(700, 0, 40, 51)) {
    left.emplace_back("key-long-enough-for-the-heap-" + std::to_string(k), "left-" + std::to_string(v));
  }
  for (const auto& [k, v] : key_range_side(500, 20, 60, 52)) {
    right.emplace_back("key-long-enough-for-the-heap-" + std::to_string(k), "right-" + std::to_string(v));
  }
  const auto copy = [](const std::pair<std::string, std::string>& x) { return x; };  // pushes prvalues
  WIDE_CHECK_SAME(sorted(ln::parallelize(left, 3) | ln::map(copy) | ln::join(ln::parallelize(right, 2) | ln::map(copy)) |
                         ln::collect()),
                  sorted(oracle_join(left, right)));
  WIDE_CHECK_SAME(sorted(left | ln::map(copy) | ln::left_join(right | ln::map(copy), ln::partitioner{4}) | ln::collect()),
                  sorted(oracle_left_join(left, right)));
}

// A source that is not random-access (std::map, std::list) is never split, on either side.
TEST_CASE("join: sides that are not random-access ranges (std::map, std::list)", "[wide][join]") {
  const auto left = key_range_side(300, 0, 40, 61);
  std::map<int, std::string> right;
  for (const auto& [k, v] : key_range_string_side(200, 20, 60, 62)) right.emplace(k, v);
  const std::vector<kw> right_vector(right.begin(), right.end());
  const std::list<kv> left_list(left.begin(), left.end());
  WIDE_CHECK_SAME(sorted(left_list | ln::join(right) | ln::collect()), sorted(oracle_join(left, right_vector)));
  WIDE_CHECK_SAME(sorted(left_list | ln::join(right) | ln::collect(ln::par)), sorted(oracle_join(left, right_vector)));
  WIDE_CHECK_SAME(sorted(left | ln::left_join(right) | ln::collect()), sorted(oracle_left_join(left, right_vector)));
  CHECK((right | ln::group_by_key() | ln::count()) == right.size());
}
