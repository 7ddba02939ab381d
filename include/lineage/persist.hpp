// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::persist(level): memoizes a pipeline and keeps its lineage (Spark's persist/cache).
//
// The first action computes the upstream once and keeps the partitions; every later action on
// this pipeline, or on any copy of it, reads them instead of recomputing. The type still holds
// the whole lineage (ln::explain shows it, marked persisted), and .unpersist() drops the memo,
// after which the next action recomputes. Levels:
//   ln::storage_level::memory           the partitions stay in memory (default)
//   ln::storage_level::disk             written to a temporary directory (non-durable checkpoint
//                                       files), read back by each action; removed with the last copy
//   ln::storage_level::memory_and_disk  both: in memory, with a disk copy
// ln::storage::memory, ln::storage::disk and ln::storage::memory_and_disk are the same values.
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <span>
#include <stdexcept>
#include <system_error>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/node.hpp"
#include "core/partitioned.hpp"
#include "core/pipeline.hpp"
#include "exec/partitions.hpp"
#include "plan/explain_builder.hpp"
#include "plan/op_kind.hpp"
#include "storage/checkpoint_io.hpp"

namespace lineage {

// Where ln::persist keeps its memo. Public spelling: ln::storage_level::memory, ...
enum class storage_level { memory, disk, memory_and_disk };

inline std::string_view to_string(storage_level l) {
  switch (l) {
    case storage_level::memory: return "memory";
    case storage_level::disk: return "disk";
    case storage_level::memory_and_disk: return "memory_and_disk";
  }
  return "?";
}

// The older spelling, ln::storage::memory (README "The API at a glance"), kept working. The rest of namespace
// lineage::storage is the checkpoint storage layer, internal.
namespace storage {
using level = storage_level;
inline constexpr storage_level memory = storage_level::memory;
inline constexpr storage_level disk = storage_level::disk;
inline constexpr storage_level memory_and_disk = storage_level::memory_and_disk;
using lineage::to_string;
}  // namespace storage

namespace detail {

// A persisted pipeline's disk copy: non-durable checkpoint files in a fresh temporary
// directory, deleted with the memo.
template <class T>
class disk_memo {
 public:
  explicit disk_memo(const partition_set<T>& parts) : dir_(make_temporary_directory()) {
    storage::checkpoint_writer writer(dir_, checkpoint_options{.durable = false});
    for (std::size_t i = 0; i < parts.partitions(); ++i) writer.write_partition(i, parts.at(i));
    manifest_ = writer.commit(storage::element_type_name<T>(), 0, "persist", "none");
  }
  disk_memo(const disk_memo&) = delete;
  disk_memo& operator=(const disk_memo&) = delete;
  ~disk_memo() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::shared_ptr<const partition_set<T>> load() const {
    partition_set<T> parts(manifest_.partitions.size());
    for (std::size_t i = 0; i < parts.partitions(); ++i) parts.at(i) = storage::load_partition<T>(dir_, manifest_, i);
    return std::make_shared<const partition_set<T>>(std::move(parts));
  }

 private:
  static std::filesystem::path make_temporary_directory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "lineage-persist-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw checkpoint_error(checkpoint_errc::io_error, pattern, std::generic_category().message(errno));
    }
    return pattern;
  }

  std::filesystem::path dir_;
  storage::manifest manifest_;
};

// What all copies of one persisted pipeline share.
template <class T>
struct persist_state {
  explicit persist_state(storage_level l) : level(l) {}
  const storage_level level;
  std::mutex mutex;
  std::shared_ptr<const partition_set<T>> memory;  // null: not in memory
  std::optional<disk_memo<T>> disk;                 // nullopt: not on disk
};

}  // namespace detail

template <class T>
struct persist_op {
  std::shared_ptr<detail::persist_state<T>> state;

  static constexpr plan::op_kind kind = plan::op_kind::marker;
  static constexpr std::string_view name = "persist";
  template <class In>
  static constexpr bool check() {
    return true;
  }
  template <class In>
  using reference = const T&;

  template <class Up, class Ctx>
  detail::partitioned_producer<T> produce(const Up& up, const Ctx& ctx) const {
    std::lock_guard lock(state->mutex);
    if (state->memory) return detail::partitioned_producer<T>(state->memory);
    if constexpr (storage::serializable<T>) {
      if (state->disk) {
        try {
          return detail::partitioned_producer<T>(state->disk->load());
        } catch (const checkpoint_error&) {
          state->disk.reset();  // the disk copy was lost or damaged: recompute from the lineage
        }
      }
    }
    auto parts = std::make_shared<const detail::partition_set<T>>(detail::compute_partitions(up, ctx));
    if (state->level != storage_level::memory) {
      if constexpr (storage::serializable<T>) {
        state->disk.emplace(*parts);
      } else {
        throw std::invalid_argument("ln::persist: storage levels disk and memory_and_disk need an element type "
                                    "that cereal can serialize");
      }
    }
    if (state->level != storage_level::disk) state->memory = parts;
    return detail::partitioned_producer<T>(std::move(parts));
  }

  void unpersist() const {
    std::lock_guard lock(state->mutex);
    state->memory.reset();
    state->disk.reset();
  }

  bool is_cached() const {
    std::lock_guard lock(state->mutex);
    return state->memory || state->disk;
  }

  void explain_into(plan::explain_builder& out) const {
    out.fuse("persist[" + std::string(to_string(state->level)) + (is_cached() ? ", cached" : "") + "]");
  }
};

namespace detail {

struct persist_closure : closure_tag {
  storage_level level;
  template <pipeline P>
  auto apply(P&& p) const {
    using T = element_t<P>;
    return make_node(std::forward<P>(p), persist_op<T>{std::make_shared<persist_state<T>>(level)});
  }
};

}  // namespace detail

struct persist_fn {
  detail::persist_closure operator()(storage_level level = storage_level::memory) const { return {{}, level}; }
};
inline constexpr persist_fn persist{};

}  // namespace lineage
