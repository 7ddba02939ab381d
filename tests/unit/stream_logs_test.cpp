// Streams: the offsets and commits logs are purged up to what a restart can need (log-start),
// and recompute removes the old query's write_batches outputs. Oracles: per-batch sums and
// running totals computed by hand.
#include "stream_test_support.hpp"

#include <fstream>
#include <numeric>
#include <set>

using namespace stream_test;

namespace {

using entry = std::pair<int, long>;

std::optional<long> add_up(std::span<const long> news, std::optional<long> total) {
  return total.value_or(0) + std::accumulate(news.begin(), news.end(), 0L);
}

// The running totals after each batch, sorted by key.
std::vector<std::vector<entry>> running_totals(const std::vector<std::vector<entry>>& input) {
  std::vector<std::vector<entry>> out;
  std::map<int, long> totals;
  for (const auto& batch : input) {
    for (const auto& [k, v] : batch) totals[k] += v;
    out.emplace_back(totals.begin(), totals.end());
  }
  return out;
}

std::vector<std::uint64_t> log_entries(const fs::path& dir) {
  std::vector<std::uint64_t> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const auto name = e.path().filename().string();
    if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos) out.push_back(std::stoull(name));
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The log is a contiguous run of batch numbers ending at `last`, of at most `bound` entries.
void check_bounded_log(const fs::path& dir, std::uint64_t last, std::size_t bound) {
  const auto entries = log_entries(dir);
  INFO(dir.string());
  REQUIRE(!entries.empty());
  CHECK(entries.size() <= bound);
  CHECK(entries.back() == last);
  CHECK(entries.back() - entries.front() + 1 == entries.size());
}

}  // namespace

TEST_CASE("stream logs: purged behind the oldest kept state checkpoint; restarts still resume", "[stream]") {
  const auto input = random_pair_batches(60, 15, 9, 41);
  const auto expected = running_totals(input);
  scratch_dir dir;
  const auto s = dir / "s";
  const auto out = dir / "out";
  auto opts = scratch_options();
  opts.state_every = 4;
  opts.keep_last = 2;
  opts.max_batches = 7;  // runs of 7 batches: restarts between and within checkpoint intervals
  const auto query = ln::batches(input) | ln::update_state_by_key(add_up) | ln::write_batches(out);
  std::uint64_t done = 0;
  while (done < input.size()) {
    const auto r = query.run(s, opts);
    REQUIRE(r.batches_run > 0);
    done = *r.last_batch + 1;
    // A restart needs the oldest kept state checkpoint's later batches: at most keep_last *
    // state_every entries, plus the batches since the last checkpoint.
    const std::size_t bound = (opts.keep_last + 1) * opts.state_every;
    check_bounded_log(s / "offsets", done - 1, bound);
    check_bounded_log(s / "commits", done - 1, bound);
  }
  for (std::size_t b = 0; b < input.size(); ++b) {
    INFO("batch " << b);
    CHECK(sorted(recovered_batch<entry>(out, b)) == expected[b]);
  }
  // After batch 59 (state checkpoints after 55 and 59): the logs start after 55.
  CHECK(log_entries(s / "offsets").front() == 56);
}

TEST_CASE("stream logs: a stateless query keeps keep_last * state_every batches of log", "[stream]") {
  const auto input = random_batches(45, 10, 5);
  recorder<int> seen;
  scratch_dir dir;
  auto opts = scratch_options();
  opts.state_every = 5;
  opts.keep_last = 2;
  opts.max_batches = 13;
  const auto query = ln::batches(input) | ln::foreach_batch(seen);
  for (std::uint64_t done = 0; done < input.size();) {
    done = *query.run(dir / "s", opts).last_batch + 1;
    check_bounded_log(dir / "s" / "offsets", done - 1, (opts.keep_last + 1) * opts.state_every);
    check_bounded_log(dir / "s" / "commits", done - 1, (opts.keep_last + 1) * opts.state_every);
  }
  CHECK(seen.d->order.size() == input.size());  // each batch once: none lost, none repeated
  for (std::size_t b = 0; b < input.size(); ++b) CHECK(seen.d->seen.at(b) == input[b]);
}

TEST_CASE("stream logs: text_file_stream keeps its offsets (the files taken), commits are purged", "[stream]") {
  scratch_dir dir;
  const auto in = dir / "in";
  fs::create_directories(in);
  recorder<std::string> seen;
  auto opts = scratch_options();
  opts.state_every = 2;
  opts.keep_last = 1;
  const auto query = ln::text_file_stream(in) | ln::foreach_batch(seen);
  for (int i = 0; i < 9; ++i) {
    std::ofstream(in / ("f" + std::to_string(i))) << "line " << i << '\n';
    CHECK(query.run(dir / "s", opts).batches_run == 1);
  }
  CHECK(query.run(dir / "s", opts).batches_run == 0);  // no file taken twice after the purge
  CHECK(log_entries(dir / "s" / "offsets").size() == 9);
  CHECK(log_entries(dir / "s" / "commits").size() <= (opts.keep_last + 1) * opts.state_every);
  for (int i = 0; i < 9; ++i) CHECK(seen.d->seen.at(static_cast<std::uint64_t>(i)) == std::vector<std::string>{"line " + std::to_string(i)});
}

TEST_CASE("stream logs: the purge removes only lineage's log files, never a link or a foreign file", "[stream]") {
  const auto input = random_batches(12, 5, 6);
  recorder<int> seen;
  scratch_dir dir;
  const auto s = dir / "s";
  auto opts = scratch_options();
  opts.state_every = 2;
  opts.keep_last = 1;
  opts.max_batches = 4;
  const auto query = ln::batches(input) | ln::foreach_batch(seen);
  query.run(s, opts);  // batches 0..3; log-start 2 after batch 3: entries 0 and 1 purged
  REQUIRE(!fs::exists(s / "commits" / "0"));
  // Under log names below log-start, which every later purge goes over: a link and a file
  // that lineage did not write.
  std::ofstream(dir / "target") << "keep me";
  fs::create_symlink(dir / "target", s / "commits" / "0");
  std::ofstream(s / "offsets" / "0") << "a user's file";
  opts.max_batches = 0;
  const auto r = query.run(s, opts);
  CHECK(r.batches_run == 8);
  CHECK(fs::is_symlink(s / "commits" / "0"));
  CHECK(fs::exists(dir / "target"));
  CHECK(fs::exists(s / "offsets" / "0"));
  CHECK(log_entries(s / "commits").size() <= 3);  // the link, and batches 10 and 11
  CHECK(seen.d->order.size() == input.size());
  for (std::size_t b = 0; b < input.size(); ++b) CHECK(seen.d->seen.at(b) == input[b]);
}

TEST_CASE("stream recompute: the old query's write_batches outputs go, the user's files stay", "[stream]") {
  const auto input = random_batches(10, 12, 77);
  scratch_dir dir;
  const auto s = dir / "s";
  const auto out = dir / "out";
  const auto old_query = ln::batches(input) | ln::map([](int x) { return x * 2; }) | ln::write_batches(out);
  REQUIRE(old_query.run(s, scratch_options()).batches_run == 10);
  // The user's things in the output folder: a file, a folder named like an output, a link.
  std::ofstream(out / "README.txt") << "mine";
  fs::create_directories(out / "batch-12");
  std::ofstream(out / "batch-12" / "data.csv") << "1,2\n";
  fs::create_directories(dir / "elsewhere");
  std::ofstream(dir / "elsewhere" / "keep") << "x";
  fs::create_directory_symlink(dir / "elsewhere", out / "batch-13");

  // A new version of the query (another function, same types: the version tag tells) on fewer
  // batches, starting over.
  const std::vector<std::vector<int>> fewer(input.begin(), input.begin() + 4);
  const auto new_query = ln::batches(fewer) | ln::map([](int x) { return x + 1; }) | ln::write_batches(out);
  auto opts = scratch_options();
  opts.version = "v2";
  opts.on_mismatch = ln::mismatch_policy::recompute;
  const auto r = new_query.run(s, opts);
  CHECK(r.batches_run == 4);
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(out)) names.insert(e.path().filename().string());
  CHECK(names == std::set<std::string>{"batch-0", "batch-1", "batch-2", "batch-3", "batch-12", "batch-13", "README.txt"});
  for (std::size_t b = 0; b < fewer.size(); ++b) {
    std::vector<int> expected;
    for (const int x : fewer[b]) expected.push_back(x + 1);
    CHECK(recovered_batch<int>(out, b) == expected);
  }
  CHECK(fs::exists(out / "batch-12" / "data.csv"));
  CHECK(fs::exists(dir / "elsewhere" / "keep"));
}
