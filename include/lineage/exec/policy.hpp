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
  // 0: one per hardware thread. Sources split into up to this many partitions; at most
  // min(threads, max_par_threads()) run at once, on the one shared pool (exec/thread_pool.hpp).
  std::size_t threads = 0;
  constexpr par_t operator()(std::size_t n) const { return par_t{n}; }
};
inline constexpr par_t par{};

template <class T>
concept execution_policy = std::is_same_v<T, seq_t> || std::is_same_v<T, par_t>;

// What a plan needs to know at run time about how its partitions execute.
struct exec_context {
  thread_pool* pool = nullptr;  // null: run partitions one after another on the caller
  std::size_t width = 0;        // the n of ln::par(n); 0: pool->size()

  // The parallelism asked for: sources split into at most this many partitions. Tasks run at
  // most min(threads(), pool->size()) at once (exec/thread_pool.hpp: the pool's size is capped).
  std::size_t threads() const noexcept { return pool ? (width != 0 ? width : pool->size()) : 1; }
  bool parallel() const noexcept { return threads() > 1; }

  // Runs task(i) for every partition i < n: in order on the caller, or on the pool.
  template <class Task>
  void for_each_partition(std::size_t n, Task&& task) const {
    if (parallel() && n > 1) {
      pool->run(n, std::forward<Task>(task), threads());
    } else {
      for (std::size_t i = 0; i < n; ++i) task(i);
    }
  }
};

inline exec_context make_context(seq_t) { return {}; }
// ln::par(n) runs on the one shared pool, at most min(n, max_par_threads()) tasks at once.
inline exec_context make_context(par_t p) {
  std::size_t n = p.threads != 0 ? p.threads : std::thread::hardware_concurrency();
  return exec_context{&shared_thread_pool(), n == 0 ? 1 : n};
}

}  // namespace lineage
