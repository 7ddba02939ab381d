#pragma once
// ln::parallelize(range, partitions): an owning source split into `partitions` partitions of
// (nearly) equal size, as Spark's parallelize. The elements are copied (or moved, from an
// rvalue container) once; copies of the pipeline share them.
#include <cstddef>
#include <iterator>
#include <memory>
#include <ranges>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "../core/concepts.hpp"
#include "../core/interop.hpp"
#include "../core/partitioned.hpp"
#include "../core/pipeline.hpp"
#include "../core/type_name.hpp"
#include "../exec/collect.hpp"  // running the plan: iteration (core/interop.hpp)
#include "../plan/explain_builder.hpp"

namespace lineage {

template <class T>
class parallelized : public pipeline_interface<parallelized<T>> {
 public:
  using reference = const T&;
  static constexpr std::size_t depth = 0;
  static constexpr std::size_t stages = 1;

  explicit parallelized(std::vector<std::vector<T>> parts)
      : data_(std::make_shared<const detail::partition_set<T>>(std::move(parts))) {}

  template <class Ctx>
  detail::partitioned_producer<T> producer(const Ctx&) const {
    return detail::partitioned_producer<T>(data_);
  }
  std::size_t partitions() const noexcept { return data_->partitions(); }
  const std::vector<std::vector<T>>& partition_data() const noexcept { return data_->all(); }

  void explain_into(plan::explain_builder& out) const {
    out.source("parallelize<" + detail::portable_type_name<T>() + ">[" + std::to_string(partitions()) +
               " partitions]");
  }

 private:
  std::shared_ptr<const detail::partition_set<T>> data_;
};

struct parallelize_fn {
  template <std::ranges::input_range R>
  auto operator()(R&& range, std::size_t partitions) const {
    if (partitions == 0) throw std::invalid_argument("ln::parallelize: partitions must be at least 1");
    using T = std::ranges::range_value_t<R>;
    std::vector<std::vector<T>> parts(partitions);
    if constexpr (std::ranges::sized_range<R>) {
      const auto n = static_cast<std::size_t>(std::ranges::size(range));
      std::size_t index = 0;
      // An rvalue container's elements are ours to move; anything else is copied.
      constexpr bool movable_elements = !std::is_lvalue_reference_v<R> && detail::owning_container<std::remove_cvref_t<R>>;
      for (auto&& x : range) {
        auto& part = parts[index * partitions / n];  // equal contiguous slices, in order
        if constexpr (movable_elements) {
          part.push_back(std::move(x));
        } else {
          part.push_back(x);
        }
        ++index;
      }
    } else {
      // Not sized: count by reading it once (its end may be a sentinel of another type).
      std::vector<T> all;
      for (auto&& x : range) all.emplace_back(std::forward<decltype(x)>(x));
      return (*this)(std::move(all), partitions);
    }
    return parallelized<T>(std::move(parts));
  }
};
inline constexpr parallelize_fn parallelize{};

}  // namespace lineage
