// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::union_all(other...): the elements of the pipeline, then those of each `other` (any
// lineage or range of the same element type): Spark's union (`union` is a C++ keyword).
// Duplicates are kept; the partitions are the left's, then each other's, in order: no shuffle.
// The lineage walk visits every input (op_traits.hpp: others()), so explain, the stage count
// and a checkpoint's signature and content identity cover all of them.
//
// In one process (ln::seq, ln::par) the union runs each input's kernel in place: partition i
// of the union is partition i - offset of the input that holds it, and narrow operators after
// the union fuse into it. A distributed backend owns partitions by their index, so there the
// inputs are materialized and each partition is moved to the process that owns its new index.
#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/closure.hpp"
#include "../core/concepts.hpp"
#include "../core/partitioned.hpp"
#include "../core/source.hpp"
#include "../exec/partitions.hpp"
#include "../plan/explain_builder.hpp"
#include "../plan/op_kind.hpp"

namespace lineage {
namespace detail {

// The partitions of several producers one after another.
template <class... Producers>
class concatenated_producer {
 public:
  explicit concatenated_producer(Producers... ps) : parts_(std::move(ps)...) {}

  std::size_t partitions() const {
    return std::apply([](const auto&... p) { return (std::size_t{0} + ... + p.partitions()); }, parts_);
  }
  std::optional<std::size_t> size_hint(std::size_t partition) const {
    std::optional<std::size_t> hint;
    dispatch(partition, [&](const auto& p, std::size_t i) { hint = p.size_hint(i); });
    return hint;
  }
  template <class Sink>
  void run(std::size_t partition, Sink& sink) const {
    dispatch(partition, [&](const auto& p, std::size_t i) { p.run(i, sink); });
  }

 private:
  // Calls fn(producer, local index) for the producer that holds global partition `partition`.
  template <class Fn>
  void dispatch(std::size_t partition, const Fn& fn) const {
    std::apply(
        [&](const auto&... p) {
          bool done = false;
          const auto visit = [&](const auto& one) {
            if (done) return;
            const std::size_t n = one.partitions();
            if (partition < n) {
              fn(one, partition);
              done = true;
            } else {
              partition -= n;
            }
          };
          (visit(p), ...);
        },
        parts_);
  }

  std::tuple<Producers...> parts_;
};

// Distributed form: moves input partition i of `in` (held per the input's own partition
// count) to union partition offset + i (owned per the union's count), through the exchange.
template <class T, class Ctx>
void move_into_union(partition_set<T>&& in, std::size_t offset, partition_set<T>& out, const Ctx& ctx) {
  const std::size_t total = out.partitions();
  std::vector<buckets_of<T>> written(in.partitions());
  ctx.for_each_owned_partition(in.partitions(), [&](std::size_t i) {
    written[i].resize(total);
    written[i][offset + i] = std::move(in.at(i));
  });
  auto read = ctx.template exchange<T>(std::move(written), total);
  ctx.for_each_owned_partition(total, [&](std::size_t j) {
    for (auto& bucket : read[j]) {
      auto& dest = out.at(j);
      if (dest.empty()) {
        dest = std::move(bucket);
      } else {
        dest.insert(dest.end(), std::make_move_iterator(bucket.begin()), std::make_move_iterator(bucket.end()));
      }
    }
  });
}

}  // namespace detail

template <pipeline... Others>
struct union_all_op {
  std::tuple<Others...> inputs;

  static constexpr plan::op_kind kind = plan::op_kind::wide;
  static constexpr std::string_view name = "union_all";

  template <class In>
  static constexpr bool check() {
    using T = std::remove_cvref_t<In>;
    constexpr bool ok = (std::is_same_v<T, element_t<Others>> && ...);
    static_assert(ok, "ln::union_all(other...): every input must have the pipeline's element type");
    return ok;
  }
  template <class In>
  using reference = const std::remove_cvref_t<In>&;

  // The extra inputs, for the lineage walk (core/walk.hpp).
  std::tuple<const Others&...> others() const noexcept {
    return std::apply([](const auto&... in) { return std::tuple<const Others&...>(in...); }, inputs);
  }

  template <pipeline Up, class Ctx>
  auto produce(const Up& up, const Ctx& ctx) const {
    if constexpr (Ctx::single_process) {
      return std::apply(
          [&](const auto&... in) {
            return detail::concatenated_producer<decltype(up.producer(ctx)), decltype(in.producer(ctx))...>(
                up.producer(ctx), in.producer(ctx)...);
          },
          inputs);
    } else {
      using T = element_t<Up>;
      auto sets = std::apply(
          [&](const auto&... in) { return std::make_tuple(detail::compute_partitions(up, ctx), detail::compute_partitions(in, ctx)...); },
          inputs);
      const std::size_t total = std::apply([](const auto&... s) { return (std::size_t{0} + ... + s.partitions()); }, sets);
      detail::partition_set<T> out(total, [&](std::size_t j) { return ctx.owns(j, total); });
      std::size_t offset = 0;
      std::apply(
          [&](auto&... s) {
            const auto move_one = [&](auto& in) {
              const std::size_t moved = in.partitions();
              detail::move_into_union(std::move(in), offset, out, ctx);
              offset += moved;
            };
            (move_one(s), ...);
          },
          sets);
      return detail::make_partitioned_producer(std::move(out));
    }
  }

  // No shuffle: the union starts a stage of its own, listing what it concatenates.
  void explain_into(plan::explain_builder& out, const std::vector<std::string>& plans) const {
    std::string text = "union_all of { previous stage }";
    for (const auto& p : plans) text += " and { " + p + " }";
    out.source(std::move(text));
  }
};

struct union_all_fn {
  template <source_range... Rs>
    requires(sizeof...(Rs) > 0)
  auto operator()(Rs&&... others) const {
    using op = union_all_op<decltype(as_pipeline(std::forward<Rs>(others)))...>;
    return op_closure<op>{{}, {{as_pipeline(std::forward<Rs>(others))...}}};
  }
};
inline constexpr union_all_fn union_all{};

}  // namespace lineage
