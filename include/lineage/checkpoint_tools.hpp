// SPDX-License-Identifier: Apache-2.0
#pragma once
// Checkpoints without a pipeline: ln::recover<T>(dir), ln::open_checkpoint<T>(dir) (the source
// ln::checkpoint_source<T>, which streams records partition by partition), ln::verify(dir) and
// ln::remove_checkpoint(dir). The get-or-create adaptor ln::checkpoint is in checkpoint.hpp.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "checkpoint_steps.hpp"
#include "checkpointed.hpp"
#include "core/interop.hpp"
#include "core/partitioned.hpp"
#include "core/pipeline.hpp"
#include "core/sink.hpp"
#include "core/type_name.hpp"
#include "exec/policy.hpp"
#include "plan/explain_builder.hpp"
#include "storage/checkpoint_io.hpp"
#include "storage/stored_partitions.hpp"

namespace lineage {

// A checkpoint read partition by partition while a plan runs, never all at once
// (storage/stored_partitions.hpp, as a checkpointed<T> kept on disk).
template <class T>
class checkpoint_source : public pipeline_interface<checkpoint_source<T>> {
 public:
  using reference = T&&;
  static constexpr std::size_t depth = 0;
  static constexpr std::size_t stages = 1;

  checkpoint_source(std::filesystem::path dir, storage::manifest m)
      : stored_(std::make_shared<const detail::stored_partitions<T>>(std::move(dir), std::move(m))) {}

  const std::filesystem::path& path() const noexcept { return stored_->directory(); }
  const storage::manifest& manifest() const noexcept { return stored_->manifest(); }
  std::size_t partitions() const noexcept { return stored_->partitions(); }
  std::uint64_t content_id() const noexcept { return manifest().content_id; }

  template <class Ctx>
  detail::stored_producer<T> producer(const Ctx&) const {
    return detail::stored_producer<T>(stored_);
  }

  void explain_into(plan::explain_builder& out) const {
    out.source("open_checkpoint<" + detail::portable_type_name<T>() + ">");
    out.note(path().string() + ", " + plan::count_of(manifest().total_records(), "record") + ", streamed");
  }

 private:
  std::shared_ptr<const detail::stored_partitions<T>> stored_;
};


// Loads the checkpoint in `dir` without any pipeline. Throws ln::checkpoint_error if there is
// none, it holds another element type, or it is damaged (the error names what and where).
// Under a distributed backend every process gets the manifest its leader read and loads only
// the partitions it owns.
template <class T, execution_policy Policy = seq_t>
checkpointed<T> recover(const std::filesystem::path& dir, Policy policy = {}) {
  const auto backend = make_backend(policy);
  const auto m = detail::agree_on_manifest(dir, backend, [&] { return std::optional(storage::read_manifest<T>(dir)); });
  return detail::load_checkpoint<T>(dir, *m, backend, storage::default_file_system());
}

// The checkpoint in `dir` if there is one, else `fallback` (e.g. the initial state of an
// iterative job): ln::recover without the try/catch for "nothing there yet". A checkpoint that
// is there but damaged, of another element type or unreadable still throws.
template <class T, execution_policy Policy = seq_t>
checkpointed<T> recover_or(const std::filesystem::path& dir, checkpointed<T> fallback, Policy policy = {}) {
  try {
    return recover<T>(dir, policy);
  } catch (const checkpoint_error& e) {
    if (e.reason() != checkpoint_errc::not_found) throw;
    return fallback;
  }
}

// The manifest of the checkpoint in `dir` (element type, version tag, partitions, metadata, …)
// without loading it or knowing its element type; checkpoint_error not_found if there is none.
inline storage::manifest read_manifest(const std::filesystem::path& dir) {
  auto m = storage::try_read_manifest(dir);
  if (!m) throw checkpoint_error(checkpoint_errc::not_found, dir, "no checkpoint (no MANIFEST) in this directory");
  return std::move(*m);
}

// Opens the checkpoint in `dir` as a source that loads one partition at a time when it runs.
template <class T>
checkpoint_source<T> open_checkpoint(const std::filesystem::path& dir) {
  return checkpoint_source<T>(dir, storage::read_manifest<T>(dir));
}

// Checks a checkpoint (manifest, sizes, checksums) without knowing its element type.
inline storage::manifest verify(const std::filesystem::path& dir) { return storage::verify(dir); }

// Removes a checkpoint directory (under its lock, so never under a writer's feet).
inline void remove_checkpoint(const std::filesystem::path& dir) { storage::remove_checkpoint(dir); }

}  // namespace lineage
