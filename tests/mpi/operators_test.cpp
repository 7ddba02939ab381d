// Every narrow operator, wide operator and action under ln::mpi::world, compared element for
// element with ln::seq on every rank (DESIGN.md §8), with the cases the simulated ranks run
// (tests/unit/rank_cases.hpp). Each case runs under world (one thread per rank), world(3)
// (partitions of a rank on the pool) and world with 24-byte message pieces (every shuffle and
// gather split into many MPI rounds). Run by CTest with 1, 2 and 4 ranks: with 4, some ranks
// own no partition at all (parallelize(v, 1), (v, 2)).
#include <lineage/mpi.hpp>

#include "rank_cases.hpp"

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace {

namespace ln = lineage;

const ln::mpi::world_t policies[] = {ln::mpi::world, ln::mpi::world(3), ln::mpi::world_t{.threads = 1, .message_limit = 24}};
const char* const policy_names[] = {"world", "world(3)", "world, 24-byte pieces"};

std::size_t my_rank() { return make_backend(ln::mpi::world).rank(); }
std::size_t ranks() { return make_backend(ln::mpi::world).size(); }

// The same pipeline, built the same way on every rank, inside the session: ln::seq (the oracle)
// and ln::par run every partition in this process with no communication, world spreads them
// over the ranks; all give the same result.
template <class Build>
void check_on_world(const std::string& what, const Build& build) {
  const auto expected = build(ln::seq);
  {
    INFO(what << " under ln::par(3) inside the session, rank " << my_rank());
    CHECK(build(ln::par(3)) == expected);
  }
  for (std::size_t k = 0; k < std::size(policies); ++k) {
    const auto got = build(policies[k]);
    INFO(what << " under " << policy_names[k] << ", rank " << my_rank());
    CHECK(got == expected);
  }
}

}  // namespace

TEST_CASE("world: narrow operators and every action equal ln::seq", "[mpi]") {
  rank_cases::narrow_and_actions([](const std::string& what, const auto& build) { check_on_world(what, build); });
}

TEST_CASE("world: wide operators equal ln::seq", "[mpi]") {
  rank_cases::wide([](const std::string& what, const auto& build) { check_on_world(what, build); });
}

TEST_CASE("world: several-input and partitioning operators equal ln::seq", "[mpi]") {
  rank_cases::several_inputs_and_partitioning([](const std::string& what, const auto& build) { check_on_world(what, build); });
}

TEST_CASE("world: partition-wise operators and sampling equal ln::seq", "[mpi]") {
  rank_cases::partition_operations([](const std::string& what, const auto& build) { check_on_world(what, build); });
}

TEST_CASE("world: the join family equals ln::seq", "[mpi]") {
  rank_cases::join_family([](const std::string& what, const auto& build) { check_on_world(what, build); });
}

namespace {

// Trivially copyable: its shuffle buckets cross ranks as raw bytes (mpi/codec.hpp). Actions'
// partials (collect's vector) go through cereal, hence serialize.
struct reading {
  int sensor = 0;
  double value = 0;
  bool operator==(const reading&) const = default;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(sensor, value);
  }
};
static_assert(ln::mpi::detail::raw_element_v<reading>);
static_assert(!ln::mpi::detail::raw_element_v<std::string>);

std::vector<std::string> random_words(std::size_t n, std::uint32_t seed) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<int> length(0, 12);
  std::uniform_int_distribution<int> letter('a', 'e');
  std::vector<std::string> out(n);
  for (auto& w : out) {
    const int len = length(gen);
    for (int i = 0; i < len; ++i) w.push_back(static_cast<char>(letter(gen)));
  }
  return out;
}

}  // namespace

TEST_CASE("world: strings (cereal) and trivially copyable records (raw bytes) through shuffles", "[mpi]") {
  const auto words = random_words(3000, 1701);
  check_on_world("word count, top by count", [&](auto p) {
    return ln::parallelize(words, 6) | ln::map([](const std::string& w) { return std::pair{w, 1L}; }) |
           ln::reduce_by_key([](long a, long b) { return a + b; }) |
           ln::sort_by([](const std::pair<std::string, long>& x) { return x.second; }, ln::descending) | ln::take(20, p);
  });
  check_on_world("group_by_key of strings", [&](auto p) {
    return ln::parallelize(words, 5) | ln::map([](const std::string& w) { return std::pair{w.size(), w}; }) |
           ln::group_by_key() | ln::sort_by([](const auto& g) { return g.first; }) | ln::collect(p);
  });
  std::vector<reading> readings;
  std::mt19937 gen(1702);
  for (int i = 0; i < 2000; ++i) readings.push_back({static_cast<int>(gen() % 17), static_cast<double>(gen() % 1000) / 8});
  check_on_world("sort_by of records, ties in input order", [&](auto p) {
    return ln::parallelize(readings, 7) | ln::sort_by([](const reading& r) { return r.sensor; }) | ln::collect(p);
  });
  check_on_world("repartition of records", [&](auto p) {
    return ln::parallelize(readings, 3) | ln::repartition(9) | ln::collect(p);
  });
  check_on_world("distinct of ints (raw bytes)", [&](auto p) {
    return ln::parallelize(readings, 4) | ln::map([](const reading& r) { return r.sensor; }) | ln::distinct() |
           ln::sort_by([](int x) { return x; }) | ln::collect(p);
  });
}

TEST_CASE("world: a plain range is one partition, on rank 0, and checkpointed sizes are global", "[mpi]") {
  const auto data = lineage_test::random_ints(5000, 1703);
  check_on_world("range | reduce_by_key | collect", [&](auto p) {
    return data | ln::map([](int x) { return std::pair{x % 10, x}; }) | ln::reduce_by_key(std::plus<>()) |
           ln::sort_by([](const auto& kv) { return kv.first; }) | ln::collect(p);
  });
  const auto cp = ln::parallelize(data, 6) | ln::local_checkpoint(ln::mpi::world);
  CHECK(cp.partitions() == 6);
  CHECK(cp.size() == data.size());
  std::size_t held = 0;
  for (std::size_t i = 0; i < cp.partitions(); ++i) {
    if (i % ranks() != my_rank()) CHECK(cp.partition_data()[i].empty());  // world materializes its own only
    held += cp.partition_data()[i].size();
  }
  CHECK(held <= data.size());
  CHECK((cp | ln::count(ln::mpi::world)) == data.size());
}

TEST_CASE("world: agree returns rank 0's value on every rank", "[mpi]") {
  const auto backend = make_backend(ln::mpi::world);
  CHECK(backend.agree(std::string("decided by ") + std::to_string(backend.rank())) == "decided by 0");
  CHECK(backend.agree(std::vector<int>(backend.rank() + 1, 7)) == std::vector<int>(1, 7));
  const auto tiny = make_backend(ln::mpi::world_t{.threads = 1, .message_limit = 3});
  const std::string long_text(1000, static_cast<char>('a' + tiny.rank()));
  CHECK(tiny.agree(long_text) == std::string(1000, 'a'));
}
