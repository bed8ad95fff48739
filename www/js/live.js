// live.js - live updates: one EventSource on /api/v1/events per tab, shared
// by whatever the page shows. subscribe({ticket, queues, reset}) calls
// ticket(event data) for each change of a ticket the user may see,
// queues() when the queue counts may have changed, and reset() when the
// server could not replay what was missed (reload what is shown). The
// stream opens with the first subscriber and closes with the last.
const subscribers = new Set();
let source = null;

function dispatch(kind, data) {
  for (const s of [...subscribers]) if (s[kind]) s[kind](data);
}

function open() {
  source = new EventSource('/api/v1/events');
  source.addEventListener('ticket', (e) => dispatch('ticket', JSON.parse(e.data)));
  source.addEventListener('queues', () => dispatch('queues'));
  source.addEventListener('reset', () => dispatch('reset'));
  source.addEventListener('end', () => close());
}

function close() {
  if (source) source.close();
  source = null;
}

export function subscribe(handlers) {
  subscribers.add(handlers);
  if (!source) open();
  return () => {
    subscribers.delete(handlers);
    if (!subscribers.size) close();
  };
}
