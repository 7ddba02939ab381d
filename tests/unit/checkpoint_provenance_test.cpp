// Manifest format version 3: the creation time, the lineage text (ln::explain of the upstream)
// and the lineage's steps stored with a checkpoint, what ln::explain of a recovered checkpoint
// shows, the messages that say what changed when a signature does not match (on_mismatch =
// fail: the error; recompute: checkpointed<T>::recompute_reason and explain), and the reading
// of a manifest written before version 3 (tests/data/checkpoint-manifest-v2).
#include "checkpoint_test_support.hpp"

#include <lineage/plan/signature_diff.hpp>
#include <lineage/storage/checkpoint_io.hpp>

#include <chrono>
#include <cstdint>
#include <regex>
#include <string>
#include <vector>

namespace {

using namespace ckpt_test;
namespace st = lineage::storage;
using ln::checkpoint_errc;
using ln::checkpoint_error;

std::uint64_t now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

std::vector<int> iota_vector(int n, int from = 0) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(from + i);
  return v;
}

ln::checkpoint_options failing(std::string version = {}) {
  auto options = fast(std::move(version));
  options.on_mismatch = ln::mismatch_policy::fail;
  return options;
}

// The error a checkpoint call throws (fails the test if it throws none).
template <class F>
checkpoint_error error_of(F&& f) {
  try {
    f();
  } catch (const checkpoint_error& e) {
    return e;
  }
  FAIL("no checkpoint_error thrown");
  throw std::logic_error("unreachable");
}

bool matches(const std::string& text, const std::string& pattern) {
  return std::regex_search(text, std::regex(pattern));
}

}  // namespace

TEST_CASE("a checkpoint's manifest records when it was written, its lineage text and its steps",
          "[checkpoint][provenance]") {
  scratch_dir dir;
  const auto v = iota_vector(100);
  const auto upstream = ln::parallelize(v, 3) | ln::map([](int x) { return x * 0.5; }) |
                        ln::filter([](double d) { return d > 3.0; });
  const auto before = now_ms();
  const auto computed = upstream | ln::checkpoint(dir.path(), fast("1"));
  const auto after = now_ms();

  const auto m = ln::read_manifest(dir.path());
  CHECK(m.format_version == 3);
  CHECK(m.created >= before);
  CHECK(m.created <= after);
  CHECK(m.from.lineage == ln::explain(upstream));
  const std::vector<st::operator_entry> expected{{"source", "source", "", "int", 0},
                                                 {"narrow", "map", "int", "double", 0},
                                                 {"narrow", "filter", "double", "double", 0}};
  CHECK(m.from.operators == expected);
  CHECK(m.from.source_identity != 0);
  CHECK(computed.recompute_reason().empty());  // nothing was there

  const auto recovered = ln::recover<double>(dir.path());
  CHECK(recovered.produced_by() == ln::explain(upstream));
  CHECK(recovered.created_unix_ms() == m.created);
  std::string one_line = ln::explain(upstream);
  while (!one_line.empty() && one_line.back() == '\n') one_line.pop_back();
  for (auto at = one_line.find('\n'); at != std::string::npos; at = one_line.find('\n')) one_line.replace(at, 1, " ; ");
  CHECK(ln::explain(recovered).find("[produced by: " + one_line + "]") != std::string::npos);
  // The loaded checkpoint of the same lineage has no recompute reason.
  const auto loaded = upstream | ln::checkpoint(dir.path(), fast("1"));
  CHECK(loaded.recovered());
  CHECK(loaded.recompute_reason().empty());
}

TEST_CASE("a wide operator and a join's right side are steps too", "[checkpoint][provenance]") {
  using kv = std::pair<int, int>;
  std::vector<kv> left, right;
  for (int i = 0; i < 20; ++i) left.emplace_back(i % 5, i);
  for (int i = 0; i < 5; ++i) right.emplace_back(i, 10 * i);
  const auto p = left | ln::reduce_by_key(std::plus<>{}) |
                 ln::join(right | ln::map_values([](int x) { return x + 1; }));
  const auto steps = ln::plan::lineage_steps<decltype(p)>();
  REQUIRE(steps.size() == 5);
  CHECK(steps[0] == st::operator_entry{"source", "source", "", ln::detail::portable_type_name<kv>(), 0});
  CHECK(steps[1].kind == "wide");
  CHECK(steps[1].name == "reduce_by_key");
  CHECK(steps[2] == st::operator_entry{"source", "source", "", ln::detail::portable_type_name<kv>(), 1});
  CHECK(steps[3].name == "map_values");
  CHECK(steps[3].level == 1);
  CHECK(steps[4].name == "join");
  CHECK(steps[4].output == ln::detail::portable_type_name<ln::element_t<decltype(p)>>());
}

TEST_CASE("signature_mismatch says which operator changed", "[checkpoint][provenance][diff]") {
  scratch_dir dir;
  const auto v = iota_vector(50);
  (void)(v | ln::map([](int x) { return x * 1.5; }) | ln::checkpoint(dir.path(), failing()));

  // Same element type out, another operator in place 1.
  const auto e = error_of([&] {
    (void)(v | ln::filter([](int x) { return x > 2; }) | ln::map([](int x) { return x * 2.5; }) |
           ln::checkpoint(dir.path(), failing()));
  });
  CHECK(e.reason() == checkpoint_errc::signature_mismatch);
  CHECK(matches(e.what(), "operator 1 was map<int \u2192 double>, now filter<int>"));
  CHECK_FALSE(matches(e.what(), "source content changed"));
  CHECK_FALSE(matches(e.what(), "version tag"));

  // An operator added at the end.
  const auto added = error_of([&] {
    (void)(v | ln::map([](int x) { return x * 1.5; }) | ln::filter([](double d) { return d > 1; }) |
           ln::checkpoint(dir.path(), failing()));
  });
  CHECK(added.reason() == checkpoint_errc::signature_mismatch);
  CHECK(matches(added.what(), "operator 2 added: filter<double>$"));
}

TEST_CASE("signature_mismatch says the version tag changed", "[checkpoint][provenance][diff]") {
  scratch_dir dir;
  const auto v = iota_vector(10);
  (void)(v | ln::map([](int x) { return x + 1; }) | ln::checkpoint(dir.path(), failing("3")));
  const auto e = error_of(
      [&] { (void)(v | ln::map([](int x) { return x + 1; }) | ln::checkpoint(dir.path(), failing("4"))); });
  CHECK(e.reason() == checkpoint_errc::signature_mismatch);
  CHECK(matches(e.what(), "it was written by another lineage: version tag '3' \u2192 '4'$"));
}

TEST_CASE("signature_mismatch says the source content changed", "[checkpoint][provenance][diff]") {
  scratch_dir dir;
  const auto v = iota_vector(10);
  const auto w = iota_vector(10, 1);
  (void)(v | ln::map([](int x) { return x + 1; }) | ln::checkpoint(dir.path(), failing()));
  const auto e = error_of(
      [&] { (void)(w | ln::map([](int x) { return x + 1; }) | ln::checkpoint(dir.path(), failing())); });
  CHECK(e.reason() == checkpoint_errc::signature_mismatch);
  CHECK(matches(e.what(), "another lineage: source content changed$"));
}

TEST_CASE("a changed element type says so, and which operator changed it", "[checkpoint][provenance][diff]") {
  scratch_dir dir;
  const auto v = iota_vector(10);
  (void)(v | ln::map([](int x) { return x * 0.5; }) | ln::checkpoint(dir.path(), failing()));
  const auto e = error_of([&] {
    (void)(v | ln::map([](int x) { return static_cast<float>(x) * 0.5f; }) |
           ln::checkpoint(dir.path(), failing()));
  });
  CHECK(e.reason() == checkpoint_errc::type_mismatch);
  CHECK(matches(e.what(), "element type changed: 'double' \u2192 'float'"));
  CHECK(matches(e.what(), "operator 1 was map<int \u2192 double>, now map<int \u2192 float>"));
}

TEST_CASE("a recompute says what changed: recompute_reason and explain", "[checkpoint][provenance][diff]") {
  scratch_dir dir;
  const auto v = iota_vector(30);
  (void)(v | ln::map([](int x) { return x * 2; }) | ln::checkpoint(dir.path(), fast("a")));
  const auto again = v | ln::filter([](int x) { return x % 3 == 0; }) | ln::checkpoint(dir.path(), fast("b"));
  CHECK_FALSE(again.recovered());
  CHECK(matches(again.recompute_reason(), "^lineage signature mismatch: .*operator 1 was map<int>, now filter<int>; "
                                          "version tag 'a' \u2192 'b'$"));
  CHECK(matches(ln::explain(again), "\\[recomputed: lineage signature mismatch: .*operator 1 was map<int>"));
  // The data is the new lineage's (oracle: a loop).
  std::vector<int> expected;
  for (int x : v) {
    if (x % 3 == 0) expected.push_back(x);
  }
  CHECK((again | ln::collect()) == expected);

  // A damaged (cut) manifest is a recompute reason too.
  fs::resize_file(dir / "MANIFEST", 30);
  const auto repaired = v | ln::filter([](int x) { return x % 3 == 0; }) | ln::checkpoint(dir.path(), fast("b"));
  CHECK(matches(repaired.recompute_reason(), "^truncated: manifest is 30 bytes"));
}

TEST_CASE("a manifest written before format version 3 is still read", "[checkpoint][provenance][compat]") {
  scratch_dir scratch;
  const auto dir = scratch / "v2";
  fs::copy(fs::path(LINEAGE_TEST_DATA_DIR) / "checkpoint-manifest-v2", dir, fs::copy_options::recursive);

  const auto m = ln::read_manifest(dir);
  CHECK(m.format_version == 2);
  CHECK(m.version == "v2-fixture");
  CHECK(m.metadata == st::metadata_list{{"iteration", "7"}});
  CHECK(m.created == 0);
  CHECK(m.from.lineage.empty());
  CHECK(m.from.operators.empty());
  CHECK(ln::verify(dir).total_records() == 10);

  std::vector<int> squares;
  for (int i = 0; i < 10; ++i) squares.push_back(i * i);
  const auto recovered = ln::recover<int>(dir);
  CHECK((recovered | ln::collect()) == squares);
  CHECK(recovered.produced_by().empty());
  CHECK(recovered.created_unix_ms() == 0);
  CHECK(ln::explain(recovered).find("produced by") == std::string::npos);

  // The same lineage (its signature has not changed with the format) loads it...
  const auto v = iota_vector(10);
  auto options = failing("v2-fixture");
  const auto loaded = ln::parallelize(v, 2) | ln::map([](int x) { return x * x; }) | ln::checkpoint(dir, options);
  CHECK(loaded.recovered());
  CHECK((loaded | ln::collect()) == squares);
  // ...and another one is told what can be compared: the tag, not the steps.
  const auto e = error_of(
      [&] { (void)(ln::parallelize(v, 2) | ln::map([](int x) { return x * x; }) | ln::checkpoint(dir, failing("v3"))); });
  CHECK(e.reason() == checkpoint_errc::signature_mismatch);
  CHECK(matches(e.what(), "version tag 'v2-fixture' \u2192 'v3'$"));
  const auto other = error_of(
      [&] { (void)(ln::parallelize(v, 2) | ln::map([](int x) { return x + x; }) | ln::filter([](int) { return true; }) |
                   ln::checkpoint(dir, failing("v2-fixture"))); });
  CHECK(matches(other.what(), "format version 2, records no steps to compare"));
  // A rewrite by this build upgrades it to version 3.
  const auto rewritten = ln::parallelize(v, 2) | ln::map([](int x) { return x * x; }) | ln::checkpoint(dir, fast("v3"));
  CHECK(ln::read_manifest(dir).format_version == 3);
  CHECK((rewritten | ln::collect()) == squares);
}

TEST_CASE("version 3 fields: encoded, decoded, bounded", "[storage][provenance]") {
  st::manifest m;
  m.element_type = "int";
  m.generation = 4;
  m.signature = 99;
  m.partitioner = "none";
  m.created = 1234567;
  m.from.lineage = "stage 1: range<int> -> map";
  m.from.source_identity = 42;
  m.from.operators = {{"source", "source", "", "int", 0}, {"wide", "reduce_by_key", "a", "b", 2}};
  m.content_id = st::format::compute_content_id(m.partitions);
  const auto bytes = st::format::encode_manifest(m);
  CHECK(st::format::decode_manifest(bytes, "MANIFEST") == m);

  SECTION("an older layout has no room for them") {
    auto old = m;
    old.format_version = 2;
    CHECK_THROWS_AS(st::format::encode_manifest(old), std::logic_error);
  }
  SECTION("an unknown kind, or too many operators, is malformed") {
    auto bad = m;
    bad.from.operators[1].kind = "sideways";
    CHECK(error_of([&] { st::format::decode_manifest(st::format::encode_manifest(bad), "MANIFEST"); }).reason() ==
          checkpoint_errc::not_a_checkpoint);
    bad = m;
    bad.from.operators.resize(st::format::max_operators + 1, m.from.operators[0]);
    CHECK(error_of([&] { st::format::decode_manifest(st::format::encode_manifest(bad), "MANIFEST"); }).reason() ==
          checkpoint_errc::not_a_checkpoint);
    bad = m;
    bad.from.lineage.assign(st::format::max_lineage_text + 1, 'x');
    CHECK(error_of([&] { st::format::decode_manifest(st::format::encode_manifest(bad), "MANIFEST"); }).reason() ==
          checkpoint_errc::not_a_checkpoint);
  }
  SECTION("a writer cuts them to their bounds") {
    st::provenance big;
    big.lineage = std::string(st::format::max_lineage_text - 4, 'x') + "\u2192\u2192";  // cut inside a character
    big.operators.resize(st::format::max_operators + 10, {"narrow", "map", std::string(5000, 'i'), "o", 0});
    const auto cut = st::format::bounded_provenance(big);
    CHECK(cut.lineage.size() <= st::format::max_lineage_text);
    CHECK(cut.lineage.substr(cut.lineage.size() - 3) == "...");
    CHECK(cut.lineage.find('\xE2') == std::string::npos);  // no half character left
    CHECK(cut.operators.size() == st::format::max_operators);
    CHECK(cut.operators[0].input.size() == st::format::max_operator_type);
  }
}
