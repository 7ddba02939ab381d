// storage::write_small_file / read_small_file: whole-file atomic replacement for small state
// (the coming streams' offsets and commit logs), under the storage rules: no link followed,
// no foreign file replaced or removed, typed errors on damage.
#include "storage_test_support.hpp"

#include <lineage/storage/small_file.hpp>
#include <lineage/storage/testing/fault_file_system.hpp>

#include <cstring>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

using namespace storage_test;

namespace {

std::vector<std::byte> bytes_of(const std::string& text) {
  std::vector<std::byte> out(text.size());
  std::memcpy(out.data(), text.data(), text.size());
  return out;
}

}  // namespace

TEST_CASE("small file: written, replaced and read back whole", "[storage][small_file]") {
  temp_dir tmp;
  const auto path = tmp / "offsets";
  CHECK_FALSE(st::read_small_file(path).has_value());
  st::write_small_file(path, bytes_of("offset=1"));
  CHECK(st::read_small_file(path) == bytes_of("offset=1"));
  st::write_small_file(path, bytes_of("offset=22"), false);
  CHECK(st::read_small_file(path) == bytes_of("offset=22"));
  st::write_small_file(path, {});
  CHECK(st::read_small_file(path) == std::vector<std::byte>{});
  CHECK(tree(tmp.path()) == std::set<std::string>{"offsets"});
  CHECK(fs::file_size(path) == st::format::small_file_overhead);
}

TEST_CASE("small file: a crashed writer's temp file is replaced, foreign files never", "[storage][small_file]") {
  temp_dir tmp;
  const auto path = tmp / "commits";
  st::write_small_file(path, bytes_of("a"));
  // A temp file cut short by a crash (a prefix of the magic): lineage's, removed.
  write_bytes(tmp / "commits.tmp", bytes_of("LNGSM"));
  st::write_small_file(path, bytes_of("b"));
  CHECK(st::read_small_file(path) == bytes_of("b"));
  CHECK_FALSE(fs::exists(tmp / "commits.tmp"));

  // The user's file at the temp name, or at the target: refused, left as it is.
  write_bytes(tmp / "commits.tmp", bytes_of("my notes"));
  CHECK(error_of([&] { st::write_small_file(path, bytes_of("c")); }).reason() == checkpoint_errc::not_a_checkpoint);
  CHECK(read_bytes(tmp / "commits.tmp") == bytes_of("my notes"));
  CHECK(st::read_small_file(path) == bytes_of("b"));
  fs::remove(tmp / "commits.tmp");
  const auto mine = tmp / "mine";
  write_bytes(mine, bytes_of("user data"));
  CHECK(error_of([&] { st::write_small_file(mine, bytes_of("x")); }).reason() == checkpoint_errc::not_a_checkpoint);
  CHECK(read_bytes(mine) == bytes_of("user data"));
  CHECK(error_of([&] { st::read_small_file(mine); }).reason() == checkpoint_errc::not_a_checkpoint);

  // A link at either name is never written through.
  const auto victim = tmp / "victim";
  write_bytes(victim, bytes_of("victim"));
  fs::create_symlink(victim, tmp / "linked");
  CHECK(error_of([&] { st::write_small_file(tmp / "linked", bytes_of("x")); }).reason() ==
        checkpoint_errc::not_a_checkpoint);
  fs::create_symlink(victim, tmp / "other.tmp");
  CHECK(error_of([&] { st::write_small_file(tmp / "other", bytes_of("x")); }).reason() ==
        checkpoint_errc::not_a_checkpoint);
  CHECK(read_bytes(victim) == bytes_of("victim"));
  CHECK_FALSE(fs::exists(tmp / "other"));

  // A FIFO is not read (no hang).
  REQUIRE(::mkfifo((tmp / "fifo").c_str(), 0644) == 0);
  CHECK(error_of([&] { st::read_small_file(tmp / "fifo"); }).reason() == checkpoint_errc::not_a_checkpoint);
}

TEST_CASE("small file: damage is a typed error", "[storage][small_file]") {
  temp_dir tmp;
  const auto path = tmp / "state";
  st::write_small_file(path, bytes_of("0123456789"), false);
  const auto good = read_bytes(path);
  for (std::size_t cut = 1; cut < good.size(); ++cut) {
    write_bytes(path, std::vector<std::byte>(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(cut)));
    const auto reason = error_of([&] { st::read_small_file(path); }).reason();
    CHECK((reason == checkpoint_errc::truncated || reason == checkpoint_errc::not_a_checkpoint));
  }
  for (std::size_t at = 0; at < good.size(); ++at) {
    auto flipped = good;
    flipped[at] ^= std::byte{0x10};
    write_bytes(path, flipped);
    CHECK_THROWS_AS(st::read_small_file(path), checkpoint_error);
  }
  // A header announcing more than the bound is not read whole.
  auto huge = good;
  const std::uint64_t length = st::format::max_small_file_payload + 1;
  std::memcpy(huge.data() + 16, &length, 8);
  write_bytes(path, huge);
  CHECK(error_of([&] { st::read_small_file(path); }).reason() == checkpoint_errc::not_a_checkpoint);
  CHECK_THROWS_AS(st::write_small_file(path, std::vector<std::byte>(length)), std::length_error);
}

TEST_CASE("small file: an I/O error or a power loss at any step leaves the old content or the new, whole",
          "[storage][small_file]") {
  temp_dir tmp;
  const auto root = tmp / "root";
  fs::create_directories(root);
  st::testing::fault_file_system faults(root, tmp / "scratch");
  const auto path = root / "log";
  for (const auto kind : {st::testing::fault_kind::eio, st::testing::fault_kind::crash}) {
    for (std::uint64_t at = 1;; ++at) {
      faults.disarm();
      st::write_small_file(path, bytes_of("old"), true, faults);
      faults.arm(kind, at);
      bool threw = false;
      try {
        st::write_small_file(path, bytes_of("new"), true, faults);
      } catch (const checkpoint_error&) {
        threw = true;
      } catch (const st::testing::simulated_crash&) {
        threw = true;
      }
      const bool fired = faults.fired();
      faults.disarm();
      if (kind == st::testing::fault_kind::crash) faults.simulate_crash();  // power loss: what was durable
      const auto now = st::read_small_file(path, faults);
      INFO("fault at operation " << at);
      CHECK((now == bytes_of("old") || now == bytes_of("new")));
      if (!threw) CHECK(now == bytes_of("new"));
      if (!fired) break;
    }
  }
}
