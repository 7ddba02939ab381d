// checkpoint_options::keep_in_memory = false: each partition is written as soon as it is
// computed and the checkpointed<T> loads partitions from disk when a plan runs them. Oracles:
// the same pipeline with keep_in_memory = true, a hand-written loop, and a count of live
// elements (an element type that counts its constructions and destructions).
#include "../support/simulated_ranks.hpp"
#include "checkpoint_test_support.hpp"

#include <cereal/types/string.hpp>
#include <cereal/types/utility.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <ranges>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

using namespace ckpt_test;

ln::checkpoint_options on_disk(std::string version = {}) {
  auto options = fast(std::move(version));
  options.keep_in_memory = false;
  return options;
}

std::vector<int> some_ints(std::size_t n, unsigned seed) {
  std::vector<int> v(n);
  unsigned x = seed;
  for (auto& e : v) {
    x = x * 1103515245u + 12345u;
    e = static_cast<int>((x >> 8) % 100000);
  }
  return v;
}

const auto triple_plus_one = [](int x) { return 3L * x + 1; };
const auto as_named_pair = [](int x) { return std::pair{"k" + std::to_string(x % 13), "value-" + std::to_string(x)}; };

// An element that counts the instances alive now and the most ever alive at once.
struct live {
  static inline std::atomic<long> now{0};
  static inline std::atomic<long> peak{0};
  static void reset() {
    now = 0;
    peak = 0;
  }

  long value = 0;
  live() { born(); }
  explicit live(long v) : value(v) { born(); }
  live(const live& o) : value(o.value) { born(); }
  live(live&& o) noexcept : value(o.value) { born(); }
  live& operator=(const live&) = default;
  live& operator=(live&&) noexcept = default;
  ~live() { now.fetch_sub(1); }

  template <class Archive>
  void serialize(Archive& ar) {
    ar(value);
  }

 private:
  static void born() {
    const long n = now.fetch_add(1) + 1;
    long seen = peak.load();
    while (n > seen && !peak.compare_exchange_weak(seen, n)) {
    }
  }
};

// `parts` partitions of `per_part` live elements each, computed lazily (no source holds them).
auto live_dataset(std::size_t parts, long per_part) {
  std::vector<long> starts(parts);
  for (std::size_t i = 0; i < parts; ++i) starts[i] = static_cast<long>(i) * per_part;
  return ln::parallelize(std::move(starts), parts) | ln::flat_map([per_part](long start) {
           return std::views::iota(start, start + per_part) | std::views::transform([](long v) { return live(v); });
         });
}

template <class Policy>
void check_same_as_in_memory_and_loop(Policy policy) {
  scratch_dir tmp;
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{997}, std::size_t{20'000}}) {
    for (const std::size_t parts : {std::size_t{1}, std::size_t{7}, std::size_t{64}}) {
      INFO(n << " elements, " << parts << " partitions");
      const auto input = some_ints(n, static_cast<unsigned>(n + parts));
      std::vector<long> loop;
      for (const int x : input) {
        if (x % 3 != 0) loop.push_back(triple_plus_one(x));
      }
      const auto pipeline = ln::parallelize(input, parts) | ln::filter([](int x) { return x % 3 != 0; }) |
                            ln::map(triple_plus_one);
      const auto tag = std::to_string(n) + "-" + std::to_string(parts);
      const auto kept = pipeline | ln::checkpoint(tmp / ("kept-" + tag), fast(), policy);
      const auto spilled = pipeline | ln::checkpoint(tmp / ("spilled-" + tag), on_disk(), policy);
      CHECK(kept.in_memory());
      CHECK(!spilled.in_memory());
      CHECK(!spilled.recovered());
      CHECK(spilled.size() == loop.size());
      CHECK(spilled.partitions() == kept.partitions());
      CHECK(spilled.content_id() == kept.content_id());  // the same checkpoint on disk
      CHECK((spilled | ln::collect(policy)) == loop);
      CHECK((kept | ln::collect(policy)) == loop);
      CHECK((spilled | ln::count(policy)) == loop.size());
      CHECK(spilled.partition_data() == kept.partition_data());
      CHECK((ln::recover<long>(tmp / ("spilled-" + tag)) | ln::collect()) == loop);
    }
  }
}

}  // namespace

TEST_CASE("keep_in_memory=false: results equal keep_in_memory=true and the hand loop (seq)", "[checkpoint]") {
  check_same_as_in_memory_and_loop(ln::seq);
}

TEST_CASE("keep_in_memory=false: results equal keep_in_memory=true and the hand loop (par)", "[checkpoint][par]") {
  check_same_as_in_memory_and_loop(ln::par(3));
}

TEST_CASE("keep_in_memory=false: string pairs, downstream wide operators, many partitions", "[checkpoint][par]") {
  scratch_dir tmp;
  const auto input = some_ints(5'000, 11);
  std::vector<std::pair<std::string, std::string>> loop;
  for (const int x : input) loop.push_back(as_named_pair(x));
  for (const std::size_t parts : {std::size_t{3}, std::size_t{301}}) {
    INFO(parts << " partitions");
    const auto dir = tmp / ("pairs-" + std::to_string(parts));
    const auto spilled = ln::parallelize(input, parts) | ln::map(as_named_pair) | ln::checkpoint(dir, on_disk(), ln::par);
    CHECK(!spilled.in_memory());
    CHECK(spilled.partitions() == parts);
    CHECK((spilled | ln::collect()) == loop);
    CHECK((spilled | ln::collect(ln::par)) == loop);
    // A wide operator downstream, against std::sort of the loop's keys.
    auto keys = spilled | ln::keys() | ln::distinct() | ln::collect(ln::par);
    std::sort(keys.begin(), keys.end());
    std::vector<std::string> loop_keys;
    for (const auto& [k, v] : loop) loop_keys.push_back(k);
    std::sort(loop_keys.begin(), loop_keys.end());
    loop_keys.erase(std::unique(loop_keys.begin(), loop_keys.end()), loop_keys.end());
    CHECK(keys == loop_keys);
  }
}

TEST_CASE("keep_in_memory=false: the iterative loop keeps one type and equals the hand loop", "[checkpoint]") {
  scratch_dir tmp;
  const auto input = some_ints(3'000, 5);
  using spilled_t = decltype(ln::parallelize(input, 4) | ln::checkpoint(tmp / "x", on_disk()));
  using kept_t = decltype(ln::parallelize(input, 4) | ln::checkpoint(tmp / "x", fast()));
  static_assert(std::is_same_v<spilled_t, kept_t>);
  static_assert(std::is_same_v<spilled_t, ln::checkpointed<int>>);

  const auto step = [](int x) { return (x * 7 + 3) % 100'003; };
  auto cp = ln::parallelize(input, 4) | ln::checkpoint(tmp / "it-0", on_disk());
  std::vector<int> loop = input;
  for (int i = 1; i <= 4; ++i) {
    cp = cp | ln::map(step) | ln::checkpoint(tmp / ("it-" + std::to_string(i)), on_disk());
    for (auto& x : loop) x = step(x);
    CHECK(!cp.in_memory());
  }
  CHECK((cp | ln::collect()) == loop);

  // The same loop into one directory: each new generation is computed from the previous one's
  // files, read before they are replaced.
  auto same = ln::parallelize(input, 4) | ln::checkpoint(tmp / "one", on_disk());
  for (int i = 1; i <= 4; ++i) same = same | ln::map(step) | ln::checkpoint(tmp / "one", on_disk());
  CHECK((same | ln::collect()) == loop);
}

TEST_CASE("keep_in_memory=false: a checkpoint found on disk is used without loading or computing", "[checkpoint]") {
  scratch_dir tmp;
  const auto dir = tmp / "cp";
  const auto input = some_ints(4'000, 9);
  std::atomic<std::size_t> calls{0};
  const auto pipeline = ln::parallelize(input, 6) | ln::map(count_calls(calls, triple_plus_one));
  const auto loop = ln::parallelize(input, 6) | ln::map(triple_plus_one) | ln::collect();

  const auto first = pipeline | ln::checkpoint(dir, on_disk());
  REQUIRE(calls.load() == input.size());
  calls = 0;
  const auto again = pipeline | ln::checkpoint(dir, on_disk());
  CHECK(calls.load() == 0);
  CHECK(again.recovered());
  CHECK(!again.in_memory());
  CHECK(again.content_id() == first.content_id());
  CHECK((again | ln::collect()) == loop);

  SECTION("a damaged partition is recomputed alone, and the others are reloaded") {
    const auto records_of_2 = ln::read_manifest(dir).partitions[2].records;
    flip_bit(partition_file(dir, 2), payload_offset + 5);
    const auto repaired = pipeline | ln::checkpoint(dir, on_disk());
    CHECK(!repaired.in_memory());
    CHECK(repaired.repaired_partitions() == std::vector<std::size_t>{2});
    CHECK(calls.load() == records_of_2);  // partition 2 alone was computed
    CHECK((repaired | ln::collect()) == loop);
    CHECK((ln::recover<long>(dir) | ln::collect()) == loop);
  }
  SECTION("with on_mismatch = fail a damaged partition throws") {
    flip_bit(partition_file(dir, 4), payload_offset + 1);
    auto options = on_disk();
    options.on_mismatch = ln::mismatch_policy::fail;
    CHECK_THROWS_AS(pipeline | ln::checkpoint(dir, options), ln::checkpoint_error);
  }
  SECTION("a partition damaged after the checkpoint call is reported when an action loads it") {
    flip_bit(partition_file(dir, 1), payload_offset + 3);
    try {
      (void)(again | ln::collect());
      FAIL("no error");
    } catch (const ln::checkpoint_error& e) {
      CHECK(e.reason() == ln::checkpoint_errc::checksum_mismatch);
    }
  }
}

TEST_CASE("keep_in_memory=false: at most about one partition per thread is alive (seq)", "[checkpoint]") {
  scratch_dir tmp;
  constexpr std::size_t parts = 40;
  constexpr long per_part = 500;
  live::reset();
  {
    const auto spilled = live_dataset(parts, per_part) | ln::checkpoint(tmp / "spilled", on_disk());
    CHECK(spilled.size() == parts * per_part);
    CHECK((spilled | ln::count()) == parts * per_part);
    CHECK(live::now.load() == 0);  // nothing held by the checkpointed<T>
  }
  INFO("peak live elements " << live::peak.load());
  CHECK(live::peak.load() <= 2 * per_part + 2);  // one partition's vector while it grows (capacity aside)
  CHECK(live::now.load() == 0);

  live::reset();
  {  // The oracle that this count can fail: kept in memory, every element is alive at once.
    const auto kept = live_dataset(parts, per_part) | ln::checkpoint(tmp / "kept", fast());
    CHECK(live::now.load() == static_cast<long>(parts * per_part));
  }
  CHECK(live::peak.load() >= static_cast<long>(parts * per_part));
}

TEST_CASE("keep_in_memory=false: at most about one partition per thread is alive (par)", "[checkpoint][par]") {
  scratch_dir tmp;
  constexpr std::size_t parts = 48;
  constexpr long per_part = 400;
  constexpr std::size_t threads = 3;
  live::reset();
  {
    const auto spilled = live_dataset(parts, per_part) | ln::checkpoint(tmp / "spilled", on_disk(), ln::par(threads));
    CHECK((spilled | ln::count(ln::par(threads))) == parts * per_part);
    auto sum = spilled | ln::map([](const live& x) { return x.value; }) | ln::sum(ln::par(threads));
    CHECK(sum == static_cast<long>(parts * per_part) * static_cast<long>(parts * per_part - 1) / 2);
  }
  INFO("peak live elements " << live::peak.load());
  CHECK(live::peak.load() <= static_cast<long>(threads) * (2 * per_part + 2));
  CHECK(live::peak.load() < static_cast<long>(parts * per_part) / 4);
  CHECK(live::now.load() == 0);
}

TEST_CASE("keep_in_memory=false on simulated ranks: each rank writes its partitions, results as ln::seq",
          "[checkpoint][ranks]") {
  scratch_dir tmp;
  const auto input = some_ints(2'000, 3);
  const auto pipeline = [&] { return ln::parallelize(input, 7) | ln::map(triple_plus_one); };
  const auto expected = pipeline() | ln::collect();
  for (const std::size_t ranks : {1, 3}) {
    INFO(ranks << " ranks");
    const auto dir = tmp / ("ranks-" + std::to_string(ranks));
    const auto got = lineage_test::run_on_ranks(ranks, [&](lineage_test::ranks_policy p) {
      const auto cp = pipeline() | ln::checkpoint(dir, on_disk(), p);
      const auto again = pipeline() | ln::checkpoint(dir, on_disk(), p);
      return std::tuple{cp.in_memory(), again.recovered(), cp | ln::collect(p), again | ln::count(p)};
    });
    for (const auto& [in_memory, recovered, collected, count] : got) {
      CHECK(!in_memory);
      CHECK(recovered);
      CHECK(collected == expected);
      CHECK(count == expected.size());
    }
    CHECK((ln::recover<long>(dir) | ln::collect()) == expected);
  }
}

TEST_CASE("keep_in_memory=false: a failure mid-way leaves the previous checkpoint, complete", "[checkpoint][par]") {
  scratch_dir tmp;
  const auto dir = tmp / "cp";
  const auto input = some_ints(6'000, 21);
  const auto before = ln::parallelize(input, 8) | ln::map(triple_plus_one) | ln::checkpoint(dir, on_disk());
  const auto expected = before | ln::collect();
  const auto generations = generation_dirs(dir);
  REQUIRE(generations.size() == 1);

  // Partitions before and after the failing one are written (under par, concurrently with it).
  const auto failing = [](int x) {
    if (x == 4242) throw std::runtime_error("user function failed");
    return 5L * x;
  };
  std::vector<int> poisoned = input;
  poisoned[4'500] = 4242;  // in partition 6 of 8
  for (const bool parallel : {false, true}) {
    INFO((parallel ? "par" : "seq"));
    const auto run = [&] {
      const auto p = ln::parallelize(poisoned, 8) | ln::map(failing);
      if (parallel) return p | ln::checkpoint(dir, on_disk(), ln::par);
      return p | ln::checkpoint(dir, on_disk());
    };
    CHECK_THROWS_WITH(run(), "user function failed");
    CHECK(generation_dirs(dir) == generations);  // the new generation was removed, uncommitted
    CHECK(ln::verify(dir).content_id == before.content_id());
    CHECK((before | ln::collect()) == expected);  // its files are still there
  }
}
