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
# CJK font for the browser tests and their screenshots).
DEB_PKGS := build-essential pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev \
            libssl-dev libcmocka-dev sqlite3 openssl curl chromium fonts-wqy-microhei

.PHONY: all run test test-unit test-http test-e2e asan bench bench-scale fuzz fmt check-style clean deps

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

fmt:
	clang-format -i $(SRC) $(wildcard include/gongdan/*.h) $(UNIT_SRC)

check-style:
	@sh tests/tools/check-style.sh

clean:
	rm -rf build build-asan build-fuzz

-include $(OBJ:.o=.d)
