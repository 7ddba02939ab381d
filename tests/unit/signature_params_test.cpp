// The value parameters of operators in the lineage signature (core/op_params.hpp): two
// pipelines that differ only in a number (a sample's fraction, a partition count, a fold's
// zero) have different signatures, so a checkpoint of one is never recovered by the other;
// with the same numbers it is.
#include "checkpoint_test_support.hpp"

#include <lineage/plan/signature.hpp>

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace ckpt_test;
using kv = std::pair<int, int>;

template <class P>
std::uint64_t sign(const P& p) {
  return ln::plan::lineage_signature(p, "v1", 0);
}

std::vector<int> numbers() {
  std::vector<int> v;
  for (int i = 0; i < 200; ++i) v.push_back((i * 37) % 101);
  return v;
}
std::vector<kv> pairs() {
  std::vector<kv> v;
  for (int i = 0; i < 200; ++i) v.emplace_back(i % 13, i);
  return v;
}

// make(n) builds a pipeline from the number n: signatures must follow n.
template <class Make>
void check_follows_number(Make make, int a, int b) {
  CHECK(sign(make(a)) == sign(make(a)));
  CHECK(sign(make(a)) != sign(make(b)));
}

}  // namespace

TEST_CASE("an operator's numbers are in the lineage signature", "[checkpoint][signature][params]") {
  const auto v = numbers();
  const auto p = pairs();
  const auto by_mod = [](int x) { return x % 7; };

  SECTION("sample: fraction, seed, with_replacement") {
    check_follows_number([&](int n) { return v | ln::sample(n / 10.0, 1); }, 1, 5);
    check_follows_number([&](int n) { return v | ln::sample(0.5, static_cast<std::uint64_t>(n)); }, 1, 2);
    CHECK(sign(v | ln::sample(0.5, 1)) != sign(v | ln::sample(0.5, 1, ln::with_replacement)));
  }
  SECTION("random_split: weights and seed") {
    const auto split = [&](std::vector<double> w, std::uint64_t seed) { return v | ln::random_split(w, seed); };
    CHECK(sign(split({1, 1}, 3)[0]) == sign(split({1, 1}, 3)[0]));
    CHECK(sign(split({1, 1}, 3)[0]) != sign(split({1, 3}, 3)[0]));
    CHECK(sign(split({1, 1}, 3)[0]) != sign(split({1, 1}, 4)[0]));
    CHECK(sign(split({1, 1}, 3)[0]) != sign(split({1, 1}, 3)[1]));  // another cell of the same split
  }
  SECTION("coalesce, repartition") {
    const auto source = [&] { return ln::parallelize(v, 8); };
    check_follows_number([&](int n) { return source() | ln::coalesce(static_cast<std::size_t>(n)); }, 2, 3);
    check_follows_number([&](int n) { return source() | ln::repartition(static_cast<std::size_t>(n)); }, 2, 3);
  }
  SECTION("sort_by: partition count") {
    check_follows_number([&](int n) { return v | ln::sort_by(by_mod, ln::descending, n); }, 2, 3);
  }
  SECTION("by-key operators: partition count") {
    check_follows_number([&](int n) { return p | ln::partition_by(ln::partitioner{n}); }, 2, 5);
    check_follows_number([&](int n) { return p | ln::reduce_by_key(std::plus<>{}, n); }, 2, 5);
    check_follows_number([&](int n) { return p | ln::group_by_key(n); }, 2, 5);
    check_follows_number([&](int n) { return v | ln::distinct(n); }, 2, 5);
    check_follows_number([&](int n) { return p | ln::join(p, n); }, 2, 5);
    check_follows_number([&](int n) { return p | ln::subtract_by_key(p, ln::partitioner{n}); }, 2, 5);
    check_follows_number(
        [&](int n) { return p | ln::repartition_and_sort_within_partitions(ln::partitioner{n}); }, 2, 5);
    check_follows_number(
        [&](int n) {
          return p | ln::combine_by_key([](int x) { return x; }, std::plus<>{}, std::plus<>{}, ln::partitioner{n});
        },
        2, 5);
  }
  SECTION("zero values: fold_by_key, aggregate_by_key") {
    check_follows_number([&](int n) { return p | ln::fold_by_key(n, std::plus<>{}); }, 0, 1);
    check_follows_number(
        [&](int n) { return p | ln::aggregate_by_key(std::set<int>{n}, [](std::set<int> s, int x) {
                                   s.insert(x);
                                   return s;
                                 }, [](std::set<int> a, const std::set<int>& b) {
                                   a.insert(b.begin(), b.end());
                                   return a;
                                 }); },
        0, 1);
  }
  SECTION("an extra input's numbers count too") {
    check_follows_number([&](int n) { return p | ln::join(p | ln::reduce_by_key(std::plus<>{}, n)); }, 2, 5);
  }
  SECTION("operators without parameters keep the signature of a walk over types") {
    const auto q = v | ln::map([](int x) { return x + 1; }) | ln::filter([](int x) { return x > 3; });
    CHECK(sign(q) == ln::plan::lineage_signature<decltype(q)>("v1", 0));
    // nor do the default partitioner and partition count (checkpoints made before stay valid)
    const auto r = p | ln::reduce_by_key(std::plus<>{}) | ln::join(p) | ln::sort_by([](const auto& x) { return x.first; });
    CHECK(sign(r) == ln::plan::lineage_signature<decltype(r)>("v1", 0));
    CHECK(sign(p | ln::reduce_by_key(std::plus<>{}, 0)) != sign(p | ln::reduce_by_key(std::plus<>{}, 1)));
  }
}

TEST_CASE("a checkpoint of sample(0.1) is not recovered for sample(0.5)", "[checkpoint][signature][params]") {
  scratch_dir dir;
  const auto v = numbers();
  const auto sampled = [&](double fraction) { return v | ln::sample(fraction, 42); };
  const auto oracle = [&](double fraction) { return sampled(fraction) | ln::collect(); };  // no checkpoint

  const auto first = sampled(0.1) | ln::checkpoint(dir.path(), fast("1"));
  CHECK_FALSE(first.recovered());
  CHECK((first | ln::collect()) == oracle(0.1));

  SECTION("same numbers: recovered") {
    const auto again = sampled(0.1) | ln::checkpoint(dir.path(), fast("1"));
    CHECK(again.recovered());
    CHECK((again | ln::collect()) == oracle(0.1));
  }
  SECTION("on_mismatch = recompute: recomputed with the new fraction") {
    const auto other = sampled(0.5) | ln::checkpoint(dir.path(), fast("1"));
    CHECK_FALSE(other.recovered());
    CHECK((other | ln::collect()) == oracle(0.5));
    CHECK(other.recompute_reason().find("fraction 0.5") != std::string::npos);
  }
  SECTION("on_mismatch = fail: a signature_mismatch naming the parameter") {
    auto options = fast("1");
    options.on_mismatch = ln::mismatch_policy::fail;
    try {
      (void)(sampled(0.5) | ln::checkpoint(dir.path(), options));
      FAIL("no error");
    } catch (const ln::checkpoint_error& e) {
      CHECK(e.reason() == ln::checkpoint_errc::signature_mismatch);
      CHECK(std::string(e.what()).find("sample(fraction 0.1") != std::string::npos);
      CHECK(std::string(e.what()).find("sample(fraction 0.5") != std::string::npos);
    }
  }
}

TEST_CASE("a checkpoint of reduce_by_key into 2 partitions is not recovered for 5", "[checkpoint][signature][params]") {
  scratch_dir dir;
  const auto p = pairs();
  const auto reduced = [&](int n) { return p | ln::reduce_by_key(std::plus<>{}, n); };

  (void)(reduced(2) | ln::checkpoint(dir.path(), fast()));
  const auto again = reduced(2) | ln::checkpoint(dir.path(), fast());
  CHECK(again.recovered());
  CHECK(again.partitions() == 2);

  const auto other = reduced(5) | ln::checkpoint(dir.path(), fast());
  CHECK_FALSE(other.recovered());
  CHECK(other.partitions() == 5);
  auto got = other | ln::collect();
  auto want = reduced(5) | ln::collect();
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  CHECK(got == want);
}
