// ln::persist(level): the upstream is evaluated once whatever the actions and copies, the
// lineage stays (explain shows it, marked), .unpersist() drops the memo, the disk level's
// temporary directory lives as long as the last copy. Oracles: hand loops.
#include "checkpoint_test_support.hpp"

#include <algorithm>
#include <atomic>
#include <numeric>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

using namespace ckpt_test;

namespace {

std::vector<int> persist_data(std::size_t n) {
  std::vector<int> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<int>((i * 37 + 11) % 1009) - 500;
  return out;
}

struct triple_fn {
  long operator()(int x) const { return 3L * x; }
};

struct level_case {
  const char* name;
  ln::storage::level level;
};
constexpr level_case levels[] = {
    {"memory", ln::storage::memory}, {"disk", ln::storage::disk}, {"memory_and_disk", ln::storage::memory_and_disk}};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("persist evaluates the upstream once for any number of actions and copies", "[persist][par]") {
  const auto data = persist_data(3000);
  std::vector<long> expected;
  for (int x : data) expected.push_back(3L * x);
  const long total = std::accumulate(expected.begin(), expected.end(), 0L);
  const auto positive = static_cast<std::size_t>(std::count_if(expected.begin(), expected.end(), [](long x) { return x > 0; }));

  for (const auto& [name, level] : levels) {
    INFO("level: " << name);
    // Temporary directories of the disk levels go to a scratch TMPDIR, removed afterwards.
    scratch_dir tmpdir;
    scoped_tmpdir env(tmpdir.path());
    std::atomic<std::size_t> calls{0};
    const auto p = ln::parallelize(data, 4) | ln::map(count_calls(calls, triple_fn{})) | ln::persist(level);
    CHECK(calls == 0);  // building does no work

    CHECK((p | ln::collect()) == expected);
    CHECK(calls == data.size());
    CHECK((p | ln::count()) == data.size());
    CHECK((p | ln::sum()) == total);
    CHECK((p | ln::collect(ln::par)) == expected);
    CHECK((p | ln::sum(ln::par(3))) == total);
    CHECK((p | ln::count(ln::par)) == data.size());
    CHECK(std::ranges::count_if(p, [](long x) { return x > 0; }) == static_cast<std::ptrdiff_t>(positive));
    std::vector<long> walked;
    for (long x : p) walked.push_back(x);
    CHECK(walked == expected);

    const auto copy = p;
    CHECK((copy | ln::collect()) == expected);
    CHECK((copy | ln::filter([](long x) { return x > 0; }) | ln::count(ln::par)) == positive);
    const auto downstream = p | ln::map([](long x) { return x + 1; });
    CHECK((downstream | ln::sum()) == total + static_cast<long>(data.size()));
    CHECK(calls == data.size());  // still once
  }
}

TEST_CASE("persist keeps the lineage: its type and explain show it, marked persist", "[persist][explain]") {
  const auto data = persist_data(100);
  const auto upstream = ln::parallelize(data, 2) | ln::filter([](int x) { return x > 0; }) | ln::map(triple_fn{});
  const auto p = upstream | ln::persist();
  static_assert(!std::is_same_v<std::remove_cvref_t<decltype(p)>, ln::checkpointed<long>>);
  static_assert(std::is_same_v<ln::element_t<decltype(p)>, long>);
  static_assert(ln::lineage_depth_v<decltype(p)> == ln::lineage_depth_v<decltype(upstream)>);
  static_assert(ln::lineage_depth_v<decltype(p | ln::map(triple_fn{}))> == 3);  // not cut

  const auto before = ln::explain(p);
  INFO(before);
  CHECK(contains(before, "parallelize<int>"));
  CHECK(contains(before, "filter"));
  CHECK(contains(before, "map"));
  CHECK(contains(before, "persist[memory]"));
  CHECK_FALSE(contains(before, "cached"));
  (void)(p | ln::count());
  const auto after = ln::explain(p | ln::map([](long x) { return x * 2; }));
  INFO(after);
  CHECK(contains(after, "filter"));
  CHECK(contains(after, "persist[memory, cached]"));
  CHECK(contains(ln::explain(upstream | ln::persist(ln::storage::disk)), "persist[disk]"));
  CHECK(contains(ln::explain(upstream | ln::persist(ln::storage::memory_and_disk)), "persist[memory_and_disk]"));
}

TEST_CASE("unpersist drops the memo of every copy: the next action recomputes", "[persist]") {
  const auto data = persist_data(500);
  std::vector<long> expected;
  for (int x : data) expected.push_back(3L * x);
  for (const auto& [name, level] : levels) {
    INFO("level: " << name);
    scratch_dir tmpdir;
    scoped_tmpdir env(tmpdir.path());
    std::atomic<std::size_t> calls{0};
    const auto p = data | ln::map(count_calls(calls, triple_fn{})) | ln::persist(level);
    const auto copy = p;
    CHECK((p | ln::collect()) == expected);
    CHECK((copy | ln::collect()) == expected);
    CHECK(calls == data.size());
    copy.unpersist();  // shared: p's memo is gone too
    CHECK_FALSE(contains(ln::explain(p), "cached"));
    CHECK((p | ln::collect()) == expected);
    CHECK(calls == 2 * data.size());
    CHECK((copy | ln::count()) == data.size());  // cached again, for both
    CHECK(calls == 2 * data.size());
    p.unpersist();
    p.unpersist();  // twice is fine
    CHECK((copy | ln::sum()) == std::accumulate(expected.begin(), expected.end(), 0L));
    CHECK(calls == 3 * data.size());
  }
}

TEST_CASE("the disk level's temporary directory lives as long as the last copy", "[persist][disk]") {
  const auto data = persist_data(400);
  std::vector<long> expected;
  for (int x : data) expected.push_back(3L * x);
  scratch_dir tmpdir;
  scoped_tmpdir env(tmpdir.path());
  REQUIRE(fs::equivalent(fs::temp_directory_path(), tmpdir.path()));
  using P = decltype(ln::parallelize(data, 3) | ln::map(triple_fn{}) | ln::persist(ln::storage::disk));

  for (const auto level : {ln::storage::disk, ln::storage::memory_and_disk}) {
    INFO("level: " << ln::storage::to_string(level));
    std::optional<P> a = ln::parallelize(data, 3) | ln::map(triple_fn{}) | ln::persist(level);
    CHECK(entries_named(tmpdir.path(), "lineage-persist-").empty());  // nothing before an action
    CHECK((*a | ln::collect()) == expected);
    const auto dirs = entries_named(tmpdir.path(), "lineage-persist-");
    REQUIRE(dirs.size() == 1);
    CHECK(ln::verify(dirs[0]).total_records() == data.size());  // a checkpoint of the data
    std::optional<P> b = *a;
    a.reset();
    CHECK(fs::exists(dirs[0]));  // b still uses it
    CHECK((*b | ln::collect()) == expected);
    b.reset();
    CHECK_FALSE(fs::exists(dirs[0]));
    CHECK(entries_named(tmpdir.path(), "lineage-persist-").empty());
  }

  // unpersist removes it at once; the next action makes a new one.
  const auto p = ln::parallelize(data, 3) | ln::map(triple_fn{}) | ln::persist(ln::storage::disk);
  (void)(p | ln::count());
  const auto first = entries_named(tmpdir.path(), "lineage-persist-");
  REQUIRE(first.size() == 1);
  p.unpersist();
  CHECK_FALSE(fs::exists(first[0]));
  CHECK((p | ln::collect()) == expected);
  CHECK(entries_named(tmpdir.path(), "lineage-persist-").size() == 1);

  // The memory level writes nothing.
  const auto m = ln::parallelize(data, 3) | ln::map(triple_fn{}) | ln::persist(ln::storage::memory);
  (void)(m | ln::count());
  CHECK(entries_named(tmpdir.path(), "lineage-persist-").size() == 1);
}

TEST_CASE("a lost disk copy is recomputed from the lineage", "[persist][disk]") {
  // DESIGN.md §1: persist memoizes "but keeps the lineage (recompute if evicted or lost)".
  const auto data = persist_data(400);
  std::vector<long> expected;
  for (int x : data) expected.push_back(3L * x);
  scratch_dir tmpdir;
  scoped_tmpdir env(tmpdir.path());
  std::atomic<std::size_t> calls{0};
  const auto p = ln::parallelize(data, 2) | ln::map(count_calls(calls, triple_fn{})) | ln::persist(ln::storage::disk);
  CHECK((p | ln::collect()) == expected);
  CHECK(calls == data.size());
  CHECK((p | ln::collect()) == expected);  // read back from the disk copy
  CHECK(calls == data.size());
  const auto dirs = entries_named(tmpdir.path(), "lineage-persist-");
  REQUIRE(dirs.size() == 1);
  fs::remove(partition_file(dirs[0], 1));
  std::vector<long> got;
  CHECK_NOTHROW(got = p | ln::collect());
  CHECK((got == expected));
  CHECK(calls == 2 * data.size());
}

TEST_CASE("an exception during the first evaluation caches nothing, the next action retries", "[persist]") {
  const auto data = persist_data(200);
  std::atomic<std::size_t> calls{0};
  std::atomic<bool> fail{true};
  const int poison = data[150];
  const auto flaky = count_calls(calls, [&fail, poison](int x) {
    if (fail && x == poison) throw std::runtime_error("flaky upstream");
    return 3L * x;
  });
  const auto p = data | ln::map(flaky) | ln::persist();
  CHECK_THROWS_WITH((p | ln::collect()), "flaky upstream");
  CHECK_FALSE(contains(ln::explain(p), "cached"));
  fail = false;
  calls = 0;
  CHECK((p | ln::count()) == data.size());
  CHECK(calls == data.size());
  CHECK((p | ln::count()) == data.size());
  CHECK(calls == data.size());
}

TEST_CASE("concurrent actions on copies of a persisted pipeline evaluate it once", "[persist][par]") {
  const auto data = persist_data(5000);
  const long total = std::accumulate(data.begin(), data.end(), 0L) * 3;
  std::atomic<std::size_t> calls{0};
  const auto p = ln::parallelize(data, 4) | ln::map(count_calls(calls, triple_fn{})) | ln::persist();
  std::vector<long> sums(6, 0);
  {
    std::vector<std::jthread> threads;
    for (std::size_t t = 0; t < sums.size(); ++t) {
      threads.emplace_back([p, &sums, t] { sums[t] = t % 2 == 0 ? (p | ln::sum()) : (p | ln::sum(ln::par(2))); });
    }
  }
  for (long s : sums) CHECK(s == total);
  CHECK(calls == data.size());
}

TEST_CASE("a persisted pipeline feeds a checkpoint without a second evaluation", "[persist][checkpoint]") {
  scratch_dir tmp;
  const auto data = persist_data(300);
  std::vector<long> expected;
  for (int x : data) expected.push_back(3L * x);
  std::atomic<std::size_t> calls{0};
  const auto p = ln::parallelize(data, 3) | ln::map(count_calls(calls, triple_fn{})) | ln::persist();
  const auto c = p | ln::checkpoint(tmp / "ck", fast());
  CHECK(calls == data.size());
  CHECK((c | ln::collect()) == expected);
  CHECK((p | ln::collect()) == expected);
  CHECK(calls == data.size());
  CHECK(c.partitions() == 3);
}

// persist at the memory level works for any element type, serializable or not.
namespace {
struct not_serializable {
  int value = 0;
  friend bool operator==(const not_serializable&, const not_serializable&) = default;
};
}  // namespace

TEST_CASE("persist of a type cereal cannot serialize: memory works, disk levels throw", "[persist]") {
  const std::vector<int> data{1, 2, 3};
  const auto make = [](int x) { return not_serializable{x}; };
  const std::vector<not_serializable> expected{{1}, {2}, {3}};
  CHECK((data | ln::map(make) | ln::persist() | ln::collect()) == expected);
  scratch_dir tmpdir;
  scoped_tmpdir env(tmpdir.path());
  CHECK_THROWS_AS((data | ln::map(make) | ln::persist(ln::storage::disk) | ln::collect()), std::invalid_argument);
  CHECK_THROWS_AS((data | ln::map(make) | ln::persist(ln::storage::memory_and_disk) | ln::count()),
                  std::invalid_argument);
  CHECK(entries_named(tmpdir.path(), "lineage-persist-").empty());
}
