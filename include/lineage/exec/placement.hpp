#pragma once
// Which partitions of an owning source this process keeps when it builds the source.
//
// SPMD (DESIGN.md §8): every process builds the same pipeline from the same data. An owning
// source that splits its data into partitions (ln::parallelize) keeps only the partitions that
// the backend of this process will run, and drops the others when it is built, not when an
// action runs. Alone, a process keeps every partition. <lineage/mpi.hpp>'s session installs
// its rank and size for the life of the session, so ln::parallelize(range, n) keeps partition
// i on rank i % size, where ln::mpi::world runs it. No MPI here: just two numbers.
#include <cstddef>
#include <utility>

namespace lineage {

struct source_placement {
  std::size_t rank = 0;
  std::size_t size = 1;
  bool keeps(std::size_t partition) const noexcept { return partition % size == rank; }
  bool keeps_all() const noexcept { return size == 1; }
};

namespace detail {
// Written by a session's constructor and destructor (on the thread that creates it, before
// and after any action), read when sources are built.
inline source_placement& installed_source_placement() noexcept {
  static source_placement placement;
  return placement;
}
}  // namespace detail

// The placement that sources built now use.
inline source_placement current_source_placement() noexcept { return detail::installed_source_placement(); }

// Installs a placement for its lifetime, then restores the previous one (the MPI session does;
// scoped_source_placement local({}) builds sources that keep every partition, for ln::seq).
class scoped_source_placement {
 public:
  explicit scoped_source_placement(source_placement placement) noexcept
      : previous_(std::exchange(detail::installed_source_placement(), placement)) {}
  scoped_source_placement(const scoped_source_placement&) = delete;
  scoped_source_placement& operator=(const scoped_source_placement&) = delete;
  ~scoped_source_placement() { detail::installed_source_placement() = previous_; }

 private:
  source_placement previous_;
};

}  // namespace lineage
