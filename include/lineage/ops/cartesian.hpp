// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::cartesian(other): every pair (x, y) of an element x of the pipeline and an element y of
// `other` (any lineage or range): Spark's cartesian. The output has one partition per pair of
// input partitions (i, j), numbered i * other's count + j, holding (x, y) for x in left
// partition i, then y in right partition j. Wide: both inputs are materialized; in one process
// the pairs are made as each output partition runs (never stored); a distributed backend
// first sends left partition i and right partition j to the owner of output partition (i, j).
#include <concepts>
#include <cstddef>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/closure.hpp"
#include "../core/concepts.hpp"
#include "../core/partitioned.hpp"
#include "../core/source.hpp"
#include "../exec/partitions.hpp"
#include "../plan/op_kind.hpp"

namespace lineage {
namespace detail {

// The pairs of output partition p come from left partition left_of(p) and right
// partition right_of(p) of two partition sets held here.
template <class T, class U>
class cartesian_producer {
 public:
  cartesian_producer(std::shared_ptr<const partition_set<T>> left, std::shared_ptr<const partition_set<U>> right,
                     bool per_output)
      : left_(std::move(left)), right_(std::move(right)), per_output_(per_output) {}

  std::size_t partitions() const { return per_output_ ? left_->partitions() : left_->partitions() * right_->partitions(); }
  std::optional<std::size_t> size_hint(std::size_t p) const { return left_part(p).size() * right_part(p).size(); }
  template <class Sink>
  void run(std::size_t p, Sink& sink) const {
    const auto& right = right_part(p);
    for (const auto& x : left_part(p)) {
      for (const auto& y : right) {
        if (sink_stopped(sink)) return;
        sink(std::pair<T, U>(x, y));
      }
    }
  }

 private:
  // per_output_: the sets hold, at index p, the inputs of output partition p (distributed);
  // otherwise they are the inputs' own partitions.
  const std::vector<T>& left_part(std::size_t p) const {
    return per_output_ ? left_->at(p) : left_->at(p / right_->partitions());
  }
  const std::vector<U>& right_part(std::size_t p) const {
    return per_output_ ? right_->at(p) : right_->at(p % right_->partitions());
  }

  std::shared_ptr<const partition_set<T>> left_;
  std::shared_ptr<const partition_set<U>> right_;
  bool per_output_;
};

// Distributed form: partition i of `in` goes to every output partition route(i) lists.
template <class T, class Ctx, class Targets>
partition_set<T> replicate_to_outputs(partition_set<T>&& in, std::size_t outputs, const Targets& targets, const Ctx& ctx) {
  std::vector<buckets_of<T>> written(in.partitions());
  ctx.for_each_owned_partition(in.partitions(), [&](std::size_t i) {
    written[i].resize(outputs);
    for (const std::size_t p : targets(i)) written[i][p] = in.at(i);
    std::vector<T>().swap(in.at(i));
  });
  auto read = ctx.template exchange<T>(std::move(written), outputs);
  partition_set<T> out(outputs, [&](std::size_t p) { return ctx.owns(p, outputs); });
  ctx.for_each_owned_partition(outputs, [&](std::size_t p) {
    for (auto& bucket : read[p]) {
      if (!bucket.empty()) out.at(p) = std::move(bucket);
    }
  });
  return out;
}

}  // namespace detail

template <pipeline Other>
struct cartesian_op {
  Other right;

  static constexpr plan::op_kind kind = plan::op_kind::wide;
  static constexpr std::string_view name = "cartesian";

  template <class In>
  static constexpr bool check() {
    using T = std::remove_cvref_t<In>;
    using U = element_t<Other>;
    constexpr bool ok = std::is_copy_constructible_v<T> && std::is_copy_constructible_v<U>;
    static_assert(ok, "ln::cartesian(other): the elements of both sides must be copyable (each is paired many times)");
    return ok;
  }
  template <class In>
  using reference = std::pair<std::remove_cvref_t<In>, element_t<Other>>;

  // The second input: the lineage walk (core/walk.hpp) covers it.
  const Other& other() const noexcept { return right; }

  template <pipeline Up, class Ctx>
  auto produce(const Up& up, const Ctx& ctx) const {
    using T = element_t<Up>;
    using U = element_t<Other>;
    auto left = detail::compute_partitions(up, ctx);
    auto right_parts = detail::compute_partitions(right, ctx);
    if constexpr (Ctx::single_process) {
      return detail::cartesian_producer<T, U>(std::make_shared<const detail::partition_set<T>>(std::move(left)),
                                              std::make_shared<const detail::partition_set<U>>(std::move(right_parts)),
                                              false);
    } else {
      const std::size_t nl = left.partitions();
      const std::size_t nr = right_parts.partitions();
      const std::size_t outputs = nl * nr;
      auto l = detail::replicate_to_outputs(std::move(left), outputs, [&](std::size_t i) {
        std::vector<std::size_t> ps;
        for (std::size_t j = 0; j < nr; ++j) ps.push_back(i * nr + j);
        return ps;
      }, ctx);
      auto r = detail::replicate_to_outputs(std::move(right_parts), outputs, [&](std::size_t j) {
        std::vector<std::size_t> ps;
        for (std::size_t i = 0; i < nl; ++i) ps.push_back(i * nr + j);
        return ps;
      }, ctx);
      return detail::cartesian_producer<T, U>(std::make_shared<const detail::partition_set<T>>(std::move(l)),
                                              std::make_shared<const detail::partition_set<U>>(std::move(r)), true);
    }
  }
};

struct cartesian_fn {
  template <source_range R>
  auto operator()(R&& other) const {
    using P = decltype(as_pipeline(std::forward<R>(other)));
    return op_closure<cartesian_op<P>>{{}, {as_pipeline(std::forward<R>(other))}};
  }
};
inline constexpr cartesian_fn cartesian{};

}  // namespace lineage
