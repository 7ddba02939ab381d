// SPDX-License-Identifier: Apache-2.0
#pragma once
// Moving bytes between ranks: the three collective steps of the world backend, on byte
// buffers, with messages of any size.
//
// MPI counts and displacements are int: one MPI message carries less than 2 GiB. Each step
// therefore cuts what one rank sends to another into pieces of at most `limit` bytes (and
// at most INT_MAX / ranks, so that one round's displacements fit an int too) and runs as
// many rounds as the largest piece needs; every rank computes or agrees on the same number
// of rounds. The limit is a parameter so that tests can split tiny messages (world_t's
// message_limit). With one round (the usual case) the buffers go to MPI as they are; with
// more, each round's pieces are packed into a round buffer.
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "session.hpp"

namespace lineage::mpi::detail {

// The most bytes one piece may have: MPI's int counts.
inline constexpr std::size_t max_message_bytes = INT_MAX;

// One buffer holding one message per rank, in rank order.
struct rank_messages {
  std::vector<std::byte> data;
  std::vector<std::size_t> sizes;  // [rank]: bytes of that rank's message

  std::vector<std::size_t> offsets() const {
    std::vector<std::size_t> at(sizes.size() + 1, 0);
    for (std::size_t r = 0; r < sizes.size(); ++r) at[r + 1] = at[r] + sizes[r];
    return at;
  }
  std::span<const std::byte> message(std::size_t rank) const {
    std::size_t at = 0;
    for (std::size_t r = 0; r < rank; ++r) at += sizes[r];
    return {data.data() + at, sizes[rank]};
  }
};

// The bytes one piece of a round carries (limit: a piece's most bytes).
inline std::size_t piece_size(std::size_t message, std::size_t round, std::size_t limit) {
  const std::size_t done = round * limit;
  return message > done ? std::min(limit, message - done) : 0;
}

inline std::size_t rounds_for(std::size_t message, std::size_t limit) { return (message + limit - 1) / limit; }

inline std::size_t piece_limit(std::size_t limit, std::size_t ranks) {
  return std::max<std::size_t>(1, std::min({limit, max_message_bytes, max_message_bytes / std::max<std::size_t>(ranks, 1)}));
}

inline int as_int(std::size_t n) { return static_cast<int>(n); }  // callers keep n <= INT_MAX

// A pointer MPI may take for an empty buffer too.
inline std::byte* buffer_of(std::vector<std::byte>& v) {
  static std::byte none{};
  return v.empty() ? &none : v.data();
}

// All-to-all: out.sizes[to] bytes of out.data go to rank `to`; returns, in rank order, what
// every rank sent to this one. Collective: MPI_Alltoall of the sizes, then MPI_Alltoallv of
// the bytes, in as many rounds as the largest piece needs.
inline rank_messages all_to_all_bytes(MPI_Comm comm, rank_messages out, std::size_t limit) {
  const auto ranks = static_cast<std::size_t>(comm_size(comm));
  limit = piece_limit(limit, ranks);
  std::vector<std::uint64_t> send_sizes(out.sizes.begin(), out.sizes.end());
  std::vector<std::uint64_t> recv_sizes(ranks);
  check(MPI_Alltoall(send_sizes.data(), 1, MPI_UINT64_T, recv_sizes.data(), 1, MPI_UINT64_T, comm), "MPI_Alltoall");

  rank_messages in;
  in.sizes.assign(recv_sizes.begin(), recv_sizes.end());
  const auto in_at = in.offsets();
  const auto out_at = out.offsets();
  in.data.resize(in_at.back());

  std::uint64_t mine = 0;
  for (std::size_t r = 0; r < ranks; ++r) {
    mine = std::max<std::uint64_t>({mine, rounds_for(out.sizes[r], limit), rounds_for(in.sizes[r], limit)});
  }
  std::uint64_t rounds = 0;
  check(MPI_Allreduce(&mine, &rounds, 1, MPI_UINT64_T, MPI_MAX, comm), "MPI_Allreduce");

  std::vector<int> send_counts(ranks), send_displs(ranks), recv_counts(ranks), recv_displs(ranks);
  if (rounds == 1) {  // every message fits one piece, and all of them one int range: as they are
    for (std::size_t r = 0; r < ranks; ++r) {
      send_counts[r] = as_int(out.sizes[r]);
      send_displs[r] = as_int(out_at[r]);
      recv_counts[r] = as_int(in.sizes[r]);
      recv_displs[r] = as_int(in_at[r]);
    }
    check(MPI_Alltoallv(buffer_of(out.data), send_counts.data(), send_displs.data(), MPI_BYTE, buffer_of(in.data),
                        recv_counts.data(), recv_displs.data(), MPI_BYTE, comm),
          "MPI_Alltoallv");
    return in;
  }
  std::vector<std::byte> send_round, recv_round;
  for (std::size_t round = 0; round < rounds; ++round) {
    std::size_t send_total = 0, recv_total = 0;
    for (std::size_t r = 0; r < ranks; ++r) {
      send_counts[r] = as_int(piece_size(out.sizes[r], round, limit));
      send_displs[r] = as_int(send_total);
      send_total += static_cast<std::size_t>(send_counts[r]);
      recv_counts[r] = as_int(piece_size(in.sizes[r], round, limit));
      recv_displs[r] = as_int(recv_total);
      recv_total += static_cast<std::size_t>(recv_counts[r]);
    }
    send_round.resize(send_total);
    recv_round.resize(recv_total);
    for (std::size_t r = 0; r < ranks; ++r) {
      if (send_counts[r] != 0) {
        std::memcpy(send_round.data() + send_displs[r], out.data.data() + out_at[r] + round * limit,
                    static_cast<std::size_t>(send_counts[r]));
      }
    }
    check(MPI_Alltoallv(buffer_of(send_round), send_counts.data(), send_displs.data(), MPI_BYTE,
                        buffer_of(recv_round), recv_counts.data(), recv_displs.data(), MPI_BYTE, comm),
          "MPI_Alltoallv");
    for (std::size_t r = 0; r < ranks; ++r) {
      if (recv_counts[r] != 0) {
        std::memcpy(in.data.data() + in_at[r] + round * limit, recv_round.data() + recv_displs[r],
                    static_cast<std::size_t>(recv_counts[r]));
      }
    }
  }
  return in;
}

// All-gather: every rank's `mine`, on every rank, in rank order. Collective: MPI_Allgather of
// the sizes, then MPI_Allgatherv of the bytes, in as many rounds as the largest piece needs.
inline rank_messages all_gather_bytes(MPI_Comm comm, std::vector<std::byte> mine, std::size_t limit) {
  const auto ranks = static_cast<std::size_t>(comm_size(comm));
  limit = piece_limit(limit, ranks);
  const std::uint64_t my_size = mine.size();
  std::vector<std::uint64_t> sizes(ranks);
  check(MPI_Allgather(&my_size, 1, MPI_UINT64_T, sizes.data(), 1, MPI_UINT64_T, comm), "MPI_Allgather");

  rank_messages all;
  all.sizes.assign(sizes.begin(), sizes.end());
  const auto at = all.offsets();
  all.data.resize(at.back());
  std::size_t rounds = 0;
  for (const std::size_t s : all.sizes) rounds = std::max(rounds, rounds_for(s, limit));  // the same everywhere

  std::vector<int> counts(ranks), displs(ranks);
  if (rounds == 1) {
    for (std::size_t r = 0; r < ranks; ++r) {
      counts[r] = as_int(all.sizes[r]);
      displs[r] = as_int(at[r]);
    }
    check(MPI_Allgatherv(buffer_of(mine), as_int(mine.size()), MPI_BYTE, buffer_of(all.data), counts.data(),
                         displs.data(), MPI_BYTE, comm),
          "MPI_Allgatherv");
    return all;
  }
  std::vector<std::byte> piece, round_data;
  const auto me = static_cast<std::size_t>(comm_rank(comm));
  for (std::size_t round = 0; round < rounds; ++round) {
    std::size_t total = 0;
    for (std::size_t r = 0; r < ranks; ++r) {
      counts[r] = as_int(piece_size(all.sizes[r], round, limit));
      displs[r] = as_int(total);
      total += static_cast<std::size_t>(counts[r]);
    }
    piece.assign(mine.begin() + static_cast<std::ptrdiff_t>(std::min(mine.size(), round * limit)),
                 mine.begin() + static_cast<std::ptrdiff_t>(std::min(mine.size(), round * limit + limit)));
    round_data.resize(total);
    check(MPI_Allgatherv(buffer_of(piece), counts[me], MPI_BYTE, buffer_of(round_data), counts.data(),
                         displs.data(), MPI_BYTE, comm),
          "MPI_Allgatherv");
    for (std::size_t r = 0; r < ranks; ++r) {
      if (counts[r] != 0) {
        std::memcpy(all.data.data() + at[r] + round * limit, round_data.data() + displs[r],
                    static_cast<std::size_t>(counts[r]));
      }
    }
  }
  return all;
}

// Broadcast: rank `root`'s `data` replaces `data` on every rank. Collective: MPI_Bcast of the
// size, then of the bytes in pieces of at most `limit`.
inline void broadcast_bytes(MPI_Comm comm, std::vector<std::byte>& data, int root, std::size_t limit) {
  limit = piece_limit(limit, 1);
  std::uint64_t size = data.size();
  check(MPI_Bcast(&size, 1, MPI_UINT64_T, root, comm), "MPI_Bcast");
  data.resize(static_cast<std::size_t>(size));
  for (std::size_t at = 0; at < data.size(); at += limit) {
    const std::size_t n = std::min(limit, data.size() - at);
    check(MPI_Bcast(data.data() + at, as_int(n), MPI_BYTE, root, comm), "MPI_Bcast");
  }
}

}  // namespace lineage::mpi::detail
