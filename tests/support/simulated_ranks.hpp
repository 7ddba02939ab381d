#pragma once
// A test execution backend that runs a plan as R processes would (the SPMD model of
// <lineage/mpi.hpp>, DESIGN.md §8), inside one test process, so that bugs that only a
// distributed backend would show come out in plain CTest without mpiexec. Not installed.
//
// Design, and what it does and does not test:
// - R "ranks" are R threads. Each builds nothing: they share the one pipeline value (as SPMD
//   ranks each build the same one; pipelines are immutable, sources are the same data on every
//   rank) and each calls the same action with its own policy, ranks_policy{world, rank}.
// - Rank r owns partition i of every stage iff i % R == r, and runs only those, one after the
//   other on its thread (ln::mpi::world with one thread per rank). A plain range source is one
//   partition, so it lives on rank 0, as under MPI.
// - Everything a rank computes stays in that rank's memory: wide operators' outputs, action
//   accumulators. The only way data crosses ranks is the backend's collectives, exchange,
//   gather_ordered and agree, and they go through bytes: cereal, with the library's own
//   archives (storage/archive.hpp), into a per-(sender, receiver) mailbox, with a barrier
//   between sending and receiving. So a code path that reads a partition it does not own, or
//   merges partials locally instead of through gather_ordered, or assumes all partitions are
//   in one process, gives a wrong result (or a deserialization error) here.
// - What it cannot see: real MPI's behaviour (message sizes, MPI datatypes, progress), and
//   sharing of data that sources hold (every rank reads the same source memory, which an MPI
//   rank would have its own copy of: harmless, since sources are read-only).
// - If a rank throws, it leaves the barrier (arrive_and_drop), so the others never hang; the
//   exception is rethrown to the test from run_on_ranks.
#include <lineage/lineage.hpp>
#include <lineage/storage/archive.hpp>
#include <lineage/storage/file_system.hpp>

#include <barrier>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace lineage_test {

namespace ln = lineage;

// ---- bytes ------------------------------------------------------------------------------------
class string_file final : public ln::storage::writable_file {
 public:
  explicit string_file(std::string& out) : out_(&out) {}
  std::size_t write_some(const std::byte* data, std::size_t size) override {
    out_->append(reinterpret_cast<const char*>(data), size);
    return size;
  }
  void sync() override {}
  void close() override {}

 private:
  std::string* out_;
};

template <class V>
std::string to_bytes(const V& value) {
  std::string out;
  string_file file(out);
  {
    ln::storage::hashing_output_archive archive(&file);
    archive(value);
    archive.flush();
  }
  return out;
}

template <class V>
void from_bytes(const std::string& bytes, V& value) {
  ln::storage::bounded_input_archive archive(reinterpret_cast<const std::byte*>(bytes.data()), bytes.size());
  archive(value);
  if (archive.remaining() != 0) throw std::runtime_error("simulated ranks: trailing bytes in a message");
}

// ---- the world the ranks share --------------------------------------------------------------
class rank_world {
 public:
  explicit rank_world(std::size_t ranks) : size_(ranks), sync_(static_cast<std::ptrdiff_t>(ranks)), mail_(ranks * ranks) {}

  std::size_t size() const noexcept { return size_; }

  // One collective step: every rank posts one message to every rank (an empty string when it
  // has nothing), all wait, each reads the messages sent to it (one per sender, in rank
  // order), all wait again so that the mailbox can be reused by the next step.
  std::vector<std::string> all_to_all(std::size_t rank, std::vector<std::string>&& outgoing) {
    for (std::size_t to = 0; to < size_; ++to) mail_[rank * size_ + to] = std::move(outgoing[to]);
    sync_.arrive_and_wait();
    std::vector<std::string> incoming(size_);
    for (std::size_t from = 0; from < size_; ++from) incoming[from] = std::move(mail_[from * size_ + rank]);
    {
      std::lock_guard lock(stats_mutex_);
      ++steps_;
      for (const auto& m : incoming) bytes_ += m.size();
    }
    sync_.arrive_and_wait();
    return incoming;
  }

  void leave() { sync_.arrive_and_drop(); }

  // Messages delivered so far, for tests that check data really went through bytes.
  std::size_t bytes_moved() const {
    std::lock_guard lock(stats_mutex_);
    return bytes_;
  }
  std::size_t steps() const {
    std::lock_guard lock(stats_mutex_);
    return steps_;
  }

 private:
  std::size_t size_;
  std::barrier<> sync_;
  std::vector<std::string> mail_;  // [from * size + to]
  mutable std::mutex stats_mutex_;
  std::size_t bytes_ = 0;
  std::size_t steps_ = 0;
};

// ---- the backend -------------------------------------------------------------------------------
class ranks_backend {
 public:
  static constexpr bool merges_partials = true;
  static constexpr bool single_process = false;

  ranks_backend(rank_world& world, std::size_t rank) : world_(&world), rank_(rank) {}

  std::size_t threads() const noexcept { return 1; }
  bool parallel() const noexcept { return false; }
  std::size_t processes() const noexcept { return world_->size(); }
  bool owns(std::size_t partition, std::size_t) const noexcept { return partition % world_->size() == rank_; }
  bool leader() const noexcept { return rank_ == 0; }

  template <class Task>
  void for_each_owned_partition(std::size_t n, Task&& task) const {
    for (std::size_t i = rank_; i < n; i += world_->size()) task(i);
  }
  template <class Task>
  void parallel_for(std::size_t n, Task&& task) const {
    for (std::size_t i = 0; i < n; ++i) task(i);
  }

  // Each rank sends, to each rank, the buckets its owned upstream partitions wrote for the
  // downstream partitions that rank owns, as (upstream, downstream, bucket) records.
  template <class T>
  std::vector<ln::detail::shuffle_input<T>> exchange(std::vector<ln::detail::buckets_of<T>>&& written,
                                                     std::size_t downstream) const {
    const std::size_t upstream = written.size();
    const std::size_t ranks = world_->size();
    std::vector<std::string> outgoing(ranks);
    for (std::size_t to = 0; to < ranks; ++to) {
      std::vector<std::pair<std::pair<std::size_t, std::size_t>, std::vector<T>>> records;
      for (std::size_t i = rank_; i < upstream; i += ranks) {
        if (written[i].size() != downstream) throw std::logic_error("ranks_backend: a partition wrote no buckets");
        for (std::size_t j = to; j < downstream; j += ranks) records.push_back({{i, j}, std::move(written[i][j])});
      }
      outgoing[to] = to_bytes(records);
    }
    written.clear();  // nothing written here may be read again, except through the bytes
    auto incoming = world_->all_to_all(rank_, std::move(outgoing));
    std::vector<ln::detail::shuffle_input<T>> read(downstream);
    for (std::size_t j = rank_; j < downstream; j += ranks) read[j].resize(upstream);
    for (const auto& bytes : incoming) {
      std::vector<std::pair<std::pair<std::size_t, std::size_t>, std::vector<T>>> records;
      from_bytes(bytes, records);
      for (auto& [at, bucket] : records) read.at(at.second).at(at.first) = std::move(bucket);
    }
    return read;
  }

  // Each rank sends its partials, as (partition, bytes) records, to every rank; each rebuilds
  // every partial from make_empty() and the bytes.
  template <class P, class Make>
  std::vector<std::optional<P>> gather_ordered(std::vector<std::optional<P>>&& partials, const Make& make_empty) const {
    const std::size_t n = partials.size();
    std::vector<std::pair<std::size_t, std::string>> mine;
    for (std::size_t i = 0; i < n; ++i) {
      if (!partials[i]) continue;
      if (!owns(i, n)) throw std::logic_error("ranks_backend: a partial for a partition owned by another rank");
      mine.emplace_back(i, to_bytes(*partials[i]));
    }
    const std::string message = to_bytes(mine);
    auto incoming = world_->all_to_all(rank_, std::vector<std::string>(world_->size(), message));
    std::vector<std::optional<P>> all(n);
    for (const auto& bytes : incoming) {
      std::vector<std::pair<std::size_t, std::string>> records;
      from_bytes(bytes, records);
      for (auto& [i, partial] : records) {
        auto& slot = all.at(i);
        slot.emplace(make_empty());
        from_bytes(partial, *slot);
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      if (!all[i]) throw std::logic_error("ranks_backend: partition " + std::to_string(i) + " has no partial");
    }
    return all;
  }

  // Rank 0 decides; every rank returns rank 0's value, through bytes.
  template <class V>
  V agree(V value) const {
    std::vector<std::string> outgoing(world_->size());
    if (rank_ == 0) outgoing.assign(world_->size(), to_bytes(value));
    auto incoming = world_->all_to_all(rank_, std::move(outgoing));
    V decided{};
    from_bytes(incoming[0], decided);
    return decided;
  }

  std::size_t rank() const noexcept { return rank_; }

 private:
  rank_world* world_;
  std::size_t rank_;
};

// The policy a rank passes to actions: found by ADL, like ln::mpi::world will be.
struct ranks_policy {
  rank_world* world;
  std::size_t rank;
};
inline ranks_backend make_backend(const ranks_policy& p) { return ranks_backend(*p.world, p.rank); }

static_assert(ln::execution_policy<ranks_policy>);

// Runs fn(policy) on `ranks` simulated ranks at once and returns every rank's result, by rank.
// The first exception of any rank is rethrown (after every rank finished).
template <class Fn>
auto run_on_ranks(std::size_t ranks, Fn&& fn) {
  using result = std::invoke_result_t<Fn&, ranks_policy>;
  rank_world world(ranks);
  std::vector<std::optional<result>> results(ranks);
  std::vector<std::exception_ptr> errors(ranks);
  {
    std::vector<std::jthread> threads;
    threads.reserve(ranks);
    for (std::size_t r = 0; r < ranks; ++r) {
      threads.emplace_back([&, r] {
        try {
          results[r].emplace(fn(ranks_policy{&world, r}));
        } catch (...) {
          errors[r] = std::current_exception();
          world.leave();
        }
      });
    }
  }
  for (auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  std::vector<result> out;
  out.reserve(ranks);
  for (auto& r : results) out.push_back(std::move(*r));
  return out;
}

}  // namespace lineage_test
