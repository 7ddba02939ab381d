// SPDX-License-Identifier: Apache-2.0
#pragma once
// Runs a stream's per-batch lineage on one batch: the batch becomes a fresh source (a shared
// std::vector), each run of adaptors is applied to it as in batch mode (fused the same way),
// and each stateful operator updates its state and hands its output dataset on. Holds the
// stateful operators' states between batches, and saves/loads them (query.hpp decides when).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "../checkpointed.hpp"
#include "../core/source.hpp"
#include "../local_checkpoint.hpp"
#include "../ops/parallelize.hpp"
#include "../storage/options.hpp"
#include "collective.hpp"
#include "step_types.hpp"
#include "stream.hpp"

namespace lineage::stream_detail {

template <class Step, class InRef>
struct step_state {
  using type = std::monostate;  // a run of adaptors keeps nothing
};
template <stream_stateful_op Step, class InRef>
struct step_state<Step, InRef> {
  using type = typename Step::template state<InRef>;
};

template <class Stream, class Ctx>
class batch_runner {
  static constexpr std::size_t N = Stream::step_count;
  using steps_type = typename Stream::steps_type;
  using T = typename Stream::source_type::element_type;

  template <std::size_t I>
  using step_t = std::tuple_element_t<I, steps_type>;

  template <std::size_t... I>
  static auto make_states_type(std::index_sequence<I...>)
      -> std::tuple<typename step_state<step_t<I>, step_input_ref_t<Stream, I>>::type...>;
  using states_type = decltype(make_states_type(std::make_index_sequence<N>{}));

  // Whether a stateful operator is at index I or after it.
  template <std::size_t I>
  static constexpr bool stateful_from = [] {
    return []<std::size_t... J>(std::index_sequence<J...>) {
      return ((J >= I && stream_stateful_op<step_t<J>>) || ... || false);
    }(std::make_index_sequence<N>{});
  }();

 public:
  using output_type = stream_output_t<Stream>;
  static constexpr bool stateful = stateful_from<0>;

  batch_runner(const Stream& s, Ctx ctx) : stream_(&s), ctx_(std::move(ctx)), states_(make_states()) {}

  // The output dataset of batch b, or nullopt if there is none after this batch (a window
  // between slides) or `want_output` is false (a replay that only rebuilds state).
  // Under several processes every process holds the batch (each read it) and runs its slices.
  std::optional<checkpointed<output_type>> run(std::vector<T> batch, std::uint64_t b, bool want_output) {
    if constexpr (Ctx::single_process) {
      return run_from<0>(as_pipeline(std::move(batch)), b, want_output);
    } else {
      return run_from<0>(parallelize(std::move(batch), state_partition_count(ctx_)), b, want_output);
    }
  }

  // Saves every stateful operator's state under dir/step-<I>.
  void save(const std::filesystem::path& dir, const checkpoint_options& options) const {
    for_each_stateful([&](const auto& state, std::size_t i) { state.save(step_dir(dir, i), options, ctx_); });
  }
  void load(const std::filesystem::path& dir, const checkpoint_options& options) {
    for_each_stateful([&](auto& state, std::size_t i) { state.load(step_dir(dir, i), options, ctx_); });
  }
  // Forgets every state (a fresh start).
  void reset() { states_ = make_states(); }

  static std::filesystem::path step_dir(const std::filesystem::path& dir, std::size_t i) {
    return dir / ("step-" + std::to_string(i));
  }
  // The step indices that hold state.
  static std::vector<std::size_t> stateful_steps() {
    std::vector<std::size_t> out;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((stream_stateful_op<step_t<I>> ? out.push_back(I) : void()), ...);
    }(std::make_index_sequence<N>{});
    return out;
  }

 private:
  states_type make_states() const {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return states_type(make_state<I>()...);
    }(std::make_index_sequence<N>{});
  }
  template <std::size_t I>
  auto make_state() const {
    if constexpr (stream_stateful_op<step_t<I>>) {
      return typename step_state<step_t<I>, step_input_ref_t<Stream, I>>::type(std::get<I>(stream_->steps()));
    } else {
      return std::monostate{};
    }
  }

  template <class F>
  void for_each_stateful(F&& f) const {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (
          [&] {
            if constexpr (stream_stateful_op<step_t<I>>) f(std::get<I>(states_), I);
          }(),
          ...);
    }(std::make_index_sequence<N>{});
  }
  template <class F>
  void for_each_stateful(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (
          [&] {
            if constexpr (stream_stateful_op<step_t<I>>) f(std::get<I>(states_), I);
          }(),
          ...);
    }(std::make_index_sequence<N>{});
  }

  template <std::size_t I, class P>
  std::optional<checkpointed<output_type>> run_from(const P& p, std::uint64_t b, bool want_output) {
    if constexpr (I == N) {
      if (!want_output) return std::nullopt;
      if constexpr (std::is_same_v<P, checkpointed<output_type>>) {
        return p;
      } else {
        return lineage::detail::local_checkpoint_closure<Ctx>{{}, ctx_}.apply(p);
      }
    } else if constexpr (stream_stateful_op<step_t<I>>) {
      auto out = std::get<I>(states_).step(p, b, ctx_);
      if (!out || (!want_output && !stateful_from<I + 1>)) return std::nullopt;
      return run_from<I + 1>(*out, b, want_output);
    } else {
      if (!want_output && !stateful_from<I>) return std::nullopt;  // nothing left to update
      return run_from<I + 1>(p | std::get<I>(stream_->steps()), b, want_output);
    }
  }

  const Stream* stream_;
  Ctx ctx_;
  states_type states_;
};

}  // namespace lineage::stream_detail
