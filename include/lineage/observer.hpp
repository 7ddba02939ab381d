// SPDX-License-Identifier: Apache-2.0
#pragma once
// Observing a running plan (README "Progress and metrics"): an ln::observer is told when a
// stage starts, when each of its partitions is done (with the records it produced), when a
// stage ends (its wall time and what it shuffled), when a checkpoint file is written and when a
// checkpoint commits. Install one for the whole process with ln::set_observer(obs), or for one
// checkpoint with checkpoint_options::observer. ln::stderr_progress() is a ready-made one.
//
// Calls are serialised: one action never calls its observer from two threads at once (under
// ln::par the workers take a lock around each call), so an observer needs no lock of its own
// unless it is shared by actions running concurrently on different threads. Keep callbacks
// short: workers wait for them.
//
// Cost when no observer is installed: one relaxed atomic load when an action starts and a
// thread-local pointer test per stage; the kernels are the same code as without observers.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <utility>

namespace lineage {

// What a stage's kernel feeds: an action's result, a shuffle, or materialized partitions
// (a checkpoint, persist, a sort's runs).
enum class stage_kind { result, shuffle, materialize };

struct stage_info {
  std::size_t index = 0;       // 1-based, in the order the action runs its stages; 0: unknown
  std::size_t stages = 0;      // the action's plan's stage count (ln::stage_count_v); 0: unknown
  std::size_t partitions = 0;  // the partitions this stage runs (on this process)
  stage_kind kind = stage_kind::result;
};

struct stage_stats {
  std::uint64_t records = 0;           // records the stage's kernel produced, all partitions
  std::uint64_t shuffled_records = 0;  // records handed to the shuffle (after map-side combining)
  std::uint64_t shuffled_bytes = 0;    // their in-memory size (sizeof each, not heap contents)
  std::chrono::nanoseconds wall{};      // from the end of the stage before (or the action's start)
};

struct checkpoint_commit_info {
  std::filesystem::path dir;
  std::uint64_t generation = 0;
  std::uint64_t records = 0;
  std::uint64_t bytes = 0;  // the partition files' sizes on disk (manifest excluded)
  std::chrono::nanoseconds wall{};  // from opening the new generation to the commit
};

class observer {
 public:
  virtual ~observer() = default;
  virtual void on_stage_started(const stage_info&) {}
  virtual void on_partition_done(const stage_info&, std::size_t /*partition*/, std::uint64_t /*records*/) {}
  virtual void on_stage_done(const stage_info&, const stage_stats&) {}
  virtual void on_bytes_written(const std::filesystem::path& /*file*/, std::size_t /*partition*/,
                                std::uint64_t /*bytes*/) {}
  virtual void on_checkpoint_committed(const checkpoint_commit_info&) {}
};

namespace detail {

struct global_observer {
  std::atomic<bool> installed{false};  // the only thing read when none is installed
  std::mutex lock;
  std::shared_ptr<observer> current;
};
inline global_observer& the_global_observer() {
  static global_observer g;
  return g;
}

}  // namespace detail

// Installs `obs` for every action of this process (null: none) and returns the previous one.
// Actions already running keep the observer they started with.
inline std::shared_ptr<observer> set_observer(std::shared_ptr<observer> obs) {
  auto& g = detail::the_global_observer();
  std::lock_guard hold(g.lock);
  g.installed.store(obs != nullptr, std::memory_order_relaxed);
  std::swap(g.current, obs);
  return obs;
}

// The observer set_observer installed, or null.
inline std::shared_ptr<observer> current_observer() {
  auto& g = detail::the_global_observer();
  if (!g.installed.load(std::memory_order_relaxed)) return nullptr;
  std::lock_guard hold(g.lock);
  return g.current;
}

}  // namespace lineage
