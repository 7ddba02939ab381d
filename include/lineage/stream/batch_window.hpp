// SPDX-License-Identifier: Apache-2.0
#pragma once
// The last `length` batches a windowed operator holds (one vector of partitions each, oldest
// first), the slide rule, and their checkpoint (the held batches are the consecutive ones up
// to the batch the state was saved after).
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../checkpointed.hpp"
#include "../storage/format.hpp"
#include "../storage/small_file.hpp"
#include "collective.hpp"
#include "state_checkpoint.hpp"

namespace lineage::stream_detail {

struct window_params {
  std::size_t length = 1;  // batches in a window
  std::size_t slide = 1;   // emit after batch b when (b+1) % slide == 0

  window_params(std::size_t l, std::size_t s) : length(l), slide(s) {
    if (length == 0 || slide == 0) throw std::invalid_argument("ln::window: length and slide must be at least 1");
  }
  bool emits_after(std::uint64_t b) const noexcept { return (b + 1) % slide == 0; }
  std::string text() const { return "length " + std::to_string(length) + ", slide " + std::to_string(slide); }
};

template <class T>
class batch_window {
 public:
  explicit batch_window(std::size_t length) : length_(length) {}

  // Adds the newest batch; returns the batch that left the window, if one did.
  std::optional<std::vector<std::vector<T>>> push(std::vector<std::vector<T>> batch) {
    held_.push_back(std::move(batch));
    if (held_.size() <= length_) return std::nullopt;
    auto leaving = std::move(held_.front());
    held_.pop_front();
    return leaving;
  }
  const std::deque<std::vector<std::vector<T>>>& held() const noexcept { return held_; }

  // Each held batch as its own checkpoint dir/held-<k> (k = 0 oldest), keeping its partitions
  // (`partitioner` records how: "hash:<n>" for batches partitioned by key), then the small file
  // dir/HELD with their count: the state is complete only once HELD is there.
  template <class Ctx>
  void save(const std::filesystem::path& dir, std::string_view description, const std::string& partitioner,
            const checkpoint_options& options, const Ctx& ctx) const {
    for (std::size_t k = 0; k < held_.size(); ++k) {
      save_state_checkpoint<T>(dir / ("held-" + std::to_string(k)), held_[k], description, partitioner, options, ctx);
    }
    leader_decides(ctx, [&] {  // once every process wrote its partitions
      storage::format::byte_writer w;
      w.u64(held_.size());
      storage::write_small_file(dir / "HELD", w.data(), options.durable, storage::file_system_of(options));
    });
  }
  template <class Ctx>
  void load(const std::filesystem::path& dir, std::string_view description, const checkpoint_options& options,
            const Ctx& ctx) {
    const std::uint64_t count = leader_decides(ctx, [&] {
      const auto bytes = storage::read_small_file(dir / "HELD", storage::file_system_of(options));
      if (!bytes) throw checkpoint_error(checkpoint_errc::not_found, dir / "HELD", "the window state is incomplete");
      storage::format::byte_reader r(*bytes);
      std::uint64_t held = 0;
      if (!r.u64(held) || r.remaining() != 0 || held > length_) {
        throw checkpoint_error(checkpoint_errc::not_a_checkpoint, dir / "HELD",
                               "not a window state record of a window of length " + std::to_string(length_));
      }
      return held;
    });
    held_.clear();
    for (std::uint64_t k = 0; k < count; ++k) {
      const auto c = load_state_checkpoint<T>(dir / ("held-" + std::to_string(k)), description, options, ctx);
      held_.push_back(c.partition_data());
    }
  }

 private:
  std::size_t length_;
  std::deque<std::vector<std::vector<T>>> held_;
};

}  // namespace lineage::stream_detail
