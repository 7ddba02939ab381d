// Storage round trips: every supported kind of element, class versioning, generations, the
// writer's protocol, and the archive's own guarantees.
#include "storage_test_support.hpp"

#include <lineage/storage/testing/fault_file_system.hpp>
#include <lineage/storage/testing/memory_file_system.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <list>
#include <map>
#include <optional>
#include <ranges>
#include <set>
#include <span>
#include <string>
#include <thread>
#include <tuple>

#include <sys/wait.h>
#include <unistd.h>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

using namespace storage_test;

namespace {

struct point {
  int x = 0;
  double y = 0;
  std::string label;
  std::vector<int> tags;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(x, y, label, tags);
  }
  friend bool operator==(const point&, const point&) = default;
};

struct not_serializable {
  int x = 0;
};

struct empty_record {
  template <class Archive>
  void serialize(Archive&) {}
};

template <class T>
void check_round_trip(const partitions<T>& parts) {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  const auto m = write_checkpoint(dir, parts);
  CHECK(m.element_type == st::element_type_name<T>());
  CHECK(m.partitions.size() == parts.size());
  std::uint64_t total = 0;
  for (const auto& p : parts) total += p.size();
  CHECK(m.total_records() == total);
  CHECK(load_checkpoint<T>(dir) == parts);
  CHECK(st::verify(dir) == m);
  // The payload checksum is the content hash of the partition's records.
  for (std::size_t i = 0; i < parts.size(); ++i) CHECK(m.partitions[i].checksum == st::content_hash(parts[i]));
}

}  // namespace

// Class versioning: a v1 struct's checkpoint loads after the struct gained a field in v2. The two
// versions are two types here, so both pin the same fingerprint (as a renamed type would).
// Their schemas differ ({int32,string}@1, {int32,string,float64}@2) and so do their class
// versions: a reader without a lineage trusts the versioned load() (reader.hpp,
// check_element_type), which is what this case exercises; the reverse direction still fails
// to decode (bytes left over), as type_mismatch. Get-or-create would recompute instead.
namespace v1 {
struct record {
  int id = 0;
  std::string name;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t const /*version*/) {
    ar(id, name);
  }
};
}  // namespace v1
namespace v2 {
struct record {
  int id = 0;
  std::string name;
  double score = -1;
  template <class Archive>
  void serialize(Archive& ar, std::uint32_t const version) {
    ar(id, name);
    if (version >= 2) ar(score);
  }
  friend bool operator==(const record&, const record&) = default;
};
}  // namespace v2
CEREAL_CLASS_VERSION(v1::record, 1);
CEREAL_CLASS_VERSION(v2::record, 2);
template <>
struct lineage::storage::type_fingerprint<v1::record> {
  static std::string name() { return "storage_test::record"; }
};
template <>
struct lineage::storage::type_fingerprint<v2::record> {
  static std::string name() { return "storage_test::record"; }
};

static_assert(st::serializable<int>);
static_assert(st::serializable<std::string>);
static_assert(st::serializable<std::pair<int, std::string>>);
static_assert(st::serializable<std::map<std::string, std::vector<double>>>);
static_assert(st::serializable<std::variant<int, std::string>>);
static_assert(st::serializable<std::optional<point>>);
static_assert(st::serializable<empty_record>);
static_assert(!st::serializable<not_serializable>);
static_assert(!st::serializable<std::vector<not_serializable>>);
static_assert(!st::serializable<std::pair<int, not_serializable>>);
static_assert(!st::serializable<std::map<int, std::optional<not_serializable>>>);
static_assert(!st::serializable<int*>);

TEST_CASE("storage: arithmetic records round trip", "[storage]") {
  check_round_trip<int>({{1, -2, 3}, {}, {std::numeric_limits<int>::min(), std::numeric_limits<int>::max()}});
  check_round_trip<double>({{0.5, -1e300, std::numeric_limits<double>::denorm_min()}, {42.0}});
  check_round_trip<std::uint8_t>({{0, 255, 7}});
  check_round_trip<std::int64_t>({{std::numeric_limits<std::int64_t>::min(), 0, 1}});
  check_round_trip<char>({{'a', '\0', 'z'}});
  check_round_trip<bool>({{true, false, true, true}, {false}});
  check_round_trip<float>({{1.5f, -0.0f}});
}

TEST_CASE("storage: strings, pairs, tuples and containers round trip", "[storage]") {
  check_round_trip<std::string>({{"", "a", std::string(1000, 'x'), std::string("nul\0inside", 10)}, {"second"}});
  check_round_trip<std::pair<int, std::string>>({{{1, "one"}, {2, "two"}}, {{-3, ""}}});
  check_round_trip<std::tuple<int, double, std::string>>({{{1, 2.5, "x"}, {0, 0, ""}}});
  check_round_trip<std::vector<int>>({{{}, {1, 2, 3}, std::vector<int>(500, 9)}});
  check_round_trip<std::vector<std::string>>({{{"a", "b"}, {}}});
  check_round_trip<std::map<std::string, int>>({{{{"a", 1}, {"b", 2}}, {}}});
  check_round_trip<std::unordered_map<int, std::vector<double>>>({{{{1, {1.0, 2.0}}, {2, {}}}}});
  check_round_trip<std::pair<std::string, std::pair<int, std::optional<double>>>>(
      {{{"k", {1, 2.0}}, {"k", {2, std::nullopt}}}});
}

TEST_CASE("storage: optionals, variants and user structs round trip", "[storage]") {
  check_round_trip<std::optional<int>>({{1, std::nullopt, 3}});
  check_round_trip<std::optional<std::string>>({{std::nullopt, "x"}});
  check_round_trip<std::variant<int, std::string, double>>({{1, "two", 3.0, std::string()}});
  check_round_trip<std::variant<std::monostate, point>>({{std::monostate{}, point{1, 2.0, "p", {3}}}});
  check_round_trip<point>({{point{1, 2.5, "a", {1, 2}}, point{}}, {point{-7, 1e9, std::string(300, 'q'), {}}}});
}

TEST_CASE("storage: empty checkpoints round trip", "[storage]") {
  check_round_trip<int>({});
  check_round_trip<std::string>({{}, {}});
}

TEST_CASE("storage: a v1 struct's checkpoint loads as v2 (cereal class versioning)", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  CHECK(st::schema_of<v1::record>().text == "{int32,string}@1");
  CHECK(st::schema_of<v2::record>().text == "{int32,string,float64}@2");
  CHECK(st::schema_of<v1::record>().class_versions_hash != st::schema_of<v2::record>().class_versions_hash);
  write_checkpoint<v1::record>(dir, {{{1, "one"}, {2, "two"}}, {{3, "three"}}});
  CHECK(st::verify(dir).schema_text == "{int32,string}@1");
  const auto loaded = load_checkpoint<v2::record>(dir);
  const partitions<v2::record> expected{{{1, "one", -1}, {2, "two", -1}}, {{3, "three", -1}}};
  CHECK(loaded == expected);

  // v2 round trips its new field; a v1 reader cannot read v2 and says so (no silent garbage).
  write_checkpoint<v2::record>(dir, {{{4, "four", 0.25}}});
  CHECK(load_checkpoint<v2::record>(dir) == partitions<v2::record>{{{4, "four", 0.25}}});
  CHECK(load_error<v1::record>(dir) == checkpoint_errc::type_mismatch);
}

TEST_CASE("storage: any input range can be written, and its content hash matches", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  std::vector<int> data(1000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<int>(i * i);
  auto odd = data | std::views::filter([](int x) { return x % 2 != 0; });
  {
    st::checkpoint_writer writer(dir, scratch_options());
    writer.write_partition<int>(0, std::span<const int>(data));
    const auto info = writer.write_partition(1, odd);
    CHECK(info.records == 500);
    writer.commit(st::element_type_name<int>(), 1, "", "none");
  }
  std::vector<int> odd_values(odd.begin(), odd.end());
  CHECK(load_checkpoint<int>(dir) == partitions<int>{data, odd_values});
  // content_hash: the raw-bytes fast path and the archive path agree.
  std::list<int> as_list(data.begin(), data.end());
  CHECK(st::content_hash(data) == st::content_hash(as_list));
  CHECK(st::content_hash(data) != st::content_hash(odd_values));
  CHECK(st::content_hash(std::vector<std::string>{"ab"}) != st::content_hash(std::vector<std::string>{"a", "b"}));
}

TEST_CASE("storage: large arithmetic partitions use the block path and round trip", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  std::vector<double> big(3 << 20);  // 24 MiB: larger than the archive buffer and the read chunk
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<double>(i) * 0.5;
  std::vector<std::string> strings;
  for (int i = 0; i < 20000; ++i) strings.push_back(std::string(static_cast<std::size_t>(i % 97), 'a' + i % 26));
  write_checkpoint<double>(dir, {big});
  CHECK(load_checkpoint<double>(dir) == partitions<double>{big});
  write_checkpoint<std::string>(dir, {strings, {std::string(600 << 10, 'z')}});
  CHECK(load_checkpoint<std::string>(dir) == partitions<std::string>{strings, {std::string(600 << 10, 'z')}});
}

TEST_CASE("storage: partitions written from several threads", "[storage][par]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  partitions<std::string> parts(8);
  for (std::size_t p = 0; p < parts.size(); ++p) {
    for (std::size_t i = 0; i < 200 + p * 10; ++i) parts[p].push_back(std::to_string(p) + ":" + std::to_string(i));
  }
  {
    st::checkpoint_writer writer(dir, durable_options());
    std::vector<std::thread> threads;
    for (std::size_t t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (std::size_t p = t; p < parts.size(); p += 4) writer.write_partition(p, parts[p]);
      });
    }
    for (auto& thread : threads) thread.join();
    writer.commit(st::element_type_name<std::string>(), 1, "", "none");
  }
  CHECK(load_checkpoint<std::string>(dir) == parts);
}

TEST_CASE("storage: manifest fields and content id", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  st::manifest m;
  {
    st::checkpoint_writer writer(dir, scratch_options());
    writer.write_partition(0, std::vector<int>{1, 2});
    writer.write_partition(1, std::vector<int>{3});
    m = writer.commit("my-type", 0xabcdef, "v7", "hash:2");
  }
  const auto read = st::try_read_manifest(dir);
  REQUIRE(read);
  CHECK(*read == m);
  CHECK(read->format_version == st::current_format_version);
  CHECK(read->element_type == "my-type");
  CHECK(read->signature == 0xabcdef);
  CHECK(read->version == "v7");
  CHECK(read->partitioner == "hash:2");
  CHECK(read->total_records() == 3);
  CHECK(read->total_bytes() == 2 * st::format::partition_overhead + 12);
  CHECK(read->partitions[0].bytes == fs::file_size(dir / read->partitions[0].file));
  // The content id depends on the partitions' checksums only.
  write_checkpoint<int>(tmp / "other", {{1, 2}, {3}}, scratch_options(), st::default_file_system(), 99);
  CHECK(st::try_read_manifest(tmp / "other")->content_id == m.content_id);
  write_checkpoint<int>(tmp / "other", {{1, 2}, {4}});
  CHECK(st::try_read_manifest(tmp / "other")->content_id != m.content_id);
}

TEST_CASE("storage: generations: keep_last, and older ones deleted only after the commit", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  for (int i = 1; i <= 5; ++i) {
    const auto m = write_checkpoint<int>(dir, {{i}}, scratch_options(3));
    CHECK(m.generation == static_cast<std::uint64_t>(i));
  }
  CHECK(tree(dir) == std::set<std::string>{"LOCK", "MANIFEST", "g3/", "g3/GENERATION", "g3/part-00000", "g4/",
                                           "g4/GENERATION", "g4/part-00000", "g5/", "g5/GENERATION",
                                           "g5/part-00000"});
  CHECK(load_checkpoint<int>(dir) == partitions<int>{{5}});
  const auto m = write_checkpoint<int>(dir, {{6}});  // keep_last = 1
  CHECK(tree(dir) == clean_tree(m));
  write_checkpoint<int>(dir, {{7}}, scratch_options(0));  // 0 counts as 1
  CHECK(load_checkpoint<int>(dir) == partitions<int>{{7}});
  CHECK(tree(dir).size() == 5);
}

TEST_CASE("storage: the durable protocol's order of operations", "[storage]") {
  temp_dir tmp;
  const auto root = tmp / "root";
  const auto dir = root / "ckpt";
  fs::create_directories(root);
  st::testing::fault_file_system faults(root, tmp / "scratch");
  write_checkpoint<int>(dir, {{1}}, durable_options(), faults);
  faults.clear_log();
  write_checkpoint<int>(dir, {{2, 3}, {4}}, durable_options(), faults);
  const auto log = faults.log();
  const auto find = [&](const std::string& needle, std::size_t from = 0) {
    for (std::size_t i = from; i < log.size(); ++i) {
      if (log[i].find(needle) != std::string::npos) return i;
    }
    return log.size();
  };
  const auto manifest_created = find("create " + (dir / "MANIFEST.tmp").string());
  const auto renamed = find("rename " + (dir / "MANIFEST.tmp").string());
  const auto committed = find("syncdir " + dir.string(), renamed);
  REQUIRE(committed < log.size());
  CHECK(find("sync " + (dir / "g2/part-00000").string()) < manifest_created);
  CHECK(find("sync " + (dir / "g2/part-00001").string()) < manifest_created);
  CHECK(find("syncdir " + (dir / "g2").string()) < manifest_created);
  CHECK(find("sync " + (dir / "MANIFEST.tmp").string()) < renamed);
  CHECK(find("unlink " + (dir / "g1").string()) > committed);
  CHECK(find("rmdir " + (dir / "g1").string()) > committed);
  CHECK(find("rmdir " + (dir / "g1").string()) < log.size());

  // durable = false: not a single fsync.
  faults.clear_log();
  write_checkpoint<int>(dir, {{5}}, scratch_options(), faults);
  for (const auto& line : faults.log()) CHECK(line.find("sync") == std::string::npos);
}

TEST_CASE("storage: a writer destroyed without commit changes nothing visible", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  const auto m = write_checkpoint<std::string>(dir, {{"kept"}});
  {
    st::checkpoint_writer writer(dir, durable_options());
    writer.write_partition(0, std::vector<std::string>{"lost"});
    // no commit: e.g. an exception upstream
  }
  CHECK(load_checkpoint<std::string>(dir) == partitions<std::string>{{"kept"}});
  CHECK(tree(dir) == clean_tree(m));
}

namespace {

// A writer killed after `partitions` partitions: a forked child writes them and exits at once,
// without running any destructor (what SIGKILL leaves, minus the kernel's buffers).
void crashed_writer(const fs::path& dir, std::size_t partitions, bool with_manifest_temp = false) {
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    try {
      auto* writer = new st::checkpoint_writer(dir, scratch_options());  // never destroyed
      for (std::size_t i = 0; i < partitions; ++i) writer->write_partition(i, std::vector<int>{7, 8, 9});
      if (with_manifest_temp) {  // a manifest cut short while being written
        const auto bytes = st::format::encode_manifest(st::manifest{});
        write_bytes(dir / "MANIFEST.tmp", std::vector<std::byte>(bytes.begin(), bytes.begin() + 5));
      }
    } catch (...) {
      ::_exit(1);
    }
    ::_exit(0);
  }
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
}

}  // namespace

TEST_CASE("storage: a new writer removes what a crashed writer left", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  write_checkpoint<int>(dir, {{1}});
  crashed_writer(dir, 2, true);
  REQUIRE(fs::exists(dir / "g2/part-00001"));
  REQUIRE(fs::exists(dir / "MANIFEST.tmp"));
  const auto m = write_checkpoint<int>(dir, {{2}});
  CHECK(m.generation == 3);
  CHECK(tree(dir) == clean_tree(m));

  // With keep_last = 2, an uncommitted generation must not take the place of the committed one.
  write_checkpoint<int>(dir, {{3}}, scratch_options(2));  // g4 (g3 kept)
  crashed_writer(dir, 1);                                 // g5, uncommitted
  const auto m3 = write_checkpoint<int>(dir, {{4}}, scratch_options(2));
  CHECK(m3.generation == 6);
  CHECK(tree(dir) == std::set<std::string>{"LOCK", "MANIFEST", "g4/", "g4/GENERATION", "g4/part-00000", "g6/",
                                           "g6/GENERATION", "g6/part-00000"});

  // Without any manifest, every generation lineage wrote is garbage.
  temp_dir tmp2;
  const auto dir2 = tmp2 / "ckpt";
  crashed_writer(dir2, 3);
  REQUIRE(fs::exists(dir2 / "g1/part-00002"));
  const auto m2 = write_checkpoint<int>(dir2, {{3}});
  CHECK(m2.generation == 2);
  CHECK(tree(dir2) == clean_tree(m2));
}

TEST_CASE("storage: writer misuse is a logic_error", "[storage]") {
  temp_dir tmp;
  st::checkpoint_writer writer(tmp / "ckpt", scratch_options());
  writer.write_partition(1, std::vector<int>{1});
  CHECK_THROWS_AS(writer.write_partition(1, std::vector<int>{1}), std::logic_error);
  CHECK_THROWS_AS(writer.commit("int", 0, "", "none"), std::logic_error);  // partition 0 missing
  writer.write_partition(0, std::vector<int>{0});
  writer.commit("int", 0, "", "none");
  CHECK_THROWS_AS(writer.commit("int", 0, "", "none"), std::logic_error);
  CHECK_THROWS_AS(writer.write_partition(2, std::vector<int>{1}), std::logic_error);
}

TEST_CASE("storage: elements that serialize to nothing are refused at write time", "[storage]") {
  temp_dir tmp;
  st::checkpoint_writer writer(tmp / "ckpt", scratch_options());
  CHECK_THROWS_AS(writer.write_partition(0, std::vector<empty_record>(3)), std::length_error);
  CHECK_THROWS_AS(writer.write_partition(1, std::vector<std::vector<empty_record>>{std::vector<empty_record>(9)}),
                  std::length_error);
  // A container of them is fine while it is not longer than what follows its size prefix.
  writer.write_partition(2, std::vector<std::pair<std::vector<empty_record>, std::string>>{
                                {std::vector<empty_record>(2), "abc"}});
}

TEST_CASE("storage: short writes are completed by the writer", "[storage]") {
  temp_dir tmp;
  const auto root = tmp / "root";
  fs::create_directories(root);
  st::testing::fault_file_system faults(root, tmp / "scratch");
  faults.set_partial_writes(true);
  std::vector<double> data(100000, 1.25);
  write_checkpoint<double>(root / "ckpt", {data, {}}, durable_options(), faults);
  CHECK(load_checkpoint<double>(root / "ckpt") == partitions<double>{data, {}});
}

TEST_CASE("storage: the in-memory file system holds a checkpoint", "[storage]") {
  st::testing::memory_file_system memory;
  memory.put_directory("/mem");
  const partitions<std::string> parts{{"a", "b"}, {"c"}};
  write_checkpoint<std::string>("/mem/ckpt", parts, durable_options(), memory);
  CHECK(load_checkpoint<std::string>("/mem/ckpt", memory) == parts);
  CHECK(st::verify("/mem/ckpt", memory).total_records() == 3);
  {
    st::checkpoint_writer holder("/mem/ckpt", durable_options(), memory);
    CHECK_THROWS_AS(st::checkpoint_writer("/mem/ckpt", durable_options(), memory), checkpoint_error);
  }
  st::remove_checkpoint("/mem/ckpt", memory);
  CHECK_FALSE(st::try_read_manifest("/mem/ckpt", memory));
}

TEST_CASE("storage: remove_checkpoint removes only the checkpoint", "[storage]") {
  temp_dir tmp;
  const auto dir = tmp / "ckpt";
  write_checkpoint<int>(dir, {{1}});
  st::remove_checkpoint(dir);
  CHECK_FALSE(fs::exists(dir));
  write_checkpoint<int>(dir, {{1}});
  write_bytes(dir / "notes.txt", {std::byte{'x'}});
  st::remove_checkpoint(dir);
  CHECK(tree(dir) == std::set<std::string>{"notes.txt"});
  CHECK_FALSE(st::try_read_manifest(dir));
  st::remove_checkpoint(tmp / "never-existed");  // no error
}
