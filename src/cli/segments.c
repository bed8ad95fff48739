/* segments.c - `gongdan segments import FILE.csv`: loads mobile number
 * segments (first 7 digits → region) in one transaction; bad rows are
 * reported by line number and skipped, good ones kept (src/core/segments.c,
 * shared with POST /api/v1/segments). */
#include <stdio.h>

#include "gongdan/cli.h"
#include "gongdan/db.h"
#include "gongdan/segments.h"

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
	struct segments_batch b;
	segments_batch_init(&b, false);
	enum gd_status s = segments_import(file, &b, &e);
	/* in line order, as parsed */
	for (size_t i = 0; i < b.n; i++)
		if (b.rows[i].reason)
			fprintf(stderr, "%s:%d: %s\n", file, b.rows[i].line, b.rows[i].reason);
	db_global_close();
	if (s) {
		fprintf(stderr, "gongdan segments import: %s\n", e.message[0] ? e.message : "import failed; nothing changed");
		segments_batch_release(&b);
		gd_err_release(&e);
		return 1;
	}
	printf("imported %d segment(s) (%d added, %d replaced, %d unchanged); %d bad row(s) skipped\n",
	       b.added + b.replaced + b.unchanged, b.added, b.replaced, b.unchanged, b.bad);
	segments_batch_release(&b);
	gd_err_release(&e);
	return 0;
}
