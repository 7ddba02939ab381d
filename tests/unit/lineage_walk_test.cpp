// The lineage walk (core/walk.hpp) and its visitors: explain, the signature, the content
// identity, key partitioning and the stage count give exactly what the recursions they replaced
// gave (values pinned below, computed with main at 5c14c6e from walk_cases.hpp, identical with
// g++ 12 and clang++ 16), so checkpoints written before still match. Except
// local_checkpoint_source, whose identity is its content's: re-pinned when reduce_by_key moved to
// flat_table (issue 12), which changed the (unspecified) order of the keys in its output. Also: the walk's events,
// extra inputs' order, the flat closure chain applied whole or in parts.
#include <catch2/catch.hpp>
#include <lineage/lineage.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "walk_cases.hpp"

namespace {

namespace ln = lineage;

struct pinned {
  std::string_view name;
  std::string_view explain;
  std::uint64_t signature;  // plan::lineage_signature<P>("v1", identity)
  std::uint64_t identity;   // detail::lineage_identity(p)
  bool key_partitioned;
  std::size_t stages;
};

// Computed before the walk existed (see the top of this file).
constexpr pinned before_the_walk[] = {
    {"narrow", "stage 1: range<int> -> map -> filter -> flat_map\n", 5944642960411872054ULL, 3163868247352672664ULL, false, 1},
    {"reduce_persist", "stage 1: range<std::pair<int, long>>\nstage 2: shuffle <- reduce_by_key -> map_values -> persist[memory]\n", 2553235891669768151ULL, 11777604674138066886ULL, false, 2},
    {"join_plain", "stage 1: range<std::pair<int, long>>\nstage 2: shuffle <- join with { stage 1: range<std::pair<int, std::basic_string<char>>> }\n", 16331680440744619593ULL, 13011010051935645850ULL, false, 3},
    {"join_both_shuffled", "stage 1: range<std::pair<int, long>>\nstage 2: shuffle <- reduce_by_key\nstage 3: shuffle <- join with { stage 1: range<std::pair<int, long>> ; stage 2: shuffle <- reduce_by_key } -> map\n", 773687252961367016ULL, 15056419141492666917ULL, false, 5},
    {"left_join_shuffled", "stage 1: range<std::pair<int, long>>\nstage 2: shuffle <- left_join with { stage 1: range<std::pair<int, std::basic_string<char>>> ; stage 2: shuffle <- repartition(2) }\n", 7807111885539193065ULL, 13011010051935645850ULL, false, 4},
    {"nested_join", "stage 1: range<std::pair<int, long>>\nstage 2: shuffle <- join with { stage 1: range<std::pair<int, long>> ; stage 2: shuffle <- join with { stage 1: range<std::pair<int, std::basic_string<char>>> -> filter } } -> keys\n", 16883357594284596720ULL, 17386743545203236676ULL, false, 5},
    {"parallelize_group_sort", "stage 1: parallelize<std::pair<int, long>>[3 partitions]\nstage 2: shuffle <- group_by_key\nstage 3: shuffle <- sort_by[descending] -> keys\nstage 4: shuffle <- distinct\n", 17338352838745263977ULL, 15817563664400201142ULL, false, 4},
    {"local_checkpoint_source", "stage 1: local_checkpoint<std::pair<int, long>> -> map_values -> filter\n", 5223819073324517337ULL, 8257941767578114138ULL, true, 1},
    {"aggregate_filter", "stage 1: range<std::pair<int, long>>\nstage 2: shuffle <- aggregate_by_key -> filter\n", 9845062142649985754ULL, 11777604674138066886ULL, true, 2},
    {"aggregate_map", "stage 1: range<std::pair<int, long>>\nstage 2: shuffle <- aggregate_by_key -> map\n", 18029586521473885745ULL, 11777604674138066886ULL, false, 2},
    {"join_persisted_right", "stage 1: range<std::pair<int, long>>\nstage 2: shuffle <- join with { stage 1: parallelize<std::pair<int, std::basic_string<char>>>[2 partitions] -> persist[memory] } -> values\n", 13627021880641227480ULL, 3396818574516925085ULL, false, 3},
    {"persist_after_join", "stage 1: range<std::pair<int, long>>\nstage 2: shuffle <- group_by_key -> persist[memory] -> filter\n", 13724819367366315386ULL, 11777604674138066886ULL, false, 2},
};

const pinned& find_pinned(std::string_view name) {
  for (const auto& p : before_the_walk) {
    if (p.name == name) return p;
  }
  FAIL("no pinned values for " << name);
  return before_the_walk[0];
}

}  // namespace

TEST_CASE("the lineage walk gives the explain text, signature, identity and partitioning of before", "[walk]") {
  std::size_t cases = 0;
  walk_cases::for_each_case([&](const char* name, const auto& p) {
    using P = std::remove_cvref_t<decltype(p)>;
    INFO("case " << name);
    const pinned& expected = find_pinned(name);
    const std::uint64_t identity = ln::detail::lineage_identity(p);
    CHECK(ln::explain(p) == expected.explain);
    CHECK(identity == expected.identity);
    CHECK(ln::plan::lineage_signature<P>("v1", identity) == expected.signature);
    CHECK(ln::detail::key_partitioned(p) == expected.key_partitioned);
    CHECK(ln::stage_count_v<P> == expected.stages);
    // The walk over the value and the walk over the type count the same stages.
    CHECK(ln::visit_lineage(p, ln::lineage_visitor{}) == expected.stages);
    CHECK(ln::visit_lineage<P>(ln::lineage_visitor{}) == expected.stages);
    ++cases;
  });
  CHECK(cases == std::size(before_the_walk));
}

namespace {

// Records every event of a walk, as text.
struct event_log : ln::lineage_visitor {
  std::vector<std::string> events;
  template <class S>
  void source(const S&, ln::walk_step s) {
    events.push_back("source@" + std::to_string(s.stage) + "/" + std::to_string(s.level));
  }
  template <class O>
  void op(const O&, ln::walk_step s) {
    events.push_back(std::string(ln::op_traits<ln::walked_t<O>>::name) + "@" + std::to_string(s.stage) + "/" +
                     std::to_string(s.level));
  }
  template <class I>
  void begin_input(const I&, ln::walk_step s) {
    events.push_back("{@" + std::to_string(s.stage));
  }
  template <class I>
  void end_input(const I&, ln::walk_step s) {
    events.push_back("}@" + std::to_string(s.stage));
  }
};

}  // namespace

TEST_CASE("the lineage walk visits a join's right side before the join, one level deeper", "[walk]") {
  const std::vector<std::pair<int, long>> kv{{1, 2}, {3, 4}};
  const auto p = kv | ln::reduce_by_key(std::plus<>{}) |
                 ln::join(kv | ln::join(kv | ln::filter([](const auto&) { return true; }))) | ln::keys();
  const std::vector<std::string> expected{"source@1/0", "reduce_by_key@2/0", "{@2",   "source@3/1",
                                          "{@3",        "source@4/2",        "filter@4/2", "}@4",
                                          "join@5/1",   "}@5",               "join@6/0",   "keys@6/0"};
  event_log values;
  CHECK(ln::visit_lineage(p, values) == 6);
  CHECK(values.events == expected);
  event_log types;  // the walk over the type alone sees the same events
  CHECK(ln::visit_lineage<decltype(p)>(types) == 6);
  CHECK(types.events == expected);
  CHECK(ln::stage_count_v<decltype(p)> == 6);
}

namespace {

// Partition counts of sources and repartition operators: values only a walk over a pipeline has.
struct partitions_seen : ln::lineage_visitor {
  std::vector<std::size_t> sources;
  std::vector<std::size_t> repartitions;
  template <class S>
  void source(const S& s, ln::walk_step) {
    sources.push_back(s.partitions());
  }
  template <class O>
  void op(const O& o, ln::walk_step) {
    if constexpr (requires { o.partitions; }) repartitions.push_back(o.partitions);
  }
};

}  // namespace

TEST_CASE("a visitor sees sources and operators as values in a walk over a pipeline", "[walk]") {
  const std::vector<std::pair<int, long>> kv{{1, 2}, {3, 4}};
  const auto p = ln::parallelize(kv, 2) | ln::repartition(3) | ln::join(ln::parallelize(kv, 5));
  partitions_seen v;
  ln::visit_lineage(p, v);
  CHECK(v.sources == std::vector<std::size_t>{2, 5});
  CHECK(v.repartitions == std::vector<std::size_t>{3});
}

TEST_CASE("a chain of closures composed before a source is flat and applies whole or in parts", "[walk]") {
  const std::vector<int> v{1, 2, 3, 4, 5, 6};
  const auto twice = [](int x) { return 2 * x; };
  const auto big = [](int x) { return x > 4; };
  const auto to_pair = [](int x) { return std::pair<int, long>(x % 3, x); };
  const auto chain = ln::map(twice) | (ln::filter(big) | ln::map(to_pair)) | ln::reduce_by_key(std::plus<>{});
  using chain_t = std::remove_cvref_t<decltype(chain)>;
  STATIC_REQUIRE(chain_t::size == 4);

  const auto whole = v | chain | ln::collect();
  const auto parts = v | chain.slice<0, 2>() | chain.slice<2>() | ln::collect();
  const auto by_hand = v | ln::map(twice) | ln::filter(big) | ln::map(to_pair) | ln::reduce_by_key(std::plus<>{}) |
                       ln::collect();
  CHECK(whole == by_hand);
  CHECK(parts == by_hand);
  // An action may end a chain.
  CHECK((v | (ln::map(twice) | ln::filter(big) | ln::count())) == 4);
  CHECK((v | chain.slice<0, 2>() | ln::sum()) == 6 + 8 + 10 + 12);

  // The pipeline a chain makes from a typed source has the signature it makes from real data
  // (the signature sees types, not values): a stream runner can sign a per-batch chain.
  using from_chain = ln::lineage_of_t<chain_t, const int&>;
  using from_range = decltype(v | chain);
  CHECK(ln::plan::lineage_signature<from_chain>("v", 7) == ln::plan::lineage_signature<from_range>("v", 7));
  CHECK(ln::plan::lineage_signature<from_chain, int>("v", 7) == ln::plan::lineage_signature<from_range>("v", 7));
}
