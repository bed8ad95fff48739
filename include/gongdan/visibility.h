/* visibility.h - who may see which ticket (SPEC §1), in one place. Every
 * ticket lookup, list, history and report goes through these rules:
 *   dispatcher, supervisor, admin: every ticket;
 *   handler: tickets ever dispatched to their department (ticket_departments);
 *   agent: tickets they created; a list filtered by fault_number shows that
 *     customer's whole history (历史故障), and a ticket whose fault number
 *     matches one of the agent's own tickets can be opened.
 * A ticket the caller may not see is answered as if it did not exist (404). */
#ifndef GD_VISIBILITY_H
#define GD_VISIBILITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gongdan/principal.h"
#include "gongdan/status.h"

struct db;

enum vis_scope {
	VIS_ALL,        /* no restriction */
	VIS_CREATOR,    /* t.created_by = user */
	VIS_DEPARTMENT, /* dispatched to the user's department at some time */
	VIS_NONE,       /* a role without tickets */
};

/* The list restriction for who; customer_lookup is true when the list is
 * filtered by fault_number (an agent's 历史故障 lookup). */
enum vis_scope vis_list_scope(const struct principal *who, bool customer_lookup);

/* Whether who may see the ticket with this id, creator and fault number. */
enum gd_status vis_can_see(struct db *d, const struct principal *who, int64_t ticket_id, int64_t created_by,
			   const char *fault_number, bool *visible);

/* What the rules above need to know of one ticket, read once and checked
 * for many callers without the database (the live updates, events.h):
 * its creator, every department it has been dispatched to, and the
 * creators of every ticket with its fault number (an agent who served that
 * customer may open it). */
struct vis_facts {
	int64_t created_by;
	const int64_t *departments; /* ticket_departments */
	size_t ndepartments;
	const int64_t *customer_agents; /* created_by of the tickets with its fault number */
	size_t ncustomer_agents;
};

/* vis_can_see() on facts gathered beforehand: the same answer. */
bool vis_can_see_facts(const struct principal *who, const struct vis_facts *f);

#endif
