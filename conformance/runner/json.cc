// rsmkit conformance runner: JSON reader and writer.
#include "runner/json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace rsmc::json {

const Value *Value::get(const std::string &key) const {
  if (type != Type::object) return nullptr;
  for (const auto &kv : o)
    if (kv.first == key) return &kv.second;
  return nullptr;
}

std::string Value::str(const std::string &key, const std::string &fallback) const {
  const Value *v = get(key);
  return v && v->type == Type::string ? v->s : fallback;
}

double Value::num(const std::string &key, double fallback) const {
  const Value *v = get(key);
  return v && v->type == Type::number ? v->n : fallback;
}

namespace {

class Parser {
 public:
  explicit Parser(const std::string &t) : t_(t) {}

  bool document(Value *out, std::string *error) {
    bool ok = parse_value(out, 0);
    skip_ws();
    if (ok && i_ != t_.size()) ok = fail("trailing characters");
    if (!ok) *error = error_ + " at byte " + std::to_string(i_);
    return ok;
  }

 private:
  bool fail(const char *what) {
    if (error_.empty()) error_ = what;
    return false;
  }
  void skip_ws() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) i_++;
  }
  bool literal(const char *word) {
    size_t n = std::char_traits<char>::length(word);
    if (t_.compare(i_, n, word) != 0) return fail("bad literal");
    i_ += n;
    return true;
  }

  bool parse_value(Value *v, int depth) {
    if (depth > 64) return fail("nesting too deep");
    skip_ws();
    if (i_ >= t_.size()) return fail("unexpected end");
    char c = t_[i_];
    if (c == '{') return parse_object(v, depth);
    if (c == '[') return parse_array(v, depth);
    if (c == '"') {
      v->type = Value::Type::string;
      return parse_string(&v->s);
    }
    if (c == 't' || c == 'f') {
      v->type = Value::Type::boolean;
      v->b = c == 't';
      return literal(v->b ? "true" : "false");
    }
    if (c == 'n') {
      v->type = Value::Type::null;
      return literal("null");
    }
    return parse_number(v);
  }

  bool parse_object(Value *v, int depth) {
    v->type = Value::Type::object;
    i_++;
    skip_ws();
    if (i_ < t_.size() && t_[i_] == '}') {
      i_++;
      return true;
    }
    for (;;) {
      skip_ws();
      std::string k;
      if (i_ >= t_.size() || t_[i_] != '"' || !parse_string(&k)) return fail("expected a key");
      skip_ws();
      if (i_ >= t_.size() || t_[i_++] != ':') return fail("expected ':'");
      v->o.emplace_back(std::move(k), Value{});
      if (!parse_value(&v->o.back().second, depth + 1)) return false;
      skip_ws();
      if (i_ < t_.size() && t_[i_] == ',') {
        i_++;
        continue;
      }
      if (i_ < t_.size() && t_[i_] == '}') {
        i_++;
        return true;
      }
      return fail("expected ',' or '}'");
    }
  }

  bool parse_array(Value *v, int depth) {
    v->type = Value::Type::array;
    i_++;
    skip_ws();
    if (i_ < t_.size() && t_[i_] == ']') {
      i_++;
      return true;
    }
    for (;;) {
      v->a.emplace_back();
      if (!parse_value(&v->a.back(), depth + 1)) return false;
      skip_ws();
      if (i_ < t_.size() && t_[i_] == ',') {
        i_++;
        continue;
      }
      if (i_ < t_.size() && t_[i_] == ']') {
        i_++;
        return true;
      }
      return fail("expected ',' or ']'");
    }
  }

  static void append_utf8(std::string *s, unsigned cp) {
    if (cp < 0x80) {
      *s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *s += static_cast<char>(0xC0 | (cp >> 6));
      *s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *s += static_cast<char>(0xE0 | (cp >> 12));
      *s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *s += static_cast<char>(0xF0 | (cp >> 18));
      *s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *s += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  bool hex4(unsigned *out) {
    if (i_ + 4 > t_.size()) return fail("short \\u escape");
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
      char c = t_[i_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else return fail("bad \\u escape");
    }
    *out = v;
    return true;
  }

  bool parse_string(std::string *s) {
    i_++;  // opening quote
    while (i_ < t_.size()) {
      char c = t_[i_++];
      if (c == '"') return true;
      if (c != '\\') {
        *s += c;
        continue;
      }
      if (i_ >= t_.size()) break;
      char e = t_[i_++];
      switch (e) {
        case '"': *s += '"'; break;
        case '\\': *s += '\\'; break;
        case '/': *s += '/'; break;
        case 'b': *s += '\b'; break;
        case 'f': *s += '\f'; break;
        case 'n': *s += '\n'; break;
        case 'r': *s += '\r'; break;
        case 't': *s += '\t'; break;
        case 'u': {
          unsigned cp;
          if (!hex4(&cp)) return false;
          if (cp >= 0xD800 && cp < 0xDC00 && i_ + 1 < t_.size() && t_[i_] == '\\' && t_[i_ + 1] == 'u') {
            i_ += 2;
            unsigned lo;
            if (!hex4(&lo)) return false;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          append_utf8(s, cp);
          break;
        }
        default: return fail("bad escape");
      }
    }
    return fail("unterminated string");
  }

  bool parse_number(Value *v) {
    const char *start = t_.c_str() + i_;
    char *end = nullptr;
    v->type = Value::Type::number;
    v->n = std::strtod(start, &end);
    if (end == start) return fail("unexpected character");
    i_ += static_cast<size_t>(end - start);
    return true;
  }

  const std::string &t_;
  size_t i_ = 0;
  std::string error_;
};

// Length of the valid UTF-8 sequence at s[i], or 0.
size_t utf8_len(const std::string &s, size_t i) {
  auto b = static_cast<unsigned char>(s[i]);
  size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; k++)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  return n;
}

}  // namespace

bool parse(const std::string &text, Value *out, std::string *error) {
  *out = Value{};
  return Parser(text).document(out, error);
}

std::string quote(const std::string &s) {
  std::string q = "\"";
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = utf8_len(s, i);
    if (n == 0) {
      q += "\\ufffd";
      i++;
      continue;
    }
    if (n > 1) {
      q.append(s, i, n);
      i += n;
      continue;
    }
    switch (c) {
      case '"': q += "\\\""; break;
      case '\\': q += "\\\\"; break;
      case '\n': q += "\\n"; break;
      case '\r': q += "\\r"; break;
      case '\t': q += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7F) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          q += buf;
        } else {
          q += static_cast<char>(c);
        }
    }
    i++;
  }
  return q + "\"";
}

void Writer::newline() {
  out_ += '\n';
  out_.append(first_.size() * 2, ' ');
}

void Writer::before_value() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ',';
    first_.back() = false;
    newline();
  }
}

Writer &Writer::begin_object() {
  before_value();
  out_ += '{';
  first_.push_back(true);
  return *this;
}

Writer &Writer::end_object() {
  bool empty = first_.back();
  first_.pop_back();
  if (!empty) newline();
  out_ += '}';
  if (first_.empty()) out_ += '\n';
  return *this;
}

Writer &Writer::begin_array() {
  before_value();
  out_ += '[';
  first_.push_back(true);
  return *this;
}

Writer &Writer::end_array() {
  bool empty = first_.back();
  first_.pop_back();
  if (!empty) newline();
  out_ += ']';
  if (first_.empty()) out_ += '\n';
  return *this;
}

Writer &Writer::key(const std::string &k) {
  before_value();
  out_ += quote(k);
  out_ += ": ";
  after_key_ = true;
  return *this;
}

Writer &Writer::value(const std::string &v) {
  before_value();
  out_ += quote(v);
  return *this;
}

Writer &Writer::value(long long v) {
  before_value();
  out_ += std::to_string(v);
  return *this;
}

Writer &Writer::value(double v) {
  before_value();
  if (!std::isfinite(v)) {
    out_ += "null";
  } else {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    out_ += buf;
  }
  return *this;
}

Writer &Writer::value(bool v) {
  before_value();
  out_ += v ? "true" : "false";
  return *this;
}

Writer &Writer::null() {
  before_value();
  out_ += "null";
  return *this;
}

}  // namespace rsmc::json
