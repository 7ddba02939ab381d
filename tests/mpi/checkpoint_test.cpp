// Checkpoints under ln::mpi::world (DESIGN.md §8): rank 0 decides get-or-create, each rank
// writes and loads only its own partitions, rank 0 commits; sizes are global, `recovered` is
// the same on every rank, the data equals ln::seq's; a damaged partition is repaired by its
// owner. Writing with one rank count and reading with another: tests/mpi/checkpoint_job.cpp.
#include "mpi_checkpoint_support.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace {
using namespace mpi_ckpt;
}

TEST_CASE("checkpoint under world: written by every rank, get-or-create, recover, repair", "[mpi][checkpoint]") {
  const auto backend = make_backend(ln::mpi::world);
  const std::size_t rank = backend.rank(), ranks = backend.size();
  const auto data = input();
  const auto oracle = expected(data);
  const auto dir = shared_dir("ckpt-basic");
  std::atomic<std::size_t> calls{0};
  INFO("rank " << rank << " of " << ranks);

  for (const auto& policy : {ln::mpi::world, ln::mpi::world(2)}) {
    // 1. Computed and written: each rank holds only its own partitions, the sizes are global.
    const auto written = pipeline(data, &calls) | ln::checkpoint(dir, options(), policy);
    CHECK_FALSE(written.recovered());
    CHECK(written.partitions() == 7);
    CHECK(written.size() == oracle.size());
    for (std::size_t i = 0; i < written.partitions(); ++i) {
      if (i % ranks != rank) CHECK(written.partition_data()[i].empty());
    }
    CHECK((written | ln::collect(policy)) == oracle);

    // 2. Found again: loaded, the upstream never runs on any rank.
    calls = 0;
    const auto again = pipeline(data, &calls) | ln::checkpoint(dir, options(), policy);
    CHECK(again.recovered());
    CHECK(calls.load() == 0);
    CHECK(again.size() == oracle.size());
    CHECK((again | ln::collect(policy)) == oracle);

    // 3. ln::recover under world, and in one process with ln::seq.
    CHECK((ln::recover<std::pair<int, long>>(dir, policy) | ln::collect(policy)) == oracle);
    CHECK((ln::recover<std::pair<int, long>>(dir) | ln::collect(ln::seq)) == oracle);

    // 4. A damaged partition file: recomputed by its owner alone, the checkpoint rewritten.
    const std::size_t damaged = 5 % 7;
    MPI_Barrier(MPI_COMM_WORLD);  // every rank is done reading it (step 3 is not collective)
    if (backend.leader()) {
      const auto m = ln::storage::read_manifest<std::pair<int, long>>(dir);
      flip_bit(dir / m.partitions[damaged].file, 40);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    const auto repaired = pipeline(data, &calls) | ln::checkpoint(dir, options(), policy);
    CHECK(repaired.repaired_partitions() == std::vector<std::size_t>{damaged});
    CHECK((repaired | ln::collect(policy)) == oracle);
    CHECK((ln::recover<std::pair<int, long>>(dir, policy) | ln::collect(policy)) == oracle);

    // 5. Another version tag: recomputed and replaced.
    const auto v2 = pipeline(data, &calls) | ln::checkpoint(dir, options("mpi-test/2"), policy);
    CHECK_FALSE(v2.recovered());
    CHECK(v2.version() == "mpi-test/2");
    CHECK((v2 | ln::collect(policy)) == oracle);
    if (backend.leader()) ln::remove_checkpoint(dir);
    MPI_Barrier(MPI_COMM_WORLD);
  }
}

TEST_CASE("checkpoint under world with keep_in_memory = false: written as computed, loaded on demand",
          "[mpi][checkpoint]") {
  const auto backend = make_backend(ln::mpi::world);
  const auto data = input();
  const auto oracle = expected(data);
  const auto dir = shared_dir("ckpt-on-disk");
  std::atomic<std::size_t> calls{0};
  auto on_disk = options();
  on_disk.keep_in_memory = false;

  const auto written = pipeline(data, &calls) | ln::checkpoint(dir, on_disk, ln::mpi::world);
  CHECK_FALSE(written.in_memory());
  CHECK_FALSE(written.recovered());
  CHECK(written.size() == oracle.size());
  CHECK((written | ln::collect(ln::mpi::world)) == oracle);
  CHECK((written | ln::count(ln::mpi::world)) == oracle.size());

  calls = 0;
  const auto again = pipeline(data, &calls) | ln::checkpoint(dir, on_disk, ln::mpi::world);
  CHECK(again.recovered());
  CHECK_FALSE(again.in_memory());
  CHECK(calls.load() == 0);
  CHECK((again | ln::collect(ln::mpi::world)) == oracle);
  CHECK((ln::recover<std::pair<int, long>>(dir) | ln::collect(ln::seq)) == oracle);
  MPI_Barrier(MPI_COMM_WORLD);  // every rank is done reading before the leader removes it
  if (backend.leader()) ln::remove_checkpoint(dir);
  MPI_Barrier(MPI_COMM_WORLD);
}

TEST_CASE("checkpoint under world: a failure on one rank is a checkpoint_error on every rank", "[mpi][checkpoint]") {
  const auto dir = shared_dir("ckpt-missing");
  bool threw = false;
  try {
    (void)ln::recover<int>(dir, ln::mpi::world);
  } catch (const ln::checkpoint_error& e) {
    threw = true;
    CHECK(e.reason() == ln::checkpoint_errc::not_found);
  }
  CHECK(threw);
}
