// Every narrow operator, wide operator and action run on simulated ranks
// (tests/support/simulated_ranks.hpp: R threads, each owning partitions i % R == rank, all data
// between them through cereal bytes), compared element for element with ln::seq, for 1 to 5
// ranks. As under MPI (DESIGN.md §8), every rank builds the same pipeline and calls the same
// action, and every rank must get ln::seq's result. The cases are shared with the MPI
// backend's tests (rank_cases.hpp).
#include "../support/simulated_ranks.hpp"
#include "rank_cases.hpp"
#include "test_support.hpp"
#include "wide_test_support.hpp"

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace {

namespace ln = lineage;
using lineage_test::random_ints;
using lineage_test::ranks_policy;
using lineage_test::run_on_ranks;
using wide_test::kv;
using wide_test::shape;

constexpr std::size_t rank_counts[] = {1, 2, 3, 5};

// build(policy) builds the pipeline and runs the action: once with ln::seq, and once on every
// simulated rank (each rank builds its own pipeline, as each MPI process does).
template <class Build>
void check_on_ranks(const std::string& what, const Build& build) {
  const auto expected = build(ln::seq);
  for (const std::size_t ranks : rank_counts) {
    const auto got = run_on_ranks(ranks, [&](ranks_policy p) { return build(p); });
    for (std::size_t r = 0; r < ranks; ++r) {
      INFO(what << " on " << ranks << " ranks, rank " << r);
      CHECK(got[r] == expected);
    }
  }
}

const auto plus = [](int a, int b) { return a + b; };

}  // namespace

TEST_CASE("ranks: narrow operators and every action equal ln::seq", "[ranks]") {
  rank_cases::narrow_and_actions([](const std::string& what, const auto& build) { check_on_ranks(what, build); });
}

TEST_CASE("ranks: for_each runs every element once, on the rank that owns it", "[ranks]") {
  const auto data = random_ints(1000, 1320);
  long expected = 0;
  for (int x : data) expected += x;
  for (const std::size_t ranks : rank_counts) {
    std::atomic<long> total{0};
    std::atomic<std::size_t> calls{0};
    run_on_ranks(ranks, [&](ranks_policy p) {
      ln::parallelize(data, 7) | ln::for_each([&](int x) { total += x; ++calls; }, p);
      return 0;
    });
    CHECK(total.load() == expected);
    CHECK(calls.load() == data.size());
  }
}

TEST_CASE("ranks: wide operators equal ln::seq", "[ranks]") {
  rank_cases::wide([](const std::string& what, const auto& build) { check_on_ranks(what, build); });
}

TEST_CASE("ranks: several-input and partitioning operators equal ln::seq", "[ranks][set_ops]") {
  rank_cases::several_inputs_and_partitioning([](const std::string& what, const auto& build) { check_on_ranks(what, build); });
}

TEST_CASE("ranks: partition-wise operators and sampling equal ln::seq", "[ranks][partition_ops]") {
  rank_cases::partition_operations([](const std::string& what, const auto& build) { check_on_ranks(what, build); });
}

TEST_CASE("ranks: the join family equals ln::seq", "[ranks][join]") {
  rank_cases::join_family([](const std::string& what, const auto& build) { check_on_ranks(what, build); });
}

TEST_CASE("ranks: agree returns rank 0's value on every rank", "[ranks]") {
  for (const std::size_t ranks : rank_counts) {
    const auto got = run_on_ranks(ranks, [](ranks_policy p) {
      return make_backend(p).agree(std::string("decided by ") + std::to_string(p.rank));
    });
    for (const auto& g : got) CHECK(g == "decided by 0");
  }
}

// Ranks are threads: under ThreadSanitizer (the [par] tree) this shows that nothing a rank
// computes is shared with another except through the backend's synchronized mailbox.
TEST_CASE("ranks: a wide pipeline and its actions on three ranks at once", "[ranks][par]") {
  const auto data = wide_test::keyed(shape::random, 3000, 1350);
  const auto second = [](const kv& x) { return x.second; };
  check_on_ranks("reduce_by_key | sort_by | collect", [&](auto p) {
    return ln::parallelize(data, 7) | ln::reduce_by_key(plus) | ln::sort_by(second) | ln::collect(p);
  });
  check_on_ranks("join | repartition | take", [&](auto p) {
    return ln::parallelize(data, 4) | ln::join(ln::parallelize(data, 3) | ln::reduce_by_key(plus)) | ln::repartition(5) |
           ln::take(100, p);
  });
  check_on_ranks("group_by_key | count", [&](auto p) { return ln::parallelize(data, 6) | ln::group_by_key() | ln::count(p); });
}
