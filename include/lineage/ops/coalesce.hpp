// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::coalesce(n): at most n partitions, made by merging neighbouring partitions without a
// shuffle (Spark's coalesce(n, shuffle = false)): output partition j holds upstream partitions
// [m*j/n', m*(j+1)/n') of the m upstream ones (n' = min(n, m)), in order, so the elements keep
// their order; n >= m keeps the partitioning. Narrow and partition-wise: on one process a
// merged partition runs its upstream partitions one after the other through the same fused
// kernel, nothing is materialized. A distributed backend cannot run a partition another process
// holds: there the upstream partitions are computed where they live and moved whole (no
// per-element routing) to the process of the partition they merge into.
#include <algorithm>
#include <cstddef>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/closure.hpp"
#include "../core/op_params.hpp"
#include "../core/partitioned.hpp"
#include "../core/sink.hpp"
#include "../exec/partitions.hpp"
#include "../plan/explain_builder.hpp"
#include "../plan/op_kind.hpp"

namespace lineage {
namespace detail {

// The first upstream partition of merged partition j (of `merged`), for `upstream` partitions.
constexpr std::size_t coalesce_group_begin(std::size_t upstream, std::size_t merged, std::size_t j) noexcept {
  return upstream * j / merged;
}

template <class UpProducer>
class coalesced_producer {
 public:
  coalesced_producer(UpProducer up, std::size_t merged) : up_(std::move(up)), merged_(merged) {}
  std::size_t partitions() const { return merged_; }
  std::optional<std::size_t> size_hint(std::size_t j) const {
    std::size_t total = 0;
    for (std::size_t i = first(j); i < first(j + 1); ++i) {
      const auto hint = up_.size_hint(i);
      if (!hint) return std::nullopt;
      total += *hint;
    }
    return total;
  }
  template <class Sink>
  void run(std::size_t j, Sink& sink) const {
    for (std::size_t i = first(j); i < first(j + 1) && !sink_stopped(sink); ++i) up_.run(i, sink);
  }

 private:
  std::size_t first(std::size_t j) const { return coalesce_group_begin(up_.partitions(), merged_, j); }
  UpProducer up_;
  std::size_t merged_;
};

// A distributed backend: upstream partition i goes whole to merged partition j's process.
template <class T, class UpProducer, class Ctx>
partition_set<T> coalesce_across_processes(const UpProducer& up, std::size_t merged, const Ctx& ctx) {
  partition_set<T> in = run_partitions<T>(up, ctx);
  const std::size_t upstream = in.partitions();
  std::vector<buckets_of<T>> written(upstream);
  std::size_t j = 0;
  for (std::size_t i = 0; i < upstream; ++i) {
    while (coalesce_group_begin(upstream, merged, j + 1) <= i) ++j;
    if (!in.holds(i)) continue;
    written[i].resize(merged);
    written[i][j] = std::move(in.at(i));
  }
  auto read = ctx.template exchange<T>(std::move(written), merged);
  partition_set<T> out(merged, [&](std::size_t k) { return ctx.owns(k, merged); });
  ctx.for_each_owned_partition(merged, [&](std::size_t k) {
    auto& result = out.at(k);
    for (auto& part : read[k]) result.insert(result.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
  });
  return out;
}

}  // namespace detail

struct coalesce_op {
  std::size_t partitions;

  static constexpr plan::op_kind kind = plan::op_kind::narrow;
  static constexpr std::string_view name = "coalesce";

  // Its value parameters, for the lineage signature (core/op_params.hpp).
  std::string signature_params() const { return param_list().add("partitions", partitions).text(); }
  static constexpr bool partition_wise = true;

  template <class In>
  static constexpr bool check() {
    return true;
  }
  template <class In>
  using reference = const std::remove_cvref_t<In>&;

  template <class In, class UpProducer, class Ctx>
  auto partition_producer(UpProducer up, const Ctx& ctx) const {
    const std::size_t merged = std::min(partitions, up.partitions());
    if constexpr (Ctx::single_process) {
      return detail::coalesced_producer<UpProducer>(std::move(up), merged);
    } else {
      return detail::make_partitioned_producer(
          detail::coalesce_across_processes<std::remove_cvref_t<In>>(up, merged, ctx));
    }
  }

  void explain_into(plan::explain_builder& out) const { out.fuse("coalesce(" + std::to_string(partitions) + ")"); }
};

struct coalesce_fn {
  auto operator()(std::size_t partitions) const {
    if (partitions == 0) throw std::invalid_argument("ln::coalesce: partitions must be at least 1");
    return op_closure<coalesce_op>{{}, {partitions}};
  }
};
inline constexpr coalesce_fn coalesce{};

}  // namespace lineage
