#!/bin/sh
# fuzz.sh [CC] - builds the libFuzzer targets in tests/fuzz/ with clang,
# AddressSanitizer and UBSan into build-fuzz/, and runs each for
# FUZZ_SECONDS (default 30). Needs clang and libclang-rt-14-dev.
set -eu
cc=${1:-clang}
case "$cc" in *clang*) ;; *) cc=clang ;; esac
out=build-fuzz
mkdir -p "$out"
flags="-std=c11 -g -O1 -D_GNU_SOURCE -Iinclude -fsanitize=fuzzer,address,undefined $(pkg-config --cflags jansson libmicrohttpd sqlite3)"
libs="$(pkg-config --libs jansson libmicrohttpd sqlite3 libcrypto) -lpthread -lm"
# each target with the sources it needs (route: every object but main, for the handlers)
all_but_main=$(find src -name '*.c' ! -name main.c | sort)
make --no-print-directory build/gen/migrations.c >/dev/null
$cc $flags -o "$out/fuzz_fields" tests/fuzz/fuzz_fields.c src/core/fields.c src/core/phone.c src/base/utf8.c src/base/status.c $libs
$cc $flags -o "$out/fuzz_text" tests/fuzz/fuzz_text.c src/core/phone.c src/base/utf8.c src/base/gd_time.c $libs
$cc $flags -o "$out/fuzz_route" tests/fuzz/fuzz_route.c $all_but_main build/gen/migrations.c $libs
for f in fuzz_fields fuzz_text fuzz_route; do
	mkdir -p "$out/corpus-$f"
	echo "fuzzing $f for ${FUZZ_SECONDS:-30} s"
	"$out/$f" -max_total_time="${FUZZ_SECONDS:-30}" -print_final_stats=1 "$out/corpus-$f" 2>&1 | tail -n 3
done
