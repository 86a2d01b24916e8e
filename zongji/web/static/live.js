/* One live feed per tab (issue 9, point 5): the scripts of a page subscribe to the topics they
   show instead of each opening its own WebSocket to /api/live.

   subscribe(topics, fn): fn(message) for each message of those topics ("*": every one).
   onOpen(fn): fn() when the feed (re)connects — and at once if it is open — so a script
   reloads what it may have missed while disconnected. onClose(fn): fn(code) when it drops.
   The feed reconnects with back-off (0.5 s doubling to 5 s: calls may be ringing); it stops when
   the server ends the session (4401) or refuses it (4403). Started by the first subscriber. */

const handlers = new Map();
const openers = new Set();
const closers = new Set();
let sock = null;
let backoff = 500;
let started = false;

const safe = (fn, ...args) => { try { fn(...args); } catch (e) { console.error(e); } };  // one subscriber's fault stays its own

function connect() {
  sock = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/api/live");
  sock.onopen = () => { backoff = 500; openers.forEach((fn) => safe(fn)); };
  sock.onmessage = (ev) => {
    let msg; try { msg = JSON.parse(ev.data); } catch (e) { return; }
    for (const key of [msg.topic, "*"]) (handlers.get(key) || []).forEach((fn) => safe(fn, msg));
  };
  sock.onclose = (ev) => {
    closers.forEach((fn) => safe(fn, ev.code));
    if (ev.code === 4401 || ev.code === 4403) return;
    setTimeout(connect, backoff);
    backoff = Math.min(backoff * 2, 5000);
  };
}

function start() {
  if (started) return;
  started = true;
  connect();
}

export function subscribe(topics, fn) {
  for (const t of [].concat(topics)) {
    if (!handlers.has(t)) handlers.set(t, new Set());
    handlers.get(t).add(fn);
  }
  start();
}

export function onOpen(fn) {
  openers.add(fn);
  if (sock && sock.readyState === WebSocket.OPEN) safe(fn);
  start();
}

export function onClose(fn) { closers.add(fn); }

/** Whether the feed is connected now. */
export function isOpen() { return !!sock && sock.readyState === WebSocket.OPEN; }
