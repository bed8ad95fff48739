# tests/bench/bench.mk — owned by tests/bench: Makefile fragment for
# `make bench`, included by the top Makefile (which defines BUILD, CC and
# `bench: bench-run`).  Builds the floor server with its own flags so the
# benchmark does not depend on the project's CFLAGS.  The browser rows
# (browser.mjs: Playwright and Debian's chromium from `make deps`) follow
# the wrk table, then the live-update row (events.mjs: delivery latency to
# 100 open streams).

FLOOR_HTTP_CFLAGS := -std=c11 -O2 -Wall -Wextra

$(BUILD)/floor_http: tests/bench/floor_http.c
	@mkdir -p $(@D)
	$(CC) $(FLOOR_HTTP_CFLAGS) $$(pkg-config --cflags libmicrohttpd) -o $@ $< \
		$$(pkg-config --libs libmicrohttpd)

# the real schema's full-text trigger needs the cjk tokenizer (and the
# strbuf and allocation helpers it uses)
$(BUILD)/floor_sqlite: tests/bench/floor_sqlite.c src/store/fts_cjk.c src/base/strbuf.c src/base/xalloc.c
	@mkdir -p $(@D)
	$(CC) $(FLOOR_HTTP_CFLAGS) -D_GNU_SOURCE -Iinclude $$(pkg-config --cflags sqlite3) -o $@ $^ $$(pkg-config --libs sqlite3)

.PHONY: bench-run
bench-run: $(BUILD)/gongdan $(BUILD)/floor_http $(BUILD)/floor_sqlite
	BUILD=$(BUILD) bash tests/bench/run.sh
	BUILD=$(BUILD) node tests/bench/browser.mjs
	BUILD=$(BUILD) node tests/bench/events.mjs
