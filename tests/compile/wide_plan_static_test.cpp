// Compile-time claims about wide operators: every wide operator ends a stage, so
// ln::stage_count_v counts the shuffles plus one; a join also runs its other side's stages;
// ln::plan::ops_v<P> gives each operator's stage; ln::element_t of each wide operator is
// Spark's. Compiling this file is the test (static_assert only, nothing runs).
#include <lineage/lineage.hpp>
#include <lineage/partitioner.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <ranges>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace wide_plan_static_test {

namespace ln = lineage;

using ints = std::vector<int>;
using pairs = std::vector<std::pair<int, long>>;
using string_pairs = std::vector<std::pair<int, std::string>>;

inline constexpr auto to_pair = [](int x) { return std::pair<int, long>(x % 10, x); };
inline constexpr auto second = [](const std::pair<int, long>& p) { return p.second; };
inline constexpr auto identity = [](const auto& x) { return x; };
inline constexpr auto key_of = [](const std::pair<int, long>& p) { return p.first; };
inline constexpr auto seq_op = [](double acc, long v) { return acc + static_cast<double>(v); };
inline constexpr auto comb_op = [](double a, double b) { return a + b; };
using sum = std::plus<long>;

ints& v();  // declared only: the pipelines below are types, never built
pairs& kv();
string_pairs& other();

// ---- stage_count_v: one stage, plus one per wide operator -----------------------------------
using narrow_only = decltype(v() | ln::map(to_pair) | ln::filter([](const auto&) { return true; }) | ln::map(second));
static_assert(ln::stage_count_v<narrow_only> == 1);

using one_shuffle = decltype(v() | ln::map(to_pair) | ln::reduce_by_key(sum{}) | ln::map(second));
static_assert(ln::stage_count_v<one_shuffle> == 2);
static_assert(ln::lineage_depth_v<one_shuffle> == 3);

using two_shuffles = decltype(v() | ln::map(to_pair) | ln::reduce_by_key(sum{}) | ln::map(identity) | ln::sort_by(key_of));
static_assert(ln::stage_count_v<two_shuffles> == 3);
static_assert(ln::lineage_depth_v<two_shuffles> == 4);

using three_shuffles = decltype(kv() | ln::group_by_key() | ln::map([](const auto& g) { return g.first; }) |
                                ln::distinct() | ln::repartition(4) | ln::map(identity));
static_assert(ln::stage_count_v<three_shuffles> == 4);
static_assert(ln::lineage_depth_v<three_shuffles> == 5);

// Wide operators back to back: each is its own stage.
using back_to_back =
    decltype(kv() | ln::reduce_by_key(sum{}) | ln::sort_by(key_of, ln::descending) | ln::repartition(2) |
             ln::aggregate_by_key(0.0, seq_op, comb_op));
static_assert(ln::stage_count_v<back_to_back> == 5);

// ln::partitioner has its own header (lineage/partitioner.hpp); exec/shuffle.hpp still gives it.
static_assert(std::is_same_v<decltype(ln::partitioner{4}), ln::partitioner<ln::std_hash>>);
static_assert(ln::partitioner{4}.partitions == 4 && ln::partitioner{}.partitions == 0);

// Every wide operator counts, with or without an explicit partitioner.
static_assert(ln::stage_count_v<decltype(kv() | ln::reduce_by_key(sum{}, ln::partitioner{8}))> == 2);
static_assert(ln::stage_count_v<decltype(kv() | ln::group_by_key(ln::partitioner{8}))> == 2);
static_assert(ln::stage_count_v<decltype(kv() | ln::aggregate_by_key(0.0, seq_op, comb_op))> == 2);
static_assert(ln::stage_count_v<decltype(v() | ln::distinct())> == 2);
static_assert(ln::stage_count_v<decltype(v() | ln::sort_by(identity))> == 2);
static_assert(ln::stage_count_v<decltype(v() | ln::repartition(3))> == 2);

// A wide operator after a checkpoint counts from the checkpoint.
static_assert(ln::stage_count_v<decltype(std::declval<ln::checkpointed<std::pair<int, long>>&>() |
                                         ln::reduce_by_key(sum{}))> == 2);
static_assert(ln::stage_count_v<decltype(ln::parallelize(kv(), 4) | ln::reduce_by_key(sum{}) | ln::map(identity))> ==
              2);

// ---- joins run the other side's stages too ------------------------------------------------
using join_plain = decltype(kv() | ln::join(other()));
static_assert(ln::stage_count_v<join_plain> == 3);  // left stage, right stage, the join's

using join_shuffled_other = decltype(kv() | ln::join(kv() | ln::reduce_by_key(sum{})));
static_assert(ln::stage_count_v<join_shuffled_other> == 4);  // 1 + (1 + 1) + 1

using join_both_shuffled = decltype(kv() | ln::reduce_by_key(sum{}) | ln::join(kv() | ln::reduce_by_key(sum{})) |
                                    ln::map(identity));
static_assert(ln::stage_count_v<join_both_shuffled> == 5);  // (1 + 1) + (1 + 1) + 1

using left_join_shuffled_other = decltype(kv() | ln::left_join(other() | ln::repartition(2)));
static_assert(ln::stage_count_v<left_join_shuffled_other> == 4);

// ---- ln::plan::ops_v: each operator with its stage -------------------------------------------
constexpr auto one_shuffle_ops = ln::plan::ops_v<one_shuffle>;
static_assert(one_shuffle_ops.size() == 3);
static_assert(one_shuffle_ops[0].name == "map" && one_shuffle_ops[0].stage == 1);
static_assert(one_shuffle_ops[0].kind == ln::plan::op_kind::narrow);
static_assert(one_shuffle_ops[1].name == "reduce_by_key" && one_shuffle_ops[1].stage == 2);
static_assert(one_shuffle_ops[1].kind == ln::plan::op_kind::wide);
static_assert(one_shuffle_ops[2].name == "map" && one_shuffle_ops[2].stage == 2);  // fused after the shuffle

constexpr auto two_shuffles_ops = ln::plan::ops_v<two_shuffles>;
static_assert(two_shuffles_ops.size() == 4);
static_assert(two_shuffles_ops[1].stage == 2 && two_shuffles_ops[2].stage == 2);
static_assert(two_shuffles_ops[3].name == "sort_by" && two_shuffles_ops[3].stage == 3);

constexpr auto three_shuffles_ops = ln::plan::ops_v<three_shuffles>;
static_assert(three_shuffles_ops[0].name == "group_by_key" && three_shuffles_ops[0].stage == 2);
static_assert(three_shuffles_ops[1].stage == 2);
static_assert(three_shuffles_ops[2].name == "distinct" && three_shuffles_ops[2].stage == 3);
static_assert(three_shuffles_ops[3].name == "repartition" && three_shuffles_ops[3].stage == 4);
static_assert(three_shuffles_ops[4].name == "map" && three_shuffles_ops[4].stage == 4);

constexpr auto descending_ops = ln::plan::ops_v<decltype(v() | ln::sort_by(identity, ln::descending))>;
static_assert(descending_ops[0].name == "sort_by[descending]" && descending_ops[0].kind == ln::plan::op_kind::wide);

// The join is numbered after the other side's stages; the last operator is in the last stage.
constexpr auto join_ops = ln::plan::ops_v<join_both_shuffled>;
static_assert(join_ops.size() == 3);
static_assert(join_ops[0].name == "reduce_by_key" && join_ops[0].stage == 2);
static_assert(join_ops[1].name == "join" && join_ops[1].stage == 5);
static_assert(join_ops[2].name == "map" && join_ops[2].stage == 5);
static_assert(join_ops[2].stage == ln::stage_count_v<join_both_shuffled>);
static_assert(ln::plan::ops_v<left_join_shuffled_other>[0].name == "left_join");

// ---- element_t of every wide operator, as in Spark ------------------------------------------
static_assert(std::is_same_v<ln::element_t<one_shuffle>, long>);
static_assert(std::is_same_v<ln::element_t<decltype(kv() | ln::reduce_by_key(sum{}))>, std::pair<int, long>>);
// A tuple of two is pair-like; by-key operators give std::pair.
static_assert(std::is_same_v<ln::element_t<decltype(std::declval<std::vector<std::tuple<int, long>>&>() |
                                                    ln::reduce_by_key(sum{}))>,
                             std::pair<int, long>>);
static_assert(std::is_same_v<ln::element_t<decltype(kv() | ln::group_by_key())>, std::pair<int, std::vector<long>>>);
static_assert(std::is_same_v<ln::element_t<decltype(other() | ln::group_by_key())>,
                             std::pair<int, std::vector<std::string>>>);
static_assert(std::is_same_v<ln::element_t<decltype(kv() | ln::aggregate_by_key(0.0, seq_op, comb_op))>,
                             std::pair<int, double>>);
static_assert(std::is_same_v<ln::element_t<decltype(kv() | ln::sort_by(key_of))>, std::pair<int, long>>);
static_assert(std::is_same_v<ln::element_t<decltype(kv() | ln::sort_by(key_of, ln::descending))>, std::pair<int, long>>);
static_assert(std::is_same_v<ln::element_t<decltype(v() | ln::distinct())>, int>);
static_assert(std::is_same_v<ln::element_t<decltype(v() | ln::repartition(2))>, int>);
static_assert(std::is_same_v<ln::element_t<join_plain>, std::pair<int, std::pair<long, std::string>>>);
static_assert(std::is_same_v<ln::element_t<decltype(kv() | ln::left_join(other()))>,
                             std::pair<int, std::pair<long, std::optional<std::string>>>>);
static_assert(std::is_same_v<ln::element_t<join_shuffled_other>, std::pair<int, std::pair<long, long>>>);
static_assert(std::is_same_v<decltype(kv() | ln::count_by_key()), std::unordered_map<int, std::size_t>>);
static_assert(std::is_same_v<decltype(kv() | ln::reduce_by_key(sum{}) | ln::count_by_key(ln::par)),
                             std::unordered_map<int, std::size_t>>);

// Wide pipelines are pipelines and ranges like any other.
static_assert(ln::pipeline<join_both_shuffled>);
static_assert(std::ranges::input_range<join_both_shuffled>);
static_assert(std::ranges::input_range<three_shuffles>);
static_assert(std::is_same_v<std::ranges::range_value_t<two_shuffles>, std::pair<int, long>>);

// Adaptors compose before a source: the stages appear once a source is piped in.
inline const auto word_count = ln::map(to_pair) | ln::reduce_by_key(sum{}) | ln::sort_by(key_of);
static_assert(ln::stage_count_v<decltype(v() | word_count)> == 3);
static_assert(ln::plan::ops_v<decltype(v() | word_count)>[2].stage == 3);

}  // namespace wide_plan_static_test
