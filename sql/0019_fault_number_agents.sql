-- 0019_fault_number_agents.sql - the fault-number index also carries who
-- created each ticket and when, so the questions asked of a customer's
-- tickets are answered from the index alone: which agents served this
-- number (an agent sees those tickets: visibility.c, and the live events'
-- visibility facts, events.c) and how many were created in the last 30
-- days (repeat complaints, ticket.c). Without created_by, every ticket of
-- the number was a random read of the table: at 10 million tickets the
-- events ring's refill at start (4,096 rows) took 24 s on a cold cache.
DROP INDEX tickets_fault_number;
CREATE INDEX tickets_fault_number ON tickets(fault_number, id, created_by, created_at);
