// The structural schema in checkpoints (issue 7, item 12): a user struct whose serialize changed
// between the run that wrote a checkpoint and the run that reads it.
//
// One test binary cannot hold two definitions of one struct, so each "before" and "after" pair is
// two types in two namespaces that pin the same element-type name (type_fingerprint), as one type
// rebuilt by another program would. The "before" checkpoint is written through the storage writer
// with the lineage signature of the "after" pipeline (identity_policy::none: the signature is
// then a function of the pipeline's type and the version tag), so that the element's schema is
// the only thing that differs.
#include "storage_test_support.hpp"

#include <lineage/checkpoint.hpp>
#include <lineage/lineage.hpp>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <optional>
#include <string>
#include <vector>

namespace ln = lineage;
using namespace storage_test;

// Reordered fields of two types: {int, double} -> {double, int}. 12 bytes either way: the old
// bytes decode as the new type without any error, into garbage.
namespace before_reorder {
struct rec {
  std::int32_t id = 0;
  double score = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(id, score);
  }
};
}  // namespace before_reorder
namespace after_reorder {
struct rec {
  double score = 0;
  std::int32_t id = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(score, id);
  }
  friend bool operator==(const rec&, const rec&) = default;
};
}  // namespace after_reorder

// A field's type changed: {int32, float} -> {int32, int32}. Same size: garbage, no error.
namespace before_retype {
struct rec {
  std::int32_t id = 0;
  float weight = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(id, weight);
  }
};
}  // namespace before_retype
namespace after_retype {
struct rec {
  std::int32_t id = 0;
  std::int32_t weight = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(id, weight);
  }
  friend bool operator==(const rec&, const rec&) = default;
};
}  // namespace after_retype

// A field added: {int32} -> {int32, int32}.
namespace before_grow {
struct rec {
  std::int32_t id = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(id);
  }
};
}  // namespace before_grow
namespace after_grow {
struct rec {
  std::int32_t id = 0;
  std::int32_t extra = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(id, extra);
  }
  friend bool operator==(const rec&, const rec&) = default;
};
}  // namespace after_grow

#define SCHEMA_TEST_PIN_NAME(type)                                 \
  template <>                                                      \
  struct lineage::storage::type_fingerprint<type> {                \
    static std::string name() { return "schema_test::rec"; }       \
  }
SCHEMA_TEST_PIN_NAME(before_reorder::rec);
SCHEMA_TEST_PIN_NAME(after_reorder::rec);
SCHEMA_TEST_PIN_NAME(before_retype::rec);
SCHEMA_TEST_PIN_NAME(after_retype::rec);
SCHEMA_TEST_PIN_NAME(before_grow::rec);
SCHEMA_TEST_PIN_NAME(after_grow::rec);

namespace {

constexpr std::size_t record_count = 40;
constexpr std::size_t partition_count = 4;

ln::checkpoint_options options_for(ln::mismatch_policy policy) {
  ln::checkpoint_options options;
  options.durable = false;
  options.version = "v";
  options.on_mismatch = policy;
  options.source_identity = ln::identity_policy::none;
  return options;
}

std::vector<int> ids() {
  std::vector<int> out(record_count);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<int>(i * 7 + 1);
  return out;
}

template <class After>
After make_after(int id);
template <>
after_reorder::rec make_after<after_reorder::rec>(int id) {
  return {id * 0.5, id};
}
template <>
after_retype::rec make_after<after_retype::rec>(int id) {
  return {id, id * 3};
}
template <>
after_grow::rec make_after<after_grow::rec>(int id) {
  return {id, -id};
}

template <class Before>
Before make_before(int id);
template <>
before_reorder::rec make_before<before_reorder::rec>(int id) {
  return {id, id * 0.25};
}
template <>
before_retype::rec make_before<before_retype::rec>(int id) {
  return {id, static_cast<float>(id) * 1.5f};
}
template <>
before_grow::rec make_before<before_grow::rec>(int id) {
  return {id};
}

// The "after" pipeline: parallelized ids, mapped to After by a function that counts its calls.
template <class After>
auto after_pipeline(std::atomic<std::size_t>& calls) {
  return ln::parallelize(ids(), partition_count) | ln::map([&calls](int id) {
           calls.fetch_add(1, std::memory_order_relaxed);
           return make_after<After>(id);
         });
}

template <class After>
std::uint64_t after_signature() {
  std::atomic<std::size_t> unused{0};
  using P = decltype(after_pipeline<After>(unused));
  return ln::plan::lineage_signature<P, int>(options_for(ln::mismatch_policy::recompute).version, 0);
}

// What an earlier build of the program wrote: Before records, under the After pipeline's signature.
template <class Before, class After>
void write_before(const fs::path& dir) {
  const auto all = ids();
  st::checkpoint_writer writer(dir, options_for(ln::mismatch_policy::recompute));
  for (std::size_t p = 0; p < partition_count; ++p) {
    std::vector<Before> part;
    for (std::size_t i = p * record_count / partition_count; i < (p + 1) * record_count / partition_count; ++i) {
      part.push_back(make_before<Before>(all[i]));
    }
    writer.write_partition(p, part);
  }
  writer.commit(st::element_type_name<Before>(), after_signature<After>(), "v", "none");
}

template <class After>
std::vector<After> expected_after() {
  std::vector<After> out;
  for (int id : ids()) out.push_back(make_after<After>(id));
  return out;
}

bool mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The reason and message of what `action` throws; nullopt if it throws nothing (then the
// checks below fail without stopping the test case, so that every outcome is reported).
template <class F>
std::optional<checkpoint_error> thrown_by(F&& action) {
  try {
    action();
  } catch (const checkpoint_error& e) {
    return e;
  }
  return std::nullopt;
}

void check_schema_error(const std::optional<checkpoint_error>& e, const std::string& expected_text) {
  CHECK(e.has_value());
  if (!e) return;
  INFO(e->what());
  CHECK(e->reason() == checkpoint_errc::type_mismatch);
  CHECK(mentions(e->what(), expected_text));
}

template <class Before, class After>
void check_schema_change(const std::string& old_text, const std::string& new_text) {
  REQUIRE(st::element_type_name<Before>() == st::element_type_name<After>());
  temp_dir tmp;
  const auto dir = tmp / "ck";

  // recover / open_checkpoint / read_manifest have no lineage: the layout changed without a class
  // version bump, so decoding would give garbage: type_mismatch, naming both schemas.
  write_before<Before, After>(dir);
  const std::string changed = "schema changed: was " + old_text + ", now " + new_text;
  check_schema_error(thrown_by([&] { (void)ln::recover<After>(dir); }), changed);
  check_schema_error(thrown_by([&] { (void)(ln::open_checkpoint<After>(dir) | ln::collect()); }), changed);
  check_schema_error(thrown_by([&] { (void)st::read_manifest<After>(dir); }), changed);

  // get-or-create with on_mismatch = fail: type_mismatch before anything is evaluated.
  std::atomic<std::size_t> calls{0};
  check_schema_error(thrown_by([&] {
                       (void)(after_pipeline<After>(calls) | ln::checkpoint(dir, options_for(ln::mismatch_policy::fail)));
                     }),
                     changed);
  CHECK(calls == 0);

  // get-or-create by default: recomputed in full (every upstream element evaluated once), not
  // "recovered", not "repaired", and the rewritten checkpoint then recovers.
  const auto c = after_pipeline<After>(calls) | ln::checkpoint(dir, options_for(ln::mismatch_policy::recompute));
  CHECK(calls == record_count);
  CHECK_FALSE(c.recovered());
  CHECK(c.repaired_partitions().empty());
  CHECK((c | ln::collect()) == expected_after<After>());
  CHECK((ln::recover<After>(dir) | ln::collect()) == expected_after<After>());
  calls = 0;
  const auto again = after_pipeline<After>(calls) | ln::checkpoint(dir, options_for(ln::mismatch_policy::fail));
  CHECK(calls == 0);
  CHECK(again.recovered());
}

}  // namespace

TEST_CASE("schema in checkpoints: reordered fields of different types are a schema change", "[checkpoint][schema]") {
  check_schema_change<before_reorder::rec, after_reorder::rec>("{int32,float64}", "{float64,int32}");
}

TEST_CASE("schema in checkpoints: a field's changed type is a schema change", "[checkpoint][schema]") {
  check_schema_change<before_retype::rec, after_retype::rec>("{int32,float32}", "{int32,int32}");
}

TEST_CASE("schema in checkpoints: an added field is a schema change", "[checkpoint][schema]") {
  check_schema_change<before_grow::rec, after_grow::rec>("{int32}", "{int32,int32}");
}

// ---------------------------------------------------------------------------------------------
// Class versions: a reader without a lineage trusts a versioned load() when the class version
// changed, and refuses a layout change that kept the version.
namespace before_bump {
struct rec {
  std::int32_t id = 0;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t const /*version*/) {
    ar(id);
  }
};
}  // namespace before_bump
namespace after_bump {
struct rec {
  std::int32_t id = 0;
  std::int32_t extra = -1;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t const version) {
    ar(id);
    if (version >= 2) ar(extra);
  }
  friend bool operator==(const rec&, const rec&) = default;
};
}  // namespace after_bump
namespace before_same_version {
struct rec {
  std::int32_t id = 0;
  float weight = 0;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t const /*version*/) {
    ar(id, weight);
  }
};
}  // namespace before_same_version
namespace after_same_version {
struct rec {
  float weight = 0;
  std::int32_t id = 0;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t const /*version*/) {
    ar(weight, id);
  }
};
}  // namespace after_same_version
CEREAL_CLASS_VERSION(before_bump::rec, 1);
CEREAL_CLASS_VERSION(after_bump::rec, 2);
CEREAL_CLASS_VERSION(before_same_version::rec, 3);
CEREAL_CLASS_VERSION(after_same_version::rec, 3);
SCHEMA_TEST_PIN_NAME(before_bump::rec);
SCHEMA_TEST_PIN_NAME(after_bump::rec);
SCHEMA_TEST_PIN_NAME(before_same_version::rec);
SCHEMA_TEST_PIN_NAME(after_same_version::rec);

namespace {
template <>
after_bump::rec make_after<after_bump::rec>(int id) {
  return {id, id + 1};
}
template <>
before_bump::rec make_before<before_bump::rec>(int id) {
  return {id};
}
}  // namespace

TEST_CASE("schema in checkpoints: a class version bump is trusted by recover, recomputed by get-or-create",
          "[checkpoint][schema]") {
  CHECK(st::schema_of<before_bump::rec>().text == "{int32}@1");
  CHECK(st::schema_of<after_bump::rec>().text == "{int32,int32}@2");
  temp_dir tmp;
  const auto dir = tmp / "ck";
  write_before<before_bump::rec, after_bump::rec>(dir);

  // recover: the class version changed, so after_bump's load() reads version 1 (no `extra`).
  std::vector<after_bump::rec> old_layout;
  for (int id : ids()) old_layout.push_back({id, -1});
  CHECK((ln::recover<after_bump::rec>(dir) | ln::collect()) == old_layout);
  CHECK((ln::open_checkpoint<after_bump::rec>(dir) | ln::collect()) == old_layout);

  // get-or-create has the lineage: any schema change recomputes (with fail: type_mismatch).
  std::atomic<std::size_t> calls{0};
  check_schema_error(thrown_by([&] {
                       (void)(after_pipeline<after_bump::rec>(calls) |
                              ln::checkpoint(dir, options_for(ln::mismatch_policy::fail)));
                     }),
                     "schema changed: was {int32}@1, now {int32,int32}@2");
  CHECK(calls == 0);
  const auto c = after_pipeline<after_bump::rec>(calls) | ln::checkpoint(dir, options_for(ln::mismatch_policy::recompute));
  CHECK(calls == record_count);
  CHECK_FALSE(c.recovered());
  CHECK((c | ln::collect()) == expected_after<after_bump::rec>());
}

TEST_CASE("schema in checkpoints: a layout change under the same class version is refused by recover",
          "[checkpoint][schema]") {
  temp_dir tmp;
  const auto dir = tmp / "ck";
  {
    st::checkpoint_writer writer(dir, scratch_options());
    writer.write_partition(0, std::vector<before_same_version::rec>{{1, 2.5f}, {3, 4.5f}});
    writer.commit<before_same_version::rec>(1, "", "none");
  }
  check_schema_error(thrown_by([&] { (void)ln::recover<after_same_version::rec>(dir); }),
                     "schema changed: was {int32,float32}@3, now {float32,int32}@3");
  check_schema_error(thrown_by([&] { (void)st::load_partition<after_same_version::rec>(dir, st::verify(dir), 0); }),
                     "no cereal class version changed");
}

// ---------------------------------------------------------------------------------------------
// The manifest, format version 2: layout, metadata, bounds; version 1 still read.
namespace {

// A version 1 manifest built by hand from the layout documented in format.hpp (not with the
// library's encoder, so that a change of both would not go unnoticed).
std::vector<std::byte> v1_manifest_bytes(const st::manifest& m) {
  st::format::byte_writer w;
  w.bytes("LNGMNFST", 8);
  w.u32(0x01020304u);
  w.u32(1);
  w.u64(0);
  w.u64(m.generation);
  w.str(m.element_type);
  w.u64(m.signature);
  w.str(m.version);
  w.u64(m.content_id);
  w.str(m.partitioner);
  w.u64(m.partitions.size());
  for (const auto& p : m.partitions) {
    w.str(p.file);
    w.u64(p.records);
    w.u64(p.bytes);
    w.u64(p.checksum);
  }
  auto& out = w.data();
  const std::uint64_t body = out.size() - 24;
  std::memcpy(out.data() + 16, &body, 8);
  w.u64(XXH3_64bits(out.data(), out.size()));
  return out;
}

// Rewrites the checksum of a manifest image whose bytes a test changed.
void reseal(std::vector<std::byte>& bytes) {
  const std::uint64_t sum = XXH3_64bits(bytes.data(), bytes.size() - 8);
  std::memcpy(bytes.data() + bytes.size() - 8, &sum, 8);
}

}  // namespace

TEST_CASE("manifest format 2: byte layout of the schema and metadata fields", "[storage][schema]") {
  temp_dir tmp;
  const auto dir = tmp / "ck";
  st::checkpoint_writer writer(dir, scratch_options());
  writer.write_partition(0, std::vector<after_reorder::rec>{{1.5, 2}});
  const st::metadata_list metadata{{"created", "2026-11-30T13:00:00Z"}, {"lineage", "parallelize | map"}};
  const auto m = writer.commit<after_reorder::rec>(9, "v", "none", metadata);
  CHECK(m.format_version == st::manifest_format_version);
  CHECK(m.metadata == metadata);
  const auto& schema = st::schema_of<after_reorder::rec>();
  CHECK(m.schema_text == schema.text);
  CHECK(m.schema_hash == schema.hash);
  CHECK(m.class_versions_hash == schema.class_versions_hash);

  const auto bytes = read_bytes(dir / "MANIFEST");
  CHECK(st::format::load_u32(bytes.data() + 12) == st::manifest_format_version);
  st::format::byte_reader r(std::span<const std::byte>(bytes).subspan(24, bytes.size() - 32));
  std::uint64_t generation = 0, schema_hash = 0, versions_hash = 0, signature = 0, content_id = 0, count = 0;
  std::string type, text, version, partitioner;
  REQUIRE(r.u64(generation));
  REQUIRE(r.str(type));
  REQUIRE(r.u64(schema_hash));
  REQUIRE(r.u64(versions_hash));
  REQUIRE(r.str(text));
  REQUIRE(r.u64(signature));
  REQUIRE(r.str(version));
  REQUIRE(r.u64(content_id));
  REQUIRE(r.str(partitioner));
  REQUIRE(r.u64(count));
  CHECK(generation == m.generation);
  CHECK(type == "schema_test::rec");
  CHECK(schema_hash == schema.hash);
  CHECK(versions_hash == schema.class_versions_hash);
  CHECK(text == "{float64,int32}");
  CHECK(signature == 9);
  CHECK(version == "v");
  CHECK(partitioner == "none");
  REQUIRE(count == 1);
  std::string file;
  std::uint64_t records = 0, size = 0, checksum = 0;
  REQUIRE(r.str(file));
  REQUIRE(r.u64(records));
  REQUIRE(r.u64(size));
  REQUIRE(r.u64(checksum));
  std::uint32_t entries = 0;
  REQUIRE(r.u32(entries));
  CHECK(entries == 2);
  for (const auto& [key, value] : metadata) {
    std::string k, v;
    REQUIRE(r.str(k));
    REQUIRE(r.str(v));
    CHECK(k == key);
    CHECK(v == value);
  }
  // Version 3: creation time, source identity, lineage text, steps (none: committed directly).
  std::uint64_t created = 0, identity = 0;
  std::string lineage_text;
  std::uint32_t steps = 1;
  REQUIRE(r.u64(created));
  REQUIRE(r.u64(identity));
  REQUIRE(r.str(lineage_text));
  REQUIRE(r.u32(steps));
  CHECK(created == m.created);
  CHECK(identity == 0);
  CHECK(lineage_text.empty());
  CHECK(steps == 0);
  CHECK(r.remaining() == 0);
  CHECK(st::verify(dir) == m);
}

TEST_CASE("manifest format 1 is still read: no schema, matched by the element type name", "[storage][schema]") {
  temp_dir tmp;
  const auto dir = tmp / "ck";
  std::atomic<std::size_t> calls{0};
  (void)(after_pipeline<after_reorder::rec>(calls) | ln::checkpoint(dir, options_for(ln::mismatch_policy::fail)));
  CHECK(calls == record_count);
  auto m = st::verify(dir);
  REQUIRE(m.has_schema());
  m.format_version = 1;
  m.schema_hash = m.class_versions_hash = 0;
  m.schema_text.clear();
  m.created = 0;
  m.from = {};
  const auto v1 = v1_manifest_bytes(m);
  CHECK(st::format::encode_manifest(m) == v1);  // the kept version 1 encoder writes the same bytes
  write_bytes(dir / "MANIFEST", v1);

  const auto read = st::verify(dir);
  CHECK(read.format_version == 1);
  CHECK_FALSE(read.has_schema());
  CHECK(read.metadata.empty());
  CHECK(read == m);
  CHECK((ln::recover<after_reorder::rec>(dir) | ln::collect()) == expected_after<after_reorder::rec>());
  calls = 0;
  const auto again = after_pipeline<after_reorder::rec>(calls) | ln::checkpoint(dir, options_for(ln::mismatch_policy::fail));
  CHECK(calls == 0);
  CHECK(again.recovered());
  // Without a schema only the name is compared, as version 1 did: another layout of the same name
  // is not detected before decoding (here it decodes: the same bytes per record).
  CHECK(ln::recover<before_reorder::rec>(dir).size() == record_count);
  // A version 1 manifest cannot carry a schema or metadata.
  m.metadata = {{"k", "v"}};
  CHECK_THROWS_AS(st::format::encode_manifest(m), std::logic_error);
}

TEST_CASE("manifest metadata: bounds on write, validation on read", "[storage][schema]") {
  temp_dir tmp;
  const auto dir = tmp / "ck";
  const auto first = write_checkpoint<int>(dir, {{1, 2}});
  const auto refused = [&](st::metadata_list metadata) {
    st::checkpoint_writer writer(dir, scratch_options());
    writer.write_partition(0, std::vector<int>{3});
    CHECK_THROWS_AS(writer.commit<int>(7, "", "none", std::move(metadata)), std::invalid_argument);
  };
  refused({{"", "empty key"}});
  refused({{"k", "1"}, {"k", "2"}});
  refused({{std::string(st::format::max_metadata_key + 1, 'k'), ""}});
  refused({{"k", std::string(st::format::max_metadata_value + 1, 'v')}});
  refused(st::metadata_list(st::format::max_metadata_entries + 1, {"k", "v"}));
  CHECK(st::verify(dir) == first);  // nothing was committed
  CHECK(tree(dir) == clean_tree(first));

  // At the bounds: committed and read back.
  st::metadata_list full;
  for (std::size_t i = 0; i < 16; ++i) {
    full.emplace_back(std::string(st::format::max_metadata_key - 3, 'k') + std::to_string(100 + i),
                      std::string(st::format::max_metadata_value, 'v'));
  }
  {
    st::checkpoint_writer writer(dir, scratch_options());
    writer.write_partition(0, std::vector<int>{4});
    CHECK(writer.commit<int>(7, "", "none", full).metadata == full);
  }
  CHECK(st::verify(dir).metadata == full);

  // Forged manifests (valid checksums): every bound is checked on read.
  const auto small = write_checkpoint<int>(dir, {{5}});
  const auto forged = [&](const st::manifest& m) {
    write_bytes(dir / "MANIFEST", st::format::encode_manifest(m));
    return error_of([&] { st::verify(dir); }).reason();
  };
  auto m = small;
  m.metadata = {{"k", "1"}, {"k", "2"}};
  CHECK(forged(m) == checkpoint_errc::not_a_checkpoint);
  m.metadata = {{"", "v"}};
  CHECK(forged(m) == checkpoint_errc::not_a_checkpoint);
  m = small;
  m.schema_text = std::string(st::format::max_schema_text + 1, 'x');
  CHECK(forged(m) == checkpoint_errc::not_a_checkpoint);
  m = small;
  m.schema_text.clear();
  m.schema_hash = 1;
  CHECK(forged(m) == checkpoint_errc::not_a_checkpoint);

  // A metadata count claiming more entries than the bytes left (the last 4 bytes before the
  // checksum are the count of a manifest without metadata).
  m = small;
  m.metadata.clear();
  auto bytes = st::format::encode_manifest(m);
  const std::uint32_t huge = 0xFFFFFFFFu;
  std::memcpy(bytes.data() + bytes.size() - 12, &huge, 4);
  reseal(bytes);
  write_bytes(dir / "MANIFEST", bytes);
  CHECK(error_of([&] { st::verify(dir); }).reason() == checkpoint_errc::not_a_checkpoint);
  const std::uint32_t one = 1;  // one entry, but no bytes for it
  std::memcpy(bytes.data() + bytes.size() - 12, &one, 4);
  reseal(bytes);
  write_bytes(dir / "MANIFEST", bytes);
  CHECK(error_of([&] { st::verify(dir); }).reason() == checkpoint_errc::not_a_checkpoint);
}
