// Review tests of <lineage/stream.hpp>: regressions for bugs found reading the code.
#include "stream_test_support.hpp"

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace stream_test;

namespace {

std::size_t state_dirs(const fs::path& stream) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(stream / "state")) n += e.is_directory() ? 1 : 0;
  return n;
}

}  // namespace

// A window's state (state/<b>/step-<i>/{held-<k>, HELD}) is not one checkpoint; removing it
// with remove_checkpoint alone left it all there, so keep_last never applied to windows.
TEST_CASE("stream review: keep_last prunes window and reduce_by_key_and_window state", "[stream][review]") {
  scratch_dir s;
  std::vector<std::vector<std::pair<int, long>>> input;
  for (int b = 0; b < 6; ++b) input.push_back({{b % 2, long{b}}});
  auto opts = scratch_options();
  opts.state_every = 1;
  opts.keep_last = 2;
  SECTION("window") {
    const auto q = ln::batches(input) | ln::window(2, 1) | ln::foreach_batch(recorder<std::pair<int, long>>{});
    CHECK(q.run(s.path(), opts).batches_run == input.size());
  }
  SECTION("incremental reduce_by_key_and_window") {
    const auto q = ln::batches(input) | ln::reduce_by_key_and_window(std::plus<long>{}, std::minus<long>{}, 2, 1) |
                   ln::foreach_batch(recorder<std::pair<int, long>>{});
    CHECK(q.run(s.path(), opts).batches_run == input.size());
  }
  CHECK(state_dirs(s.path()) == opts.keep_last);
}

// on_mismatch = recompute must remove the old stream's window state: otherwise a resume of the
// new stream loads a state checkpoint the new stream never wrote (same operator description,
// another version tag and other data) and its windows hold the old stream's batches.
TEST_CASE("stream review: recompute does not resurrect the old stream's window state", "[stream][review]") {
  scratch_dir s;
  const std::vector<std::vector<int>> old_data = {{100}, {101}, {102}, {103}};
  const std::vector<std::vector<int>> new_data = {{1}, {2}, {3}, {4}, {5}, {6}};
  auto old_opts = scratch_options();
  old_opts.state_every = 1;  // leaves state/2 and state/3
  old_opts.version = "old";
  const auto old_query = ln::batches(old_data) | ln::window(2, 1) | ln::foreach_batch(recorder<int>{});
  CHECK(old_query.run(s.path(), old_opts).batches_run == old_data.size());

  recorder<int> seen;
  const auto q = ln::batches(new_data) | ln::window(2, 1) | ln::foreach_batch(seen);
  auto new_opts = scratch_options();
  new_opts.state_every = 100;  // the new stream saves no state of its own in this test
  new_opts.version = "new";
  new_opts.on_mismatch = ln::mismatch_policy::recompute;
  new_opts.max_batches = 4;
  CHECK(q.run(s.path(), new_opts).batches_run == 4);
  new_opts.max_batches = 0;
  const auto r = q.run(s.path(), new_opts);  // a resume: commits 0..3, replay from the state
  CHECK(r.batches_run == 2);
  // Oracle: window(2, 1) after batch b holds batches b-1 and b.
  for (std::size_t b = 0; b < new_data.size(); ++b) {
    std::vector<int> expected;
    if (b > 0) expected.insert(expected.end(), new_data[b - 1].begin(), new_data[b - 1].end());
    expected.insert(expected.end(), new_data[b].begin(), new_data[b].end());
    INFO("batch " << b);
    CHECK(seen.d->seen.at(b) == expected);
  }
}

// A size in the offsets log (checksummed, but still read from disk) sized a buffer before the
// file was looked at: a damaged or forged entry meant a huge allocation, not a typed error.
TEST_CASE("stream review: a logged size past the file is a checkpoint_error, not a huge allocation",
          "[stream][review]") {
  scratch_dir s;
  fs::create_directories(s / "in");
  const auto stream_dir = s / "stream";
  auto& fsys = ln::storage::default_file_system();
  const ln::stream_detail::stream_paths paths{stream_dir};
  const std::uint64_t huge = std::uint64_t{1} << 50;
  SECTION("text_file_stream") {
    const auto q = ln::text_file_stream(s / "in") | ln::foreach_batch(recorder<std::string>{});
    CHECK(q.run(stream_dir, scratch_options()).batches_run == 0);  // writes the signature; nothing taken
    std::ofstream(s / "in" / "a.txt") << "x\n";
    ln::text_files_offset o;
    o.names = {"a.txt"};
    o.sizes = {huge};
    ln::stream_detail::write_offset(fsys, paths, 0, o, false);  // logged, not committed: re-run
    CHECK_THROWS_AS(q.run(stream_dir, scratch_options()), ln::checkpoint_error);
  }
  SECTION("line_stream") {
    std::ofstream(s / "in" / "log") << "x\n";
    const auto q = ln::line_stream(s / "in" / "log") | ln::foreach_batch(recorder<std::string>{});
    CHECK(q.run(stream_dir, scratch_options()).batches_run == 1);
    ln::stream_detail::write_offset(fsys, paths, 1, ln::byte_range_offset{2, huge}, false);
    CHECK_THROWS_AS(q.run(stream_dir, scratch_options()), ln::checkpoint_error);
  }
}
