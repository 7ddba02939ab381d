// The byte transport of the world backend (mpi/transport.hpp): messages of every size, split
// into pieces of a small limit, arrive whole and in order, for all-to-all, all-gather and
// broadcast. Every byte's value depends on (sender, receiver, position), so a piece in the
// wrong place or a lost round shows.
#include <lineage/mpi.hpp>

#include <catch2/catch.hpp>

#include <cstddef>
#include <vector>

namespace {

namespace mpid = lineage::mpi::detail;

std::byte expected_byte(std::size_t from, std::size_t to, std::size_t k) {
  return static_cast<std::byte>((from * 31 + to * 17 + k * 7 + k / 251) & 0xff);
}

// Sizes that differ per pair, with empty messages and one large one.
std::size_t message_size(std::size_t from, std::size_t to, std::size_t variant) {
  if (variant == 0) return 0;
  if (variant == 1) return (from * 7 + to * 3) % 11;
  return from == to ? 0 : (from + 1) * 70'001 + to * 13;
}

}  // namespace

TEST_CASE("transport: piece arithmetic", "[mpi]") {
  CHECK(mpid::rounds_for(0, 5) == 0);
  CHECK(mpid::rounds_for(5, 5) == 1);
  CHECK(mpid::rounds_for(6, 5) == 2);
  CHECK(mpid::piece_size(12, 0, 5) == 5);
  CHECK(mpid::piece_size(12, 2, 5) == 2);
  CHECK(mpid::piece_size(12, 3, 5) == 0);
  // One round's displacements must fit an int: a piece is at most INT_MAX / ranks.
  CHECK(mpid::piece_limit(mpid::max_message_bytes, 4) == mpid::max_message_bytes / 4);
  CHECK(mpid::piece_limit(std::size_t{1} << 40, 1) == mpid::max_message_bytes);
  CHECK(mpid::piece_limit(0, 3) == 1);
}

TEST_CASE("transport: all-to-all, all-gather and broadcast of any size, in pieces", "[mpi]") {
  const MPI_Comm comm = MPI_COMM_WORLD;
  const auto me = static_cast<std::size_t>(mpid::comm_rank(comm));
  const auto ranks = static_cast<std::size_t>(mpid::comm_size(comm));
  for (const std::size_t limit : {std::size_t{1}, std::size_t{3}, std::size_t{4096}, mpid::max_message_bytes}) {
    for (const std::size_t variant : {0, 1, 2}) {
      if (variant == 2 && limit < 4096) continue;  // ~1000s of rounds: covered by the small variant
      INFO("limit " << limit << ", variant " << variant << ", rank " << me);
      mpid::rank_messages out;
      for (std::size_t to = 0; to < ranks; ++to) {
        const std::size_t n = message_size(me, to, variant);
        for (std::size_t k = 0; k < n; ++k) out.data.push_back(expected_byte(me, to, k));
        out.sizes.push_back(n);
      }
      const auto in = mpid::all_to_all_bytes(comm, out, limit);
      CHECK(in.sizes.size() == ranks);
      bool same = true;
      for (std::size_t from = 0; from < ranks; ++from) {
        const auto m = in.message(from);
        same = same && m.size() == message_size(from, me, variant);
        for (std::size_t k = 0; same && k < m.size(); ++k) same = m[k] == expected_byte(from, me, k);
      }
      CHECK(same);

      std::vector<std::byte> mine;
      for (std::size_t k = 0; k < message_size(me, 0, variant) + me; ++k) mine.push_back(expected_byte(me, 0, k));
      const auto all = mpid::all_gather_bytes(comm, mine, limit);
      bool gathered = all.sizes.size() == ranks;
      for (std::size_t from = 0; gathered && from < ranks; ++from) {
        const auto m = all.message(from);
        gathered = m.size() == message_size(from, 0, variant) + from;
        for (std::size_t k = 0; gathered && k < m.size(); ++k) gathered = m[k] == expected_byte(from, 0, k);
      }
      CHECK(gathered);

      std::vector<std::byte> shared(me == 0 ? message_size(0, 1, variant) + 5 : me);  // only rank 0's counts
      for (std::size_t k = 0; me == 0 && k < shared.size(); ++k) shared[k] = expected_byte(0, 9, k);
      mpid::broadcast_bytes(comm, shared, 0, limit);
      bool broadcast = shared.size() == message_size(0, 1, variant) + 5;
      for (std::size_t k = 0; broadcast && k < shared.size(); ++k) broadcast = shared[k] == expected_byte(0, 9, k);
      CHECK(broadcast);
    }
  }
}
