// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::sort_by(key_fn [, ln::ascending | ln::descending | comparator] [, partitions]): all
// elements ordered by key_fn(x) (a comparator takes two keys and says whether the first goes
// before), stable (equal keys keep their order): Spark's sortBy(f, ascending, numPartitions).
// Wide: ends the stage. A sample sort through the one shuffle (see produce below); the result
// is cut into `partitions` partitions (default: as many as the upstream had), in order.
#include <algorithm>
#include <concepts>
#include <cstddef>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/closure.hpp"
#include "../core/op_params.hpp"
#include "../core/concepts.hpp"
#include "../core/partitioned.hpp"
#include "../exec/index_routing.hpp"
#include "../exec/partitions.hpp"
#include "../plan/op_kind.hpp"

namespace lineage {

struct ascending_t {};
struct descending_t {};
inline constexpr ascending_t ascending{};
inline constexpr descending_t descending{};

namespace detail {

// Merges sorted runs pairwise, left before right, which keeps equal elements in run order.
template <class T, class Less>
std::vector<T> merge_runs(std::vector<std::vector<T>>&& runs, const Less& less) {
  std::erase_if(runs, [](const std::vector<T>& r) { return r.empty(); });
  if (runs.empty()) return {};
  while (runs.size() > 1) {
    std::vector<std::vector<T>> merged((runs.size() + 1) / 2);
    for (std::size_t i = 0; i < merged.size(); ++i) {
      auto& left = runs[2 * i];
      if (2 * i + 1 == runs.size()) {
        merged[i] = std::move(left);
        continue;
      }
      auto& right = runs[2 * i + 1];
      merged[i].reserve(left.size() + right.size());
      std::merge(std::make_move_iterator(left.begin()), std::make_move_iterator(left.end()),
                 std::make_move_iterator(right.begin()), std::make_move_iterator(right.end()),
                 std::back_inserter(merged[i]), less);
      std::vector<T>().swap(left);
      std::vector<T>().swap(right);
    }
    runs = std::move(merged);
  }
  return std::move(runs.front());
}

// How many keys each sorted run contributes to the choice of split points.
inline constexpr std::size_t sort_samples_per_run = 64;

}  // namespace detail

namespace detail {

// Whether key a goes before key b under an order (ascending_t, descending_t or a comparator).
template <class Order>
struct key_order {
  const Order* order;
  template <class A, class B>
  bool operator()(const A& a, const B& b) const {
    if constexpr (std::is_same_v<Order, ascending_t>) {
      return a < b;
    } else if constexpr (std::is_same_v<Order, descending_t>) {
      return b < a;
    } else {
      return std::invoke(*order, a, b);
    }
  }
};

template <class Order>
constexpr std::string_view sort_by_name() {
  if constexpr (std::is_same_v<Order, ascending_t>) {
    return "sort_by";
  } else if constexpr (std::is_same_v<Order, descending_t>) {
    return "sort_by[descending]";
  } else {
    return "sort_by[comparator]";
  }
}

}  // namespace detail

template <class KeyFn, class Order = ascending_t>
struct sort_by_op {
  KeyFn key;
  Order order{};
  std::size_t partitions = 0;  // 0: as many as the upstream has

  static constexpr plan::op_kind kind = plan::op_kind::wide;
  static constexpr std::string_view name = detail::sort_by_name<Order>();

  // Its value parameters, for the lineage signature (core/op_params.hpp).
  std::string signature_params() const { return param_list().add_partition_count(partitions).text(); }

  template <class In>
  static constexpr bool check() {
    using arg = const std::remove_cvref_t<In>&;
    if constexpr (!std::is_move_assignable_v<std::remove_cvref_t<In>>) {
      static_assert(detail::always_false<In>,
                    "ln::sort_by(key_fn): the elements must be move-assignable to be sorted (a std::map's "
                    "std::pair<const K, V> is not: ln::map them to std::pair<K, V> first)");
      return false;
    } else if constexpr (!std::is_invocable_v<const KeyFn&, arg>) {
      static_assert(detail::always_false<In>,
                    "ln::sort_by(key_fn): key_fn is not invocable with the pipeline's element type");
      return false;
    } else {
      using K = std::remove_cvref_t<std::invoke_result_t<const KeyFn&, arg>>;
      if constexpr (std::is_same_v<Order, ascending_t> || std::is_same_v<Order, descending_t>) {
        constexpr bool ok = std::totally_ordered<K>;
        static_assert(ok, "ln::sort_by(key_fn): key_fn must return something ordered by <");
        return ok;
      } else {
        constexpr bool ok = std::is_invocable_r_v<bool, const Order&, const K&, const K&>;
        static_assert(ok, "ln::sort_by(key_fn, comparator): comparator(key, key) must return bool");
        return ok;
      }
    }
  }
  template <class In>
  using reference = const std::remove_cvref_t<In>&;

  // A sample sort through the one shuffle:
  //   1. each owned upstream partition is stably sorted (a run);
  //   2. evenly spaced keys of every run are gathered, and n - 1 split points chosen from them;
  //   3. each run is cut at the split points (equal keys always fall in the same range) and
  //      range k goes to partition k (the exchange);
  //   4. each partition merges its ranges in upstream order, left before right: equal keys keep
  //      their upstream order, so the whole is the stable sort of the input;
  //   5. the result is routed by global index into n (nearly) equal partitions, in order
  //      (exec/index_routing.hpp), n being the upstream partition count, as before.
  template <pipeline Up, class Ctx>
  auto produce(const Up& up, const Ctx& ctx) const {
    using T = element_t<Up>;
    using K = std::remove_cvref_t<std::invoke_result_t<const KeyFn&, const T&>>;
    const detail::key_order<Order> key_less{&order};
    auto less = [&](const T& a, const T& b) { return key_less(std::invoke(key, a), std::invoke(key, b)); };

    auto runs = detail::compute_partitions(up, ctx);
    const std::size_t upstream = runs.partitions();
    const std::size_t n = partitions != 0 ? partitions : (upstream == 0 ? 1 : upstream);
    ctx.for_each_owned_partition(upstream, [&](std::size_t i) {
      std::stable_sort(runs.at(i).begin(), runs.at(i).end(), less);
    });

    // Split points: n - 1 keys, ordered by key_less (none if keys cannot be copied).
    std::vector<K> splitters;
    if constexpr (std::is_copy_constructible_v<K>) {
      if (n > 1) {
        std::vector<std::optional<std::vector<K>>> samples(upstream);
        for (std::size_t i = 0; i < upstream; ++i) {
          if (!runs.holds(i)) continue;
          const auto& run = runs.at(i);
          auto& mine = samples[i].emplace();
          const std::size_t taken = std::min(run.size(), detail::sort_samples_per_run);
          for (std::size_t k = 0; k < taken; ++k) mine.push_back(std::invoke(key, run[run.size() * (2 * k + 1) / (2 * taken)]));
        }
        samples = ctx.gather_ordered(std::move(samples), [] { return std::vector<K>(); });
        std::vector<K> all;
        for (auto& s : samples) {
          if (s) all.insert(all.end(), std::make_move_iterator(s->begin()), std::make_move_iterator(s->end()));
        }
        std::sort(all.begin(), all.end(), key_less);
        if (!all.empty()) {
          for (std::size_t k = 1; k < n; ++k) splitters.push_back(all[all.size() * k / n]);
        }
      }
    }

    std::vector<detail::buckets_of<T>> written(upstream);
    ctx.for_each_owned_partition(upstream, [&](std::size_t i) {
      auto& run = runs.at(i);
      auto& buckets = written[i];
      buckets.resize(n);
      if (splitters.empty()) {
        buckets[0] = std::move(run);
        return;
      }
      auto from = run.begin();
      for (std::size_t k = 0; k < n; ++k) {
        auto to = k + 1 < n ? std::upper_bound(from, run.end(), splitters[k],
                                               [&](const K& s, const T& x) { return key_less(s, std::invoke(key, x)); })
                            : run.end();
        buckets[k].assign(std::make_move_iterator(from), std::make_move_iterator(to));
        from = to;
      }
      std::vector<T>().swap(run);
    });
    auto read = ctx.template exchange<T>(std::move(written), n);

    detail::partition_set<T> ranges(n, [&](std::size_t j) { return ctx.owns(j, n); });
    ctx.for_each_owned_partition(n, [&](std::size_t j) {
      ranges.at(j) = detail::merge_runs(std::move(read[j]), less);
    });
    return detail::make_partitioned_producer(detail::route_by_global_index(std::move(ranges), n, ctx));
  }
};

namespace detail {
template <class N>
concept partition_count = std::integral<N> && !std::is_same_v<N, bool>;

inline std::size_t checked_sort_partitions(long long n) {
  if (n < 1) throw std::invalid_argument("ln::sort_by: the partition count must be at least 1");
  return static_cast<std::size_t>(n);
}
}  // namespace detail

struct sort_by_fn {
  template <class KeyFn, class Order = ascending_t>
    requires(!std::is_same_v<Order, bool> && !detail::partition_count<Order>)
  auto operator()(KeyFn key, Order order = {}) const {
    return op_closure<sort_by_op<KeyFn, Order>>{{}, {std::move(key), std::move(order), 0}};
  }
  // Spark's sortBy(f, ascending, numPartitions): ln::sort_by(f, ln::descending, n).
  template <class KeyFn, class Order, detail::partition_count N>
    requires(!std::is_same_v<Order, bool>)
  auto operator()(KeyFn key, Order order, N partitions) const {
    return op_closure<sort_by_op<KeyFn, Order>>{
        {}, {std::move(key), std::move(order), detail::checked_sort_partitions(static_cast<long long>(partitions))}};
  }
  template <class KeyFn, detail::partition_count N>
  auto operator()(KeyFn key, N partitions) const {
    return (*this)(std::move(key), ascending, partitions);
  }
  // Spark's `sortBy(f, ascending = false)`.
  template <class KeyFn, class... Rest>
  auto operator()(KeyFn key, bool, Rest...) const {
    static_assert(detail::always_false<KeyFn>,
                  "ln::sort_by(key, bool): use ln::descending (or ln::ascending) for the order, not a bool");
    return op_closure<sort_by_op<KeyFn, ascending_t>>{{}, {std::move(key)}};
  }
};
inline constexpr sort_by_fn sort_by{};

}  // namespace lineage
