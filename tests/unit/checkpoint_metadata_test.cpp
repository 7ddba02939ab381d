// Resume helpers of iterative jobs: checkpoint_options::metadata (written into the manifest,
// read back by .metadata() and ln::read_manifest), ln::recover_or and ln::read_manifest.
#include "checkpoint_test_support.hpp"

#include <cereal/types/string.hpp>
#include <cereal/types/utility.hpp>

#include <fstream>
#include <map>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace ckpt_test;

std::vector<int> iota_vector(int n, int from = 0) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), from);
  return v;
}

ln::checkpoint_options with_metadata(std::map<std::string, std::string> metadata) {
  auto options = fast("v1");
  options.metadata = std::move(metadata);
  return options;
}

}  // namespace

TEST_CASE("metadata is written with a checkpoint and read back three ways", "[checkpoint][metadata]") {
  scratch_dir tmp;
  const auto dir = tmp / "ckpt";
  const std::map<std::string, std::string> metadata = {
      {"iteration", "12"}, {"note", std::string(1000, 'x')}, {"z", ""}};
  const auto v = iota_vector(100);

  const auto computed = v | ln::map([](int x) { return x * 2; }) | ln::checkpoint(dir, with_metadata(metadata));
  CHECK_FALSE(computed.recovered());
  CHECK(computed.metadata() == metadata);

  const auto recovered = ln::recover<int>(dir);
  CHECK(recovered.metadata() == metadata);

  const auto m = ln::read_manifest(dir);
  CHECK(std::map<std::string, std::string>(m.metadata.begin(), m.metadata.end()) == metadata);
  CHECK(m.version == "v1");

  // Get-or-create finds the checkpoint and returns the metadata it was written with: metadata
  // is not part of the lineage signature.
  const auto again =
      v | ln::map([](int x) { return x * 2; }) | ln::checkpoint(dir, with_metadata({{"iteration", "13"}}));
  CHECK(again.recovered());
  CHECK(again.metadata() == metadata);

  // A local checkpoint has none.
  CHECK((v | ln::local_checkpoint()).metadata().empty());
}

TEST_CASE("metadata out of bounds is std::invalid_argument and the previous checkpoint stays",
          "[checkpoint][metadata]") {
  scratch_dir tmp;
  const auto dir = tmp / "ckpt";
  const auto before = iota_vector(50);
  auto first = before | ln::checkpoint(dir, with_metadata({{"k", "1"}}));
  REQUIRE(first.size() == before.size());

  const auto other = iota_vector(60, 1000);
  auto options = with_metadata({{"", "empty key"}});
  options.version = "v2";  // another signature: the call would replace the checkpoint
  CHECK_THROWS_AS(other | ln::checkpoint(dir, options), std::invalid_argument);
  options.metadata = {{std::string(257, 'k'), "key too long"}};
  CHECK_THROWS_AS(other | ln::checkpoint(dir, options), std::invalid_argument);
  options.metadata = {{"k", std::string((std::size_t{64} << 10) + 1, 'v')}};
  CHECK_THROWS_AS(other | ln::checkpoint(dir, options), std::invalid_argument);

  const auto kept = ln::recover<int>(dir);
  CHECK((kept | ln::collect()) == before);
  CHECK(kept.metadata() == std::map<std::string, std::string>{{"k", "1"}});
}

TEST_CASE("recover_or: the checkpoint if there is one, the fallback if not, an error if damaged",
          "[checkpoint][metadata]") {
  scratch_dir tmp;
  const auto dir = tmp / "ckpt";
  const auto initial = iota_vector(10) | ln::local_checkpoint();

  const auto nothing_yet = ln::recover_or(dir, initial);
  CHECK_FALSE(nothing_yet.recovered());
  CHECK((nothing_yet | ln::collect()) == iota_vector(10));

  const auto written = iota_vector(30, 7) | ln::checkpoint(dir, with_metadata({{"iteration", "3"}}));
  const auto found = ln::recover_or(dir, initial);
  CHECK(found.recovered());
  CHECK((found | ln::collect()) == iota_vector(30, 7));
  CHECK(found.metadata().at("iteration") == "3");

  // Under ln::par too.
  CHECK((ln::recover_or(dir, initial, ln::par) | ln::collect()) == iota_vector(30, 7));

  // Another element type is an error, not "nothing there".
  CHECK_THROWS_AS(ln::recover_or(dir, std::vector<std::string>{"a"} | ln::local_checkpoint()), ln::checkpoint_error);

  // A damaged manifest is an error, not "nothing there".
  {
    std::ofstream(dir / "MANIFEST", std::ios::binary | std::ios::trunc) << "not a manifest";
  }
  try {
    (void)ln::recover_or(dir, initial);
    FAIL("a damaged checkpoint must not fall back");
  } catch (const ln::checkpoint_error& e) {
    CHECK(e.reason() != ln::checkpoint_errc::not_found);
  }
}

TEST_CASE("read_manifest of a directory without a checkpoint is not_found", "[checkpoint][metadata]") {
  scratch_dir tmp;
  try {
    (void)ln::read_manifest(tmp / "nothing");
    FAIL("read_manifest must throw");
  } catch (const ln::checkpoint_error& e) {
    CHECK(e.reason() == ln::checkpoint_errc::not_found);
    CHECK(e.path() == tmp / "nothing");
  }
}

TEST_CASE("explain counts a checkpoint's records and partitions in words", "[checkpoint][metadata]") {
  scratch_dir tmp;
  const auto one = std::vector<int>{7} | ln::checkpoint(tmp / "one", fast());
  const auto text = ln::explain(one);
  INFO(text);
  CHECK(text.find("1 record, ") != std::string::npos);
  CHECK(text.find(", 1 partition, computed") != std::string::npos);
  const auto more = ln::parallelize(iota_vector(10), 3) | ln::checkpoint(tmp / "more", fast());
  CHECK(ln::explain(more).find("10 records, ") != std::string::npos);
  CHECK(ln::explain(more).find(", 3 partitions, computed") != std::string::npos);
}
