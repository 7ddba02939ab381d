// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::map_partitions_with_index(f): f(std::size_t index, std::span<const T>) sees a whole
// partition and its index (Spark's mapPartitionsWithIndex) and returns a range; as
// ln::map_partitions otherwise (ops/map_partitions.hpp).
#include <cstddef>
#include <functional>
#include <ranges>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>

#include "map_partitions.hpp"

namespace lineage {

template <class F>
struct map_partitions_with_index_op {
  F fn;
  static constexpr plan::op_kind kind = plan::op_kind::narrow;
  static constexpr std::string_view name = "map_partitions_with_index";
  static constexpr bool partition_wise = true;

  template <class In>
  using span_of = std::span<const std::remove_cvref_t<In>>;

  template <class In>
  static constexpr bool check() {
    if constexpr (!std::is_invocable_v<const F&, std::size_t, span_of<In>>) {
      static_assert(detail::always_false<In>,
                    "ln::map_partitions_with_index(f): f must be invocable with (std::size_t index, "
                    "std::span<const T> of the partition's elements)");
      return false;
    } else {
      constexpr bool ranged =
          std::ranges::input_range<std::remove_reference_t<std::invoke_result_t<const F&, std::size_t, span_of<In>>>>;
      static_assert(ranged,
                    "ln::map_partitions_with_index(f): f must return a range (a container, a std view or a range-v3 view)");
      return ranged;
    }
  }
  template <class In>
  using reference = typename detail::flat_map_reference_of<std::invoke_result_t<const F&, std::size_t, span_of<In>>>::type;

  template <class T>
  decltype(auto) call_partition(std::size_t index, std::span<const T> part) const {
    return std::invoke(fn, index, part);
  }
  template <class In, class UpProducer, class Ctx>
  auto partition_producer(UpProducer up, const Ctx&) const {
    return detail::partition_function_producer<UpProducer, std::remove_cvref_t<In>, map_partitions_with_index_op>(
        std::move(up), *this);
  }
};

struct map_partitions_with_index_fn : function_adaptor<map_partitions_with_index_op> {};
inline constexpr map_partitions_with_index_fn map_partitions_with_index{};

}  // namespace lineage
