/* segments.c - `gongdan segments import FILE.csv`: loads mobile number
 * segments (first 7 digits → region) in one transaction; bad rows are
 * reported by line number and skipped, good ones kept. */
#include <limits.h>
#include <stdio.h>

#include "gongdan/catalog.h"
#include "gongdan/cli.h"
#include "gongdan/db.h"

int cli_segments_import(int argc, char **argv)
{
	static const char *const opts[] = {"--db=", NULL};
	struct cli_args a;
	if (argc < 1 || argv[0][0] == '-') {
		fprintf(stderr, "gongdan segments import: give the CSV file: segments import FILE.csv [--db PATH]\n");
		return 2;
	}
	const char *file = argv[0];
	if (cli_parse("segments import", opts, argc - 1, argv + 1, &a))
		return 2;
	if (db_global_open(cli_db_path(&a))) {
		fprintf(stderr, "gongdan segments import: cannot open %s\n", cli_db_path(&a));
		return 1;
	}
	struct gd_err e = GD_ERR_INIT;
	int imported = 0;
	enum gd_status s = segments_import(file, &imported, &e);
	size_t bad = e.fields ? json_object_size(e.fields) : 0;
	/* in line order: the keys are "line N" */
	for (int line = 1, left = (int)bad; left > 0 && line <= INT_MAX - 1; line++) {
		char key[32];
		snprintf(key, sizeof key, "line %d", line);
		json_t *why = json_object_get(e.fields, key);
		if (why) {
			fprintf(stderr, "%s:%d: %s\n", file, line, json_string_value(why));
			left--;
		}
	}
	db_global_close();
	if (s) {
		fprintf(stderr, "gongdan segments import: %s\n", e.message[0] ? e.message : "import failed; nothing changed");
		gd_err_release(&e);
		return 1;
	}
	printf("imported %d segment(s); %zu bad row(s) skipped\n", imported, bad);
	gd_err_release(&e);
	return 0;
}
