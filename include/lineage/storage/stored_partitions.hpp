// SPDX-License-Identifier: Apache-2.0
#pragma once
// stored_partitions<T>: a committed checkpoint's partitions left on disk, each loaded (fully
// validated, storage/reader.hpp) only when a plan runs it, then handed to the plan and dropped.
// The one mechanism behind ln::open_checkpoint<T> (checkpoint_source) and a checkpointed<T>
// written or found with checkpoint_options::keep_in_memory = false (Spark reads a checkpointed
// RDD back from storage partition by partition).
#include <lineage/core/sink.hpp>
#include <lineage/storage/error.hpp>
#include <lineage/storage/file_system.hpp>
#include <lineage/storage/format.hpp>
#include <lineage/storage/reader.hpp>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

namespace lineage::detail {

template <class T>
class stored_partitions {
 public:
  // `held(i)`: whether this process counts partition i as its own (all of them in one process;
  // its backend's under a distributed one). Only partition_data() looks at it: any process can
  // load any partition, the directory is shared.
  // `fs`: the file system the partitions are read through (it must outlive this object).
  template <class Held>
  stored_partitions(std::filesystem::path dir, storage::manifest m, const Held& held, storage::file_system& fs)
      : dir_(std::move(dir)), manifest_(std::move(m)), held_(manifest_.partitions.size()), fs_(&fs) {
    for (std::size_t i = 0; i < held_.size(); ++i) held_[i] = held(i);
  }
  stored_partitions(std::filesystem::path dir, storage::manifest m)
      : stored_partitions(std::move(dir), std::move(m), [](std::size_t) { return true; },
                          storage::default_file_system()) {}

  const std::filesystem::path& directory() const noexcept { return dir_; }
  const storage::manifest& manifest() const noexcept { return manifest_; }
  std::size_t partitions() const noexcept { return manifest_.partitions.size(); }

  // Partition `i`, read and checked now; checkpoint_error if it is damaged or gone.
  // (Only a serializable T is ever stored: checkpointed<T> of any other T, from
  // local_checkpoint, is always in memory and never gets here.)
  std::vector<T> load(std::size_t i) const {
    if constexpr (storage::serializable<T>) {
      return storage::load_partition<T>(dir_, manifest_, i, *fs_);
    } else {
      throw std::logic_error("lineage: a partition of a non-serializable type cannot be on disk");
    }
  }

  // The manifest's record count, once the partition file's size agrees with it (a forged
  // manifest must not make a consumer reserve memory for records that are not on disk).
  std::optional<std::size_t> size_hint(std::size_t i) const {
    const auto& entry = manifest_.partitions[i];
    try {
      if (fs_->file_size(dir_ / entry.file) != entry.bytes) return std::nullopt;
    } catch (const checkpoint_error&) {
      return std::nullopt;  // the load reports it
    }
    // A count above the payload's bytes is possible only for a compressed partition: no hint
    // then (the load checks the count against the bytes it decompressed).
    if (entry.records > entry.bytes - storage::format::partition_overhead) return std::nullopt;
    return static_cast<std::size_t>(entry.records);
  }

  // Every held partition in memory, loaded on the first call and kept from then on (for code
  // that needs the vectors themselves, e.g. checkpointed<T>::partition_data()); empty vectors
  // for partitions held elsewhere.
  const std::vector<std::vector<T>>& all() const {
    std::call_once(loaded_once_, [this] {
      std::vector<std::vector<T>> parts(partitions());
      for (std::size_t i = 0; i < parts.size(); ++i) {
        if (held_[i]) parts[i] = load(i);
      }
      loaded_ = std::move(parts);
    });
    return loaded_;
  }

  // Pushes partition `i` into a plan's sink: loaded into a vector of its own, which a collect
  // adopts without a copy, and which is gone when the partition is done.
  template <class Sink>
  void run(std::size_t i, Sink& sink) const {
    push_block(load(i), sink);
  }

 private:
  std::filesystem::path dir_;
  storage::manifest manifest_;
  std::vector<bool> held_;
  storage::file_system* fs_;
  mutable std::once_flag loaded_once_;
  mutable std::vector<std::vector<T>> loaded_;
};

// The producer of stored partitions (shared by copies of the pipeline that holds them).
template <class T>
class stored_producer {
 public:
  explicit stored_producer(std::shared_ptr<const stored_partitions<T>> data) : data_(std::move(data)) {}
  std::size_t partitions() const { return data_->partitions(); }
  std::optional<std::size_t> size_hint(std::size_t partition) const { return data_->size_hint(partition); }
  template <class Sink>
  void run(std::size_t partition, Sink& sink) const {
    data_->run(partition, sink);
  }

 private:
  std::shared_ptr<const stored_partitions<T>> data_;
};

}  // namespace lineage::detail
