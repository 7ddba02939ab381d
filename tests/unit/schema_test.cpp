// The structural element schema (storage/schema.hpp): what it must tell apart, what it must
// not, recursion, every standard type lineage can store, compute-once and thread safety.
#include <lineage/storage/schema.hpp>

#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <bitset>
#include <chrono>
#include <complex>
#include <cstdint>
#include <deque>
#include <forward_list>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <valarray>
#include <variant>
#include <vector>

namespace st = lineage::storage;

namespace schema_test {

template <class T>
const std::string& text() {
  return st::schema_of<T>().text;
}

template <class A, class B>
bool same_schema() {
  return st::schema_of<A>().hash == st::schema_of<B>().hash && text<A>() == text<B>();
}

// ----- user types: one change at a time ------------------------------------------------------
struct base_record {
  int id = 0;
  std::string name;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(id, name);
  }
};
struct reordered {  // same types, other order
  int id = 0;
  std::string name;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(name, id);
  }
};
struct retyped {  // id became 64-bit
  long long id = 0;
  std::string name;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(id, name);
  }
};
struct retyped_float {  // id became a float of the same size
  float id = 0;
  std::string name;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(id, name);
  }
};
struct added {
  int id = 0;
  std::string name;
  double score = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(id, name, score);
  }
};
struct removed {
  int id = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(id);
  }
};
// Same structure as base_record, another C++ name: same schema (names of types are not in it).
struct renamed_record {
  int key = 0;
  std::string label;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(key, label);
  }
};

// Named fields.
struct point {
  int x = 0;
  int y = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(x), CEREAL_NVP(y));
  }
};
struct point_swapped_names {  // same types, names swapped (x and y exchanged)
  int x = 0;
  int y = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(y), CEREAL_NVP(x));
  }
};
struct point_renamed_field {
  int x = 0;
  int z = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(x), CEREAL_NVP(z));
  }
};
struct vec2 {  // another type, same named fields as point
  int x = 0;
  int y = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::make_nvp("x", x), cereal::make_nvp("y", y));
  }
};
// The blind spot: two fields of one type swapped without names.
struct unnamed_xy {
  int x = 0;
  int y = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(x, y);
  }
};
struct unnamed_yx {
  int x = 0;
  int y = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(y, x);
  }
};
struct odd_names {
  int a = 0;
  int b = 0;
  int c = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::make_nvp("two words", a), cereal::make_nvp("q\"uote\\", b), cereal::make_nvp("", c));
  }
};

// Class versions: two types with the same fields, versions 1 and 2 (and versioned, no
// CEREAL_CLASS_VERSION: version 0).
struct versioned_v1 {
  int id = 0;
  template <class Archive>
  void serialize(Archive& ar, const std::uint32_t /*version*/) {
    ar(id);
  }
};
struct versioned_v2 {
  int id = 0;
  template <class Archive>
  void serialize(Archive& ar, const std::uint32_t /*version*/) {
    ar(id);
  }
};
struct versioned_unregistered {
  int id = 0;
  template <class Archive>
  void serialize(Archive& ar, const std::uint32_t /*version*/) {
    ar(id);
  }
};
struct unversioned {
  int id = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(id);
  }
};
// Version-dependent fields: the schema follows the branch of the current version.
struct grows_with_version {
  int id = 0;
  double score = 0;
  template <class Archive>
  void serialize(Archive& ar, const std::uint32_t version) {
    ar(id);
    if (version >= 2) ar(score);
  }
};
// A versioned class met twice in one schema carries its version both times.
struct two_versioned {
  versioned_v2 a;
  versioned_v2 b;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(a), CEREAL_NVP(b));
  }
};

}  // namespace schema_test

CEREAL_CLASS_VERSION(schema_test::versioned_v1, 1);
CEREAL_CLASS_VERSION(schema_test::versioned_v2, 2);
CEREAL_CLASS_VERSION(schema_test::grows_with_version, 2);

namespace schema_test {

// ----- every way of writing a serializer --------------------------------------------------
struct by_member_serialize {
  int a = 0;
  std::string b;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(a, b);
  }
};
struct by_member_save_load {
  int a = 0;
  std::string b;
  template <class Archive>
  void save(Archive& ar) const {
    ar(a, b);
  }
  template <class Archive>
  void load(Archive& ar) {
    ar(a, b);
  }
};
struct by_non_member_serialize {
  int a = 0;
  std::string b;
};
template <class Archive>
void serialize(Archive& ar, by_non_member_serialize& v) {
  ar(v.a, v.b);
}
struct by_non_member_save_load {
  int a = 0;
  std::string b;
};
template <class Archive>
void save(Archive& ar, const by_non_member_save_load& v) {
  ar(v.a, v.b);
}
template <class Archive>
void load(Archive& ar, by_non_member_save_load& v) {
  ar(v.a, v.b);
}
class by_private_serialize {
  int a_ = 0;
  std::string b_;
  friend class cereal::access;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(a_, b_);
  }
};
struct by_versioned_save_load {
  int a = 0;
  std::string b;
  template <class Archive>
  void save(Archive& ar, const std::uint32_t /*version*/) const {
    ar(a, b);
  }
  template <class Archive>
  void load(Archive& ar, const std::uint32_t /*version*/) {
    ar(a, b);
  }
};
struct by_save_minimal {
  int a = 0;
  template <class Archive>
  int save_minimal(const Archive&) const {
    return a;
  }
  template <class Archive>
  void load_minimal(const Archive&, const int& value) {
    a = value;
  }
};
struct empty_no_serialize {};  // saved by cereal's empty-class elision
struct empty_with_serialize {
  template <class Archive>
  void serialize(Archive&) {}
};

// Base classes are fields, like members: the same encoding, the same schema.
struct base_part {
  int b = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(b);
  }
};
struct derived : base_part {
  std::string d;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::base_class<base_part>(this), d);
  }
};
struct composed {
  base_part part;
  std::string d;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(part, d);
  }
};
// Diamond through virtual bases: cereal writes the shared base once, and so does the schema.
struct vbase {
  int v = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(v);
  }
};
struct left_side : virtual vbase {
  std::int8_t l = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::virtual_base_class<vbase>(this), l);
  }
};
struct right_side : virtual vbase {
  std::uint8_t r = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::virtual_base_class<vbase>(this), r);
  }
};
struct diamond : left_side, right_side {
  double d = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(cereal::base_class<left_side>(this), cereal::base_class<right_side>(this), d);
  }
};

// Fields of every kind of standard type inside a user type.
enum class colour : std::uint8_t { red, green };
struct everything {
  colour c = colour::red;
  int raw[2][3] = {};
  std::array<point, 2> corners;
  std::optional<std::string> note;
  std::variant<std::monostate, int, point> choice;
  std::unique_ptr<point> owned;
  std::shared_ptr<std::vector<int>> shared;
  std::map<std::string, std::set<int>> index;
  std::chrono::milliseconds elapsed{0};
  template <class Archive>
  void serialize(Archive& ar) {
    ar(c, raw, corners, note, choice, owned, shared, index, elapsed);
  }
};

// ----- recursion ----------------------------------------------------------------------------
struct tree {
  int value = 0;
  std::vector<tree> kids;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(CEREAL_NVP(value), CEREAL_NVP(kids));
  }
};
struct linked {
  int value = 0;
  std::unique_ptr<linked> next;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(value, next);
  }
};
struct graph_node {
  std::map<std::string, std::shared_ptr<graph_node>> edges;
  std::optional<std::vector<graph_node>> alternatives;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(edges, alternatives);
  }
};
struct mutual_b;
struct mutual_a {
  std::vector<mutual_b> bs;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(bs);
  }
};
struct mutual_b {
  int n = 0;
  std::vector<mutual_a> as;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(n, as);
  }
};
// mutual_b refers to its enclosing mutual_a: its text depends on where it is, so it must not be
// reused from a cache at a place where ^2 would mean another class.
struct twice_b;
struct twice_a {
  std::vector<twice_b> x;
  std::vector<twice_b> y;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(x, y);
  }
};
struct twice_b {
  std::vector<twice_a> back;
  template <class Archive>
  void serialize(Archive& ar, const std::uint32_t /*version*/) {
    ar(back);
  }
};

// ----- serializers lineage's archives accept but schema_archive cannot run --------------------
struct restricted {
  int v = 0;
  void save(st::hashing_output_archive& ar) const { ar(v); }
  void load(st::bounded_input_archive& ar) { ar(v); }
};
struct holds_restricted {
  restricted r;
  int n = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(r, n);
  }
};
// A pointee without a default constructor (built by load_and_construct).
struct no_default {
  explicit no_default(int v) : value(v) {}
  int value;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(value);
  }
  template <class Archive>
  static void load_and_construct(Archive& ar, cereal::construct<no_default>& construct) {
    int v = 0;
    ar(v);
    construct(v);
  }
};

// ----- a custom container, without and with a type-level description -------------------------
template <class T>
struct ring {  // serializes a size and its elements: a default one shows no element type
  std::vector<T> items;
  template <class Archive>
  void save(Archive& ar) const {
    ar(cereal::make_size_tag(static_cast<cereal::size_type>(items.size())));
    for (const auto& item : items) ar(item);
  }
  template <class Archive>
  void load(Archive& ar) {
    cereal::size_type size = 0;
    ar(cereal::make_size_tag(size));
    items.resize(static_cast<std::size_t>(size));
    for (auto& item : items) ar(item);
  }
};
template <class T>
struct described_ring : ring<T> {
  template <class Archive>
  void save(Archive& ar) const {
    ring<T>::save(ar);
  }
  template <class Archive>
  void load(Archive& ar) {
    ring<T>::load(ar);
  }
};

// A name given to a size prefix does not stick to the next field.
struct named_size_prefix {
  std::vector<int> items;
  double after = 0;
  template <class Archive>
  void save(Archive& ar) const {
    ar(cereal::make_nvp("count", cereal::make_size_tag(static_cast<cereal::size_type>(items.size()))));
    for (const int item : items) ar(item);
    ar(after);
  }
  template <class Archive>
  void load(Archive& ar) {
    cereal::size_type size = 0;
    ar(cereal::make_nvp("count", cereal::make_size_tag(size)));
    items.resize(static_cast<std::size_t>(size));
    for (int& item : items) ar(item);
    ar(after);
  }
};

// Counts how often its serializer runs.
inline std::atomic<int> counted_runs{0};
struct counted {
  int v = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    ++counted_runs;
    ar(v);
  }
};

// Value-dependent serializer: only the value-initialized path is seen.
struct conditional_field {
  bool has_extra = false;
  std::string extra;
  template <class Archive>
  void serialize(Archive& ar) {
    ar(has_extra);
    if (has_extra) ar(extra);
  }
};

}  // namespace schema_test

template <class T>
struct lineage::storage::schema_type<schema_test::described_ring<T>> {
  static void describe(schema_archive& ar) { ar.describe_template<T>("ring"); }
};

using namespace schema_test;

// ----- compile-time checks ------------------------------------------------------------------
static_assert(std::is_same_v<decltype(st::schema_of<int>()), const st::element_schema&>);
static_assert(st::has_schema_type<int>);
static_assert(st::has_schema_type<colour>);
static_assert(st::has_schema_type<std::map<std::string, point>>);
static_assert(st::has_schema_type<described_ring<int>>);
static_assert(!st::has_schema_type<point>);
static_assert(!st::has_schema_type<ring<int>>);
static_assert(st::detail::schema::restricted_serializer<restricted>);
static_assert(!st::detail::schema::restricted_serializer<point>);
static_assert(!st::detail::schema::restricted_serializer<empty_no_serialize>);
static_assert(st::serializable<restricted>);
static_assert(st::serializable<holds_restricted>);
static_assert(st::serializable<std::unique_ptr<no_default>>);
static_assert(cereal::traits::is_output_serializable<restricted, st::schema_archive>::value);
static_assert(cereal::traits::is_output_serializable<point, st::schema_archive>::value);
static_assert(cereal::traits::is_output_serializable<std::string, st::schema_archive>::value);

// ----- tests --------------------------------------------------------------------------------
TEST_CASE("schema: notation of arithmetic and standard types", "[schema]") {
  CHECK(text<bool>() == "bool");
  CHECK(text<char>() == "char");
  CHECK(text<signed char>() == "int8");
  CHECK(text<unsigned char>() == "uint8");
  CHECK(text<short>() == "int16");
  CHECK(text<int>() == "int32");
  CHECK(text<unsigned>() == "uint32");
  CHECK(text<std::int64_t>() == "int64");
  CHECK(text<std::uint64_t>() == "uint64");
  CHECK(text<float>() == "float32");
  CHECK(text<double>() == "float64");
  CHECK(text<char16_t>() == "char16");
  CHECK(text<colour>() == "enum<uint8>");
  CHECK(text<std::string>() == "string");
  CHECK(text<std::u32string>() == "string<char32>");
  CHECK(text<std::vector<std::pair<std::string, long long>>>() == "vector<pair<string,int64>>");
  CHECK(text<std::vector<bool>>() == "vector<bool>");
  CHECK(text<std::deque<int>>() == "deque<int32>");
  CHECK(text<std::list<int>>() == "list<int32>");
  CHECK(text<std::forward_list<int>>() == "forward_list<int32>");
  CHECK(text<std::valarray<double>>() == "valarray<float64>");
  CHECK(text<std::array<short, 4>>() == "array<int16,4>");
  CHECK(text<std::bitset<12>>() == "bitset<12>");
  CHECK(text<std::complex<float>>() == "complex<float32>");
  CHECK(text<std::set<int>>() == "set<int32>");
  CHECK(text<std::multiset<int>>() == "multiset<int32>");
  CHECK(text<std::unordered_set<std::string>>() == "unordered_set<string>");
  CHECK(text<std::unordered_multiset<int>>() == "unordered_multiset<int32>");
  CHECK(text<std::map<int, std::string>>() == "map<int32,string>");
  CHECK(text<std::multimap<int, std::string>>() == "multimap<int32,string>");
  CHECK(text<std::unordered_map<std::string, std::vector<double>>>() ==
        "unordered_map<string,vector<float64>>");
  CHECK(text<std::unordered_multimap<int, int>>() == "unordered_multimap<int32,int32>");
  CHECK(text<std::tuple<>>() == "tuple<>");
  CHECK(text<std::tuple<int, std::string, double>>() == "tuple<int32,string,float64>");
  CHECK(text<std::variant<std::monostate, int, std::string>>() == "variant<monostate,int32,string>");
  CHECK(text<std::optional<std::uint16_t>>() == "optional<uint16>");
  CHECK(text<std::unique_ptr<int>>() == "unique_ptr<int32>");
  CHECK(text<std::shared_ptr<std::string>>() == "shared_ptr<string>");
  CHECK(text<std::weak_ptr<int>>() == "weak_ptr<int32>");
  CHECK(text<std::chrono::milliseconds>() == "duration<int64,1/1000>");
  CHECK(text<std::chrono::duration<double>>() == "duration<float64,1/1>");
  CHECK(text<std::chrono::system_clock::time_point>() ==
        "time_point<system_clock,duration<int64,1/" + std::to_string(std::chrono::system_clock::period::den) +
            ">>");
  CHECK(text<std::chrono::time_point<std::chrono::steady_clock, std::chrono::seconds>>() ==
        "time_point<steady_clock,duration<int64,1/1>>");
}

TEST_CASE("schema: notation of user types", "[schema]") {
  CHECK(text<point>() == "{x:int32,y:int32}");
  CHECK(text<base_record>() == "{int32,string}");
  CHECK(text<std::map<std::string, std::optional<point>>>() == "map<string,optional<{x:int32,y:int32}>>");
  CHECK(text<odd_names>() == R"({"two words":int32,"q\"uote\\":int32,"":int32})");
  CHECK(text<versioned_v2>() == "{int32}@2");
  CHECK(text<everything>() ==
        "{enum<uint8>,int32[2][3],array<{x:int32,y:int32},2>,optional<string>,"
        "variant<monostate,int32,{x:int32,y:int32}>,unique_ptr<{x:int32,y:int32}>,shared_ptr<vector<int32>>,"
        "map<string,set<int32>>,duration<int64,1/1000>}");
}

TEST_CASE("schema: a structural change gives another schema", "[schema]") {
  SECTION("fields reordered") { CHECK_FALSE(same_schema<base_record, reordered>()); }
  SECTION("a field's type changed") {
    CHECK_FALSE(same_schema<base_record, retyped>());
    CHECK_FALSE(same_schema<base_record, retyped_float>());  // same size, other type
  }
  SECTION("a field added or removed") {
    CHECK_FALSE(same_schema<base_record, added>());
    CHECK_FALSE(same_schema<base_record, removed>());
  }
  SECTION("nvp names changed") {
    CHECK_FALSE(same_schema<point, point_renamed_field>());
    CHECK_FALSE(same_schema<point, point_swapped_names>());
    CHECK_FALSE(same_schema<point, unnamed_xy>());  // names added
  }
  SECTION("class version bumped, or versioning added") {
    CHECK(text<versioned_v1>() == "{int32}@1");
    CHECK(text<versioned_v2>() == "{int32}@2");
    CHECK(text<versioned_unregistered>() == "{int32}@0");
    CHECK(text<unversioned>() == "{int32}");
    CHECK_FALSE(same_schema<versioned_v1, versioned_v2>());
    CHECK_FALSE(same_schema<versioned_unregistered, unversioned>());
  }
  SECTION("inside standard types too") {
    CHECK_FALSE(same_schema<std::vector<base_record>, std::vector<reordered>>());
    CHECK_FALSE(same_schema<std::map<int, point>, std::map<int, point_renamed_field>>());
    CHECK_FALSE(same_schema<std::optional<versioned_v1>, std::optional<versioned_v2>>());
    CHECK_FALSE(same_schema<std::vector<int>, std::deque<int>>());
    CHECK_FALSE(same_schema<std::array<int, 3>, std::array<int, 4>>());
    CHECK_FALSE(same_schema<std::chrono::seconds, std::chrono::milliseconds>());
    CHECK_FALSE(same_schema<std::pair<int, std::string>, std::pair<std::string, int>>());
    CHECK_FALSE(same_schema<colour, std::uint8_t>());
  }
}

TEST_CASE("schema: the same structure gives the same schema", "[schema]") {
  SECTION("another C++ type name, same fields") {
    CHECK(same_schema<base_record, renamed_record>());
    CHECK(same_schema<point, vec2>());
  }
  SECTION("every way of writing the serializer") {
    CHECK(text<by_member_serialize>() == "{int32,string}");
    CHECK(same_schema<by_member_serialize, by_member_save_load>());
    CHECK(same_schema<by_member_serialize, by_non_member_serialize>());
    CHECK(same_schema<by_member_serialize, by_non_member_save_load>());
    CHECK(same_schema<by_member_serialize, by_private_serialize>());
    CHECK(text<by_versioned_save_load>() == "{int32,string}@0");
    CHECK(text<by_save_minimal>() == "{int32}");
  }
  SECTION("a base class reads like a member of that type") {
    CHECK(text<derived>() == "{{int32},string}");
    CHECK(same_schema<derived, composed>());
    CHECK(text<diamond>() == "{{{int32},int8},{uint8},float64}");  // vbase once, as cereal writes it
  }
  SECTION("empty classes") {
    CHECK(text<empty_no_serialize>() == "{}");
    CHECK(text<empty_with_serialize>() == "{}");
  }
  SECTION("integer types by size, not by spelling") {
    CHECK(same_schema<long long, std::int64_t>());
    CHECK(text<std::pair<unsigned short, std::uint16_t>>() == "pair<uint16,uint16>");
  }
}

TEST_CASE("schema: fixed-size types describe exactly the bytes lineage's archive writes", "[schema]") {
  // diamond: {{{int32},int8},{uint8},float64} = 4 + 1 + 1 + 8 bytes (the virtual base once).
  st::hashing_output_archive written;
  written(diamond{});
  CHECK(written.payload_size() == 14);
  st::hashing_output_archive versioned;
  versioned(two_versioned{});  // {a:{int32}@2,b:{int32}@2}: the version is written once per archive
  CHECK(versioned.payload_size() == 4 + 4 + 4);
}

TEST_CASE("schema: what it cannot see", "[schema]") {
  // Documented in schema.hpp: same-type fields swapped without names; value-dependent branches;
  // custom containers without a schema_type description.
  CHECK(same_schema<unnamed_xy, unnamed_yx>());
  CHECK(text<conditional_field>() == "{bool}");
  CHECK(text<ring<int>>() == "{}");
  CHECK(text<named_size_prefix>() == "{float64}");
  CHECK(same_schema<ring<int>, ring<std::string>>());
  // ...which schema_type fixes:
  CHECK(text<described_ring<int>>() == "ring<int32>");
  CHECK_FALSE(same_schema<described_ring<int>, described_ring<std::string>>());
  CHECK(text<std::vector<described_ring<point>>>() == "vector<ring<{x:int32,y:int32}>>");
}

TEST_CASE("schema: recursive types terminate with back-references", "[schema]") {
  CHECK(text<tree>() == "{value:int32,kids:vector<^1>}");
  CHECK(text<linked>() == "{int32,unique_ptr<^1>}");
  CHECK(text<graph_node>() == "{map<string,shared_ptr<^1>>,optional<vector<^1>>}");
  CHECK(text<mutual_a>() == "{vector<{int32,vector<^2>}>}");
  CHECK(text<mutual_b>() == "{int32,vector<{vector<^2>}>}");
  CHECK(text<std::vector<tree>>() == "vector<{value:int32,kids:vector<^1>}>");
  CHECK(text<std::pair<tree, tree>>() == "pair<{value:int32,kids:vector<^1>},{value:int32,kids:vector<^1>}>");
  // A text that points outside itself is not reused where it would mean another class, and a
  // versioned class keeps its version at each place.
  CHECK(text<twice_a>() == "{vector<{vector<^2>}@0>,vector<{vector<^2>}@0>}");
  CHECK(text<two_versioned>() == "{a:{int32}@2,b:{int32}@2}");
  CHECK(text<std::pair<versioned_v1, versioned_v1>>() == "pair<{int32}@1,{int32}@1>");
}

TEST_CASE("schema: types it cannot run are described by name", "[schema]") {
  CHECK(text<restricted>() == R"(opaque<"schema_test::restricted">)");
  CHECK(text<holds_restricted>() == R"({opaque<"schema_test::restricted">,int32})");
  CHECK(text<std::vector<restricted>>() == R"(vector<opaque<"schema_test::restricted">>)");
  CHECK(text<std::unique_ptr<no_default>>() == R"(unique_ptr<opaque<"schema_test::no_default">>)");
}

TEST_CASE("schema: hash and text", "[schema]") {
  const auto& s = st::schema_of<point>();
  CHECK(s.hash == st::detail::xxh3(s.text.data(), s.text.size()));
  CHECK(st::schema_of<int>().hash != st::schema_of<unsigned>().hash);

  // Long texts are cut for display; the hash covers the whole description.
  using forty = decltype(std::tuple_cat(std::declval<std::array<std::string, 40>>()));
  using long_a = decltype(std::tuple_cat(std::declval<forty>(), std::declval<std::tuple<int>>()));
  using long_b = decltype(std::tuple_cat(std::declval<forty>(), std::declval<std::tuple<long long>>()));
  const auto& a = st::schema_of<long_a>();
  const auto& b = st::schema_of<long_b>();
  CHECK(a.text.size() <= st::schema_text_limit);
  CHECK(a.text.ends_with("\xE2\x80\xA6"));
  CHECK(a.text.starts_with("tuple<string,string,"));
  CHECK(a.text == b.text);
  CHECK(a.hash != b.hash);
  CHECK(a.hash != st::detail::xxh3(a.text.data(), a.text.size()));
}

namespace schema_test {
struct long_utf8_name {
  int v = 0;
  template <class Archive>
  void serialize(Archive& ar) {
    static const std::string name = [] {
      std::string n;
      for (int i = 0; i < 200; ++i) n += "\xC3\xA9";  // é
      return n;
    }();
    ar(cereal::make_nvp(name.c_str(), v));
  }
};

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n;
  }
  return true;
}
}  // namespace schema_test

TEST_CASE("schema: a cut text stays valid UTF-8", "[schema]") {
  const auto& s = st::schema_of<long_utf8_name>();
  CHECK(s.text.size() <= st::schema_text_limit);
  CHECK(s.text.starts_with("{\"\xC3\xA9"));
  CHECK(s.text.ends_with("\xE2\x80\xA6"));
  CHECK(valid_utf8(s.text));
}

TEST_CASE("schema: computed once per type, the same reference each time", "[schema]") {
  const int before = counted_runs.load();
  const auto& first = st::schema_of<counted>();
  const int after_first = counted_runs.load();
  const auto& second = st::schema_of<counted>();
  const auto& third = st::schema_of<const counted&>();
  CHECK(&first == &second);
  CHECK(&first == &third);
  CHECK(counted_runs.load() == after_first);
  CHECK(after_first - before <= 1);  // 0 if another test case computed it first
  CHECK(first.text == "{int32}");
}

namespace schema_test {
template <int I>
struct per_thread_record {
  std::array<int, I + 1> values{};
  std::vector<per_thread_record> children;
  std::map<std::string, versioned_unregistered> named;
  template <class Archive>
  void serialize(Archive& ar, const std::uint32_t /*version*/) {
    ar(values, children, named);
  }
};

// In increasing or decreasing order of I: threads that start different types at the same time
// would race on cereal's global registry of class versions without schema.hpp's lock (TSan).
template <int... Is>
std::vector<const st::element_schema*> all_schemas(bool reverse, std::integer_sequence<int, Is...>) {
  constexpr int n = sizeof...(Is);
  std::vector<const st::element_schema*> out(n);
  if (reverse) {
    ((out[n - 1 - Is] = &st::schema_of<per_thread_record<n - 1 - Is>>()), ...);
  } else {
    ((out[Is] = &st::schema_of<per_thread_record<Is>>()), ...);
  }
  return out;
}
}  // namespace schema_test

TEST_CASE("schema: concurrent first calls agree", "[schema][par]") {
  constexpr int threads = 8;
  std::vector<std::vector<const st::element_schema*>> seen(threads);
  std::atomic<int> ready{0};
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&, t] {
      ++ready;
      while (ready.load() < threads) std::this_thread::yield();
      seen[static_cast<std::size_t>(t)] = all_schemas(t % 2 == 1, std::make_integer_sequence<int, 24>());
    });
  }
  for (auto& thread : pool) thread.join();
  for (int t = 1; t < threads; ++t) CHECK(seen[static_cast<std::size_t>(t)] == seen[0]);
  CHECK(seen[0][0]->text == "{array<int32,1>,vector<^1>,map<string,{int32}@0>}@0");
  CHECK(seen[0][23]->text == "{array<int32,24>,vector<^1>,map<string,{int32}@0>}@0");
}
