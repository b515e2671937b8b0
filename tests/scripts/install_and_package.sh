#!/usr/bin/env bash
# Installs the built tree with `cmake --install` into a scratch prefix, builds the Debian
# package with cpack, checks that dpkg would install it on this system (dpkg --dry-run: its
# dependencies are met and it conflicts with nothing; the real system is not changed), unpacks
# it with dpkg -x into a scratch root, and runs `faultline --version` and one library scenario
# from the installed paths. Usage: install_and_package.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/faultline-install-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }

echo "== cmake --install into $scratch/prefix"
cmake --install "$build" --prefix "$scratch/prefix" >"$scratch/install.log"
prefix=$scratch/prefix
for file in bin/faultline share/faultline/faultline.schema.json share/faultline/binding.schema.json share/faultline/scenarios/crash-discovery.json \
            share/faultline/scenarios/faultline.schema.json share/bash-completion/completions/faultline \
            share/doc/faultline/README.md share/doc/faultline/docs/cli.md; do
  [ -e "$prefix/$file" ] || fail "cmake --install did not install $file"
done
version=$("$prefix/bin/faultline" --version)
[[ "$version" == "faultline "* ]] || fail "the installed faultline does not print its version"
# The installed completion completes commands and options.
words=$(bash -c "source '$prefix/share/bash-completion/completions/faultline'; COMP_WORDS=(faultline va); COMP_CWORD=1; _faultline; echo \${COMPREPLY[*]}")
[ "$words" = "validate" ] || fail "bash completion of 'faultline va' gave '$words'"
words=$(bash -c "source '$prefix/share/bash-completion/completions/faultline'; COMP_WORDS=(faultline sweep --ju); COMP_CWORD=2; _faultline; echo \${COMPREPLY[*]}")
[ "$words" = "--junit" ] || fail "bash completion of 'faultline sweep --ju' gave '$words'"
# Every command of the program is known to the completion.
for command in $("$prefix/bin/faultline" --help | sed -n 's/^  \([a-z]\+\).*/\1/p'); do
  grep -q "commands=\".*\b$command\b" "$prefix/share/bash-completion/completions/faultline" \
    || fail "bash completion does not know the command $command"
done

echo "== cpack -G DEB"
(cd "$scratch" && cpack -G DEB --config "$build/CPackConfig.cmake" -B "$scratch/package" >"$scratch/cpack.log" 2>&1) \
  || { cat "$scratch/cpack.log"; fail "cpack -G DEB"; }
deb=$(ls "$scratch"/package/faultline_*.deb)
dpkg-deb --info "$deb" >"$scratch/info.txt"
dpkg-deb --contents "$deb" >"$scratch/contents.txt"
sed -n 's/^ \(Package\|Version\|Architecture\|Depends\):/  \1:/p' "$scratch/info.txt"
grep -q "Depends:.*libboost-fiber" "$scratch/info.txt" || fail "the package does not depend on the Boost libraries it links"
grep -q "\./usr/bin/faultline$" "$scratch/contents.txt" || fail "the package has no /usr/bin/faultline"
# Would it install here? --dry-run checks dependencies and conflicts without changing anything.
dpkg --dry-run -i "$deb" >"$scratch/dpkg.log" 2>&1 || { cat "$scratch/dpkg.log"; fail "dpkg --dry-run -i refuses the package"; }

echo "== the unpacked package runs"
dpkg -x "$deb" "$scratch/root"
"$scratch/root/usr/bin/faultline" --version
"$scratch/root/usr/bin/faultline" validate "$scratch/root/usr/share/faultline/scenarios/"*.json >/dev/null \
  || fail "validate of the installed scenario library"
"$scratch/root/usr/bin/faultline" run "$scratch/root/usr/share/faultline/scenarios/crash-discovery.json" \
  --report "$scratch/report.json" | tail -1
[ -s "$scratch/report.json" ] || fail "the installed faultline wrote no report"
echo "install and package: ok"
