// SPDX-License-Identifier: Apache-2.0
#pragma once
// The execution backend: how the partitions of a plan run and how data moves between them.
//
// Every operator and action is written once against this interface; ln::seq, ln::par (threads)
// and, later, ln::mpi::world (<lineage/mpi.hpp>) are backends. A plan is SPMD-shaped: every
// process builds the same pipeline and calls the same action; a backend decides which
// partitions each process runs and carries the few collective steps between them.
//
// A backend B (a small copyable value, made from an execution policy by make_backend(policy),
// see exec/policy.hpp) provides:
//
//   static constexpr bool merges_partials;
//       Whether actions may split into one accumulator per partition that are merged in
//       partition order (an action's merge() is only instantiated when true: ln::seq never
//       needs fold's op(acc, acc)).
//   static constexpr bool single_process;
//       True when this process holds every partition (seq, threads). A backend that is not
//       single-process always runs actions as partials + gather_ordered.
//   std::size_t threads() const;  bool parallel() const;
//       The parallelism asked for on this process: sources split into at most threads()
//       partitions (ln::par(n): n); parallel() is threads() > 1.
//   std::size_t processes() const;
//       How many processes share the partitions (1 for seq and threads, the rank count for
//       MPI): a dataset that should spread over all of them (a stream's batches and state)
//       has processes() * threads() partitions.
//   bool owns(std::size_t partition, std::size_t partitions) const;
//       Whether this process runs `partition` of a stage of `partitions` partitions. Ownership
//       is a pure function of the two numbers (MPI: partition % size == rank), so every
//       process knows where every partition lives without asking.
//   void for_each_owned_partition(std::size_t n, task) const;
//       Runs task(i) for every owned partition i < n (per-partition work: a stage's kernel, a
//       shuffle's read side). In order on the caller, or concurrently on threads.
//   void parallel_for(std::size_t n, task) const;
//       Runs task(i) for every i < n on this process, whatever owns what: work that is not
//       per partition (merging sorted runs, loading a checkpoint's files on one process).
//   template <class T> std::vector<shuffle_input<T>> exchange(std::vector<buckets_of<T>>&& written,
//                                                             std::size_t downstream) const;
//       The shuffle's exchange. written[i] (one entry per upstream partition, filled for the
//       owned ones) holds upstream partition i's buckets, one per downstream partition.
//       Returns, for every owned downstream partition j, its input: bucket j of every upstream
//       partition, in upstream-partition order (an all-to-all; in one process a transpose of
//       vectors). Entries for partitions owned elsewhere are empty.
//   template <class P, class Make> std::vector<std::optional<P>> gather_ordered(
//           std::vector<std::optional<P>>&& partials, const Make& make_empty) const;
//       Every partition's partial result on every process, in partition order: partials[i] is
//       filled for the owned i on input and for every i on output (a distributed backend
//       sends them as bytes and rebuilds each from make_empty()). Actions (collect, take,
//       first, count_by_key, …) merge the result in order, so results equal ln::seq's; take's
//       early stop happens per partition before the gather. Also how sort_by shares its
//       samples and repartition its partition sizes.
//   bool leader() const;
//       Whether this process is the one that decides (rank 0): it alone runs the side effects
//       of a decision (a checkpoint's lock, manifest and commit), then shares the outcome.
//   template <class V> V agree(V value) const;
//       A decision every process shares: the value of the process that decides (rank 0)
//       returned everywhere (get-or-create of a checkpoint, lost partitions).
//
// Per-element work never goes through the backend: a stage's fused kernel runs inside one
// task. The backend is chosen statically (a policy type maps to a backend type), so code for
// a backend is only instantiated where it is used, and there is no virtual call at all.
// Distributed backends need exchange/gather/agree to serialize (cereal); ln::seq and ln::par
// never do, so they keep working with elements that cannot be serialized.
#include <concepts>
#include <cstddef>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "thread_pool.hpp"

namespace lineage {

namespace detail {

template <class T>
using buckets_of = std::vector<std::vector<T>>;  // [downstream partition] -> items

// Downstream partition j's input: the buckets for j from every upstream partition, in order.
template <class T>
using shuffle_input = std::vector<std::vector<T>>;

struct backend_probe_task {
  void operator()(std::size_t) const {}
};

}  // namespace detail

// What make_backend(policy) must return (the statically checkable part of the interface above;
// the member templates exchange, gather_ordered and agree are checked where they are used).
template <class B>
concept execution_backend = std::copy_constructible<B> && requires(const B& b, std::size_t n) {
  { B::merges_partials } -> std::convertible_to<bool>;
  { B::single_process } -> std::convertible_to<bool>;
  { b.threads() } -> std::convertible_to<std::size_t>;
  { b.parallel() } -> std::convertible_to<bool>;
  { b.processes() } -> std::convertible_to<std::size_t>;
  { b.owns(n, n) } -> std::convertible_to<bool>;
  { b.leader() } -> std::convertible_to<bool>;
  b.for_each_owned_partition(n, detail::backend_probe_task{});
  b.parallel_for(n, detail::backend_probe_task{});
};

// The backend of ln::seq (Threads = false) and ln::par (true): one process holds and runs
// every partition, in order on the caller or on the shared pool (exec/thread_pool.hpp).
template <bool Threads>
class local_backend {
 public:
  static constexpr bool merges_partials = Threads;
  static constexpr bool single_process = true;

  local_backend() = default;
  // ln::par(n): at most min(n, pool.size()) tasks at once, sources split by n.
  local_backend(thread_pool& pool, std::size_t width)
    requires Threads
      : pool_(&pool), width_(width) {}

  // The parallelism asked for: sources split into at most this many partitions. Tasks run at
  // most min(threads(), pool->size()) at once (exec/thread_pool.hpp: the pool's size is capped).
  std::size_t threads() const noexcept { return pool_ ? (width_ != 0 ? width_ : pool_->size()) : 1; }
  bool parallel() const noexcept { return threads() > 1; }
  static constexpr std::size_t processes() noexcept { return 1; }

  bool owns(std::size_t, std::size_t) const noexcept { return true; }
  bool leader() const noexcept { return true; }

  // Runs task(i) for every i < n: in order on the caller, or on the pool.
  template <class Task>
  void parallel_for(std::size_t n, Task&& task) const {
    if (parallel() && n > 1) {
      pool_->run(n, std::forward<Task>(task), threads());
    } else {
      for (std::size_t i = 0; i < n; ++i) task(i);
    }
  }
  template <class Task>
  void for_each_owned_partition(std::size_t n, Task&& task) const {
    parallel_for(n, std::forward<Task>(task));
  }

  // In one process the exchange moves vectors: [upstream][downstream] -> [downstream][upstream].
  template <class T>
  std::vector<detail::shuffle_input<T>> exchange(std::vector<detail::buckets_of<T>>&& written,
                                                 std::size_t downstream) const {
    const std::size_t upstream = written.size();
    std::vector<detail::shuffle_input<T>> read(downstream);
    for (std::size_t j = 0; j < downstream; ++j) {
      read[j].reserve(upstream);
      for (std::size_t i = 0; i < upstream; ++i) read[j].push_back(std::move(written[i][j]));
    }
    return read;
  }

  // Every partial is already here.
  template <class P, class Make>
  std::vector<std::optional<P>> gather_ordered(std::vector<std::optional<P>>&& partials, const Make&) const {
    return std::move(partials);
  }

  template <class V>
  V agree(V value) const {
    return value;
  }

 private:
  thread_pool* pool_ = nullptr;  // null: run partitions one after another on the caller
  std::size_t width_ = 0;        // the n of ln::par(n); 0: pool_->size()
};

using seq_backend = local_backend<false>;
using par_backend = local_backend<true>;

static_assert(execution_backend<seq_backend> && execution_backend<par_backend>);

}  // namespace lineage
