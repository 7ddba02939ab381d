// SPDX-License-Identifier: Apache-2.0
#pragma once
// node<Op, Up>: the operator Op applied to the pipeline Up. One generic node for every operator;
// what differs per operator lives in Op (its kind, name, element type and kernel piece).
//
// The operator protocol (what Op must provide, and its optional traits with their defaults) is
// documented in one place: core/op_traits.hpp (producers and produce() take the
// execution backend the plan runs on, exec/backend.hpp). Questions about a whole lineage (explain, the
// plan, stage counts, the signature, ...) are visitors of the one lineage walk: core/walk.hpp.
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "../plan/explain_builder.hpp"
#include "../plan/op_kind.hpp"
#include "interop.hpp"
#include "op_traits.hpp"
#include "pipeline.hpp"
#include "walk.hpp"

namespace lineage {

namespace detail {

// The runtime form of a narrow operator: wraps each partition's sink with the operator's piece
// of kernel, so that a chain of narrow operators becomes one loop over the source.
template <class UpProducer, class Op, class In>
class narrow_producer {
 public:
  narrow_producer(UpProducer up, const Op& op) : up_(std::move(up)), op_(&op) {}
  std::size_t partitions() const { return up_.partitions(); }
  // How many elements partition `partition` yields, if known: a one-to-one operator keeps it.
  std::optional<std::size_t> size_hint(std::size_t partition) const {
    if constexpr (op_traits<Op>::one_to_one) {
      return up_.size_hint(partition);
    } else {
      return std::nullopt;
    }
  }
  template <class Sink>
  void run(std::size_t partition, Sink& sink) const {
    auto fused = op_->template sink<In>(sink);
    up_.run(partition, fused);
  }

 private:
  UpProducer up_;
  const Op* op_;
};

}  // namespace detail

template <class Op, pipeline Up>
class node : public pipeline_interface<node<Op, Up>> {
 public:
  using reference = typename Op::template reference<reference_t<Up>>;
  static constexpr bool is_narrow = Op::kind == plan::op_kind::narrow;
  static constexpr bool is_wide = Op::kind == plan::op_kind::wide;
  static constexpr std::size_t depth = Up::depth + (Op::kind == plan::op_kind::marker ? 0 : 1);
  // Counted by the lineage walk: a wide operator adds one, an extra input (a join's right
  // side) adds its own stages.
  static constexpr std::size_t stages = visit_lineage<node>(lineage_visitor{});

  node(Up up, Op op) : up_(std::move(up)), op_(std::move(op)) {}

  template <class Ctx>
  auto producer(const Ctx& ctx) const {
    if constexpr (is_narrow && op_traits<Op>::partition_wise) {
      return op_.template partition_producer<reference_t<Up>>(up_.producer(ctx), ctx);
    } else if constexpr (is_narrow) {
      return detail::narrow_producer<decltype(up_.producer(ctx)), Op, reference_t<Up>>(up_.producer(ctx), op_);
    } else {
      return op_.produce(up_, ctx);
    }
  }

  // Operators with a memo (persist) expose it on the pipeline.
  void unpersist() const
    requires requires(const Op& o) { o.unpersist(); }
  {
    op_.unpersist();
  }

  const Up& upstream() const noexcept { return up_; }
  const Op& op() const noexcept { return op_; }

 private:
  Up up_;
  Op op_;
};

// Applies Op to Up after Op has checked (with a readable static_assert) that it accepts Up's
// elements.
template <class Op, pipeline Up>
auto make_node(Up&& up, Op op) {
  using U = std::remove_cvref_t<Up>;
  if constexpr (Op::template check<reference_t<U>>()) {
    return node<Op, U>(std::forward<Up>(up), std::move(op));
  } else {
    return invalid_pipeline{};
  }
}

}  // namespace lineage
