// Streams under ln::mpi::world (stream/collective.hpp): every rank runs the same query; rank 0
// alone writes the stream directory's logs; each rank computes its partitions of every batch
// and of the state, and writes its part of each state checkpoint and write_batches output.
// The oracle: running totals kept by hand, and the same query under ln::seq.
#include "mpi_checkpoint_support.hpp"

#include <lineage/stream.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <numeric>
#include <optional>
#include <span>
#include <utility>
#include <vector>

namespace {

using namespace mpi_ckpt;
using kv = std::pair<int, long>;

std::vector<std::vector<kv>> some_batches(std::size_t count) {
  std::vector<std::vector<kv>> out(count);
  unsigned x = 12345;
  for (auto& batch : out) {
    x = x * 1103515245u + 12345u;
    batch.resize((x >> 8) % 40);
    for (auto& [k, v] : batch) {
      x = x * 1103515245u + 12345u;
      k = static_cast<int>((x >> 8) % 25);
      v = static_cast<long>((x >> 16) % 100) - 50;
    }
  }
  return out;
}

struct running_total {
  std::optional<long> operator()(std::span<const long> news, std::optional<long> total) const {
    return total.value_or(0) + std::accumulate(news.begin(), news.end(), 0L);
  }
};

std::vector<kv> sorted_batch(const fs::path& out, std::uint64_t b) {
  auto v = ln::recover<kv>(ln::batch_output_path(out, b)) | ln::collect(ln::seq);
  std::sort(v.begin(), v.end());
  return v;
}

}  // namespace

TEST_CASE("stream under world: running totals resumed in runs equal the hand oracle", "[mpi][stream]") {
  const auto backend = make_backend(ln::mpi::world);
  INFO("rank " << backend.rank() << " of " << backend.size());
  const auto all = some_batches(11);
  std::map<int, long> totals;
  std::vector<std::vector<kv>> expected;
  for (const auto& batch : all) {
    for (const auto& [k, v] : batch) totals[k] += v;
    expected.emplace_back(totals.begin(), totals.end());
  }
  for (const auto& policy : {ln::mpi::world, ln::mpi::world(2)}) {
    const auto dir = shared_dir(policy.threads == 2 ? "stream-totals-2" : "stream-totals-1");
    ln::stream_options opts;
    opts.durable = false;
    opts.state_every = 2;
    opts.max_batches = 4;
    std::uint64_t run_total = 0;
    for (int run = 0; run < 3; ++run) {
      const auto q = ln::batches(all) | ln::update_state_by_key(running_total{}) | ln::write_batches(dir / "out");
      const auto report = q.run(dir / "s", opts, policy);
      run_total += report.batches_run;
      if (run == 1) CHECK(report.batches_replayed == 0);  // the state after batch 3 was saved
    }
    CHECK(run_total == all.size());
    for (std::size_t b = 0; b < all.size(); ++b) {
      INFO("batch " << b);
      CHECK(sorted_batch(dir / "out", b) == expected[b]);
    }
  }
}

TEST_CASE("stream under world: foreach_batch collects each batch across the ranks", "[mpi][stream]") {
  const auto all = some_batches(7);
  const auto dir = shared_dir("stream-foreach");
  std::size_t calls = 0;
  const auto q = ln::batches(all) | ln::map_values([](long v) { return v * 2; })
               | ln::foreach_batch([&](std::uint64_t b, const ln::checkpointed<kv>& result) {
                   ++calls;
                   auto got = result | ln::collect(ln::mpi::world);  // collective: every rank is here
                   auto want = all[b];
                   for (auto& [k, v] : want) v *= 2;
                   std::sort(got.begin(), got.end());
                   std::sort(want.begin(), want.end());
                   CHECK(got == want);
                 });
  ln::stream_options opts;
  opts.durable = false;
  const auto report = q.run(dir / "s", opts, ln::mpi::world);
  CHECK(report.batches_run == all.size());
  CHECK(calls == all.size());
}
