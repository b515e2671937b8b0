#!/usr/bin/env python3
"""Lists the functions of faultline's core libraries longer than a limit (default 80 lines).

STYLE.md asks for short functions (TigerBeetle's ~70 lines). This is a reading aid, not a
check that fails a build: a light brace matcher over the sources (strings, characters and
comments skipped), counting a function from its first signature line to its closing brace.
Lambdas and nested blocks count towards the function that holds them.

    scripts/long-functions.py                 # sim/ faults/ reports/ harness/, over 80 lines
    scripts/long-functions.py --limit 70 sim  # other folders or limits
"""
import argparse
import os
import re
import sys

CORE = ["sim", "faults", "reports", "harness"]
NOT_A_FUNCTION = re.compile(r"^\s*(if|for|while|switch|else|do|try|catch|namespace|class|struct|enum|union|extern|return)\b")
HEADER_END = re.compile(r"\)\s*(const)?\s*(noexcept)?\s*(override)?\s*(final)?\s*(->\s*[\w:<>,&* ]+)?\s*(:.*)?\{\s*$")


def strip_code(text):
    """The text with comments, strings and character literals blanked (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith('R"', i):
            m = re.match(r'R"([^(\s]*)\(', text[i:])
            if not m:
                out.append(c)
                i += 1
                continue
            end = text.find(")" + m.group(1) + '"', i)
            j = n if end < 0 else end + len(m.group(1)) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(" " * (j - i))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def functions(path):
    """(name, first line, line count) of each outermost function-like block in one file."""
    lines = strip_code(open(path, encoding="utf-8", errors="replace").read()).split("\n")
    found = []
    depth = 0
    inside = None  # (depth before it opened, name, first line) of the function being read
    for number, line in enumerate(lines, 1):
        if inside is None and line.rstrip().endswith("{") and HEADER_END.search(line) and not NOT_A_FUNCTION.match(line):
            # The signature may start on an earlier line: walk back to the line holding its name.
            first = number
            text = line
            while "(" not in text.split(")")[0] and first > 1:
                first -= 1
                text = lines[first - 1] + text
            name_match = re.search(r"([~\w:]+)\s*\(", lines[first - 1] + line)
            name = name_match.group(1) if name_match else "?"
            if "=" not in line.split("(")[0] and name not in ("[", "?"):
                inside = (depth, name, first)
        depth += line.count("{") - line.count("}")
        if inside is not None and depth <= inside[0]:
            found.append((inside[1], inside[2], number - inside[2] + 1))
            inside = None
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="*", default=CORE)
    parser.add_argument("--limit", type=int, default=80, help="list functions longer than this many lines")
    args = parser.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    rows = []
    for folder in args.folders:
        for directory, _, names in os.walk(os.path.join(root, folder)):
            for name in sorted(names):
                if name.endswith((".cpp", ".hpp")):
                    path = os.path.join(directory, name)
                    for function, line, count in functions(path):
                        if count > args.limit:
                            rows.append((count, os.path.relpath(path, root), line, function))
    rows.sort(key=lambda row: (-row[0], row[1], row[2]))
    for count, path, line, function in rows:
        print(f"{count:5d}  {path}:{line}  {function}")
    print(f"{len(rows)} functions over {args.limit} lines in {', '.join(args.folders)}", file=sys.stderr)


if __name__ == "__main__":
    main()
