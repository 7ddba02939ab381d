// The join family (ln::join, left_join, right_join, full_join, cogroup: one core,
// exec/hash_join.hpp, and a join kind each, exec/join_kind.hpp) against nested loops written
// here from Spark's definitions, on seeded random data: duplicate keys on both sides, keys on
// one side only, empty sides, one key, heavy skew; one partition and many; every partitioning
// argument (none, ln::partitioner{n}, a plain count, a hasher that makes all keys collide);
// ln::seq and ln::par; and on simulated ranks (equal to ln::seq on 1, 2 and 3 ranks). Output
// order across keys is unspecified: rows are compared as sorted vectors (cogroup's value
// vectors sorted too).
#include "../support/simulated_ranks.hpp"
#include "wide_test_support.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

using namespace wide_test;
using kw = std::pair<int, std::string>;
using left_row = std::pair<int, std::pair<std::optional<int>, std::string>>;
using full_row = std::pair<int, std::pair<std::optional<int>, std::optional<std::string>>>;
using cogroup_row = std::pair<int, std::pair<std::vector<int>, std::vector<std::string>>>;

// ---- inputs -----------------------------------------------------------------------------------
struct family_case {
  std::string name;
  std::vector<kv> left;
  std::vector<kw> right;
};

std::vector<family_case> family_cases() {
  std::vector<family_case> cases;
  cases.push_back({"overlapping keys, duplicates on both sides", key_range_side(400, 0, 50, 101), key_range_string_side(300, 25, 75, 102)});
  cases.push_back({"empty left", {}, key_range_string_side(40, 0, 10, 103)});
  cases.push_back({"empty right", key_range_side(40, 0, 10, 104), {}});
  cases.push_back({"both empty", {}, {}});
  cases.push_back({"no common key", key_range_side(80, 0, 40, 105), key_range_string_side(80, 40, 80, 106)});
  cases.push_back({"one key on both sides (25 x 15)", key_range_side(25, 3, 4, 107), key_range_string_side(15, 3, 4, 108)});
  {
    // One key holds 90 % of the rows on both sides; the rest are on one side or both.
    auto left = key_range_side(120, 100, 160, 109);
    auto right = key_range_string_side(80, 130, 190, 110);
    for (std::size_t i = 0; i < left.size(); ++i) {
      if (i % 10 != 0) left[i].first = 7;
    }
    for (std::size_t i = 0; i < right.size(); ++i) {
      if (i % 10 != 4) right[i].first = 7;
    }
    cases.push_back({"skewed (one key holds 90% on both sides)", std::move(left), std::move(right)});
  }
  return cases;
}

// ---- oracles: nested loops, from the definitions ---------------------------------------------
bool has_key(const std::vector<kv>& side, int k) {
  return std::any_of(side.begin(), side.end(), [k](const kv& x) { return x.first == k; });
}
bool has_key(const std::vector<kw>& side, int k) {
  return std::any_of(side.begin(), side.end(), [k](const kw& x) { return x.first == k; });
}

std::vector<std::pair<int, std::pair<int, std::string>>> inner_oracle(const std::vector<kv>& l, const std::vector<kw>& r) {
  std::vector<std::pair<int, std::pair<int, std::string>>> out;
  for (const auto& [k, v] : l) {
    for (const auto& [k2, w] : r) {
      if (k == k2) out.push_back({k, {v, w}});
    }
  }
  return out;
}

std::vector<std::pair<int, std::pair<int, std::optional<std::string>>>> left_oracle(const std::vector<kv>& l,
                                                                                    const std::vector<kw>& r) {
  std::vector<std::pair<int, std::pair<int, std::optional<std::string>>>> out;
  for (const auto& [k, v] : l) {
    bool matched = false;
    for (const auto& [k2, w] : r) {
      if (k == k2) {
        out.push_back({k, {v, w}});
        matched = true;
      }
    }
    if (!matched) out.push_back({k, {v, std::nullopt}});
  }
  return out;
}

std::vector<left_row> right_oracle(const std::vector<kv>& l, const std::vector<kw>& r) {
  std::vector<left_row> out;
  for (const auto& [k, w] : r) {
    bool matched = false;
    for (const auto& [k2, v] : l) {
      if (k == k2) {
        out.push_back({k, {v, w}});
        matched = true;
      }
    }
    if (!matched) out.push_back({k, {std::nullopt, w}});
  }
  return out;
}

std::vector<full_row> full_oracle(const std::vector<kv>& l, const std::vector<kw>& r) {
  std::vector<full_row> out;
  for (const auto& [k, v] : l) {
    for (const auto& [k2, w] : r) {
      if (k == k2) out.push_back({k, {v, w}});
    }
    if (!has_key(r, k)) out.push_back({k, {v, std::nullopt}});
  }
  for (const auto& [k, w] : r) {
    if (!has_key(l, k)) out.push_back({k, {std::nullopt, w}});
  }
  return out;
}

std::vector<cogroup_row> cogroup_oracle(const std::vector<kv>& l, const std::vector<kw>& r) {
  std::set<int> keys;
  for (const auto& x : l) keys.insert(x.first);
  for (const auto& x : r) keys.insert(x.first);
  std::vector<cogroup_row> out;
  for (const int k : keys) {
    cogroup_row row{k, {}};
    for (const auto& [k2, v] : l) {
      if (k2 == k) row.second.first.push_back(v);
    }
    for (const auto& [k2, w] : r) {
      if (k2 == k) row.second.second.push_back(w);
    }
    out.push_back(std::move(row));
  }
  return out;
}

// cogroup's rows with each value vector sorted, then the rows sorted: a canonical form.
std::vector<cogroup_row> canonical(std::vector<cogroup_row> rows) {
  for (auto& [k, vw] : rows) {
    std::sort(vw.first.begin(), vw.first.end());
    std::sort(vw.second.begin(), vw.second.end());
  }
  return sorted(std::move(rows));
}
template <class T>
std::vector<T> canonical(std::vector<T> rows) {
  return sorted(std::move(rows));
}

// Calls fn(description, left) with `left` as one partition and as four.
template <class Fn>
void for_each_left(const std::vector<kv>& left, Fn&& fn) {
  fn(std::string("lvalue vector (one partition)"), left);
  fn(std::string("parallelize(left, 4)"), ln::parallelize(left, 4));
}

// The operator `op` (ln::join, ...) with every partitioning argument, under ln::seq and, if
// asked, ln::par, on every case, equals `oracle` (canonical forms).
template <class Op, class Oracle>
void check_kind(const Op& op, const Oracle& oracle, bool parallel) {
  for (const auto& c : family_cases()) {
    const auto expected = canonical(oracle(c.left, c.right));
    for_each_left(c.left, [&](const std::string& left_source, auto&& left) {
      INFO(c.name << "; left: " << left_source);
      if (parallel) {
        WIDE_CHECK_SAME(canonical(left | op(ln::parallelize(c.right, 3)) | ln::collect(ln::par)), expected);
        WIDE_CHECK_SAME(canonical(left | op(c.right, 6) | ln::collect(ln::par(2))), expected);
        return;
      }
      WIDE_CHECK_SAME(canonical(left | op(c.right) | ln::collect()), expected);
      WIDE_CHECK_SAME(canonical(left | op(ln::parallelize(c.right, 3)) | ln::collect()), expected);
      WIDE_CHECK_SAME(canonical(left | op(c.right, ln::partitioner{7}) | ln::collect()), expected);
      WIDE_CHECK_SAME(canonical(left | op(c.right, 5) | ln::collect()), expected);
      WIDE_CHECK_SAME(canonical(left | op(c.right, 1) | ln::collect()), expected);
      WIDE_CHECK_SAME(canonical(left | op(c.right, ln::partitioner{3, const_hasher{}}) | ln::collect()), expected);
      // A right side that is a pipeline with its own stage.
      WIDE_CHECK_SAME(canonical(left | op(ln::parallelize(c.right, 2) | ln::map([](const kw& x) { return x; })) |
                                ln::collect()),
                      expected);
    });
  }
}

// build(policy) builds the pipeline and runs the action: once with ln::seq, once on 1, 2 and 3
// simulated ranks, each rank building its own pipeline; every rank must get ln::seq's result.
template <class Build>
void check_on_ranks(const std::string& what, const Build& build) {
  const auto expected = build(ln::seq);
  for (const std::size_t ranks : {std::size_t{1}, std::size_t{2}, std::size_t{3}}) {
    const auto got = lineage_test::run_on_ranks(ranks, [&](lineage_test::ranks_policy p) { return build(p); });
    for (std::size_t r = 0; r < ranks; ++r) {
      INFO(what << " on " << ranks << " ranks, rank " << r);
      CHECK(got[r] == expected);
    }
  }
}

template <class Op>
void check_kind_on_ranks(const std::string& name, const Op& op) {
  for (const auto& c : family_cases()) {
    check_on_ranks(name + ", " + c.name, [&](auto p) {
      return ln::parallelize(c.left, 5) | op(ln::parallelize(c.right, 3)) | ln::collect(p);
    });
    check_on_ranks(name + " (2 partitions), " + c.name,
                   [&](auto p) { return c.left | op(c.right, 2) | ln::collect(p); });
  }
}

const auto inner_join_op = [](auto&&... a) { return ln::join(std::forward<decltype(a)>(a)...); };
const auto left_join_op = [](auto&&... a) { return ln::left_join(std::forward<decltype(a)>(a)...); };
const auto right_join_op = [](auto&&... a) { return ln::right_join(std::forward<decltype(a)>(a)...); };
const auto full_join_op = [](auto&&... a) { return ln::full_join(std::forward<decltype(a)>(a)...); };
const auto cogroup_op = [](auto&&... a) { return ln::cogroup(std::forward<decltype(a)>(a)...); };

}  // namespace

TEST_CASE("join family: join equals nested loops", "[join]") { check_kind(inner_join_op, inner_oracle, false); }
TEST_CASE("join family: left_join equals nested loops", "[join]") { check_kind(left_join_op, left_oracle, false); }
TEST_CASE("join family: right_join equals nested loops", "[join]") { check_kind(right_join_op, right_oracle, false); }
TEST_CASE("join family: full_join equals nested loops", "[join]") { check_kind(full_join_op, full_oracle, false); }
TEST_CASE("join family: cogroup equals nested loops", "[join]") { check_kind(cogroup_op, cogroup_oracle, false); }

TEST_CASE("join family: every kind under ln::par", "[join][par]") {
  check_kind(inner_join_op, inner_oracle, true);
  check_kind(left_join_op, left_oracle, true);
  check_kind(right_join_op, right_oracle, true);
  check_kind(full_join_op, full_oracle, true);
  check_kind(cogroup_op, cogroup_oracle, true);
}

TEST_CASE("join family: element types as DESIGN §2 names them", "[join]") {
  using L = std::vector<kv>;
  using R = std::vector<kw>;
  static_assert(std::is_same_v<ln::element_t<decltype(L{} | ln::join(R{}))>, std::pair<int, std::pair<int, std::string>>>);
  static_assert(std::is_same_v<ln::element_t<decltype(L{} | ln::left_join(R{}))>,
                               std::pair<int, std::pair<int, std::optional<std::string>>>>);
  static_assert(std::is_same_v<ln::element_t<decltype(L{} | ln::right_join(R{}))>, left_row>);
  static_assert(std::is_same_v<ln::element_t<decltype(L{} | ln::full_join(R{}))>, full_row>);
  static_assert(std::is_same_v<ln::element_t<decltype(L{} | ln::cogroup(R{}))>, cogroup_row>);
  SUCCEED();
}

TEST_CASE("join family: each operator is named in explain, the plan and the signature", "[join]") {
  const std::vector<kv> left = key_range_side(20, 0, 5, 121);
  const std::vector<kw> right = key_range_string_side(20, 0, 5, 122);
  const auto contains = [](const std::string& text, const std::string& word) { return text.find(word) != std::string::npos; };
  CHECK(contains(ln::explain(left | ln::join(right)), "shuffle <- join with {"));
  CHECK(contains(ln::explain(left | ln::left_join(right)), "shuffle <- left_join with {"));
  CHECK(contains(ln::explain(left | ln::right_join(right)), "shuffle <- right_join with {"));
  CHECK(contains(ln::explain(left | ln::full_join(right)), "shuffle <- full_join with {"));
  CHECK(contains(ln::explain(left | ln::cogroup(right)), "shuffle <- cogroup with {"));
  static_assert(ln::plan::ops_v<decltype(left | ln::right_join(right))>[0].name == "right_join");
  static_assert(ln::plan::ops_v<decltype(left | ln::full_join(right))>[0].name == "full_join");
  static_assert(ln::plan::ops_v<decltype(left | ln::cogroup(right))>[0].name == "cogroup");
  // The checkpoint signature covers the operator's name: after a map to one element type, the
  // five lineages differ only in the join operator.
  const auto key_only = [](const auto& row) { return row.first; };
  const auto sign = [](const auto& p) { return ln::plan::lineage_signature<std::decay_t<decltype(p)>>("v1", 0); };
  const std::set<std::uint64_t> signatures{
      sign(left | ln::join(right) | ln::map(key_only)), sign(left | ln::left_join(right) | ln::map(key_only)),
      sign(left | ln::right_join(right) | ln::map(key_only)), sign(left | ln::full_join(right) | ln::map(key_only)),
      sign(left | ln::cogroup(right) | ln::map(key_only))};
  CHECK(signatures.size() == 5);
}

TEST_CASE("join family: full_join and cogroup keep every element of both sides once", "[join]") {
  const auto left = key_range_side(300, 0, 60, 131);
  const auto right = key_range_string_side(200, 30, 90, 132);
  const auto cogrouped = ln::parallelize(left, 3) | ln::cogroup(right) | ln::collect();
  std::multiset<kv> lefts;
  std::multiset<kw> rights;
  std::set<int> keys;
  for (const auto& [k, vw] : cogrouped) {
    CHECK(keys.insert(k).second);  // one row per key
    CHECK((vw.first.size() + vw.second.size()) > 0);
    for (const int v : vw.first) lefts.insert({k, v});
    for (const auto& w : vw.second) rights.insert({k, w});
  }
  CHECK(lefts == std::multiset<kv>(left.begin(), left.end()));
  CHECK(rights == std::multiset<kw>(right.begin(), right.end()));
  // full_join: the number of rows = matching pairs + unmatched elements of either side.
  std::size_t unmatched = 0;
  for (const auto& x : left) unmatched += has_key(right, x.first) ? 0 : 1;
  for (const auto& x : right) unmatched += has_key(left, x.first) ? 0 : 1;
  CHECK((left | ln::full_join(right) | ln::count()) == inner_oracle(left, right).size() + unmatched);
}

TEST_CASE("join family: each operator on simulated ranks equals ln::seq", "[join][ranks]") {
  check_kind_on_ranks("join", inner_join_op);
  check_kind_on_ranks("left_join", left_join_op);
  check_kind_on_ranks("right_join", right_join_op);
  check_kind_on_ranks("full_join", full_join_op);
  check_kind_on_ranks("cogroup", cogroup_op);
}
