// SPDX-License-Identifier: Apache-2.0
#pragma once
// Data already materialized as partitions (parallelize, checkpoints, shuffle outputs), and the
// producer that pushes it: each partition is one vector, one partition is one task.
//
// partition_set<T> is the global view of such data from one process: how many partitions the
// dataset has in all (partitions()), which of them this process holds (holds(i)), and the
// elements of those. Under ln::seq and ln::par a process holds every partition; under a
// distributed backend (exec/backend.hpp) it holds only the partitions its backend owns, and
// the others are empty here and never run by it.
#include <cstddef>
#include <memory>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "pipeline.hpp"
#include "sink.hpp"

namespace lineage::detail {

template <class T>
class partition_set {
 public:
  partition_set() = default;
  // Every partition held: `count` partitions, all here.
  explicit partition_set(std::size_t count) : parts_(count), held_(count, true) {}
  // `count` partitions of which those with holds(i) are here (filled in later through at()).
  template <class Holds>
  partition_set(std::size_t count, const Holds& holds) : parts_(count), held_(count) {
    for (std::size_t i = 0; i < count; ++i) held_[i] = holds(i);
  }
  // Every partition held, given as one vector each.
  explicit partition_set(std::vector<std::vector<T>> all)
      : parts_(std::move(all)), held_(parts_.size(), true) {}

  // The global partition count.
  std::size_t partitions() const noexcept { return parts_.size(); }
  bool holds(std::size_t partition) const noexcept { return held_[partition]; }
  bool holds_all() const noexcept {
    for (const bool h : held_) {
      if (!h) return false;
    }
    return true;
  }

  // A held partition's elements (an empty vector for one held elsewhere).
  std::vector<T>& at(std::size_t partition) noexcept { return parts_[partition]; }
  const std::vector<T>& at(std::size_t partition) const noexcept { return parts_[partition]; }
  // One vector per partition, in order; partitions held elsewhere are empty.
  const std::vector<std::vector<T>>& all() const noexcept { return parts_; }

  // Elements held here.
  std::size_t local_records() const noexcept {
    return std::accumulate(parts_.begin(), parts_.end(), std::size_t{0},
                           [](std::size_t n, const auto& part) { return n + part.size(); });
  }

 private:
  std::vector<std::vector<T>> parts_;
  std::vector<bool> held_;
};

template <class T>
class partitioned_producer {
 public:
  explicit partitioned_producer(std::shared_ptr<const partition_set<T>> data) : data_(std::move(data)) {}
  std::size_t partitions() const { return data_->partitions(); }
  std::optional<std::size_t> size_hint(std::size_t partition) const { return data_->at(partition).size(); }
  template <class Sink>
  void run(std::size_t partition, Sink& sink) const {
    // Another process's partition is not here: running it would silently see no elements.
    if (!data_->holds(partition)) throw_not_held(partition);
    const auto& part = data_->at(partition);
    push_all(part.begin(), part.end(), sink);
  }

 private:
  [[noreturn, gnu::cold]] static void throw_not_held(std::size_t partition) {
    throw std::logic_error("lineage: partition " + std::to_string(partition) +
                           " of this data is held by another process (MPI rank): run the pipeline "
                           "with the policy it was built for (ln::mpi::world), not ln::seq or ln::par");
  }

  std::shared_ptr<const partition_set<T>> data_;
};

// An expiring materialized dataset handed to one action (`ln::recover<T>(d) | ln::collect()`):
// its only owner released the partitions (checkpointed<T>::release_partitions), so the run
// moves each partition into the action (push_block: a collect adopts the vector itself)
// instead of copying it. Single use: the action runs it once, then it is gone.
template <class T>
struct released_partitions : pipeline_tag {
  using reference = const T&;  // as the owner's, so the action's result type is the same
  static constexpr std::size_t depth = 0;
  static constexpr std::size_t stages = 1;

  std::shared_ptr<partition_set<T>> data;

  struct producer_type {
    std::shared_ptr<partition_set<T>> data;
    std::size_t partitions() const { return data->partitions(); }
    std::optional<std::size_t> size_hint(std::size_t partition) const { return data->at(partition).size(); }
    template <class Sink>
    void run(std::size_t partition, Sink& sink) const {
      push_block(std::move(data->at(partition)), sink);
    }
  };
  template <class Ctx>
  producer_type producer(const Ctx&) const {
    return {data};
  }
};

// What every wide operator returns: its output partitions, shared by copies of the producer.
template <class T>
partitioned_producer<T> make_partitioned_producer(partition_set<T>&& parts) {
  return partitioned_producer<T>(std::make_shared<const partition_set<T>>(std::move(parts)));
}

}  // namespace lineage::detail
