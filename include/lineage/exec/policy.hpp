#pragma once
// Execution policies accepted by every action: ln::seq, ln::par, ln::par(threads).
#include <cstddef>
#include <thread>
#include <type_traits>

#include "thread_pool.hpp"

namespace lineage {

struct seq_t {};
inline constexpr seq_t seq{};

struct par_t {
  std::size_t threads = 0;  // 0: one per hardware thread
  constexpr par_t operator()(std::size_t n) const { return par_t{n}; }
};
inline constexpr par_t par{};

template <class T>
concept execution_policy = std::is_same_v<T, seq_t> || std::is_same_v<T, par_t>;

// What a plan needs to know at run time about how its partitions execute.
struct exec_context {
  thread_pool* pool = nullptr;  // null: run partitions one after another on the caller

  std::size_t threads() const noexcept { return pool ? pool->size() : 1; }
  bool parallel() const noexcept { return threads() > 1; }

  // Runs task(i) for every partition i < n: in order on the caller, or on the pool.
  template <class Task>
  void for_each_partition(std::size_t n, Task&& task) const {
    if (parallel() && n > 1) {
      pool->run(n, std::forward<Task>(task));
    } else {
      for (std::size_t i = 0; i < n; ++i) task(i);
    }
  }
};

inline exec_context make_context(seq_t) { return {}; }
inline exec_context make_context(par_t p) {
  std::size_t n = p.threads != 0 ? p.threads : std::thread::hardware_concurrency();
  return exec_context{&shared_thread_pool(n == 0 ? 1 : n)};
}

}  // namespace lineage
