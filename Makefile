# gongdan - build, run, test. `make run` and `make test` are the two commands
# a new user needs; both install missing Debian packages first (as root).

PKGS    := libmicrohttpd jansson sqlite3 libcrypto
BUILD   ?= build
OPT     ?= -O2 -g
SAN     ?=
CC      ?= cc
WARN    := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes -Wvla \
           -Wwrite-strings -Wformat=2 -Wshadow -Wconversion -fno-common
CPPFLAGS := -Iinclude -D_GNU_SOURCE -MMD -MP
CFLAGS  := -std=c11 $(OPT) $(SAN) $(WARN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm
DB      ?= gongdan.db
LISTEN  ?= 127.0.0.1:8080

SRC      := $(sort $(shell find src -name '*.c'))
OBJ      := $(SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/migrations.o $(BUILD)/gen/openapi.o
LIBOBJ   := $(filter-out $(BUILD)/src/main.o,$(OBJ))
MIGRATIONS := $(sort $(wildcard sql/[0-9][0-9][0-9][0-9]_*.sql))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

# Debian packages the build, the tests and `make run` need (chromium and a
# CJK font for the browser tests and their screenshots; dpkg-dev, fakeroot,
# lintian, man-db and systemd (for systemd-analyze) for make deb and the
# package test).
DEB_PKGS := build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev \
            libssl-dev libcmocka-dev sqlite3 openssl curl chromium fonts-wqy-microhei \
            dpkg-dev fakeroot lintian man-db systemd adduser

.PHONY: all run test test-unit test-http test-e2e asan bench bench-scale fuzz fmt check-style clean deps install deb

all: $(BUILD)/gongdan

$(BUILD)/gongdan: $(OBJ)
	@echo "  LINK  $@"
	@$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC    $<"
	@$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# Migrations are compiled into the binary, so it needs no sql/ folder at run time.
$(BUILD)/gen/migrations.c: $(MIGRATIONS) tests/tools/embed-sql.sh
	@mkdir -p $(dir $@)
	sh tests/tools/embed-sql.sh $(MIGRATIONS) > $@

$(BUILD)/gen/migrations.o: $(BUILD)/gen/migrations.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# So is the API document (GET /api/v1/openapi.json).
$(BUILD)/gen/openapi.c: src/api/openapi.json tests/tools/embed-text.sh
	@mkdir -p $(dir $@)
	sh tests/tools/embed-text.sh gd_openapi_json src/api/openapi.json > $@

$(BUILD)/gen/openapi.o: $(BUILD)/gen/openapi.c
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/test_%: tests/unit/test_%.c $(LIBOBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LIBOBJ) $(LDLIBS) $(shell pkg-config --libs cmocka 2>/dev/null)

deps:
	@sh tests/tools/deps.sh $(DEB_PKGS)

run: deps
	@$(MAKE) --no-print-directory all
	$(BUILD)/gongdan init --db $(DB) --demo
	$(BUILD)/gongdan serve --db $(DB) --listen $(LISTEN) --www www

test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
	@sh tests/tools/run-tests.sh $(BUILD)

test-unit: all $(UNIT_BIN)
	@TESTS=unit sh tests/tools/run-tests.sh $(BUILD)

test-http: all
	@TESTS=http sh tests/tools/run-tests.sh $(BUILD)

test-e2e: deps
	@$(MAKE) --no-print-directory all
	@TESTS=e2e sh tests/tools/run-tests.sh $(BUILD)

asan: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT='-O1 -g -fno-omit-frame-pointer' \
		SAN='-fsanitize=address,undefined -fno-sanitize-recover=all' all \
		$(UNIT_SRC:tests/unit/%.c=build-asan/tests/%)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		sh tests/tools/run-tests.sh build-asan

-include tests/bench/bench.mk
bench: deps
	@sh tests/tools/deps.sh wrk
	@$(MAKE) --no-print-directory bench-run

# SCALE=1000000 by default; the generated database is kept in build/scale
bench-scale: deps
	@sh tests/tools/deps.sh wrk
	@$(MAKE) --no-print-directory all
	BUILD=$(BUILD) bash tests/bench/scale.sh

fuzz:
	@sh tests/tools/fuzz.sh $(CC)

# --- installing (src/dist/: the unit, the configuration, the man page and
# the package's scripts) ------------------------------------------------------
VERSION    := 0.12.0
PREFIX     ?= /usr/local
DESTDIR    ?=
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
# /usr installs keep Debian's places: /etc, and units in /lib (bookworm)
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR    ?= $(if $(filter /usr,$(PREFIX)),/lib/systemd/system,$(PREFIX)/lib/systemd/system)
# An installed gongdan knows where its configuration and www/ are; it is
# built apart from build/ (which finds www/ beside itself), hardened the
# way Debian builds packages.
IBUILD     := $(BUILD)/install$(subst /,_,$(PREFIX))
ifeq ($(INSTALLED),1)
CPPFLAGS += -DGD_SYSCONFDIR='"$(SYSCONFDIR)"' -DGD_DATADIR='"$(DATADIR)"' -D_FORTIFY_SOURCE=2
CFLAGS   += -fstack-protector-strong -fstack-clash-protection -fcf-protection -fPIE
LDLIBS   += -pie -Wl,-z,relro -Wl,-z,now -Wl,--as-needed
endif
SUBST = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@DATADIR@|$(DATADIR)|g' \
	-e 's|@VERSION@|$(VERSION)|g'

install:
	@$(MAKE) --no-print-directory BUILD=$(IBUILD) INSTALLED=1 PREFIX=$(PREFIX) all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/gongdan $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(SYSCONFDIR)/gongdan $(DESTDIR)$(UNITDIR)
	install -m 755 $(IBUILD)/gongdan $(DESTDIR)$(BINDIR)/gongdan
	rm -rf $(DESTDIR)$(DATADIR)/gongdan/www
	cp -R www $(DESTDIR)$(DATADIR)/gongdan/www
	find $(DESTDIR)$(DATADIR)/gongdan/www -type d -exec chmod 755 {} + -o -type f -exec chmod 644 {} +
	gzip -9n < src/dist/gongdan.1 > $(DESTDIR)$(MANDIR)/man1/gongdan.1.gz
	chmod 644 $(DESTDIR)$(MANDIR)/man1/gongdan.1.gz
	$(SUBST) src/dist/gongdan.service.in > $(DESTDIR)$(UNITDIR)/gongdan.service
	chmod 644 $(DESTDIR)$(UNITDIR)/gongdan.service
	@# the configuration is the operator's: never replaced once there
	if [ ! -e $(DESTDIR)$(SYSCONFDIR)/gongdan/gongdan.conf ]; then \
		$(SUBST) src/dist/gongdan.conf.in > $(DESTDIR)$(SYSCONFDIR)/gongdan/gongdan.conf; \
		chmod 644 $(DESTDIR)$(SYSCONFDIR)/gongdan/gongdan.conf; fi
	@echo "installed under $(DESTDIR)$(PREFIX); the service runs as user gongdan (see README: Operations)"

# make deb: build/gongdan_VERSION_ARCH.deb of `make install PREFIX=/usr`
ARCH := $(shell dpkg --print-architecture 2>/dev/null)
DEB  := $(BUILD)/gongdan_$(VERSION)_$(ARCH).deb
deb:
	@sh tests/tools/deps.sh dpkg-dev fakeroot
	rm -rf $(BUILD)/deb
	@$(MAKE) --no-print-directory install PREFIX=/usr DESTDIR=$(CURDIR)/$(BUILD)/deb/root
	strip --remove-section=.comment --remove-section=.note $(BUILD)/deb/root/usr/bin/gongdan
	install -d $(BUILD)/deb/root/DEBIAN $(BUILD)/deb/root/usr/share/doc/gongdan
	install -m 644 src/dist/copyright $(BUILD)/deb/root/usr/share/doc/gongdan/copyright
	install -d $(BUILD)/deb/root/usr/share/lintian/overrides
	install -m 644 src/dist/lintian-overrides $(BUILD)/deb/root/usr/share/lintian/overrides/gongdan
	$(SUBST) src/dist/changelog | gzip -9n > $(BUILD)/deb/root/usr/share/doc/gongdan/changelog.gz
	chmod 644 $(BUILD)/deb/root/usr/share/doc/gongdan/changelog.gz
	install -m 755 src/dist/postinst src/dist/prerm src/dist/postrm $(BUILD)/deb/root/DEBIAN/
	echo /etc/gongdan/gongdan.conf > $(BUILD)/deb/root/DEBIAN/conffiles
	@# the libraries' packages as dpkg-shlibdeps finds them (it wants a debian/control)
	mkdir -p $(BUILD)/deb/debian
	printf 'Source: gongdan\n\nPackage: gongdan\nArchitecture: any\n' > $(BUILD)/deb/debian/control
	cd $(BUILD)/deb && dpkg-shlibdeps -O root/usr/bin/gongdan | sed -n 's/^shlibs:Depends=//p' > depends
	cd $(BUILD)/deb/root && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | LC_ALL=C sort | \
		xargs md5sum > DEBIAN/md5sums
	$(SUBST) -e 's|@ARCH@|$(ARCH)|' -e "s|@DEPENDS@|$$(cat $(BUILD)/deb/depends)|" \
		-e "s|@SIZE@|$$(du -sk --exclude=DEBIAN $(BUILD)/deb/root | cut -f1)|" src/dist/control.in > $(BUILD)/deb/root/DEBIAN/control
	fakeroot dpkg-deb --build -Zxz --root-owner-group $(BUILD)/deb/root $(DEB)
	@echo "built $(DEB)"

fmt:
	clang-format -i $(SRC) $(wildcard include/gongdan/*.h) $(UNIT_SRC)

check-style:
	@sh tests/tools/check-style.sh

clean:
	rm -rf build build-asan build-fuzz

-include $(OBJ:.o=.d)
