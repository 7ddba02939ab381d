#pragma once
// ln::sort_by(key_fn [, ln::ascending | ln::descending]): all elements ordered by key_fn(x),
// stable (equal keys keep their order). Wide: ends the stage. Each upstream partition is
// sorted on its own (in parallel under ln::par), the sorted runs are merged pairwise, and the
// result is cut into as many partitions as the upstream had, in order.
#include <algorithm>
#include <cstddef>
#include <functional>
#include <iterator>
#include <memory>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/closure.hpp"
#include "../core/concepts.hpp"
#include "../core/partitioned.hpp"
#include "../exec/partitions.hpp"
#include "../plan/op_kind.hpp"

namespace lineage {

struct ascending_t {};
struct descending_t {};
inline constexpr ascending_t ascending{};
inline constexpr descending_t descending{};

namespace detail {

// Cuts `all` into `n` contiguous slices of (nearly) equal size, in order.
template <class T>
partitions_of<T> split_evenly(std::vector<T>&& all, std::size_t n) {
  if (n <= 1) {
    partitions_of<T> one;
    one.push_back(std::move(all));
    return one;
  }
  partitions_of<T> parts(n);
  const std::size_t size = all.size();
  for (std::size_t p = 0; p < n; ++p) {
    auto first = all.begin() + static_cast<std::ptrdiff_t>(size * p / n);
    auto last = all.begin() + static_cast<std::ptrdiff_t>(size * (p + 1) / n);
    parts[p].assign(std::make_move_iterator(first), std::make_move_iterator(last));
  }
  return parts;
}

// Merges sorted runs pairwise, left before right, which keeps equal elements in run order.
template <class T, class Less>
std::vector<T> merge_runs(partitions_of<T>&& runs, const Less& less, const exec_context& ctx) {
  if (runs.empty()) return {};
  while (runs.size() > 1) {
    partitions_of<T> merged((runs.size() + 1) / 2);
    ctx.for_each_partition(merged.size(), [&](std::size_t i) {
      auto& left = runs[2 * i];
      if (2 * i + 1 == runs.size()) {
        merged[i] = std::move(left);
        return;
      }
      auto& right = runs[2 * i + 1];
      merged[i].reserve(left.size() + right.size());
      std::merge(std::make_move_iterator(left.begin()), std::make_move_iterator(left.end()),
                 std::make_move_iterator(right.begin()), std::make_move_iterator(right.end()),
                 std::back_inserter(merged[i]), less);
      std::vector<T>().swap(left);
      std::vector<T>().swap(right);
    });
    runs = std::move(merged);
  }
  return std::move(runs.front());
}

}  // namespace detail

template <class KeyFn, class Order = ascending_t>
struct sort_by_op {
  KeyFn key;

  static constexpr plan::op_kind kind = plan::op_kind::wide;
  static constexpr std::string_view name =
      std::is_same_v<Order, ascending_t> ? std::string_view("sort_by") : std::string_view("sort_by[descending]");

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
      using K = std::invoke_result_t<const KeyFn&, arg>;
      constexpr bool ok = std::totally_ordered<std::remove_cvref_t<K>>;
      static_assert(ok, "ln::sort_by(key_fn): key_fn must return something ordered by <");
      return ok;
    }
  }
  template <class In>
  using reference = const std::remove_cvref_t<In>&;

  template <pipeline Up>
  auto produce(const Up& up, const exec_context& ctx) const {
    using T = element_t<Up>;
    auto less = [this](const T& a, const T& b) {
      if constexpr (std::is_same_v<Order, ascending_t>) {
        return std::invoke(key, a) < std::invoke(key, b);
      } else {
        return std::invoke(key, b) < std::invoke(key, a);
      }
    };
    auto runs = detail::compute_partitions(up, ctx);
    const std::size_t n = runs.size();
    ctx.for_each_partition(n, [&](std::size_t i) { std::stable_sort(runs[i].begin(), runs[i].end(), less); });
    auto parts = detail::split_evenly(detail::merge_runs(std::move(runs), less, ctx), n);
    return detail::partitioned_producer<T>(std::make_shared<const detail::partitions_of<T>>(std::move(parts)));
  }
};

struct sort_by_fn {
  template <class KeyFn, class Order = ascending_t>
    requires std::is_same_v<Order, ascending_t> || std::is_same_v<Order, descending_t>
  auto operator()(KeyFn key, Order = {}) const {
    return op_closure<sort_by_op<KeyFn, Order>>{{}, {std::move(key)}};
  }
};
inline constexpr sort_by_fn sort_by{};

}  // namespace lineage
