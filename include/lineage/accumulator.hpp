// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::accumulator<T> (Spark's accumulators): a value that user functions add to, safely under
// ln::par, read after the action (`.value()`). Copies share the one value (a handle, as a Spark
// accumulator captured in a closure), so capturing it by value or by reference both work.
//   ln::accumulator<long> bad_lines;
//   lines | ln::filter([=](auto& l) { if (l.empty()) bad_lines += 1; return !l.empty(); }) | ...
// Adds go through a std::atomic for arithmetic T with the default op (std::plus<>), else
// through a mutex; `op` must be associative and commutative (threads add in any order).
// As in Spark, adds made in a transformation happen again if the lineage is recomputed (each
// action reruns it; persist or checkpoint to run it once), and are exact only in actions.
// On a distributed backend each process has its own: value() is what this process added.
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>

namespace lineage {

template <class T, class Op = std::plus<>>
class accumulator {
  static constexpr bool lock_free_add =
      std::is_same_v<Op, std::plus<>> && std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;

 public:
  explicit accumulator(T zero = T{}, Op op = Op{}) : state_(std::make_shared<state>(std::move(zero), std::move(op))) {}

  // Adds x (callable from several threads at once).
  void add(const T& x) const {
    if constexpr (lock_free_add) {
      state_->atomic_value.fetch_add(x, std::memory_order_relaxed);
    } else {
      const std::lock_guard lock(state_->mutex);
      state_->value = std::invoke(state_->op, std::move(state_->value), x);
    }
  }
  const accumulator& operator+=(const T& x) const {
    add(x);
    return *this;
  }

  // The value: read it after the action (reads during one see a partial sum).
  T value() const {
    if constexpr (lock_free_add) {
      return state_->atomic_value.load(std::memory_order_acquire);
    } else {
      const std::lock_guard lock(state_->mutex);
      return state_->value;
    }
  }
  // Sets the value back to `zero`.
  void reset(T zero = T{}) const {
    if constexpr (lock_free_add) {
      state_->atomic_value.store(zero, std::memory_order_release);
    } else {
      const std::lock_guard lock(state_->mutex);
      state_->value = std::move(zero);
    }
  }

 private:
  struct atomic_state {
    atomic_state(T zero, Op combine) : atomic_value(zero), op(std::move(combine)) {}
    std::atomic<T> atomic_value;
    [[no_unique_address]] Op op;
  };
  struct locked_state {
    locked_state(T zero, Op combine) : value(std::move(zero)), op(std::move(combine)) {}
    std::mutex mutex;
    T value;
    Op op;
  };
  using state = std::conditional_t<lock_free_add, atomic_state, locked_state>;
  std::shared_ptr<state> state_;
};

}  // namespace lineage
