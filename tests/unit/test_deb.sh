#!/bin/bash
# test_deb.sh - the Debian package (issue 12): `make deb` builds it, lintian
# finds no error or warning, `dpkg -i` installs it (binary, www/, man page,
# unit, configuration, the gongdan user and /var/lib/gongdan), the installed
# unit passes `systemd-analyze verify` and its exposure score is reported;
# then the installed binary is started exactly as the unit's ExecStart says
# (as its User=, in its WorkingDirectory=, with the installed configuration;
# only GONGDAN_LISTEN picks a free port, as these machines may run other
# servers on 8080), /healthz answers, and the package is purged. TAP lines.
# Needs root and dpkg: without dpkg every step is skipped with the reason.
set -u
cd "$(dirname "$0")/../.."
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
check() { # check DESCRIPTION COMMAND...
	local d=$1; shift
	local out
	if out=$("$@" 2>&1); then ok "$d"; else not_ok "$d" "$out"; fi
}
skip_all() { echo "1..0 # SKIP $1"; echo "ok 1 - package test skipped: $1"; exit 0; }

command -v dpkg >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 || skip_all "dpkg is not available"
[ "$(id -u)" -eq 0 ] || skip_all "installing a package needs root"
if dpkg-query -W -f='${Status}' gongdan 2>/dev/null | grep -q "install ok installed"; then
	skip_all "a gongdan package is installed on this machine already; not replacing it"
fi

had_user=0; getent passwd gongdan >/dev/null && had_user=1
had_state=0; [ -e /var/lib/gongdan ] && had_state=1
tmp=$(mktemp -d)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	dpkg --purge gongdan >/dev/null 2>&1
	[ "$had_state" -eq 0 ] && rm -rf /var/lib/gongdan
	[ "$had_user" -eq 0 ] && getent passwd gongdan >/dev/null && deluser --quiet --system gongdan >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

# --- build ---------------------------------------------------------------
if make --no-print-directory deb >"$tmp/build.log" 2>&1; then ok "make deb"; else not_ok "make deb" "$(tail -20 "$tmp/build.log")"; exit 1; fi
deb=$(ls -t build/gongdan_*.deb | head -n 1)
check "dpkg-deb reads the package" dpkg-deb --info "$deb"
dpkg-deb -c "$deb" >"$tmp/contents"
for f in ./usr/bin/gongdan ./usr/share/gongdan/www/index.html ./usr/share/gongdan/www/api.html \
	./usr/share/man/man1/gongdan.1.gz ./lib/systemd/system/gongdan.service ./etc/gongdan/gongdan.conf \
	./usr/share/doc/gongdan/copyright; do
	if grep -q " $f\$" "$tmp/contents"; then ok "the package holds $f"; else not_ok "the package holds $f"; fi
done
if command -v lintian >/dev/null 2>&1; then
	lintian --pedantic "$deb" >"$tmp/lintian" 2>&1
	if grep -qE '^[EW]:' "$tmp/lintian"; then
		not_ok "lintian: no errors or warnings" "$(grep -E '^[EW]:' "$tmp/lintian")"
	else
		ok "lintian: no errors or warnings"
	fi
	sed -n 's/^\([IPNX]: .*\)/# lintian: \1/p' "$tmp/lintian"
else
	not_ok "lintian is installed (make deps installs it)"
fi

# --- install -------------------------------------------------------------
if dpkg -i "$deb" >"$tmp/install.log" 2>&1; then ok "dpkg -i installs it"; else not_ok "dpkg -i installs it" "$(cat "$tmp/install.log")"; exit 1; fi
check "dpkg -s: installed" sh -c 'dpkg-query -W -f="\${Status}" gongdan | grep -q "install ok installed"'
check "the gongdan user exists, a system user without a shell" sh -c \
	'u=$(getent passwd gongdan) && uid=$(echo "$u" | cut -d: -f3) && [ "$uid" -lt 1000 ] && echo "$u" | grep -q "nologin\|/bin/false"'
check "/var/lib/gongdan belongs to gongdan" sh -c '[ "$(stat -c %U /var/lib/gongdan)" = gongdan ]'
check "man gongdan finds the page" sh -c 'man -w gongdan | grep -q /usr/share/man/man1/gongdan.1.gz'
check "the man page renders without warnings" sh -c \
	'out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l /usr/share/man/man1/gongdan.1.gz 2>&1 >/dev/null); [ -z "$out" ] || { echo "$out"; exit 1; }'
unit=/lib/systemd/system/gongdan.service
conf=/etc/gongdan/gongdan.conf
check "the installed binary defaults to the installed configuration" sh -c \
	'/usr/bin/gongdan serve --help | grep -q "default /etc/gongdan/gongdan.conf"'

# --- the unit ------------------------------------------------------------
if command -v systemd-analyze >/dev/null 2>&1; then
	check "systemd-analyze verify $unit" systemd-analyze verify "$unit"
	systemd-analyze security --offline=true "$unit" >"$tmp/security" 2>&1
	score=$(sed -n 's/.*Overall exposure level for gongdan.service: \([0-9.]*\).*/\1/p' "$tmp/security")
	echo "# systemd-analyze security --offline=true: exposure $score"
	grep '✗' "$tmp/security" | sed 's/^/#   /'
	if [ -n "$score" ] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
		ok "exposure score $score (at most 2.0)"
	else
		not_ok "exposure score at most 2.0" "$(tail -3 "$tmp/security")"
	fi
else
	not_ok "systemd-analyze is installed (make deps installs systemd)"
fi
for opt in "User=gongdan" "StateDirectory=gongdan" "ProtectSystem=strict" "NoNewPrivileges=yes" "PrivateTmp=yes" \
	"SystemCallFilter=@system-service"; do
	if grep -qx "$opt" "$unit"; then ok "the unit sets $opt"; else not_ok "the unit sets $opt"; fi
done

# --- the configuration file ----------------------------------------------
keys=$(/usr/bin/gongdan serve --help | sed -n 's/^  --\([a-z-]*\) .*/\1/p' | grep -vx config)
missing=""
for k in $keys; do grep -qE "^#? ?$k = " "$conf" || missing="$missing $k"; done
if [ -z "$missing" ] && [ -n "$keys" ]; then ok "every serve option has a key in $conf ($(echo $keys | wc -w))"; else not_ok "every serve option has a key in $conf" "missing:$missing"; fi
cp "$conf" "$tmp/bad.conf"
printf 'threds = 2\n' >>"$tmp/bad.conf"
line=$(wc -l <"$tmp/bad.conf")
/usr/bin/gongdan serve --config "$tmp/bad.conf" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -q "$tmp/bad.conf:$line: unknown key 'threds'" "$tmp/err"; then
	ok "an unknown key stops the start: exit 2, file and line"
else
	not_ok "an unknown key stops the start: exit 2, file and line" "rc=$rc" "$(cat "$tmp/err")"
fi

# --- start it as the unit would -------------------------------------------
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
user=$(sed -n 's/^User=//p' "$unit")
group=$(sed -n 's/^Group=//p' "$unit")
workdir=$(sed -n 's/^WorkingDirectory=//p' "$unit")
umask_=$(sed -n 's/^UMask=//p' "$unit")
echo "# ExecStart=$exec_start (User=$user Group=$group WorkingDirectory=$workdir UMask=$umask_)"
(
	cd "$workdir" && umask "$umask_" &&
		exec setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs \
			env -i PATH=/usr/bin:/bin GONGDAN_LISTEN=127.0.0.1:0 $exec_start
) >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
url=""
for _ in $(seq 1 100); do
	url=$(sed -n 's/^listening on \(http[^ ]*\)$/\1/p' "$tmp/serve.out")
	[ -n "$url" ] && break
	kill -0 "$pid" 2>/dev/null || break
	sleep 0.1
done
if [ -n "$url" ]; then ok "the installed gongdan starts as the unit's ExecStart ($url)"; else not_ok "the installed gongdan starts" "$(cat "$tmp/serve.err")"; fi
check "GET /healthz answers ok" sh -c "curl -fsS '$url/healthz' | grep -qx '{\"status\":\"ok\"}'"
check "the installed www/ is served" sh -c "curl -fsS '$url/api.html' | grep -q 'api-doc.js'"
check "GET /api/v1/openapi.json answers" sh -c "curl -fsS '$url/api/v1/openapi.json' | grep -q '\"openapi\": \"3.1.0\"'"
check "the database is in the state directory, the user's own" sh -c \
	'[ "$(stat -c %U /var/lib/gongdan/gongdan.db)" = gongdan ] && [ "$(stat -c %a /var/lib/gongdan/gongdan.db)" = 600 ]'
check "the log names the installed configuration" grep -q "configuration from /etc/gongdan/gongdan.conf" "$tmp/serve.err"
check "a backup of the running service's database, as its user" setpriv --reuid="$user" --regid="$group" --init-groups \
	/usr/bin/gongdan backup --db /var/lib/gongdan/gongdan.db --to /var/lib/gongdan/backup.db
check "audit verify accepts the backup" /usr/bin/gongdan audit verify --db /var/lib/gongdan/backup.db
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=""
if [ "$rc" -eq 0 ]; then ok "SIGTERM stops it with status 0"; else not_ok "SIGTERM stops it with status 0" "rc=$rc" "$(tail -5 "$tmp/serve.err")"; fi

# --- remove --------------------------------------------------------------
check "dpkg --purge removes it" dpkg --purge gongdan
check "the binary, the unit and the configuration are gone" sh -c \
	'[ ! -e /usr/bin/gongdan ] && [ ! -e /lib/systemd/system/gongdan.service ] && [ ! -e /etc/gongdan/gongdan.conf ]'
check "the database is kept after a purge (records)" test -e /var/lib/gongdan/gongdan.db
echo "1..$n"
exit $failed
