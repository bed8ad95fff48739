#!/bin/bash
# test_install.sh - `make install` with PREFIX and DESTDIR (issue 12): the
# binary, www/, the man page, the unit and the configuration land under
# DESTDIR+PREFIX, the binary and the unit know that PREFIX, and a second
# install leaves an edited configuration alone. TAP lines.
set -u
cd "$(dirname "$0")/../.."
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { local d=$1; shift; local out; if out=$("$@" 2>&1); then ok "$d"; else not_ok "$d" "$out"; fi; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
d="$tmp/root"
if make --no-print-directory install PREFIX=/opt/gd DESTDIR="$d" >"$tmp/log" 2>&1; then ok "make install PREFIX=/opt/gd DESTDIR=…"; else not_ok "make install" "$(tail -20 "$tmp/log")"; exit 1; fi
for f in /opt/gd/bin/gongdan /opt/gd/share/gongdan/www/index.html /opt/gd/share/gongdan/www/js/api-doc.js \
	/opt/gd/share/man/man1/gongdan.1.gz /opt/gd/lib/systemd/system/gongdan.service /opt/gd/etc/gongdan/gongdan.conf; do
	if [ -f "$d$f" ]; then ok "installed $f"; else not_ok "installed $f"; fi
done
check "nothing outside DESTDIR+PREFIX" sh -c "[ \"\$(ls '$d')\" = opt ] && [ \"\$(ls '$d/opt')\" = gd ]"
check "the binary's default configuration is PREFIX's" sh -c "'$d/opt/gd/bin/gongdan' serve --help | grep -q 'default /opt/gd/etc/gongdan/gongdan.conf'"
check "the unit starts PREFIX's binary with PREFIX's configuration" \
	grep -qx 'ExecStart=/opt/gd/bin/gongdan serve --config /opt/gd/etc/gongdan/gongdan.conf' "$d/opt/gd/lib/systemd/system/gongdan.service"
check "the binary is hardened (PIE, full RELRO)" sh -c \
	"readelf -h '$d/opt/gd/bin/gongdan' | grep -q 'DYN' && readelf -d '$d/opt/gd/bin/gongdan' | grep -q 'BIND_NOW'"
echo "listen = 127.0.0.1:9999 # edited" >>"$d/opt/gd/etc/gongdan/gongdan.conf"
make --no-print-directory install PREFIX=/opt/gd DESTDIR="$d" >"$tmp/log" 2>&1
check "a second install keeps the edited configuration" grep -q "# edited" "$d/opt/gd/etc/gongdan/gongdan.conf"
echo "1..$n"
exit $failed
