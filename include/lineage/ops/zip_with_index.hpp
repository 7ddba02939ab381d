// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::zip_with_index(): each element x becomes (x, i), i its position in the dataset (a
// std::size_t), numbered in partition order as Spark's zipWithIndex: the partitions' element
// counts come first (free when the sizes are known, else one counting pass over the upstream:
// run when the action starts, before the plan's own kernel, as Spark runs an extra job), then
// partition p numbers from the sum of the counts before it. Narrow and partition-wise: the
// upstream is not materialized (but runs twice when its sizes are unknown: persist it if that
// is costly).
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/closure.hpp"
#include "../core/sink.hpp"
#include "../exec/whole_partition.hpp"
#include "../plan/op_kind.hpp"

namespace lineage {
namespace detail {

template <class T, class Down>
struct zip_with_index_sink : forwarding_sink<Down> {
  std::size_t next;
  template <class X>
  void operator()(X&& x) {
    this->down(std::pair<T, std::size_t>(std::forward<X>(x), next++));
  }
};

template <class UpProducer, class T>
class zip_with_index_producer {
 public:
  zip_with_index_producer(UpProducer up, std::shared_ptr<const std::vector<std::size_t>> offsets)
      : up_(std::move(up)), offsets_(std::move(offsets)) {}
  std::size_t partitions() const { return up_.partitions(); }
  std::optional<std::size_t> size_hint(std::size_t partition) const { return up_.size_hint(partition); }
  template <class Sink>
  void run(std::size_t partition, Sink& sink) const {
    zip_with_index_sink<T, Sink> numbered{{sink}, (*offsets_)[partition]};
    up_.run(partition, numbered);
  }

 private:
  UpProducer up_;
  std::shared_ptr<const std::vector<std::size_t>> offsets_;  // first index of each partition
};

}  // namespace detail

struct zip_with_index_op {
  static constexpr plan::op_kind kind = plan::op_kind::narrow;
  static constexpr std::string_view name = "zip_with_index";
  static constexpr bool partition_wise = true;
  static constexpr bool one_to_one = true;

  template <class In>
  static constexpr bool check() {
    return true;
  }
  template <class In>
  using reference = std::pair<std::remove_cvref_t<In>, std::size_t>;

  template <class In, class UpProducer, class Ctx>
  auto partition_producer(UpProducer up, const Ctx& ctx) const {
    const auto counts = detail::partition_counts(up, ctx);
    auto offsets = std::make_shared<std::vector<std::size_t>>(counts.size());
    std::size_t at = 0;
    for (std::size_t i = 0; i < counts.size(); ++i) {
      (*offsets)[i] = at;
      at += counts[i];
    }
    return detail::zip_with_index_producer<UpProducer, std::remove_cvref_t<In>>(std::move(up), std::move(offsets));
  }
};

struct zip_with_index_fn : nullary_adaptor<zip_with_index_op> {};
inline constexpr zip_with_index_fn zip_with_index{};

}  // namespace lineage
