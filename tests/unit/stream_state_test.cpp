// Streams, step 2: update_state_by_key (Spark semantics), its state checkpoints and resume.
// Oracle: a std::map of states updated by hand, batch by batch.
#include "stream_test_support.hpp"

#include <atomic>
#include <fstream>
#include <numeric>
#include <set>

using namespace stream_test;

namespace {

// State: (running total, batches since the key last had a value); a key idle for `expire_after`
// batches is removed.
using total_state = std::pair<long, int>;
constexpr int expire_after = 2;

struct totals_fn {
  std::atomic<std::size_t>* calls = nullptr;
  std::optional<total_state> operator()(std::span<const long> news, std::optional<total_state> state) const {
    if (calls != nullptr) calls->fetch_add(1, std::memory_order_relaxed);
    total_state s = state.value_or(total_state{0, 0});
    if (news.empty()) {
      if (++s.second >= expire_after) return std::nullopt;
      return s;
    }
    s.first += std::accumulate(news.begin(), news.end(), 0L);
    s.second = 0;
    return s;
  }
};

using state_map = std::map<int, total_state>;
using entry = std::pair<int, total_state>;

// The hand-written oracle: the state after each batch, and how many keys f sees in all.
struct oracle {
  std::vector<std::vector<entry>> after;  // sorted by key
  std::size_t visits = 0;
};
inline oracle run_oracle(const std::vector<std::vector<std::pair<int, long>>>& input) {
  oracle o;
  state_map state;
  for (const auto& batch : input) {
    std::map<int, std::vector<long>> news;
    for (const auto& [k, v] : batch) news[k].push_back(v);
    std::set<int> keys;
    for (const auto& [k, s] : state) keys.insert(k);
    for (const auto& [k, v] : news) keys.insert(k);
    state_map next;
    for (int k : keys) {
      ++o.visits;
      const auto n = news.find(k);
      const auto old = state.find(k);
      total_state s = old == state.end() ? total_state{0, 0} : old->second;
      if (n == news.end()) {
        if (++s.second >= expire_after) continue;
      } else {
        for (long v : n->second) s.first += v;
        s.second = 0;
      }
      next[k] = s;
    }
    state = std::move(next);
    o.after.emplace_back(state.begin(), state.end());
  }
  return o;
}

template <class Policy>
void check_against_oracle(const Policy& policy, int keys, std::uint32_t seed) {
  const auto input = random_pair_batches(14, 30, keys, seed);
  const auto expected = run_oracle(input);
  std::atomic<std::size_t> calls{0};
  recorder<entry> seen;
  scratch_dir dir;
  const auto query = ln::batches(input) | ln::update_state_by_key(totals_fn{&calls}) | ln::foreach_batch(seen);
  const auto report = query.run(dir / "s", scratch_options(), policy);
  REQUIRE(report.batches_run == input.size());
  for (std::size_t b = 0; b < input.size(); ++b) {
    INFO("batch " << b);
    CHECK(sorted(seen.d->seen.at(b)) == expected.after[b]);
  }
  CHECK(calls == expected.visits);  // every key with news or state, once per batch
}

}  // namespace

TEST_CASE("update_state_by_key: Spark semantics against a hand-written oracle", "[stream]") {
  for (int keys : {1, 4, 300}) {
    for (std::uint32_t seed : {1u, 2u}) check_against_oracle(ln::seq, keys, seed * 100 + static_cast<std::uint32_t>(keys));
  }
}

TEST_CASE("update_state_by_key under ln::par", "[stream][par]") {
  for (int keys : {1, 300}) check_against_oracle(ln::par(3), keys, 77);
}

TEST_CASE("update_state_by_key: keys expire, empty batches still visit keys", "[stream]") {
  const std::vector<std::vector<std::pair<int, long>>> input = {{{1, 5}, {2, 1}}, {}, {{2, 3}}, {}, {}, {{1, 1}}};
  recorder<entry> seen;
  scratch_dir dir;
  (ln::batches(input) | ln::update_state_by_key(totals_fn{}) | ln::foreach_batch(seen)).run(dir / "s", scratch_options());
  const auto expected = run_oracle(input);
  for (std::size_t b = 0; b < input.size(); ++b) CHECK(sorted(seen.d->seen.at(b)) == expected.after[b]);
  CHECK(sorted(seen.d->seen.at(1)) == std::vector<entry>{{1, {5, 1}}, {2, {1, 1}}});  // hand-checked too
  CHECK(seen.d->seen.at(4).empty());  // both expired
}

// The order the header promises (what makes a resumed run's partitions equal an uninterrupted
// run's): one partition under ln::seq holds the surviving keys in their earlier order, then the
// batch's new keys in order of first appearance; an expired key that comes back is new again.
TEST_CASE("update_state_by_key: survivors keep their order, new keys follow in order of appearance", "[stream]") {
  for (std::uint32_t seed : {5u, 6u, 7u}) {
    const auto input = random_pair_batches(20, 12, 25, seed);
    recorder<entry> seen;
    scratch_dir dir;
    (ln::batches(input) | ln::update_state_by_key(totals_fn{}) | ln::foreach_batch(seen)).run(dir / "s",
                                                                                            scratch_options());
    const auto expected = run_oracle(input);  // the states; the order is built here by hand
    std::vector<int> order;
    for (std::size_t b = 0; b < input.size(); ++b) {
      INFO("seed " << seed << ", batch " << b);
      std::map<int, total_state> states(expected.after[b].begin(), expected.after[b].end());
      std::vector<int> next;
      for (const int k : order) {
        if (states.count(k) != 0) next.push_back(k);
      }
      for (const auto& kv : input[b]) {
        if (states.count(kv.first) != 0 && std::find(next.begin(), next.end(), kv.first) == next.end()) {
          next.push_back(kv.first);
        }
      }
      order = next;
      std::vector<entry> want;
      for (const int k : order) want.emplace_back(k, states.at(k));
      CHECK(seen.d->seen.at(b) == want);
    }
  }
}
// Each batch's output shares the state (copy on write, update_state_by_key.hpp): an output kept
// past its batch must still show that batch's state after later batches changed it, and the
// batches after a kept one must still be right.
template <class Policy>
void check_kept_outputs(const Policy& policy) {
  const auto input = random_pair_batches(16, 25, 40, 9);
  const auto expected = run_oracle(input);
  auto kept = std::make_shared<std::vector<ln::checkpointed<entry>>>();
  recorder<entry> seen;
  scratch_dir dir;
  const auto query = ln::batches(input) | ln::update_state_by_key(totals_fn{}) |
                     ln::foreach_batch([kept, seen](std::uint64_t b, const ln::checkpointed<entry>& out) {
                       seen(b, out);
                       if (b % 3 == 0) kept->push_back(out);  // every third output outlives its batch
                     });
  REQUIRE(query.run(dir / "s", scratch_options(), policy).batches_run == input.size());
  for (std::size_t b = 0; b < input.size(); ++b) {
    INFO("batch " << b);
    CHECK(sorted(seen.d->seen.at(b)) == expected.after[b]);
  }
  REQUIRE(kept->size() == (input.size() + 2) / 3);
  for (std::size_t k = 0; k < kept->size(); ++k) {
    INFO("kept output of batch " << 3 * k);
    CHECK(sorted((*kept)[k] | ln::collect()) == expected.after[3 * k]);
  }
}

TEST_CASE("update_state_by_key: an output kept past its batch keeps that batch's state", "[stream]") {
  check_kept_outputs(ln::seq);
}
TEST_CASE("update_state_by_key: kept outputs under ln::par", "[stream][par]") { check_kept_outputs(ln::par(3)); }

TEST_CASE("update_state_by_key<S>(f): the state type given explicitly, f generic", "[stream]") {
  const auto input = random_pair_batches(5, 20, 6, 5);
  recorder<std::pair<int, long>> seen;
  scratch_dir dir;
  const auto q = ln::batches(input)
               | ln::update_state_by_key<long>([](auto news, auto state) {
                   return std::optional<long>(state.value_or(0) + std::accumulate(news.begin(), news.end(), 0L));
                 })
               | ln::foreach_batch(seen);
  q.run(dir / "s", scratch_options());
  std::map<int, long> totals;
  for (std::size_t b = 0; b < input.size(); ++b) {
    for (const auto& [k, v] : input[b]) totals[k] += v;
    CHECK(sorted(seen.d->seen.at(b)) == std::vector<std::pair<int, long>>(totals.begin(), totals.end()));
  }
}

TEST_CASE("update_state_by_key: adaptors before and after the stateful operator", "[stream]") {
  const auto input = random_batches(8, 25, 12, 0, 30);
  std::atomic<std::size_t> maps{0};
  recorder<std::pair<int, long>> seen;
  scratch_dir dir;
  const auto q = ln::batches(input)
               | ln::map([&maps](int x) { maps.fetch_add(1); return std::pair<int, long>{x % 5, x}; })
               | ln::update_state_by_key([](std::span<const long> news, std::optional<long> s) -> std::optional<long> {
                   return s.value_or(0) + static_cast<long>(news.size());
                 })
               | ln::filter([](const std::pair<int, long>& kv) { return kv.second % 2 == 0; })
               | ln::foreach_batch(seen);
  q.run(dir / "s", scratch_options());
  std::map<int, long> counts;
  std::size_t total = 0;
  for (std::size_t b = 0; b < input.size(); ++b) {
    for (int x : input[b]) ++counts[x % 5];
    total += input[b].size();
    std::vector<std::pair<int, long>> expected;
    for (const auto& kv : counts) {
      if (kv.second % 2 == 0) expected.push_back(kv);
    }
    CHECK(sorted(seen.d->seen.at(b)) == expected);
  }
  CHECK(maps == total);
}

namespace {

auto state_query(const std::vector<std::vector<std::pair<int, long>>>& input, const fs::path& out) {
  return ln::batches(input) | ln::update_state_by_key(totals_fn{}) | ln::write_batches(out);
}

template <class Policy>
void check_resume(const Policy& policy) {
  const auto all = random_pair_batches(20, 25, 8, 99);
  const auto expected = run_oracle(all);
  scratch_dir dir;
  const auto s = dir / "s";
  const auto out = dir / "out";
  auto opts = scratch_options();
  opts.state_every = 3;
  opts.max_batches = 4;
  std::vector<std::vector<std::pair<int, long>>> prefix(all.begin(), all.begin() + 12);
  // Runs of 4 batches: state checkpoints after batches 2, 5, 8, 11, ...; each restart loads the
  // newest one at or before the last commit and replays the committed batches after it.
  auto r = state_query(prefix, out).run(s, opts, policy);
  CHECK(r.batches_run == 4);
  CHECK(r.batches_replayed == 0);
  r = state_query(prefix, out).run(s, opts, policy);  // commits 0..3, state at 2
  CHECK(r.batches_replayed == 1);
  CHECK(r.first_batch == 4u);
  r = state_query(prefix, out).run(s, opts, policy);  // commits 0..7, state at 5
  CHECK(r.batches_replayed == 2);
  r = state_query(prefix, out).run(s, opts, policy);  // nothing new
  CHECK(r.batches_run == 0);
  opts.max_batches = 0;
  r = state_query(all, out).run(s, opts, policy);  // the source grew
  CHECK(r.batches_run == 8);
  CHECK(r.first_batch == 12u);
  for (std::size_t b = 0; b < all.size(); ++b) {
    INFO("batch " << b);
    CHECK(sorted(recovered_batch<entry>(out, b)) == expected.after[b]);
  }
  // keep_last = 2 state checkpoints: after batches 14 and 17.
  std::set<std::string> kept;
  for (const auto& e : fs::directory_iterator(s / "state")) kept.insert(e.path().filename().string());
  CHECK(kept == std::set<std::string>{"14", "17"});
}

}  // namespace

TEST_CASE("update_state_by_key: resume from the newest state checkpoint and replay, output not repeated",
          "[stream]") {
  check_resume(ln::seq);
}

TEST_CASE("update_state_by_key: resume under ln::par", "[stream][par]") { check_resume(ln::par(3)); }

TEST_CASE("update_state_by_key: lost or damaged state checkpoints fall back to older ones or a replay",
          "[stream]") {
  const auto all = random_pair_batches(10, 20, 5, 3);
  const auto expected = run_oracle(all);
  scratch_dir dir;
  const auto s = dir / "s";
  const auto out = dir / "out";
  auto opts = scratch_options();
  opts.state_every = 2;
  opts.max_batches = 6;  // states after 3 and 5 (keep_last 2)
  std::size_t seen_outputs = 0;
  state_query(all, out).run(s, opts);
  SECTION("damaged newest: the older one and two replays") {
    // Flip a byte in every partition file of state/5.
    for (const auto& e : fs::recursive_directory_iterator(s / "state" / "5")) {
      if (!e.is_regular_file() || e.path().filename() == "MANIFEST" || e.path().filename() == "LOCK") continue;
      std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(static_cast<std::streamoff>(fs::file_size(e.path()) / 2));
      f.put('\x55');
      ++seen_outputs;
    }
    REQUIRE(seen_outputs > 0);
    opts.max_batches = 0;
    const auto r = state_query(all, out).run(s, opts);
    CHECK(r.batches_replayed == 2);
  }
  SECTION("no state checkpoint at all: the purged offsets cannot be replayed, a typed error") {
    // The logs were purged up to the oldest kept state checkpoint (3): batches 0..3 are gone.
    fs::remove_all(s / "state");
    opts.max_batches = 0;
    try {
      state_query(all, out).run(s, opts);
      FAIL("no error");
    } catch (const ln::checkpoint_error& e) {
      CHECK(e.reason() == ln::checkpoint_errc::not_found);
      CHECK_THAT(e.what(), Catch::Contains("purged"));
    }
    return;
  }
  for (std::size_t b = 0; b < all.size(); ++b) {
    INFO("batch " << b);
    CHECK(sorted(recovered_batch<entry>(out, b)) == expected.after[b]);
  }
}

TEST_CASE("update_state_by_key: a state folder whose removal was killed partway is removed at start, only lineage's files",
          "[stream]") {
  const auto all = random_pair_batches(8, 20, 5, 4);
  const std::vector<std::vector<std::pair<int, long>>> first6(all.begin(), all.begin() + 6);
  const auto expected = run_oracle(all);
  scratch_dir dir;
  const auto s = dir / "s";
  const auto out = dir / "out";
  auto opts = scratch_options();
  opts.state_every = 2;  // states after 1, 3 and 5; keep_last 2 keeps 3 and 5
  REQUIRE(state_query(first6, out).run(s, opts).batches_run == 6);
  REQUIRE_FALSE(fs::exists(s / "state" / "1"));
  REQUIRE(fs::exists(s / "state" / "3" / "step-0" / "MANIFEST"));

  // Removals killed after the MANIFEST went (remove_checkpoint removes it first): copies of a
  // real state folder under older batch numbers, without their MANIFEST.
  const auto torn = [&](const std::string& b) {
    fs::copy(s / "state" / "3", s / "state" / b, fs::copy_options::recursive);
    fs::remove(s / "state" / b / "step-0" / "MANIFEST");
  };
  torn("1");
  torn("0");
  std::ofstream(s / "state" / "0" / "step-0" / "notes.txt") << "the user's\n";  // not lineage's: stays
  // A link where a state step would be, to a checkpoint elsewhere: never followed.
  fs::copy(s / "state" / "3" / "step-0", dir / "victim", fs::copy_options::recursive);
  fs::create_directory_symlink(dir / "victim", s / "state" / "0" / "step-1");
  std::size_t victim_files = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / "victim")) victim_files += e.is_regular_file();

  // A start with nothing new to run cleans up.
  CHECK(state_query(first6, out).run(s, opts).batches_run == 0);
  CHECK_FALSE(fs::exists(s / "state" / "1"));
  CHECK(fs::exists(s / "state" / "0" / "step-0" / "notes.txt"));
  CHECK_FALSE(fs::exists(s / "state" / "0" / "step-0" / "LOCK"));
  std::size_t left = 0;
  for (const auto& e : fs::recursive_directory_iterator(s / "state" / "0")) left += e.is_regular_file();
  CHECK(left == 1);  // the user's file only (recursive_directory_iterator does not enter the link)
  CHECK(fs::is_symlink(s / "state" / "0" / "step-1"));
  std::size_t victim_after = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir / "victim")) victim_after += e.is_regular_file();
  CHECK(victim_after == victim_files);
  CHECK(fs::exists(dir / "victim" / "MANIFEST"));
  // The kept states are untouched: the rest of the stream resumes from state 5 and equals the oracle.
  CHECK(fs::exists(s / "state" / "3" / "step-0" / "MANIFEST"));
  CHECK(fs::exists(s / "state" / "5" / "step-0" / "MANIFEST"));
  const auto r = state_query(all, out).run(s, opts);
  CHECK(r.batches_run == 2);
  for (std::size_t b = 0; b < all.size(); ++b) {
    INFO("batch " << b);
    CHECK(sorted(recovered_batch<entry>(out, b)) == expected.after[b]);
  }
}

TEST_CASE("update_state_by_key: a changed state type or function signature is refused", "[stream]") {
  const auto input = random_pair_batches(4, 10, 3, 8);
  scratch_dir dir;
  const auto s = dir / "s";
  state_query(input, dir / "out").run(s, scratch_options());
  const auto q2 = ln::batches(input)
                | ln::update_state_by_key([](std::span<const long> n, std::optional<long> st) -> std::optional<long> {
                    return st.value_or(0) + static_cast<long>(n.size());
                  })
                | ln::write_batches(dir / "out");
  try {
    q2.run(s, scratch_options());
    FAIL("no error");
  } catch (const ln::checkpoint_error& e) {
    CHECK(e.reason() == ln::checkpoint_errc::signature_mismatch);
    CHECK_THAT(e.what(), Catch::Contains("update_state_by_key"));
  }
}
