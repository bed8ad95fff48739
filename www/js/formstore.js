// formstore.js - what is being typed survives a reload: each form keeps its
// values in the tab's sessionStorage (never localStorage: they hold
// customers' numbers) until it is saved, and logout clears them all.
const PREFIX = 'gongdan.form.';

export function load(key) {
  try {
    return JSON.parse(sessionStorage.getItem(PREFIX + key));
  } catch {
    return null;
  }
}

export function save(key, value) {
  sessionStorage.setItem(PREFIX + key, JSON.stringify(value));
}

export function clear(key) {
  sessionStorage.removeItem(PREFIX + key);
}

export function clearAll() {
  for (const k of Object.keys(sessionStorage)) if (k.startsWith(PREFIX)) sessionStorage.removeItem(k);
}
