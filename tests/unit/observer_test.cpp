// Observers (observer.hpp), the progress line (progress.hpp) and explain(p, ln::analyze).
// Every expectation comes from a hand loop over the input or from the files on disk.
#include <catch2/catch.hpp>
#include <lineage/lineage.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "checkpoint_test_support.hpp"

namespace {

namespace ln = lineage;
namespace fs = std::filesystem;

struct recording_observer : ln::observer {
  std::mutex lock;
  int concurrent = 0, max_concurrent = 0;  // calls in progress: the observer is never called concurrently
  std::vector<ln::stage_info> started, done;
  std::vector<ln::stage_stats> stats;
  std::map<std::size_t, std::vector<std::pair<std::size_t, std::uint64_t>>> partitions;  // stage -> (partition, records)
  std::map<fs::path, std::uint64_t> written;
  std::vector<ln::checkpoint_commit_info> commits;

  struct enter {
    recording_observer& o;
    explicit enter(recording_observer& r) : o(r) {
      std::lock_guard hold(o.lock);
      if (++o.concurrent > o.max_concurrent) o.max_concurrent = o.concurrent;
    }
    ~enter() {
      std::lock_guard hold(o.lock);
      --o.concurrent;
    }
  };
  void on_stage_started(const ln::stage_info& s) override {
    enter e(*this);
    started.push_back(s);
  }
  void on_partition_done(const ln::stage_info& s, std::size_t i, std::uint64_t records) override {
    enter e(*this);
    partitions[s.index].emplace_back(i, records);
  }
  void on_stage_done(const ln::stage_info& s, const ln::stage_stats& st) override {
    enter e(*this);
    done.push_back(s);
    stats.push_back(st);
  }
  void on_bytes_written(const fs::path& file, std::size_t, std::uint64_t bytes) override {
    enter e(*this);
    written[file] += bytes;
  }
  void on_checkpoint_committed(const ln::checkpoint_commit_info& c) override {
    enter e(*this);
    commits.push_back(c);
  }
  std::size_t partition_events() const {
    std::size_t n = 0;
    for (const auto& [stage, list] : partitions) n += list.size();
    return n;
  }
  std::uint64_t records_of(std::size_t stage) const {
    std::uint64_t n = 0;
    for (const auto& [i, r] : partitions.at(stage)) n += r;
    return n;
  }
};

// Installs an observer for one test and removes it (whatever happens).
struct installed {
  std::shared_ptr<recording_observer> obs = std::make_shared<recording_observer>();
  installed() { ln::set_observer(obs); }
  ~installed() { ln::set_observer(nullptr); }
};

std::vector<int> numbers(int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back((i * 37) % 101);
  return v;
}

constexpr auto even = [](int x) { return x % 2 == 0; };
constexpr auto to_key = [](int x) { return std::pair<int, int>{x % 7, 1}; };
constexpr auto plus = [](int a, int b) { return a + b; };

struct hand_counts {
  std::uint64_t evens = 0;
  std::set<int> keys;
};
hand_counts count_by_hand(const std::vector<int>& v) {
  hand_counts c;
  for (const int x : v) {
    if (!even(x)) continue;
    ++c.evens;
    c.keys.insert(x % 7);
  }
  return c;
}

template <class Policy>
void check_two_stage_events(Policy policy) {
  const auto data = numbers(1000);
  const auto hand = count_by_hand(data);
  const std::size_t source_partitions = 4;
  auto p = ln::parallelize(data, source_partitions) | ln::filter(even) | ln::map(to_key) | ln::reduce_by_key(plus);
  constexpr std::size_t stages = ln::stage_count_v<decltype(p)>;
  static_assert(stages == 2);
  static_assert(ln::plan::ops_v<decltype(p)>.back().stage == stages);

  installed guard;
  const auto out = p | ln::collect(policy);
  auto& obs = *guard.obs;

  REQUIRE(obs.started.size() == stages);
  REQUIRE(obs.done.size() == stages);
  CHECK(obs.max_concurrent == 1);
  std::size_t expected_partition_events = 0;
  for (std::size_t s = 0; s < stages; ++s) {
    CHECK(obs.started[s].index == s + 1);
    CHECK(obs.started[s].stages == stages);
    expected_partition_events += obs.started[s].partitions;
    // each partition reported once
    std::set<std::size_t> seen;
    for (const auto& [i, r] : obs.partitions[s + 1]) seen.insert(i);
    CHECK(seen.size() == obs.started[s].partitions);
    CHECK(obs.partitions[s + 1].size() == obs.started[s].partitions);
  }
  CHECK(obs.started[0].partitions == source_partitions);
  CHECK(obs.started[0].kind == ln::stage_kind::shuffle);
  CHECK(obs.started[1].kind == ln::stage_kind::result);
  CHECK(obs.partition_events() == expected_partition_events);
  CHECK(obs.records_of(1) == hand.evens);       // stage 1 pushes every even number into the shuffle
  CHECK(obs.records_of(2) == hand.keys.size());  // stage 2 yields one pair per key
  CHECK(obs.records_of(2) == out.size());
  CHECK(obs.stats[0].records == hand.evens);
  CHECK(obs.stats[0].shuffled_records >= hand.keys.size());  // map-side combined: one per key per partition at most
  CHECK(obs.stats[0].shuffled_records <= hand.keys.size() * source_partitions);
  CHECK(obs.stats[0].shuffled_bytes == obs.stats[0].shuffled_records * sizeof(std::pair<int, int>));

  // Removed: no more events.
  const auto before = obs.partition_events();
  CHECK(ln::set_observer(nullptr) == guard.obs);
  (void)(p | ln::collect(policy));
  CHECK(obs.partition_events() == before);
  CHECK(obs.started.size() == stages);
}

}  // namespace

TEST_CASE("observer: stage and partition events of a two-stage plan (seq)", "[observer]") {
  check_two_stage_events(ln::seq);
}

TEST_CASE("observer: stage and partition events of a two-stage plan (par)", "[observer][par]") {
  check_two_stage_events(ln::par(4));
}

TEST_CASE("observer: no observer installed means no events and the same results", "[observer]") {
  auto obs = std::make_shared<recording_observer>();
  CHECK(ln::set_observer(obs) == nullptr);
  CHECK(ln::set_observer(nullptr) == obs);
  CHECK(ln::current_observer() == nullptr);
  const auto data = numbers(100);
  CHECK((ln::parallelize(data, 3) | ln::filter(even) | ln::count()) == count_by_hand(data).evens);
  CHECK(obs->started.empty());
}

template <class Policy>
void check_checkpoint_events(Policy policy) {
  ckpt_test::scratch_dir tmp;
  const auto dir = tmp / "ck";
  const auto data = numbers(500);
  const auto hand = count_by_hand(data);
  auto obs = std::make_shared<recording_observer>();
  auto options = ckpt_test::fast();
  options.observer = obs;
  const auto cp = ln::parallelize(data, 3) | ln::filter(even) | ln::checkpoint(dir, options, policy);
  REQUIRE(obs->commits.size() == 1);
  const auto& c = obs->commits.front();
  CHECK(c.dir == dir);
  CHECK(c.records == hand.evens);
  CHECK((cp | ln::count()) == hand.evens);
  std::uint64_t on_disk = 0;
  std::size_t files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / ("g" + std::to_string(c.generation)))) {
    if (!e.is_regular_file() || e.path().filename().string().rfind("part-", 0) != 0) continue;
    on_disk += e.file_size();
    ++files;
  }
  CHECK(c.bytes == on_disk);
  CHECK(obs->written.size() == files);
  std::uint64_t reported = 0;
  for (const auto& [file, bytes] : obs->written) {
    CHECK(fs::file_size(file) == bytes);
    reported += bytes;
  }
  CHECK(reported == on_disk);
  REQUIRE(obs->started.size() == 1);
  CHECK(obs->started[0].kind == ln::stage_kind::materialize);
  CHECK(obs->records_of(1) == hand.evens);

  // Found on disk: loaded, nothing computed or committed.
  (void)(ln::parallelize(data, 3) | ln::filter(even) | ln::checkpoint(dir, options, policy));
  CHECK(obs->commits.size() == 1);
  CHECK(obs->started.size() == 1);
  CHECK(obs->max_concurrent == 1);
}

TEST_CASE("observer: checkpoint_options::observer sees the files and the commit (seq)", "[observer]") {
  check_checkpoint_events(ln::seq);
}

TEST_CASE("observer: checkpoint_options::observer sees the files and the commit (par)", "[observer][par]") {
  check_checkpoint_events(ln::par(3));
}

TEST_CASE("observer: explain(p, analyze) counts what a hand loop counts", "[observer][explain]") {
  const auto data = numbers(300);
  const auto hand = count_by_hand(data);
  const auto narrow = ln::parallelize(data, 3) | ln::filter(even) | ln::map([](int x) { return x + 1; });
  const std::string text = ln::explain(narrow, ln::analyze);
  CHECK(text.rfind(ln::explain(narrow), 0) == 0);  // the plain explain first
  CHECK_THAT(text, Catch::Contains("stage 1/1 result: 3 partitions, " + std::to_string(data.size()) + " records in, " +
                                   std::to_string(hand.evens) + " out"));

  const auto wide = ln::parallelize(data, 3) | ln::filter(even) | ln::map(to_key) | ln::reduce_by_key(plus);
  const std::string wide_text = ln::explain(wide, ln::analyze, ln::par(3));
  CHECK_THAT(wide_text, Catch::Contains("stage 1/2 shuffle: 3 partitions, " + std::to_string(data.size()) +
                                        " records in, " + std::to_string(hand.evens) + " out, shuffled "));
  CHECK_THAT(wide_text, Catch::Contains("\n  stage 2/2 result: 3 partitions, "));
  CHECK_THAT(wide_text, Catch::Contains(std::to_string(hand.keys.size()) + " out, "));
  CHECK(ln::explain(wide) == ln::explain(wide));  // the plain form is unchanged and does not run
}

TEST_CASE("observer: the progress line ends with the last stage's totals", "[observer]") {
  const auto data = numbers(400);
  const auto hand = count_by_hand(data);
  std::ostringstream out;
  auto printer = std::make_shared<ln::progress_printer>(out, std::chrono::nanoseconds(0));
  ln::set_observer(printer);
  (void)(ln::parallelize(data, 4) | ln::filter(even) | ln::map(to_key) | ln::reduce_by_key(plus) | ln::collect());
  ln::set_observer(nullptr);
  const std::string text = out.str();
  REQUIRE(!text.empty());
  CHECK(text.back() == '\n');  // the line ends after the action's last stage
  const std::string last = text.substr(text.rfind('\r') + 1);
  CHECK(last.rfind("stage 2/2: 4/4 partitions, " + std::to_string(hand.keys.size()) + " records", 0) == 0);
  CHECK(printer->last_line() == "stage 2/2: 4/4 partitions, " + std::to_string(hand.keys.size()) + " records");
  CHECK_THAT(text, Catch::Contains("stage 1/2: 0/4 partitions, 0 records"));
}

TEST_CASE("observer: the progress line reports checkpoint bytes", "[observer]") {
  ckpt_test::scratch_dir tmp;
  const auto data = numbers(200);
  std::ostringstream out;
  auto printer = std::make_shared<ln::progress_printer>(out, std::chrono::nanoseconds(0));
  auto options = ckpt_test::fast();
  options.observer = printer;
  const auto cp = ln::parallelize(data, 2) | ln::checkpoint(tmp / "ck", options);
  std::uint64_t on_disk = 0;
  for (const auto& e : fs::recursive_directory_iterator(tmp / "ck")) {
    if (e.is_regular_file() && e.path().filename().string().rfind("part-", 0) == 0) on_disk += e.file_size();
  }
  CHECK_THAT(out.str(), Catch::Contains("checkpoint " + (tmp / "ck").string() + ": 200 records, " +
                                        ln::detail::short_bytes(on_disk) + " committed\n"));
  CHECK(ln::detail::short_count(12'345'678) == "12.3 M");
  CHECK(ln::detail::short_bytes(1536) == "1.5 KiB");
}

TEST_CASE("observer: the README's 'Progress and metrics' snippet", "[observer][par]") {
  std::vector<std::string> data;
  for (int i = 0; i < 2000; ++i) data.push_back(std::string(static_cast<std::size_t>(i % 9), 'a'));
  const auto words = ln::parallelize(data, 4);
  const auto to_pair = [](const std::string& w) { return std::pair<std::size_t, int>{w.size(), 1}; };
  const auto long_word = [](const std::string& w) { return w.size() > 4; };
  std::ostringstream err;
  ln::set_observer(std::make_shared<ln::progress_printer>(err));
  auto counts = words | ln::map(to_pair) | ln::reduce_by_key(std::plus<>{}) | ln::collect(ln::par);
  ln::set_observer(nullptr);
  CHECK(counts.size() == 9);
  CHECK_THAT(err.str(), Catch::Contains("stage 2/2: 4/4 partitions, 9 records"));
  std::size_t kept = 0;
  for (const auto& w : data) kept += long_word(w) ? 1 : 0;
  const auto table = ln::explain(words | ln::filter(long_word) | ln::map(to_pair) | ln::reduce_by_key(std::plus<>{}),
                                 ln::analyze);
  CHECK_THAT(table, Catch::Contains("stage 1/2 shuffle: 4 partitions, 2000 records in, " + std::to_string(kept) + " out"));
  CHECK_THAT(table, Catch::Contains("stage 2/2 result: 4 partitions, "));
  CHECK_THAT(table, Catch::Contains(" 4 out, "));  // sizes 5..8
}

TEST_CASE("observer: every stage of a plan is reported, a shuffle that moves nothing included", "[observer]") {
  const auto data = numbers(600);
  const auto hand = count_by_hand(data);
  // reduce_by_key after partition_by(4) on 4 partitions: the data is already where it goes.
  auto p = ln::parallelize(data, 4) | ln::filter(even) | ln::map(to_key) | ln::partition_by(4) | ln::reduce_by_key(plus);
  constexpr std::size_t stages = ln::stage_count_v<decltype(p)>;
  installed guard;
  const auto out = p | ln::collect();
  REQUIRE(guard.obs->started.size() == stages);
  CHECK(guard.obs->done.size() == stages);
  CHECK(out.size() == hand.keys.size());
  CHECK(guard.obs->records_of(1) == hand.evens);
  CHECK(guard.obs->records_of(stages) == hand.keys.size());
}

TEST_CASE("observer: local_checkpoint reports its stages", "[observer]") {
  const auto data = numbers(300);
  const auto hand = count_by_hand(data);
  auto p = ln::parallelize(data, 3) | ln::filter(even);
  installed guard;
  const auto cp = p | ln::local_checkpoint();
  REQUIRE(guard.obs->started.size() == ln::stage_count_v<decltype(p)>);
  CHECK(guard.obs->started[0].kind == ln::stage_kind::materialize);
  CHECK(guard.obs->records_of(1) == hand.evens);
}
