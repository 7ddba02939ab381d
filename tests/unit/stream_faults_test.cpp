// Streams on a fault-injecting file system (storage::testing::fault_file_system, handed in as
// stream_options::file_system): an I/O error, or a power loss, at every operation on the
// stream directory's logs, its state checkpoints (update_state_by_key's and the windows')
// and the write_batches outputs. Each time, a restart must end with every batch-<b> output
// present once, equal to the oracle's (running totals or window sums computed by hand), and
// gapless logs.
#include "stream_test_support.hpp"

#include <lineage/storage/testing/fault_file_system.hpp>

#include <numeric>
#include <set>

using namespace stream_test;
namespace st = lineage::storage;

namespace {

using entry = std::pair<int, long>;

std::optional<long> add_up(std::span<const long> news, std::optional<long> total) {
  return total.value_or(0) + std::accumulate(news.begin(), news.end(), 0L);
}

const std::vector<std::vector<entry>>& fault_input() {
  static const auto input = random_pair_batches(5, 12, 6, 2026);
  return input;
}

std::vector<std::vector<entry>> running_totals() {
  std::vector<std::vector<entry>> out;
  std::map<int, long> totals;
  for (const auto& batch : fault_input()) {
    for (const auto& [k, v] : batch) totals[k] += v;
    out.emplace_back(totals.begin(), totals.end());
  }
  return out;
}

// Per key: the sum over the `length` batches ending with batch b (keys with a value there).
std::vector<entry> window_sums(std::size_t b, std::size_t length) {
  std::map<int, long> sums;
  for (std::size_t i = b + 1 >= length ? b + 1 - length : 0; i <= b; ++i) {
    for (const auto& [k, v] : fault_input()[i]) sums[k] += v;
  }
  return {sums.begin(), sums.end()};
}

// What each batch writes (nullopt: no output, a window that does not slide there).
using expected_outputs = std::vector<std::optional<std::vector<entry>>>;

expected_outputs totals_outputs() {
  const auto totals = running_totals();
  return {totals.begin(), totals.end()};
}

expected_outputs window_outputs(std::size_t length, std::size_t slide) {
  expected_outputs out;
  for (std::size_t b = 0; b < fault_input().size(); ++b) {
    if ((b + 1) % slide == 0) {
      out.emplace_back(window_sums(b, length));
    } else {
      out.emplace_back(std::nullopt);
    }
  }
  return out;
}

std::optional<std::vector<entry>> totals_batch(std::uint64_t b) {
  static const auto totals = running_totals();
  if (b >= totals.size()) return std::nullopt;
  return totals[b];
}

auto fault_query(const fs::path& out) {
  return ln::batches(fault_input()) | ln::update_state_by_key(add_up) | ln::write_batches(out);
}

ln::stream_options fault_options(st::file_system& fsys) {
  ln::stream_options o;
  o.state_every = 2;
  o.keep_last = 1;
  o.file_system = &fsys;
  return o;
}

// Exactly the oracle's outputs, each batch once, and logs without a gap ending at the last batch.
void check_exactly_once(const fs::path& s, const fs::path& out, const expected_outputs& expected) {
  std::set<std::string> names, wanted;
  if (fs::exists(out)) {
    for (const auto& e : fs::directory_iterator(out)) names.insert(e.path().filename().string());
  }
  for (std::size_t b = 0; b < expected.size(); ++b) {
    if (!expected[b]) continue;
    wanted.insert("batch-" + std::to_string(b));
    INFO("batch " << b);
    CHECK(sorted(recovered_batch<entry>(out, b)) == *expected[b]);
  }
  CHECK(names == wanted);
  for (const char* log : {"offsets", "commits"}) {
    std::vector<std::uint64_t> numbers;
    for (const auto& e : fs::directory_iterator(s / log)) {
      const auto name = e.path().filename().string();
      REQUIRE(name.find_first_not_of("0123456789") == std::string::npos);
      numbers.push_back(std::stoull(name));
    }
    std::sort(numbers.begin(), numbers.end());
    INFO(log);
    REQUIRE(!numbers.empty());
    CHECK(numbers.back() + 1 == expected.size());
    CHECK(numbers.back() - numbers.front() + 1 == numbers.size());
  }
}

// How many file-system operations an undisturbed run makes on the stream directory.
std::uint64_t operations_of_a_run() {
  scratch_dir dir;
  fs::create_directories(dir / "root");
  st::testing::fault_file_system faults(dir / "root", dir / "scratch");
  fault_query(dir / "root" / "out").run(dir / "root" / "s", fault_options(faults));
  check_exactly_once(dir / "root" / "s", dir / "root" / "out", totals_outputs());
  return faults.operation_count();
}

}  // namespace

TEST_CASE("stream faults: an I/O error at any operation is a typed error; a restart is exactly-once",
          "[stream]") {
  const std::uint64_t total = operations_of_a_run();
  REQUIRE(total > 20);
  std::size_t errors = 0;
  for (const auto kind : {st::testing::fault_kind::eio, st::testing::fault_kind::enospc}) {
    for (std::uint64_t k = 1; k <= total; ++k) {
      INFO("fault " << static_cast<int>(kind) << " at operation " << k << " of " << total);
      scratch_dir dir;
      fs::create_directories(dir / "root");
      st::testing::fault_file_system faults(dir / "root", dir / "scratch");
      const auto s = dir / "root" / "s";
      faults.arm(kind, k);
      try {
        fault_query(dir / "root" / "out").run(s, fault_options(faults));
      } catch (const ln::checkpoint_error& e) {
        CHECK(e.reason() == ln::checkpoint_errc::io_error);
        ++errors;
      }
      faults.disarm();
      faults.clear_sync_failures();
      fault_query(dir / "root" / "out").run(s, fault_options(faults));
      check_exactly_once(s, dir / "root" / "out", totals_outputs());
    }
  }
  CHECK(errors > total);  // most operations' failures reach the caller (some are cleanup)
}

// Everything the stream writes goes through the fault file system (stream_options::file_system):
// the logs, the state checkpoints and the write_batches outputs, all under `root`, so the
// power-loss model covers them all.
template <class Query>
void power_loss_sweep(const Query& make_query, std::size_t state_every, const expected_outputs& expected) {
  std::uint64_t total = 0;
  {
    scratch_dir dir;
    fs::create_directories(dir / "root");
    st::testing::fault_file_system faults(dir / "root", dir / "scratch");
    auto opts = fault_options(faults);
    opts.state_every = state_every;
    make_query(dir / "root" / "out").run(dir / "root" / "s", opts);
    total = faults.operation_count();
  }
  std::size_t crashes = 0;
  for (std::uint64_t k = 1; k <= total; ++k) {
    INFO("power loss at operation " << k << " of " << total);
    scratch_dir dir;
    fs::create_directories(dir / "root");
    st::testing::fault_file_system faults(dir / "root", dir / "scratch");
    const auto s = dir / "root" / "s";
    const auto out = dir / "root" / "out";
    auto opts = fault_options(faults);
    opts.state_every = state_every;
    faults.arm(st::testing::fault_kind::crash, k);
    try {
      make_query(out).run(s, opts);
    } catch (const st::testing::simulated_crash&) {
    }
    if (faults.crashed()) ++crashes;
    faults.simulate_crash();  // unsynced data and directory entries are lost
    make_query(out).run(s, opts);
    check_exactly_once(s, out, expected);
  }
  CHECK(crashes == total);
}

TEST_CASE("stream faults: a power loss at any operation, then a restart, is exactly-once", "[stream]") {
  SECTION("update_state_by_key, a state checkpoint every 2 batches") {
    power_loss_sweep([](const fs::path& out) { return fault_query(out); }, 2, totals_outputs());
  }
  SECTION("update_state_by_key, state rebuilt from the logs") {
    power_loss_sweep([](const fs::path& out) { return fault_query(out); }, 100, totals_outputs());
  }
  SECTION("a stateless query whose logs are purged") {
    // Its batches are the running totals themselves.
    power_loss_sweep([](const fs::path& out) { return ln::generator_stream(totals_batch) | ln::write_batches(out); },
                     2, totals_outputs());
  }
}

// The window operators' state, saved with each state checkpoint: the held batches (window:
// dir/held-<k>, then dir/HELD) and the per-key window sums (the incremental form).
TEST_CASE("stream faults: a power loss at any operation of a windowed stream, then a restart, is exactly-once",
          "[stream]") {
  SECTION("window(3, 2), then reduce_by_key per window") {
    power_loss_sweep(
        [](const fs::path& out) {
          return ln::batches(fault_input()) | ln::window(3, 2) | ln::reduce_by_key(std::plus<long>{}) |
                 ln::write_batches(out);
        },
        2, window_outputs(3, 2));
  }
  SECTION("reduce_by_key_and_window(op, inverse_op, 3, 1)") {
    power_loss_sweep(
        [](const fs::path& out) {
          return ln::batches(fault_input()) |
                 ln::reduce_by_key_and_window(std::plus<long>{}, std::minus<long>{}, 3, 1) | ln::write_batches(out);
        },
        2, window_outputs(3, 1));
  }
}
