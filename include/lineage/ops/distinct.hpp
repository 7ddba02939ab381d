// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::distinct([ln::partitioner{n, hasher}]): each distinct element once. Wide: elements are
// de-duplicated within each partition before the shuffle, then across partitions. Within an
// output partition, elements keep their order of first appearance.
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/closure.hpp"
#include "../core/op_params.hpp"
#include "../core/concepts.hpp"
#include "../core/partitioned.hpp"
#include "../exec/collect.hpp"  // running the plan: iteration (core/interop.hpp)
#include "../exec/flat_table.hpp"
#include "../exec/shuffle.hpp"
#include "../plan/op_kind.hpp"

namespace lineage {
namespace detail {

// A set: the table's entries, in order of first appearance, with nothing beside the element.
template <class T, class Hash>
using seen_set = flat_table<T, no_value, key_hasher_t<T, Hash>>;

template <class T, class Hash>
struct distinct_combiner {
  seen_set<T, Hash> seen;
  key_partitioner<T, Hash> partition_of;
  static constexpr bool can_stop = false;
  template <class X>
  void operator()(X&& x) {
    if constexpr (std::is_same_v<std::remove_cvref_t<X>, T>) {
      seen.try_emplace(std::forward<X>(x));
    } else {
      seen.try_emplace(T(std::forward<X>(x)));  // hashed as the element type, never as a proxy
    }
  }
  buckets_of<T> take_buckets() && {
    buckets_of<T> out(partition_of.partitions);
    for (auto& e : seen) out[partition_of(e.first)].push_back(std::move(e.first));
    seen.clear();
    return out;
  }
};

}  // namespace detail

template <class Hash = std_hash>
struct distinct_op {
  partitioner<Hash> part;

  static constexpr plan::op_kind kind = plan::op_kind::wide;
  static constexpr std::string_view name = "distinct";

  // Its value parameters, for the lineage signature (core/op_params.hpp).
  std::string signature_params() const { return param_list().add_partitioner(part).text(); }

  template <class In>
  static constexpr bool check() {
    using T = std::remove_cvref_t<In>;
    constexpr bool ok = detail::hashable_key<T, Hash> && std::equality_comparable<T>;
    static_assert(ok, "ln::distinct(): the element type needs std::hash and == (or pass a hasher in ln::partitioner)");
    return ok;
  }
  template <class In>
  using reference = const std::remove_cvref_t<In>&;

  template <pipeline Up, class Ctx>
  auto produce(const Up& up, const Ctx& ctx) const {
    using T = element_t<Up>;
    const auto producer = up.producer(ctx);
    const std::size_t downstream = detail::downstream_partitions(part, producer.partitions());
    auto read = detail::shuffle_write(producer, ctx, downstream, [&](std::size_t n) {
      return detail::distinct_combiner<T, Hash>{detail::seen_set<T, Hash>(part.template hash_for<T>()),
                                                {n, part.template hash_for<T>()}};
    });
    auto parts = detail::shuffle_read(std::move(read), ctx, [&](detail::shuffle_input<T>&& in) {
      detail::seen_set<T, Hash> seen(part.template hash_for<T>());
      for (auto& bucket : in) {
        for (auto& x : bucket) seen.try_emplace(std::move(x));
        std::vector<T>().swap(bucket);
      }
      std::vector<T> out;
      out.reserve(seen.size());
      for (auto& e : seen) out.push_back(std::move(e.first));
      return out;
    });
    return detail::make_partitioned_producer(std::move(parts));
  }
};

struct distinct_fn : usable_bare<distinct_fn> {
  template <class Part = partitioner<>>
  auto operator()(Part part = {}) const {
    return op_closure<distinct_op<partition_hash_t<Part>>>{{}, {as_partitioner(part)}};
  }
};
inline constexpr distinct_fn distinct{};

}  // namespace lineage
