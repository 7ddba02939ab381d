// I/O errors at every operation of a checkpoint write (EIO, ENOSPC, a short write on a full
// disk), and a real full disk (RLIMIT_FSIZE in a child process): each failure throws
// checkpoint_error{io_error}, the previous checkpoint still loads, no failed fsync is retried,
// and the next successful write leaves no temp file behind.
#include "storage_test_support.hpp"

#include <lineage/storage/testing/fault_file_system.hpp>

#include <cstring>
#include <string>
#include <vector>

#include <csignal>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace storage_test;
using st::testing::fault_file_system;
using st::testing::fault_kind;

namespace {

using record = std::pair<std::string, std::vector<double>>;

partitions<record> make_content(int seed, std::size_t partition_count, std::size_t values = 10) {
  partitions<record> parts(partition_count);
  for (std::size_t p = 0; p < partition_count; ++p) {
    for (int i = 0; i < 10; ++i) {
      parts[p].push_back({std::to_string(seed) + "/" + std::to_string(i), std::vector<double>(values, seed + i * 0.5)});
    }
  }
  return parts;
}

struct sweep_result {
  std::uint64_t failures = 0;
  std::uint64_t first_success = 0;
};

// Injects `kind` at the k-th operation (or k-th write) of the second checkpoint's write, for
// k = 1, 2, ... until the write completes.
sweep_result sweep(fault_kind kind, const partitions<record>& before, const partitions<record>& after) {
  sweep_result result;
  for (std::uint64_t k = 1;; ++k) {
    INFO("fault at " << (kind == fault_kind::short_write ? "write " : "operation ") << k);
    REQUIRE(k < 1000);
    temp_dir tmp;
    const auto dir = tmp / "root/ckpt";
    fs::create_directories(tmp / "root");
    fault_file_system faults(tmp / "root", tmp / "scratch");
    const auto first = write_checkpoint(dir, before, durable_options(), faults);

    faults.arm(kind, k);
    try {
      write_checkpoint(dir, after, durable_options(), faults);
    } catch (const checkpoint_error& e) {
      INFO(e.what());
      REQUIRE(faults.fired());
      REQUIRE(e.reason() == checkpoint_errc::io_error);
      const std::string what = e.what();
      REQUIRE(what.find(kind == fault_kind::eio ? "Input/output error" : "No space left on device") !=
              std::string::npos);
      REQUIRE_FALSE(faults.sync_retried_after_failure());
      // The previous checkpoint loads intact (through the real file system).
      REQUIRE(load_checkpoint<record>(dir) == before);
      REQUIRE(st::try_read_manifest(dir) == first);
      ++result.failures;

      // The next write succeeds and leaves nothing stray.
      faults.disarm();
      faults.clear_sync_failures();
      const auto next = make_content(7, 2);
      const auto m = write_checkpoint(dir, next, durable_options(), faults);
      REQUIRE(load_checkpoint<record>(dir) == next);
      REQUIRE(tree(dir) == clean_tree(m));
      continue;
    }
    // Completed: either the fault came after the commit (old generations' deletion, which
    // ignores failures), or there was no k-th operation.
    REQUIRE(load_checkpoint<record>(dir) == after);
    result.first_success = k;
    return result;
  }
}

}  // namespace

TEST_CASE("storage I/O errors: EIO at every operation", "[storage]") {
  const auto result = sweep(fault_kind::eio, make_content(1, 3), make_content(2, 2));
  CHECK(result.failures > 20);
}

TEST_CASE("storage I/O errors: ENOSPC at every operation", "[storage]") {
  const auto result = sweep(fault_kind::enospc, make_content(1, 2), make_content(2, 3));
  CHECK(result.failures > 20);
}

TEST_CASE("storage I/O errors: a short write, then a full disk, at every write", "[storage]") {
  // Large records: partitions span several buffer flushes and direct block writes.
  const auto result = sweep(fault_kind::short_write, make_content(1, 2), make_content(2, 3, 40000));
  CHECK(result.failures > 10);
}

TEST_CASE("storage I/O errors: a failed fsync is not retried and the commit is undone", "[storage]") {
  // The very last step, the fsync of the directory after the rename, fails: the new manifest was
  // already visible; the writer puts the previous one back and keeps the new files for the next
  // writer to remove once the state is durable.
  temp_dir tmp;
  const auto dir = tmp / "root/ckpt";
  fs::create_directories(tmp / "root");
  fault_file_system faults(tmp / "root", tmp / "scratch");
  const auto a = make_content(1, 1);
  write_checkpoint(dir, a, durable_options(), faults);
  faults.clear_log();
  const auto base = faults.operation_count();
  write_checkpoint(dir, make_content(2, 1), durable_options(), faults);
  std::uint64_t last_sync = 0;
  const auto log = faults.log();
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (log[i].find("rename") != std::string::npos) last_sync = i + 2;  // the syncdir right after it
  }
  REQUIRE(log.at(last_sync - 1).find("syncdir " + dir.string()) != std::string::npos);

  write_checkpoint(dir, a, durable_options(), faults);  // back to A (generation 3)
  faults.arm(fault_kind::eio, last_sync);
  (void)base;
  CHECK_THROWS_AS(write_checkpoint(dir, make_content(2, 1), durable_options(), faults), checkpoint_error);
  CHECK_FALSE(faults.sync_retried_after_failure());
  CHECK(load_checkpoint<record>(dir) == a);
  CHECK(fs::exists(dir / "g4"));  // kept: the disk may hold either manifest
  faults.disarm();
  faults.clear_sync_failures();
  const auto m = write_checkpoint(dir, make_content(3, 1), durable_options(), faults);
  CHECK(tree(dir) == clean_tree(m));
}

TEST_CASE("storage I/O errors: a real full disk (RLIMIT_FSIZE) in a child process", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  const auto a = make_content(1, 2);
  write_checkpoint(dir, a, durable_options());

  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // Child: no Catch2 here; report through the exit code only.
    std::signal(SIGXFSZ, SIG_IGN);
    const ::rlimit limit{64 << 10, 64 << 10};
    if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) ::_exit(10);
    try {
      write_checkpoint(dir, make_content(2, 2, 20000), durable_options());  // 1.6 MB per partition
      ::_exit(11);
    } catch (const checkpoint_error& e) {
      const bool ok = e.reason() == checkpoint_errc::io_error &&
                      std::strstr(e.what(), std::strerror(EFBIG)) != nullptr &&
                      std::strstr(e.what(), dir.c_str()) != nullptr;
      ::_exit(ok ? 0 : 12);
    } catch (...) {
      ::_exit(13);
    }
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(load_checkpoint<record>(dir) == a);
  const auto c = make_content(3, 2, 100);
  const auto m = write_checkpoint(dir, c, durable_options());
  CHECK(load_checkpoint<record>(dir) == c);
  CHECK(tree(dir) == clean_tree(m));
}
