/* segments.c - `gongdan segments import FILE.csv`: loads mobile number
 * segments (first 7 digits → region) in one transaction; bad rows are
 * reported by line number and skipped, good ones kept. */
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
	json_t *bad = NULL;
	int imported = 0;
	enum gd_status s = segments_import(file, &imported, &bad, &e);
	size_t i;
	json_t *row;
	json_array_foreach(bad, i, row)
		fprintf(stderr, "%s:%lld: %s\n", file, (long long)json_integer_value(json_object_get(row, "line")),
			json_string_value(json_object_get(row, "reason")));
	db_global_close();
	if (s) {
		fprintf(stderr, "gongdan segments import: %s\n", e.message[0] ? e.message : "import failed; nothing changed");
		json_decref(bad);
		gd_err_release(&e);
		return 1;
	}
	printf("imported %d segment(s); %zu bad row(s) skipped\n", imported, json_array_size(bad));
	json_decref(bad);
	return 0;
}
