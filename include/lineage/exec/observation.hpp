// SPDX-License-Identifier: Apache-2.0
#pragma once
// How actions report to an ln::observer (observer.hpp).
//
// An action opens an observation_scope: when an observer is installed it becomes this thread's
// active observation, which numbers the stages in the order they run. Each place that runs a
// stage's kernel over partitions asks observe_stage() for a stage_probe and runs each
// partition through probe.run(): with no observation that is producer.run() itself; with one,
// the partition's sink is wrapped to count records, and the events are sent under the
// observation's lock (so an observer is never called concurrently by one action).
// A stage run on a worker thread (nested inside another stage's task) is not observed.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <tuple>
#include <utility>
#include <vector>

#include "../core/sink.hpp"
#include "../observer.hpp"

namespace lineage::detail {

class observation {
 public:
  observation(std::shared_ptr<observer> obs, std::size_t stages) : obs_(std::move(obs)), stages_(stages) {}

  // The new stage's info, and when it began: when the stage before it ended (or the action
  // began), so a stage's wall time includes reading the shuffle it starts with, as in Spark.
  std::pair<stage_info, std::chrono::steady_clock::time_point> start_stage(std::size_t partitions, stage_kind kind) {
    std::lock_guard hold(lock_);
    const stage_info s{++started_, stages_ < started_ ? started_ : stages_, partitions, kind};
    obs_->on_stage_started(s);
    return {s, last_stage_end_};
  }
  void partition_done(const stage_info& s, std::size_t partition, std::uint64_t records) {
    std::lock_guard hold(lock_);
    obs_->on_partition_done(s, partition, records);
  }
  void stage_done(const stage_info& s, stage_stats stats, std::chrono::steady_clock::time_point began) {
    std::lock_guard hold(lock_);
    last_stage_end_ = std::chrono::steady_clock::now();
    stats.wall = std::chrono::duration_cast<std::chrono::nanoseconds>(last_stage_end_ - began);
    obs_->on_stage_done(s, stats);
  }
  void bytes_written(const std::filesystem::path& file, std::size_t partition, std::uint64_t bytes) {
    std::lock_guard hold(lock_);
    obs_->on_bytes_written(file, partition, bytes);
  }
  void checkpoint_committed(const checkpoint_commit_info& info) {
    std::lock_guard hold(lock_);
    obs_->on_checkpoint_committed(info);
  }

 private:
  std::shared_ptr<observer> obs_;
  std::mutex lock_;
  std::size_t stages_;
  std::size_t started_ = 0;
  std::chrono::steady_clock::time_point last_stage_end_ = std::chrono::steady_clock::now();
};

// The observation of the action running on this thread; null when none is observed.
inline observation*& active_observation() {
  static thread_local observation* active = nullptr;
  return active;
}

// Makes an observation active for the lifetime of the scope, if an observer is installed
// (`explicit_observer`, else the process-wide one) and none is active on this thread yet (an
// action run inside another, e.g. a sort's sampling, counts among the outer one's stages).
class observation_scope {
 public:
  explicit observation_scope(std::size_t stages, const std::shared_ptr<observer>& explicit_observer = nullptr) {
    if (active_observation() != nullptr) return;
    auto obs = explicit_observer ? explicit_observer : current_observer();
    if (!obs) return;
    mine_ = std::make_unique<observation>(std::move(obs), stages);
    active_observation() = mine_.get();
  }
  ~observation_scope() {
    if (mine_) active_observation() = nullptr;
  }
  observation_scope(const observation_scope&) = delete;
  observation_scope& operator=(const observation_scope&) = delete;

 private:
  std::unique_ptr<observation> mine_;
};

// A sink that counts what it forwards (only used when observed).
template <class Sink>
struct record_counting_sink : forwarding_sink<Sink> {
  std::uint64_t records = 0;
  template <class X>
  void operator()(X&& x) {
    ++records;
    this->down(std::forward<X>(x));
  }
  template <class T>
    requires requires(Sink& s, std::vector<T>&& b) { s.take_block(std::move(b)); }
  void take_block(std::vector<T>&& block) {
    records += block.size();
    this->down.take_block(std::move(block));
  }
};

// One stage's run, as seen by the observer (inactive: every member is a no-op or a plain call).
class stage_probe {
 public:
  stage_probe() = default;
  stage_probe(observation* o, std::size_t partitions, stage_kind kind) : obs_(o) {
    std::tie(info_, started_) = o->start_stage(partitions, kind);
  }

  bool active() const noexcept { return obs_ != nullptr; }
  observation* target() const noexcept { return obs_; }

  // Runs partition i of `producer` into `sink`; with an observer, counts the records it pushes.
  template <class Producer, class Sink>
  void run(const Producer& producer, std::size_t i, Sink& sink) const {
    if (!obs_) {
      producer.run(i, sink);
      return;
    }
    record_counting_sink<Sink> counted{{sink}};
    producer.run(i, counted);
    partition_done(i, counted.records);
  }
  // For a partition run another way (its records counted by the caller).
  void partition_done(std::size_t i, std::uint64_t records) const {
    if (!obs_) return;
    {
      std::lock_guard hold(records_lock_);
      records_ += records;
    }
    obs_->partition_done(info_, i, records);
  }

  // The stage is over: `shuffled` records of `item_size` bytes each went to a shuffle.
  void finish(std::uint64_t shuffled = 0, std::size_t item_size = 0) const {
    if (!obs_) return;
    obs_->stage_done(info_, stage_stats{records_, shuffled, shuffled * item_size, {}}, started_);
  }

 private:
  observation* obs_ = nullptr;
  stage_info info_{};
  std::chrono::steady_clock::time_point started_{};
  mutable std::mutex records_lock_;
  mutable std::uint64_t records_ = 0;
};

// The probe for a stage of `partitions` partitions about to run on this thread.
inline stage_probe observe_stage(std::size_t partitions, stage_kind kind) {
  if (observation* o = active_observation()) return stage_probe(o, partitions, kind);
  return {};
}

// Records in the buckets a shuffle's write side produced (for stage_stats::shuffled_records).
template <class Buckets>
std::uint64_t bucket_records(const std::vector<Buckets>& written) {
  std::uint64_t n = 0;
  for (const auto& partition : written) {
    for (const auto& bucket : partition) n += bucket.size();
  }
  return n;
}

}  // namespace lineage::detail
