// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::parallelize(range, partitions): an owning source split into `partitions` partitions of
// (nearly) equal size, as Spark's parallelize. The elements are copied once (an rvalue
// std::vector is moved in whole, other rvalue containers element by element) into one shared
// vector; copies of the pipeline share it. A partition is a slice of it: element `index` of n
// is in partition index * partitions / n.
//
// Which partitions run where is the backend's business (exec/backend.hpp), decided by the
// policy of the action: ln::seq and ln::par run every slice in this process, also under an MPI
// session, and ln::mpi::world runs slice i on rank i % size only. Every rank holds the input
// (SPMD: each built it to call parallelize) but materializes only what its backend runs.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/concepts.hpp"
#include "../core/interop.hpp"
#include "../core/pipeline.hpp"
#include "../core/sink.hpp"
#include "../core/type_name.hpp"
#include "../exec/collect.hpp"  // running the plan: iteration (core/interop.hpp)
#include "../storage/archive.hpp"
#include "../plan/explain_builder.hpp"

namespace lineage {

namespace detail {

// The elements of a parallelized source and where each partition starts.
template <class T>
struct sliced_data {
  std::vector<T> elements;
  std::vector<std::size_t> starts;  // partitions + 1 offsets; partition p is [starts[p], starts[p + 1])

  sliced_data(std::vector<T> all, std::size_t partitions) : elements(std::move(all)), starts(partitions + 1) {
    const std::size_t n = elements.size();
    // The first index with index * partitions >= p * n, so index * partitions / n == p.
    for (std::size_t p = 0; p <= partitions; ++p) starts[p] = (p * n + partitions - 1) / partitions;
  }
  std::size_t partitions() const noexcept { return starts.size() - 1; }
  // A subrange of `elements` (iterators, not a span: std::vector<bool> has no data()).
  auto partition(std::size_t p) const noexcept {
    const auto first = elements.begin();
    return std::ranges::subrange(first + static_cast<std::ptrdiff_t>(starts[p]),
                                 first + static_cast<std::ptrdiff_t>(starts[p + 1]));
  }
};

template <class T>
class slice_producer {
 public:
  explicit slice_producer(std::shared_ptr<const sliced_data<T>> data) : data_(std::move(data)) {}
  std::size_t partitions() const noexcept { return data_->partitions(); }
  std::optional<std::size_t> size_hint(std::size_t partition) const { return data_->partition(partition).size(); }
  template <class Sink>
  void run(std::size_t partition, Sink& sink) const {
    const auto part = data_->partition(partition);
    push_all(part.begin(), part.end(), sink);
  }

 private:
  std::shared_ptr<const sliced_data<T>> data_;
};

}  // namespace detail

template <class T>
class parallelized : public pipeline_interface<parallelized<T>> {
 public:
  using reference = const T&;
  static constexpr std::size_t depth = 0;
  static constexpr std::size_t stages = 1;

  parallelized(std::vector<T> all, std::size_t partitions)
      : data_(std::make_shared<const detail::sliced_data<T>>(std::move(all), partitions)) {}

  template <class Ctx>
  detail::slice_producer<T> producer(const Ctx&) const {
    return detail::slice_producer<T>(data_);
  }
  std::size_t partitions() const noexcept { return data_->partitions(); }
  // Partition p's elements (a subrange of the shared vector).
  auto partition(std::size_t p) const noexcept { return data_->partition(p); }

  // The content identity of a checkpoint's source (README "Checkpoints"): storage::content_hash of the
  // partitions as vectors, one vector per partition, whatever backend will run them.
  std::uint64_t content_id() const {
    storage::hashing_output_archive archive;
    for (std::size_t p = 0; p < partitions(); ++p) {
      const auto part = partition(p);
      archive(cereal::make_size_tag(static_cast<cereal::size_type>(part.size())));
      if constexpr (storage::detail::raw_block_v<T>) {
        archive(cereal::binary_data(std::to_address(part.begin()), part.size() * sizeof(T)));
      } else {
        for (const T& x : part) archive(x);
      }
    }
    return archive.digest();
  }

  void explain_into(plan::explain_builder& out) const {
    out.source("parallelize<" + detail::portable_type_name<T>() + ">[" + plan::count_of(partitions(), "partition") +
               "]");
  }

 private:
  std::shared_ptr<const detail::sliced_data<T>> data_;
};

struct parallelize_fn {
  template <std::ranges::input_range R>
  auto operator()(R&& range, std::size_t partitions) const {
    if (partitions == 0) throw std::invalid_argument("ln::parallelize: partitions must be at least 1");
    using T = std::ranges::range_value_t<R>;
    using C = std::remove_cvref_t<R>;
    std::vector<T> all;
    if constexpr (!std::is_lvalue_reference_v<R> && std::is_same_v<C, std::vector<T>>) {
      all = std::move(range);  // ours: taken whole, no element copied
    } else {
      if constexpr (std::ranges::sized_range<R>) all.reserve(static_cast<std::size_t>(std::ranges::size(range)));
      // An rvalue container's elements are ours to move; anything else is copied.
      constexpr bool movable_elements = !std::is_lvalue_reference_v<R> && detail::owning_container<C>;
      for (auto&& x : range) {
        if constexpr (movable_elements) {
          all.push_back(std::move(x));
        } else {
          all.push_back(x);
        }
      }
    }
    return parallelized<T>(std::move(all), partitions);
  }
};
inline constexpr parallelize_fn parallelize{};

}  // namespace lineage
