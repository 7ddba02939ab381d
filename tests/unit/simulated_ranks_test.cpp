// Every narrow operator, wide operator and action run on simulated ranks
// (tests/support/simulated_ranks.hpp: R threads, each owning partitions i % R == rank, all data
// between them through cereal bytes), compared element for element with ln::seq, for 1 to 5
// ranks. As under MPI (DESIGN.md §8), every rank builds the same pipeline and calls the same
// action, and every rank must get ln::seq's result.
#include "../support/simulated_ranks.hpp"
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

// The sources every case runs on: a plain range (one partition, on rank 0) and parallelize
// with partition counts below, equal to and above the rank counts.
template <class T, class Fn>
void for_each_source(const std::vector<T>& data, const Fn& fn) {
  fn(std::string("parallelize(v, 1)"), [&data] { return ln::parallelize(data, 1); }, true);
  for (const std::size_t k : {2, 5, 7}) {
    fn("parallelize(v, " + std::to_string(k) + ")", [&data, k] { return ln::parallelize(data, k); }, false);
  }
}

const auto twice = [](int x) { return 2 * x; };
const auto odd = [](int x) { return x % 2 != 0; };
const auto plus = [](int a, int b) { return a + b; };

}  // namespace

TEST_CASE("ranks: narrow operators and every action equal ln::seq", "[ranks]") {
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{17}, std::size_t{1000}}) {
    const auto data = random_ints(n, 1300 + static_cast<unsigned>(n));
    const auto pairs = wide_test::keyed(shape::random, n, 1310 + static_cast<unsigned>(n));
    // The plain range source itself (not parallelize): one partition, rank 0's.
    check_on_ranks("range | map | collect", [&](auto p) { return data | ln::map(twice) | ln::collect(p); });
    for_each_source(data, [&](const std::string& src, const auto& source, bool) {
      const std::string at = src + ", n = " + std::to_string(n);
      check_on_ranks(at + ": map|filter|collect", [&](auto p) { return source() | ln::map(twice) | ln::filter(odd) | ln::collect(p); });
      check_on_ranks(at + ": filter|collect", [&](auto p) { return source() | ln::filter(odd) | ln::collect(p); });
      check_on_ranks(at + ": flat_map|collect", [&](auto p) {
        return source() | ln::flat_map([](int x) { return std::vector<int>(static_cast<std::size_t>(lineage_test::mod(x, 3)), x); }) |
               ln::collect(p);
      });
      check_on_ranks(at + ": count", [&](auto p) { return source() | ln::filter(odd) | ln::count(p); });
      check_on_ranks(at + ": sum", [&](auto p) { return source() | ln::map(twice) | ln::sum(p); });
      check_on_ranks(at + ": reduce", [&](auto p) { return source() | ln::reduce(plus, p); });
      check_on_ranks(at + ": fold", [&](auto p) {
        // Partials are combined with op(acc, acc), as under ln::par: init is op's neutral element.
        return source() | ln::fold(0L, [](long acc, long x) { return acc + x; }, p);
      });
      check_on_ranks(at + ": first", [&](auto p) { return source() | ln::filter(odd) | ln::first(p); });
      for (const std::size_t k : {0, 1, 3, 50, 5000}) {
        check_on_ranks(at + ": take(" + std::to_string(k) + ")", [&](auto p) { return source() | ln::take(k, p); });
      }
    });
    for_each_source(pairs, [&](const std::string& src, const auto& source, bool) {
      const std::string at = src + ", n = " + std::to_string(n);
      check_on_ranks(at + ": map_values|keys|values", [&](auto p) {
        auto v = source() | ln::map_values(twice);
        return std::make_pair(v | ln::keys() | ln::collect(p), v | ln::values() | ln::collect(p));
      });
      check_on_ranks(at + ": count_by_key", [&](auto p) { return source() | ln::count_by_key(p); });
    });
  }
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
  for (const shape s : wide_test::all_shapes) {
    for (const std::size_t n : {std::size_t{1}, std::size_t{40}, std::size_t{600}}) {
      const auto data = wide_test::keyed(s, n, 1330 + static_cast<unsigned>(n));
      const auto other = wide_test::keyed(s, n / 2 + 1, 1340 + static_cast<unsigned>(n));
      for_each_source(data, [&](const std::string& src, const auto& source, bool) {
        const std::string at = src + ", " + wide_test::name_of(s) + ", n = " + std::to_string(n);
        const auto second = [](const kv& x) { return x.second; };
        check_on_ranks(at + ": reduce_by_key", [&](auto p) { return source() | ln::reduce_by_key(plus) | ln::collect(p); });
        check_on_ranks(at + ": reduce_by_key(3 partitions)",
                       [&](auto p) { return source() | ln::reduce_by_key(plus, ln::partitioner{3}) | ln::collect(p); });
        check_on_ranks(at + ": group_by_key", [&](auto p) { return source() | ln::group_by_key() | ln::collect(p); });
        check_on_ranks(at + ": aggregate_by_key", [&](auto p) {
          return source() | ln::aggregate_by_key(std::size_t{0}, [](std::size_t a, int) { return a + 1; }, std::plus<>()) |
                 ln::collect(p);
        });
        check_on_ranks(at + ": distinct", [&](auto p) { return source() | ln::keys() | ln::distinct() | ln::collect(p); });
        check_on_ranks(at + ": sort_by", [&](auto p) { return source() | ln::sort_by(second) | ln::collect(p); });
        check_on_ranks(at + ": sort_by descending",
                       [&](auto p) { return source() | ln::sort_by(second, ln::descending) | ln::collect(p); });
        check_on_ranks(at + ": sort_by with ties", [&](auto p) {
          return source() | ln::sort_by([](const kv& x) { return x.first % 3; }) | ln::collect(p);
        });
        check_on_ranks(at + ": join", [&](auto p) { return source() | ln::join(ln::parallelize(other, 3)) | ln::collect(p); });
        check_on_ranks(at + ": left_join",
                       [&](auto p) { return source() | ln::left_join(ln::parallelize(other, 4)) | ln::collect(p); });
        for (const std::size_t k : {1, 3, 8}) {
          check_on_ranks(at + ": repartition(" + std::to_string(k) + ")", [&](auto p) {
            const auto cp = source() | ln::map_values(twice) | ln::repartition(k) | ln::local_checkpoint(p);
            return std::make_tuple(cp.partitions(), cp.size(), cp | ln::collect(p));
          });
        }
        check_on_ranks(at + ": reduce_by_key | sort_by | take", [&](auto p) {
          return source() | ln::reduce_by_key(plus) | ln::sort_by(second) | ln::map([](const kv& x) { return x.first; }) |
                 ln::take(10, p);
        });
        check_on_ranks(at + ": sort_by keeps the partition count, cut in order", [&](auto p) {
          const auto cp = source() | ln::sort_by(second) | ln::local_checkpoint(p);
          return std::make_pair(cp.partitions(), cp.size());
        });
      });
    }
  }
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
