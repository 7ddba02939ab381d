// Writes the fuzzing seed corpus: for each element type of fuzz_reader.hpp, real checkpoints
// (two partitions) in both input modes. Run from the repository root to refresh the corpus:
//   g++ -std=c++20 -Iinclude tests/fuzz/make_corpus.cpp -o /tmp/make_corpus && /tmp/make_corpus tests/fuzz/corpus
#include "fuzz_reader.hpp"

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace {

namespace st = lineage::storage;
using namespace lineage_fuzz;

template <class T>
struct samples;
template <>
struct samples<int> {
  static std::vector<int> make(int k) { return {k, -k, 1 << 20, 0}; }
};
template <>
struct samples<double> {
  static std::vector<double> make(int k) { return {k * 0.5, -1e300, 3.25}; }
};
template <>
struct samples<std::string> {
  static std::vector<std::string> make(int k) { return {"", "a", std::string(static_cast<std::size_t>(k * 3), 'x')}; }
};
template <>
struct samples<std::pair<int, std::string>> {
  static std::vector<std::pair<int, std::string>> make(int k) { return {{k, "one"}, {-k, ""}}; }
};
template <>
struct samples<std::vector<std::uint16_t>> {
  static std::vector<std::vector<std::uint16_t>> make(int k) {
    return {{}, {1, 2, 3}, std::vector<std::uint16_t>(static_cast<std::size_t>(k), 7)};
  }
};
template <>
struct samples<std::map<std::string, std::vector<double>>> {
  static std::vector<std::map<std::string, std::vector<double>>> make(int k) {
    return {{}, {{"a", {1.0}}, {"bb", {}}}, {{std::to_string(k), {2.0, 3.0}}}};
  }
};
template <>
struct samples<std::tuple<std::optional<int>, std::variant<int, std::string, double>, bool>> {
  using T = std::tuple<std::optional<int>, std::variant<int, std::string, double>, bool>;
  static std::vector<T> make(int k) { return {{k, 1, true}, {std::nullopt, std::string("s"), false}, {2, 2.5, true}}; }
};
template <>
struct samples<versioned_record> {
  static std::vector<versioned_record> make(int k) {
    return {{k, "n", {{1, true}}, 0.5}, {2, "", {}, std::nullopt}};
  }
};
template <>
struct samples<std::vector<std::vector<std::string>>> {
  static std::vector<std::vector<std::vector<std::string>>> make(int k) {
    return {{}, {{"a", "b"}, {}}, {{std::to_string(k)}}};
  }
};
template <>
struct samples<std::unordered_map<int, std::set<std::string>>> {
  static std::vector<std::unordered_map<int, std::set<std::string>>> make(int k) {
    return {{}, {{k, {"x", "y"}}}};
  }
};
template <>
struct samples<std::deque<char>> {
  static std::vector<std::deque<char>> make(int k) { return {{}, {'a', static_cast<char>(k)}}; }
};

void append_u32(std::vector<std::byte>& out, std::uint32_t n) {
  const auto* p = reinterpret_cast<const std::byte*>(&n);
  out.insert(out.end(), p, p + 4);
}

void save(const std::string& path, const std::vector<std::byte>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

template <std::size_t I>
void seeds_for(const std::string& out_dir) {
  using T = std::tuple_element_t<I, type_list>;
  for (int k = 1; k <= 2; ++k) {
    st::testing::memory_file_system fs;
    fs.put_directory(checkpoint_dir());
    lineage::checkpoint_options options;
    st::manifest m;
    {
      st::checkpoint_writer writer(checkpoint_dir(), options, fs);
      writer.write_partition(0, samples<T>::make(k));
      writer.write_partition(1, samples<T>::make(k + 5));
      m = writer.commit(st::element_type_name<T>(), 42, "v", "none");
    }
    std::vector<std::byte> files{std::byte(I << 1)};
    const auto manifest = *fs.get(checkpoint_dir() / "MANIFEST");
    append_u32(files, static_cast<std::uint32_t>(manifest.size()));
    files.insert(files.end(), manifest.begin(), manifest.end());
    for (const auto& p : m.partitions) {
      const auto part = *fs.get(checkpoint_dir() / p.file);
      append_u32(files, static_cast<std::uint32_t>(part.size()));
      files.insert(files.end(), part.begin(), part.end());
    }
    const std::string stem = out_dir + "/type" + std::to_string(I) + "-" + std::to_string(k);
    save(stem + "-files", files);

    const auto part = *fs.get(checkpoint_dir() / m.partitions[0].file);
    std::vector<std::byte> payload{std::byte((I << 1) | 1)};
    const auto records = static_cast<std::uint16_t>(m.partitions[0].records);
    const auto* r = reinterpret_cast<const std::byte*>(&records);
    payload.insert(payload.end(), r, r + 2);
    payload.insert(payload.end(), part.begin() + st::format::partition_header_size,
                   part.end() - st::format::partition_trailer_size);
    save(stem + "-payload", payload);
  }
}

template <std::size_t... I>
void all_seeds(const std::string& out_dir, std::index_sequence<I...>) {
  (seeds_for<I>(out_dir), ...);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_corpus <out dir>\n");
    return 2;
  }
  all_seeds(argv[1], std::make_index_sequence<type_count>{});
  return 0;
}
