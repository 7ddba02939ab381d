#pragma once
// A minimal JSON reader for the tool tests: parses the tool's --json output (and fails the test
// if it is not valid JSON), so that fields are checked by name, not by text position.
#include <cstddef>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mini_json {

struct value {
  enum class kind { null, boolean, number, string, array, object } type = kind::null;
  bool b = false;
  std::string text;  // a number's digits, or a string's decoded text
  std::vector<value> items;
  std::map<std::string, value> fields;

  const value& operator[](const std::string& key) const {
    const auto it = fields.find(key);
    if (type != kind::object || it == fields.end()) throw std::runtime_error("no field '" + key + "'");
    return it->second;
  }
  const value& operator[](std::size_t i) const { return items.at(i); }
  bool has(const std::string& key) const { return fields.count(key) != 0; }
  unsigned long long u64() const {
    if (type != kind::number) throw std::runtime_error("not a number");
    return std::stoull(text);
  }
  const std::string& str() const {
    if (type != kind::string) throw std::runtime_error("not a string");
    return text;
  }
};

class parser {
 public:
  explicit parser(std::string_view in) : in_(in) {}
  value parse() {
    value v = any();
    space();
    if (at_ != in_.size()) fail("trailing characters");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("invalid JSON at " + std::to_string(at_) + ": " + what);
  }
  void space() {
    while (at_ < in_.size() && (in_[at_] == ' ' || in_[at_] == '\n' || in_[at_] == '\t' || in_[at_] == '\r')) ++at_;
  }
  bool take(char c) {
    space();
    if (at_ < in_.size() && in_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!take(c)) fail(std::string("expected '") + c + "'");
  }
  bool word(std::string_view w) {
    if (in_.substr(at_, w.size()) != w) return false;
    at_ += w.size();
    return true;
  }
  std::string string_body() {
    std::string out;
    while (true) {
      if (at_ >= in_.size()) fail("unterminated string");
      const char c = in_[at_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (at_ >= in_.size()) fail("bad escape");
      const char e = in_[at_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (at_ + 4 > in_.size()) fail("bad \\u escape");
          const unsigned code = static_cast<unsigned>(std::stoul(std::string(in_.substr(at_, 4)), nullptr, 16));
          at_ += 4;
          if (code < 0x80) {
            out += static_cast<char>(code);
          } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
          } else {
            out += static_cast<char>(0xE0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (code & 0x3F));
          }
          break;
        }
        default: fail("bad escape");
      }
    }
  }
  value any() {
    space();
    value v;
    if (take('{')) {
      v.type = value::kind::object;
      if (take('}')) return v;
      do {
        expect('"');
        std::string key = string_body();
        expect(':');
        v.fields[key] = any();
      } while (take(','));
      expect('}');
    } else if (take('[')) {
      v.type = value::kind::array;
      if (take(']')) return v;
      do {
        v.items.push_back(any());
      } while (take(','));
      expect(']');
    } else if (take('"')) {
      v.type = value::kind::string;
      v.text = string_body();
    } else if (word("null")) {
    } else if (word("true")) {
      v.type = value::kind::boolean;
      v.b = true;
    } else if (word("false")) {
      v.type = value::kind::boolean;
    } else {
      const std::size_t start = at_;
      if (at_ < in_.size() && in_[at_] == '-') ++at_;
      while (at_ < in_.size() && in_[at_] >= '0' && in_[at_] <= '9') ++at_;
      if (at_ == start) fail("unexpected character");
      v.type = value::kind::number;
      v.text = std::string(in_.substr(start, at_ - start));
    }
    return v;
  }

  std::string_view in_;
  std::size_t at_ = 0;
};

inline value parse(std::string_view text) { return parser(text).parse(); }

}  // namespace mini_json
