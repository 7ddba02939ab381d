// SPDX-License-Identifier: Apache-2.0
#pragma once
// Routing by global index (repartition, and the last step of sort_by): the elements of a
// partition set, in order, cut into `n` partitions of (nearly) equal size, partition p getting
// the elements of global index [total*p/n, total*(p+1)/n) (what split_evenly did on one
// vector). Goes through the backend's one shuffle: the partition sizes are gathered so that
// every process knows each element's global index, each owned partition sends the slices of
// its elements to the partitions they belong to, and each owned output partition concatenates
// its slices in upstream order. Nothing is gathered in one place.
#include <algorithm>
#include <cstddef>
#include <iterator>
#include <optional>
#include <utility>
#include <vector>

#include "../core/partitioned.hpp"
#include "backend.hpp"

namespace lineage::detail {

// The first global index of even slice p of `total` elements cut into n.
constexpr std::size_t even_slice_begin(std::size_t total, std::size_t p, std::size_t n) noexcept {
  return total * p / n;
}

// Every partition's element count, on every process, in partition order.
template <class T, class Ctx>
std::vector<std::size_t> global_partition_sizes(const partition_set<T>& in, const Ctx& ctx) {
  const std::size_t upstream = in.partitions();
  std::vector<std::optional<std::size_t>> sizes(upstream);
  for (std::size_t i = 0; i < upstream; ++i) {
    if (in.holds(i)) sizes[i] = in.at(i).size();
  }
  sizes = ctx.gather_ordered(std::move(sizes), [] { return std::size_t{0}; });
  std::vector<std::size_t> out(upstream);
  for (std::size_t i = 0; i < upstream; ++i) out[i] = sizes[i].value_or(0);
  return out;
}

// `n` must not be 0.
template <class T, class Ctx>
partition_set<T> route_by_global_index(partition_set<T>&& in, std::size_t n, const Ctx& ctx) {
  const std::size_t upstream = in.partitions();
  const auto sizes = global_partition_sizes(in, ctx);
  std::vector<std::size_t> offset(upstream + 1, 0);
  for (std::size_t i = 0; i < upstream; ++i) offset[i + 1] = offset[i] + sizes[i];
  const std::size_t total = offset[upstream];

  std::vector<buckets_of<T>> written(upstream);
  ctx.for_each_owned_partition(upstream, [&](std::size_t i) {
    auto& part = in.at(i);
    auto& buckets = written[i];
    buckets.resize(n);
    const std::size_t first = offset[i];
    const std::size_t last = offset[i + 1];
    // The slices [first, last) overlaps: from the one holding `first` on.
    std::size_t p = total == 0 ? 0 : ((first + 1) * n - 1) / total;
    for (std::size_t at = first; at < last; ++p) {
      const std::size_t end = std::min(last, even_slice_begin(total, p + 1, n));
      if (end <= at) continue;
      auto from = part.begin() + static_cast<std::ptrdiff_t>(at - first);
      auto to = part.begin() + static_cast<std::ptrdiff_t>(end - first);
      if (at == first && end == last) {
        buckets[p] = std::move(part);  // the whole partition goes to one place: no copy
      } else {
        buckets[p].assign(std::make_move_iterator(from), std::make_move_iterator(to));
      }
      at = end;
    }
    std::vector<T>().swap(part);
  });
  auto read = ctx.template exchange<T>(std::move(written), n);

  partition_set<T> out(n, [&](std::size_t j) { return ctx.owns(j, n); });
  ctx.for_each_owned_partition(n, [&](std::size_t j) {
    auto& slices = read[j];
    std::size_t count = 0;
    for (const auto& s : slices) count += s.size();
    auto& result = out.at(j);
    for (auto& s : slices) {
      if (s.empty()) continue;
      if (result.empty() && s.size() == count) {
        result = std::move(s);
      } else {
        result.reserve(count);
        result.insert(result.end(), std::make_move_iterator(s.begin()), std::make_move_iterator(s.end()));
      }
      std::vector<T>().swap(s);
    }
  });
  return out;
}

}  // namespace lineage::detail
