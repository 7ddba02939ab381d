// Streams on several processes (stream/collective.hpp), run on simulated ranks
// (tests/support/simulated_ranks.hpp): every rank runs the same query, the leader alone writes
// the stream directory, every rank computes its partitions. Oracles: hand-written loops over
// the batches, and the same query under ln::seq.
#include "../support/simulated_ranks.hpp"
#include "stream_test_support.hpp"

#include <lineage/stream.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <span>
#include <stdexcept>
#include <utility>
#include <vector>

using namespace stream_test;
using lineage_test::ranks_policy;
using lineage_test::run_on_ranks;

namespace {

using kv = std::pair<int, long>;

struct running_total {
  std::optional<long> operator()(std::span<const long> news, std::optional<long> total) const {
    return total.value_or(0) + std::accumulate(news.begin(), news.end(), 0L);
  }
};

// The hand-written oracle of running totals: the state after each batch, sorted by key.
std::vector<std::vector<kv>> totals_after_each(const std::vector<std::vector<kv>>& batches) {
  std::map<int, long> totals;
  std::vector<std::vector<kv>> out;
  for (const auto& batch : batches) {
    for (const auto& [k, v] : batch) totals[k] += v;
    out.emplace_back(totals.begin(), totals.end());
  }
  return out;
}

auto totals_query(const std::vector<std::vector<kv>>& input, const fs::path& out) {
  return ln::batches(input) | ln::update_state_by_key(running_total{}) | ln::write_batches(out);
}

// The directory's commit records, by batch number.
std::vector<std::uint64_t> commits_in(const fs::path& stream_dir) {
  std::vector<std::uint64_t> out;
  for (const auto& e : fs::directory_iterator(stream_dir / "commits")) out.push_back(std::stoull(e.path().filename()));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("streams on ranks: update_state_by_key and write_batches, resumed in runs, equal the oracle",
          "[stream][ranks]") {
  const auto all = random_pair_batches(14, 30, 12, 2024);
  const auto expected = totals_after_each(all);
  for (const std::size_t ranks : {1u, 2u, 3u}) {
    INFO(ranks << " ranks");
    scratch_dir dir;
    auto opts = scratch_options();
    opts.state_every = 3;
    opts.max_batches = 5;
    // Three runs of at most 5 new batches: each restart loads the newest state checkpoint
    // (every rank its partitions) and replays the committed batches after it.
    std::vector<ln::stream_report> first;
    for (int run = 0; run < 3; ++run) {
      const auto reports = run_on_ranks(ranks, [&](ranks_policy p) {
        return totals_query(all, dir / "out").run(dir / "s", opts, p);
      });
      for (const auto& r : reports) {  // every rank reports the same run
        CHECK(r.batches_run == reports.front().batches_run);
        CHECK(r.batches_replayed == reports.front().batches_replayed);
        CHECK(r.first_batch == reports.front().first_batch);
      }
      if (run == 1) CHECK(reports.front().batches_replayed == 2);  // state after batch 2; commits 0..4
    }
    const auto commits = commits_in(dir / "s");  // the older ones purged after state checkpoints
    REQUIRE(!commits.empty());
    CHECK(commits.back() == all.size() - 1);
    for (std::size_t b = 0; b < all.size(); ++b) {
      INFO("batch " << b);
      CHECK(sorted(recovered_batch<kv>(dir / "out", b)) == expected[b]);
    }
  }
}

TEST_CASE("streams on ranks: a state written by 2 ranks resumes on 3 and under ln::seq", "[stream][ranks]") {
  const auto all = random_pair_batches(9, 30, 10, 7);
  const auto expected = totals_after_each(all);
  scratch_dir dir;
  auto opts = scratch_options();
  opts.state_every = 2;
  opts.max_batches = 4;
  (void)run_on_ranks(2, [&](ranks_policy p) { return totals_query(all, dir / "out").run(dir / "s", opts, p); });
  const auto on_three = run_on_ranks(3, [&](ranks_policy p) {
    return totals_query(all, dir / "out").run(dir / "s", opts, p);
  });
  CHECK(on_three.front().first_batch == 4u);
  CHECK(on_three.front().batches_replayed == 0);  // state after batch 3
  opts.max_batches = 0;
  const auto r = totals_query(all, dir / "out").run(dir / "s", opts, ln::seq);
  CHECK(r.first_batch == 8u);
  for (std::size_t b = 0; b < all.size(); ++b) {
    INFO("batch " << b);
    CHECK(sorted(recovered_batch<kv>(dir / "out", b)) == expected[b]);
  }
}

TEST_CASE("streams on ranks: foreach_batch sees each rank's partitions, together the whole batch",
          "[stream][ranks]") {
  const auto all = random_batches(10, 60, 5);
  // The oracle: map(x * 3) | filter(odd) of each batch, by hand.
  std::vector<std::vector<int>> expected;
  for (const auto& batch : all) {
    std::vector<int> kept;
    for (int x : batch) {
      if ((x * 3) % 2 != 0) kept.push_back(x * 3);
    }
    expected.push_back(sorted(kept));
  }
  for (const std::size_t ranks : {2u, 3u}) {
    INFO(ranks << " ranks");
    scratch_dir dir;
    std::mutex m;
    std::map<std::uint64_t, std::vector<int>> seen;  // the union of what every rank saw
    std::vector<std::size_t> calls(ranks, 0);
    (void)run_on_ranks(ranks, [&](ranks_policy p) {
      auto q = ln::batches(all) | ln::map([](int x) { return x * 3; }) | ln::filter([](int y) { return y % 2 != 0; })
             | ln::foreach_batch([&](std::uint64_t b, const ln::checkpointed<int>& result) {
                 std::lock_guard lock(m);
                 ++calls[p.rank];
                 for (const auto& part : result.partition_data()) seen[b].insert(seen[b].end(), part.begin(), part.end());
               });
      return q.run(dir / "s", scratch_options(), p);
    });
    for (const auto c : calls) CHECK(c == all.size());
    for (std::size_t b = 0; b < all.size(); ++b) {
      INFO("batch " << b);
      CHECK(sorted(seen[b]) == expected[b]);
    }
  }
}

TEST_CASE("streams on ranks: an output failing on one rank fails on every rank, uncommitted", "[stream][ranks]") {
  const auto all = random_batches(6, 20, 11);
  scratch_dir dir;
  std::atomic<bool> fail{true};
  auto query_on = [&](ranks_policy p) {
    return ln::batches(all) | ln::foreach_batch([&, rank = p.rank](std::uint64_t b, const ln::checkpointed<int>&) {
             if (b == 3 && rank == 1 && fail.load()) throw std::runtime_error("rank 1 cannot write batch 3");
           });
  };
  std::vector<int> threw(2, 0);
  (void)run_on_ranks(2, [&](ranks_policy p) {
    try {
      (void)query_on(p).run(dir / "s", scratch_options(), p);
    } catch (const std::runtime_error& e) {
      threw[p.rank] = 1;
      CHECK(std::string(e.what()).find("cannot write batch 3") != std::string::npos);
    }
    return 0;
  });
  CHECK(threw == std::vector<int>{1, 1});
  CHECK(commits_in(dir / "s") == std::vector<std::uint64_t>{0, 1, 2});  // batch 3 logged, not committed
  fail = false;
  const auto reports = run_on_ranks(2, [&](ranks_policy p) { return query_on(p).run(dir / "s", scratch_options(), p); });
  CHECK(reports.front().first_batch == 3u);
  CHECK(reports.front().batches_run == 3);
  CHECK(commits_in(dir / "s") == std::vector<std::uint64_t>{0, 1, 2, 3, 4, 5});
}

TEST_CASE("streams on ranks: reduce_by_key_and_window equals ln::seq", "[stream][ranks]") {
  const auto all = random_pair_batches(12, 25, 9, 314);
  auto query = [&](const fs::path& out) {
    return ln::batches(all) | ln::reduce_by_key_and_window(std::plus<>{}, 3, 2) | ln::write_batches(out);
  };
  scratch_dir dir;
  auto opts = scratch_options();
  opts.state_every = 2;
  (void)query(dir / "seq").run(dir / "s-seq", opts, ln::seq);
  opts.max_batches = 5;  // two runs: the second resumes from the windows' state
  for (int run = 0; run < 3; ++run) {
    (void)run_on_ranks(3, [&](ranks_policy p) { return query(dir / "ranks").run(dir / "s-ranks", opts, p); });
  }
  for (std::uint64_t b = 1; b < all.size(); b += 2) {
    INFO("batch " << b);
    CHECK(sorted(recovered_batch<kv>(dir / "ranks", b)) == sorted(recovered_batch<kv>(dir / "seq", b)));
  }
}
