// SPDX-License-Identifier: Apache-2.0
#pragma once
// range_source: any input range as the start of a lineage.
//
// Ownership follows the value category, as for std::views::all: an lvalue range is borrowed
// (it must outlive the pipeline), a copyable std view is kept by value, and any other rvalue
// range (a container, a range-v3 view, a move-only std view such as the owning_view of
// `std::vector{...} | std::views::filter(p)`) is moved into shared ownership, so copying the
// pipeline never copies the data and a pipeline is always copyable.
#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <type_traits>
#include <utility>

#include "../plan/explain_builder.hpp"
#include "interop.hpp"
#include "pipeline.hpp"
#include "sink.hpp"
#include "type_name.hpp"

namespace lineage {

namespace detail {

// How a source holds its range R; get() gives the range to iterate.
template <class R>
struct borrowed_range_holder {
  R* range;
  R& get() const noexcept { return *range; }
};
template <class R>
struct view_holder {
  mutable R range;  // mutable: some views (filter) cache on begin() and are not const-iterable
  R& get() const noexcept { return range; }
};
template <class R>
struct shared_range_holder {
  std::shared_ptr<R> range;
  R& get() const noexcept { return *range; }
};

// Iterate a range as const when it allows it: a borrowed container is not modified by us.
template <class R>
decltype(auto) as_iterable(R& r) {
  if constexpr (std::ranges::input_range<const R>) {
    return std::as_const(r);
  } else {
    return (r);
  }
}
template <class R>
using iterable_t = std::remove_reference_t<decltype(as_iterable(std::declval<R&>()))>;

// Sources smaller than this stay in one partition under ln::par: the hand-off would cost more.
inline constexpr std::size_t min_partition_size = 4096;

template <class R>
class range_producer {
 public:
  range_producer(R& range, std::size_t partitions) : range_(&range), partitions_(partitions) {}
  std::size_t partitions() const { return partitions_; }
  std::optional<std::size_t> size_hint(std::size_t partition) const {
    using iterable = std::remove_reference_t<decltype(as_iterable(*range_))>;
    if constexpr (std::ranges::sized_range<iterable>) {
      const auto n = static_cast<std::size_t>(std::ranges::size(as_iterable(*range_)));
      return n * (partition + 1) / partitions_ - n * partition / partitions_;
    } else {
      return std::nullopt;
    }
  }
  template <class Sink>
  void run(std::size_t partition, Sink& sink) const {
    auto&& r = as_iterable(*range_);
    using iterable = std::remove_reference_t<decltype(r)>;
    if constexpr (std::ranges::random_access_range<iterable> && std::ranges::sized_range<iterable>) {
      if (partitions_ > 1) {  // only these are ever split (see range_source::producer)
        const auto n = static_cast<std::size_t>(std::ranges::size(r));
        const auto first = static_cast<std::ptrdiff_t>(n * partition / partitions_);
        const auto last = static_cast<std::ptrdiff_t>(n * (partition + 1) / partitions_);
        auto it = std::ranges::begin(r);
        push_all(it + first, it + last, sink);
        return;
      }
    }
    push_all(std::ranges::begin(r), std::ranges::end(r), sink);
  }

 private:
  R* range_;
  std::size_t partitions_;
};

}  // namespace detail

template <class Holder>
class range_source : public pipeline_interface<range_source<Holder>> {
  using range_type = std::remove_reference_t<decltype(std::declval<const Holder&>().get())>;
  using iterable = detail::iterable_t<range_type>;

 public:
  using reference = std::ranges::range_reference_t<iterable>;
  static constexpr std::size_t depth = 0;
  static constexpr std::size_t stages = 1;

  explicit range_source(Holder holder) : holder_(std::move(holder)) {}

  // Under ln::par a random-access sized range is split into one partition per thread.
  template <class Ctx>
  auto producer(const Ctx& ctx) const {
    std::size_t parts = 1;
    if constexpr (std::ranges::random_access_range<iterable> && std::ranges::sized_range<iterable>) {
      if (ctx.parallel()) {
        const auto n = static_cast<std::size_t>(std::ranges::size(detail::as_iterable(holder_.get())));
        parts = std::clamp<std::size_t>(n / detail::min_partition_size, 1, ctx.threads());
      }
    }
    return detail::range_producer<range_type>(holder_.get(), parts);
  }

  // The elements, for a checkpoint's source identity.
  iterable& range() const noexcept { return detail::as_iterable(holder_.get()); }

  void explain_into(plan::explain_builder& out) const {
    out.source("range<" + detail::portable_type_name<std::remove_cvref_t<reference>>() + ">");
  }

 private:
  Holder holder_;
};

// The lineage a range starts: see the ownership rules at the top of this file.
template <class R>
auto as_pipeline(R&& r) {
  if constexpr (pipeline<R>) {
    return std::remove_cvref_t<R>(std::forward<R>(r));
  } else if constexpr (std::is_lvalue_reference_v<R>) {
    using T = std::remove_reference_t<R>;
    return range_source<detail::borrowed_range_holder<T>>({&r});
  } else if constexpr (std::ranges::view<std::remove_cvref_t<R>> && std::copyable<std::remove_cvref_t<R>>) {
    using T = std::remove_cvref_t<R>;
    return range_source<detail::view_holder<T>>({std::forward<R>(r)});
  } else {
    using T = std::remove_cvref_t<R>;
    return range_source<detail::shared_range_holder<T>>({std::make_shared<T>(std::forward<R>(r))});
  }
}

// What may start a lineage.
template <class R>
concept source_range = pipeline<R> || std::ranges::input_range<std::remove_reference_t<R>>;

}  // namespace lineage
