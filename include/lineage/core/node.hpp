#pragma once
// node<Op, Up>: the operator Op applied to the pipeline Up. One generic node for every operator;
// what differs per operator lives in Op (its kind, name, element type and kernel piece).
//
// An operator type Op provides
//   static constexpr plan::op_kind kind;  static constexpr std::string_view name;
//   template <class In> static constexpr bool check();   // static_asserts with a clear message
//   template <class In> using reference = ...;           // what it pushes, given what it receives
// and, if narrow:  template <class In, class Down> auto sink(Down& down) const;
//     if wide or a marker: template <class Up, class Ctx> auto produce(const Up&, const Ctx&) const;
// (Ctx: the execution backend the plan runs on, exec/backend.hpp.)
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "../plan/explain_builder.hpp"
#include "../plan/op_kind.hpp"
#include "interop.hpp"
#include "pipeline.hpp"

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
    if constexpr (requires { Op::one_to_one; }) {
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

template <class Op>
constexpr std::size_t extra_stages_of() {
  if constexpr (requires { Op::extra_stages; }) {
    return Op::extra_stages;
  } else {
    return 0;
  }
}
template <class Op>
inline constexpr std::size_t extra_stages = extra_stages_of<Op>();

}  // namespace detail

template <class Op, pipeline Up>
class node : public pipeline_interface<node<Op, Up>> {
 public:
  using reference = typename Op::template reference<reference_t<Up>>;
  static constexpr bool is_narrow = Op::kind == plan::op_kind::narrow;
  static constexpr bool is_wide = Op::kind == plan::op_kind::wide;
  static constexpr std::size_t depth = Up::depth + (Op::kind == plan::op_kind::marker ? 0 : 1);
  // A wide operator with a second input (join) also runs that input's stages.
  static constexpr std::size_t stages = Up::stages + (is_wide ? 1 + detail::extra_stages<Op> : 0);

  node(Up up, Op op) : up_(std::move(up)), op_(std::move(op)) {}

  template <class Ctx>
  auto producer(const Ctx& ctx) const {
    if constexpr (is_narrow) {
      return detail::narrow_producer<decltype(up_.producer(ctx)), Op, reference_t<Up>>(up_.producer(ctx), op_);
    } else {
      return op_.produce(up_, ctx);
    }
  }

  void explain_into(plan::explain_builder& out) const {
    up_.explain_into(out);
    if constexpr (requires { op_.explain_into(out); }) {
      op_.explain_into(out);
    } else if constexpr (is_wide) {
      out.shuffle(std::string(Op::name));
    } else {
      out.fuse(std::string(Op::name));
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
