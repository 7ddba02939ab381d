// SPDX-License-Identifier: Apache-2.0
#pragma once
// What changed between the lineage that wrote a checkpoint and the one asking for it, in words:
// "operator 3 was map<int → double>, now filter<int>", "version tag '3' → '4'", "source content
// changed", "element type changed: 'int' → 'double'". Computed from what a manifest records
// (element type, version tag and, from format version 3 on, the lineage's steps and source
// identity: lineage_description.hpp), so a signature mismatch (on_mismatch = fail) or a
// recompute can say why. The signature itself stays a hash (signature.hpp): this only explains it.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "../storage/format.hpp"
#include "lineage_description.hpp"

namespace lineage::plan {

// The lineage asking for a checkpoint, as a manifest would record it.
struct current_lineage {
  std::string element_type;
  std::string version;
  std::uint64_t source_identity = 0;  // 0: not identified (identity_policy::none)
  std::vector<storage::operator_entry> steps;  // lineage_steps<P>()
};

namespace detail {

// "source" or "operator N" (N counts the operators, sources not, from 1, in the order they run).
inline std::string step_label(const std::vector<storage::operator_entry>& steps, std::size_t at) {
  std::string label;
  if (steps[at].kind == "source") {
    label = "source";
  } else {
    std::size_t number = 0;
    for (std::size_t i = 0; i <= at; ++i) number += steps[i].kind != "source";
    label = "operator " + std::to_string(number);
  }
  if (steps[at].level != 0) label += " (in an extra input)";
  return label;
}

inline void step_changes(const std::vector<storage::operator_entry>& was,
                         const std::vector<storage::operator_entry>& now, std::vector<std::string>& out) {
  const std::size_t common = std::min(was.size(), now.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (was[i] == now[i]) continue;
    // Label by the current list, unless a step became a source there.
    const bool by_now = now[i].kind != "source" || was[i].kind == "source";
    out.push_back(step_label(by_now ? now : was, i) + " was " + describe_step(was[i]) + ", now " +
                  describe_step(now[i]));
    return;  // the steps after the first change follow from it
  }
  const auto more = [](std::size_t extra) {
    return extra > 1 ? " (and " + std::to_string(extra - 1) + " more)" : std::string();
  };
  if (now.size() > was.size()) {
    out.push_back(step_label(now, common) + " added: " + describe_step(now[common]) + more(now.size() - common));
  } else if (was.size() > now.size()) {
    out.push_back(step_label(was, common) + " removed: " + describe_step(was[common]) + more(was.size() - common));
  }
}

}  // namespace detail

// Every difference the manifest lets us see, most telling first; empty if none.
inline std::vector<std::string> lineage_changes(const storage::manifest& stored, const current_lineage& now) {
  std::vector<std::string> out;
  if (stored.element_type != now.element_type) {
    out.push_back("element type changed: '" + stored.element_type + "' \u2192 '" + now.element_type + "'");
  }
  if (stored.format_version >= 3) detail::step_changes(stored.from.operators, now.steps, out);
  if (stored.version != now.version) out.push_back("version tag '" + stored.version + "' \u2192 '" + now.version + "'");
  if (stored.format_version >= 3 && stored.from.source_identity != now.source_identity) {
    if (stored.from.source_identity != 0 && now.source_identity != 0) {
      out.push_back("source content changed");
    } else {
      out.push_back(now.source_identity == 0 ? "the source's content was identified, now it is not (identity_policy)"
                                             : "the source's content was not identified, now it is (identity_policy)");
    }
  }
  return out;
}

// lineage_changes joined by "; ", or what can be said when the manifest records nothing that
// differs (an older format version records no steps).
inline std::string describe_changes(const storage::manifest& stored, const current_lineage& now) {
  const auto changes = lineage_changes(stored, now);
  if (changes.empty()) {
    if (stored.format_version < 3) {
      return "another lineage or source wrote it (its manifest, format version " +
             std::to_string(stored.format_version) + ", records no steps to compare)";
    }
    return "another lineage wrote it (no recorded step, type, tag or source identity differs)";
  }
  std::string text;
  for (const auto& change : changes) text += (text.empty() ? "" : "; ") + change;
  return text;
}

}  // namespace lineage::plan
