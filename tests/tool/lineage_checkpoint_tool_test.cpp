// The lineage-checkpoint tool, run as a program on checkpoints the library wrote (good), then
// damaged (a truncated partition, a flipped payload byte, a garbage manifest), and on foreign
// directories (unrelated files; a MANIFEST that is not lineage's). The oracles: the library's
// own manifest (ln::read_manifest), file sizes from std::filesystem, and the documented exit
// table (3 + checkpoint_errc).
#include "mini_json.hpp"

#include <lineage/lineage.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace {

namespace ln = lineage;
namespace fs = std::filesystem;
using ln::checkpoint_errc;

class scratch_dir {
 public:
  scratch_dir() {
    std::string pattern = (fs::temp_directory_path() / "lineage-tool-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  ~scratch_dir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  fs::path operator/(const std::string& name) const { return path_ / name; }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct run_result {
  int status = -1;
  std::string out;
};

// Runs the tool with `args` (each single-quoted), stdout captured, stderr discarded.
run_result tool(const std::vector<std::string>& args) {
  std::string command = "'" LINEAGE_CHECKPOINT_TOOL "'";
  for (const auto& a : args) command += " '" + a + "'";
  command += " 2>/dev/null";
  run_result r;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 4096> buffer{};
  for (std::size_t n; (n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;) r.out.append(buffer.data(), n);
  const int raw = ::pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

mini_json::value tool_json(const std::vector<std::string>& args, int expected_status) {
  auto with_json = args;
  with_json.insert(with_json.begin(), "--json");
  const auto r = tool(with_json);
  INFO(r.out);
  CHECK(r.status == expected_status);
  return mini_json::parse(r.out);
}

int code(checkpoint_errc reason) { return 3 + static_cast<int>(reason); }

ln::checkpoint_options options(std::string version) {
  ln::checkpoint_options o;
  o.version = std::move(version);
  o.durable = false;
  o.metadata = {{"iteration", "12"}, {"note", "say \"hi\"\n"}};
  return o;
}

std::vector<int> numbers(int n) {
  std::vector<int> v;
  for (int i = 0; i < n; ++i) v.push_back(i);
  return v;
}

// A checkpoint of 1000 ints in 4 partitions; returns ln::explain of its upstream.
std::string make_checkpoint(const fs::path& dir) {
  const auto v = numbers(1000);
  const auto upstream = ln::parallelize(v, 4) | ln::map([](int x) { return 3 * x; });
  (void)(upstream | ln::checkpoint(dir, options("7")));
  return ln::explain(upstream);
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

}  // namespace

TEST_CASE("info prints the manifest of a good checkpoint, as text and as JSON", "[tool]") {
  scratch_dir root;
  const auto dir = root / "good";
  const auto lineage_text = make_checkpoint(dir);
  const auto m = ln::read_manifest(dir);

  const auto j = tool_json({"info", dir.string()}, 0);
  CHECK(j["format_version"].u64() == 3);
  CHECK(j["element_type"].str() == "int");
  CHECK(j["version"].str() == "7");
  CHECK(j["partitioner"].str() == m.partitioner);
  CHECK(j["generation"].u64() == m.generation);
  CHECK(j["generations_on_disk"].items.size() == 1);
  CHECK(j["created_unix_ms"].u64() == m.created);
  CHECK(j["created"].str().substr(0, 2) == "20");
  CHECK(j["metadata"]["iteration"].str() == "12");
  CHECK(j["metadata"]["note"].str() == "say \"hi\"\n");  // escaped and read back
  CHECK(j["lineage"].str() == lineage_text);
  REQUIRE(j["steps"].items.size() == 2);
  CHECK(j["steps"][1]["name"].str() == "map");
  CHECK(j["steps"][1]["input"].str() == "int");
  REQUIRE(j["partitions"].items.size() == 4);
  std::uint64_t records = 0, bytes = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const auto& p = j["partitions"][i];
    CHECK(p["records"].u64() == m.partitions[i].records);
    CHECK(p["bytes"].u64() == fs::file_size(dir / p["file"].str()));  // the file on disk
    char hex[19];
    std::snprintf(hex, sizeof hex, "0x%016llx", static_cast<unsigned long long>(m.partitions[i].checksum));
    CHECK(p["checksum"].str() == hex);
    records += p["records"].u64();
    bytes += p["bytes"].u64();
  }
  CHECK(records == 1000);
  CHECK(j["total_records"].u64() == records);
  CHECK(j["total_bytes"].u64() == bytes);

  const auto text = tool({"info", dir.string()});
  CHECK(text.status == 0);
  CHECK(text.out.find("element type:    int\n") != std::string::npos);
  CHECK(text.out.find("version tag:     '7'\n") != std::string::npos);
  CHECK(text.out.find("total:           1000 records, " + std::to_string(bytes) + " bytes\n") != std::string::npos);
  CHECK(text.out.find("  iteration = 12\n") != std::string::npos);
  CHECK(text.out.find("produced by:\n  stage 1: ") != std::string::npos);
  CHECK(text.out.find("1  narrow  map<int>") != std::string::npos);
}

TEST_CASE("info of a checkpoint written before manifest format version 3", "[tool]") {
  scratch_dir root;
  const auto dir = root / "v2";
  fs::copy(fs::path(LINEAGE_TEST_DATA_DIR) / "checkpoint-manifest-v2", dir, fs::copy_options::recursive);
  const auto j = tool_json({"info", dir.string()}, 0);
  CHECK(j["format_version"].u64() == 2);
  CHECK(j["created"].type == mini_json::value::kind::null);
  CHECK(j["metadata"]["iteration"].str() == "7");
  CHECK(j["total_records"].u64() == 10);
  CHECK(tool({"verify", dir.string()}).status == 0);
}

TEST_CASE("verify: ok, then each kind of damage with its exit status", "[tool]") {
  scratch_dir root;
  const auto dir = root / "c";
  make_checkpoint(dir);
  const auto m = ln::read_manifest(dir);
  const auto part = dir / m.partitions[1].file;

  auto ok = tool_json({"verify", dir.string()}, 0);
  CHECK(ok["state"].str() == "ok");
  CHECK(ok["records"].u64() == 1000);
  CHECK(tool({"verify", dir.string()}).out.rfind("ok: ", 0) == 0);

  SECTION("a truncated partition") {
    fs::resize_file(part, fs::file_size(part) - 10);
    const auto j = tool_json({"verify", dir.string()}, code(checkpoint_errc::truncated));
    CHECK(j["state"].str() == "damaged");
    CHECK(j["error"]["reason"].str() == "truncated");
    CHECK(j["error"]["path"].str() == part.string());
    const auto listed = tool_json({"ls", root.path().string()}, code(checkpoint_errc::truncated));
    REQUIRE(listed["checkpoints"].items.size() == 1);
    CHECK(listed["checkpoints"][0]["state"].str() == "damaged");
  }
  SECTION("a flipped payload byte") {
    std::fstream f(part, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(40);
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x20);
    f.seekp(40);
    f.write(&c, 1);
    f.close();
    const auto j = tool_json({"verify", dir.string()}, code(checkpoint_errc::checksum_mismatch));
    CHECK(j["error"]["reason"].str() == "checksum_mismatch");
  }
  SECTION("a garbage manifest over lineage's data is damage, not a foreign directory") {
    write_text(dir / "MANIFEST", "this is not a manifest at all, just some bytes");
    CHECK(tool_json({"verify", dir.string()}, code(checkpoint_errc::not_a_checkpoint))["error"]["reason"].str() ==
          "not_a_checkpoint");
    CHECK(tool({"info", dir.string()}).status == code(checkpoint_errc::not_a_checkpoint));
    const auto listed = tool_json({"ls", root.path().string()}, code(checkpoint_errc::not_a_checkpoint));
    REQUIRE(listed["checkpoints"].items.size() == 1);
    CHECK(listed["checkpoints"][0]["state"].str() == "damaged");
  }
}

TEST_CASE("foreign directories: not_found for info and verify, foreign in ls, rm refuses", "[tool]") {
  scratch_dir root;
  const auto foreign = root / "photos";
  fs::create_directories(foreign / "2024");
  write_text(foreign / "a.jpg", "not a checkpoint");
  write_text(foreign / "2024" / "b.jpg", "nor this");
  const auto with_manifest = root / "other-tool";
  fs::create_directories(with_manifest / "g1");
  write_text(with_manifest / "MANIFEST", "another program's manifest");
  write_text(with_manifest / "g1" / "GENERATION", "theirs");

  CHECK(tool_json({"info", foreign.string()}, code(checkpoint_errc::not_found))["error"]["reason"].str() ==
        "not_found");
  CHECK(tool({"verify", foreign.string()}).status == code(checkpoint_errc::not_found));

  const auto listed = tool_json({"ls", root.path().string()}, code(checkpoint_errc::not_a_checkpoint));
  REQUIRE(listed["checkpoints"].items.size() == 1);  // photos holds no MANIFEST: not a candidate
  CHECK(listed["checkpoints"][0]["path"].str() == with_manifest.string());
  CHECK(listed["checkpoints"][0]["state"].str() == "foreign");

  for (const auto& dir : {foreign, with_manifest}) {
    const auto j = tool_json({"rm", dir.string()}, code(checkpoint_errc::not_a_checkpoint));
    CHECK(j["removed"].b == false);
  }
  CHECK(fs::exists(foreign / "a.jpg"));
  CHECK(fs::exists(foreign / "2024" / "b.jpg"));
  CHECK(fs::exists(with_manifest / "MANIFEST"));
  CHECK(fs::exists(with_manifest / "g1" / "GENERATION"));
  CHECK(tool({"rm", (root / "missing").string()}).status == code(checkpoint_errc::not_found));
}

TEST_CASE("rm removes what lineage wrote and keeps the rest", "[tool]") {
  scratch_dir root;
  const auto plain = root / "plain";
  make_checkpoint(plain);
  CHECK(tool({"rm", plain.string()}).status == 0);
  CHECK_FALSE(fs::exists(plain));

  const auto mixed = root / "mixed";
  make_checkpoint(mixed);
  write_text(mixed / "notes.txt", "mine");
  const auto j = tool_json({"rm", mixed.string()}, 0);
  CHECK(j["removed"].b);
  REQUIRE(j["kept"].items.size() == 1);
  CHECK(j["kept"][0].str() == "notes.txt");
  CHECK(fs::exists(mixed / "notes.txt"));
  CHECK_FALSE(fs::exists(mixed / "MANIFEST"));
  CHECK_THROWS_AS(ln::read_manifest(mixed), ln::checkpoint_error);
}

TEST_CASE("ls finds nested checkpoints, never through a link, within --max-depth", "[tool]") {
  scratch_dir root;
  const auto outside = root / "outside";
  make_checkpoint(outside / "hidden");
  const auto scanned = root / "scanned";
  make_checkpoint(scanned / "a");
  make_checkpoint(scanned / "deep" / "er" / "b");
  fs::create_directory_symlink(outside, scanned / "link");

  const auto j = tool_json({"ls", scanned.string()}, 0);
  CHECK(j["complete"].b);
  REQUIRE(j["checkpoints"].items.size() == 2);
  CHECK(j["checkpoints"][0]["path"].str() == (scanned / "a").string());
  CHECK(j["checkpoints"][1]["path"].str() == (scanned / "deep" / "er" / "b").string());
  for (const auto& c : j["checkpoints"].items) {
    CHECK(c["state"].str() == "ok");
    CHECK(c["records"].u64() == 1000);
    // Size on disk: every regular file of the checkpoint (the oracle walks it itself).
    std::uint64_t bytes = 0;
    for (const auto& e : fs::recursive_directory_iterator(c["path"].str())) {
      if (e.is_regular_file()) bytes += e.file_size();
    }
    CHECK(c["bytes"].u64() == bytes);
  }
  const auto shallow = tool_json({"--max-depth", "1", "ls", scanned.string()}, 0);
  CHECK_FALSE(shallow["complete"].b);
  CHECK(shallow["checkpoints"].items.size() == 1);
}

TEST_CASE("usage errors and --help", "[tool]") {
  CHECK(tool({}).status == 2);
  CHECK(tool({"frobnicate", "x"}).status == 2);
  CHECK(tool({"info"}).status == 2);
  CHECK(tool({"--bogus", "info", "x"}).status == 2);
  const auto help = tool({"--help"});
  CHECK(help.status == 0);
  for (const auto reason : {checkpoint_errc::not_found, checkpoint_errc::truncated, checkpoint_errc::locked}) {
    const std::string n = std::to_string(code(reason));
    CHECK(help.out.find("  " + n + (n.size() == 1 ? "   " : "  ")) != std::string::npos);
  }
}
