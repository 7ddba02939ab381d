// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::foreach_partition(f): calls f(std::span<const T>) once per partition, with the whole
// partition (Spark's foreachPartition: one connection or one batch per partition). With
// ln::seq in partition order on the calling thread; with ln::par partitions run concurrently,
// so f must be safe to call from several threads; on a distributed backend each partition on
// the process that owns it.
#include <cstddef>
#include <functional>
#include <span>
#include <type_traits>
#include <utility>

#include "../core/concepts.hpp"
#include "whole_partition.hpp"

namespace lineage {
namespace detail {

template <class F>
struct foreach_partition_action {
  F f;
  template <class Ref>
  static constexpr bool accepts() {
    constexpr bool ok = std::is_invocable_v<const F&, std::span<const std::remove_cvref_t<Ref>>>;
    static_assert(ok, "ln::foreach_partition(f): f must be invocable with a std::span<const T> of a partition's elements");
    return ok;
  }
  template <pipeline P, class Ctx>
  void run(const P& p, const Ctx& ctx) const {
    using T = element_t<P>;
    const auto producer = p.producer(ctx);
    ctx.for_each_owned_partition(producer.partitions(), [&](std::size_t i) {
      const std::vector<T> part = collect_partition<T>(producer, i);
      std::invoke(f, std::span<const T>(part));
    });
  }
};

}  // namespace detail

struct foreach_partition_fn {
  template <class F, execution_policy Policy = seq_t>
  auto operator()(F f, Policy policy = {}) const {
    return detail::make_direct_action(detail::foreach_partition_action<F>{std::move(f)}, policy);
  }
};
inline constexpr foreach_partition_fn foreach_partition{};

}  // namespace lineage
