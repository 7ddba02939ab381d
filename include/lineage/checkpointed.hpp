// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::checkpointed<T>: materialized data whose lineage was cut. What ln::checkpoint,
// ln::local_checkpoint and ln::recover return, whatever the upstream pipeline was: a source
// (lineage depth 0) that later operators and actions start from.
//
// The partitions are held in memory, or (checkpoint_options::keep_in_memory = false) left in
// the checkpoint's files and loaded one at a time when a plan runs them
// (storage/stored_partitions.hpp): one type either way, so a loop
// `x = x | ln::map(f) | ln::checkpoint(dir, options)` compiles whatever the options say.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/interop.hpp"
#include "core/partitioned.hpp"
#include "core/pipeline.hpp"
#include "core/type_name.hpp"
#include "exec/collect.hpp"  // running the plan: iteration (core/interop.hpp)
#include "plan/explain_builder.hpp"
#include "storage/stored_partitions.hpp"

namespace lineage {

namespace detail {

// Runs a checkpointed<T>'s partitions from memory or from disk, whichever holds them.
template <class T>
class checkpointed_producer {
 public:
  explicit checkpointed_producer(std::shared_ptr<const partition_set<T>> memory) : memory_(std::move(memory)) {}
  explicit checkpointed_producer(std::shared_ptr<const stored_partitions<T>> stored) : stored_(std::move(stored)) {}

  std::size_t partitions() const { return memory_ ? memory_->partitions() : stored_->partitions(); }
  std::optional<std::size_t> size_hint(std::size_t partition) const {
    return memory_ ? memory_->size_hint(partition) : stored_->size_hint(partition);
  }
  template <class Sink>
  void run(std::size_t partition, Sink& sink) const {
    if (memory_) {
      memory_->run(partition, sink);
    } else {
      stored_->run(partition, sink);
    }
  }

 private:
  std::optional<partitioned_producer<T>> memory_;  // exactly one of the two is set
  std::optional<stored_producer<T>> stored_;
};

}  // namespace detail

template <class T>
class checkpointed : public pipeline_interface<checkpointed<T>> {
 public:
  using reference = const T&;
  static constexpr std::size_t depth = 0;
  static constexpr std::size_t stages = 1;

  // Where the data came from, for .path(), .recovered() and ln::explain.
  struct origin {
    std::filesystem::path path;  // empty for a local checkpoint
    bool recovered = false;      // loaded from disk rather than computed
    std::uint64_t bytes = 0;     // on disk
    std::uint64_t content_id = 0;  // identifies the content; a downstream checkpoint's source identity
    std::string version;          // the user's version tag it was written with
    std::string partitioner = "none";  // "hash:<n>" when partitioned by key (exec/key_partitioning.hpp)
    std::vector<std::size_t> repaired;  // partitions recomputed from the lineage because lost or damaged
    std::map<std::string, std::string> metadata;  // checkpoint_options::metadata it was written with
    std::string lineage;           // ln::explain of what produced the data, as its manifest records it
    std::uint64_t created = 0;     // when it was written: milliseconds since 1970-01-01 UTC (0: unknown)
    std::string recompute_reason;  // why a checkpoint found in `path` was not used (empty: none was there)
  };

  // `parts` holds this process's partitions; `records` is the global element count (default:
  // the elements held here, which is all of them under ln::seq and ln::par).
  checkpointed(detail::partition_set<T> parts, origin from, std::optional<std::size_t> records = std::nullopt)
      : records_(records ? *records : parts.local_records()),
        data_(std::make_shared<detail::partition_set<T>>(std::move(parts))),
        origin_(std::make_shared<const origin>(std::move(from))) {}
  // Partitions shared with their producer (update_state_by_key lends its state to each batch's
  // output and takes it back, copying only if a copy of the output is still alive).
  checkpointed(std::shared_ptr<const detail::partition_set<T>> parts, origin from)
      : records_(parts->local_records()),
        data_(std::move(parts)),
        origin_(std::make_shared<const origin>(std::move(from))) {}
  // Partitions left on disk, loaded when a plan runs them (keep_in_memory = false).
  checkpointed(std::shared_ptr<const detail::stored_partitions<T>> stored, origin from)
      : records_(static_cast<std::size_t>(stored->manifest().total_records())),
        stored_(std::move(stored)),
        origin_(std::make_shared<const origin>(std::move(from))) {}

  const std::filesystem::path& path() const noexcept { return origin_->path; }
  bool recovered() const noexcept { return origin_->recovered; }
  // Global counts: every partition and element of the dataset, wherever they are held.
  std::size_t partitions() const noexcept { return data_ ? data_->partitions() : stored_->partitions(); }
  std::size_t size() const noexcept { return records_; }
  std::uint64_t bytes() const noexcept { return origin_->bytes; }
  std::uint64_t content_id() const noexcept { return origin_->content_id; }
  const std::string& version() const noexcept { return origin_->version; }
  const std::string& partitioner() const noexcept { return origin_->partitioner; }
  // The checkpoint_options::metadata the checkpoint was written with (empty for a local one).
  const std::map<std::string, std::string>& metadata() const noexcept { return origin_->metadata; }
  // The partitions a checkpoint call found lost or damaged and recomputed (empty otherwise).
  const std::vector<std::size_t>& repaired_partitions() const noexcept { return origin_->repaired; }
  // ln::explain of the lineage that produced the data (empty if the manifest predates format
  // version 3, or for a local checkpoint): what a recovered checkpoint was computed from.
  const std::string& produced_by() const noexcept { return origin_->lineage; }
  // When the checkpoint was written, in milliseconds since 1970-01-01 UTC (0: unknown).
  std::uint64_t created_unix_ms() const noexcept { return origin_->created; }
  // Why the checkpoint call recomputed instead of loading what `path` held: what changed in the
  // lineage ("operator 2 was map<int → double>, now filter<int>"), or the damage found. Empty if
  // nothing was there, or if it was loaded.
  const std::string& recompute_reason() const noexcept { return origin_->recompute_reason; }
  // false when the partitions were left on disk (checkpoint_options::keep_in_memory = false):
  // each run of a plan loads them one at a time.
  bool in_memory() const noexcept { return data_ != nullptr; }
  // One vector per partition (empty for a partition held by another process). Partitions left
  // on disk are all loaded by the first call and kept from then on, for every copy.
  const std::vector<std::vector<T>>& partition_data() const { return data_ ? data_->all() : stored_->all(); }

  template <class Ctx>
  detail::checkpointed_producer<T> producer(const Ctx&) const {
    if (data_) return detail::checkpointed_producer<T>(data_);
    return detail::checkpointed_producer<T>(stored_);
  }

  // For an action applied to an expiring checkpointed<T> (`ln::recover<T>(d) | ln::collect()`):
  // the partitions themselves, to move instead of copy, when this object is their only owner
  // (no copy shares them) and holds them all; nullptr, and nothing changed, otherwise.
  std::shared_ptr<detail::partition_set<T>> release_partitions() && {
    if (!data_ || data_.use_count() != 1 || !data_->holds_all()) return nullptr;
    // Created non-const (constructor), so the data may be modified once it is ours alone.
    return std::const_pointer_cast<detail::partition_set<T>>(std::exchange(data_, nullptr));
  }

  void explain_into(plan::explain_builder& out) const {
    if (origin_->path.empty()) {
      out.source("local_checkpoint<" + detail::portable_type_name<T>() + ">");
    } else {
      out.source("checkpoint<" + detail::portable_type_name<T>() + ">");
      out.note(origin_->path.string() + ", " + plan::count_of(size(), "record") + ", " +
               plan::count_of(bytes(), "byte") + ", " + plan::count_of(partitions(), "partition") + ", " +
               (recovered() ? "recovered" : "computed") + (in_memory() ? "" : ", on disk") +
               (origin_->repaired.empty() ? "" : ", " + std::to_string(origin_->repaired.size()) + " repaired"));
      if (!origin_->recompute_reason.empty()) out.note("recomputed: " + origin_->recompute_reason);
      if (!origin_->lineage.empty()) out.note("produced by: " + one_line(origin_->lineage));
    }
  }

 private:
  // A stored multi-line plan on one line (as explain prints a nested plan).
  static std::string one_line(std::string_view text) {
    while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    std::string out;
    for (const char c : text) {
      if (c == '\n') {
        out += " ; ";
      } else {
        out += c;
      }
    }
    return out;
  }

  std::size_t records_;
  std::shared_ptr<const detail::partition_set<T>> data_;             // in memory, or null
  std::shared_ptr<const detail::stored_partitions<T>> stored_;         // on disk, or null
  std::shared_ptr<const origin> origin_;
};

}  // namespace lineage
