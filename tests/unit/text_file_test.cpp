// ln::text_file: byte-range splits at line boundaries (Hadoop's TextInputFormat), checked
// against an oracle that reads the whole file and cuts it at every '\n' by hand.
#include "checkpoint_test_support.hpp"

#include <catch2/catch.hpp>
#include <lineage/lineage.hpp>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace {

namespace ln = lineage;
namespace fs = std::filesystem;
using ckpt_test::scratch_dir;

void write_file(const fs::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

std::string read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The oracle: every line of `text` with its start offset; a final '\n' ends the last line.
struct oracle_line {
  std::size_t start;
  std::string text;
};
std::vector<oracle_line> oracle_lines(const std::string& text) {
  std::vector<oracle_line> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = start;
    while (end < text.size() && text[end] != '\n') ++end;
    out.push_back({start, text.substr(start, end - start)});
    start = end + 1;
  }
  return out;
}
std::vector<std::string> texts_of(const std::vector<oracle_line>& lines) {
  std::vector<std::string> out;
  for (const auto& l : lines) out.push_back(l.text);
  return out;
}

// The contents every split test reads.
std::vector<std::pair<std::string, std::string>> contents() {
  std::vector<std::pair<std::string, std::string>> out = {
      {"empty file", ""},
      {"one newline", "\n"},
      {"one line", "hello\n"},
      {"no final newline", "alpha\nbeta\ngamma"},
      {"empty lines", "\n\na\n\n\nb\n\n"},
      {"crlf", "one\r\ntwo\r\n\r\nthree\r"},
      {"single char lines", "a\nb\nc\nd\ne\nf\n"},
      {"long line", "x\n" + std::string(300, 'L') + "\ny\n" + std::string(257, 'M')},
  };
  std::mt19937 gen(20261130);
  std::uniform_int_distribution<int> len(0, 40);
  std::uniform_int_distribution<int> ch('a', 'z');
  std::string random;
  for (int i = 0; i < 60; ++i) {
    const int n = len(gen);
    for (int j = 0; j < n; ++j) random += static_cast<char>(ch(gen));
    if (n % 7 == 3) random += '\r';
    random += '\n';
  }
  random += "tail";
  out.emplace_back("random lines", random);
  return out;
}

}  // namespace

TEST_CASE("text_file reads the lines of a file in every split layout", "[text_file]") {
  const scratch_dir dir("lineage-text-file-");
  for (const auto& [name, content] : contents()) {
    const fs::path file = dir / "input.txt";
    write_file(file, content);
    const auto expected = oracle_lines(content);
    // Every split size from 1 byte (a split point at every offset: at, inside and right after
    // each '\n') to the whole file, and more partitions than bytes; buffers shorter than a line.
    // (every count for the small contents, a selection for the long ones).
    std::vector<std::size_t> counts = {0, 1, 2, 3, 5, 8, 13, 50, content.size() / 2, content.size(),
                                       content.size() + 3};
    if (content.size() <= 400) {
      counts.clear();
      for (std::size_t parts = 0; parts <= content.size() + 3; ++parts) counts.push_back(parts);
    }
    for (const std::size_t parts : counts) {
      for (const std::size_t buffer : {std::size_t{1}, std::size_t{3}, std::size_t{4096}}) {
        INFO(name << ": min_partitions " << parts << ", buffer " << buffer);
        const ln::text_file_source source(file, parts, buffer);
        const auto layout = source.layout();
        CHECK(layout.splits.size() >= std::max<std::size_t>(parts, 1));
        // Each line is read by the split where it starts, in order.
        const auto producer = source.producer(ln::make_backend(ln::seq));
        REQUIRE(producer.partitions() == layout.splits.size());
        std::size_t next = 0;
        for (std::size_t p = 0; p < producer.partitions(); ++p) {
          ln::detail::collect_sink<std::string> sink;
          producer.run(p, sink);
          const auto& split = layout.splits[p];
          for (const auto& line : sink.out) {
            REQUIRE(next < expected.size());
            CHECK(line == expected[next].text);
            CHECK(expected[next].start >= split.begin);
            CHECK(expected[next].start < split.end);
            ++next;
          }
        }
        CHECK(next == expected.size());
        if (buffer == 4096) CHECK((source | ln::collect(ln::par(3))) == texts_of(expected));
      }
    }
  }
}

TEST_CASE("text_file: the public form, seq and par, with a lazy plan", "[text_file][par]") {
  const scratch_dir dir("lineage-text-file-");
  const fs::path file = dir / "big.txt";
  std::mt19937 gen(7);
  std::uniform_int_distribution<int> len(0, 200);
  std::string content;
  for (int i = 0; i < 5000; ++i) content += std::string(static_cast<std::size_t>(len(gen)), 'a' + i % 26) + '\n';
  content += std::string(100'000, 'z');  // a final unterminated line longer than any split
  write_file(file, content);
  const auto expected = texts_of(oracle_lines(read_whole(file)));

  for (const std::size_t parts : {0, 1, 2, 7, 64}) {
    INFO("min_partitions " << parts);
    const auto lines = ln::text_file(file, parts);
    CHECK((lines | ln::collect()) == expected);
    CHECK((lines | ln::collect(ln::par)) == expected);
    CHECK((lines | ln::count(ln::par(4))) == expected.size());
    const auto lengths = lines | ln::map([](const std::string& s) { return s.size(); });
    std::size_t total = 0;
    for (const auto& s : expected) total += s.size();
    CHECK((lengths | ln::sum(ln::par)) == total);
    CHECK((lines | ln::take(3)) == std::vector<std::string>(expected.begin(), expected.begin() + 3));
  }
  CHECK(ln::explain(ln::text_file(file, 4) | ln::map([](std::string s) { return s.size(); })).find("text_file(") !=
        std::string::npos);
}

TEST_CASE("text_file of a directory reads its regular files in name order", "[text_file][par]") {
  const scratch_dir dir("lineage-text-file-");
  const fs::path input = dir / "in";
  fs::create_directory(input);
  const std::vector<std::pair<std::string, std::string>> files = {
      {"c.txt", "c1\nc2"}, {"a.txt", "a1\n\na3\n"}, {"b.txt", ""}, {"d.txt", "d1\r\nd2\r\n"}};
  for (const auto& [name, content] : files) write_file(input / name, content);
  fs::create_directory(input / "sub");  // not read: not recursive
  write_file(input / "sub" / "x.txt", "never\n");

  std::vector<std::string> expected;
  for (const char* name : {"a.txt", "b.txt", "c.txt", "d.txt"}) {
    for (auto& line : texts_of(oracle_lines(read_whole(input / name)))) expected.push_back(line);
  }
  for (const std::size_t parts : {0, 1, 3, 10, 100}) {
    INFO("min_partitions " << parts);
    CHECK((ln::text_file(input, parts) | ln::collect()) == expected);
    CHECK((ln::text_file(input, parts) | ln::collect(ln::par)) == expected);
  }
  const fs::path empty = dir / "empty";
  fs::create_directory(empty);
  CHECK((ln::text_file(empty) | ln::collect()).empty());
  CHECK((ln::text_file(empty, 5) | ln::count()) == 0);
}

TEST_CASE("text_file reports a missing path by name", "[text_file]") {
  const scratch_dir dir("lineage-text-file-");
  const fs::path missing = dir / "no-such-file.txt";
  const auto lines = ln::text_file(missing);  // building does no I/O
  try {
    (void)(lines | ln::collect());
    FAIL("no error for a missing file");
  } catch (const fs::filesystem_error& e) {
    CHECK(e.path1() == missing);
    CHECK(std::string(e.what()).find("no-such-file.txt") != std::string::npos);
    CHECK(e.code() == std::errc::no_such_file_or_directory);
  }
}

TEST_CASE("text_file through a checkpoint: identity is name, size and mtime", "[text_file]") {
  const scratch_dir dir("lineage-text-file-");
  const fs::path file = dir / "words.txt";
  write_file(file, "a b\nc\n");
  const auto words = [&] {
    return ln::text_file(file, 2) | ln::map([](const std::string& s) { return s.size(); }) |
           ln::checkpoint(dir / "ckpt", ckpt_test::fast());
  };
  const auto first = words();
  CHECK_FALSE(first.recovered());
  CHECK((first | ln::collect()) == std::vector<std::size_t>{3, 1});
  const auto second = words();
  CHECK(second.recovered());
  CHECK((second | ln::collect()) == std::vector<std::size_t>{3, 1});

  write_file(file, "a b\nc\nlonger line\n");  // new size and mtime
  const auto third = words();
  CHECK_FALSE(third.recovered());
  CHECK((third | ln::collect()) == std::vector<std::size_t>{3, 1, 11});

  // Same size, other modification time: recomputed too.
  write_file(file, "x y\nz\nLONGER LINE\n");
  fs::last_write_time(file, fs::last_write_time(file) + std::chrono::seconds(5));
  const auto fourth = words();
  CHECK_FALSE(fourth.recovered());
  CHECK((fourth | ln::collect()) == std::vector<std::size_t>{3, 1, 11});
}
