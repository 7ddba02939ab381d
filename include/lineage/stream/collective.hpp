// SPDX-License-Identifier: Apache-2.0
#pragma once
// How a query runs under a backend of several processes (ln::mpi::world; README "Streams on
// MPI"): every process runs query.run with the same stream (SPMD). The leader alone touches
// the stream directory (its lock, signature, offsets and commits, log-start, the purges) and
// alone decides what the next batch reads and when the run stops; every process learns its
// decisions through the backend and computes each batch together with the others: its share
// of the batch's partitions, the shuffles, the state partitions it owns, its part of a
// write_batches checkpoint. Under ln::seq and ln::par the helpers below are plain calls.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../checkpoint_steps.hpp"
#include "../checkpointed.hpp"
#include "../core/partitioned.hpp"
#include "../exec/shared_failure.hpp"
#include "../storage/error.hpp"
#include "../storage/format.hpp"

namespace lineage::stream_detail {

// The partition count of a stream's state (and of each batch under several processes) when a
// run starts afresh: one per thread of every process.
template <class Ctx>
std::size_t state_partition_count(const Ctx& ctx) {
  const std::size_t n = ctx.processes() * ctx.threads();
  return n == 0 ? 1 : n;
}

// A stateful operator's output dataset from one vector per partition (empty for partitions
// another process owns): this process holds the partitions it owns.
template <class T, class Ctx>
checkpointed<T> owned_dataset(std::vector<std::vector<T>> parts, std::string partitioner, const Ctx& ctx) {
  const std::size_t n = parts.size();
  lineage::detail::partition_set<T> owned(n, [&](std::size_t i) { return ctx.owns(i, n); });
  for (std::size_t i = 0; i < n; ++i) {
    if (owned.holds(i)) owned.at(i) = std::move(parts[i]);
  }
  typename checkpointed<T>::origin origin;
  origin.partitioner = std::move(partitioner);
  return checkpointed<T>(std::move(owned), std::move(origin));
}

template <class R>
using decided_t = std::conditional_t<std::is_void_v<R>, bool, R>;

// What the leader decided, as it travels: the value, or the leader's failure.
template <class V>
struct leader_outcome {
  std::optional<V> value;
  std::optional<detail::shared_failure> failure;

  template <class Archive>
  void serialize(Archive& ar) {
    ar(value, failure);
  }
};

// f() run by the leader alone and its result returned on every process; what the leader's f
// throws is thrown on every process (the original on the leader). f returns something the
// backend can send (numbers, strings, vectors of them) or nothing.
template <class Ctx, class F>
decided_t<std::invoke_result_t<F&>> leader_decides(const Ctx& ctx, F&& f) {
  using R = std::invoke_result_t<F&>;
  if constexpr (Ctx::single_process) {
    if constexpr (std::is_void_v<R>) {
      f();
      return true;
    } else {
      return f();
    }
  } else {
    leader_outcome<decided_t<R>> outcome;
    std::optional<detail::local_failure> here;
    if (ctx.leader()) {
      try {
        if constexpr (std::is_void_v<R>) {
          f();
          outcome.value = true;
        } else {
          outcome.value.emplace(f());
        }
      } catch (...) {
        here = detail::local_failure::current();
        outcome.failure = here->shared;
      }
    }
    outcome = ctx.agree(std::move(outcome));
    if (outcome.failure) detail::rethrow_agreed(*outcome.failure, here);
    return std::move(*outcome.value);
  }
}

// Runs f() on every process and returns once it returned on all of them; if it threw on any,
// it throws on every process (the original where it happened). A barrier: what the leader
// does next (a batch's commit record) comes after every process's part of the output.
template <class Ctx, class F>
void on_every_process(const Ctx& ctx, F&& f) {
  if constexpr (Ctx::single_process) {
    f();
  } else {
    // Partition r of processes() belongs to process r: f runs once on each.
    auto [all, here] = detail::run_and_gather<bool>(ctx.processes(), ctx, [&](std::size_t) {
      f();
      return true;
    });
    detail::rethrow_first_failure(all, here);
  }
}

// An offset as bytes (its offsets-log encoding, offset_codec.hpp), to travel from the leader.
template <class Offset>
std::vector<std::byte> offset_bytes(const Offset& offset) {
  storage::format::byte_writer w;
  offset.encode(w);
  return std::move(w.data());
}

template <class Offset>
Offset offset_from_bytes(const std::vector<std::byte>& bytes) {
  storage::format::byte_reader r{std::span<const std::byte>(bytes)};
  auto offset = Offset::decode(r);
  if (!offset || r.remaining() != 0) throw std::logic_error("ln::stream: an offset from the leader does not decode");
  return std::move(*offset);
}

// The offset the leader's f returns (or nullopt), on every process.
template <class Offset, class Ctx, class F>
std::optional<Offset> leader_offset(const Ctx& ctx, F&& f) {
  if constexpr (Ctx::single_process) {
    return f();
  } else {
    auto bytes = leader_decides(ctx, [&]() -> std::optional<std::vector<std::byte>> {
      const std::optional<Offset> o = f();
      if (!o) return std::nullopt;
      return offset_bytes(*o);
    });
    if (!bytes) return std::nullopt;
    return offset_from_bytes<Offset>(*bytes);
  }
}

}  // namespace lineage::stream_detail
