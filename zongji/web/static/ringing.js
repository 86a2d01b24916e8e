/* On every page but the console: the calls ringing for this operator, and the keys that take one
   or move between pages (issue 8, points 6 and 8).

   An operator on the wake-up board or the call log must still see that calls ring and take one
   with F2, as on the console: F2 (or Alt+A) opens the console, which takes the oldest ringing
   call (/?take=1). A call ringing is one the live feed shows ringing that is not outbound (a call
   Zongji or the PBX places is dialling, never ringing for us). The feed already sends each user
   only the calls of the lines they work for.

   Page keys, on every page: Alt+1 console, Alt+2 call log, Alt+3 handover, Alt+4 wake-ups,
   Alt+5 room board, Alt+6 work orders — only the pages in the user's menu. */

import { api } from "./api.js";
import { config } from "./config.js";
import { toast } from "./dom.js";
import { t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";

const cfg = config;
const CONSOLE_ROLES = ["operator", "shift_leader", "supervisor", "admin"];
const PAGE_KEYS = [["1", "/"], ["2", "/calls"], ["3", "/handover"], ["4", "/wakeups"], ["5", "/rooms"], ["6", "/work-orders"]];

/** The pages the menu offers this user, by key: a key goes nowhere the menu does not. */
function pageKeys() {
  const menu = new Set([...document.querySelectorAll(".nav a[href]")].map((a) => a.getAttribute("href")));
  return PAGE_KEYS.filter(([, href]) => menu.has(href));
}

function keyBar(keys) {
  const bar = document.createElement("footer");
  bar.className = "legend page-keybar";
  bar.id = "page-keybar";
  const add = (kbd, label) => {
    const item = document.createElement("span");
    item.className = "keybar-item";
    kbd.forEach((k) => { const e = document.createElement("kbd"); e.textContent = k; item.appendChild(e); });
    const l = document.createElement("span");
    l.dataset.i18n = label;
    l.textContent = t(label);
    item.appendChild(l);
    bar.appendChild(item);
  };
  if (ringingShown()) add(["F2"], "keys.take_on_console");
  keys.forEach(([k, href]) => add(["Alt+" + k], "keys.page." + (href === "/" ? "console" : href.slice(1))));
  return bar;
}

function ringingShown() {
  return !!(cfg.user && CONSOLE_ROLES.includes(cfg.user.role) && !document.body.classList.contains("page-console"));
}

// ------------------------------------------------------------------ calls ringing
const calls = new Map();
const isRinging = (c) => c.state === "ringing" && c.direction !== "out";
let counter = null;

function render() {
  if (!counter) return;
  const n = [...calls.values()].filter(isRinging).length;
  counter.querySelector("b").textContent = n;
  counter.classList.toggle("active", n > 0);
  counter.dataset.count = String(n);
}

/* Calls the feed brought while a resync was under way: newer than the list it reads (which may
   have been read before they rang), so they are applied over it instead of being cleared. */
let brought = null;

async function resync() {
  const mine = new Map();
  brought = mine;
  try {
    const r = await api("GET", "/api/calls/active");
    calls.clear();
    (r.items || []).filter(isRinging).forEach((c) => calls.set(c.id, c));
    mine.forEach((c, id) => { if (isRinging(c)) calls.set(id, c); else calls.delete(id); });
    render();
  } catch (e) { /* shown again on the next message */ } finally {
    if (brought === mine) brought = null;
  }
}

function connect() {
  onOpen(resync);  // anything missed while disconnected
  subscribe("call", (msg) => {
    if (!msg.payload) return;
    const c = msg.payload;
    if (brought) brought.set(c.id, c);
    if (isRinging(c)) calls.set(c.id, c); else calls.delete(c.id);  // only ringing ones count
    render();
  });
}

function takeOnConsole() {
  const n = [...calls.values()].filter(isRinging).length;
  if (!n) { toast(t("toast.no_ringing")); return; }
  location.href = "/?take=1";
}

document.addEventListener("DOMContentLoaded", () => {
  if (!cfg.user) return;
  const keys = pageKeys();
  if (ringingShown()) {
    const status = document.querySelector(".topbar-status");
    counter = document.createElement("a");
    counter.href = "/?take=1";
    counter.id = "page-ringing";
    counter.className = "counter c-ringing";
    counter.title = "F2";
    const label = document.createElement("span");
    label.dataset.i18n = "count.ringing";
    label.textContent = t("count.ringing");
    const b = document.createElement("b");
    b.textContent = "0";
    counter.append(label, " ", b);
    if (status) status.prepend(counter);
    render();
    connect();
    setInterval(resync, 30000);
  }
  // The console keeps its own key legend (full already): one compact item for the page keys.
  // Every other page gets a key bar along its bottom edge.
  const legend = document.getElementById("legend");
  if (legend && keys.length) {
    const item = document.createElement("span");
    item.className = "keybar-item";
    const k = document.createElement("kbd");
    k.textContent = "Alt+1…" + keys[keys.length - 1][0];
    const l = document.createElement("span");
    l.dataset.i18n = "keys.pages";
    l.textContent = t("keys.pages");
    item.append(k, " ", l);
    item.title = keys.map(([key, href]) => "Alt+" + key + " " + t("keys.page." + (href === "/" ? "console" : href.slice(1)))).join(" · ");
    legend.insertBefore(item, legend.children[1] || null);
  } else if (!legend && (keys.length || ringingShown())) {
    document.body.appendChild(keyBar(keys));
    document.body.classList.add("has-page-keybar");
  }
  // On window, after the page's own handlers: a page that uses Alt+digit itself (the settings
  // tabs) keeps it.
  window.addEventListener("keydown", (e) => {
    if (e.defaultPrevented) return;
    if (ringingShown() && (e.key === "F2" || (e.altKey && !e.ctrlKey && e.code === "KeyA"))) {
      e.preventDefault();
      takeOnConsole();
      return;
    }
    if (e.altKey && !e.ctrlKey && !e.shiftKey && /^Digit[1-6]$/.test(e.code)) {
      const hit = keys.find(([k]) => "Digit" + k === e.code);
      if (hit) { e.preventDefault(); if (location.pathname !== hit[1]) location.href = hit[1]; }
    }
  });
});
