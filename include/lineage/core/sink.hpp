// SPDX-License-Identifier: Apache-2.0
#pragma once
// Push-based kernel protocol.
//
// A stage runs as one loop over its source that pushes each element into a chain of sinks, one
// per fused narrow operator, ending in the action's accumulator. A sink is any object with
//   template <class X> void operator()(X&& x);   // consume one element
//   static constexpr bool can_stop;               // may it ask the producer to stop early?
//   bool stopped() const;                          // (only read when can_stop) enough seen?
// Narrow sinks forward can_stop/stopped() to the next sink, so a chain that ends in `sum`
// compiles the stop checks away while one ending in `take(n)` stops the source loop early.
#include <iterator>
#include <type_traits>
#include <utility>
#include <vector>

namespace lineage::detail {

template <class Sink>
constexpr bool sink_stopped(const Sink& sink) {
  if constexpr (Sink::can_stop) {
    return sink.stopped();
  } else {
    return false;
  }
}

// The one loop every source uses to push a run of elements.
template <class It, class End, class Sink>
void push_all(It first, End last, Sink& sink) {
  for (; first != last; ++first) {
    sink(*first);
    if constexpr (Sink::can_stop) {
      if (sink.stopped()) return;
    }
  }
}

// Pushes a partition that a source holds as a vector of its own (decoded from disk, or released
// by its only owner): a sink that takes whole blocks (the collect accumulator's take_block)
// gets the vector itself, with one move and no copy; any other sink gets the elements, moved,
// one by one.
template <class T, class Sink>
void push_block(std::vector<T>&& block, Sink& sink) {
  if constexpr (requires { sink.take_block(std::move(block)); }) {
    sink.take_block(std::move(block));
  } else if constexpr (std::is_same_v<T, bool>) {  // std::vector<bool>: proxies, not bool&
    for (const bool x : block) {
      bool value = x;
      sink(std::move(value));
      if (sink_stopped(sink)) return;
    }
  } else {
    push_all(std::make_move_iterator(block.begin()), std::make_move_iterator(block.end()), sink);
  }
}

// Base for the sink of a narrow operator: holds the next sink and forwards the stop protocol.
template <class Down>
struct forwarding_sink {
  Down& down;
  static constexpr bool can_stop = Down::can_stop;
  bool stopped() const { return sink_stopped(down); }
};

}  // namespace lineage::detail
