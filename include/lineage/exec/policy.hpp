// SPDX-License-Identifier: Apache-2.0
#pragma once
// Execution policies accepted by every action: ln::seq, ln::par, ln::par(threads).
//
// The set of policies is open: a policy is any type P for which make_backend(P) (found by
// argument-dependent lookup, so in P's namespace) returns an execution backend (see
// exec/backend.hpp). <lineage/mpi.hpp> adds ln::mpi::world that way, without touching this file.
#include <cstddef>
#include <thread>
#include <type_traits>
#include <utility>

#include "backend.hpp"
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

inline seq_backend make_backend(seq_t) { return {}; }
// ln::par(n) runs on the one shared pool, at most min(n, max_par_threads()) tasks at once.
inline par_backend make_backend(par_t p) {
  std::size_t n = p.threads != 0 ? p.threads : std::thread::hardware_concurrency();
  return par_backend(shared_thread_pool(), n == 0 ? 1 : n);
}

template <class P>
concept execution_policy = requires(const P& p) {
  { make_backend(p) } -> execution_backend;
};

// The backend a policy runs on.
template <execution_policy P>
using backend_t = decltype(make_backend(std::declval<const P&>()));

}  // namespace lineage
