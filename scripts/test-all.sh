#!/bin/bash
# The second README command: every check CI runs, on a fresh Debian 12 machine.
#   1. formatting (clang-format)        4. clang ASan+UBSan build, all tests
#   2. gcc --werror build, all tests    5. clang TSan build, the threaded tests
#   3. unit tests under valgrind        6. libFuzzer build: corpus replay, then each
#                                          target fuzzed for FUZZ_SECONDS (default 45)
#                                        7. meson install to the prefix, then the example,
#                                           the tools and pkg-config with a clean environment
# Ends with one line "N passed, N failed" and exits non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=$root/build-ci
fuzz_seconds=${FUZZ_SECONDS:-45}
jobs=$(nproc 2>/dev/null || echo 2)

./scripts/install-deps.sh || { echo "cannot install dependencies"; echo "0 passed, 1 failed"; exit 1; }

rm -rf "$out"
mkdir -p "$out/logs"
passed=0
failed=0
failures=()

note() { printf '\n=== %s\n' "$*"; }
pass() { passed=$((passed + 1)); echo "ok: $1"; }
fail() { failed=$((failed + 1)); failures+=("$1"); echo "FAILED: $1"; }

# Count the results meson wrote for one `meson test` run (testlog JSON lines).
count_meson() {
    local log=$1 label=$2
    if [ ! -s "$log" ]; then
        fail "$label: no test log"
        return
    fi
    local ok bad
    # A skipped test counts as failed: a check that cannot run must not pass silently.
    ok=$(jq -s '[.[] | select(.result == "OK" or .result == "EXPECTEDFAIL")] | length' "$log")
    bad=$(jq -s '[.[] | select(.result != "OK" and .result != "EXPECTEDFAIL")] | length' "$log")
    passed=$((passed + ok))
    failed=$((failed + bad))
    if [ "$bad" -gt 0 ]; then
        while IFS= read -r name; do failures+=("$label: $name"); done \
            < <(jq -r 'select(.result != "OK" and .result != "EXPECTEDFAIL") | "\(.name) (\(.result))"' "$log")
    fi
    echo "$label: $ok passed, $bad failed"
}

# meson test, with its results counted under a label.
run_meson_tests() {
    local builddir=$1 label=$2
    shift 2
    meson test -C "$builddir" --print-errorlogs --num-processes "$jobs" --logbase "$label" "$@" \
        > "$out/logs/$label.txt" 2>&1
    tail -n 15 "$out/logs/$label.txt"
    # With --setup, meson names the log after the setup too (valgrind-valgrind.json).
    count_meson "$(ls -t "$builddir/meson-logs/$label"*.json 2>/dev/null | head -n 1)" "$label"
}

build() {
    local builddir=$1 label=$2
    shift 2
    if meson setup "$builddir" "$@" > "$out/logs/setup-$label.txt" 2>&1 &&
        ninja -C "$builddir" > "$out/logs/build-$label.txt" 2>&1; then
        pass "build $label"
        return 0
    fi
    tail -n 40 "$out/logs/setup-$label.txt" "$out/logs/build-$label.txt"
    fail "build $label"
    return 1
}

note "1. formatting"
# Listed with find, not git: a tarball or a copy without .git is checked too. An empty
# list fails (clang-format would read stdin and check nothing).
mapfile -t sources < <(find lib include tools tests fuzz examples -name '*.[ch]' -type f | sort)
if [ "${#sources[@]}" -eq 0 ]; then
    fail "clang-format: no C files found"
elif clang-format --dry-run --Werror "${sources[@]}" < /dev/null > "$out/logs/format.txt" 2>&1; then
    pass "clang-format (${#sources[@]} files)"
else
    head -n 40 "$out/logs/format.txt"
    fail "clang-format"
fi

note "2. gcc, --werror, debug"
if build "$out/gcc" gcc --werror -Dbuildtype=debug; then
    run_meson_tests "$out/gcc" gcc

    note "3. unit tests under valgrind"
    run_meson_tests "$out/gcc" valgrind --setup=valgrind --suite unit
fi

note "4. clang, AddressSanitizer + UndefinedBehaviorSanitizer"
if CC=clang build "$out/asan" asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug; then
    CK_FORK=no UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
        run_meson_tests "$out/asan" asan
fi

# Every test that runs threads is in the 'threads' suite: the shared matcher evaluated
# by eight threads at once (single, chain and batch lookups), the threaded example, the
# server with its reload and query-log threads.
note "5. clang, ThreadSanitizer: the threaded tests"
if CC=clang build "$out/tsan" tsan -Db_sanitize=thread -Db_lundef=false -Dbuildtype=debug \
    -Dbench=false; then
    CK_FORK=no TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
        run_meson_tests "$out/tsan" tsan --suite threads
fi

note "6. libFuzzer: corpus replay, then ${fuzz_seconds}s per target"
if CC=clang build "$out/fuzz" fuzz -Dfuzzing=libfuzzer -Db_sanitize=address,undefined \
    -Db_lundef=false -Ddefault_library=static -Dtests=false -Dbench=false; then
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        run_meson_tests "$out/fuzz" fuzz-replay --suite fuzz-replay
    for exe in "$out"/fuzz/fuzz/fuzz_*; do
        [ -f "$exe" ] && [ -x "$exe" ] || continue
        t=$(basename "$exe" | sed 's/^fuzz_//')
        scratch="$out/fuzz-scratch/$t"
        mkdir -p "$scratch"
        dict=()
        [ -f "fuzz/dict/$t.dict" ] && dict=("-dict=$root/fuzz/dict/$t.dict")
        # From inside build-ci, so that crash files land there and not in the sources.
        if (cd "$out" && UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
            "$exe" "${dict[@]}" -max_total_time="$fuzz_seconds" \
            -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            "$scratch" "$root/fuzz/corpus/$t" "$root/fuzz/regress/$t") > "$out/logs/fuzz-$t.txt" 2>&1; then
            pass "fuzz $t ($(grep -m1 -oE 'stat::number_of_executed_units: *[0-9]+' "$out/logs/fuzz-$t.txt" | grep -oE '[0-9]+$') runs)"
        else
            tail -n 40 "$out/logs/fuzz-$t.txt"
            fail "fuzz $t (crash inputs are in $out)"
        fi
    done
fi

note "7. meson install into the real prefix, then use it as a user would"
# Installed for real (CI runs on a throwaway machine as root), then used with a clean
# environment: no LD_LIBRARY_PATH, no PKG_CONFIG_PATH, the tools found on PATH. This is
# what breaks when the library lands where Debian's loader and pkg-config do not look.
# Uninstalled at the end.
# The lock keeps two runs on one machine (several worktrees) from installing over each other.
exec 9> "${TMPDIR:-/tmp}/dnsfw-install.lock"
flock 9
if [ -d "$out/gcc" ] && meson install -C "$out/gcc" > "$out/logs/install.txt" 2>&1 && ldconfig; then
    clean_env=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$HOME")
    if "${clean_env[@]}" sh -c 'gcc -std=c11 -Wall -Werror $(pkg-config --cflags libdnsfw) \
            examples/embed_eval.c $(pkg-config --libs libdnsfw) -o "$1"' sh "$out/embed_eval" \
            > "$out/logs/installed-example.txt" 2>&1 &&
        "${clean_env[@]}" "$out/embed_eval" >> "$out/logs/installed-example.txt" 2>&1 &&
        "${clean_env[@]}" sh -c 'cd / && dnsfw-eval github.com && dnsfw-export --version &&
            dnsfw-serve --version &&
            test -f "$(pkg-config --variable=prefix libdnsfw)/share/man/man1/dnsfw-eval.1"' \
            >> "$out/logs/installed-example.txt" 2>&1; then
        pass "installed library, pkg-config file, tools and man pages work with a clean environment"
    else
        tail -n 20 "$out/logs/installed-example.txt"
        fail "install test"
    fi
    ninja -C "$out/gcc" uninstall > "$out/logs/uninstall.txt" 2>&1 && ldconfig ||
        fail "meson uninstall"
else
    tail -n 20 "$out/logs/install.txt"
    fail "meson install"
fi
flock -u 9

note "summary"
for f in "${failures[@]}"; do echo "failed: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
