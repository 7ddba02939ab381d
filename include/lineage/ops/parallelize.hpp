#pragma once
// ln::parallelize(range, partitions): an owning source split into `partitions` partitions of
// (nearly) equal size, as Spark's parallelize. The elements are copied (or moved, from an
// rvalue container) once; copies of the pipeline share them.
//
// Under an MPI session (<lineage/mpi.hpp>) with several ranks, each rank keeps only its own
// partitions (i % size == rank, exec/placement.hpp): such a source then runs under
// ln::mpi::world only (ln::seq or ln::par would miss the other ranks' partitions, and throw).
// ln::parallelize(range, partitions, policy) keeps what `policy` runs here: with ln::seq every
// partition, also under a session. A source that dropped partitions keeps the content identity
// of all of them (a checkpoint's signature must not depend on the rank count), computed while
// splitting.
#include <cstddef>
#include <iterator>
#include <cstdint>
#include <memory>
#include <optional>
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
#include "../exec/placement.hpp"
#include "../exec/policy.hpp"
#include "../storage/archive.hpp"
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
  // Some partitions only (the others are another process's), and the identity of all.
  parallelized(detail::partition_set<T> parts, std::optional<std::uint64_t> content_id)
      : data_(std::make_shared<const detail::partition_set<T>>(std::move(parts))), content_id_(content_id) {}

  template <class Ctx>
  detail::partitioned_producer<T> producer(const Ctx&) const {
    return detail::partitioned_producer<T>(data_);
  }
  std::size_t partitions() const noexcept { return data_->partitions(); }
  const std::vector<std::vector<T>>& partition_data() const noexcept { return data_->all(); }
  // Whether this process holds every partition.
  bool holds_all() const noexcept { return data_->holds_all(); }
  // storage::content_hash(partition_data()) of the whole data, when this process holds only
  // some partitions (and the elements are serializable); nullopt when it holds them all.
  std::optional<std::uint64_t> content_id() const noexcept { return content_id_; }

  void explain_into(plan::explain_builder& out) const {
    out.source("parallelize<" + detail::portable_type_name<T>() + ">[" + plan::count_of(partitions(), "partition") +
               "]");
  }

 private:
  std::shared_ptr<const detail::partition_set<T>> data_;
  std::optional<std::uint64_t> content_id_;
};

namespace detail {

// storage::content_hash(parts) of the partitions, `sizes` elements long, that add() fills in
// order, computed one element at a time: content_hash hashes each partition's cereal encoding
// in turn, a vector's being its size prefix and then each element's encoding.
template <class T>
class partitions_hash {
 public:
  explicit partitions_hash(const std::vector<std::size_t>& sizes) : sizes_(sizes) { next_partition(); }
  void add(const T& x) {
    archive_(x);
    --left_;
    next_partition();
  }
  std::uint64_t digest() { return archive_.digest(); }

 private:
  void next_partition() {
    while (left_ == 0 && at_ < sizes_.size()) {
      left_ = sizes_[at_++];
      archive_(cereal::make_size_tag(static_cast<cereal::size_type>(left_)));
    }
  }
  const std::vector<std::size_t>& sizes_;
  storage::hashing_output_archive archive_;
  std::size_t at_ = 0;    // next partition whose size prefix is due
  std::size_t left_ = 0;  // elements of the current partition still to come
};

}  // namespace detail

struct parallelize_fn {
  // Keeps the partitions of the installed placement: every one, or under an MPI session this
  // rank's (see the top of this file).
  template <std::ranges::input_range R>
  auto operator()(R&& range, std::size_t partitions) const {
    const source_placement placement = current_source_placement();
    return split(std::forward<R>(range), partitions, [placement](std::size_t i) { return placement.keeps(i); });
  }
  // Keeps the partitions that `policy` runs in this process.
  template <std::ranges::input_range R, execution_policy Policy>
  auto operator()(R&& range, std::size_t partitions, const Policy& policy) const {
    const auto backend = make_backend(policy);
    return split(std::forward<R>(range), partitions, [&backend, partitions](std::size_t i) { return backend.owns(i, partitions); });
  }

 private:
  template <class R, class Keeps>
  static auto split(R&& range, std::size_t partitions, const Keeps& keeps) {
    if (partitions == 0) throw std::invalid_argument("ln::parallelize: partitions must be at least 1");
    using T = std::ranges::range_value_t<R>;
    if constexpr (std::ranges::sized_range<R>) {
      const auto n = static_cast<std::size_t>(std::ranges::size(range));
      // Element `index` goes to partition index * partitions / n: equal contiguous slices, in
      // order; partition p starts at the first index with index * partitions >= p * n.
      std::vector<std::size_t> sizes(partitions);
      for (std::size_t p = 0; p < partitions; ++p) {
        sizes[p] = (((p + 1) * n + partitions - 1) / partitions) - ((p * n + partitions - 1) / partitions);
      }
      detail::partition_set<T> parts(partitions, keeps);
      const bool all = parts.holds_all();
      // The identity of all the partitions, when some are dropped (and T can be hashed).
      constexpr bool hashable = storage::serializable<T>;
      std::optional<detail::partitions_hash<std::conditional_t<hashable, T, int>>> hash;
      if constexpr (hashable) {
        if (!all) hash.emplace(sizes);
      }
      for (std::size_t p = 0; p < partitions; ++p) {
        if (parts.holds(p)) parts.at(p).reserve(sizes[p]);
      }
      std::size_t index = 0;
      // An rvalue container's elements are ours to move; anything else is copied.
      constexpr bool movable_elements = !std::is_lvalue_reference_v<R> && detail::owning_container<std::remove_cvref_t<R>>;
      for (auto&& x : range) {
        const std::size_t p = index * partitions / n;
        if constexpr (hashable) {
          if (hash) hash->add(x);
        }
        if (parts.holds(p)) {
          if constexpr (movable_elements) {
            parts.at(p).push_back(std::move(x));
          } else {
            parts.at(p).push_back(x);
          }
        }
        ++index;
      }
      std::optional<std::uint64_t> id;
      if (hash) id = hash->digest();
      return parallelized<T>(std::move(parts), id);
    } else {
      // Not sized: count by reading it once (its end may be a sentinel of another type).
      std::vector<T> all;
      for (auto&& x : range) all.emplace_back(std::forward<decltype(x)>(x));
      return split(std::move(all), partitions, keeps);
    }
  }
};
inline constexpr parallelize_fn parallelize{};

}  // namespace lineage
