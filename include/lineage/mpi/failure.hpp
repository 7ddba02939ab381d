// SPDX-License-Identifier: Apache-2.0
#pragma once
// How an error on one rank reaches every rank (README "Scale-out on MPI": never a hang).
//
// An exception thrown on one rank inside a world call (a user function in a partition's
// kernel, encoding or decoding a message, a checkpoint file) must not leave the other ranks
// waiting in the next collective call. The world backend therefore catches what its own steps
// throw and, at the end of each step, all ranks agree on whether any of them failed
// (agree_on_failure: one MPI_Allreduce). If one did, every rank throws: the failing rank its
// own exception, unchanged, the others ln::mpi::remote_error naming the first failing rank and
// its message. So a world call either returns on every rank or throws on every rank, and a
// program that catches the error may go on with the same collective calls everywhere.
//
// What this does not cover: an exception a rank throws outside the backend's steps and
// catches itself while the others go on (e.g. in the user's code between two actions). If it
// is not caught it ends the process (std::terminate, or the session's MPI_Abort while the
// stack unwinds), and mpiexec then aborts the whole job: a lost rank always ends the job.
#include <mpi.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "../exec/shared_failure.hpp"
#include "codec.hpp"
#include "session.hpp"
#include "transport.hpp"

namespace lineage::mpi {

// Thrown on the ranks that did not fail, when another rank failed inside a world call.
class remote_error : public std::runtime_error {
 public:
  remote_error(std::size_t rank, const std::string& what)
      : std::runtime_error("lineage::mpi: rank " + std::to_string(rank) + " failed: " + what), rank_(rank) {}
  // The first rank (lowest number) that failed.
  std::size_t rank() const noexcept { return rank_; }

 private:
  std::size_t rank_;
};

namespace detail {

// The portable form of an exception (shared_failure: what it is, as bytes travel).
inline lineage::detail::shared_failure portable(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (...) {
    return lineage::detail::shared_failure::current();
  }
}

// Collective: returns normally on every rank when no rank passed an error; otherwise throws on
// every rank (see the top of this file).
inline void agree_on_failure(MPI_Comm comm, const std::exception_ptr& error) {
  const int me = comm_rank(comm);
  const int ranks = comm_size(comm);
  const int mine = error ? me : ranks;
  int first = ranks;
  check(MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm), "MPI_Allreduce");
  if (first == ranks) return;
  // The first failing rank tells the others what happened: its failure, encoded with cereal
  // (a few strings; shorter than an MPI message can be).
  std::vector<std::byte> bytes;
  if (me == first) {
    encoder enc(bytes);
    enc.value(portable(error));
  }
  std::uint64_t length = bytes.size();
  check(MPI_Bcast(&length, 1, MPI_UINT64_T, first, comm), "MPI_Bcast");
  bytes.resize(static_cast<std::size_t>(std::min<std::uint64_t>(length, max_message_bytes)));
  check(MPI_Bcast(bytes.data(), static_cast<int>(bytes.size()), MPI_BYTE, first, comm), "MPI_Bcast");
  if (error) std::rethrow_exception(error);
  lineage::detail::shared_failure failure;
  try {
    decoder dec(bytes);
    dec.value(failure);
  } catch (const std::exception& e) {
    failure.message = std::string("(its message did not decode: ") + e.what() + ")";
  }
  if (failure.checkpoint) failure.rethrow_copy();  // the same checkpoint_error (reason, path, detail)
  throw remote_error(static_cast<std::size_t>(first), failure.message);
}

// Runs fn(); what it throws is agreed on by every rank (agree_on_failure).
template <class Fn>
void agreed(MPI_Comm comm, Fn&& fn) {
  std::exception_ptr error;
  try {
    fn();
  } catch (...) {
    error = std::current_exception();
  }
  agree_on_failure(comm, error);
}

}  // namespace detail
}  // namespace lineage::mpi
