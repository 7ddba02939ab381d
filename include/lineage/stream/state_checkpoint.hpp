// SPDX-License-Identifier: Apache-2.0
#pragma once
// A stateful operator's state as an ordinary checkpoint (storage/): written whole each time
// (never get-or-create: the state after batch b is what it is), tagged with a signature made
// from the operator's description, so that a state checkpoint of another operator never loads.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../checkpoint_steps.hpp"
#include "../checkpoint_tools.hpp"
#include "../checkpointed.hpp"
#include "../storage/checkpoint_io.hpp"
#include "../storage/error.hpp"
#include "../storage/writer.hpp"

namespace lineage::stream_detail {

inline std::uint64_t state_signature(std::string_view description) {
  const std::string text = "lineage-stream-state/1\n" + std::string(description);
  return XXH3_64bits(text.data(), text.size());
}

// Every process writes the partitions it owns; the leader commits (checkpoint_steps.hpp).
template <class T, class Ctx>
void save_state_checkpoint(const std::filesystem::path& dir, const std::vector<std::vector<T>>& parts,
                           std::string_view description, std::string partitioner, const checkpoint_options& options,
                           const Ctx& ctx) {
  static_assert(storage::serializable<T>,
                "ln::stream: a stateful operator's state must be serializable with cereal to be checkpointed");
  (void)lineage::detail::write_partitions<T>(
      dir, parts.size(), [&](std::size_t i) -> const std::vector<T>& { return parts[i]; }, state_signature(description),
      std::move(partitioner), options, ctx);
}

// The leader reads the manifest; every process loads the partitions it owns. (Through the
// file system `options` name, as the save.)
template <class T, class Ctx>
checkpointed<T> load_state_checkpoint(const std::filesystem::path& dir, std::string_view description,
                                      const checkpoint_options& options, const Ctx& ctx) {
  auto& fsys = storage::file_system_of(options);
  const auto m = lineage::detail::agree_on_manifest(
      dir, ctx, [&] { return std::optional(storage::read_manifest<T>(dir, fsys)); });
  if (m->signature != state_signature(description)) {
    throw checkpoint_error(checkpoint_errc::signature_mismatch, dir,
                           "the state checkpoint was written by another operator than " + std::string(description));
  }
  return lineage::detail::load_checkpoint<T>(dir, *m, ctx, fsys);
}

}  // namespace lineage::stream_detail
