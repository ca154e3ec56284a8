// rsmkit conformance runner: a small JSON reader and writer. The runner reads
// the one-test result files its children write and writes its own reports;
// both are plain JSON, so no third-party library is needed.
#ifndef RSMC_RUNNER_JSON_H
#define RSMC_RUNNER_JSON_H

#include <string>
#include <utility>
#include <vector>

namespace rsmc::json {

struct Value {
  enum class Type { null, boolean, number, string, array, object };
  Type type = Type::null;
  bool b = false;
  double n = 0;
  std::string s;
  std::vector<Value> a;
  std::vector<std::pair<std::string, Value>> o;

  // Member `key` of an object, or nullptr.
  const Value *get(const std::string &key) const;
  // Convenience accessors with a fallback for a missing or mistyped member.
  std::string str(const std::string &key, const std::string &fallback = "") const;
  double num(const std::string &key, double fallback = 0) const;
};

// Parses a complete JSON text; false with *error set when it is malformed.
bool parse(const std::string &text, Value *out, std::string *error);

// `s` as a JSON string literal. Bytes that are not valid UTF-8 become U+FFFD,
// so a report stays valid whatever a test process printed.
std::string quote(const std::string &s);

// An indenting writer that places the commas.
class Writer {
 public:
  Writer &begin_object();
  Writer &end_object();
  Writer &begin_array();
  Writer &end_array();
  Writer &key(const std::string &k);
  Writer &value(const std::string &v);
  Writer &value(const char *v) { return value(std::string(v)); }
  Writer &value(long long v);
  Writer &value(int v) { return value(static_cast<long long>(v)); }
  Writer &value(size_t v) { return value(static_cast<long long>(v)); }
  Writer &value(unsigned long long v) { return value(static_cast<long long>(v)); }
  Writer &value(double v);
  Writer &value(bool v);
  Writer &null();
  // key + value in one call.
  template <class T>
  Writer &field(const std::string &k, const T &v) {
    return key(k).value(v);
  }
  const std::string &text() const { return out_; }

 private:
  void before_value();
  void newline();
  std::string out_;
  std::vector<bool> first_;  // one per open container: nothing written yet
  bool after_key_ = false;
};

}  // namespace rsmc::json

#endif  // RSMC_RUNNER_JSON_H
