#!/usr/bin/env python3
"""Runs every command a Markdown page shows, as shown, against a built tree.

usage: doc_commands.py SOURCE_DIR BUILD_DIR PAGE.md

The rule (docs/cli.md, "Commands in the docs are tested"):
- Every line of a fenced block marked ```sh is a command, except blank lines and lines that
  start with '#'. A trailing "# comment" is not part of the command. A line ending in '\\'
  continues on the next.
- A command holding a placeholder -- an upper-case word such as SCENARIO.json, R.json, FILE or
  DIR, not an environment assignment such as NO_COLOR=1 -- is not run; it is listed as skipped.
- ./setup.sh and ./test.sh are not run: they are what runs this test (recursion) and they
  install packages.
- A command whose comment says "fails on purpose" must exit 1; every other command must exit 0.
- Commands run with /bin/bash in a scratch folder that mirrors the checkout: the source's
  top-level entries are symbolic links (not build/ or out/), build/release is the build folder
  under test, and that folder is first on PATH. So scenarios/x.json, build/release/faultline and
  faultline work as written, and files the commands write land in the scratch folder.
- faultline-gui commands get "--at 30s --screenshot FILE" appended and run under xvfb-run, so
  that they exit; without a GUI build they are skipped.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

PLACEHOLDER = re.compile(r"^[A-Z][A-Z0-9_]*(\.[a-z]+)?$")
NOT_RUN = {"./setup.sh", "./test.sh"}


def commands_of(page):
    """(line number, command, comment) for every command of the page's ```sh blocks."""
    found = []
    in_block = False
    pending = ""
    pending_line = 0
    with open(page, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if line.startswith("```"):
                in_block = (not in_block) and line.strip() in ("```sh", "```bash", "```shell")
                continue
            if not in_block:
                continue
            if pending:
                line = pending + " " + line.strip()
            elif not line.strip() or line.lstrip().startswith("#"):
                continue
            else:
                pending_line = number
            if line.endswith("\\"):
                pending = line[:-1].rstrip()
                continue
            pending = ""
            command, comment = split_comment(line)
            found.append((pending_line, command.strip(), comment))
    return found


def split_comment(line):
    """The command and its trailing comment ('#' outside quotes, after a space)."""
    quote = None
    for i, c in enumerate(line):
        if quote:
            if c == quote:
                quote = None
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or line[i - 1] in " \t"):
            return line[:i], line[i + 1:].strip()
    return line, ""


def placeholder_in(command):
    for word in re.split(r"[\s|<>;&()]+", command):
        word = word.strip("'\"")
        if "=" in word:
            word = word.split("=", 1)[1]  # NAME=value assigns; --opt=VALUE may hold one
        if "/" in word:
            word = word.rsplit("/", 1)[1]
        if PLACEHOLDER.match(word) and len(word) > 1:
            return word
    return None


def mirror(source, build, scratch):
    for entry in os.listdir(source):
        if entry in ("build", ".git", "out"):
            continue
        os.symlink(os.path.join(source, entry), os.path.join(scratch, entry))
    os.makedirs(os.path.join(scratch, "build"))
    os.symlink(build, os.path.join(scratch, "build", "release"))


def main():
    source, build, page = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    commands = commands_of(os.path.join(source, page))
    if not commands:
        print(f"{page}: no commands found")
        return 1
    has_gui = os.path.exists(os.path.join(build, "faultline-gui"))
    failures = 0
    ran = 0
    scratch = tempfile.mkdtemp(prefix="faultline-doc-commands-")
    try:
        mirror(source, build, scratch)
        for number, command, comment in commands:
            where = f"{page}:{number}"
            if command in NOT_RUN:
                print(f"{where}: not run (the test and setup commands themselves): {command}")
                continue
            word = placeholder_in(command)
            if word:
                print(f"{where}: skipped (placeholder {word}): {command}")
                continue
            run = command
            if "faultline-gui" in command:
                if not has_gui:
                    print(f"{where}: skipped (no GUI in this build): {command}")
                    continue
                run = f"xvfb-run -a -s '-screen 0 1280x800x24' {command} --at 30s --screenshot {scratch}/gui-{number}.png"
            expected = 1 if "fails on purpose" in comment else 0
            environment = dict(os.environ, PATH=build + os.pathsep + os.environ.get("PATH", ""))
            result = subprocess.run(["timeout", "600", "/bin/bash", "-o", "pipefail", "-c", run], cwd=scratch, env=environment,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            ran += 1
            verdict = "ok" if result.returncode == expected else "FAILED"
            print(f"{where}: {verdict} (exit {result.returncode}, expected {expected}): {command}")
            if result.returncode != expected:
                failures += 1
                print("  stdout: " + result.stdout[-2000:].replace("\n", "\n  "))
                print("  stderr: " + result.stderr[-2000:].replace("\n", "\n  "))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"{page}: {ran} commands run, {failures} failed")
    return 1 if failures or ran == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
