#!/bin/sh
# check-style.sh - house rules a compiler does not enforce (STYLE.md §1, §5):
# banned string functions, sqlite3_* only in src/store/, microhttpd.h only
# in src/web/. Prints every offending line and fails if there is one.
set -u
fail=0
report() {
	if [ -n "$2" ]; then
		echo "$1:"
		echo "$2"
		fail=1
	fi
}
banned=$(grep -nE '\b(sprintf|strcpy|strcat|strncpy|strtok|atoi|gets)[[:space:]]*\(' $(find src include -name '*.[ch]') | grep -v 'snprintf\|vsnprintf')
report "banned functions (use snprintf/strbuf)" "$banned"
sqlite=$(grep -nE '\bsqlite3_[a-z_]+[[:space:]]*\(' $(find src include -name '*.[ch]' -not -path 'src/store/*'))
report "sqlite3_* outside src/store/" "$sqlite"
mhd=$(grep -n 'microhttpd.h' $(find src include -name '*.[ch]' -not -path 'src/web/*'))
report "microhttpd.h outside src/web/" "$mhd"
[ "$fail" -eq 0 ] && echo "check-style: ok"
exit "$fail"
