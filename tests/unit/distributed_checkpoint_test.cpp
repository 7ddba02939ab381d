// Checkpoints on simulated ranks (tests/support/simulated_ranks.hpp), the protocol of
// DESIGN.md §8: the leader decides get-or-create, every rank writes or loads only its own
// partitions, the leader commits; a failure on any rank is thrown on every rank. The oracle is
// the same pipeline under ln::seq, and checkpoints written by one rank count are read by others.
#include "../support/simulated_ranks.hpp"
#include "checkpoint_test_support.hpp"

#include <lineage/storage/writer.hpp>

#include <atomic>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace ckpt_test;
using lineage_test::ranks_policy;
using lineage_test::run_on_ranks;

std::vector<int> some_ints(std::size_t n, unsigned seed) {
  std::vector<int> v(n);
  unsigned x = seed;
  for (auto& e : v) {
    x = x * 1103515245u + 12345u;
    e = static_cast<int>((x >> 8) % 1000);
  }
  return v;
}

// What one rank sees of a checkpointed<T>.
template <class T>
struct rank_view {
  bool recovered = false;
  std::size_t size = 0, partitions = 0;
  std::vector<std::size_t> repaired;
  std::vector<T> collected;           // through the backend: the whole dataset on every rank
  std::vector<std::size_t> held;      // partitions with elements on this rank
};

template <class T, class Policy>
rank_view<T> view_of(const ln::checkpointed<T>& c, Policy p) {
  rank_view<T> v{c.recovered(), c.size(), c.partitions(), c.repaired_partitions(), c | ln::collect(p), {}};
  for (std::size_t i = 0; i < c.partitions(); ++i) {
    if (!c.partition_data()[i].empty()) v.held.push_back(i);
  }
  return v;
}

const auto square = [](int x) { return static_cast<long>(x) * x; };
const auto by_ten = [](long x) { return std::pair{static_cast<int>(x % 10), x}; };
const auto plus = [](long a, long b) { return a + b; };

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("ranks: a checkpoint written on R ranks equals ln::seq's and is recovered with any rank count",
          "[ranks][checkpoint]") {
  const auto data = some_ints(500, 7);
  const auto pipeline = [&] { return ln::parallelize(data, 5) | ln::map(square) | ln::map(by_ten) | ln::reduce_by_key(plus); };
  scratch_dir tmp;
  const auto oracle_dir = tmp / "seq";
  const auto expected = pipeline() | ln::checkpoint(oracle_dir, fast()) | ln::collect();
  REQUIRE(!expected.empty());

  for (const std::size_t ranks : {1, 2, 3, 4, 7}) {
    INFO(ranks << " ranks write");
    const auto dir = tmp / ("ranks-" + std::to_string(ranks));
    const auto views = run_on_ranks(ranks, [&](ranks_policy p) {
      return view_of(pipeline() | ln::checkpoint(dir, fast(), p), p);
    });
    for (std::size_t r = 0; r < ranks; ++r) {
      INFO("rank " << r);
      CHECK(!views[r].recovered);
      CHECK(views[r].collected == expected);
      CHECK(views[r].size == expected.size());
      for (const auto i : views[r].held) CHECK(i % ranks == r);  // a rank holds only its own
    }
    // One committed generation, the same checkpoint as one process writes.
    CHECK(generation_dirs(dir).size() == 1);
    CHECK(ln::verify(dir).partitions.size() == ln::verify(oracle_dir).partitions.size());
    CHECK((ln::recover<std::pair<int, long>>(dir) | ln::collect()) == expected);

    for (const std::size_t readers : {1, 2, 3}) {
      INFO(readers << " ranks recover");
      const auto recovered = run_on_ranks(readers, [&](ranks_policy p) {
        return view_of(ln::recover<std::pair<int, long>>(dir, p), p);
      });
      for (const auto& v : recovered) {
        CHECK(v.recovered);
        CHECK(v.collected == expected);
        CHECK(v.size == expected.size());
      }
    }
  }
}

TEST_CASE("ranks: get-or-create loads on every rank without computing, and repairs a lost partition on its owner",
          "[ranks][checkpoint]") {
  const auto data = some_ints(400, 11);
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  std::atomic<std::size_t> calls{0};
  const auto counted_square = count_calls(calls, square);
  const auto run = [&](std::size_t ranks) {
    return run_on_ranks(ranks, [&](ranks_policy p) {
      return view_of(ln::parallelize(data, 4) | ln::map(counted_square) | ln::checkpoint(dir, fast(), p), p);
    });
  };
  std::vector<long> expected;
  for (const int x : data) expected.push_back(square(x));

  REQUIRE(run(3).front().collected == expected);
  CHECK(calls == data.size());  // each element once, on the rank that owns its partition

  calls = 0;
  for (const auto& v : run(2)) {
    CHECK(v.recovered);
    CHECK(v.collected == expected);
  }
  CHECK(calls == 0);

  SECTION("a deleted partition file is recomputed alone, on its owner, and every rank reports it") {
    fs::remove(partition_file(dir, 2));
    calls = 0;
    for (const auto& v : run(3)) {
      CHECK(v.repaired == std::vector<std::size_t>{2});
      CHECK(v.collected == expected);
    }
    CHECK(calls == data.size() / 4);
    CHECK_NOTHROW(ln::verify(dir));
  }
  SECTION("with on_mismatch = fail, every rank throws the owner's error") {
    flip_bit(partition_file(dir, 1), payload_offset + 3);
    auto options = fast();
    options.on_mismatch = ln::mismatch_policy::fail;
    const auto reasons = run_on_ranks(3, [&](ranks_policy p) {
      try {
        (void)(ln::parallelize(data, 4) | ln::map(counted_square) | ln::checkpoint(dir, options, p));
        return std::pair{std::optional<ln::checkpoint_errc>(), std::string()};
      } catch (const ln::checkpoint_error& e) {
        return std::pair{std::optional(e.reason()), std::string(e.what())};
      }
    });
    for (const auto& [reason, what] : reasons) {
      CHECK(reason == ln::checkpoint_errc::checksum_mismatch);
      CHECK(contains(what, "part-00001"));
    }
  }
}

TEST_CASE("ranks: a failure of the leader reaches every rank, and nothing is written", "[ranks][checkpoint]") {
  const auto data = some_ints(100, 3);
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  ln::storage::checkpoint_writer holder(dir, fast());  // holds dir/LOCK: the leader cannot write
  const auto reasons = run_on_ranks(3, [&](ranks_policy p) -> std::optional<ln::checkpoint_errc> {
    try {
      (void)(ln::parallelize(data, 6) | ln::map(square) | ln::checkpoint(dir, fast(), p));
      return std::nullopt;
    } catch (const ln::checkpoint_error& e) {
      return e.reason();
    }
  });
  for (const auto& reason : reasons) CHECK(reason == ln::checkpoint_errc::locked);
  CHECK(!fs::exists(dir / "MANIFEST"));
}

TEST_CASE("ranks: recover of a missing or damaged checkpoint throws on every rank", "[ranks][checkpoint]") {
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  const auto reasons_of_recover = [&] {
    return run_on_ranks(3, [&](ranks_policy p) -> std::optional<ln::checkpoint_errc> {
      try {
        (void)ln::recover<long>(dir, p);
        return std::nullopt;
      } catch (const ln::checkpoint_error& e) {
        return e.reason();
      }
    });
  };
  for (const auto& reason : reasons_of_recover()) CHECK(reason == ln::checkpoint_errc::not_found);
  (void)(ln::parallelize(some_ints(90, 5), 3) | ln::map(square) | ln::checkpoint(dir, fast()));
  const auto file = partition_file(dir, 2);
  fs::resize_file(file, fs::file_size(file) - 4);
  for (const auto& reason : reasons_of_recover()) CHECK(reason == ln::checkpoint_errc::truncated);
}
