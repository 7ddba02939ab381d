// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::reduce_by_key_and_window(op, length, slide) and the incremental
// ln::reduce_by_key_and_window(op, inverse_op, length, slide) (Spark's reduceByKeyAndWindow),
// on a stream of pair<K, V>. After batch b with (b+1) % slide == 0 the output is, per key, op
// over its values in the last `length` batches (fewer at the start); other batches have no
// output (still committed). Output pair<K, V>, partitioned by key as reduce_by_key.
//   plain form: keeps the last `length` batches reduced by key and folds them at each slide.
//   incremental form: keeps the window value per key, adds each entering batch with op and
//     takes each leaving batch out with inverse_op(window_value, leaving_value); a key with no
//     value left in the window is dropped (counted, not guessed from its value).
// Within a key, op sees the batches oldest first. Both states are checkpointed (state/...).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "../checkpointed.hpp"
#include "../core/concepts.hpp"
#include "../core/partitioned.hpp"
#include "../core/type_name.hpp"
#include "../exec/key_partitioning.hpp"
#include "../exec/partitions.hpp"
#include "../ops/reduce_by_key.hpp"
#include "../partitioner.hpp"
#include "batch_window.hpp"
#include "collective.hpp"
#include "state_checkpoint.hpp"
#include "stream.hpp"

namespace lineage {

template <class Op, class Inverse>  // Inverse = std::monostate: the plain form
struct reduce_by_key_and_window_op : stream_stateful_tag {
  Op op;
  Inverse inverse;
  stream_detail::window_params params;

  static constexpr bool incremental = !std::is_same_v<Inverse, std::monostate>;
  static constexpr std::string_view name = "reduce_by_key_and_window";

  template <class InRef>
  using key_t = detail::key_of_t<InRef>;
  template <class InRef>
  using value_t = detail::value_of_t<InRef>;
  template <class InRef>
  using output_reference = const std::pair<key_t<InRef>, value_t<InRef>>&;

  template <class InRef>
  static constexpr bool check() {
    if constexpr (!pair_like<InRef>) {
      static_assert(detail::always_false<InRef>,
                    "ln::reduce_by_key_and_window: the elements are not pair-like (std::pair, std::tuple of 2)");
      return false;
    } else {
      using V = value_t<InRef>;
      constexpr bool op_ok = std::is_invocable_r_v<V, const Op&, V, V>;
      static_assert(op_ok, "ln::reduce_by_key_and_window: op(value, value) must return the value type");
      constexpr bool inverse_ok = !incremental || std::is_invocable_r_v<V, const Inverse&, V, V>;
      static_assert(inverse_ok,
                    "ln::reduce_by_key_and_window: inverse_op(window_value, leaving_value) must return the value type");
      return op_ok && inverse_ok;
    }
  }

  template <class InRef>
  std::string describe() const {
    return std::string(name) + '<' + detail::portable_type_name<key_t<InRef>>() + ", " +
           detail::portable_type_name<value_t<InRef>>() + ">(" + params.text() +
           (incremental ? ", incremental" : "") + ')';
  }

  template <class InRef>
  class state {
    static_assert(check<InRef>());
    using K = key_t<InRef>;
    using V = value_t<InRef>;
    using entry = std::pair<K, V>;
    using counted = std::pair<K, std::pair<V, std::uint64_t>>;  // window value, batches holding the key

   public:
    explicit state(const reduce_by_key_and_window_op& op) : op_(&op), held_(op.params.length) {}

    template <pipeline P, class Ctx>
    std::optional<checkpointed<entry>> step(const P& batch, std::uint64_t b, const Ctx& ctx) {
      if (partitions_ == 0) partitions_ = stream_detail::state_partition_count(ctx);
      auto reduced = detail::compute_partitions(batch | reduce_by_key(op_->op, partitioner{partitions_}), ctx);
      if (reduced.partitions() != partitions_) {
        throw std::logic_error("ln::reduce_by_key_and_window: the batch's keys were not partitioned as the state");
      }
      std::vector<std::vector<entry>> entering(partitions_);
      for (std::size_t i = 0; i < partitions_; ++i) entering[i] = std::move(reduced.at(i));
      if constexpr (incremental) {
        if (value_.empty()) value_.resize(partitions_);
        const auto& added = entering;
        std::vector<std::vector<entry>> leaving_parts;
        ctx.for_each_owned_partition(partitions_, [&](std::size_t i) { add(value_[i], added[i]); });
        if (auto leaving = held_.push(std::move(entering))) {
          leaving_parts = std::move(*leaving);
          ctx.for_each_owned_partition(partitions_, [&](std::size_t i) { subtract(value_[i], leaving_parts[i]); });
        }
      } else {
        (void)held_.push(std::move(entering));
      }
      if (!op_->params.emits_after(b)) return std::nullopt;
      std::vector<std::vector<entry>> out(partitions_);
      ctx.for_each_owned_partition(partitions_, [&](std::size_t i) {
        if constexpr (incremental) {
          out[i].reserve(value_[i].size());
          for (const auto& [k, vc] : value_[i]) out[i].emplace_back(k, vc.first);
        } else {
          out[i] = fold_window(i);
        }
      });
      return stream_detail::owned_dataset(std::move(out), detail::key_partitioner_name(partitions_), ctx);
    }

    template <class Ctx>
    void save(const std::filesystem::path& dir, const checkpoint_options& options, const Ctx& ctx) const {
      const std::string part = detail::key_partitioner_name(partitions_);
      const std::string what = op_->template describe<InRef>();
      if constexpr (incremental) {
        const std::vector<std::vector<counted>> none(partitions_);
        stream_detail::save_state_checkpoint<counted>(dir / "value", value_.empty() ? none : value_, what, part,
                                                      options, ctx);
      }
      held_.save(dir / "batches", what, part, options, ctx);
    }

    template <class Ctx>
    void load(const std::filesystem::path& dir, const checkpoint_options& options, const Ctx& ctx) {
      const std::string what = op_->template describe<InRef>();
      held_.load(dir / "batches", what, options, ctx);
      std::size_t n = 0;
      for (const auto& batch : held_.held()) {
        if (n != 0 && batch.size() != n) {
          throw checkpoint_error(checkpoint_errc::not_a_checkpoint, dir, "window batches of different partitionings");
        }
        n = batch.size();
      }
      if constexpr (incremental) {
        auto c = stream_detail::load_state_checkpoint<counted>(dir / "value", what, options, ctx);
        if (n != 0 && c.partitions() != n) {
          throw checkpoint_error(checkpoint_errc::not_a_checkpoint, dir, "window value and batches differ in partitions");
        }
        n = c.partitions();
        value_ = c.partition_data();
      }
      partitions_ = n;  // 0 (nothing held): decided by the next batch
    }

   private:
    // Keys in first-appearance order, so that output partitions are the same after a resume.
    std::vector<entry> fold_window(std::size_t i) const {
      std::vector<entry> out;
      std::unordered_map<K, std::size_t> index;
      for (const auto& batch : held_.held()) {
        for (const auto& [k, v] : batch[i]) {
          const auto [it, fresh] = index.emplace(k, out.size());
          if (fresh) {
            out.emplace_back(k, v);
          } else {
            out[it->second].second = op_->op(std::move(out[it->second].second), v);
          }
        }
      }
      return out;
    }

    void add(std::vector<counted>& value, const std::vector<entry>& batch) const {
      std::unordered_map<K, std::size_t> index;
      for (std::size_t j = 0; j < value.size(); ++j) index.emplace(value[j].first, j);
      for (const auto& [k, v] : batch) {
        if (const auto it = index.find(k); it != index.end()) {
          auto& vc = value[it->second].second;
          vc.first = op_->op(std::move(vc.first), v);
          ++vc.second;
        } else {
          index.emplace(k, value.size());
          value.emplace_back(k, std::pair<V, std::uint64_t>(v, 1));
        }
      }
    }

    void subtract(std::vector<counted>& value, const std::vector<entry>& leaving) const {
      std::unordered_map<K, const V*> gone;
      for (const auto& [k, v] : leaving) gone.emplace(k, &v);
      std::vector<counted> kept;
      kept.reserve(value.size());
      for (auto& [k, vc] : value) {
        if (const auto it = gone.find(k); it != gone.end()) {
          if (--vc.second == 0) continue;  // no value of k left in the window
          vc.first = op_->inverse(std::move(vc.first), *it->second);
        }
        kept.emplace_back(std::move(k), std::move(vc));
      }
      value = std::move(kept);
    }

    const reduce_by_key_and_window_op* op_;
    std::size_t partitions_ = 0;
    stream_detail::batch_window<entry> held_;
    std::vector<std::vector<counted>> value_;  // incremental form only
  };
};

template <class Op>
auto reduce_by_key_and_window(Op op, std::size_t length, std::size_t slide) {
  return reduce_by_key_and_window_op<Op, std::monostate>{
      {}, std::move(op), {}, stream_detail::window_params(length, slide)};
}

template <class Op, class Inverse>
auto reduce_by_key_and_window(Op op, Inverse inverse, std::size_t length, std::size_t slide) {
  return reduce_by_key_and_window_op<Op, Inverse>{
      {}, std::move(op), std::move(inverse), stream_detail::window_params(length, slide)};
}

}  // namespace lineage
