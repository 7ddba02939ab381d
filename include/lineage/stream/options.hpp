// SPDX-License-Identifier: Apache-2.0
#pragma once
// Options and report of a stream query's run (README "Streams"): ln::stream_options, ln::trigger_t
// with ln::trigger::available_now and ln::trigger::every(interval, stop_token), and
// ln::stream_report.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <ratio>
#include <stdexcept>
#include <stop_token>
#include <string>
#include <type_traits>
#include <utility>

#include "../storage/file_system.hpp"
#include "../storage/options.hpp"

namespace lineage {

// When a query's run starts batches and when it returns.
struct trigger_t {
  // Zero: available_now (every batch the source has now, then return). Otherwise a batch is
  // started every `interval` (Spark's processing-time trigger) until `stop` is requested.
  std::chrono::nanoseconds interval{0};
  std::stop_token stop{};

  bool periodic() const noexcept { return interval.count() > 0; }
};

namespace trigger {
// Every batch the source has now, then return (Spark's Trigger.AvailableNow).
inline const trigger_t available_now{};
namespace detail {
// "5 ms", "0 s", "3 x 1/1000000000000 s": a duration as the caller wrote it, for a message.
template <class Rep, class Period>
std::string duration_text(std::chrono::duration<Rep, Period> d) {
  std::string unit;
  if constexpr (std::is_same_v<Period, std::nano>) {
    unit = "ns";
  } else if constexpr (std::is_same_v<Period, std::micro>) {
    unit = "us";
  } else if constexpr (std::is_same_v<Period, std::milli>) {
    unit = "ms";
  } else if constexpr (std::is_same_v<Period, std::ratio<1>>) {
    unit = "s";
  } else if constexpr (std::is_same_v<Period, std::ratio<60>>) {
    unit = "min";
  } else if constexpr (std::is_same_v<Period, std::ratio<3600>>) {
    unit = "h";
  } else {
    unit = "x " + std::to_string(Period::num) + "/" + std::to_string(Period::den) + " s";
  }
  return std::to_string(d.count()) + ' ' + unit;
}
}  // namespace detail

// A batch every `interval` (nothing new: wait for the next tick) until `stop` is requested.
// The interval must be at least 1 ns: zero (or a negative or sub-nanosecond one) throws
// std::invalid_argument (trigger::available_now is the run over what is there now).
template <class Rep, class Period>
trigger_t every(std::chrono::duration<Rep, Period> interval, std::stop_token stop) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(interval);
  if (!(ns.count() > 0)) {
    throw std::invalid_argument("ln::trigger::every: the interval must be at least 1 ns, got " +
                                detail::duration_text(interval) +
                                " (for one run over what the source has now, use ln::trigger::available_now)");
  }
  return trigger_t{ns, std::move(stop)};
}
}  // namespace trigger

struct stream_options {
  std::size_t state_every = 10;  // a state checkpoint after batch b when (b+1) % state_every == 0 (0: as 1)
  std::size_t keep_last = 2;     // state checkpoints kept (0: as 1)
  std::string version;           // the user's code version tag, part of the stream signature
  bool durable = true;           // fsync the logs, state and outputs (false: tests and scratch only)
  trigger_t trigger{};           // default: trigger::available_now
  std::uint64_t max_batches = 0;  // 0: no limit; counts new batches, not replays
  mismatch_policy on_mismatch = mismatch_policy::fail;
  // The file system of everything the stream writes and reads on disk but its source's input
  // files: the stream directory's logs (offsets, commits, signature, log-start, LOCK), its
  // state checkpoints, and the outputs of write_batches; nullptr: the POSIX one. A test hands in
  // storage::testing::fault_file_system to inject I/O errors and power loss.
  storage::file_system* file_system = nullptr;
};

namespace stream_detail {
inline storage::file_system& file_system_of(const stream_options& options) {
  return options.file_system != nullptr ? *options.file_system : storage::default_file_system();
}
}  // namespace stream_detail

struct stream_report {
  std::uint64_t batches_run = 0;       // batches whose output operation ran in this run
  std::uint64_t batches_replayed = 0;  // committed batches re-run to rebuild state (output not repeated)
  std::optional<std::uint64_t> first_batch, last_batch;  // of the batches run (not replayed)
  bool resumed = false;  // the stream directory held a log of an earlier run
};

}  // namespace lineage
