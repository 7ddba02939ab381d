// SPDX-License-Identifier: Apache-2.0
#pragma once
// The output operations that end a stream and make it a query (query.hpp):
//   ln::foreach_batch(f): f(std::uint64_t batch, const ln::checkpointed<T>& result). At-least-once:
//     after a crash between f's return and the commit record, f sees that batch again; make f
//     idempotent by batch number. Under several processes f runs on every process with the
//     partitions that process holds (an action on `result` inside f is collective, as
//     anywhere), and the commit waits for every process's f.
//   ln::write_batches(dir): batch b's result becomes the checkpoint dir/batch-<b> (atomic,
//     durable, get-or-create by content: a re-run of b finds or writes equal content).
//     Exactly-once: each committed batch's output is there once, whole. When the query starts
//     over (on_mismatch = recompute), the old query's batch-<b> checkpoints are removed first
//     (only lineage checkpoints: a folder of the user's named batch-<b> keeps its files), so the
//     directory never mixes the old run's batches with the new one's.
#include <concepts>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../checkpoint.hpp"
#include "../checkpointed.hpp"
#include "../storage/file_system.hpp"
#include "../storage/reader.hpp"
#include "collective.hpp"
#include "log.hpp"
#include "options.hpp"
#include "stream.hpp"

namespace lineage {

template <class F>
struct foreach_batch_output : stream_output_tag {
  F f;
  template <class T, class Ctx>
  void emit(std::uint64_t batch, const checkpointed<T>& result, const stream_options&, const Ctx&) const {
    static_assert(std::invocable<const F&, std::uint64_t, const checkpointed<T>&>,
                  "ln::foreach_batch(f): f must be callable as f(std::uint64_t batch, const ln::checkpointed<T>&)");
    f(batch, result);
  }
};

struct foreach_batch_fn {
  template <class F>
  foreach_batch_output<F> operator()(F f) const {
    return {{}, std::move(f)};
  }
};
inline constexpr foreach_batch_fn foreach_batch{};

// The name of batch b's output under write_batches' directory: "batch-<b>", decimal, unpadded.
inline std::filesystem::path batch_output_path(const std::filesystem::path& dir, std::uint64_t batch) {
  return dir / ("batch-" + std::to_string(batch));
}

struct write_batches_output : stream_output_tag {
  std::filesystem::path dir;

  // Called by query::run before a recompute starts over.
  void start_over(storage::file_system& fsys) const {
    std::vector<storage::directory_entry> entries;
    try {
      entries = fsys.list_directory(dir);
    } catch (const checkpoint_error& e) {
      if (e.reason() == checkpoint_errc::not_found) return;
      throw;
    }
    for (const auto& e : entries) {  // a link is never a directory entry here: never followed
      if (!e.is_directory || !e.name.starts_with("batch-")) continue;
      if (!stream_detail::parse_batch_name(std::string_view(e.name).substr(6))) continue;
      storage::remove_checkpoint(dir / e.name, fsys);
    }
  }

  template <class T, class Ctx>
  void emit(std::uint64_t batch, const checkpointed<T>& result, const stream_options& options, const Ctx& ctx) const {
    stream_detail::leader_decides(
        ctx, [&] { stream_detail::ensure_directory(stream_detail::file_system_of(options), dir, options.durable); });
    checkpoint_options opts;
    opts.file_system = options.file_system;
    opts.version = options.version;
    opts.on_mismatch = mismatch_policy::recompute;  // an older run's batch-<b> of other content is replaced
    opts.durable = options.durable;
    opts.keep_last = 1;
    opts.source_identity = identity_policy::content;
    (void)(result | detail::checkpoint_closure<Ctx>{{}, batch_output_path(dir, batch), std::move(opts), ctx});
  }
};

struct write_batches_fn {
  write_batches_output operator()(std::filesystem::path dir) const { return {{}, std::move(dir)}; }
};
inline constexpr write_batches_fn write_batches{};

}  // namespace lineage
