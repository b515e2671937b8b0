#!/usr/bin/env bash
# The second half of the test suite (called by test.sh after the Release build's ctest):
#  1. a Clang Debug build with AddressSanitizer + UBSan (and libFuzzer coverage; the simulation
#     core at -O1, the rest at -O0: see CMakeLists.txt) runs the whole ctest suite (minus the GUI
#     and browser tests, which the Release build already ran);
#  2. cross-build determinism: every scenario in scenarios/ with three seeds, run by the GCC
#     Release binary and the Clang Debug sanitizer binary, must give byte-identical reports;
#  3. the engine's unit tests under valgrind memcheck, with no errors;
#  4. each libFuzzer target runs for a bounded time on a seed corpus made from scenarios/.
# The fuzzers use a fixed libFuzzer seed so a CI run is repeatable; run them longer by hand
# (FAULTLINE_FUZZ_SECONDS) or with another -seed to search further.
# Usage: scripts/sanitize-and-cross-check.sh RELEASE_BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
release=${1:-$root/build/release}
asan=$root/build/asan
fuzz_seconds=${FAULTLINE_FUZZ_SECONDS:-30}

echo "== sanitizer build (clang-14, Debug, ASan + UBSan) =="
cmake -S "$root" -B "$asan" -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER=clang++-14 \
  -DFAULTLINE_SANITIZE=ON -DFAULTLINE_FUZZ=ON -DFAULTLINE_GUI=OFF -DFAULTLINE_BENCH=OFF >/dev/null
cmake --build "$asan"
echo "sanitizer build: $SECONDS s"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Left to the Release pass: the docs' commands, packaging, Slurm and python-jsonschema (outside
# tools, not our memory safety) and the memory-budget test (ASan's shadow memory distorts
# resident size); together about 6 minutes of sanitizer time.
# The schema-extremes test runs every 4th of its ~500 cases here (all of them in the Release pass).
(cd "$asan" && FAULTLINE_EXTREMES_EVERY=4 ctest -j3 --output-on-failure \
  -E "Chromium|chromium|gui|SIGINT|^live:|commands in .* run as shown|install and Debian package|slurm job array|python-jsonschema and faultline validate agree|over the memory budget")  # live tests (real servers, wall-clock load) run in the Release pass,
# except one that takes the proxy, the generator and three faults through ASan and UBSan:
(cd "$asan" && ctest --output-on-failure -R "^live:live applies errors, slowdown and hang")

echo "sanitizer ctest done at $SECONDS s"
echo "== cross-build determinism (GCC Release vs Clang Debug+sanitizers) =="
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
compared=0
for scenario in "$root"/scenarios/*.json; do
  case "$scenario" in *faultline.schema.json) continue;; esac
  for seed in 1 2 3; do
    name=$(basename "$scenario" .json)-$seed
    set +e
    "$release/faultline" run "$scenario" --seed "$seed" --report "$work/$name.gcc.json" >/dev/null
    a=$?
    "$asan/faultline" run "$scenario" --seed "$seed" --report "$work/$name.clang.json" >/dev/null
    b=$?
    set -e
    if [ "$a" != "$b" ]; then echo "exit codes differ for $name: gcc $a, clang $b"; exit 1; fi
    if ! cmp -s "$work/$name.gcc.json" "$work/$name.clang.json"; then
      echo "reports differ for $name:"; diff <(head -c 2000 "$work/$name.gcc.json") <(head -c 2000 "$work/$name.clang.json") || true
      exit 1
    fi
    compared=$((compared + 1))
  done
done
echo "cross-build determinism: $compared reports byte-identical"

echo "cross-build done at $SECONDS s"
echo "== valgrind memcheck: engine unit tests =="
valgrind --error-exitcode=1 --leak-check=full --quiet \
  "$release/faultline_tests" "[queue],[rng],[distribution],[breaker],[histogram],[math],[calls],[server],[balancer],[discovery]" \
  >"$work/valgrind.log" 2>&1 || { tail -50 "$work/valgrind.log"; exit 1; }
tail -2 "$work/valgrind.log"

echo "valgrind done at $SECONDS s"
echo "== libFuzzer (${fuzz_seconds}s per target) =="
corpus=$work/corpus
mkdir -p "$corpus/scenario" "$corpus/report"
cp "$root"/scenarios/*.json "$root"/bench/reference-chain.json "$corpus/scenario/"
# The hostile corpus seeds the scenario fuzzer too; its dictionary names every key and extreme.
for f in "$root"/tests/data/hostile/*/*.json; do cp "$f" "$corpus/scenario/hostile-$(basename "$(dirname "$f")")-$(basename "$f")"; done
cp "$work"/*.gcc.json "$corpus/report/" 2>/dev/null || true
for target in scenario report; do
  dict=()
  [ -f "$root/tests/fuzz/$target.dict" ] && dict=(-dict="$root/tests/fuzz/$target.dict")
  "$asan/fuzz_$target" "$corpus/$target" "${dict[@]}" -seed=1 -max_total_time="$fuzz_seconds" -max_len=65536 \
    -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$work/fuzz_$target.log" 2>&1 \
    || { tail -60 "$work/fuzz_$target.log"; exit 1; }
  grep -E "stat::number_of_executed_units|Done" "$work/fuzz_$target.log" | tr '\n' ' '; echo
done
echo "sanitizers, cross-build determinism, valgrind and fuzzing: all passed"
