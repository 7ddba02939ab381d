// Streams, step 1: sources, per-batch lineage, output operations, the logs, resume, triggers,
// max_batches and the stream signature. Oracles: the batches, transformed by hand.
#include "stream_test_support.hpp"

#include <atomic>
#include <chrono>
#include <fstream>
#include <ratio>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <thread>

using namespace stream_test;

namespace {

template <class Policy>
void check_narrow_per_batch(const Policy& policy) {
  const auto input = random_batches(12, 40, 7);
  std::atomic<std::size_t> maps{0}, filters{0};
  recorder<long> seen;
  const auto query = ln::batches(input)
                   | ln::map([&maps](int x) { maps.fetch_add(1, std::memory_order_relaxed); return 3L * x; })
                   | ln::filter([&filters](long x) { filters.fetch_add(1, std::memory_order_relaxed); return x % 2 == 0; })
                   | ln::foreach_batch(seen);
  scratch_dir dir;
  const auto report = query.run(dir / "s", scratch_options(), policy);
  REQUIRE(report.batches_run == input.size());
  REQUIRE(report.first_batch == 0u);
  REQUIRE(report.last_batch == input.size() - 1);
  REQUIRE_FALSE(report.resumed);
  std::size_t total = 0;
  for (std::size_t b = 0; b < input.size(); ++b) {
    std::vector<long> expected;
    for (int x : input[b]) {
      if ((3L * x) % 2 == 0) expected.push_back(3L * x);
    }
    CHECK(seen.d->seen.at(b) == expected);  // order-preserving ops keep the batch's order
    total += input[b].size();
  }
  CHECK(maps == total);  // fused as in batch mode: each function once per element
  CHECK(filters == total);
}

template <class Policy>
void check_wide_per_batch(const Policy& policy) {
  for (int keys : {1, 5, 1000}) {
    const auto input = random_pair_batches(9, 60, keys, 11u + static_cast<std::uint32_t>(keys));
    recorder<std::pair<int, long>> seen;
    scratch_dir dir;
    const auto query = ln::batches(input) | ln::reduce_by_key(std::plus<long>{}) | ln::foreach_batch(seen);
    REQUIRE(query.run(dir / "s", scratch_options(), policy).batches_run == input.size());
    for (std::size_t b = 0; b < input.size(); ++b) {
      CHECK(sorted(seen.d->seen.at(b)) == sum_by_key(input[b]));
    }
  }
}

}  // namespace

TEST_CASE("stream: narrow operators run per batch, fused, each function once per element", "[stream]") {
  check_narrow_per_batch(ln::seq);
}

TEST_CASE("stream: narrow operators per batch under ln::par", "[stream][par]") {
  check_narrow_per_batch(ln::par(3));
}

TEST_CASE("stream: a wide operator runs per batch (one key, few, many)", "[stream]") {
  check_wide_per_batch(ln::seq);
}

TEST_CASE("stream: a wide operator per batch under ln::par", "[stream][par]") {
  check_wide_per_batch(ln::par(3));
}

TEST_CASE("stream: adaptors composed before the stream apply per batch", "[stream]") {
  const auto input = random_batches(5, 20, 3);
  const auto clean = ln::map([](int x) { return x + 1; }) | ln::filter([](int x) { return x > 0; });
  recorder<int> seen;
  scratch_dir dir;
  (ln::batches(input) | clean | ln::foreach_batch(seen)).run(dir / "s", scratch_options());
  for (std::size_t b = 0; b < input.size(); ++b) {
    std::vector<int> expected;
    for (int x : input[b]) {
      if (x + 1 > 0) expected.push_back(x + 1);
    }
    CHECK(seen.d->seen.at(b) == expected);
  }
}

TEST_CASE("stream: write_batches writes each batch as checkpoint batch-<b>, empty batches too", "[stream]") {
  std::vector<std::vector<int>> input = {{1, 2, 3}, {}, {4}, {}, {5, 6}};
  scratch_dir dir;
  const auto out = dir / "out";
  const auto query = ln::batches(input) | ln::map([](int x) { return x * 10; }) | ln::write_batches(out);
  const auto report = query.run(dir / "s", scratch_options());
  REQUIRE(report.batches_run == input.size());
  for (std::size_t b = 0; b < input.size(); ++b) {
    std::vector<int> expected;
    for (int x : input[b]) expected.push_back(x * 10);
    CHECK(recovered_batch<int>(out, b) == expected);
  }
  CHECK(fs::is_regular_file(dir / "s" / "offsets" / "4"));
  CHECK(fs::is_regular_file(dir / "s" / "commits" / "4"));
  CHECK_FALSE(fs::exists(dir / "s" / "offsets" / "5"));
}

TEST_CASE("stream: generator_stream reads batches until fn says nothing more", "[stream]") {
  const auto input = random_batches(6, 10, 5);
  std::atomic<std::size_t> calls{0};
  auto gen = [&](std::uint64_t b) -> std::optional<std::vector<int>> {
    calls.fetch_add(1);
    if (b >= input.size()) return std::nullopt;
    return input[b];
  };
  recorder<int> seen;
  scratch_dir dir;
  const auto report = (ln::generator_stream(gen) | ln::foreach_batch(seen)).run(dir / "s", scratch_options());
  CHECK(report.batches_run == input.size());
  for (std::size_t b = 0; b < input.size(); ++b) CHECK(seen.d->seen.at(b) == input[b]);
}

TEST_CASE("stream: a second run resumes: nothing new runs nothing, new batches continue the numbering",
          "[stream]") {
  auto all = random_batches(7, 15, 21);
  std::vector<std::vector<int>> first(all.begin(), all.begin() + 4);
  scratch_dir dir;
  const auto out = dir / "out";
  auto make = [&](const std::vector<std::vector<int>>& in, recorder<int> r) {
    return ln::batches(in) | ln::map([](int x) { return x - 1; }) | ln::foreach_batch(r);
  };
  recorder<int> r1, r2, r3;
  const auto a = make(first, r1).run(dir / "s", scratch_options());
  CHECK(a.batches_run == 4);
  const auto b = make(first, r2).run(dir / "s", scratch_options());
  CHECK(b.batches_run == 0);
  CHECK(b.resumed);
  CHECK_FALSE(b.first_batch.has_value());
  CHECK(r2.d->order.empty());
  const auto c = make(all, r3).run(dir / "s", scratch_options());
  CHECK(c.batches_run == 3);
  CHECK(c.first_batch == 4u);
  CHECK(c.last_batch == 6u);
  CHECK(r3.d->order == std::vector<std::uint64_t>{4, 5, 6});
  for (std::uint64_t i = 4; i < 7; ++i) {
    std::vector<int> expected;
    for (int x : all[i]) expected.push_back(x - 1);
    CHECK(r3.d->seen.at(i) == expected);
  }
}

TEST_CASE("stream: max_batches counts new batches; the next run goes on", "[stream]") {
  const auto input = random_batches(5, 8, 2);
  scratch_dir dir;
  recorder<int> seen;
  const auto query = ln::batches(input) | ln::foreach_batch(seen);
  auto opts = scratch_options();
  opts.max_batches = 2;
  CHECK(query.run(dir / "s", opts).batches_run == 2);
  CHECK(query.run(dir / "s", opts).batches_run == 2);
  CHECK(query.run(dir / "s", opts).batches_run == 1);
  CHECK(query.run(dir / "s", opts).batches_run == 0);
  CHECK(seen.d->order == std::vector<std::uint64_t>{0, 1, 2, 3, 4});
  for (std::size_t b = 0; b < input.size(); ++b) CHECK(seen.d->seen.at(b) == input[b]);
}

TEST_CASE("stream: a logged but uncommitted batch is re-run with its logged offsets", "[stream]") {
  const auto input = random_batches(4, 10, 9);
  scratch_dir dir;
  const auto s = dir / "s";
  // The source the first run saw; the batches of the second one differ after index 1, but the
  // re-run must read what the log says (batch 2 = source index 2, the generator's promise).
  recorder<int> first;
  (ln::batches(input) | ln::foreach_batch(first)).run(s, scratch_options());
  fs::remove(s / "commits" / "3");  // as if killed between the output and the commit record
  recorder<int> second;
  const auto report = (ln::batches(input) | ln::foreach_batch(second)).run(s, scratch_options());
  CHECK(report.batches_run == 1);
  CHECK(report.first_batch == 3u);
  CHECK(second.d->seen.at(3) == input[3]);  // at-least-once: foreach_batch sees batch 3 again
  CHECK(fs::is_regular_file(s / "commits" / "3"));

  // An offsets entry written, the batch never run: it runs with the logged offset.
  ln::storage::file_system& fsys = ln::storage::default_file_system();
  const std::vector<std::vector<int>> more = {input[0], input[1], input[2], input[3], {7, 8}, {9}};
  ln::stream_detail::write_offset(fsys, {s}, 4, ln::batch_index_offset{5}, false);
  recorder<int> third;
  const auto r3 = (ln::batches(more) | ln::foreach_batch(third)).run(s, scratch_options());
  CHECK(third.d->seen.at(4) == more[5]);  // what offsets/4 said, not what the source would pick
  CHECK(r3.batches_run == 1);
}

TEST_CASE("stream: a re-run batch replaces its write_batches output with equal content", "[stream]") {
  const auto input = random_batches(3, 30, 4);
  scratch_dir dir;
  const auto s = dir / "s";
  const auto out = dir / "out";
  const auto query = ln::batches(input) | ln::map([](int x) { return x * 2; }) | ln::write_batches(out);
  query.run(s, scratch_options());
  fs::remove(s / "commits" / "2");
  CHECK(query.run(s, scratch_options()).batches_run == 1);
  for (std::size_t b = 0; b < input.size(); ++b) {
    std::vector<int> expected;
    for (int x : input[b]) expected.push_back(x * 2);
    CHECK(recovered_batch<int>(out, b) == expected);
  }
}

TEST_CASE("stream: a damaged or incomplete log is a typed error", "[stream]") {
  const auto input = random_batches(4, 10, 13);
  const auto query = ln::batches(input) | ln::foreach_batch(recorder<int>{});
  SECTION("a gap in the offsets log") {
    scratch_dir dir;
    query.run(dir / "s", scratch_options());
    fs::remove(dir / "s" / "offsets" / "1");
    fs::remove(dir / "s" / "commits" / "1");
    try {
      query.run(dir / "s", scratch_options());
      FAIL("no error");
    } catch (const ln::checkpoint_error& e) {
      CHECK(e.reason() == ln::checkpoint_errc::not_found);
      CHECK_THAT(e.what(), Catch::Contains("batch 1"));
    }
  }
  SECTION("a commit without its offsets entry") {
    scratch_dir dir;
    query.run(dir / "s", scratch_options());
    fs::remove(dir / "s" / "offsets" / "3");
    CHECK_THROWS_AS(query.run(dir / "s", scratch_options()), ln::checkpoint_error);
  }
  SECTION("a flipped byte in the last offsets entry") {
    scratch_dir dir;
    query.run(dir / "s", scratch_options());
    const auto file = dir / "s" / "offsets" / "3";
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(26);
    f.put('\x7f');
    f.close();
    try {
      query.run(dir / "s", scratch_options());
      FAIL("no error");
    } catch (const ln::checkpoint_error& e) {
      CHECK(e.reason() == ln::checkpoint_errc::checksum_mismatch);
      CHECK(e.path() == file);
    }
  }
  SECTION("a truncated commit record") {
    scratch_dir dir;
    query.run(dir / "s", scratch_options());
    fs::resize_file(dir / "s" / "commits" / "3", 20);
    try {
      query.run(dir / "s", scratch_options());
      FAIL("no error");
    } catch (const ln::checkpoint_error& e) {
      CHECK(e.reason() == ln::checkpoint_errc::truncated);
    }
  }
  SECTION("a foreign file as a log entry") {
    scratch_dir dir;
    query.run(dir / "s", scratch_options());
    std::ofstream(dir / "s" / "commits" / "3") << "not lineage's";
    try {
      query.run(dir / "s", scratch_options());
      FAIL("no error");
    } catch (const ln::checkpoint_error& e) {
      CHECK(e.reason() == ln::checkpoint_errc::not_a_checkpoint);
    }
  }
}

TEST_CASE("stream: an adaptor's numbers are in the stream signature", "[stream][params]") {
  const auto input = random_batches(3, 40, 18);
  scratch_dir dir;
  const auto s = dir / "s";
  const auto sampled = [&](double fraction) {
    return ln::batches(input) | ln::sample(fraction, 9) | ln::coalesce(1) | ln::foreach_batch(recorder<int>{});
  };
  CHECK(sampled(0.1).signature() == sampled(0.1).signature());
  CHECK(sampled(0.1).signature() != sampled(0.5).signature());
  CHECK_THAT(sampled(0.1).signature(), Catch::Contains("sample(fraction 0.1, seed 9"));
  sampled(0.1).run(s, scratch_options());
  try {
    sampled(0.5).run(s, scratch_options());
    FAIL("no error");
  } catch (const ln::checkpoint_error& e) {
    CHECK(e.reason() == ln::checkpoint_errc::signature_mismatch);
    CHECK_THAT(e.what(), Catch::Contains("fraction 0.5"));
  }
  CHECK(sampled(0.1).run(s, scratch_options()).batches_run == 0);  // same numbers: resumes (nothing new)
}

TEST_CASE("stream: a changed stream signature is refused, naming what changed", "[stream]") {
  const auto input = random_batches(3, 10, 17);
  scratch_dir dir;
  const auto s = dir / "s";
  const auto q1 = ln::batches(input) | ln::map([](int x) { return x + 1; }) | ln::foreach_batch(recorder<int>{});
  q1.run(s, scratch_options());

  auto expect_mismatch = [&](const auto& query, const ln::stream_options& opts, const char* names) {
    try {
      query.run(s, opts);
      FAIL("no error");
    } catch (const ln::checkpoint_error& e) {
      CHECK(e.reason() == ln::checkpoint_errc::signature_mismatch);
      CHECK_THAT(e.what(), Catch::Contains(names));
    }
  };
  SECTION("another operator") {
    const auto q2 = ln::batches(input) | ln::filter([](int x) { return x > 0; }) | ln::foreach_batch(recorder<int>{});
    expect_mismatch(q2, scratch_options(), "filter");
  }
  SECTION("another element type") {
    const auto q2 =
        ln::batches(input) | ln::map([](int x) { return 1.5 * x; }) | ln::foreach_batch(recorder<double>{});
    expect_mismatch(q2, scratch_options(), "double");
  }
  SECTION("another source type") {
    const std::vector<std::vector<long>> longs = {{1L}};
    const auto q2 = ln::batches(longs) | ln::map([](long x) { return static_cast<int>(x) + 1; }) |
                    ln::foreach_batch(recorder<int>{});
    expect_mismatch(q2, scratch_options(), "source");
  }
  SECTION("another version tag") {
    auto opts = scratch_options();
    opts.version = "v2";
    expect_mismatch(q1, opts, "v2");
  }
  SECTION("same code and version resume; recompute starts over and keeps foreign files") {
    CHECK(q1.run(s, scratch_options()).batches_run == 0);
    std::ofstream(s / "offsets" / "notes.txt") << "mine";
    recorder<int> seen;
    const auto q2 = ln::batches(input) | ln::filter([](int x) { return x > 0; }) | ln::foreach_batch(seen);
    auto opts = scratch_options();
    opts.on_mismatch = ln::mismatch_policy::recompute;
    const auto r = q2.run(s, opts);
    CHECK_FALSE(r.resumed);
    CHECK(r.batches_run == input.size());
    CHECK(r.first_batch == 0u);
    CHECK(fs::exists(s / "offsets" / "notes.txt"));
    for (std::size_t b = 0; b < input.size(); ++b) {
      std::vector<int> expected;
      for (int x : input[b]) {
        if (x > 0) expected.push_back(x);
      }
      CHECK(seen.d->seen.at(b) == expected);
    }
    CHECK(q2.run(s, scratch_options()).batches_run == 0);  // the new signature is now the stored one
  }
}

TEST_CASE("stream: trigger::every runs batches as they come until stopped", "[stream]") {
  const auto input = random_batches(5, 10, 31);
  const auto start = std::chrono::steady_clock::now();
  // Batch b appears 3*b ms after the start: the trigger finds nothing new on some ticks.
  auto gen = [&](std::uint64_t b) -> std::optional<std::vector<int>> {
    if (b >= input.size() || std::chrono::steady_clock::now() - start < std::chrono::milliseconds(3 * b)) {
      return std::nullopt;
    }
    return input[b];
  };
  std::stop_source stop;
  recorder<int> seen;
  auto on_batch = [&stop, seen](std::uint64_t b, const ln::checkpointed<int>& r) {
    seen(b, r);
    if (b + 1 == 5) stop.request_stop();
  };
  scratch_dir dir;
  auto opts = scratch_options();
  opts.trigger = ln::trigger::every(std::chrono::milliseconds(1), stop.get_token());
  const auto report = (ln::generator_stream(gen) | ln::foreach_batch(on_batch)).run(dir / "s", opts);
  CHECK(report.batches_run == 5);
  for (std::size_t b = 0; b < input.size(); ++b) CHECK(seen.d->seen.at(b) == input[b]);
}

TEST_CASE("stream: trigger::every returns when stopped from another thread, with nothing new", "[stream]") {
  std::stop_source stop;
  auto gen = [](std::uint64_t) -> std::optional<std::vector<int>> { return std::nullopt; };
  scratch_dir dir;
  auto opts = scratch_options();
  opts.trigger = ln::trigger::every(std::chrono::milliseconds(5), stop.get_token());
  std::jthread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    stop.request_stop();
  });
  const auto report = (ln::generator_stream(gen) | ln::foreach_batch(recorder<int>{})).run(dir / "s", opts);
  CHECK(report.batches_run == 0);
}

TEST_CASE("stream: trigger::every(0) is refused with the value, not run as a busy loop", "[stream]") {
  std::stop_source stop;
  const auto message_of = [&](auto interval) {
    try {
      (void)ln::trigger::every(interval, stop.get_token());
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  CHECK(message_of(std::chrono::milliseconds(0)).find("got 0 ms") != std::string::npos);
  CHECK(message_of(std::chrono::seconds(0)).find("got 0 s") != std::string::npos);
  CHECK(message_of(std::chrono::nanoseconds(-3)).find("got -3 ns") != std::string::npos);
  CHECK(message_of(std::chrono::duration<long long, std::pico>(10)).find("got 10 x 1/1000000000000 s") !=
        std::string::npos);  // rounds to 0 ns
  CHECK(message_of(std::chrono::milliseconds(0)).find("available_now") != std::string::npos);
  // The smallest accepted interval, and a usual one, keep their value.
  CHECK(ln::trigger::every(std::chrono::nanoseconds(1), stop.get_token()).interval == std::chrono::nanoseconds(1));
  CHECK(ln::trigger::every(std::chrono::milliseconds(5), stop.get_token()).interval == std::chrono::milliseconds(5));
}

TEST_CASE("stream: a second run on the same stream directory is refused while the first runs", "[stream]") {
  const std::vector<std::vector<int>> input = {{1}, {2}};
  scratch_dir dir;
  const auto s = dir / "s";
  std::optional<ln::checkpoint_errc> second;
  auto on_batch = [&](std::uint64_t b, const ln::checkpointed<int>&) {
    if (b != 0) return;
    try {
      (ln::batches(input) | ln::foreach_batch(recorder<int>{})).run(s, scratch_options());
    } catch (const ln::checkpoint_error& e) {
      second = e.reason();
    }
  };
  (ln::batches(input) | ln::foreach_batch(on_batch)).run(s, scratch_options());
  CHECK(second == ln::checkpoint_errc::locked);
}
