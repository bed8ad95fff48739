/* metrics.c - the series of /metrics that come from the data and the store
 * (api.h: api_metrics): open tickets by state, overdue tickets, active
 * sessions, database and WAL size, group-commit batch sizes, checkpoints.
 * The HTTP series are src/web/metrics.c's. */
#include <stdio.h>

#include "gongdan/api.h"
#include "gongdan/db.h"
#include "gongdan/events.h"
#include "gongdan/gd_time.h"
#include "gongdan/queue.h"
#include "gongdan/session.h"

struct open_tickets {
	struct strbuf *out;
	enum gd_status st;
	int64_t overdue;
};

static void open_state(void *arg, const char *state, int64_t total, int64_t overdue)
{
	struct open_tickets *o = arg;
	if (!o->st)
		o->st = strbuf_addf(o->out, "gongdan_tickets_open{state=\"%s\"} %lld\n", state, (long long)total);
	o->overdue += overdue;
}

static enum gd_status store_series(struct strbuf *out)
{
	static const unsigned bounds[DB_STATS_BATCH_BUCKETS] = DB_STATS_BATCH_BOUNDS;
	static const char *const modes[] = {"passive", "restart"}, *const results[] = {"ok", "busy", "error"};
	struct db_stats s;
	db_stats(&s);
	enum gd_status st = strbuf_addf(out,
					"# HELP gongdan_db_size_bytes Size of the database file.\n"
					"# TYPE gongdan_db_size_bytes gauge\n"
					"gongdan_db_size_bytes %lld\n"
					"# HELP gongdan_wal_size_bytes Size of the write-ahead log (the -wal file).\n"
					"# TYPE gongdan_wal_size_bytes gauge\n"
					"gongdan_wal_size_bytes %lld\n"
					"# HELP gongdan_storage_full 1 while writes fail because the disk is full.\n"
					"# TYPE gongdan_storage_full gauge\n"
					"gongdan_storage_full %d\n"
					"# HELP gongdan_group_commit_batch_size Writes committed together in one "
					"transaction by the writer.\n"
					"# TYPE gongdan_group_commit_batch_size histogram\n",
					(long long)s.db_bytes, (long long)s.wal_bytes, db_storage_full(NULL) ? 1 : 0);
	unsigned long long cum = 0;
	for (int b = 0; !st && b <= DB_STATS_BATCH_BUCKETS; b++) {
		cum += s.batch_counts[b];
		char le[16];
		snprintf(le, sizeof le, b < DB_STATS_BATCH_BUCKETS ? "%u" : "+Inf", b < DB_STATS_BATCH_BUCKETS ? bounds[b] : 0);
		st = strbuf_addf(out, "gongdan_group_commit_batch_size_bucket{le=\"%s\"} %llu\n", le, cum);
	}
	if (!st)
		st = strbuf_addf(out,
				 "gongdan_group_commit_batch_size_sum %llu\n"
				 "gongdan_group_commit_batch_size_count %llu\n"
				 "# HELP gongdan_checkpoints_total WAL checkpoints by mode and result (busy: readers "
				 "kept part of the log).\n"
				 "# TYPE gongdan_checkpoints_total counter\n",
				 s.batch_jobs, s.batches);
	for (int m = 0; !st && m < 2; m++)
		for (int r = 0; !st && r < 3; r++)
			st = strbuf_addf(out, "gongdan_checkpoints_total{mode=\"%s\",result=\"%s\"} %llu\n", modes[m],
					 results[r], s.checkpoints[m][r]);
	if (!st)
		st = strbuf_addf(out,
				 "# HELP gongdan_checkpoint_copied_pages_total Pages checkpoints copied from the WAL "
				 "into the database.\n"
				 "# TYPE gongdan_checkpoint_copied_pages_total counter\n"
				 "gongdan_checkpoint_copied_pages_total %llu\n"
				 "# HELP gongdan_checkpoint_last_wal_pages Pages in the WAL at the last checkpoint "
				 "(-1: none yet).\n"
				 "# TYPE gongdan_checkpoint_last_wal_pages gauge\n"
				 "gongdan_checkpoint_last_wal_pages %lld\n"
				 "# HELP gongdan_checkpoint_last_copied_pages Of those, pages the last checkpoint "
				 "copied back (-1: none yet).\n"
				 "# TYPE gongdan_checkpoint_last_copied_pages gauge\n"
				 "gongdan_checkpoint_last_copied_pages %lld\n"
				 "# HELP gongdan_checkpoint_last_timestamp_seconds When the last checkpoint ran (Unix "
				 "time; 0: none yet).\n"
				 "# TYPE gongdan_checkpoint_last_timestamp_seconds gauge\n"
				 "gongdan_checkpoint_last_timestamp_seconds %lld\n",
				 s.checkpoint_copied, (long long)s.checkpoint_last_log, (long long)s.checkpoint_last_done,
				 (long long)s.checkpoint_last_at);
	return st;
}

enum gd_status api_metrics(struct strbuf *out)
{
	struct db *d = db_reader();
	struct open_tickets o = {out, GD_OK, 0};
	int64_t sessions = 0;
	enum gd_status st = strbuf_adds(out, "# HELP gongdan_tickets_open Open tickets (not closed) by state.\n"
					     "# TYPE gongdan_tickets_open gauge\n");
	if (!st && !(st = db_read_begin(d))) {
		st = queue_open_totals(d, open_state, &o);
		if (!st)
			st = o.st;
		if (!st)
			st = session_count_active(d, time_now(), &sessions);
		db_read_end(d);
	}
	if (!st)
		st = strbuf_addf(out,
				 "# HELP gongdan_tickets_overdue Open tickets past their deadline.\n"
				 "# TYPE gongdan_tickets_overdue gauge\n"
				 "gongdan_tickets_overdue %lld\n"
				 "# HELP gongdan_sessions_active Browser sessions neither expired nor idle.\n"
				 "# TYPE gongdan_sessions_active gauge\n"
				 "gongdan_sessions_active %lld\n",
				 (long long)o.overdue, (long long)sessions);
	struct events_stats ev;
	events_stats(&ev);
	if (!st)
		st = strbuf_addf(out,
				 "# HELP gongdan_event_clients Live update streams open now (GET /api/v1/events).\n"
				 "# TYPE gongdan_event_clients gauge\n"
				 "gongdan_event_clients %u\n"
				 "# HELP gongdan_events_published_total History rows published to live update streams.\n"
				 "# TYPE gongdan_events_published_total counter\n"
				 "gongdan_events_published_total %llu\n"
				 "# HELP gongdan_event_resets_total Streams told to reload: too far behind, or an unknown id.\n"
				 "# TYPE gongdan_event_resets_total counter\n"
				 "gongdan_event_resets_total %llu\n"
				 "# HELP gongdan_event_clients_refused_total Streams refused: --max-event-clients were open.\n"
				 "# TYPE gongdan_event_clients_refused_total counter\n"
				 "gongdan_event_clients_refused_total %llu\n",
				 ev.clients, ev.published, ev.resets, ev.refused);
	return st ? st : store_series(out);
}
