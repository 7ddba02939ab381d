// Regression tests for the ways a checkpoint writer, reader or remover could lose or damage data
// that is not its own, or hang/allocate without bound on hostile files (the reliability review):
// folders named g<digits>, links planted at the next generation's name, a failed fsync of the
// directory followed by power loss, absurd generation numbers, forged sizes, sparse files and
// FIFOs. Each of these failed before the fix it guards.
#include "storage_test_support.hpp"

#include <lineage/checkpoint.hpp>
#include <lineage/lineage.hpp>
#include <lineage/storage/testing/fault_file_system.hpp>

#include <chrono>
#include <csignal>
#include <thread>
#include <mutex>
#include <atomic>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace storage_test;
namespace ln = lineage;
using st::testing::fault_file_system;
using st::testing::fault_kind;
using st::testing::simulated_crash;

namespace {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif
#else
constexpr bool sanitized = false;
#endif

// Runs `body` in a forked child with at most `memory` bytes of address space (not under the
// sanitizers, which reserve terabytes of shadow memory) and `seconds` of wall time. The child's
// exit status is what `body` returns; a crash, an escaped exception or a hang shows as
// something else. Returns a description: "exit <n>" or "signal <n>".
std::string in_child(std::uint64_t memory, unsigned seconds, const std::function<int()>& body) {
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    if (!sanitized) {
      const ::rlimit limit{memory, memory};
      if (::setrlimit(RLIMIT_AS, &limit) != 0) ::_exit(100);
    }
    ::alarm(seconds);
    int code = 101;
    try {
      code = body();
    } catch (const std::bad_alloc&) {
      code = 102;
    } catch (...) {
      code = 103;
    }
    ::_exit(code);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "exit " + std::to_string(WEXITSTATUS(status));
}

// 0 if `f` throws checkpoint_error with reason `expected`, another code otherwise.
int expect_error(checkpoint_errc expected, const std::function<void()>& f) {
  try {
    f();
  } catch (const checkpoint_error& e) {
    return e.reason() == expected ? 0 : 10 + static_cast<int>(e.reason());
  }
  return 1;
}

void write_text(const fs::path& path, const std::string& text) {
  write_bytes(path, std::vector<std::byte>(reinterpret_cast<const std::byte*>(text.data()),
                                           reinterpret_cast<const std::byte*>(text.data() + text.size())));
}

std::string read_text(const fs::path& path) {
  const auto bytes = read_bytes(path);
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

// Rewrites dir/MANIFEST as `m`, with a correct content id and checksum (a forgery that passes
// every integrity check of the manifest itself).
void forge_manifest(const fs::path& dir, st::manifest m) {
  m.content_id = st::format::compute_content_id(m.partitions);
  write_bytes(dir / "MANIFEST", st::format::encode_manifest(m));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Item 1: folders of the user's that are called g<digits>.

TEST_CASE("data safety: remove_checkpoint leaves a user's g<digits> folders alone", "[storage][safety]") {
  temp_dir tmp;
  const auto home = tmp / "home";
  fs::create_directories(home / "g2/photos");
  write_text(home / "g2/photos/img.jpg", "jpeg bytes");
  fs::create_directories(home / "g5");
  write_text(home / "g5/part-00000", "my own file that happens to be called part-00000");
  fs::create_directories(home / "g6");  // empty: rmdir may take it, there is nothing to lose
  st::remove_checkpoint(home);
  CHECK(read_text(home / "g2/photos/img.jpg") == "jpeg bytes");
  CHECK(read_text(home / "g5/part-00000") == "my own file that happens to be called part-00000");
  CHECK(tree(home) == std::set<std::string>{"g2/", "g2/photos/", "g2/photos/img.jpg", "g5/", "g5/part-00000"});
}

TEST_CASE("data safety: checkpointing into a folder never deletes a user's g<digits> folder", "[storage][safety]") {
  temp_dir tmp;
  const auto proj = tmp / "proj";
  fs::create_directories(proj / "g7");
  write_text(proj / "g7/thesis.tex", "\\documentclass{article}");
  fs::create_directories(proj / "g1");
  write_text(proj / "g1/part-00000", "not a partition");
  const std::vector<int> data{1, 2, 3, 4, 5};
  const auto first = data | ln::checkpoint(proj, ln::checkpoint_options{.durable = false});
  CHECK(first.size() == data.size());
  // The next generation is the first free name after the highest g<digits> present.
  const auto m1 = st::verify(proj);
  CHECK(m1.generation == 8);
  // A second checkpoint (keep_last = 1) deletes generation 8, and nothing of the user's.
  const std::vector<int> other{6, 7};
  (void)(other | ln::checkpoint(proj, ln::checkpoint_options{.durable = false}));
  CHECK(st::verify(proj).generation == 9);
  CHECK_FALSE(fs::exists(proj / "g8"));
  CHECK(read_text(proj / "g7/thesis.tex") == "\\documentclass{article}");
  CHECK(read_text(proj / "g1/part-00000") == "not a partition");
  ln::remove_checkpoint(proj);
  CHECK(read_text(proj / "g7/thesis.tex") == "\\documentclass{article}");
  CHECK(read_text(proj / "g1/part-00000") == "not a partition");
  CHECK_FALSE(fs::exists(proj / "MANIFEST"));
  CHECK_FALSE(fs::exists(proj / "g9"));
}

TEST_CASE("data safety: a MANIFEST or MANIFEST.tmp that is not lineage's is never replaced", "[storage][safety]") {
  temp_dir tmp;
  for (const std::string name : {"MANIFEST", "MANIFEST.tmp"}) {
    INFO(name);
    const auto dir = tmp / ("ck-" + name);
    fs::create_directories(dir);
    write_text(dir / name, "the user's own notes");
    const auto e = error_of_write(dir);
    CHECK(e == checkpoint_errc::not_a_checkpoint);
    CHECK(read_text(dir / name) == "the user's own notes");
    st::remove_checkpoint(dir);
    CHECK(read_text(dir / name) == "the user's own notes");
  }
}

// ---------------------------------------------------------------------------------------------
// Item 2: a symbolic link planted at the next generation's name.

TEST_CASE("data safety: a link at the next generation's name is skipped, never written through", "[storage][safety]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  const auto victim = tmp / "victim";
  fs::create_directories(victim);
  write_text(victim / "precious", "keep me");
  write_checkpoint<int>(dir, {{1, 2}});  // g1
  fs::create_directory_symlink(victim, dir / "g2");
  fs::create_symlink(victim / "precious", dir / "g3");  // a link to a file, too

  const auto m = write_checkpoint<int>(dir, {{3, 4}, {5}});
  CHECK(m.generation == 4);
  CHECK(load_checkpoint<int>(dir) == partitions<int>{{3, 4}, {5}});
  CHECK(tree(victim) == std::set<std::string>{"precious"});
  CHECK(read_text(victim / "precious") == "keep me");
  CHECK(fs::is_symlink(dir / "g2"));

  SECTION("and a write that fails there does not empty the link's target") {
    fs::remove(dir / "g2");
    fs::remove(dir / "g3");
    fs::create_directory_symlink(victim, dir / "g5");
    fault_file_system faults(tmp.path(), tmp / "scratch");
    for (std::uint64_t k = 1; k <= 12; ++k) {
      INFO("EIO at operation " << k);
      faults.arm(fault_kind::eio, k);
      try {
        write_checkpoint<int>(dir, {{6}, {7}}, scratch_options(), faults);
      } catch (const checkpoint_error&) {
      }
      faults.disarm();
      CHECK(tree(victim) == std::set<std::string>{"precious"});
      CHECK(read_text(victim / "precious") == "keep me");
    }
  }
  st::remove_checkpoint(dir);
  CHECK(read_text(victim / "precious") == "keep me");
}

TEST_CASE("data safety: links planted as MANIFEST.tmp or LOCK are not followed", "[storage][safety]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  write_text(tmp / "target", "keep me");
  write_checkpoint<int>(dir, {{1}});
  fs::create_symlink(tmp / "target", dir / "MANIFEST.tmp");
  CHECK(error_of_write(dir) == checkpoint_errc::not_a_checkpoint);
  fs::remove(dir / "MANIFEST.tmp");
  fs::remove(dir / "LOCK");
  fs::create_symlink(tmp / "target", dir / "LOCK");
  CHECK(error_of_write(dir) == checkpoint_errc::io_error);
  CHECK(read_text(tmp / "target") == "keep me");
  CHECK(load_checkpoint<int>(dir) == partitions<int>{{1}});
}

// ---------------------------------------------------------------------------------------------
// Item 3: the fsync of the directory after the manifest's rename fails, the next writer starts,
// then the power fails.

TEST_CASE("data safety: a failed commit's undo is durable before the next writer relies on it", "[storage][safety][crash]") {
  const auto before = partitions<std::string>{{"a", "b"}, {"c"}};
  const auto after = partitions<std::string>{{"new"}};
  // The operation number of the fsync of dir that follows the rename, from a dry run.
  std::uint64_t commit_sync = 0;
  {
    temp_dir tmp;
    const auto dir = tmp / "root/ckpt";
    fs::create_directories(tmp / "root");
    fault_file_system faults(tmp / "root", tmp / "scratch");
    write_checkpoint(dir, before, durable_options(), faults);
    faults.clear_log();
    write_checkpoint(dir, after, durable_options(), faults);
    const auto log = faults.log();
    bool renamed = false;
    for (std::size_t i = 0; i < log.size() && commit_sync == 0; ++i) {
      if (log[i].find("rename " + (dir / "MANIFEST.tmp").string()) != std::string::npos) renamed = true;
      const auto line = log[i];
      if (renamed && line.size() >= dir.string().size() && line.ends_with("syncdir " + dir.string())) commit_sync = i + 1;
    }
  }
  REQUIRE(commit_sync > 0);

  temp_dir tmp;
  const auto dir = tmp / "root/ckpt";
  fs::create_directories(tmp / "root");
  fault_file_system faults(tmp / "root", tmp / "scratch");
  write_checkpoint(dir, before, durable_options(), faults);
  faults.simulate_crash();
  faults.arm(fault_kind::eio, commit_sync);
  CHECK(error_of([&] { write_checkpoint(dir, after, durable_options(), faults); }).reason() == checkpoint_errc::io_error);
  REQUIRE(faults.fired());
  faults.disarm();
  faults.clear_sync_failures();
  {
    // The next writer makes the directory durable and deletes the generation that the visible
    // manifest does not name; then the power fails.
    st::checkpoint_writer next(dir, durable_options(), faults);
    faults.arm(fault_kind::crash, 1);
  }
  faults.simulate_crash();
  // Whichever manifest survived, it is complete and its generation is there.
  REQUIRE_NOTHROW(st::verify(dir));
  const auto loaded = load_checkpoint<std::string>(dir);
  CHECK((loaded == before || loaded == after));
}

// ---------------------------------------------------------------------------------------------
// Item 4: generation numbers near the top of the 64-bit range.

TEST_CASE("data safety: an absurd generation number never makes a commit unreadable", "[storage][safety]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  write_checkpoint<int>(dir, {{1}});
  fs::create_directories(dir / "g18446744073709551615");
  fs::create_directories(dir / "g281474976710657");  // max_generation + 1
  const auto m = write_checkpoint<int>(dir, {{2, 3}});
  CHECK(m.generation == 2);
  REQUIRE_NOTHROW(st::verify(dir));
  CHECK(load_checkpoint<int>(dir) == partitions<int>{{2, 3}});

  // A forged manifest naming such a generation is damaged, not the newest generation.
  auto forged = m;
  forged.generation = std::numeric_limits<std::uint64_t>::max();
  forged.partitions[0].file = st::format::partition_file_name(forged.generation, 0);
  forge_manifest(dir, forged);
  CHECK(error_of([&] { st::try_read_manifest(dir); }).reason() == checkpoint_errc::not_a_checkpoint);
  const auto m2 = write_checkpoint<int>(dir, {{4}});
  CHECK(m2.generation == 3);
  REQUIRE_NOTHROW(st::verify(dir));
  CHECK(load_checkpoint<int>(dir) == partitions<int>{{4}});
}

// ---------------------------------------------------------------------------------------------
// Items 7-9: forged sizes, sparse files, FIFOs: a typed error, in bounded memory and time.

TEST_CASE("data safety: a forged record count in the manifest does not reach a reservation", "[storage][safety]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  const auto m = write_checkpoint<std::string>(dir, {{"x", "y"}});
  auto forged = m;
  forged.partitions[0].records = 1'000'000'000'000;
  forged.partitions[0].bytes = forged.partitions[0].records + st::format::partition_overhead;
  forge_manifest(dir, forged);
  const auto outcome = in_child(std::uint64_t{2} << 30, 60, [&] {
    return expect_error(checkpoint_errc::truncated, [&] { (void)(ln::open_checkpoint<std::string>(dir) | ln::collect()); });
  });
  CHECK(outcome == "exit 0");
}

TEST_CASE("data safety: a sparse manifest of 4 GB is rejected without reading it", "[storage][safety]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  write_checkpoint<int>(dir, {{1, 2}});
  const std::uint64_t size = std::uint64_t{4} << 30;
  auto header = st::format::encode_manifest(st::manifest{});
  const std::uint64_t body = size - st::format::manifest_header_size - st::format::manifest_trailer_size;
  std::memcpy(header.data() + 16, &body, sizeof body);
  header.resize(st::format::manifest_header_size);
  write_bytes(dir / "MANIFEST", header);
  fs::resize_file(dir / "MANIFEST", size);  // sparse: 4 GB apparent, a few KB on disk
  const auto outcome = in_child(std::uint64_t{1} << 30, 60, [&] {
    if (expect_error(checkpoint_errc::not_a_checkpoint, [&] { st::verify(dir); }) != 0) return 1;
    // get-or-create: the damaged manifest is lineage's (its magic), so it is replaced.
    const std::vector<int> data{5, 6};
    const auto c = data | ln::checkpoint(dir, ln::checkpoint_options{.durable = false});
    return c.recovered() || c.size() != 2 ? 2 : 0;
  });
  CHECK(outcome == "exit 0");
  CHECK(load_checkpoint<int>(dir) == partitions<int>{{5, 6}});
}

TEST_CASE("data safety: a sparse partition of 2 GB is checked before anything is allocated for it", "[storage][safety]") {
  temp_dir tmp;
  const std::uint64_t size = std::uint64_t{2} << 30;
  // A partition file of `size` apparent bytes: a valid header and trailer around a hole, named
  // by a forged manifest that agrees with it (only the payload checksum cannot agree).
  const auto forge_sparse = [&](const fs::path& dir, auto element) {
    using T = decltype(element);
    const auto m = write_checkpoint<T>(dir, {{element}});
    auto forged = m;
    auto& entry = forged.partitions[0];
    entry.bytes = size;
    const std::uint64_t payload = size - st::format::partition_overhead;
    entry.records = std::is_arithmetic_v<T> ? payload / sizeof(T) : payload / 8;
    entry.checksum = 12345;
    const auto path = dir / entry.file;
    const auto header = st::format::encode_partition_header(m.generation, 0);
    write_bytes(path, std::vector<std::byte>(header.begin(), header.end()));
    fs::resize_file(path, size);
    const auto trailer = st::format::encode_partition_trailer(entry.records, payload, entry.checksum);
    const int fd = ::open(path.c_str(), O_WRONLY);
    REQUIRE(fd >= 0);
    REQUIRE(::pwrite(fd, trailer.data(), trailer.size(), static_cast<::off_t>(size - trailer.size())) ==
            static_cast<::ssize_t>(trailer.size()));
    ::close(fd);
    forge_manifest(dir, forged);
  };
  forge_sparse(tmp / "doubles", 1.5);
  forge_sparse(tmp / "strings", std::string("s"));
  const auto outcome = in_child(std::uint64_t{1} << 30, 120, [&] {
    if (expect_error(checkpoint_errc::checksum_mismatch, [&] { (void)ln::recover<double>(tmp / "doubles"); }) != 0) return 1;
    if (expect_error(checkpoint_errc::checksum_mismatch, [&] { (void)ln::recover<std::string>(tmp / "strings"); }) != 0) return 2;
    return 0;
  });
  CHECK(outcome == "exit 0");
}

TEST_CASE("data safety: a FIFO as the manifest or a partition is an error, not a hang", "[storage][safety]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  const auto m = write_checkpoint<int>(dir, {{1, 2}, {3}});
  const auto part = dir / m.partitions[1].file;
  fs::remove(part);
  REQUIRE(::mkfifo(part.c_str(), 0644) == 0);
  auto outcome = in_child(std::uint64_t{2} << 30, 20, [&] {
    if (expect_error(checkpoint_errc::not_a_checkpoint, [&] { st::verify(dir); }) != 0) return 1;
    if (expect_error(checkpoint_errc::not_a_checkpoint, [&] { (void)ln::recover<int>(dir); }) != 0) return 2;
    return 0;
  });
  CHECK(outcome == "exit 0");

  fs::remove(dir / "MANIFEST");
  REQUIRE(::mkfifo((dir / "MANIFEST").c_str(), 0644) == 0);
  outcome = in_child(std::uint64_t{2} << 30, 20, [&] {
    if (expect_error(checkpoint_errc::not_a_checkpoint, [&] { st::verify(dir); }) != 0) return 1;
    if (expect_error(checkpoint_errc::not_a_checkpoint, [&] { (void)ln::recover<int>(dir); }) != 0) return 2;
    // A writer does not replace a FIFO it did not make.
    const std::vector<int> data{1};
    if (expect_error(checkpoint_errc::not_a_checkpoint, [&] { (void)(data | ln::checkpoint(dir)); }) != 0) return 3;
    return 0;
  });
  CHECK(outcome == "exit 0");
  struct ::stat st {};
  REQUIRE(::lstat((dir / "MANIFEST").c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
}

// ---------------------------------------------------------------------------------------------
// Item 14: remove_checkpoint while others read and write: the reasons say what happened.

TEST_CASE("data safety: a reader whose checkpoint was removed or replaced is told so", "[storage][safety]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  write_checkpoint<int>(dir, {{1, 2, 3}, {4}});
  const auto held = st::read_manifest<int>(dir);
  st::remove_checkpoint(dir);
  auto e = error_of([&] { st::load_partition<int>(dir, held, 0); });
  CHECK(e.reason() == checkpoint_errc::not_found);
  CHECK(std::string(e.what()).find("removed while it was being read") != std::string::npos);

  // Generation numbers start again at 1 after a removal: the new g1/part-00000 is another file
  // under the same name, which must not be reported as a damaged partition.
  const auto m = write_checkpoint<int>(dir, {{5, 6}, {4}});
  REQUIRE(m.generation == held.generation);
  e = error_of([&] { st::load_partition<int>(dir, held, 0); });
  CHECK(e.reason() == checkpoint_errc::not_found);
  CHECK(std::string(e.what()).find("replaced by generation 1 while it was being read") != std::string::npos);
  // Every partition is checked against the manifest the reader holds: a file that has exactly
  // the bytes it names loads, whoever wrote it (nothing else is ever returned).
  CHECK(st::load_partition<int>(dir, held, 1) == std::vector<int>{4});
}

TEST_CASE("data safety: remove_checkpoint racing with a writer and a reader", "[storage][safety]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::vector<std::string> unexpected;
  const auto note = [&](const std::string& who, const std::exception& e) {
    std::lock_guard guard(mutex);
    unexpected.push_back(who + ": " + e.what());
  };
  std::atomic<int> commits{0}, removals{0}, reads{0};
  // Each side runs until both have succeeded often enough (or 20 s passed: then the CHECKs on
  // the counts below fail, saying the test saw too little).
  std::thread writer([&] {
    for (int i = 0; !stop; ++i) {
      try {
        write_checkpoint<int>(dir, {{i, i + 1}, {i + 2}});
        ++commits;
        std::this_thread::sleep_for(std::chrono::microseconds(300));  // let the remover in
      } catch (const checkpoint_error& e) {
        const std::string what = e.what();
        const bool ok = e.reason() == checkpoint_errc::locked ||
                        (e.reason() == checkpoint_errc::not_found && what.find("removed") != std::string::npos);
        if (!ok) note("writer", e);
      }
    }
  });
  std::thread remover([&] {
    while (!stop) {
      try {
        st::remove_checkpoint(dir);
        ++removals;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      } catch (const checkpoint_error& e) {
        if (e.reason() != checkpoint_errc::locked) note("remover", e);
      }
    }
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while ((commits < 30 || removals < 30 || reads < 30) && std::chrono::steady_clock::now() < deadline) {
    try {
      const auto parts = load_checkpoint<int>(dir);
      // Whatever generation was read, it is one the writer committed, whole.
      REQUIRE(parts.size() == 2);
      REQUIRE(parts[0].size() == 2);
      CHECK(parts[0][1] == parts[0][0] + 1);
      CHECK(parts[1] == std::vector<int>{parts[0][0] + 2});
      ++reads;
    } catch (const checkpoint_error& e) {
      if (e.reason() != checkpoint_errc::not_found) note("reader", e);
    }
  }
  stop = true;
  writer.join();
  remover.join();
  INFO("commits " << commits << ", removals " << removals << ", reads " << reads);
  for (const auto& line : unexpected) INFO(line);
  CHECK(unexpected.empty());
  CHECK(commits >= 30);
  CHECK(removals >= 30);
}

TEST_CASE("data safety: a writer killed while writing its marker leaves nothing behind", "[storage][safety]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  write_checkpoint<int>(dir, {{1}});
  const auto marker = st::format::encode_generation_marker(2);
  for (std::size_t cut = 0; cut < marker.size(); ++cut) {
    INFO("marker cut to " << cut << " bytes");
    fs::create_directories(dir / "g2");
    write_bytes(dir / "g2/GENERATION", std::vector<std::byte>(marker.begin(), marker.begin() + static_cast<long>(cut)));
    const auto m = write_checkpoint<int>(dir, {{2}});
    CHECK(m.generation == 3 + cut);
    CHECK(tree(dir) == clean_tree(m));
  }
  // The same bytes next to a file of the user's prove nothing: both stay.
  fs::create_directories(dir / "g7");
  write_bytes(dir / "g7/GENERATION", {});
  write_text(dir / "g7/notes.txt", "mine");
  const auto m = write_checkpoint<int>(dir, {{3}});
  CHECK(read_text(dir / "g7/notes.txt") == "mine");
  CHECK(fs::exists(dir / "g7/GENERATION"));
  CHECK(m.generation == 3 + marker.size());
}
