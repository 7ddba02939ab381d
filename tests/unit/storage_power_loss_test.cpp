// Power loss at every operation of a checkpoint write (fault_file_system's model: file data
// durable up to its last fsync, directory entries as of the directory's last fsync, removals at
// once). Whatever the instant, the directory then holds the last committed checkpoint, intact,
// or, once the new manifest was made durable, the new one: never a partial one.
#include "storage_test_support.hpp"

#include <lineage/storage/testing/fault_file_system.hpp>

#include <set>
#include <string>
#include <vector>

using namespace storage_test;
using st::testing::fault_file_system;
using st::testing::fault_kind;
using st::testing::simulated_crash;

namespace {

using record = std::pair<int, std::string>;

partitions<record> make_content(int seed, std::size_t partition_count) {
  partitions<record> parts(partition_count);
  for (std::size_t p = 0; p < partition_count; ++p) {
    for (int i = 0; i < 20 + seed; ++i) {
      parts[p].push_back({seed * 1000 + i, std::string(static_cast<std::size_t>(i % 13), static_cast<char>('a' + seed))});
    }
  }
  return parts;
}

// The operation number (counted from `base`) of the fsync of dir that follows the manifest's
// rename: the instant the new checkpoint becomes durable.
std::uint64_t commit_operation(const std::vector<std::string>& log, const fs::path& dir) {
  bool renamed = false;
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (log[i].find("rename " + (dir / "MANIFEST.tmp").string()) != std::string::npos) renamed = true;
    if (renamed && log[i].find("syncdir " + dir.string()) != std::string::npos &&
        log[i].find("syncdir " + dir.string() + "/") == std::string::npos) {
      return i + 1;
    }
  }
  FAIL("no commit point in the log");
  return 0;
}

struct sweep_result {
  std::size_t crashes = 0;
  std::size_t saw_previous = 0;
  std::size_t saw_new = 0;
};

// Writes `before` (unless empty), then `after` with a crash at operation k, for every k.
sweep_result sweep(const std::vector<partitions<record>>& before, const partitions<record>& after,
                   std::size_t keep_last) {
  const auto options = durable_options(keep_last);
  // A dry run gives the number of operations and the commit point.
  std::uint64_t total = 0;
  std::uint64_t commit = 0;
  {
    temp_dir tmp;
    const auto dir = tmp / "root/ckpt";
    fs::create_directories(tmp / "root");
    fault_file_system faults(tmp / "root", tmp / "scratch");
    for (const auto& b : before) write_checkpoint(dir, b, options, faults);
    faults.clear_log();
    const auto base = faults.operation_count();
    write_checkpoint(dir, after, options, faults);
    total = faults.operation_count() - base;
    commit = commit_operation(faults.log(), dir);
  }
  INFO("operations: " << total << ", commit point: " << commit);
  REQUIRE(commit > 0);
  REQUIRE(commit <= total);

  sweep_result result;
  for (std::uint64_t k = 1; k <= total + 1; ++k) {
    INFO("crash before operation " << k);
    temp_dir tmp;
    const auto dir = tmp / "root/ckpt";
    fs::create_directories(tmp / "root");
    fault_file_system faults(tmp / "root", tmp / "scratch");
    for (const auto& b : before) write_checkpoint(dir, b, options, faults);
    // The committed checkpoint survives a power loss right after its commit.
    faults.simulate_crash();
    if (!before.empty()) REQUIRE(load_checkpoint<record>(dir) == before.back());

    faults.arm(fault_kind::crash, k);
    try {
      write_checkpoint(dir, after, options, faults);
    } catch (const simulated_crash&) {
      // (a crash while deleting old generations is not seen by the writer, which ignores
      // failures there: the commit already happened)
    }
    const bool crashed = faults.crashed();
    REQUIRE(crashed == (k <= total));
    faults.simulate_crash();
    if (crashed) ++result.crashes;

    // Exactly the previous checkpoint before the commit point, exactly the new one after it.
    const auto m = st::try_read_manifest(dir);
    if (k <= commit) {
      if (before.empty()) {
        REQUIRE_FALSE(m);
      } else {
        REQUIRE(load_checkpoint<record>(dir) == before.back());
        ++result.saw_previous;
      }
    } else {
      REQUIRE(load_checkpoint<record>(dir) == after);
      ++result.saw_new;
    }
    if (m) REQUIRE_NOTHROW(st::verify(dir));

    // The next writer cleans up whatever the crash left and commits normally: with keep_last = 2
    // exactly the new generation and the one that was committed stay (not an uncommitted one).
    const auto next = make_content(9, 2);
    const auto m2 = write_checkpoint(dir, next, options, faults);
    REQUIRE(load_checkpoint<record>(dir) == next);
    if (keep_last == 1) REQUIRE(tree(dir) == clean_tree(m2));
    if (keep_last == 2) {
      REQUIRE(m);
      std::set<std::string> generations;
      for (const auto& name : tree(dir)) {
        if (name.front() == 'g' && name.back() == '/') generations.insert(name);
      }
      REQUIRE(generations == std::set<std::string>{st::format::generation_directory_name(m->generation) + "/",
                                                   st::format::generation_directory_name(m2.generation) + "/"});
    }
  }
  return result;
}

}  // namespace

TEST_CASE("storage power loss: crash at every operation of the first checkpoint", "[storage][crash]") {
  const auto result = sweep({}, make_content(1, 3), 1);
  CHECK(result.crashes > 20);
  CHECK(result.saw_new > 0);
}

TEST_CASE("storage power loss: crash at every operation of a checkpoint replacing another", "[storage][crash]") {
  const auto result = sweep({make_content(1, 3)}, make_content(2, 2), 1);
  CHECK(result.crashes > 20);
  CHECK(result.saw_previous > 20);
  CHECK(result.saw_new > 0);  // crashes during the deletion of the old generation
}

TEST_CASE("storage power loss: crash at every operation with keep_last = 2", "[storage][crash]") {
  const auto result = sweep({make_content(1, 2), make_content(2, 1)}, make_content(3, 2), 2);
  CHECK(result.saw_previous > 20);
  CHECK(result.saw_new > 0);
}

TEST_CASE("storage power loss: the model itself loses unsynced data and entries", "[storage][crash]") {
  // Guards the sweep above against a model that loses nothing.
  temp_dir tmp;
  const auto root = tmp / "root";
  fs::create_directories(root);
  fault_file_system faults(root, tmp / "scratch");
  write_checkpoint<record>(root / "ckpt", make_content(1, 1), scratch_options(), faults);  // no fsync at all
  faults.simulate_crash();
  CHECK_FALSE(fs::exists(root / "ckpt"));

  write_checkpoint<record>(root / "ckpt", make_content(1, 1), durable_options(), faults);
  faults.simulate_crash();
  CHECK(load_checkpoint<record>(root / "ckpt") == make_content(1, 1));
  // A replacement without fsync rolls back to the durable manifest, but the deletion of the
  // old generation persisted: exactly why the writer must fsync before deleting.
  write_checkpoint<record>(root / "ckpt", make_content(2, 1), scratch_options(), faults);
  faults.simulate_crash();
  const auto m = st::try_read_manifest(root / "ckpt");
  REQUIRE(m);
  CHECK(m->generation == 1);
  CHECK_FALSE(fs::exists(root / "ckpt/g1"));
  CHECK(load_error<record>(root / "ckpt") == checkpoint_errc::not_found);
}
