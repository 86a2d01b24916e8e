/* Callbacks from the console (issue 14 point 5; R-S6, R-S15).

   Keys on the selected call: Alt+F when a call runs long — the number to read back is shown and
   Alt+F again (read back and agreed) creates a callback to be made at once from another line;
   Alt+E when the caller cannot hear us — a callback due in config.callbacks.cannot_hear_minutes
   (3) is created at once. The callbacks not yet done are listed in a panel at the bottom right,
   the due ones in red; every console is alerted again (live topic ``outbound_callback``) until
   one is recorded as done here (reached) or not reached. Data: POST /api/outbound/callbacks,
   GET /api/outbound/callbacks, POST /api/outbound/entries/{id}/take and …/result. */

import { api, errorText, newestRead } from "./api.js";
import { config } from "./config.js";
import { el, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";
import { fmtTime } from "./local_time.js";
const freshRead = newestRead();  // reads again on live messages: the newest read wins

const MINUTES = (config.callbacks || {}).cannot_hear_minutes || 3;
const panel = el("div", { id: "cb-readback", class: "hold-panel", role: "status", "aria-live": "polite", hidden: true });
const list = el("section", { id: "cb-list", class: "cb-list", hidden: true });
document.body.append(panel, list);
let pending = null;  // { callId, number, name } while the number is being read back
let open = [];

const kbd = (k) => el("kbd", null, k);
const selectedRow = () => document.querySelector(".call-row.selected");

function selectedCall() {
  const row = selectedRow();
  if (!row) { toast(t("cb.no_call"), "error"); return null; }
  const number = row.querySelector(".row-number") ? row.querySelector(".row-number").textContent.trim() : "";
  if (!number) { toast(t("cb.no_number"), "error"); return null; }
  return { callId: Number(row.dataset.id) || null, number };
}

function closeReadBack() { pending = null; panel.hidden = true; panel.replaceChildren(); }

function askReadBack() {
  const call = selectedCall();
  if (!call) return;
  pending = call;
  panel.hidden = false;
  panel.replaceChildren(el("div", { class: "hold-title" }, t("cb.long_title")),
    el("div", { class: "hold-script", id: "cb-script" }, t("cb.read_back_script", { number: call.number })),
    el("div", { class: "small" }, kbd("Alt+F"), " ", t("cb.read_back_done"), "  ", kbd("Esc"), " ", t("cb.cancel")));
}

async function create(kind, call) {
  try {
    await api("POST", "/api/outbound/callbacks", { kind, number: call.number, call_id: call.callId, read_back: kind === "long_call" });
    toast(t(kind === "long_call" ? "cb.created_long" : "cb.created_cannot_hear", { number: call.number, n: MINUTES }), "ok");
    load();
  } catch (e) { toast(errorText(e), "error"); }
}

async function record(entry, result) {
  try {
    await api("POST", `/api/outbound/entries/${entry.id}/take`);
    await api("POST", `/api/outbound/entries/${entry.id}/result`, { result });
    load();
  } catch (e) { toast(errorText(e), "error"); }
}

function render() {
  list.hidden = !open.length;
  list.setAttribute("aria-label", t("cb.title"));
  const now = Date.now();
  list.replaceChildren(el("div", { class: "cb-head" }, t("cb.title"), " ", el("span", { class: "muted small" }, String(open.length))),
    ...open.map((e) => {
      const due = e.due_at ? new Date(e.due_at).getTime() : now;
      return el("div", { class: "cb-item" + (due <= now ? " due" : ""), dataset: { id: e.id, number: e.number } },
        el("b", { class: "mono" }, e.number), " ",
        el("span", { class: "small" }, due <= now ? t("cb.due_now") : t("cb.due_at", { time: fmtTime(e.due_at) })), " ",
        el("button", { type: "button", class: "btn btn-sm cb-reached", onclick: () => record(e, "reached") }, t("cb.reached")),
        el("button", { type: "button", class: "btn btn-sm cb-not-reached", onclick: () => record(e, "no_answer") }, t("cb.no_answer")));
    }));
}

async function load() {
  try { open = await freshRead(api("GET", "/api/outbound/callbacks")); } catch (e) { return; }
  render();
}

document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && pending) { closeReadBack(); return; }
  if (!e.altKey || e.ctrlKey) return;
  if (e.code === "KeyF") {
    e.preventDefault();
    if (pending) { const call = pending; closeReadBack(); create("long_call", call); } else askReadBack();
  } else if (e.code === "KeyE") {
    e.preventDefault();
    const call = selectedCall();
    if (call) create("cannot_hear", call);
  }
});

subscribe("outbound_callback", (msg) => {
  const p = msg.payload || {};
  if (p.event === "due") toast(t("cb.due_toast", { number: p.number }), "error");
  load();
});
load();
onOpen(load);  // after a reconnect: what changed meanwhile
onLocale(render);
setInterval(render, 30000);  // an entry's "due" turns red on time without a message
