// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::mpi::world and ln::mpi::world(threads): the execution policy that runs a plan on every
// rank of MPI_COMM_WORLD (README "Scale-out on MPI"), and its backend (the interface of exec/backend.hpp).
//
// - Partition i of a stage runs on rank i % size, on that rank's threads (the process's
//   shared pool, as ln::par(threads)); world alone is one thread per rank.
// - A shuffle's exchange is one all-to-all: each rank sends to each rank the buckets its
//   upstream partitions wrote for that rank's downstream partitions, in a fixed order that
//   both sides know (upstream i ascending, then downstream j ascending), so no index travels.
// - gather_ordered: every rank's partials, as (partition, bytes) records, to every rank.
// - agree: rank 0's value, broadcast.
// - Every step ends with agree_on_failure (mpi/failure.hpp): an exception on one rank is
//   thrown on every rank, never a hang.
// Only the thread that calls the action calls MPI (the session's MPI_THREAD_FUNNELED).
#include <mpi.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../exec/backend.hpp"
#include "../exec/policy.hpp"
#include "../exec/thread_pool.hpp"
#include "codec.hpp"
#include "failure.hpp"
#include "session.hpp"
#include "transport.hpp"

namespace lineage::mpi {

struct world_t {
  // Threads per rank for its partitions (0: one per hardware thread).
  std::size_t threads = 1;
  // The most bytes one MPI message piece carries; larger messages are split (mpi/transport.hpp).
  // Below MPI's 2 GiB only to test the splitting.
  std::size_t message_limit = detail::max_message_bytes;

  constexpr world_t operator()(std::size_t n) const { return world_t{n, message_limit}; }
};
inline constexpr world_t world{};

namespace detail {
inline std::atomic<std::uint64_t>& shuffled_bytes_counter() noexcept {
  static std::atomic<std::uint64_t> bytes{0};
  return bytes;
}
}  // namespace detail

// Bytes this process has sent to other ranks in shuffles (exchange) since it started: what a
// benchmark reports as bytes shuffled per rank.
inline std::uint64_t shuffled_bytes() noexcept { return detail::shuffled_bytes_counter().load(std::memory_order_relaxed); }

class world_backend {
 public:
  static constexpr bool merges_partials = true;
  static constexpr bool single_process = false;

  world_backend(MPI_Comm comm, thread_pool& pool, std::size_t threads, std::size_t message_limit)
      : comm_(comm), pool_(&pool), threads_(threads == 0 ? 1 : threads), limit_(message_limit) {
    int initialized = 0;
    MPI_Initialized(&initialized);
    if (initialized == 0) throw mpi_error("lineage::mpi::world: MPI is not initialized (create an ln::mpi::session first)");
    rank_ = static_cast<std::size_t>(detail::comm_rank(comm));
    size_ = static_cast<std::size_t>(detail::comm_size(comm));
  }

  std::size_t rank() const noexcept { return rank_; }
  std::size_t size() const noexcept { return size_; }
  MPI_Comm communicator() const noexcept { return comm_; }

  std::size_t threads() const noexcept { return threads_; }
  bool parallel() const noexcept { return threads_ > 1; }
  std::size_t processes() const noexcept { return size_; }
  bool owns(std::size_t partition, std::size_t) const noexcept { return partition % size_ == rank_; }
  bool leader() const noexcept { return rank_ == 0; }

  template <class Task>
  void for_each_owned_partition(std::size_t n, Task&& task) const {
    detail::agreed(comm_, [&] {
      std::vector<std::size_t> mine;
      for (std::size_t i = rank_; i < n; i += size_) mine.push_back(i);
      run_local(mine.size(), [&](std::size_t k) { task(mine[k]); });
    });
  }

  template <class Task>
  void parallel_for(std::size_t n, Task&& task) const {
    detail::agreed(comm_, [&] { run_local(n, task); });
  }

  template <class T>
  std::vector<lineage::detail::shuffle_input<T>> exchange(std::vector<lineage::detail::buckets_of<T>>&& written,
                                                          std::size_t downstream) const {
    const std::size_t upstream = written.size();
    detail::rank_messages out;
    out.sizes.assign(size_, 0);
    detail::agreed(comm_, [&] {
      for (std::size_t to = 0; to < size_; ++to) {
        const std::size_t before = out.data.size();
        detail::encoder enc(out.data);
        for (std::size_t i = rank_; i < upstream; i += size_) {
          if (written[i].size() != downstream) throw std::logic_error("lineage::mpi: a partition wrote no buckets");
          for (std::size_t j = to; j < downstream; j += size_) enc.vector(written[i][j]);
        }
        out.sizes[to] = out.data.size() - before;
      }
    });
    std::uint64_t to_others = 0;
    for (std::size_t to = 0; to < size_; ++to) {
      if (to != rank_) to_others += out.sizes[to];
    }
    detail::shuffled_bytes_counter().fetch_add(to_others, std::memory_order_relaxed);
    written.clear();  // sent: free it before the bytes arrive
    const auto in = detail::all_to_all_bytes(comm_, std::move(out), limit_);

    std::vector<lineage::detail::shuffle_input<T>> read(downstream);
    detail::agreed(comm_, [&] {
      for (std::size_t j = rank_; j < downstream; j += size_) read[j].resize(upstream);
      for (std::size_t from = 0; from < size_; ++from) {
        detail::decoder dec(in.message(from));
        for (std::size_t i = from; i < upstream; i += size_) {
          for (std::size_t j = rank_; j < downstream; j += size_) dec.vector(read[j][i]);
        }
        dec.expect_end();
      }
    });
    return read;
  }

  template <class P, class Make>
  std::vector<std::optional<P>> gather_ordered(std::vector<std::optional<P>>&& partials, const Make& make_empty) const {
    const std::size_t n = partials.size();
    std::vector<std::byte> mine;
    detail::agreed(comm_, [&] {
      detail::encoder enc(mine);
      for (std::size_t i = 0; i < n; ++i) {
        if (!partials[i]) continue;
        if (!owns(i, n)) throw std::logic_error("lineage::mpi: a partial for a partition owned by another rank");
        enc.raw(i);
        enc.value(*partials[i]);
      }
    });
    const auto all = detail::all_gather_bytes(comm_, std::move(mine), limit_);
    std::vector<std::optional<P>> out(n);
    detail::agreed(comm_, [&] {
      for (std::size_t from = 0; from < size_; ++from) {
        if (from == rank_) continue;
        detail::decoder dec(all.message(from));
        while (dec.remaining() != 0) {
          const std::uint64_t i = dec.raw();
          if (i >= n || out[i] || i % size_ != from) throw storage::decode_error("lineage::mpi: a partial out of place");
          out[i].emplace(make_empty());
          dec.value(*out[i]);
        }
      }
      for (std::size_t i = rank_; i < n; i += size_) out[i] = std::move(partials[i]);  // ours, not decoded
      for (std::size_t i = 0; i < n; ++i) {
        if (!out[i]) throw std::logic_error("lineage::mpi: partition " + std::to_string(i) + " has no partial");
      }
    });
    return out;
  }

  template <class V>
  V agree(V value) const {
    std::vector<std::byte> bytes;
    detail::agreed(comm_, [&] {
      if (rank_ == 0) {
        detail::encoder enc(bytes);
        enc.value(value);
      }
    });
    detail::broadcast_bytes(comm_, bytes, 0, limit_);
    detail::agreed(comm_, [&] {
      if (rank_ != 0) {
        detail::decoder dec(bytes);
        dec.value(value);
        dec.expect_end();
      }
    });
    return value;
  }

 private:
  template <class Task>
  void run_local(std::size_t n, Task&& task) const {
    if (threads_ > 1 && n > 1) {
      pool_->run(n, std::function<void(std::size_t)>(std::ref(task)), threads_);
    } else {
      for (std::size_t i = 0; i < n; ++i) task(i);
    }
  }

  MPI_Comm comm_;
  thread_pool* pool_;
  std::size_t threads_;
  std::size_t limit_;
  std::size_t rank_ = 0;
  std::size_t size_ = 1;
};

static_assert(execution_backend<world_backend>);

// Found by argument-dependent lookup: makes ln::mpi::world an execution policy (exec/policy.hpp).
inline world_backend make_backend(const world_t& w) {
  const std::size_t threads = w.threads != 0 ? w.threads : std::max(1u, std::thread::hardware_concurrency());
  return world_backend(MPI_COMM_WORLD, shared_thread_pool(), threads, w.message_limit);
}

static_assert(execution_policy<world_t>);

}  // namespace lineage::mpi
