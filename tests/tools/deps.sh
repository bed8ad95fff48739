#!/bin/sh
# deps.sh PKG... - installs the Debian packages that are missing (as root), or
# prints the apt-get line to run and fails. Also makes sure node >= 18 and
# npm exist (Debian 12's own nodejs and npm do), and installs the browser
# tests' npm packages (tests/package-lock.json: playwright-core, axe-core)
# when they are missing or older than the lock file.
set -eu
missing=""
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
	if [ "$(id -u)" -eq 0 ]; then
		echo "installing:$missing"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
	else
		echo "missing Debian packages; run:" >&2
		echo "  sudo apt-get install -y$missing" >&2
		exit 1
	fi
fi
lock=tests/package-lock.json
if [ -f "$lock" ] && ! [ tests/node_modules/.package-lock.json -nt "$lock" ]; then
	echo "installing the browser tests' npm packages (npm ci in tests/)"
	(cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi
