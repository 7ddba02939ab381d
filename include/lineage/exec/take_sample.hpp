// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::take_sample(n, seed [, ln::with_replacement]): exactly min(n, count) elements drawn at
// random without replacement (or exactly n with ln::with_replacement, if the dataset is not
// empty), in random order, as Spark's takeSample. Two passes: the partitions' counts (free
// when sizes are known, exec/whole_partition.hpp), then a generator seeded with `seed` picks
// global positions (distinct ones by Floyd's algorithm, then shuffled; or n independent ones)
// and each partition hands over the elements at its picked positions. The result depends on
// the seed and the data's order only (not on the partitioning or the policy).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "partition_random.hpp"
#include "whole_partition.hpp"

namespace lineage {
namespace detail {

// The global positions drawn, in result order.
inline std::vector<std::size_t> draw_positions(std::size_t total, std::size_t n, std::uint64_t seed, bool replace) {
  partition_random random(seed, ~std::uint64_t{0});
  std::vector<std::size_t> picks;
  if (total == 0) return picks;
  if (replace) {
    picks.resize(n);
    for (auto& p : picks) p = random.below(total);
    return picks;
  }
  n = std::min(n, total);
  picks.reserve(n);
  std::unordered_set<std::size_t> chosen;
  chosen.reserve(n);
  for (std::size_t j = total - n; j < total; ++j) {  // Floyd: a uniform n-subset of [0, total)
    const std::size_t t = random.below(j + 1);
    const std::size_t pick = chosen.insert(t).second ? t : j;
    if (pick == j) chosen.insert(j);
    picks.push_back(pick);
  }
  for (std::size_t i = picks.size(); i > 1; --i) std::swap(picks[i - 1], picks[random.below(i)]);  // random order
  return picks;
}

// The picked elements of one partition: (slot in the result, element), for each slot whose
// position is in the partition.
template <class T>
struct picked_sink {
  std::vector<std::pair<std::size_t, std::size_t>> wanted;  // (local index, slot), sorted
  std::size_t next_wanted = 0;
  std::size_t index = 0;
  std::vector<std::pair<std::size_t, T>> out;
  static constexpr bool can_stop = true;
  bool stopped() const { return next_wanted == wanted.size(); }
  template <class Archive>
  void serialize(Archive& ar) {
    ar(out);
  }
  template <class X>
  void operator()(X&& x) {
    std::size_t last = next_wanted;
    while (last < wanted.size() && wanted[last].first == index) ++last;
    for (std::size_t k = next_wanted; k < last; ++k) out.emplace_back(wanted[k].second, std::as_const(x));
    next_wanted = last;
    ++index;
  }
};

template <bool Replace>
struct take_sample_action {
  std::size_t n;
  std::uint64_t seed;

  template <class Ref>
  static constexpr bool accepts() {
    constexpr bool ok = std::is_copy_constructible_v<std::remove_cvref_t<Ref>>;
    static_assert(ok, "ln::take_sample: the element type must be copy-constructible");
    return ok;
  }
  template <pipeline P, class Ctx>
  std::vector<element_t<P>> run(const P& p, const Ctx& ctx) const {
    using T = element_t<P>;
    const auto producer = p.producer(ctx);
    const auto counts = partition_counts(producer, ctx);
    std::vector<std::size_t> first(counts.size() + 1, 0);
    for (std::size_t i = 0; i < counts.size(); ++i) first[i + 1] = first[i] + counts[i];
    const auto picks = draw_positions(first.back(), n, seed, Replace);

    std::vector<std::pair<std::size_t, std::size_t>> by_position;  // (position, slot), sorted
    by_position.reserve(picks.size());
    for (std::size_t slot = 0; slot < picks.size(); ++slot) by_position.emplace_back(picks[slot], slot);
    std::sort(by_position.begin(), by_position.end());

    const std::size_t parts = producer.partitions();
    std::vector<std::optional<picked_sink<T>>> partials(parts);
    ctx.for_each_owned_partition(parts, [&](std::size_t i) {
      auto& sink = partials[i].emplace();
      const auto lo = std::lower_bound(by_position.begin(), by_position.end(), std::pair<std::size_t, std::size_t>{first[i], 0});
      const auto hi = std::lower_bound(lo, by_position.end(), std::pair<std::size_t, std::size_t>{first[i + 1], 0});
      for (auto it = lo; it != hi; ++it) sink.wanted.emplace_back(it->first - first[i], it->second);
      if (!sink.stopped()) producer.run(i, sink);
    });
    if constexpr (!Ctx::single_process) partials = ctx.gather_ordered(std::move(partials), [] { return picked_sink<T>{}; });

    std::vector<std::pair<std::size_t, T>> all;
    all.reserve(picks.size());
    for (auto& part : partials) {
      if (!part) continue;
      for (auto& e : part->out) all.push_back(std::move(e));
    }
    std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<T> result;
    result.reserve(all.size());
    for (auto& e : all) result.push_back(std::move(e.second));
    return result;
  }
};

}  // namespace detail

struct take_sample_fn {
  template <execution_policy Policy = seq_t>
  auto operator()(std::size_t n, std::uint64_t seed, Policy policy = {}) const {
    return detail::make_direct_action(detail::take_sample_action<false>{n, seed}, policy);
  }
  template <execution_policy Policy = seq_t>
  auto operator()(std::size_t n, std::uint64_t seed, with_replacement_t, Policy policy = {}) const {
    return detail::make_direct_action(detail::take_sample_action<true>{n, seed}, policy);
  }
};
inline constexpr take_sample_fn take_sample{};

}  // namespace lineage
