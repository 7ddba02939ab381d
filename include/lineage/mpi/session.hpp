// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::mpi::session: the MPI environment of an SPMD program (README "Scale-out on MPI").
//
//   int main(int argc, char** argv) {
//     ln::mpi::session mpi(argc, argv);   // MPI_Init_thread(MPI_THREAD_FUNNELED)
//     auto top = ln::parallelize(words, 64) | ... | ln::collect(ln::mpi::world);
//   }
//
// MPI_THREAD_FUNNELED: only the thread that created the session calls MPI; the pool threads
// that run a rank's partitions never do. If MPI is already initialized (by the program or
// another library), the session uses it and leaves finalizing to whoever initialized it.
//
// A session changes nothing about how a pipeline runs: the policy of each action does
// (ln::seq, ln::par: the whole plan here; ln::mpi::world: partition i on rank i % size).
//
// Failure model: a session destroyed while an exception unwinds the stack calls MPI_Abort
// rather than MPI_Finalize. Finalize waits for the other ranks, which may be inside a
// collective call this rank will never make: aborting ends the whole job instead of hanging.
#include <mpi.h>

#include <cstddef>
#include <exception>
#include <stdexcept>
#include <string>

namespace lineage::mpi {

// Thrown when an MPI call fails (MPI_ERRORS_RETURN is not set by lineage: Open MPI's default
// handler aborts the job, so this is mostly what MPI_Init_thread reports).
class mpi_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

inline void check(int code, const char* what) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw mpi_error(std::string("lineage::mpi: ") + what + " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

inline int comm_rank(MPI_Comm comm) {
  int r = 0;
  check(MPI_Comm_rank(comm, &r), "MPI_Comm_rank");
  return r;
}

inline int comm_size(MPI_Comm comm) {
  int s = 0;
  check(MPI_Comm_size(comm, &s), "MPI_Comm_size");
  return s;
}

}  // namespace detail

class session {
 public:
  session(int& argc, char**& argv) { init(&argc, &argv); }
  // For programs that do not pass their arguments on (MPI allows null arguments).
  session() { init(nullptr, nullptr); }
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  ~session() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (finalized != 0) return;
    if (std::uncaught_exceptions() > unwinding_at_start_) {
      // Another rank may wait in a collective call for this one: end the job, never hang.
      MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (owner_) MPI_Finalize();
  }

  std::size_t rank() const { return static_cast<std::size_t>(detail::comm_rank(MPI_COMM_WORLD)); }
  std::size_t size() const { return static_cast<std::size_t>(detail::comm_size(MPI_COMM_WORLD)); }
  // Whether this session initialized MPI (and so finalizes it).
  bool owns_mpi() const noexcept { return owner_; }
  // The thread support MPI granted (at least MPI_THREAD_FUNNELED).
  int thread_level() const noexcept { return provided_; }

 private:
  void init(int* argc, char*** argv) {
    int initialized = 0;
    detail::check(MPI_Initialized(&initialized), "MPI_Initialized");
    if (initialized != 0) {
      detail::check(MPI_Query_thread(&provided_), "MPI_Query_thread");
    } else {
      detail::check(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided_), "MPI_Init_thread");
      owner_ = true;
    }
    if (provided_ < MPI_THREAD_FUNNELED) {
      throw mpi_error("lineage::mpi: the MPI library grants less than MPI_THREAD_FUNNELED");
    }
  }

  bool owner_ = false;
  int provided_ = MPI_THREAD_SINGLE;
  int unwinding_at_start_ = std::uncaught_exceptions();
};

}  // namespace lineage::mpi
