// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::map_partitions(f): f(std::span<const T>) sees a whole partition at once (Spark's
// mapPartitions) and returns any range (a container, a std view, a range-v3 view; it may view
// the span, which lives until its elements are pushed on); the output partition is that
// range's elements. Narrow and partition-wise (core/op_traits.hpp): the upstream narrow
// operators fuse into the one pass that fills the partition's buffer, the downstream ones into
// the loop over f's result. Elements of a container f returns by value are moved on.
#include <cstddef>
#include <functional>
#include <optional>
#include <ranges>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/closure.hpp"
#include "../core/concepts.hpp"
#include "../core/sink.hpp"
#include "../exec/whole_partition.hpp"
#include "../plan/op_kind.hpp"
#include "flat_map.hpp"  // flat_map_reference_of, moves_elements

namespace lineage {
namespace detail {

// Runs upstream partition i into a buffer, then pushes on the elements of
// op.call_partition(i, span) (the operator lives in the pipeline, which outlives its producers).
template <class UpProducer, class T, class Op>
class partition_function_producer {
 public:
  partition_function_producer(UpProducer up, const Op& op) : up_(std::move(up)), op_(&op) {}
  std::size_t partitions() const { return up_.partitions(); }
  std::optional<std::size_t> size_hint(std::size_t) const { return std::nullopt; }
  template <class Sink>
  void run(std::size_t partition, Sink& sink) const {
    const std::vector<T> buffer = collect_partition<T>(up_, partition);
    using result = decltype(op_->call_partition(partition, std::span<const T>(buffer)));
    auto&& out = op_->call_partition(partition, std::span<const T>(buffer));
    for (auto&& y : out) {
      if constexpr (moves_elements<result>) {
        sink(std::move(y));
      } else {
        sink(std::forward<decltype(y)>(y));
      }
      if constexpr (Sink::can_stop) {
        if (sink.stopped()) return;
      }
    }
  }

 private:
  UpProducer up_;
  const Op* op_;
};

}  // namespace detail

template <class F>
struct map_partitions_op {
  F fn;
  static constexpr plan::op_kind kind = plan::op_kind::narrow;
  static constexpr std::string_view name = "map_partitions";
  static constexpr bool partition_wise = true;

  template <class In>
  using span_of = std::span<const std::remove_cvref_t<In>>;

  template <class In>
  static constexpr bool check() {
    if constexpr (!std::is_invocable_v<const F&, span_of<In>>) {
      static_assert(detail::always_false<In>,
                    "ln::map_partitions(f): f must be invocable with a std::span<const T> of the partition's elements");
      return false;
    } else {
      constexpr bool ranged = std::ranges::input_range<std::remove_reference_t<std::invoke_result_t<const F&, span_of<In>>>>;
      static_assert(ranged, "ln::map_partitions(f): f must return a range (a container, a std view or a range-v3 view)");
      return ranged;
    }
  }
  template <class In>
  using reference = typename detail::flat_map_reference_of<std::invoke_result_t<const F&, span_of<In>>>::type;

  template <class T>
  decltype(auto) call_partition(std::size_t, std::span<const T> part) const {
    return std::invoke(fn, part);
  }
  template <class In, class UpProducer, class Ctx>
  auto partition_producer(UpProducer up, const Ctx&) const {
    return detail::partition_function_producer<UpProducer, std::remove_cvref_t<In>, map_partitions_op>(std::move(up), *this);
  }
};

struct map_partitions_fn : function_adaptor<map_partitions_op> {};
inline constexpr map_partitions_fn map_partitions{};

}  // namespace lineage
