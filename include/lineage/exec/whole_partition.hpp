// SPDX-License-Identifier: Apache-2.0
#pragma once
// The partition-at-a-time mechanism, shared by the operators and actions that see a partition
// as a whole or need its index (map_partitions, foreach_partition, coalesce, zip_with_index,
// sample, random_split, take_sample, save_as_text_file):
//   collect_partition<T>(producer, i)   runs partition i's fused kernel into one vector;
//   partition_counts(producer, ctx)     every partition's element count, on every process
//                                       (a counting pass unless the sizes are known);
//   direct_action<Action, Backend>      the closure of an action that runs the plan itself,
//                                       partition by partition: Action::run(pipeline, backend).
// A partition-wise narrow operator (core/op_traits.hpp: partition_wise) wraps its upstream's
// producer; the producers it returns follow the protocol of core/pipeline.hpp.
#include <cstddef>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/pipeline.hpp"
#include "../core/sink.hpp"
#include "collect.hpp"
#include "policy.hpp"

namespace lineage::detail {

template <class T, class Producer>
std::vector<T> collect_partition(const Producer& producer, std::size_t partition) {
  collect_sink<T> sink;
  if (const auto hint = producer.size_hint(partition)) sink.out.reserve(*hint);
  producer.run(partition, sink);
  return std::move(sink.out);
}

struct counting_sink {
  std::size_t n = 0;
  static constexpr bool can_stop = false;
  template <class X>
  void operator()(X&&) {
    ++n;
  }
};

// Element counts of every partition, in order, known to every process. Sizes the producer
// knows cost nothing; the others are counted by running the partition (as Spark's zipWithIndex
// runs a job). A distributed backend gathers them (a producer knows only its own partitions).
template <class Producer, class Ctx>
std::vector<std::size_t> partition_counts(const Producer& producer, const Ctx& ctx) {
  const std::size_t n = producer.partitions();
  std::vector<std::optional<std::size_t>> counts(n);
  ctx.for_each_owned_partition(n, [&](std::size_t i) {
    if (const auto hint = producer.size_hint(i)) {
      counts[i] = *hint;
    } else {
      counting_sink sink;
      producer.run(i, sink);
      counts[i] = sink.n;
    }
  });
  if constexpr (!Ctx::single_process) counts = ctx.gather_ordered(std::move(counts), [] { return std::size_t{0}; });
  std::vector<std::size_t> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = counts[i].value_or(0);
  return out;
}

// The producer of a partition-wise operator whose per-element work only needs the partition's
// index (sample, random_split): op.template sink<In>(down, partition) wraps each partition's
// sink, so the operator is fused like any narrow one.
template <class UpProducer, class In, class Op>
class indexed_sink_producer {
 public:
  indexed_sink_producer(UpProducer up, const Op& op) : up_(std::move(up)), op_(&op) {}
  std::size_t partitions() const { return up_.partitions(); }
  std::optional<std::size_t> size_hint(std::size_t) const { return std::nullopt; }
  template <class Sink>
  void run(std::size_t partition, Sink& sink) const {
    auto fused = op_->template sink<In>(sink, partition);
    up_.run(partition, fused);
  }

 private:
  UpProducer up_;
  const Op* op_;  // lives in the pipeline, which outlives its producers
};

// The closure of an action that runs the plan itself (it needs partition indices or whole
// partitions, which the accumulator protocol of exec/execute.hpp hides).
template <class Action, execution_backend Backend>
struct direct_action : closure_tag {
  Action action;
  Backend context;
  template <pipeline P>
  auto apply(const P& p) const {
    if constexpr (requires { Action::template accepts<reference_t<P>>(); }) {
      if constexpr (!Action::template accepts<reference_t<P>>()) return invalid_pipeline{};  // said why
      else return action.run(p, context);
    } else {
      return action.run(p, context);
    }
  }
};

template <class Action, execution_policy Policy>
direct_action<Action, backend_t<Policy>> make_direct_action(Action action, Policy policy) {
  return {{}, std::move(action), make_backend(policy)};
}

}  // namespace lineage::detail
