// rsmkit conformance runner: catalog parsing.
#include "runner/catalog.h"

#include <cstring>

#include "framework/api_list.h"
#include "framework/rc.h"
#include "runner/embedded.h"

namespace rsmc {

bool parse_csv(const std::string &text, std::vector<std::vector<std::string>> *rows,
               std::vector<int> *lines, std::string *error) {
  rows->clear();
  lines->clear();
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, field_started = false;
  int line = 1, row_line = 1;
  auto end_row = [&] {
    if (field_started || !row.empty() || !field.empty()) {
      row.push_back(field);
      rows->push_back(row);
      lines->push_back(row_line);
    }
    row.clear();
    field.clear();
    field_started = false;
  };
  for (size_t i = 0; i < text.size(); i++) {
    char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') line++;
        field += c;
      }
      continue;
    }
    if (c == '"') {
      if (!field.empty()) {
        *error = "line " + std::to_string(line) + ": quote inside an unquoted field";
        return false;
      }
      quoted = field_started = true;
    } else if (c == ',') {
      row.push_back(field);
      field.clear();
      field_started = true;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      // CRLF: the '\n' ends the row.
    } else if (c == '\n') {
      end_row();
      row_line = ++line;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted) {
    *error = "line " + std::to_string(row_line) + ": unterminated quoted field";
    return false;
  }
  end_row();
  return true;
}

namespace {

bool starts_with(const std::string &s, const char *prefix) { return s.rfind(prefix, 0) == 0; }

// Parses one file with the expected header; rows go to *out (header dropped).
bool load_table(const EmbeddedFile &f, const char *header, size_t columns,
                std::vector<std::vector<std::string>> *out, std::vector<int> *lines,
                std::vector<std::string> *problems) {
  std::string error;
  if (!parse_csv(f.text, out, lines, &error)) {
    problems->push_back(std::string(f.path) + ": " + error);
    return false;
  }
  std::string got;
  if (!out->empty())
    for (size_t i = 0; i < (*out)[0].size(); i++) got += (i ? "," : "") + (*out)[0][i];
  if (got != header) {
    problems->push_back(std::string(f.path) + ": line 1: header is \"" + got + "\", expected \"" +
                        header + "\"");
    return false;
  }
  out->erase(out->begin());
  lines->erase(lines->begin());
  for (size_t i = 0; i < out->size(); i++) {
    if ((*out)[i].size() != columns) {
      problems->push_back(std::string(f.path) + ": line " + std::to_string((*lines)[i]) + ": " +
                          std::to_string((*out)[i].size()) + " fields, expected " +
                          std::to_string(columns));
      out->erase(out->begin() + static_cast<long>(i));
      lines->erase(lines->begin() + static_cast<long>(i));
      i--;
    }
  }
  return true;
}

Catalog build_catalog() {
  Catalog c;
  bool have_spec = false;
  for (size_t i = 0; i < kEmbeddedFileCount; i++) {
    const EmbeddedFile &f = kEmbeddedFiles[i];
    std::vector<std::vector<std::string>> rows;
    std::vector<int> lines;
    std::string path = f.path;
    if (path == "spec/errors.csv") {
      have_spec = true;
      if (!load_table(f, "function,error,condition", 3, &rows, &lines, &c.problems)) continue;
      for (size_t r = 0; r < rows.size(); r++)
        c.spec.push_back({rows[r][0], rows[r][1], rows[r][2], lines[r]});
    } else if (starts_with(path, "catalog/")) {
      c.files.push_back(path);
      if (!load_table(f, "assertion,function,error,test,condition", 5, &rows, &lines, &c.problems))
        continue;
      for (size_t r = 0; r < rows.size(); r++) {
        CatalogRow row{rows[r][0], rows[r][1], rows[r][2], rows[r][3], rows[r][4], path, lines[r]};
        c.rows.push_back(std::move(row));
      }
    }
  }
  if (!have_spec) c.problems.push_back("spec/errors.csv is not compiled into this binary");
  return c;
}

}  // namespace

std::vector<const CatalogRow *> Catalog::rows_for_test(const std::string &test) const {
  std::vector<const CatalogRow *> out;
  for (const auto &r : rows)
    if (r.test == test) out.push_back(&r);
  return out;
}

const CatalogRow *Catalog::row(const std::string &assertion) const {
  for (const auto &r : rows)
    if (r.assertion == assertion) return &r;
  return nullptr;
}

const Catalog &catalog() {
  static const Catalog c = build_catalog();
  return c;
}

std::vector<CatalogRow> selftest_rows() {
  const char *file = "(built-in selftest catalog)";
  return {
      {"selftest.passes", "rsm_get_controller", "RSM_SUCCESS", "RunnerSelfTest.Passes",
       "the runner reports a passing test as pass", file, 1},
      {"selftest.forgotten", "rsm_get_controller", "RSM_SUCCESS", "RunnerSelfTest.ForgetsCovers",
       "the test never calls covers() for this id: a catalog/test mismatch", file, 2},
      {"selftest.known_failure", "rsm_get_controller", "RSM_SUCCESS",
       "RunnerSelfTest.KnownFailure", "a failure the self-test baseline lists by assertion id",
       file, 3},
      {"selftest.not_provokable", "rsm_get_controller", "RSMERR_INSUFFICIENT_MEM", "-",
       "a documented pair without a test", file, 4},
  };
}

const std::vector<std::string> &api_functions() {
  static const std::vector<std::string> names = {
#define RSMC_NAME_OF(ret, name, params, args) #name,
      RSMC_API_LIST(RSMC_NAME_OF)
#undef RSMC_NAME_OF
  };
  return names;
}

const std::vector<std::string> &rsm_code_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (int rc = 0; rc < 256; rc++) {
      const char *n = rc_name(rc);
      if (std::strncmp(n, "RSM", 3) == 0) v.push_back(n);
    }
    return v;
  }();
  return names;
}

bool is_rsm_code_name(const std::string &name) {
  for (const auto &n : rsm_code_names())
    if (n == name) return true;
  return false;
}

std::vector<std::string> built_test_stems() {
  std::vector<std::string> out;
  std::string all = kBuiltTestStems, cur;
  for (char ch : all + ";") {
    if (ch == ';') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += ch;
    }
  }
  return out;
}

std::string catalog_stem(const std::string &file) {
  size_t slash = file.rfind('/');
  std::string base = slash == std::string::npos ? file : file.substr(slash + 1);
  size_t dot = base.rfind('.');
  return dot == std::string::npos ? base : base.substr(0, dot);
}

}  // namespace rsmc
