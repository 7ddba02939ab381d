// union_all, subtract, subtract_by_key, intersection and cartesian (several inputs) against
// hand loops written here from Spark's definitions, on seeded random data of every shape
// (empty, one key, all distinct, skewed, random), one partition and many, ln::seq and ln::par;
// inside a checkpointed lineage whose signature covers both inputs; in ln::explain.
#include "checkpoint_test_support.hpp"
#include "test_support.hpp"
#include "wide_test_support.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace ln = lineage;
using wide_test::kv;
using wide_test::shape;
using wide_test::sorted;

// ---- oracles ----------------------------------------------------------------------------------
template <class T>
std::vector<T> concat(std::vector<T> a, const std::vector<T>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

template <class T>
std::vector<T> subtract_oracle(const std::vector<T>& a, const std::vector<T>& b) {
  std::vector<T> out;
  for (const auto& x : a) {
    if (std::find(b.begin(), b.end(), x) == b.end()) out.push_back(x);
  }
  return out;
}

std::vector<kv> subtract_by_key_oracle(const std::vector<kv>& a, const std::vector<kv>& b) {
  std::vector<kv> out;
  for (const auto& x : a) {
    bool found = false;
    for (const auto& y : b) found = found || y.first == x.first;
    if (!found) out.push_back(x);
  }
  return out;
}

template <class T>
std::vector<T> intersection_oracle(const std::vector<T>& a, const std::vector<T>& b) {
  std::vector<T> out;
  for (const auto& x : a) {
    const bool in_b = std::find(b.begin(), b.end(), x) != b.end();
    const bool seen = std::find(out.begin(), out.end(), x) != out.end();
    if (in_b && !seen) out.push_back(x);
  }
  return out;
}

template <class T, class U>
std::vector<std::pair<T, U>> cartesian_oracle(const std::vector<T>& a, const std::vector<U>& b) {
  std::vector<std::pair<T, U>> out;
  for (const auto& x : a) {
    for (const auto& y : b) out.emplace_back(x, y);
  }
  return out;
}

// Two keyed inputs of a shape, overlapping in part.
struct inputs {
  std::string name;
  std::vector<kv> left;
  std::vector<kv> right;
};

std::vector<inputs> all_inputs() {
  std::vector<inputs> out;
  for (const shape s : wide_test::all_shapes) {
    for (const std::size_t n : {std::size_t{1}, std::size_t{60}, std::size_t{700}}) {
      auto left = wide_test::keyed(s, n, 2100 + static_cast<std::uint32_t>(n));
      auto right = wide_test::keyed(s, n / 2 + 3, 2200 + static_cast<std::uint32_t>(n));
      // Values in a small range, so that whole pairs repeat and match across sides.
      for (auto& x : left) x.second = lineage_test::mod(x.second, 4);
      for (auto& x : right) x.second = lineage_test::mod(x.second, 4);
      out.push_back({wide_test::name_of(s) + ", n = " + std::to_string(n), std::move(left), std::move(right)});
    }
  }
  out.push_back({"empty right", wide_test::keyed(shape::random, 50, 2301), {}});
  out.push_back({"empty left", {}, wide_test::keyed(shape::random, 50, 2302)});
  return out;
}

// fn(description, left source) for the left as one partition (a vector) and as five.
template <class Fn>
void for_each_left(const std::vector<kv>& left, const Fn& fn) {
  fn("vector", [&] { return ln::as_pipeline(left); });
  fn("parallelize(left, 5)", [&] { return ln::parallelize(left, 5); });
}

const auto keys_of = [](const std::vector<kv>& v) {
  std::vector<int> out;
  for (const auto& x : v) out.push_back(x.first);
  return out;
};

}  // namespace

TEST_CASE("union_all: the left's elements then the right's, partitions concatenated", "[set_ops][par]") {
  for (const auto& c : all_inputs()) {
    INFO(c.name);
    const auto expected = concat(c.left, c.right);
    WIDE_CHECK_SAME(c.left | ln::union_all(c.right) | ln::collect(), expected);
    WIDE_CHECK_SAME(ln::parallelize(c.left, 3) | ln::union_all(ln::parallelize(c.right, 4)) | ln::collect(), expected);
    WIDE_CHECK_SAME(ln::parallelize(c.left, 3) | ln::union_all(ln::parallelize(c.right, 4)) | ln::collect(ln::par), expected);
    // Narrow operators after the union fuse into it; a wide one before a side runs first.
    const auto twice = [](const kv& x) { return kv{x.first, 2 * x.second}; };
    std::vector<kv> mapped;
    for (const auto& x : expected) mapped.push_back(twice(x));
    WIDE_CHECK_SAME(ln::parallelize(c.left, 2) | ln::union_all(c.right) | ln::map(twice) | ln::collect(ln::par(3)), mapped);
    WIDE_CHECK_SAME(sorted(c.left | ln::union_all(c.right | ln::reduce_by_key(std::plus<>())) | ln::collect()),
                    sorted(concat(c.left, wide_test::oracle_reduce_by_key(c.right, std::plus<>()))));
    // Three inputs at once.
    WIDE_CHECK_SAME(c.left | ln::union_all(c.right, ln::parallelize(c.left, 2)) | ln::collect(ln::par),
                    concat(expected, c.left));
    // The partition count is the sum of the inputs'.
    const auto cp = ln::parallelize(c.left, 3) | ln::union_all(ln::parallelize(c.right, 4), c.right) | ln::local_checkpoint();
    CHECK(cp.partitions() == 3 + 4 + 1);
  }
}

TEST_CASE("subtract: the left's elements the right does not hold, duplicates kept", "[set_ops][par]") {
  for (const auto& c : all_inputs()) {
    INFO(c.name);
    const auto expected = sorted(subtract_oracle(c.left, c.right));  // whole pairs: composite elements
    for_each_left(c.left, [&](const std::string& src, const auto& left) {
      INFO(src);
      WIDE_CHECK_SAME(sorted(left() | ln::subtract(c.right) | ln::collect()), expected);
      WIDE_CHECK_SAME(sorted(left() | ln::subtract(ln::parallelize(c.right, 3), 7) | ln::collect(ln::par)), expected);
      WIDE_CHECK_SAME(sorted(left() | ln::subtract(c.right, ln::partitioner{3, wide_test::const_hasher{}}) | ln::collect()),
                      expected);
      const auto lk = keys_of(c.left);
      const auto rk = keys_of(c.right);
      WIDE_CHECK_SAME(sorted(left() | ln::keys() | ln::subtract(rk) | ln::collect()), sorted(subtract_oracle(lk, rk)));
    });
  }
}

TEST_CASE("subtract_by_key: the left's pairs whose key the right does not have", "[set_ops][par]") {
  for (const auto& c : all_inputs()) {
    INFO(c.name);
    const auto expected = sorted(subtract_by_key_oracle(c.left, c.right));
    std::vector<std::pair<int, std::string>> right_strings;
    for (const auto& [k, v] : c.right) right_strings.emplace_back(k, "value " + std::to_string(v));
    for_each_left(c.left, [&](const std::string& src, const auto& left) {
      INFO(src);
      WIDE_CHECK_SAME(sorted(left() | ln::subtract_by_key(c.right) | ln::collect()), expected);
      WIDE_CHECK_SAME(sorted(left() | ln::subtract_by_key(right_strings, 4) | ln::collect(ln::par)), expected);
      WIDE_CHECK_SAME(sorted(left() | ln::subtract_by_key(ln::parallelize(c.right, 6), ln::partitioner{1}) | ln::collect()),
                      expected);
    });
  }
}

TEST_CASE("intersection: each element both sides hold, once", "[set_ops][par]") {
  for (const auto& c : all_inputs()) {
    INFO(c.name);
    const auto expected = sorted(intersection_oracle(c.left, c.right));
    for_each_left(c.left, [&](const std::string& src, const auto& left) {
      INFO(src);
      WIDE_CHECK_SAME(sorted(left() | ln::intersection(c.right) | ln::collect()), expected);
      WIDE_CHECK_SAME(sorted(left() | ln::intersection(ln::parallelize(c.right, 3)) | ln::collect(ln::par)), expected);
      const auto lk = keys_of(c.left);
      const auto rk = keys_of(c.right);
      WIDE_CHECK_SAME(sorted(left() | ln::keys() | ln::intersection(rk, ln::partitioner{2, wide_test::const_hasher{}}) |
                             ln::collect()),
                      sorted(intersection_oracle(lk, rk)));
    });
  }
}

TEST_CASE("cartesian: every pair, one partition per pair of input partitions", "[set_ops][par]") {
  for (const auto& c : all_inputs()) {
    if (c.left.size() * c.right.size() > 100'000) continue;
    INFO(c.name);
    const auto expected = cartesian_oracle(c.left, keys_of(c.right));
    const auto rk = keys_of(c.right);
    // One partition each: exactly the nested loop, in order.
    WIDE_CHECK_SAME(c.left | ln::cartesian(rk) | ln::collect(), expected);
    WIDE_CHECK_SAME(sorted(ln::parallelize(c.left, 3) | ln::cartesian(ln::parallelize(rk, 2)) | ln::collect()), sorted(expected));
    WIDE_CHECK_SAME(sorted(ln::parallelize(c.left, 3) | ln::cartesian(ln::parallelize(rk, 2)) | ln::collect(ln::par)),
                    sorted(expected));
    const auto cp = ln::parallelize(c.left, 3) | ln::cartesian(ln::parallelize(rk, 2)) | ln::local_checkpoint(ln::par);
    CHECK(cp.partitions() == 6);
    // Partition (i, j) = left partition i x right partition j, in that order.
    const auto lp = ln::parallelize(c.left, 3) | ln::local_checkpoint();
    const auto rp = ln::parallelize(rk, 2) | ln::local_checkpoint();
    for (std::size_t i = 0; i < 3; ++i) {
      for (std::size_t j = 0; j < 2; ++j) {
        WIDE_CHECK_SAME(cp.partition_data()[i * 2 + j], cartesian_oracle(lp.partition_data()[i], rp.partition_data()[j]));
      }
    }
  }
  // take stops early.
  const auto big = lineage_test::random_ints(2000, 2401);
  CHECK((big | ln::cartesian(big) | ln::take(5)) == cartesian_oracle(std::vector<int>(big.begin(), big.begin() + 1),
                                                                       std::vector<int>(big.begin(), big.begin() + 5)));
}

TEST_CASE("several-input operators inside a checkpointed lineage: the signature covers both inputs", "[set_ops][par]") {
  ckpt_test::scratch_dir dir;
  const auto left = wide_test::keyed(shape::random, 300, 2501);
  const auto right_a = wide_test::keyed(shape::random, 200, 2502);
  // Another right side: a part of the first, so that every result differs.
  const std::vector<kv> right_b(right_a.begin(), right_a.begin() + 25);
  const auto run = [&](const std::string& sub, const auto& build) {
    const auto at = (dir / sub).string();
    const auto first = build(right_a) | ln::checkpoint(at, ckpt_test::fast());
    CHECK(sorted(first | ln::collect()) == sorted(build(right_a) | ln::collect()));
    // The same lineage with another right side: the signature differs, so it is recomputed.
    const auto second = build(right_b) | ln::checkpoint(at, ckpt_test::fast(), ln::par);
    CHECK(sorted(second | ln::collect()) == sorted(build(right_b) | ln::collect()));
    CHECK(sorted(second | ln::collect()) != sorted(first | ln::collect()));
  };
  run("union", [&](const std::vector<kv>& r) { return ln::parallelize(left, 3) | ln::union_all(r); });
  run("subtract", [&](const std::vector<kv>& r) { return ln::parallelize(left, 3) | ln::keys() | ln::subtract(keys_of(r)); });
  run("subtract_by_key", [&](const std::vector<kv>& r) { return left | ln::subtract_by_key(r); });
  run("intersection", [&](const std::vector<kv>& r) { return left | ln::keys() | ln::intersection(keys_of(r)); });
  run("cartesian", [&](const std::vector<kv>& r) {
    return std::vector<int>{1, 2, 3} | ln::cartesian(std::vector<kv>(r.end() - 20, r.end()));
  });
}

TEST_CASE("several-input operators in explain, the plan and the signature", "[set_ops]") {
  const std::vector<kv> left = wide_test::keyed(shape::random, 20, 2601);
  const std::vector<kv> right = wide_test::keyed(shape::random, 20, 2602);
  const auto contains = [](const std::string& text, const std::string& word) { return text.find(word) != std::string::npos; };
  const auto reduced = ln::parallelize(right, 2) | ln::reduce_by_key(std::plus<>());
  const auto u = left | ln::union_all(reduced) | ln::map_values([](int v) { return v + 1; });
  INFO(ln::explain(u));
  CHECK(contains(ln::explain(u), "union_all of { previous stage } and { stage 1: parallelize"));
  CHECK(contains(ln::explain(u), "shuffle <- reduce_by_key }"));
  CHECK(contains(ln::explain(u), "-> map_values"));
  CHECK(contains(ln::explain(left | ln::subtract(right)), "shuffle <- subtract with {"));
  CHECK(contains(ln::explain(left | ln::subtract_by_key(right)), "shuffle <- subtract_by_key with {"));
  CHECK(contains(ln::explain(left | ln::intersection(right)), "shuffle <- intersection with {"));
  CHECK(contains(ln::explain(left | ln::cartesian(right)), "shuffle <- cartesian with {"));
  static_assert(ln::plan::ops_v<decltype(left | ln::union_all(right))>[0].name == "union_all");
  static_assert(ln::plan::ops_v<decltype(left | ln::intersection(right))>[0].name == "intersection");
  static_assert(ln::stage_count_v<decltype(u)> == 4);
  const auto sign = [](const auto& p) { return ln::plan::lineage_signature<std::decay_t<decltype(p)>>("v1", 0); };
  const std::set<std::uint64_t> signatures{sign(left | ln::subtract(right)), sign(left | ln::intersection(right)),
                                           sign(left | ln::subtract_by_key(right)), sign(left | ln::union_all(right)),
                                           sign(left | ln::union_all(right | ln::map_values([](int v) { return v; })))};
  CHECK(signatures.size() == 5);
}
