// SPDX-License-Identifier: Apache-2.0
#pragma once
// ln::explain(p, ln::analyze [, policy]): RUNS the plan (as collect does, result discarded) and
// returns ln::explain(p) followed by one row per stage run, Spark's stage table as text:
//   stage 1: range<int> -> filter -> map
//   stage 2: shuffle <- reduce_by_key
//   analyze (stages in the order they ran):
//     stage 1/2 shuffle: 4 partitions, 1000 records in, 500 out, shuffled 10 records (160 B), 0.412 ms
//     stage 2/2 result: 4 partitions, 10 records in, 10 out, 0.051 ms
// A stage's wall time runs from the end of the stage before it (or the start of the action), so
// it includes reading the shuffle it begins with, as in Spark.
// "records in" is the source's size for the first stage (when the source knows it), what the
// previous stage shuffled for the next ones; "-" where that does not say it (a plan with extra
// inputs, a join's right side, runs their stages in between). "shuffled" bytes are the records'
// in-memory size (sizeof, not what they own on the heap).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "../core/pipeline.hpp"
#include "../core/walk.hpp"
#include "../exec/collect.hpp"
#include "../exec/observation.hpp"
#include "../exec/policy.hpp"
#include "../observer.hpp"
#include "explain.hpp"
#include "plan.hpp"

namespace lineage {

struct analyze_t {};
inline constexpr analyze_t analyze{};

namespace detail {

// Collects each stage's stage_stats, in the order the stages end.
class stage_table_recorder : public observer {
 public:
  struct row {
    stage_info stage;
    stage_stats stats;
  };
  void on_stage_done(const stage_info& s, const stage_stats& stats) override {
    std::lock_guard hold(lock_);
    rows_.push_back({s, stats});
  }
  std::vector<row> rows() const {
    std::lock_guard hold(lock_);
    return rows_;
  }

 private:
  mutable std::mutex lock_;
  std::vector<row> rows_;
};

// The element count of the main line's source, if its producer knows every partition's size.
struct source_size_visitor : lineage_visitor {
  std::optional<std::uint64_t> records;
  template <class S>
  void source(const S& s, walk_step step) {
    if (step.level != 0) return;
    const auto producer = s.producer(seq_backend{});
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < producer.partitions(); ++i) {
      const auto hint = producer.size_hint(i);
      if (!hint) return;
      total += *hint;
    }
    records = total;
  }
};

inline const char* stage_kind_name(stage_kind k) {
  switch (k) {
    case stage_kind::shuffle: return "shuffle";
    case stage_kind::materialize: return "materialize";
    case stage_kind::result: break;
  }
  return "result";
}

inline std::string analyze_table(const std::vector<stage_table_recorder::row>& rows,
                                 std::optional<std::uint64_t> source_records, bool chained) {
  std::string out = "analyze (stages in the order they ran):";
  std::optional<std::uint64_t> in = source_records;
  for (const auto& r : rows) {
    out += "\n  stage " + std::to_string(r.stage.index) + "/" + std::to_string(r.stage.stages) + " " +
           stage_kind_name(r.stage.kind) + ": " + plan::count_of(r.stage.partitions, "partition") + ", " +
           (in ? std::to_string(*in) : std::string("-")) + " records in, " + std::to_string(r.stats.records) + " out";
    if (r.stage.kind == stage_kind::shuffle) {
      out += ", shuffled " + std::to_string(r.stats.shuffled_records) + " records (" +
             std::to_string(r.stats.shuffled_bytes) + " B)";
    }
    char wall[48];
    std::snprintf(wall, sizeof wall, ", %.3f ms", std::chrono::duration<double, std::milli>(r.stats.wall).count());
    out += wall;
    in = chained && r.stage.kind == stage_kind::shuffle ? std::optional<std::uint64_t>(r.stats.shuffled_records)
                                                         : std::nullopt;
  }
  return out;
}

}  // namespace detail

// Runs `p` (on `policy`'s backend, as ln::collect(policy) would) and returns ln::explain(p)
// followed by the table of the stages that ran.
template <pipeline P, execution_policy Policy = seq_t>
std::string explain(const P& p, analyze_t, Policy policy = {}) {
  auto recorder = std::make_shared<detail::stage_table_recorder>();
  {
    const detail::observation_scope observed(stage_count_v<P>, recorder);
    (void)detail::execute(p, detail::collect_action{}, make_backend(policy));
  }
  detail::source_size_visitor sizes;
  visit_lineage(p, sizes);
  // Without extra inputs, every stage after the first reads what the one before it shuffled.
  constexpr bool chained = plan::all_ops_v<P>.size() == plan::ops_v<P>.size();
  std::string text = explain(p);
  if (!text.empty() && text.back() != '\n') text += '\n';
  return text + detail::analyze_table(recorder->rows(), sizes.records, chained);
}

}  // namespace lineage
