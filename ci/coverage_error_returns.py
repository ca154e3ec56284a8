#!/usr/bin/env python3
"""The error-return gate of ci/coverage.sh (docs/quality.md, "Coverage").

Finds every error return of the reference core (reference/core/*.cc and *.h)
and checks, from gcov's counts in a coverage build, that each one was
executed. Prints the ones that were not as "file:line: [function] text" and
exits 1 if there is any. Python 3 standard library and gcov only.

An error return is one of:
  fail     a return statement that calls fail(), fail_status() or
           poll_error() (the core decides and logs every error through them),
           conditional ones ("s == ok ? RSM_SUCCESS : fail_status(...)") too;
  code     a return statement naming an RSMERR_* code (status_map.cc's
           switch arms, the segment-id file parser);
  status   a return of a Status other than ok (the registry's defaults for
           backend entries left null);
  map      any other return of status_map.cc but RSM_SUCCESS (the mapped
           code, the fallback of an operation);
  pass     "return rc;": a non-zero code from a helper passed on;
  oom      an RSMKIT_OOM_GUARD(code): the catch of std::bad_alloc that ends
           every entry point.
Lines inside #define are not code and are skipped. A return guarded by a
mutant switch (RSMKIT_MUTANT in the statement or in the condition that leads
to it) for which gcov has no data is compiled out of librsm and reported as
such; any other return without data counts as not executed.

Executed means: for oom, an exception reached the handler (a branch of the
guard's line was taken; the only exception the core can meet is bad_alloc);
for the others, gcov counts the statement's lines (those it has data for)
and none of their ordinary blocks is unexecuted. "if (c) return fail(...);" on one line therefore counts only
once the return itself ran, and a conditional return only once each arm ran.
A line compiled into several objects (a header, segmentid_conf.cc in the
tests) counts when it is executed in any of them.

Exclusions (ci/coverage-exclusions.txt) name a return by file, function and
its text, with the reason it cannot be reached; a listed return that no
longer exists fails the gate, one that is covered anyway is reported.
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys
from collections import defaultdict

ROOT = os.path.realpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
CORE = "reference/core"
ERROR_HELPERS = ("fail", "fail_status", "poll_error")
NOT_A_FUNCTION = re.compile(r"^(namespace|using|struct|class|enum|template|constexpr|static_assert|"
                            r"extern|typedef|return|if|for|while|switch|case|default|else|do|public|"
                            r"private|protected)\b")


def blank_out(text):
    """Comments, string and character literals replaced by spaces (newlines
    kept), so line numbers and columns stay as in the source."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            for k in range(i + 1, j - 1):
                if out[k] != "\n":
                    out[k] = " "
            i = j
            continue
        else:
            i += 1
            continue
        for k in range(i, j):
            if out[k] != "\n":
                out[k] = " "
        i = j
    return "".join(out)


def directive_lines(lines):
    """Line numbers (1-based) that belong to preprocessor directives."""
    skip, cont = set(), False
    for no, line in enumerate(lines, 1):
        if cont or line.lstrip().startswith("#"):
            skip.add(no)
            cont = line.rstrip().endswith("\\")
    return skip


def enclosing_functions(lines, skip):
    """For each line, the name of the function defined at column 0 above it."""
    names, current = [], ""
    for no, line in enumerate(lines, 1):
        if no not in skip and line[:1].isalpha() and not NOT_A_FUNCTION.match(line) \
                and not line.rstrip().endswith(";"):
            m = re.match(r"^[^(=]*?\b([A-Za-z_]\w*)\s*\(", line)
            if m:
                current = m.group(1)
        names.append(current)
    return names


def statement_after(code, pos):
    """The text from pos to the ';' that ends the statement (depth 0)."""
    depth = 0
    for j in range(pos, len(code)):
        c = code[j]
        if c in "([{":
            depth += 1
        elif c in ")]}":
            if depth == 0:
                return code[pos:j]
            depth -= 1
        elif c == ";" and depth == 0:
            return code[pos:j]
    return code[pos:]


def classify(expr):
    e = " ".join(expr.split())
    if re.search(r"\b(%s)\s*\(" % "|".join(ERROR_HELPERS), e):
        return "fail"
    if re.search(r"\bRSMERR_\w+", e):
        return "code"
    m = re.fullmatch(r"(?:(?:::)?rsmkit::)?(?:S|Status)::(\w+)", e)
    if m and m.group(1) != "ok":
        return "status"
    if e == "rc":
        return "pass"
    return None


def error_returns(path):
    """[(line, kind, function, source text)] of one source file."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    code = blank_out(text)
    skip = directive_lines(lines)
    funcs = enclosing_functions(lines, skip)
    line_starts = [0]
    for line in lines:
        line_starts.append(line_starts[-1] + len(line) + 1)

    def line_of(pos):
        lo, hi = 0, len(line_starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if line_starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    found = {}
    for m in re.finditer(r"\breturn\b", code):
        no = line_of(m.start())
        if no in skip:
            continue
        stmt = statement_after(code, m.end())
        kind = classify(stmt)
        if not kind and os.path.basename(path) == "status_map.cc" and stmt.strip() != "RSM_SUCCESS":
            kind = "map"
        if kind:
            # The statement and what leads to it since the previous one (an
            # "if (...)" over several lines): a mutant switch there means the
            # return exists only in librsm-mutants.
            lead = max(code.rfind(c, 0, m.start()) for c in ";{}")
            mutant = "RSMKIT_MUTANT" in text[lead + 1:m.end()] + statement_after(text, m.end())
            found.setdefault(no, (kind, mutant, line_of(m.end() + len(stmt))))
    for m in re.finditer(r"\bRSMKIT_OOM_GUARD\s*\(", code):
        no = line_of(m.start())
        if no not in skip:
            found[no] = ("oom", False, no)
    return [(no, last, kind, mutant, funcs[no - 1], lines[no - 1].strip())
            for no, (kind, mutant, last) in sorted(found.items())]


def gcov_lines(build):
    """{(relative source path, line): [executed, branch taken, has data]} from
    every object compiled from reference/core/*.cc (not librsm-mutants)."""
    by_dir = defaultdict(list)
    for gcda in glob.glob(os.path.join(build, "**", "*.gcda"), recursive=True):
        if "/core/" in gcda and gcda.endswith(".cc.gcda") and "rsm_mutants.dir" not in gcda:
            by_dir[os.path.dirname(gcda)].append(gcda)
    result = {}
    gcov = os.environ.get("GCOV", "gcov")
    for d, files in sorted(by_dir.items()):
        out = subprocess.run([gcov, "--json-format", "--stdout", "--branch-probabilities",
                              "--object-directory", d] + sorted(files),
                             cwd=build, check=True, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True).stdout
        for doc in out.splitlines():
            if not doc.strip():
                continue
            cwd = json.loads(doc).get("current_working_directory", build)
            for f in json.loads(doc)["files"]:
                src = os.path.realpath(os.path.join(cwd, f["file"]))
                rel = os.path.relpath(src, ROOT)
                if not rel.startswith(CORE + "/"):
                    continue
                for ln in f["lines"]:
                    key = (rel, ln["line_number"])
                    r = result.setdefault(key, [False, False, False])
                    r[0] |= ln["count"] > 0 and not ln["unexecuted_block"]
                    r[1] |= any(b["count"] > 0 for b in ln.get("branches", []))
                    r[2] = True
    return result


def read_exclusions(path):
    """[(file, function, text, reason, source line)] from the exclusions file:
    "file | function | line text | reason", '#' comments."""
    out = []
    if not os.path.exists(path):
        return out
    with open(path, encoding="utf-8") as f:
        for no, line in enumerate(f, 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            parts = [p.strip() for p in line.rstrip("\n").split(" | ")]
            if len(parts) != 4 or not all(parts):
                sys.exit("%s:%d: want 'file | function | line text | reason'" % (path, no))
            out.append((parts[0], parts[1], parts[2], parts[3], no))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build", "coverage"),
                    help="coverage build with .gcda counts (default build/coverage)")
    ap.add_argument("--exclusions", default=os.path.join(ROOT, "ci", "coverage-exclusions.txt"))
    ap.add_argument("--list", action="store_true", help="print every error return and its state")
    args = ap.parse_args()
    build = os.path.realpath(args.build_dir)

    sources = sorted(glob.glob(os.path.join(ROOT, CORE, "*.cc")) + glob.glob(os.path.join(ROOT, CORE, "*.h")))
    returns = []
    for src in sources:
        rel = os.path.relpath(src, ROOT)
        returns += [(rel,) + r for r in error_returns(src)]
    cov = gcov_lines(build)
    if not cov:
        sys.exit("coverage_error_returns: no coverage data of %s under %s" % (CORE, build))
    exclusions = read_exclusions(args.exclusions)
    used = set()

    counts = defaultdict(int)
    uncovered = []
    for rel, no, last, kind, mutant, func, text in returns:
        # A statement over several lines: gcov may put its code on any of them.
        data = [cov[(rel, n)] for n in range(no, last + 1) if (rel, n) in cov]
        if not data and mutant:
            state = "compiled out"
        elif not data:
            state = "no data"
        elif kind == "oom":
            state = "covered" if any(d[1] for d in data) else "uncovered"
        else:
            state = "covered" if all(d[0] for d in data) else "uncovered"
        excl = [e for e in exclusions if e[0] == rel and e[1] == func and e[2] == text]
        if excl:
            used.update(e[4] for e in excl)
            if state == "covered":
                print("note: %s:%d: excluded but covered: [%s] %s" % (rel, no, func, text))
            state = "excluded"
        counts[state] += 1
        if args.list:
            print("%-12s %-6s %s:%d: [%s] %s" % (state, kind, rel, no, func, text))
        if state in ("uncovered", "no data"):
            uncovered.append((rel, no, kind, func, text, state))

    stale = [e for e in exclusions if e[4] not in used]
    for e in stale:
        print("%s:%d: exclusion matches no error return: %s | %s | %s"
              % (os.path.relpath(args.exclusions, ROOT), e[4], e[0], e[1], e[2]))
    for rel, no, kind, func, text, state in uncovered:
        print("%s:%d: %s%s error return not executed: [%s] %s"
              % (rel, no, "(no coverage data) " if state == "no data" else "", kind, func, text))
    total = len(returns)
    print("error returns in %s: %d; covered %d, excluded %d, compiled out %d, NOT covered %d"
          % (CORE, total, counts["covered"], counts["excluded"], counts["compiled out"],
             counts["uncovered"] + counts["no data"]))
    return 1 if uncovered or stale else 0


if __name__ == "__main__":
    sys.exit(main())
