// Pipeline-level checkpoint tests: ln::checkpoint's get-or-create (in this process and in
// another one), the type collapse that makes iterative loops compile, recovery and streaming,
// the lineage signature, local_checkpoint, explain, generations, element types, exceptions,
// and the repair of lost or damaged partitions. The oracles are hand loops and std algorithms.
#include "checkpoint_test_support.hpp"

#include <lineage/storage/testing/fault_file_system.hpp>

#include <cereal/types/map.hpp>
#include <cereal/types/optional.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/tuple.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/variant.hpp>
#include <cereal/types/vector.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

// Element types with a cereal serialize function (named namespaces: their names go into
// manifests).
namespace ckpt_types {

struct sample {
  std::string name;
  int id = 0;
  std::vector<double> values;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(name, id, values);
  }
  friend bool operator==(const sample&, const sample&) = default;
};

// Refuses to be saved when negative: an exception thrown while a partition is being written.
struct fragile {
  int value = 0;
  template <class Archive>
  void save(Archive& ar) const {
    if (value < 0) throw std::runtime_error("fragile: cannot save a negative value");
    ar(value);
  }
  template <class Archive>
  void load(Archive& ar) {
    ar(value);
  }
  friend bool operator==(const fragile&, const fragile&) = default;
};

// A type whose manifest name is pinned with storage::type_fingerprint (see archive.hpp).
struct pinned_point {
  int x = 0;
  int y = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(x, y);
  }
  friend bool operator==(const pinned_point&, const pinned_point&) = default;
};

}  // namespace ckpt_types

template <>
struct lineage::storage::type_fingerprint<ckpt_types::pinned_point> {
  static std::string name() { return "geo::point/v1"; }
};

using namespace ckpt_test;

namespace {

// Deterministic data: n ints in [0, 10007).
std::vector<int> ints(std::size_t n, int seed) {
  std::vector<int> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<int>((i * 7919 + static_cast<std::size_t>(seed) * 104729) % 10007);
  return out;
}

struct square_fn {
  long operator()(int x) const { return static_cast<long>(x) * x; }
};
struct not_multiple_of_3 {
  bool operator()(int x) const { return x % 3 != 0; }
};
// One step of the iterative tests; stays in [0, 10007).
int step(int x) { return (x * 31 + 7) % 10007; }

std::vector<long> oracle_filter_square(const std::vector<int>& data) {
  std::vector<long> out;
  for (int x : data) {
    if (x % 3 != 0) out.push_back(static_cast<long>(x) * x);
  }
  return out;
}

std::size_t count_passing(const std::vector<int>& data) {
  return static_cast<std::size_t>(std::count_if(data.begin(), data.end(), not_multiple_of_3{}));
}

// The checkpoint_error thrown by f, if any.
template <class F>
std::optional<ln::checkpoint_error> error_of(F&& f) {
  try {
    f();
  } catch (const ln::checkpoint_error& e) {
    return e;
  }
  return std::nullopt;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

template <class T>
std::vector<T> sorted(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// 1. get-or-create

TEST_CASE("checkpoint is get-or-create: the first call computes, the next ones recover", "[checkpoint]") {
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  const auto data = ints(1000, 1);
  const auto expected = oracle_filter_square(data);
  std::atomic<std::size_t> calls{0};
  const auto pipeline = data | ln::filter(not_multiple_of_3{}) | ln::map(count_calls(calls, square_fn{}));

  const auto first = pipeline | ln::checkpoint(dir, fast());
  CHECK(calls == count_passing(data));
  CHECK_FALSE(first.recovered());
  CHECK(first.path() == dir);
  CHECK(first.size() == expected.size());
  CHECK(first.partitions() == 1);
  CHECK((first | ln::collect()) == expected);

  calls = 0;
  const auto second = pipeline | ln::checkpoint(dir, fast());
  CHECK(calls == 0);
  CHECK(second.recovered());
  CHECK(second.size() == expected.size());
  CHECK((second | ln::collect()) == expected);

  // A new pipeline object of the same lineage, with ln::par: still recovered.
  calls = 0;
  const auto third =
      data | ln::filter(not_multiple_of_3{}) | ln::map(count_calls(calls, square_fn{})) | ln::checkpoint(dir, fast(), ln::par);
  CHECK(calls == 0);
  CHECK(third.recovered());
  CHECK((third | ln::collect(ln::par)) == expected);
}

TEST_CASE("get-or-create on a partitioned source under ln::par", "[checkpoint][par]") {
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  const auto data = ints(5000, 2);
  std::vector<long> expected;
  for (int x : data) expected.push_back(square_fn{}(x));
  std::atomic<std::size_t> calls{0};
  const auto pipeline = ln::parallelize(data, 6) | ln::map(count_calls(calls, square_fn{}));

  const auto first = pipeline | ln::checkpoint(dir, fast(), ln::par(3));
  CHECK(calls == data.size());
  CHECK(first.partitions() == 6);
  CHECK((first | ln::collect()) == expected);
  calls = 0;
  const auto second = pipeline | ln::checkpoint(dir, fast(), ln::par(3));
  CHECK(calls == 0);
  CHECK(second.recovered());
  CHECK(second.partitions() == 6);
  CHECK((second | ln::collect(ln::par)) == expected);
}

namespace {

// What a process reports after checkpointing the shared test pipeline.
struct process_report {
  std::size_t calls = 0;
  bool recovered = false;
  bool equal = false;
};

// The pipeline both processes build, each from its own copy of the data.
process_report checkpoint_in_this_process(const fs::path& dir) {
  const auto data = ints(600, 3);  // made again here: nothing is shared but the directory
  std::vector<long> expected;
  for (int x : data) expected.push_back(square_fn{}(x));
  std::atomic<std::size_t> calls{0};
  const auto c = ln::parallelize(data, 3) | ln::map(count_calls(calls, square_fn{})) | ln::checkpoint(dir, fast());
  return {calls.load(), c.recovered(), (c | ln::collect()) == expected};
}

// Runs checkpoint_in_this_process(dir) in a forked child; its report comes back through a pipe.
std::optional<process_report> checkpoint_in_child(const fs::path& dir) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {  // the child: only async-signal-safe exits, no Catch
    ::close(fds[0]);
    char line[128];
    int n = 0;
    try {
      const auto r = checkpoint_in_this_process(dir);
      n = std::snprintf(line, sizeof line, "%zu %d %d\n", r.calls, r.recovered ? 1 : 0, r.equal ? 1 : 0);
    } catch (...) {
      n = std::snprintf(line, sizeof line, "exception\n");
    }
    const bool written = n > 0 && ::write(fds[1], line, static_cast<std::size_t>(n)) == n;
    ::close(fds[1]);
    ::_exit(written ? 0 : 1);
  }
  ::close(fds[1]);
  std::string text;
  char buffer[128];
  for (ssize_t got; (got = ::read(fds[0], buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(got));
  ::close(fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  INFO("child output: " << text);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  process_report r;
  int recovered = 0, equal = 0;
  if (std::sscanf(text.c_str(), "%zu %d %d", &r.calls, &recovered, &equal) != 3) return std::nullopt;
  r.recovered = recovered != 0;
  r.equal = equal != 0;
  return r;
}

}  // namespace

TEST_CASE("get-or-create across processes: another process recovers without computing", "[checkpoint][process]") {
  scratch_dir tmp;
  SECTION("this process computes, a child recovers") {
    const auto dir = tmp / "parent-first";
    const auto mine = checkpoint_in_this_process(dir);
    CHECK(mine.calls == 600);
    CHECK_FALSE(mine.recovered);
    CHECK(mine.equal);
    const auto child = checkpoint_in_child(dir);
    REQUIRE(child);
    CHECK(child->calls == 0);
    CHECK(child->recovered);
    CHECK(child->equal);
  }
  SECTION("a child computes, this process recovers") {
    const auto dir = tmp / "child-first";
    const auto child = checkpoint_in_child(dir);
    REQUIRE(child);
    CHECK(child->calls == 600);
    CHECK_FALSE(child->recovered);
    CHECK(child->equal);
    const auto mine = checkpoint_in_this_process(dir);
    CHECK(mine.calls == 0);
    CHECK(mine.recovered);
    CHECK(mine.equal);
  }
}

// ---------------------------------------------------------------------------------------------
// 2. type collapse and iterative loops

TEST_CASE("checkpoint collapses every lineage to checkpointed<T> of depth 0", "[checkpoint][types]") {
  std::vector<int> v{1, 2, 3};
  std::vector<std::pair<std::string, int>> kv{{"a", 1}, {"b", 2}, {"a", 3}};
  const fs::path d;
  using narrow = decltype(v | ln::map(square_fn{}) | ln::filter([](long x) { return x > 1; }));
  using wide = decltype(kv | ln::map_values([](int x) { return x * 2; }) | ln::reduce_by_key(std::plus<>{}) |
                        ln::map_values([](int x) { return x + 1; }));
  using from_parallelize = decltype(ln::parallelize(v, 3) | ln::map([](int x) { return std::to_string(x); }));
  static_assert(std::is_same_v<decltype(std::declval<narrow>() | ln::checkpoint(d)), ln::checkpointed<long>>);
  static_assert(std::is_same_v<decltype(std::declval<wide>() | ln::checkpoint(d)),
                               ln::checkpointed<std::pair<std::string, int>>>);
  static_assert(std::is_same_v<decltype(std::declval<from_parallelize>() | ln::checkpoint(d)),
                               ln::checkpointed<std::string>>);
  static_assert(ln::lineage_depth_v<narrow> == 2 && ln::lineage_depth_v<wide> == 3);
  static_assert(ln::lineage_depth_v<decltype(std::declval<wide>() | ln::checkpoint(d))> == 0);
  static_assert(ln::stage_count_v<decltype(std::declval<wide>() | ln::checkpoint(d))> == 1);
  static_assert(std::is_same_v<decltype(std::declval<narrow>() | ln::local_checkpoint()), ln::checkpointed<long>>);
  SUCCEED("static_asserts above");
}

TEST_CASE("iterative loop of 1000 checkpoints into separate dirs equals the hand loop, and resumes",
          "[checkpoint][iterative]") {
  constexpr int iterations = 1000;
  const auto start = ints(16, 4);
  auto expected = start;
  for (int i = 0; i < iterations; ++i) {
    for (int& x : expected) x = step(x);
  }
  scratch_dir tmp;
  const auto run = [&](std::atomic<std::size_t>& calls) {
    ln::checkpointed<int> x = start | ln::local_checkpoint();
    for (int i = 0; i < iterations; ++i) {
      x = x | ln::map(count_calls(calls, step)) | ln::checkpoint(tmp / ("it-" + std::to_string(i)), fast());
    }
    return x;
  };
  std::atomic<std::size_t> calls{0};
  const auto x = run(calls);
  CHECK(calls == 16u * iterations);
  CHECK_FALSE(x.recovered());
  CHECK((x | ln::collect()) == expected);

  // The same loop again (a restarted program): every iteration's checkpoint matches its lineage
  // (same source identity: the previous iteration's content id), so nothing is computed.
  std::atomic<std::size_t> again{0};
  const auto y = run(again);
  CHECK(again == 0);
  CHECK(y.recovered());
  CHECK((y | ln::collect()) == expected);
}

TEST_CASE("iterative loop into one root: the source identity makes every iteration recompute",
          "[checkpoint][iterative]") {
  constexpr int iterations = 1000;
  const auto start = ints(16, 5);
  auto expected = start;
  for (int i = 0; i < iterations; ++i) {
    for (int& x : expected) x = step(x);
  }
  auto once = start;
  for (int& x : once) x = step(x);
  scratch_dir tmp;

  SECTION("identity = content (the default): iteration i reads iteration i-1's output") {
    const auto root = tmp / "root";
    std::atomic<std::size_t> calls{0};
    ln::checkpointed<int> x = start | ln::local_checkpoint();
    for (int i = 0; i < iterations; ++i) x = x | ln::map(count_calls(calls, step)) | ln::checkpoint(root, fast());
    CHECK(calls == 16u * iterations);
    CHECK((x | ln::collect()) == expected);
    CHECK(generation_dirs(root).size() == 1);  // keep_last = 1
    CHECK(ln::verify(root).total_records() == 16);
  }
  SECTION("identity = none: the signature is the same every iteration, so iteration 1 is reloaded forever") {
    // This is why the source identity exists (DESIGN.md §4): without it, dir + version alone
    // say "same lineage", and the loop silently stops progressing after its first iteration.
    const auto root = tmp / "root-none";
    auto options = fast();
    options.source_identity = ln::identity_policy::none;
    std::atomic<std::size_t> calls{0};
    ln::checkpointed<int> x = start | ln::local_checkpoint();
    for (int i = 0; i < iterations; ++i) x = x | ln::map(count_calls(calls, step)) | ln::checkpoint(root, options);
    CHECK(calls == 16);  // only the first iteration computed
    CHECK(x.recovered());
    CHECK((x | ln::collect()) == once);
    CHECK((x | ln::collect()) != expected);
  }
}

// ---------------------------------------------------------------------------------------------
// 3. continuing after recovery; open_checkpoint; verify

TEST_CASE("recover, open_checkpoint and verify on a multi-partition checkpoint", "[checkpoint][recover]") {
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  const auto data = ints(1003, 6);
  std::vector<long> squares;
  for (int x : data) squares.push_back(square_fn{}(x));
  const auto written = ln::parallelize(data, 5) | ln::map(square_fn{}) | ln::checkpoint(dir, fast());
  REQUIRE(written.partitions() == 5);

  const auto g = [](long x) { return x % 1000 + 1; };
  std::vector<long> continued;
  for (long x : squares) continued.push_back(g(x));

  SECTION("recover<T>(dir) continues the lineage") {
    const auto r = ln::recover<long>(dir);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(r)>, ln::checkpointed<long>>);
    CHECK(r.recovered());
    CHECK(r.partitions() == 5);
    CHECK(r.size() == data.size());
    CHECK(r.path() == dir);
    CHECK((r | ln::map(g) | ln::collect()) == continued);
    CHECK((r | ln::map(g) | ln::collect(ln::par)) == continued);
    CHECK((r | ln::sum()) == std::accumulate(squares.begin(), squares.end(), 0L));
    CHECK((ln::recover<long>(dir, ln::par) | ln::collect()) == squares);
  }
  SECTION("open_checkpoint<T>(dir) streams the same records") {
    const auto s = ln::open_checkpoint<long>(dir);
    CHECK(s.partitions() == 5);
    CHECK(ln::lineage_depth_v<decltype(s)> == 0);
    std::vector<long> got;
    for (auto&& x : s) got.push_back(x);
    CHECK(got == squares);
    CHECK((s | ln::collect()) == squares);
    CHECK((s | ln::map(g) | ln::collect(ln::par)) == continued);
    CHECK((s | ln::count()) == data.size());
    CHECK(contains(ln::explain(s), "open_checkpoint<long>"));
    CHECK(contains(ln::explain(s), "streamed"));
  }
  SECTION("verify(dir) returns the manifest") {
    const auto m = ln::verify(dir);
    CHECK(m.total_records() == data.size());
    CHECK(m.partitions.size() == 5);
    CHECK(m.element_type == "long");
    CHECK(m.partitioner == "none");
    CHECK(m.total_bytes() == written.bytes());
    CHECK(m.content_id == written.content_id());
    std::vector<std::size_t> sizes(5, 0);  // parallelize puts element j in partition j*5/n
    for (std::size_t j = 0; j < data.size(); ++j) ++sizes[j * 5 / data.size()];
    for (std::size_t i = 0; i < 5; ++i) CHECK(m.partitions[i].records == sizes[i]);
  }
  SECTION("verify, recover and open_checkpoint report a damaged partition") {
    const auto file = partition_file(dir, 3);
    flip_bit(file, payload_offset + 5);
    const auto verify_error = error_of([&] { ln::verify(dir); });
    REQUIRE(verify_error);
    CHECK(verify_error->reason() == ln::checkpoint_errc::checksum_mismatch);
    CHECK(contains(verify_error->what(), "part-00003"));
    const auto recover_error = error_of([&] { ln::recover<long>(dir); });
    REQUIRE(recover_error);
    CHECK(recover_error->reason() == ln::checkpoint_errc::checksum_mismatch);
    // The stream opens (the manifest is fine) and fails when it reaches partition 3.
    const auto s = ln::open_checkpoint<long>(dir);
    const auto stream_error = error_of([&] { (void)(s | ln::collect()); });
    REQUIRE(stream_error);
    CHECK(stream_error->reason() == ln::checkpoint_errc::checksum_mismatch);
  }
}

// ---------------------------------------------------------------------------------------------
// 4. the lineage signature

TEST_CASE("a different version tag recomputes and replaces, with on_mismatch = fail it throws",
          "[checkpoint][signature]") {
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  const auto data = ints(200, 7);
  std::vector<int> doubled, tripled;
  for (int x : data) {
    doubled.push_back(2 * x);
    tripled.push_back(3 * x);
  }
  std::atomic<std::size_t> calls{0};
  const auto twice = [](int x) { return 2 * x; };
  const auto thrice = [](int x) { return 3 * x; };

  const auto v1 = data | ln::map(count_calls(calls, twice)) | ln::checkpoint(dir, fast("v1"));
  CHECK(calls == data.size());
  CHECK(v1.version() == "v1");

  // The code changed (and its tag with it): recomputed and written over v1.
  calls = 0;
  const auto v2 = data | ln::map(count_calls(calls, thrice)) | ln::checkpoint(dir, fast("v2"));
  CHECK(calls == data.size());
  CHECK_FALSE(v2.recovered());
  CHECK((v2 | ln::collect()) == tripled);
  CHECK((ln::recover<int>(dir) | ln::collect()) == tripled);
  CHECK(ln::recover<int>(dir).version() == "v2");
  CHECK(ln::verify(dir).version == "v2");

  calls = 0;
  CHECK((data | ln::map(count_calls(calls, thrice)) | ln::checkpoint(dir, fast("v2"))).recovered());
  CHECK(calls == 0);

  // Without the tag change, a changed lambda is NOT detected (the signature cannot see code).
  calls = 0;
  const auto same_tag = data | ln::map(count_calls(calls, twice)) | ln::checkpoint(dir, fast("v2"));
  CHECK(calls == 0);
  CHECK((same_tag | ln::collect()) == tripled);

  SECTION("on_mismatch = fail throws signature_mismatch and leaves the checkpoint alone") {
    auto options = fast("v3");
    options.on_mismatch = ln::mismatch_policy::fail;
    calls = 0;
    const auto error = error_of([&] { (void)(data | ln::map(count_calls(calls, twice)) | ln::checkpoint(dir, options)); });
    REQUIRE(error);
    CHECK(error->reason() == ln::checkpoint_errc::signature_mismatch);
    CHECK(contains(error->what(), dir.string()));
    CHECK(calls == 0);
    CHECK((ln::recover<int>(dir) | ln::collect()) == tripled);
    // fail only concerns mismatches: the matching lineage still recovers.
    options.version = "v2";
    CHECK((data | ln::map(count_calls(calls, thrice)) | ln::checkpoint(dir, options)).recovered());
    CHECK(calls == 0);
  }
  SECTION("going back to v1 recomputes again") {
    calls = 0;
    const auto back = data | ln::map(count_calls(calls, twice)) | ln::checkpoint(dir, fast("v1"));
    CHECK(calls == data.size());
    CHECK((back | ln::collect()) == doubled);
  }
}

TEST_CASE("different source data recomputes", "[checkpoint][signature]") {
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  std::atomic<std::size_t> calls{0};

  SECTION("a borrowed vector changed in place between two checkpoints of one pipeline object") {
    auto data = ints(300, 8);
    const auto pipeline = data | ln::map(count_calls(calls, square_fn{}));
    (void)(pipeline | ln::checkpoint(dir, fast()));
    CHECK(calls == 300);
    data[150] += 1;
    calls = 0;
    const auto second = pipeline | ln::checkpoint(dir, fast());
    CHECK(calls == 300);
    CHECK_FALSE(second.recovered());
    CHECK((second | ln::collect())[150] == square_fn{}(data[150]));
  }
  SECTION("parallelize of other data") {
    auto data = ints(300, 9);
    (void)(ln::parallelize(data, 4) | ln::map(count_calls(calls, square_fn{})) | ln::checkpoint(dir, fast()));
    data.back() += 1;
    calls = 0;
    const auto second = ln::parallelize(data, 4) | ln::map(count_calls(calls, square_fn{})) | ln::checkpoint(dir, fast());
    CHECK(calls == 300);
    CHECK((second | ln::collect()).back() == square_fn{}(data.back()));
  }
  SECTION("a checkpointed source with other content") {
    const auto a = ints(50, 10) | ln::local_checkpoint();
    const auto b = ints(50, 11) | ln::local_checkpoint();
    (void)(a | ln::map(count_calls(calls, square_fn{})) | ln::checkpoint(dir, fast()));
    calls = 0;
    (void)(b | ln::map(count_calls(calls, square_fn{})) | ln::checkpoint(dir, fast()));
    CHECK(calls == 50);
    calls = 0;
    (void)(b | ln::map(count_calls(calls, square_fn{})) | ln::checkpoint(dir, fast()));
    CHECK(calls == 0);
  }
  SECTION("identity = none trusts dir + version: other data is NOT detected") {
    auto options = fast();
    options.source_identity = ln::identity_policy::none;
    (void)(ints(50, 12) | ln::map(count_calls(calls, square_fn{})) | ln::checkpoint(dir, options));
    calls = 0;
    const auto stale = ints(50, 13) | ln::map(count_calls(calls, square_fn{})) | ln::checkpoint(dir, options);
    CHECK(calls == 0);
    CHECK(stale.recovered());
  }
}

TEST_CASE("a join's right side is part of the signature", "[checkpoint][signature][join]") {
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  using kv = std::pair<int, int>;
  const std::vector<kv> left{{1, 10}, {2, 20}, {3, 30}, {4, 40}};
  const std::vector<kv> right{{1, 100}, {2, 200}, {3, 300}, {4, 400}};
  const auto oracle = [&](const std::vector<kv>& r) {
    std::vector<std::pair<int, std::pair<int, int>>> out;
    for (const auto& [k, v] : left) {
      for (const auto& [k2, w] : r) {
        if (k == k2) out.push_back({k, {v, w}});
      }
    }
    return out;
  };
  const auto even = [](const kv& p) { return p.first % 2 == 0; };
  std::vector<kv> right_even;
  std::copy_if(right.begin(), right.end(), std::back_inserter(right_even), even);

  SECTION("other data on the right") {
    auto other = right;
    (void)(left | ln::join(other) | ln::checkpoint(dir, fast()));
    other[0].second = 101;
    const auto second = left | ln::join(other) | ln::checkpoint(dir, fast());
    CHECK_FALSE(second.recovered());
    CHECK(sorted(second | ln::collect()) == sorted(oracle(other)));
  }
  SECTION("other operators on the right (same source, same element types)") {
    const auto filtered = left | ln::join(right | ln::filter(even)) | ln::checkpoint(dir, fast());
    CHECK(sorted(filtered | ln::collect()) == sorted(oracle(right_even)));
    // The right side no longer filters: another lineage, which must not load the filtered result.
    const auto unfiltered = left | ln::join(right) | ln::checkpoint(dir, fast());
    CHECK_FALSE(unfiltered.recovered());
    CHECK(sorted(unfiltered | ln::collect()) == sorted(oracle(right)));
  }
}

TEST_CASE("sort direction is part of the signature", "[checkpoint][signature]") {
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  const auto data = ints(100, 14);
  const auto key = [](int x) { return x; };
  auto up = data;
  std::stable_sort(up.begin(), up.end());
  auto down = up;
  std::reverse(down.begin(), down.end());
  CHECK((data | ln::sort_by(key) | ln::checkpoint(dir, fast()) | ln::collect()) == up);
  const auto second = data | ln::sort_by(key, ln::descending) | ln::checkpoint(dir, fast());
  CHECK_FALSE(second.recovered());
  CHECK((second | ln::collect()) == down);
}

TEST_CASE("durable and keep_last do not change the signature", "[checkpoint][signature]") {
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  const auto data = ints(100, 15);
  std::atomic<std::size_t> calls{0};
  (void)(data | ln::map(count_calls(calls, square_fn{})) | ln::checkpoint(dir, fast()));
  ln::checkpoint_options durable;
  durable.keep_last = 3;
  calls = 0;
  const auto again = data | ln::map(count_calls(calls, square_fn{})) | ln::checkpoint(dir, durable);
  CHECK(calls == 0);
  CHECK(again.recovered());
}

TEST_CASE("another element type in the same dir: type_mismatch with fail, recomputed otherwise",
          "[checkpoint][signature]") {
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  const auto data = ints(100, 16);
  std::vector<std::string> strings;
  for (int x : data) strings.push_back(std::to_string(x));
  (void)(data | ln::map([](int x) { return x + 1; }) | ln::checkpoint(dir, fast()));
  std::atomic<std::size_t> calls{0};
  const auto to_string = count_calls(calls, [](int x) { return std::to_string(x); });

  auto options = fast();
  options.on_mismatch = ln::mismatch_policy::fail;
  const auto error = error_of([&] { (void)(data | ln::map(to_string) | ln::checkpoint(dir, options)); });
  REQUIRE(error);
  CHECK(error->reason() == ln::checkpoint_errc::type_mismatch);
  CHECK(contains(error->what(), dir.string()));
  CHECK(calls == 0);
  CHECK(ln::recover<int>(dir).size() == data.size());  // untouched

  const auto replaced = data | ln::map(to_string) | ln::checkpoint(dir, fast());
  CHECK(calls == data.size());
  CHECK_FALSE(replaced.recovered());
  CHECK((ln::recover<std::string>(dir) | ln::collect()) == strings);
  const auto wrong = error_of([&] { ln::recover<int>(dir); });
  REQUIRE(wrong);
  CHECK(wrong->reason() == ln::checkpoint_errc::type_mismatch);
}

TEST_CASE("recover errors: not_found and type_mismatch name the path", "[checkpoint][recover]") {
  scratch_dir tmp;
  const auto missing = tmp / "never-written";
  const auto e1 = error_of([&] { ln::recover<int>(missing); });
  REQUIRE(e1);
  CHECK(e1->reason() == ln::checkpoint_errc::not_found);
  CHECK(contains(e1->what(), missing.string()));

  const auto empty = tmp / "empty";
  fs::create_directories(empty);
  const auto e2 = error_of([&] { ln::recover<int>(empty); });
  REQUIRE(e2);
  CHECK(e2->reason() == ln::checkpoint_errc::not_found);
  CHECK(contains(e2->what(), empty.string()));
  const auto e3 = error_of([&] { ln::verify(empty); });
  REQUIRE(e3);
  CHECK(e3->reason() == ln::checkpoint_errc::not_found);
  const auto e4 = error_of([&] { ln::open_checkpoint<int>(empty); });
  REQUIRE(e4);
  CHECK(e4->reason() == ln::checkpoint_errc::not_found);

  const auto dir = tmp / "ck";
  (void)(ints(10, 17) | ln::checkpoint(dir, fast()));
  for (const auto& e : {error_of([&] { ln::recover<long>(dir); }), error_of([&] { ln::recover<std::string>(dir); }),
                        error_of([&] { ln::open_checkpoint<double>(dir); })}) {
    REQUIRE(e);
    CHECK(e->reason() == ln::checkpoint_errc::type_mismatch);
    CHECK(contains(e->what(), dir.string()));
  }
  CHECK(ln::recover<int>(dir).size() == 10);
}

// ---------------------------------------------------------------------------------------------
// 5. local_checkpoint (persist is in persist_test.cpp)

TEST_CASE("local_checkpoint cuts the lineage in memory", "[checkpoint][local]") {
  const auto data = ints(500, 18);
  const auto expected = oracle_filter_square(data);
  std::atomic<std::size_t> calls{0};
  const auto local = data | ln::filter(not_multiple_of_3{}) | ln::map(count_calls(calls, square_fn{})) | ln::local_checkpoint();
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(local)>, ln::checkpointed<long>>);
  static_assert(ln::lineage_depth_v<decltype(local)> == 0);
  CHECK(calls == count_passing(data));
  CHECK(local.path().empty());
  CHECK_FALSE(local.recovered());
  CHECK(local.size() == expected.size());
  for (int run = 0; run < 3; ++run) CHECK((local | ln::collect()) == expected);
  CHECK((local | ln::count(ln::par)) == expected.size());
  CHECK(calls == count_passing(data));  // materialized once: actions never recompute
  const auto text = ln::explain(local | ln::map([](long x) { return x + 1; }));
  CHECK(contains(text, "local_checkpoint<long>"));
  CHECK_FALSE(contains(text, "filter"));

  const auto parts = ln::parallelize(data, 4) | ln::map(square_fn{}) | ln::local_checkpoint(ln::par);
  CHECK(parts.partitions() == 4);
  CHECK(parts.partitioner() == "none");
  std::vector<std::pair<int, int>> kv;
  for (int x : data) kv.emplace_back(x % 7, 1);
  const auto keyed = ln::parallelize(kv, 4) | ln::reduce_by_key(std::plus<>{}) | ln::local_checkpoint();
  CHECK(keyed.partitioner() == "hash:4");
}

// ---------------------------------------------------------------------------------------------
// 6. explain

TEST_CASE("explain of a checkpoint shows its path, records, bytes and origin", "[checkpoint][explain]") {
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  const auto data = ints(321, 19);
  const auto expected = oracle_filter_square(data);
  const auto pipeline = ln::parallelize(data, 3) | ln::filter(not_multiple_of_3{}) | ln::map(square_fn{});
  const auto computed = pipeline | ln::checkpoint(dir, fast());
  const auto m = ln::verify(dir);
  CHECK(computed.bytes() == m.total_bytes());
  CHECK(computed.bytes() > 0);
  const auto text = ln::explain(computed);
  INFO(text);
  CHECK(contains(text, "checkpoint<long>"));
  CHECK(contains(text, dir.string()));
  CHECK(contains(text, std::to_string(expected.size()) + " records"));
  CHECK(contains(text, std::to_string(m.total_bytes()) + " bytes"));
  CHECK(contains(text, "3 partitions"));
  CHECK(contains(text, "computed"));
  CHECK_FALSE(contains(text, "recovered"));

  const auto recovered = pipeline | ln::checkpoint(dir, fast());
  const auto again = ln::explain(recovered);
  INFO(again);
  CHECK(contains(again, "recovered"));
  CHECK_FALSE(contains(again, "computed"));
  CHECK(contains(again, std::to_string(expected.size()) + " records"));

  // Downstream of a checkpoint the plan starts at the checkpoint: the upstream ops are gone.
  const auto downstream = ln::explain(recovered | ln::map([](long x) { return x / 2; }));
  INFO(downstream);
  CHECK(downstream.starts_with("stage 1: checkpoint<long> -> map"));
  // Only the note of what produced the data (manifest format 3) names them, after the plan.
  const auto plan = downstream.substr(0, downstream.find("[produced by: "));
  CHECK_FALSE(contains(plan, "filter"));
  CHECK_FALSE(contains(plan, "parallelize"));
  CHECK(contains(downstream, "[produced by: " + ln::explain(pipeline).substr(0, 17)));
}

// ---------------------------------------------------------------------------------------------
// 7. generations: keep_last, remove_checkpoint

TEST_CASE("keep_last = 2 keeps two generations, the previous one stays readable", "[checkpoint][lifecycle]") {
  scratch_dir tmp;
  const auto root = tmp / "root";
  auto options = fast();
  options.keep_last = 2;
  ln::checkpointed<int> x = ints(16, 20) | ln::local_checkpoint();
  std::vector<lineage::storage::manifest> manifests;
  std::vector<std::vector<int>> contents;
  for (int i = 0; i < 12; ++i) {
    x = x | ln::map(step) | ln::checkpoint(root, options);
    const auto gens = generation_dirs(root);
    CHECK(gens.size() == std::min<std::size_t>(static_cast<std::size_t>(i) + 1, 2));
    const auto m = ln::verify(root);
    CHECK(gens.back().filename() == "g" + std::to_string(m.generation));
    manifests.push_back(m);
    contents.push_back(x | ln::collect());
    if (i >= 1) {  // the previous generation, through its own manifest (a reader that read it before)
      CHECK(lineage::storage::load_partition<int>(root, manifests[i - 1], 0) == contents[i - 1]);
    }
    if (i >= 2) {  // two generations ago: deleted
      const auto gone = error_of([&] { lineage::storage::load_partition<int>(root, manifests[i - 2], 0); });
      REQUIRE(gone);
      CHECK(gone->reason() == ln::checkpoint_errc::not_found);
    }
  }
  // Back to keep_last = 1: the next commit leaves one.
  x = x | ln::map(step) | ln::checkpoint(root, fast());
  CHECK(generation_dirs(root).size() == 1);
}

TEST_CASE("generations are deleted only after the new one commits", "[checkpoint][lifecycle]") {
  // A record that cannot be saved makes the writer fail after it created its generation
  // directory: the previous generation must still be there, and the failed one gone.
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  std::vector<int> good{1, 2, 3, 4};
  const auto to_fragile = [](int x) { return ckpt_types::fragile{x}; };
  (void)(good | ln::map(to_fragile) | ln::checkpoint(dir, fast()));
  const auto before = generation_dirs(dir);
  REQUIRE(before.size() == 1);
  std::vector<int> bad{5, 6, -7, 8};
  CHECK_THROWS_WITH((bad | ln::map(to_fragile) | ln::checkpoint(dir, fast())), Catch::Contains("cannot save"));
  CHECK(generation_dirs(dir) == before);
  CHECK_FALSE(fs::exists(dir / "MANIFEST.tmp"));
  const auto old = ln::recover<ckpt_types::fragile>(dir) | ln::collect();
  CHECK(old == (good | ln::map(to_fragile) | ln::collect()));
}

TEST_CASE("remove_checkpoint: recover then finds nothing, the next checkpoint computes", "[checkpoint][lifecycle]") {
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  const auto data = ints(64, 21);
  std::atomic<std::size_t> calls{0};
  (void)(data | ln::map(count_calls(calls, square_fn{})) | ln::checkpoint(dir, fast()));
  ln::remove_checkpoint(dir);
  CHECK_FALSE(fs::exists(dir));
  const auto error = error_of([&] { ln::recover<long>(dir); });
  REQUIRE(error);
  CHECK(error->reason() == ln::checkpoint_errc::not_found);
  calls = 0;
  const auto again = data | ln::map(count_calls(calls, square_fn{})) | ln::checkpoint(dir, fast());
  CHECK(calls == data.size());
  CHECK_FALSE(again.recovered());

  // A user's own file in the directory stays; the checkpoint goes.
  write_bytes(dir / "notes.txt", {'h', 'i'});
  ln::remove_checkpoint(dir);
  CHECK(fs::exists(dir / "notes.txt"));
  CHECK(generation_dirs(dir).empty());
  CHECK_FALSE(fs::exists(dir / "MANIFEST"));
  const auto after_remove = error_of([&] { ln::recover<long>(dir); });
  REQUIRE(after_remove);
  CHECK(after_remove->reason() == ln::checkpoint_errc::not_found);
  ln::remove_checkpoint(tmp / "does-not-exist");  // nothing to do, no error
}

// ---------------------------------------------------------------------------------------------
// 8. element types

namespace {

// Checkpoints `data` through a pipeline (3 partitions), recovers it, and checkpoints it again.
template <class T>
void check_round_trip(const std::vector<T>& data, const std::string& what) {
  INFO("element type: " << what);
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  std::atomic<std::size_t> calls{0};
  const auto pipeline = ln::parallelize(data, 3) | ln::map(count_calls(calls, [](const T& x) { return x; }));
  const auto written = pipeline | ln::checkpoint(dir, fast());
  CHECK(calls == data.size());
  CHECK((written | ln::collect()) == data);
  const auto recovered = ln::recover<T>(dir);
  CHECK(recovered.partitions() == 3);
  CHECK((recovered | ln::collect()) == data);
  CHECK((ln::open_checkpoint<T>(dir) | ln::collect()) == data);
  calls = 0;
  const auto again = pipeline | ln::checkpoint(dir, fast());
  CHECK(calls == 0);
  CHECK(again.recovered());
  CHECK((again | ln::collect()) == data);
  CHECK(ln::verify(dir).total_records() == data.size());
}

}  // namespace

TEST_CASE("element types round trip through checkpoint and recover", "[checkpoint][types]") {
  check_round_trip<int>({1, -2, 3, 0, 2147483647, -2147483647 - 1}, "int");
  check_round_trip<double>({0.5, -1e300, 3.25, 0.0, 1e-310}, "double");
  check_round_trip<std::string>({"", "a", std::string(1000, 'x'), std::string("with\0nul", 8), "ünïcödé"}, "std::string");
  check_round_trip<std::pair<std::string, int>>({{"a", 1}, {"", -2}, {"ccc", 3}}, "pair<string,int>");
  check_round_trip<std::tuple<int, std::string, double>>({{1, "one", 1.5}, {2, "", -2.5}, {3, "three", 0}},
                                                         "tuple<int,string,double>");
  check_round_trip<std::vector<int>>({{}, {1}, {1, 2, 3}, std::vector<int>(500, 7)}, "vector<int>");
  check_round_trip<std::map<std::string, int>>({{}, {{"a", 1}}, {{"x", -1}, {"y", 2}, {"z", 3}}}, "map<string,int>");
  check_round_trip<std::optional<int>>({std::nullopt, 1, std::nullopt, -5}, "optional<int>");
  check_round_trip<std::variant<int, std::string>>({1, std::string("two"), 3, std::string()}, "variant<int,string>");
  check_round_trip<ckpt_types::sample>({{"a", 1, {1.5, 2.5}}, {"", 0, {}}, {"c", -3, {0.25}}}, "user struct");
  check_round_trip<int>({}, "int, empty");
  check_round_trip<std::string>({"only"}, "string, fewer records than partitions");
}

TEST_CASE("a type pinned with storage::type_fingerprint checkpoints and recovers", "[checkpoint][types]") {
  // storage::type_fingerprint<T> names T in manifests (archive.hpp). The pipeline layer must
  // write and compare the same name the storage layer reads, or recover<T> and get-or-create
  // both fail for such a type.
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  const std::vector<int> data{1, 2, 3, 4, 5, 6};
  std::vector<ckpt_types::pinned_point> expected;
  for (int x : data) expected.push_back({x, -x});
  std::atomic<std::size_t> calls{0};
  const auto pipeline =
      ln::parallelize(data, 2) | ln::map(count_calls(calls, [](int x) { return ckpt_types::pinned_point{x, -x}; }));
  const auto written = pipeline | ln::checkpoint(dir, fast());
  CHECK(calls == data.size());
  CHECK(ln::verify(dir).element_type == "geo::point/v1");
  const auto recovered = error_of([&] { CHECK((ln::recover<ckpt_types::pinned_point>(dir) | ln::collect()) == expected); });
  CHECK_FALSE(recovered.has_value());
  calls = 0;
  const auto again = pipeline | ln::checkpoint(dir, fast());
  CHECK(calls == 0);
  CHECK(again.recovered());
  CHECK(again.repaired_partitions().empty());

  // persist's disk level writes its copy through the same storage layer.
  scratch_dir tmpdir;
  scoped_tmpdir env(tmpdir.path());
  calls = 0;
  const auto persisted = pipeline | ln::persist(ln::storage::disk);
  CHECK((persisted | ln::collect()) == expected);
  CHECK_NOTHROW((void)(persisted | ln::count()));  // read back from the disk copy
  CHECK(calls == data.size());
}

// ---------------------------------------------------------------------------------------------
// 9. exceptions upstream

TEST_CASE("an exception upstream leaves the previous checkpoint intact and nothing new visible",
          "[checkpoint][exceptions]") {
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  const auto data = ints(400, 22);
  std::vector<long> squares;
  for (int x : data) squares.push_back(square_fn{}(x));
  (void)(ln::parallelize(data, 4) | ln::map(square_fn{}) | ln::checkpoint(dir, fast("v1")));
  const auto before = generation_dirs(dir);
  const auto manifest_before = ln::verify(dir);

  std::atomic<std::size_t> calls{0};
  const auto throwing = count_calls(calls, [](int x) -> long {
    if (x == 4242 % 10007) throw std::runtime_error("user function failed");
    return -static_cast<long>(x);
  });
  std::vector<int> poisoned = data;
  poisoned[poisoned.size() / 2] = 4242;
  const auto attempt = [&](auto policy) {
    CHECK_THROWS_WITH(
        (ln::parallelize(poisoned, 4) | ln::map(throwing) | ln::checkpoint(dir, fast("v2"), policy)),
        Catch::Contains("user function failed"));
  };
  SECTION("seq") { attempt(ln::seq); }
  SECTION("par") { attempt(ln::par(3)); }
  CHECK(calls > 0);
  CHECK(generation_dirs(dir) == before);
  CHECK_FALSE(fs::exists(dir / "MANIFEST.tmp"));
  CHECK(ln::verify(dir) == manifest_before);
  CHECK((ln::recover<long>(dir) | ln::collect()) == squares);
  CHECK(ln::recover<long>(dir).version() == "v1");
}

// ---------------------------------------------------------------------------------------------
// 9b. faults through checkpoint_options::file_system (storage::testing::fault_file_system)
//
// A durable checkpoint of version v1 is replaced by one of v2, and the fault file system stops
// the replacement at its k-th operation, for every k: by a power loss (unsynced data and
// directory entries lost) or an I/O error. The same pipeline run again must then return v2's
// data (the oracle: a hand loop), leave a checkpoint that verifies, and recover it on the next
// run, in memory or left on disk.

namespace st = lineage::storage;

namespace {

std::vector<long> triples_of_evens(const std::vector<int>& data) {
  std::vector<long> out;
  for (const int x : data) {
    if (x % 2 == 0) out.push_back(3L * x);
  }
  return out;
}

struct fault_sweep {
  bool keep_in_memory;
  st::testing::fault_kind kind;

  ln::checkpoint_options options(st::testing::fault_file_system& faults, std::string version) const {
    ln::checkpoint_options o;
    o.version = std::move(version);
    o.keep_in_memory = keep_in_memory;
    o.file_system = &faults;
    return o;
  }
  // v1 committed, then the fault armed at `at` (0: none) for the write of v2; returns how many
  // operations that write made and whether the fault stopped it.
  std::pair<std::uint64_t, bool> replace(const fs::path& root, const fs::path& scratch,
                                         const std::vector<int>& data, std::uint64_t at) const {
    st::testing::fault_file_system faults(root, scratch);
    const auto dir = root / "ck";
    const auto pipeline = [&] { return ln::parallelize(data, 3) | ln::filter([](int x) { return x % 2 == 0; }); };
    (void)(pipeline() | ln::map([](int x) { return 3L * x; }) | ln::checkpoint(dir, options(faults, "v1")));
    const auto before = faults.operation_count();
    if (at != 0) faults.arm(kind, at);
    bool stopped = false;
    try {
      (void)(pipeline() | ln::map([](int x) { return 3L * x; }) | ln::checkpoint(dir, options(faults, "v2")));
    } catch (const st::testing::simulated_crash&) {
      // (the writer ignores failures while it deletes the old generation, after its commit:
      // faults.crashed() below says whether the crash struck)
    } catch (const ln::checkpoint_error& e) {
      CHECK(e.reason() == ln::checkpoint_errc::io_error);
      stopped = true;
    }
    const auto made = faults.operation_count() - before;
    if (kind == st::testing::fault_kind::crash) {
      stopped = faults.crashed();
      faults.simulate_crash();
    }
    faults.disarm();
    faults.clear_sync_failures();

    // The rerun, through the same file system: v2's data, then recovered as is.
    const auto expected = triples_of_evens(data);
    const auto rerun = [&] {
      return pipeline() | ln::map([](int x) { return 3L * x; }) | ln::checkpoint(dir, options(faults, "v2"));
    };
    const auto first = rerun();
    CHECK((first | ln::collect()) == expected);
    CHECK(first.in_memory() == keep_in_memory);
    CHECK(st::verify(dir).version == "v2");
    // The recovery reads through the fault file system too (the manifest; and, left on disk,
    // every partition when an action runs them).
    const auto before_reads = faults.operation_count();
    const auto second = rerun();
    CHECK(second.recovered());
    const auto after_get_or_create = faults.operation_count();
    CHECK(after_get_or_create > before_reads);
    CHECK((second | ln::collect()) == expected);
    CHECK((faults.operation_count() > after_get_or_create) == !keep_in_memory);
    return {made, stopped};
  }
};

void sweep_every_operation(const fault_sweep& sweep) {
  const auto data = ints(300, 31);
  std::uint64_t total = 0;
  {
    scratch_dir tmp;
    fs::create_directories(tmp / "root");
    total = sweep.replace(tmp / "root", tmp / "scratch", data, 0).first;
  }
  REQUIRE(total > 10);
  std::uint64_t stopped = 0;
  for (std::uint64_t k = 1; k <= total; ++k) {
    INFO("fault at operation " << k << " of " << total);
    scratch_dir tmp;
    fs::create_directories(tmp / "root");
    stopped += sweep.replace(tmp / "root", tmp / "scratch", data, k).second ? 1 : 0;
  }
  // A power loss strikes wherever it is armed; an I/O error may hit a clean-up step that does
  // not fail the write, but most operations' errors reach the caller.
  if (sweep.kind == st::testing::fault_kind::crash) {
    CHECK(stopped == total);
  } else {
    CHECK(stopped * 2 > total);
  }
}

}  // namespace

TEST_CASE("checkpoint_options::file_system: a power loss at any operation, then a rerun, gives the new data",
          "[checkpoint][crash]") {
  SECTION("kept in memory") { sweep_every_operation({true, st::testing::fault_kind::crash}); }
  SECTION("left on disk") { sweep_every_operation({false, st::testing::fault_kind::crash}); }
}

TEST_CASE("checkpoint_options::file_system: an I/O error at any operation is io_error; a rerun gives the new data",
          "[checkpoint][crash]") {
  SECTION("kept in memory") { sweep_every_operation({true, st::testing::fault_kind::eio}); }
  SECTION("left on disk") { sweep_every_operation({false, st::testing::fault_kind::enospc}); }
}

// ---------------------------------------------------------------------------------------------
// 10. partition repair and key partitioning

TEST_CASE("a lost or damaged partition is recomputed alone from the lineage", "[checkpoint][repair]") {
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  const std::size_t n = 400;
  const auto data = ints(n, 23);
  std::vector<long> squares;
  for (int x : data) squares.push_back(square_fn{}(x));
  const std::vector<int> partition_2(data.begin() + n / 2, data.begin() + 3 * n / 4);  // parallelize's slices

  std::mutex mutex;
  std::vector<int> seen;
  const auto recording_square = [&](int x) {
    std::lock_guard lock(mutex);
    seen.push_back(x);
    return square_fn{}(x);
  };
  const auto checkpoint_it = [&](auto policy) {
    return ln::parallelize(data, 4) | ln::map(recording_square) | ln::checkpoint(dir, fast(), policy);
  };
  REQUIRE(checkpoint_it(ln::seq).partitions() == 4);
  REQUIRE(seen.size() == n);

  const auto check_repaired = [&](auto policy, const char* name) {
    INFO(name);
    seen.clear();
    const auto repaired = checkpoint_it(policy);
    CHECK(seen.size() == n / 4);
    CHECK(sorted(seen) == sorted(partition_2));
    CHECK(repaired.repaired_partitions() == std::vector<std::size_t>{2});
    CHECK((repaired | ln::collect()) == squares);
    CHECK(contains(ln::explain(repaired), "1 repaired"));
    // The rewritten checkpoint is whole again: the next call computes nothing.
    CHECK_NOTHROW(ln::verify(dir));
    seen.clear();
    const auto next = checkpoint_it(policy);
    CHECK(seen.empty());
    CHECK(next.repaired_partitions().empty());
    CHECK((next | ln::collect()) == squares);
  };

  SECTION("deleted partition file") {
    fs::remove(partition_file(dir, 2));
    const auto error = error_of([&] { ln::recover<long>(dir); });
    REQUIRE(error);
    CHECK(error->reason() == ln::checkpoint_errc::not_found);
    CHECK(contains(error->what(), "part-00002"));
    CHECK(error->path().filename() == "part-00002");
    check_repaired(ln::seq, "seq");
  }
  SECTION("bit flip in a partition's payload") {
    flip_bit(partition_file(dir, 2), payload_offset + 17);
    const auto error = error_of([&] { ln::recover<long>(dir); });
    REQUIRE(error);
    CHECK(error->reason() == ln::checkpoint_errc::checksum_mismatch);
    CHECK(contains(error->what(), "part-00002"));
    check_repaired(ln::par(3), "par");
  }
  SECTION("truncated partition file") {
    const auto file = partition_file(dir, 2);
    fs::resize_file(file, fs::file_size(file) - 10);
    check_repaired(ln::seq, "seq");
  }
  SECTION("with on_mismatch = fail the damage is reported, not repaired") {
    fs::remove(partition_file(dir, 2));
    auto options = fast();
    options.on_mismatch = ln::mismatch_policy::fail;
    seen.clear();
    const auto error = error_of([&] { (void)(ln::parallelize(data, 4) | ln::map(recording_square) | ln::checkpoint(dir, options)); });
    REQUIRE(error);
    CHECK(error->reason() == ln::checkpoint_errc::not_found);
    CHECK(contains(error->what(), "part-00002"));
    CHECK(seen.empty());
  }
}

TEST_CASE("a damaged manifest is recomputed (recompute) or reported (fail)", "[checkpoint][repair]") {
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  const auto data = ints(100, 24);
  std::atomic<std::size_t> calls{0};
  (void)(data | ln::map(count_calls(calls, square_fn{})) | ln::checkpoint(dir, fast()));
  flip_bit(dir / "MANIFEST", 30);
  auto options = fast();
  options.on_mismatch = ln::mismatch_policy::fail;
  calls = 0;
  const auto error = error_of([&] { (void)(data | ln::map(count_calls(calls, square_fn{})) | ln::checkpoint(dir, options)); });
  REQUIRE(error);
  CHECK(error->reason() == ln::checkpoint_errc::checksum_mismatch);
  CHECK(calls == 0);
  const auto again = data | ln::map(count_calls(calls, square_fn{})) | ln::checkpoint(dir, fast());
  CHECK(calls == data.size());
  CHECK_FALSE(again.recovered());
  CHECK_NOTHROW(ln::verify(dir));
}

TEST_CASE("repair after a shuffle: the lost partition's stage reruns, data equal", "[checkpoint][repair][wide]") {
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  std::vector<std::pair<int, int>> kv;
  for (int x : ints(1000, 25)) kv.emplace_back(x % 37, x);
  std::map<int, long> oracle;
  for (const auto& [k, v] : kv) oracle[k] += v;
  const std::vector<std::pair<int, long>> expected(oracle.begin(), oracle.end());
  std::atomic<std::size_t> calls{0};
  const auto widen = count_calls(calls, [](const std::pair<int, int>& p) { return std::pair<int, long>(p.first, p.second); });
  const auto pipeline = ln::parallelize(kv, 4) | ln::map(widen) | ln::reduce_by_key(std::plus<>{});
  const auto written = pipeline | ln::checkpoint(dir, fast());
  CHECK(sorted(written | ln::collect()) == expected);
  fs::remove(partition_file(dir, 1));
  calls = 0;
  const auto repaired = pipeline | ln::checkpoint(dir, fast());
  CHECK(repaired.repaired_partitions() == std::vector<std::size_t>{1});
  CHECK(calls == kv.size());  // the stage before the shuffle runs whole, once
  CHECK(sorted(repaired | ln::collect()) == expected);
  CHECK(repaired.partitioner() == "hash:4");
}

TEST_CASE("a keyed checkpoint records its partitioner and stays correct downstream", "[checkpoint][keyed]") {
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  std::vector<std::pair<std::string, int>> kv;
  for (int x : ints(2000, 26)) kv.emplace_back("k" + std::to_string(x % 53), x % 100);
  std::map<std::string, int> sums;
  for (const auto& [k, v] : kv) sums[k] += v;
  const std::vector<std::pair<std::string, int>> expected(sums.begin(), sums.end());

  const auto written = ln::parallelize(kv, 4) | ln::reduce_by_key(std::plus<>{}) | ln::checkpoint(dir, fast());
  CHECK(written.partitioner() == "hash:4");
  CHECK(ln::verify(dir).partitioner == "hash:4");
  const auto r = ln::recover<std::pair<std::string, int>>(dir);
  CHECK(r.partitioner() == "hash:4");
  CHECK(sorted(r | ln::collect()) == expected);

  // Fed to by-key operators again (in place when the partition counts agree, shuffled otherwise).
  CHECK(sorted(r | ln::reduce_by_key(std::plus<>{}) | ln::collect()) == expected);
  CHECK(sorted(r | ln::reduce_by_key(std::plus<>{}) | ln::collect(ln::par)) == expected);
  CHECK(sorted(r | ln::reduce_by_key(std::plus<>{}, ln::partitioner{3}) | ln::collect()) == expected);
  std::vector<std::pair<std::string, int>> doubled;
  for (const auto& [k, v] : expected) doubled.emplace_back(k, 2 * v);
  CHECK(sorted(r | ln::map_values([](int v) { return 2 * v; }) | ln::reduce_by_key(std::plus<>{}) | ln::collect()) ==
        doubled);
  // Re-keyed data loses the partitioning: the by-key operator must shuffle.
  std::map<std::string, int> by_first_letter;
  for (const auto& [k, v] : expected) by_first_letter[k.substr(0, 2)] += v;
  const std::vector<std::pair<std::string, int>> rekeyed(by_first_letter.begin(), by_first_letter.end());
  CHECK(sorted(r | ln::map([](const std::pair<std::string, int>& p) { return std::pair(p.first.substr(0, 2), p.second); }) |
               ln::reduce_by_key(std::plus<>{}) | ln::collect()) == rekeyed);
  // A filter keeps the partitioner in the next checkpoint; a map does not.
  const auto filtered = r | ln::filter([](const auto& p) { return p.second % 2 == 0; }) | ln::checkpoint(tmp / "f", fast());
  CHECK(filtered.partitioner() == "hash:4");
  const auto mapped = r | ln::map([](const auto& p) { return p; }) | ln::checkpoint(tmp / "m", fast());
  CHECK(mapped.partitioner() == "none");
  CHECK((ln::parallelize(kv, 4) | ln::checkpoint(tmp / "plain", fast())).partitioner() == "none");
}

TEST_CASE("repair with another partition count computes once and records the new partitioner",
          "[checkpoint][repair][keyed][par]") {
  // Written under ln::par(4): a 16,384-element range is split into 4 partitions and the
  // reduce_by_key output is "hash:4". Repaired under ln::seq: the plan now has 1 partition, so
  // the whole checkpoint is recomputed; that must evaluate the upstream once, and the new
  // manifest must describe the new partitioning.
  scratch_dir tmp;
  const auto dir = tmp / "ck";
  std::vector<std::pair<int, int>> kv;
  for (int i = 0; i < 4 * 4096; ++i) kv.emplace_back(i % 101, 1);
  std::atomic<std::size_t> calls{0};
  const auto tag = count_calls(calls, [](const std::pair<int, int>& p) { return p; });
  const auto pipeline = kv | ln::map(tag) | ln::reduce_by_key(std::plus<>{});
  const auto written = pipeline | ln::checkpoint(dir, fast(), ln::par(4));
  REQUIRE(written.partitions() == 4);
  CHECK(written.partitioner() == "hash:4");
  CHECK(calls == kv.size());

  fs::remove(partition_file(dir, 1));
  calls = 0;
  const auto repaired = pipeline | ln::checkpoint(dir, fast());
  CHECK(repaired.partitions() == 1);
  CHECK(calls == kv.size());  // once, not twice
  CHECK(repaired.partitioner() == "hash:1");
  CHECK(ln::verify(dir).partitioner == "hash:1");
  std::vector<std::pair<int, int>> expected;
  for (int k = 0; k < 101; ++k) expected.emplace_back(k, static_cast<int>(std::count_if(kv.begin(), kv.end(), [&](const auto& p) { return p.first == k; })));
  CHECK(sorted(repaired | ln::collect()) == expected);
}

// ---------------------------------------------------------------------------------------------
// Element types that once did not compile here.
TEST_CASE("a source of non-serializable elements can be checkpointed after a map", "[checkpoint]") {
  scratch_dir tmp;
  std::vector<const char*> words{"a", "bb", "ccc"};
  auto options = fast();
  options.source_identity = ln::identity_policy::none;
  const auto c = words | ln::map([](const char* s) { return std::string(s); }) | ln::checkpoint(tmp / "ck", options);
  CHECK((c | ln::collect()) == std::vector<std::string>{"a", "bb", "ccc"});
}

TEST_CASE("bool elements round trip through checkpoint and recover", "[checkpoint]") {
  // The storage layer reads and writes bool records (std::vector<bool> has no bool&), but
  // write_checkpoint makes a std::span<const bool> and checkpoint_source binds auto& to them.
  check_round_trip<bool>({true, false, false, true, true}, "bool");
}
