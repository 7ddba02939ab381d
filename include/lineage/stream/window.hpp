// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::window(length, slide): after batch b with (b+1) % slide == 0, the output is the elements
// of the last `length` batches (fewer at the start), oldest batch first, each batch in its
// order; on other batches the output operation is not called (the batch is still committed).
// Lengths and slides count batches. The held batches are the operator's state (checkpointed).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../checkpointed.hpp"
#include "../core/partitioned.hpp"
#include "../core/type_name.hpp"
#include "../exec/partitions.hpp"
#include "batch_window.hpp"
#include "collective.hpp"
#include "stream.hpp"

namespace lineage {

struct window_op : stream_stateful_tag {
  stream_detail::window_params params;

  static constexpr std::string_view name = "window";

  template <class InRef>
  using output_reference = const std::remove_cvref_t<InRef>&;

  template <class InRef>
  std::string describe() const {
    return std::string(name) + '<' + detail::portable_type_name<std::remove_cvref_t<InRef>>() + ">(" +
           params.text() + ')';
  }

  template <class InRef>
  class state {
    using T = std::remove_cvref_t<InRef>;

   public:
    explicit state(const window_op& op) : op_(&op), held_(op.params.length) {}

    template <pipeline P, class Ctx>
    std::optional<checkpointed<T>> step(const P& batch, std::uint64_t b, const Ctx& ctx) {
      auto parts = detail::compute_partitions(batch, ctx);
      std::vector<std::vector<T>> own(parts.partitions());
      for (std::size_t i = 0; i < own.size(); ++i) own[i] = std::move(parts.at(i));
      held_.push(std::move(own));
      if (!op_->params.emits_after(b)) return std::nullopt;
      std::vector<std::vector<T>> out;
      for (const auto& held : held_.held()) out.insert(out.end(), held.begin(), held.end());
      return stream_detail::owned_dataset(std::move(out), "none", ctx);
    }
    template <class Ctx>
    void save(const std::filesystem::path& dir, const checkpoint_options& options, const Ctx& ctx) const {
      held_.save(dir, op_->template describe<InRef>(), "none", options, ctx);
    }
    template <class Ctx>
    void load(const std::filesystem::path& dir, const checkpoint_options& options, const Ctx& ctx) {
      held_.load(dir, op_->template describe<InRef>(), options, ctx);
    }

   private:
    const window_op* op_;
    stream_detail::batch_window<T> held_;
  };
};

inline window_op window(std::size_t length, std::size_t slide) {
  return window_op{{}, stream_detail::window_params(length, slide)};
}

}  // namespace lineage
