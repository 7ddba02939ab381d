// SPDX-License-Identifier: Apache-2.0
#pragma once
// Durable checkpoints: ln::checkpoint(dir [, options] [, policy]), get-or-create. The tools
// without a pipeline (ln::recover<T>, ln::open_checkpoint<T>, ln::verify, ln::remove_checkpoint)
// are in checkpoint_tools.hpp, included here.
//
// `p | ln::checkpoint(dir)` is eager and get-or-create: if `dir` holds a valid checkpoint with
// the lineage signature of `p` (plan/signature.hpp), it is loaded and `p` is never evaluated;
// otherwise `p` is evaluated once, written durably (storage/), and returned. Either way the
// result is ln::checkpointed<T>: the lineage is cut.
#include <atomic>
#include <cstddef>
#include <random>
#include <ranges>
#include <type_traits>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "checkpoint_steps.hpp"
#include "checkpoint_tools.hpp"
#include "checkpointed.hpp"
#include "core/partitioned.hpp"
#include "core/pipeline.hpp"
#include "core/sink.hpp"
#include "core/source.hpp"
#include "core/type_name.hpp"
#include "core/walk.hpp"
#include "exec/key_partitioning.hpp"
#include "exec/partitions.hpp"
#include "exec/policy.hpp"
#include "ops/parallelize.hpp"
#include "plan/explain.hpp"
#include "plan/lineage_description.hpp"
#include "plan/signature.hpp"
#include "plan/signature_diff.hpp"
#include "plan/source_identity.hpp"
#include "storage/checkpoint_io.hpp"

namespace lineage {

namespace detail {

// The content identity of each kind of source (README "Checkpoints").
// A source that cannot be hashed (single-pass, not const-iterable, or elements cereal cannot
// serialize) has no content identity: a fresh one each time, so it never matches (recompute);
// identity_policy::none trusts dir + version instead.
inline std::uint64_t unidentified_source() {
  static std::atomic<std::uint64_t> counter{0};
  const std::uint64_t parts[2] = {static_cast<std::uint64_t>(std::random_device{}()) << 32 | std::random_device{}(),
                                  counter.fetch_add(1)};
  return XXH3_64bits(parts, sizeof parts);
}
template <class H>
std::uint64_t content_identity(const range_source<H>& s) {
  using R = std::remove_reference_t<decltype(s.range())>;
  if constexpr (std::ranges::forward_range<const R> && storage::serializable<std::ranges::range_value_t<const R>>) {
    return plan::range_identity(std::as_const(s.range()));  // content hash + element count
  } else {
    return unidentified_source();
  }
}
template <class T>
std::uint64_t content_identity(const parallelized<T>& s) {
  return s.content_id();
}
template <class T>
std::uint64_t content_identity(const checkpointed<T>& s) {
  return s.content_id() != 0 ? s.content_id() : storage::content_hash(s.partition_data());
}
template <class T>
std::uint64_t content_identity(const checkpoint_source<T>& s) {
  return s.content_id();
}

// The identity of everything a lineage reads: its source's content, and that of the extra
// inputs of any operator that has some (the right side of a join), combined in the order the
// lineage walk (core/walk.hpp) meets them: id = XXH3(id, input id) at the operator.
struct identity_frame {
  std::uint64_t id = 0;
  std::vector<std::uint64_t> inputs;  // the next operator's extra inputs' identities
};

struct identity_visitor : input_frames_visitor<identity_visitor, identity_frame> {

  template <class S>
  void source(const S& s, walk_step) {
    frames.back().id = content_identity(s);
  }
  template <class Op>
  void op(const Op&, walk_step) {
    auto& f = frames.back();
    for (const std::uint64_t input : f.inputs) {
      const std::uint64_t parts[2] = {f.id, input};
      f.id = XXH3_64bits(parts, sizeof parts);
    }
    f.inputs.clear();
  }
  void fold_input(identity_frame& parent, identity_frame&& in) { parent.inputs.push_back(in.id); }
};

template <pipeline P>
std::uint64_t lineage_identity(const P& p) {
  identity_visitor v;
  visit_lineage(p, v);
  return v.frames.front().id;
}

// Failures that say something about the data on disk (and so may be repaired by recomputing),
// as opposed to the machine (io_error) or another process (locked).
inline bool damaged_data(checkpoint_errc r) { return r != checkpoint_errc::io_error && r != checkpoint_errc::locked; }

template <execution_backend Backend>
struct checkpoint_closure : closure_tag {
  std::filesystem::path dir;
  checkpoint_options options;
  Backend context;

  template <pipeline P>
  checkpointed<element_t<P>> apply(const P& p) const {
    using T = element_t<P>;
    static_assert(storage::serializable<T>,
                  "ln::checkpoint: the element type cannot be serialized with cereal (give it a serialize "
                  "function, or include the cereal/types header for the standard type it uses)");
    if constexpr (storage::serializable<T>) {  // nothing more to report about a type that is not
      const observation_scope observed(stage_count_v<P>, options.observer);  // observer.hpp
      return get_or_create(p);
    } else {
      return checkpointed<T>(detail::partition_set<T>{}, {});
    }
  }

  // Under a distributed backend the leader reads the manifest and decides; every process
  // then loads, repairs or computes its own partitions (checkpoint_steps.hpp).
  template <pipeline P>
  checkpointed<element_t<P>> get_or_create(const P& p) const {
    using T = element_t<P>;
    const std::uint64_t identity = options.source_identity == identity_policy::content ? lineage_identity(p) : 0;
    const std::uint64_t signature = plan::lineage_signature(p, options.version, identity);
    const plan::current_lineage now{storage::element_type_name<T>(), options.version, identity,
                                    plan::lineage_steps(p)};
    std::string recompute_reason;  // the leader's; other processes leave it empty
    if (auto m = agree_on_manifest(dir, context, [&] { return matching_manifest<T>(signature, now, recompute_reason); })) {
      if (!options.keep_in_memory) return check_or_repair(p, std::move(*m), signature, now);
      return load_or_repair(p, *m, signature, now);
    }
    if (!options.keep_in_memory) {  // each partition written as soon as computed, then dropped
      const auto producer = p.producer(context);
      std::string partitioner = key_partitioned(p) ? key_partitioner_name(producer.partitions()) : "none";
      return write_stored_checkpoint<T>(dir, producer.partitions(), computing<T>(producer), signature,
                                        std::move(partitioner), options, context, {}, provenance_of(p, now),
                                        std::move(recompute_reason));
    }
    auto parts = compute_partitions(p, context);
    std::string partitioner = key_partitioned(p) ? key_partitioner_name(parts.partitions()) : "none";
    return write_checkpoint<T>(dir, std::move(parts), signature, std::move(partitioner), options, context, {},
                               provenance_of(p, now), std::move(recompute_reason));
  }

  // What the manifest records about the lineage (storage/format.hpp, version 3).
  template <pipeline P>
  static storage::provenance provenance_of(const P& p, const plan::current_lineage& now) {
    return {lineage::explain(p), now.source_identity, now.steps};
  }

  // The manifest in `dir`, if it is the one asked for. None there, or (with on_mismatch =
  // recompute) one of another signature or type, or a damaged one, means recompute: the lineage
  // is at hand. With on_mismatch = fail those throw. Another type includes T with another
  // structural schema (storage/schema.hpp), class version bumps too: recomputing is always
  // right here, trusting a versioned load() is for recover (storage/reader.hpp). A manifest
  // without a schema (format version 1) is matched by the type name alone.
  // The messages say what changed (plan/signature_diff.hpp); a recompute leaves its reason in
  // `recompute_reason` (checkpointed<T>::recompute_reason, ln::explain).
  template <class T>
  std::optional<storage::manifest> matching_manifest(std::uint64_t signature, const plan::current_lineage& now,
                                                     std::string& recompute_reason) const {
    try {
      auto m = storage::try_read_manifest(dir, storage::file_system_of(options));
      if (!m) return std::nullopt;
      if (m->element_type != storage::element_type_name<T>()) {
        throw checkpoint_error(checkpoint_errc::type_mismatch, dir,
                               "holds " + m->element_type + ", expected " + storage::element_type_name<T>() + ": " +
                                   plan::describe_changes(*m, now));
      }
      if (m->has_schema() && m->schema_hash != storage::schema_of<T>().hash) {
        throw checkpoint_error(checkpoint_errc::type_mismatch, dir,
                               storage::detail::schema_change(*m, storage::schema_of<T>()));
      }
      if (m->signature != signature) {
        throw checkpoint_error(checkpoint_errc::signature_mismatch, dir,
                               "it was written by another lineage: " + plan::describe_changes(*m, now));
      }
      return m;
    } catch (const checkpoint_error& e) {
      if (options.on_mismatch == mismatch_policy::recompute && damaged_data(e.reason())) {
        recompute_reason = std::string(to_string(e.reason())) + ": " + e.detail();
        return std::nullopt;
      }
      throw;
    }
  }

  // A function computing partition i of `producer` (whose upstream stages have run) into a vector.
  template <class T, class Producer>
  static auto computing(const Producer& producer) {
    return [&producer](std::size_t i) {
      collect_sink<T> sink;
      if (const auto hint = producer.size_hint(i)) sink.out.reserve(*hint);
      producer.run(i, sink);
      return std::move(sink.out);
    };
  }

  // The partitions whose outcome says their data is damaged or lost (and may be recomputed);
  // any other failure is rethrown on every process. `undecodable`: some partition's bytes
  // passed their checksum but did not decode as T.
  template <class Result>
  static std::vector<std::size_t> damaged_partitions(const std::vector<partition_outcome<Result>>& outcomes,
                                                     const std::vector<std::optional<local_failure>>& here,
                                                     bool& undecodable) {
    std::vector<std::size_t> lost;
    for (std::size_t i = 0; i < outcomes.size(); ++i) {
      const auto& failure = outcomes[i].failure;
      if (!failure) continue;
      const auto reason = static_cast<checkpoint_errc>(failure->reason);
      // Not about the data (the machine, another writer, or not a checkpoint_error at all).
      if (!failure->checkpoint || !damaged_data(reason)) rethrow_agreed(*failure, here[i]);
      lost.push_back(i);
      // Bytes that pass their checksum but do not decode as T: the element's serialized form
      // changed, the data is not damaged. That is the whole checkpoint, never a "repair".
      undecodable |= reason == checkpoint_errc::type_mismatch;
    }
    return lost;
  }

  // keep_in_memory = false: a matching checkpoint is checked partition by partition (size,
  // header, checksum; nothing decoded or kept) and returned left on disk. Damaged or lost
  // partitions are repaired as load_or_repair does, streaming: a new generation is written one
  // partition per worker at a time, the good partitions reloaded from the old one, the lost ones
  // recomputed.
  template <pipeline P>
  checkpointed<element_t<P>> check_or_repair(const P& p, storage::manifest m, std::uint64_t signature,
                                             const plan::current_lineage& now) const {
    using T = element_t<P>;
    const std::size_t n = m.partitions.size();
    auto [outcomes, here] = run_and_gather<bool>(n, context, [&](std::size_t i) {
      storage::verify_partition(dir, m, i, storage::file_system_of(options));
      return true;
    });
    bool undecodable = false;  // (nothing is decoded here)
    std::vector<std::size_t> lost = damaged_partitions(outcomes, here, undecodable);
    if (lost.empty()) {
      auto origin = origin_of<T>(dir, m, true);
      return stored_checkpoint<T>(dir, std::move(m), std::move(origin), context, storage::file_system_of(options));
    }
    if (options.on_mismatch == mismatch_policy::fail) rethrow_agreed(*outcomes[lost.front()].failure, here[lost.front()]);

    const auto producer = p.producer(context);
    const auto compute = computing<T>(producer);
    if (producer.partitions() != n) {  // recompute it all, once
      std::string partitioner = key_partitioned(p) ? key_partitioner_name(producer.partitions()) : "none";
      return write_stored_checkpoint<T>(dir, producer.partitions(), compute, signature, std::move(partitioner),
                                        options, context, {}, provenance_of(p, now));
    }
    std::vector<bool> is_lost(n);
    for (const auto i : lost) is_lost[i] = true;
    const auto reload_or_compute = [&](std::size_t i) {
      return is_lost[i] ? compute(i) : storage::load_partition<T>(dir, m, i, storage::file_system_of(options));
    };
    std::string partitioner = m.partitioner;
    return write_stored_checkpoint<T>(dir, n, reload_or_compute, signature, std::move(partitioner), options, context,
                                      std::move(lost), provenance_of(p, now));
  }

  // Loads every partition of a matching checkpoint. A partition that is missing or damaged is
  // recomputed alone from the lineage (Spark's fault tolerance) when the plan has the same
  // partitioning, and the checkpoint is rewritten with it; the others are not recomputed.
  // (The lost partition's last stage runs alone; stages before a shuffle run whole.) Every
  // process sees every partition's outcome, so all take the same decision.
  template <pipeline P>
  checkpointed<element_t<P>> load_or_repair(const P& p, const storage::manifest& m, std::uint64_t signature,
                                            const plan::current_lineage& now) const {
    using T = element_t<P>;
    auto loaded = load_partitions<T>(dir, m, context, storage::file_system_of(options));
    bool undecodable = false;
    std::vector<std::size_t> lost = damaged_partitions(loaded.outcomes, loaded.failures_here, undecodable);
    auto& parts = loaded.parts;
    if (lost.empty()) {
      return checkpointed<T>(std::move(parts), origin_of<T>(dir, m, true), static_cast<std::size_t>(m.total_records()));
    }
    if (options.on_mismatch == mismatch_policy::fail) {
      rethrow_agreed(*loaded.outcomes[lost.front()].failure, loaded.failures_here[lost.front()]);
    }

    const auto producer = p.producer(context);
    if (undecodable || producer.partitions() != parts.partitions()) {  // recompute it all, once
      auto all = run_partitions<T>(producer, context);  // the upstream ran once, for `producer`
      std::string partitioner = key_partitioned(p) ? key_partitioner_name(all.partitions()) : "none";
      return write_checkpoint<T>(dir, std::move(all), signature, std::move(partitioner), options, context, {},
                                 provenance_of(p, now));
    }
    std::vector<bool> is_lost(parts.partitions());
    for (const auto i : lost) is_lost[i] = true;
    context.for_each_owned_partition(parts.partitions(), [&](std::size_t i) {
      if (!is_lost[i]) return;
      collect_sink<T> sink;
      producer.run(i, sink);
      parts.at(i) = std::move(sink.out);
    });
    return write_checkpoint<T>(dir, std::move(parts), signature, m.partitioner, options, context, std::move(lost),
                               provenance_of(p, now));
  }
};

}  // namespace detail

struct checkpoint_fn {
  template <execution_policy Policy = seq_t>
  detail::checkpoint_closure<backend_t<Policy>> operator()(std::filesystem::path dir, checkpoint_options options = {},
                                                           Policy policy = {}) const {
    return {{}, std::move(dir), std::move(options), make_backend(policy)};
  }
};
inline constexpr checkpoint_fn checkpoint{};

}  // namespace lineage
