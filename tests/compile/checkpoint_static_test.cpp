// Compile-time claims of checkpoint, local_checkpoint, recover, open_checkpoint and persist:
// every lineage collapses to ln::checkpointed<T> (depth 0, one stage), which is what makes
// `x = x | ... | ln::checkpoint(dir)` compile in a loop; persist keeps the lineage type.
// Compiling this file is the test (static_assert only; nothing runs).
#include <lineage/checkpoint.hpp>
#include <lineage/lineage.hpp>
#include <lineage/persist.hpp>

#include <cereal/types/string.hpp>
#include <cereal/types/utility.hpp>
#include <cereal/types/vector.hpp>

#include <filesystem>
#include <functional>
#include <iterator>
#include <optional>
#include <ranges>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace {

namespace ln = lineage;

template <class L, class C>
using piped_t = decltype(std::declval<L>() | std::declval<C>());

using ints = std::vector<int>&;
using kv = std::pair<std::string, int>;
using kvs = std::vector<kv>&;

constexpr auto twice = [](int x) { return 2 * x; };
constexpr auto to_string = [](int x) { return std::to_string(x); };
constexpr auto is_even = [](int x) { return x % 2 == 0; };
constexpr auto inc = [](int v) { return v + 1; };
constexpr auto key_of = [](const kv& p) { return p.first; };

using checkpoint_c = decltype(ln::checkpoint(std::filesystem::path{}));
using checkpoint_opts_c = decltype(ln::checkpoint(std::filesystem::path{}, ln::checkpoint_options{}));
using checkpoint_par_c = decltype(ln::checkpoint(std::filesystem::path{}, ln::checkpoint_options{}, ln::par));
using local_c = decltype(ln::local_checkpoint());
using local_par_c = decltype(ln::local_checkpoint(ln::par(2)));

// Lineages of every shape.
using narrow = piped_t<piped_t<ints, decltype(ln::map(twice))>, decltype(ln::filter(is_even))>;
using to_strings = piped_t<narrow, decltype(ln::map(to_string))>;
using wide = piped_t<piped_t<kvs, decltype(ln::reduce_by_key(std::plus<>{}))>, decltype(ln::map_values(inc))>;
using grouped = piped_t<kvs, decltype(ln::group_by_key())>;
using joined = piped_t<kvs, decltype(ln::join(std::declval<kvs>()))>;
using sorted = piped_t<kvs, decltype(ln::sort_by(key_of, ln::descending))>;
using from_parallelize = piped_t<decltype(ln::parallelize(std::declval<ints>(), 4)), decltype(ln::map(to_string))>;
using persisted = piped_t<narrow, decltype(ln::persist())>;

// 1. checkpoint collapses every lineage to checkpointed<element_t<P>>.
template <class P>
constexpr bool collapses = std::is_same_v<piped_t<P, checkpoint_c>, ln::checkpointed<ln::element_t<P>>> &&
                           std::is_same_v<piped_t<P, checkpoint_opts_c>, ln::checkpointed<ln::element_t<P>>> &&
                           std::is_same_v<piped_t<P, checkpoint_par_c>, ln::checkpointed<ln::element_t<P>>> &&
                           std::is_same_v<piped_t<P, local_c>, ln::checkpointed<ln::element_t<P>>> &&
                           std::is_same_v<piped_t<P, local_par_c>, ln::checkpointed<ln::element_t<P>>> &&
                           ln::lineage_depth_v<piped_t<P, checkpoint_c>> == 0 &&
                           ln::stage_count_v<piped_t<P, checkpoint_c>> == 1;
static_assert(std::is_same_v<piped_t<ints, checkpoint_c>, ln::checkpointed<int>>);  // a bare range
static_assert(std::is_same_v<piped_t<std::vector<kv>, local_c>, ln::checkpointed<kv>>);
static_assert(collapses<narrow>);
static_assert(collapses<to_strings>);
static_assert(collapses<wide>);
static_assert(collapses<grouped>);
static_assert(collapses<joined>);
static_assert(collapses<sorted>);
static_assert(collapses<from_parallelize>);
static_assert(collapses<persisted>);
static_assert(std::is_same_v<piped_t<narrow, checkpoint_c>, ln::checkpointed<int>>);
static_assert(std::is_same_v<piped_t<to_strings, checkpoint_c>, ln::checkpointed<std::string>>);
static_assert(std::is_same_v<piped_t<wide, checkpoint_c>, ln::checkpointed<kv>>);
static_assert(std::is_same_v<piped_t<grouped, checkpoint_c>, ln::checkpointed<std::pair<std::string, std::vector<int>>>>);
static_assert(std::is_same_v<piped_t<joined, checkpoint_c>, ln::checkpointed<std::pair<std::string, std::pair<int, int>>>>);
static_assert(std::is_same_v<piped_t<from_parallelize, checkpoint_c>, ln::checkpointed<std::string>>);
// The lineages themselves were deeper.
static_assert(ln::lineage_depth_v<narrow> == 2 && ln::lineage_depth_v<to_strings> == 3 && ln::lineage_depth_v<wide> == 2);
static_assert(ln::stage_count_v<wide> == 2);

// 2. The loop pattern: a checkpointed<T> source, transformed and checkpointed again, is the
// same type, so it can be assigned to the loop variable; also through a wide operator.
using ck_int = ln::checkpointed<int>;
using ck_kv = ln::checkpointed<kv>;
static_assert(std::is_same_v<piped_t<piped_t<ck_int&, decltype(ln::map(twice))>, checkpoint_c>, ck_int>);
static_assert(std::is_same_v<piped_t<piped_t<ck_int&, decltype(ln::map(twice))>, local_c>, ck_int>);
static_assert(std::is_same_v<piped_t<piped_t<piped_t<ck_kv&, decltype(ln::reduce_by_key(std::plus<>{}))>,
                                             decltype(ln::map_values(inc))>,
                                     checkpoint_c>,
                             ck_kv>);
static_assert(std::is_assignable_v<ck_int&, piped_t<piped_t<ck_int&, decltype(ln::map(twice))>, checkpoint_c>>);
// Downstream of a checkpoint the depth counts from it.
static_assert(ln::lineage_depth_v<piped_t<ck_int&, decltype(ln::map(twice))>> == 1);
static_assert(ln::lineage_depth_v<piped_t<piped_t<ck_int&, decltype(ln::map(twice))>, decltype(ln::filter(is_even))>> == 2);

// 3. checkpointed<T>: a source, a value, an input range; its accessors.
static_assert(ln::pipeline<ck_int>);
static_assert(ln::lineage_depth_v<ck_int> == 0 && ln::stage_count_v<ck_int> == 1);
static_assert(std::is_same_v<ln::element_t<ck_kv>, kv>);
static_assert(std::is_copy_constructible_v<ck_int> && std::is_copy_assignable_v<ck_int>);
static_assert(std::is_nothrow_move_constructible_v<ck_int>);
static_assert(std::ranges::input_range<ck_int> && std::ranges::input_range<const ck_int>);
static_assert(std::is_same_v<decltype(std::declval<const ck_int&>().path()), const std::filesystem::path&>);
static_assert(std::is_same_v<decltype(std::declval<const ck_int&>().recovered()), bool>);
static_assert(std::is_same_v<decltype(std::declval<const ck_int&>().size()), std::size_t>);
static_assert(std::is_same_v<decltype(std::declval<const ck_int&>().partitions()), std::size_t>);
static_assert(std::is_same_v<decltype(std::declval<const ck_int&>().repaired_partitions()), const std::vector<std::size_t>&>);
static_assert(std::is_same_v<decltype(std::declval<const ck_int&>().partitioner()), const std::string&>);

// 4. recover, open_checkpoint, verify, remove_checkpoint.
static_assert(std::is_same_v<decltype(ln::recover<int>(std::filesystem::path{})), ck_int>);
static_assert(std::is_same_v<decltype(ln::recover<kv>("dir")), ck_kv>);
static_assert(std::is_same_v<decltype(ln::recover<int>("dir", ln::par)), ck_int>);
using stream = decltype(ln::open_checkpoint<int>("dir"));
static_assert(std::is_same_v<stream, ln::checkpoint_source<int>>);
static_assert(ln::pipeline<stream> && std::ranges::input_range<stream>);
static_assert(ln::lineage_depth_v<stream> == 0 && std::is_same_v<ln::element_t<stream>, int>);
static_assert(std::is_same_v<piped_t<piped_t<stream, decltype(ln::map(twice))>, checkpoint_c>, ck_int>);
static_assert(std::is_same_v<decltype(ln::verify("dir")), ln::storage::manifest>);
static_assert(std::is_void_v<decltype(ln::remove_checkpoint("dir"))>);

// 5. persist keeps the lineage: same element type, depth unchanged (a marker, not a
// transformation), not a checkpointed, and still unpersist()-able.
static_assert(!std::is_same_v<persisted, ln::checkpointed<int>>);
static_assert(std::is_same_v<ln::element_t<persisted>, ln::element_t<narrow>>);
static_assert(ln::lineage_depth_v<persisted> == ln::lineage_depth_v<narrow>);
static_assert(ln::stage_count_v<persisted> == ln::stage_count_v<narrow>);
static_assert(ln::plan::ops_v<persisted>.size() == 3 && ln::plan::ops_v<persisted>[2].name == "persist");
static_assert(std::is_same_v<piped_t<narrow, decltype(ln::persist(ln::storage::disk))>, persisted>);  // level: runtime
template <class P>
concept can_unpersist = requires(const P& p) { p.unpersist(); };
static_assert(can_unpersist<persisted>);
static_assert(!can_unpersist<narrow> && !can_unpersist<ck_int>);
static_assert(std::ranges::input_range<persisted>);

// 6. Options, policies and errors, as the contract spells them.
static_assert(std::is_aggregate_v<ln::checkpoint_options>);
static_assert(std::is_same_v<decltype(ln::checkpoint_options{}.version), std::string>);
static_assert(std::is_same_v<decltype(ln::checkpoint_options{}.on_mismatch), ln::mismatch_policy>);
static_assert(std::is_same_v<decltype(ln::checkpoint_options{}.durable), bool>);
static_assert(std::is_same_v<decltype(ln::checkpoint_options{}.keep_last), std::size_t>);
static_assert(std::is_same_v<decltype(ln::checkpoint_options{}.source_identity), ln::identity_policy>);
static_assert(std::is_enum_v<ln::mismatch_policy> && !std::is_convertible_v<ln::mismatch_policy, int>);
static_assert(std::is_enum_v<ln::identity_policy> && !std::is_convertible_v<ln::identity_policy, int>);
static_assert(std::is_enum_v<ln::checkpoint_errc> && !std::is_convertible_v<ln::checkpoint_errc, int>);
static_assert(std::is_base_of_v<std::runtime_error, ln::checkpoint_error>);
static_assert(std::is_same_v<decltype(std::declval<const ln::checkpoint_error&>().reason()), ln::checkpoint_errc>);
constexpr ln::checkpoint_errc all_reasons[] = {
    ln::checkpoint_errc::not_found,          ln::checkpoint_errc::truncated,     ln::checkpoint_errc::checksum_mismatch,
    ln::checkpoint_errc::not_a_checkpoint,   ln::checkpoint_errc::format_version, ln::checkpoint_errc::type_mismatch,
    ln::checkpoint_errc::signature_mismatch, ln::checkpoint_errc::io_error,      ln::checkpoint_errc::locked};
static_assert(std::size(all_reasons) == 9);
static_assert(std::is_same_v<std::remove_cv_t<decltype(ln::storage::memory)>, ln::storage::level> &&
              ln::storage::memory != ln::storage::disk && ln::storage::disk != ln::storage::memory_and_disk);
// The persist levels' public home, ln::storage_level; the older spelling names the same values.
static_assert(std::is_same_v<ln::storage::level, ln::storage_level>);
static_assert(ln::storage::memory == ln::storage_level::memory && ln::storage::disk == ln::storage_level::disk &&
              ln::storage::memory_and_disk == ln::storage_level::memory_and_disk);
static_assert(std::is_same_v<piped_t<narrow, decltype(ln::persist(ln::storage_level::disk))>, persisted>);
// Designated initializers, as users write them.
[[maybe_unused]] inline ln::checkpoint_options designated() {
  return {.version = "v2", .on_mismatch = ln::mismatch_policy::fail, .durable = false, .keep_last = 2,
          .source_identity = ln::identity_policy::none};
}

}  // namespace
