// The element-type fingerprint must read the same whichever compiler built the program, so
// that a checkpoint written by a g++ build loads in a clang build and back. Each expectation
// below is the spelling clang gives; g++ spells these differently before normalization
// ("long int", "std::__cxx11::basic_string", default template arguments inside variadics).
#include <lineage/core/type_name.hpp>

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

using lineage::detail::portable_type_name;

TEST_CASE("portable type names are compiler-independent", "[type_name]") {
  CHECK(portable_type_name<long>() == "long");
  CHECK(portable_type_name<unsigned long long>() == "unsigned long long");
  CHECK(portable_type_name<short>() == "short");
  CHECK(portable_type_name<std::string>() == "std::basic_string<char>");
  CHECK(portable_type_name<std::pair<std::string, unsigned long>>() == "std::pair<std::basic_string<char>, unsigned long>");
  CHECK(portable_type_name<std::variant<int, std::string>>() == "std::variant<int, std::basic_string<char>>");
  CHECK(portable_type_name<std::tuple<std::vector<std::string>, std::map<std::string, long>>>() ==
        "std::tuple<std::vector<std::basic_string<char>>, std::map<std::basic_string<char>, long>>");
}
