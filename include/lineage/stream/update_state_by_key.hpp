// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::update_state_by_key(f) and ln::update_state_by_key<S>(f) (Spark's updateStateByKey), on
// a stream of pair<K, V>:
//   f(std::span<const V> new_values, std::optional<S> state) -> std::optional<S>
// is called, after each batch, for every key that has new values in the batch or a state
// (keys without new values are visited, so f can expire them; nullopt removes the key). The
// batch's output is the whole state, pair<K, S>, in no particular order.
//
// The state is partitioned by key as reduce_by_key partitions (mix(std::hash<K>) % n, the same
// ln::partitioner), n fixed for the life of the stream directory (processes × threads of the
// backend when it starts, or the partition count of the state checkpoint it resumes from; a
// process holds the partitions it owns), and each
// partition keeps its keys in a deterministic order (old keys in their order, then new keys in
// the order of their first pair in the batch), so a resumed run outputs the same partitions.
// State checkpoints: stream/state_checkpoint.hpp, when: stream/query.hpp.
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../checkpointed.hpp"
#include "../core/concepts.hpp"
#include "../core/partitioned.hpp"
#include "../core/type_name.hpp"
#include "../exec/flat_table.hpp"
#include "../exec/key_partitioning.hpp"
#include "../exec/observation.hpp"
#include "../exec/partitions.hpp"
#include "../ops/partition_by.hpp"
#include "../partitioner.hpp"
#include "collective.hpp"
#include "state_checkpoint.hpp"
#include "stream.hpp"

namespace lineage {

namespace stream_detail {

// The declared return type of a non-generic function object or function pointer.
template <class F>
struct declared_result {};
template <class R, class... A>
struct declared_result<R (*)(A...)> {
  using type = R;
};
template <class C, class R, class... A>
struct declared_result<R (C::*)(A...) const> {
  using type = R;
};
template <class C, class R, class... A>
struct declared_result<R (C::*)(A...)> {
  using type = R;
};
template <class C, class R, class... A>
struct declared_result<R (C::*)(A...) const noexcept> {
  using type = R;
};
template <class F>
  requires requires { &F::operator(); }
struct declared_result<F> : declared_result<decltype(&F::operator())> {};

template <class F>
concept has_declared_result = requires { typename declared_result<F>::type::value_type; };

}  // namespace stream_detail

template <class F, class S>
struct update_state_by_key_op : stream_stateful_tag {
  F f;

  static constexpr std::string_view name = "update_state_by_key";

  template <class InRef>
  using key_t = detail::key_of_t<InRef>;
  template <class InRef>
  using value_t = detail::value_of_t<InRef>;
  template <class InRef>
  using output_reference = const std::pair<key_t<InRef>, S>&;

  template <class InRef>
  static constexpr bool check() {
    if constexpr (!pair_like<InRef>) {
      static_assert(detail::always_false<InRef>,
                    "ln::update_state_by_key(f): the elements are not pair-like (std::pair, std::tuple of 2)");
      return false;
    } else {
      using K = key_t<InRef>;
      using V = value_t<InRef>;
      static_assert(detail::hashable_key<K, std_hash>, "ln::update_state_by_key(f): the key type has no std::hash");
      constexpr bool ok = std::is_invocable_r_v<std::optional<S>, const F&, std::span<const V>, std::optional<S>>;
      static_assert(ok, "ln::update_state_by_key(f): f(std::span<const V> new_values, std::optional<S> state) "
                        "must return std::optional<S>");
      return ok && detail::hashable_key<K, std_hash>;
    }
  }

  template <class InRef>
  std::string describe() const {
    return std::string(name) + '<' + detail::portable_type_name<key_t<InRef>>() + ", " +
           detail::portable_type_name<value_t<InRef>>() + " -> " + detail::portable_type_name<S>() + '>';
  }

  template <class InRef>
  class state {
    static_assert(check<InRef>());
    using K = key_t<InRef>;
    using V = value_t<InRef>;
    using entry = std::pair<K, S>;
    using table = detail::flat_table<K, S, detail::key_hasher_t<K, std_hash>>;

   public:
    // The operator lives in the query, which outlives the run that holds this state.
    explicit state(const update_state_by_key_op& op) : op_(&op) {}

    template <pipeline P, class Ctx>
    std::optional<checkpointed<entry>> step(const P& batch, std::uint64_t, const Ctx& ctx) {
      if (partitions_ == 0) partitions_ = stream_detail::state_partition_count(ctx);
      if (tables_.empty()) tables_.resize(partitions_);
      take_back();
      std::vector<grouping> groups;
      try {
        groups = group_batch(batch, ctx);  // runs the batch's kernel: the user's map may throw
      } catch (...) {
        (void)lend(ctx);  // the state stays as the last batch left it (and save() sees it)
        throw;
      }
      ctx.for_each_owned_partition(partitions_, [&](std::size_t i) { std::move(groups[i]).apply(tables_[i], op_->f); });
      return lend(ctx);
    }

    template <class Ctx>
    void save(const std::filesystem::path& dir, const checkpoint_options& options, const Ctx& ctx) const {
      const std::vector<std::vector<entry>> none(1);
      const auto& parts = lent_ ? lent_->all() : none;
      stream_detail::save_state_checkpoint<entry>(dir, parts, op_->template describe<InRef>(),
                                                  detail::key_partitioner_name(parts.size()), options, ctx);
    }

    template <class Ctx>
    void load(const std::filesystem::path& dir, const checkpoint_options& options, const Ctx& ctx) {
      auto loaded = stream_detail::load_state_checkpoint<entry>(dir, op_->template describe<InRef>(), options, ctx);
      if (loaded.partitioner() != detail::key_partitioner_name(loaded.partitions())) {
        throw checkpoint_error(checkpoint_errc::not_a_checkpoint, dir,
                               "the state checkpoint is not partitioned by key (" + loaded.partitioner() + ")");
      }
      partitions_ = loaded.partitions();
      lent_.reset();
      tables_.assign(partitions_, table{});
      const auto& parts = loaded.partition_data();
      for (std::size_t i = 0; i < partitions_; ++i) {
        tables_[i].reserve(parts[i].size());
        for (const auto& [k, s] : parts[i]) {
          if (!tables_[i].try_emplace(k, s).second) {
            throw checkpoint_error(checkpoint_errc::not_a_checkpoint, dir,
                                   "the state checkpoint holds a key twice in partition " + std::to_string(i));
          }
        }
      }
      (void)lend(ctx);
    }

   private:
    // The batch's output shares the state instead of copying it (copy on write): the tables
    // lend their entries to the output's partitions, and the next batch takes them back,
    // moved if no copy of an output is alive any more (the usual case: output operations do
    // not keep them), copied otherwise.
    template <class Ctx>
    checkpointed<entry> lend(const Ctx& ctx) {
      auto parts = std::make_shared<detail::partition_set<entry>>(
          partitions_, [&](std::size_t i) { return ctx.owns(i, partitions_); });
      for (std::size_t i = 0; i < partitions_; ++i) {
        if (parts->holds(i)) parts->at(i) = tables_[i].lend_entries();
      }
      lent_ = parts;
      typename checkpointed<entry>::origin origin;
      origin.partitioner = detail::key_partitioner_name(partitions_);
      return checkpointed<entry>(std::shared_ptr<const detail::partition_set<entry>>(std::move(parts)),
                                 std::move(origin));
    }
    void take_back() {
      if (!lent_) return;
      // Only copies of our outputs share lent_: once they are gone, nothing can share it again.
      const bool alone = lent_.use_count() == 1;
      for (std::size_t i = 0; i < partitions_; ++i) {
        if (!lent_->holds(i)) continue;
        tables_[i].return_entries(alone ? std::move(lent_->at(i)) : std::vector<entry>(lent_->at(i)));
      }
      lent_.reset();
    }

    // One state partition's share of a batch, grouped by key against the partition's table:
    // each pair's key is looked up once, the key of a pair whose key has a state is not kept,
    // and the values go into one vector (no table or vector per key).
    class grouping {
     public:
      explicit grouping(const table& t) : old_size_(t.size()) {}

      template <class Key, class Value>
      void add(const table& t, Key&& key, Value&& value) {
        std::size_t g = t.index_of(key);
        if (g == table::npos) g = old_size_ + fresh_.try_emplace(std::forward<Key>(key), fresh_.size()).first->second;
        group_of_.push_back(g);
        values_.push_back(std::forward<Value>(value));
      }

      // Calls `update` (the operator's f) for every key: old keys in their order (with their new
      // values, if any), then the new keys in the order of their first pair; a key whose f
      // returns nullopt goes. The states are updated in place (moved into f). A key's values keep the batch's order (the sort by key is stable). An
      // exception from f ends the run with the batch uncommitted; a restart rebuilds the state
      // from its checkpoint and the logs.
      template <class Fn>
      void apply(table& t, const Fn& update) && {
        // The values sorted by key (a counting sort): key g's are sorted[begin[g], begin[g + 1]).
        std::vector<std::size_t> begin(old_size_ + fresh_.size() + 1, 0);
        for (const std::size_t g : group_of_) ++begin[g + 1];
        for (std::size_t g = 1; g < begin.size(); ++g) begin[g] += begin[g - 1];
        std::vector<V> sorted;
        {
          std::vector<std::size_t> order(values_.size());
          std::vector<std::size_t> next(begin.begin(), begin.end() - 1);
          for (std::size_t j = 0; j < group_of_.size(); ++j) order[next[group_of_[j]]++] = j;
          sorted.reserve(values_.size());
          for (const std::size_t j : order) sorted.push_back(std::move(values_[j]));
        }
        const auto values_of = [&](std::size_t g) {
          return std::span<const V>(sorted.data() + begin[g], begin[g + 1] - begin[g]);
        };

        std::vector<bool> removed;  // sized on the first removal
        auto it = t.begin();
        for (std::size_t e = 0; e < old_size_; ++e, ++it) {
          if (std::optional<S> r = update(values_of(e), std::optional<S>(std::move(it->second)))) {
            it->second = std::move(*r);
          } else {
            if (removed.empty()) removed.resize(old_size_);
            removed[e] = true;
          }
        }
        auto fresh = std::move(fresh_).take_entries();  // in order of first appearance
        for (std::size_t n = 0; n < fresh.size(); ++n) {
          if (std::optional<S> r = update(values_of(old_size_ + n), std::optional<S>())) {
            t.try_emplace(std::move(fresh[n].first), std::move(*r));
          }
        }
        if (!removed.empty()) {  // rebuilt without the removed keys, in the same order
          auto entries = std::move(t).take_entries();
          table kept;
          kept.reserve(entries.size());
          for (std::size_t e = 0; e < entries.size(); ++e) {
            if (e < old_size_ && removed[e]) continue;
            kept.try_emplace(std::move(entries[e].first), std::move(entries[e].second));
          }
          t = std::move(kept);
        }
      }

     private:
      std::size_t old_size_;
      detail::flat_table<K, std::size_t, detail::key_hasher_t<K, std_hash>> fresh_;  // new key -> rank
      std::vector<std::size_t> group_of_;  // per pair: its key's entry in the table, or old_size_ + rank
      std::vector<V> values_;              // per pair, in the batch's order
    };

    // The batch grouped per state partition. On one thread each pair goes straight from the
    // batch's kernel to its partition's grouping; with threads (or processes) the batch's
    // pairs are shuffled to the state's partitions first (partition_by's shuffle), and each
    // partition groups its own.
    template <pipeline P, class Ctx>
    std::vector<grouping> group_batch(const P& batch, const Ctx& ctx) const {
      std::vector<grouping> groups;
      groups.reserve(partitions_);
      for (const auto& t : tables_) groups.emplace_back(t);
      const partitioner<> part{partitions_};
      if constexpr (Ctx::single_process) {
        if (!ctx.parallel()) {
          const auto producer = batch.producer(ctx);
          direct_sink sink{this, &groups, {partitions_, part.template hash_for<K>()}};
          const auto probe = detail::observe_stage(producer.partitions(), stage_kind::shuffle);
          for (std::size_t i = 0; i < producer.partitions(); ++i) probe.run(producer, i, sink);
          probe.finish();
          return groups;
        }
      }
      auto news = detail::partition_pairs_by_key(batch, part, ctx);
      if (news.partitions() != partitions_) {
        throw std::logic_error("ln::update_state_by_key: the batch's keys were not partitioned as the state");
      }
      ctx.for_each_owned_partition(partitions_, [&](std::size_t i) {
        for (auto& pair : news.at(i)) groups[i].add(tables_[i], std::move(std::get<0>(pair)), std::move(std::get<1>(pair)));
      });
      return groups;
    }

    struct direct_sink {
      const state* self;
      std::vector<grouping>* groups;
      detail::key_partitioner<K, std_hash> partition_of;
      static constexpr bool can_stop = false;

      // (std::get of a forwarded element moves out of an owned pair, never out of what a pair
      // of references refers to.)
      template <class X>
      void operator()(X&& x) {
        const std::size_t i = partition_of(std::get<0>(x));
        (*groups)[i].add(self->tables_[i], std::get<0>(std::forward<X>(x)), std::get<1>(std::forward<X>(x)));
      }
    };

    const update_state_by_key_op* op_;
    std::size_t partitions_ = 0;
    std::vector<table> tables_;  // per partition (this process's): the keys in order, their states
    // The tables' entries while lent to the last batch's output (and saved from there).
    std::shared_ptr<detail::partition_set<entry>> lent_;
  };
};

// A function template rather than an object, so that both ln::update_state_by_key(f) and
// ln::update_state_by_key<S>(f) are spelled as README "Streams" says.
template <class S = void, class F>
auto update_state_by_key(F f) {
  if constexpr (std::is_void_v<S>) {
    static_assert(stream_detail::has_declared_result<F>,
                  "ln::update_state_by_key(f): cannot tell the state type S from f (a generic lambda?): "
                  "declare f's return type std::optional<S>, or write ln::update_state_by_key<S>(f)");
    using R = typename stream_detail::declared_result<F>::type;
    return update_state_by_key_op<F, typename R::value_type>{{}, std::move(f)};
  } else {
    return update_state_by_key_op<F, S>{{}, std::move(f)};
  }
}

}  // namespace lineage
