// Streams, step 4: text_file_stream and line_stream on real files, with files renamed in and
// lines appended by another process while a query runs.
#include "stream_test_support.hpp"

#include <atomic>
#include <chrono>
#include <fstream>
#include <stop_token>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>

using namespace stream_test;

namespace {

void write_file(const fs::path& p, const std::string& content) {
  std::ofstream(p, std::ios::binary) << content;
}
void append_file(const fs::path& p, const std::string& content) {
  std::ofstream(p, std::ios::binary | std::ios::app) << content;
}

std::vector<std::string> all_lines(const recorder<std::string>& r) {
  std::vector<std::string> out;
  for (const auto& [b, lines] : r.d->seen) out.insert(out.end(), lines.begin(), lines.end());
  return out;
}

// Runs in a forked child: async-signal-safe calls only (write, open, rename, nanosleep).
void child_sleep_us(long us) {
  timespec t{0, us * 1000};
  ::nanosleep(&t, nullptr);
}

}  // namespace

TEST_CASE("text_file_stream: new files in name order, each once, hidden and temp names skipped", "[stream]") {
  scratch_dir dir;
  const auto in = dir / "in";
  fs::create_directories(in);
  write_file(in / "b.txt", "b1\nb2\n");
  write_file(in / "a.txt", "a1\n\na3");  // an empty line; a last line without '\n'
  write_file(in / ".partial", "never\n");
  write_file(in / "c.tmp", "never\n");
  write_file(in / "_staging", "never\n");
  recorder<std::string> seen;
  const auto q = ln::text_file_stream(in, {.max_files_per_batch = 1}) | ln::foreach_batch(seen);
  auto r = q.run(dir / "s", scratch_options());
  CHECK(r.batches_run == 2);
  CHECK(seen.d->seen.at(0) == std::vector<std::string>{"a1", "", "a3"});
  CHECK(seen.d->seen.at(1) == std::vector<std::string>{"b1", "b2"});
  // A name before the ones taken is still new: the log records names, not a high-water mark.
  write_file(in / "0.txt", "zero\n");
  write_file(in / "d.txt", "d\n");
  r = (ln::text_file_stream(in) | ln::foreach_batch(seen)).run(dir / "s", scratch_options());
  CHECK(r.batches_run == 1);
  CHECK(seen.d->seen.at(2) == std::vector<std::string>{"zero", "d"});
  CHECK((ln::text_file_stream(in) | ln::foreach_batch(seen)).run(dir / "s", scratch_options()).batches_run == 0);
}

TEST_CASE("text_file_stream: a replay of a batch whose file is gone is a typed error", "[stream]") {
  scratch_dir dir;
  const auto in = dir / "in";
  fs::create_directories(in);
  write_file(in / "a.txt", "a\n");
  const auto q = ln::text_file_stream(in) | ln::foreach_batch(recorder<std::string>{});
  q.run(dir / "s", scratch_options());
  fs::remove(dir / "s" / "commits" / "0");
  fs::remove(in / "a.txt");
  try {
    q.run(dir / "s", scratch_options());
    FAIL("no error");
  } catch (const ln::checkpoint_error& e) {
    CHECK(e.reason() == ln::checkpoint_errc::not_found);
  }
}

TEST_CASE("text_file_stream: a file replaced by another of the same name and size is taken again", "[stream]") {
  scratch_dir dir;
  const auto in = dir / "in";
  fs::create_directories(in);
  write_file(in / "a.txt", "one\n");
  write_file(in / "b.txt", "bee\n");
  recorder<std::string> seen;
  const auto q = ln::text_file_stream(in) | ln::foreach_batch(seen);
  CHECK(q.run(dir / "s", scratch_options()).batches_run == 1);
  CHECK(sorted(seen.d->seen.at(0)) == std::vector<std::string>{"bee", "one"});
  CHECK(q.run(dir / "s", scratch_options()).batches_run == 0);  // unchanged: nothing new

  // Renamed over a.txt: same name, same size, another inode (and mtime set apart as well).
  write_file(in / ".a.next", "two\n");
  fs::last_write_time(in / ".a.next", fs::last_write_time(in / "a.txt") + std::chrono::seconds(5));
  fs::rename(in / ".a.next", in / "a.txt");
  CHECK(q.run(dir / "s", scratch_options()).batches_run == 1);
  CHECK(seen.d->seen.at(1) == std::vector<std::string>{"two"});

  // Rewritten in place (same inode, same size), told apart by its modification time only.
  const auto before = fs::last_write_time(in / "b.txt");
  write_file(in / "b.txt", "BEE\n");
  fs::last_write_time(in / "b.txt", before + std::chrono::seconds(7));
  CHECK(q.run(dir / "s", scratch_options()).batches_run == 1);
  CHECK(seen.d->seen.at(2) == std::vector<std::string>{"BEE"});
  CHECK(q.run(dir / "s", scratch_options()).batches_run == 0);

  // A replay of a logged batch whose file was replaced since, at the same size: a typed error,
  // never the other file's lines.
  fs::remove(dir / "s" / "commits" / "2");
  write_file(in / "b.txt", "bEe\n");
  fs::last_write_time(in / "b.txt", before + std::chrono::seconds(9));
  try {
    q.run(dir / "s", scratch_options());
    FAIL("no error");
  } catch (const ln::checkpoint_error& e) {
    CHECK(e.reason() == ln::checkpoint_errc::checksum_mismatch);
    CHECK(e.path() == in / "b.txt");
  }
}

TEST_CASE("text_file_stream: files renamed in by another process during a run are each taken once",
          "[stream]") {
  scratch_dir dir;
  const auto in = dir / "in";
  const auto staging = dir / "staging";
  fs::create_directories(in);
  fs::create_directories(staging);
  constexpr int files = 30;
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    for (int f = 0; f < files; ++f) {
      char name[64], target[64], line[64];
      std::snprintf(name, sizeof name, "%s/f%03d", staging.c_str(), f);
      std::snprintf(target, sizeof target, "%s/f%03d", in.c_str(), f);
      const int fd = ::open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      for (int l = 0; l < 3; ++l) {
        const int n = std::snprintf(line, sizeof line, "file %d line %d\n", f, l);
        if (::write(fd, line, static_cast<std::size_t>(n)) != n) ::_exit(1);
      }
      ::close(fd);
      if (::rename(name, target) != 0) ::_exit(1);
      child_sleep_us(700);
    }
    ::_exit(0);
  }
  std::stop_source stop;
  recorder<std::string> seen;
  std::atomic<std::size_t> lines{0};
  auto on_batch = [&](std::uint64_t b, const ln::checkpointed<std::string>& r) {
    seen(b, r);
    if (lines.fetch_add(r.size()) + r.size() == files * 3) stop.request_stop();
  };
  auto opts = scratch_options();
  opts.trigger = ln::trigger::every(std::chrono::microseconds(500), stop.get_token());
  (ln::text_file_stream(in, {.max_files_per_batch = 4}) | ln::foreach_batch(on_batch)).run(dir / "s", opts);
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  std::vector<std::string> expected;
  for (int f = 0; f < files; ++f) {
    for (int l = 0; l < 3; ++l) expected.push_back("file " + std::to_string(f) + " line " + std::to_string(l));
  }
  CHECK(all_lines(seen) == expected);  // files renamed in name order: batches in name order too
  CHECK(seen.d->seen.size() >= static_cast<std::size_t>(files) / 4);
}

TEST_CASE("line_stream: complete lines by byte budget; a partial last line waits", "[stream]") {
  scratch_dir dir;
  const auto log = dir / "log";
  write_file(log, "a\nbb\nccc");
  recorder<std::string> seen;
  const auto q = ln::line_stream(log, {.max_bytes_per_batch = 4}) | ln::foreach_batch(seen);
  auto r = q.run(dir / "s", scratch_options());
  CHECK(r.batches_run == 2);
  CHECK(seen.d->seen.at(0) == std::vector<std::string>{"a"});
  CHECK(seen.d->seen.at(1) == std::vector<std::string>{"bb"});
  append_file(log, "c\n" + std::string(10, 'x') + "\nd\ne\n");
  r = q.run(dir / "s", scratch_options());
  CHECK(seen.d->seen.at(2) == std::vector<std::string>{"cccc"});
  CHECK(seen.d->seen.at(3) == std::vector<std::string>{std::string(10, 'x')});  // longer than the budget: whole
  CHECK(seen.d->seen.at(4) == std::vector<std::string>{"d", "e"});
  CHECK(r.batches_run == 3);
  CHECK(q.run(dir / "s", scratch_options()).batches_run == 0);
}

TEST_CASE("line_stream: another process appends, splitting lines across writes", "[stream]") {
  scratch_dir dir;
  const auto log = dir / "log";
  constexpr int total_lines = 400;
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd < 0) ::_exit(1);
    std::mt19937 gen(5);
    std::string pending;
    for (int l = 0; l < total_lines; ++l) pending += "line-" + std::to_string(l) + std::string(static_cast<std::size_t>(l % 13), '.') + '\n';
    std::size_t at = 0;
    while (at < pending.size()) {
      const std::size_t n = std::min<std::size_t>(pending.size() - at, gen() % 23 + 1);  // cuts lines anywhere
      if (::write(fd, pending.data() + at, n) != static_cast<ssize_t>(n)) ::_exit(1);
      at += n;
      if (gen() % 8 == 0) child_sleep_us(300);
    }
    ::close(fd);
    ::_exit(0);
  }
  std::stop_source stop;
  recorder<std::string> seen;
  std::atomic<std::size_t> lines{0};
  auto on_batch = [&](std::uint64_t b, const ln::checkpointed<std::string>& r) {
    seen(b, r);
    if (lines.fetch_add(r.size()) + r.size() == total_lines) stop.request_stop();
  };
  auto opts = scratch_options();
  opts.trigger = ln::trigger::every(std::chrono::microseconds(300), stop.get_token());
  (ln::line_stream(log, {.max_bytes_per_batch = 256}) | ln::foreach_batch(on_batch)).run(dir / "s", opts);
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  std::vector<std::string> expected;
  for (int l = 0; l < total_lines; ++l) expected.push_back("line-" + std::to_string(l) + std::string(static_cast<std::size_t>(l % 13), '.'));
  CHECK(all_lines(seen) == expected);  // every line once, whole, in order
}
