/* Wake-up board (叫醒， R-H9): book with read-back, the day's list live, manual call list.
   Keys: Alt+W room field · Enter read back · Enter confirm · Esc edit · ↑/↓ select row ·
   D reached at the door · O reached by operator · Del cancel. Data: /api/wakeups, WebSocket /api/live. */

import { api, errorText, newestRead } from "./api.js";
import { config } from "./config.js";
import { $, el, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { onClose, onOpen, subscribe } from "./live.js";
import { fmtStamp, localDate, parse } from "./local_time.js";
import { wakeupDuplicateWarning } from "./wakeup_duplicate.js";
import { byId, showFieldError } from "./form_errors.js";

let board = { items: [], tasks: [] }, pending = null, selected = null, reloadTimer = null;

// From noon on, the board opens on the next day: the night shift prepares the morning's list
// (R-H9). The date field switches to any other day.
function boardDay() {
  const now = new Date();
  const hour = Number(fmtStamp(now.toISOString()).slice(11, 13));  // local hour in the organisation's zone
  return hour >= 12 ? localDate(new Date(now.getTime() + 86400000)) : localDate(now);
}
function day() { return $("wk-day").value || boardDay(); }
function hm(iso) { if (!iso) return ""; const d = parse(iso); return new Intl.DateTimeFormat("en-GB", { timeZone: config.timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(d); }
function statusBadge(s) { return el("span", { class: "badge w-" + s, dataset: { status: s } }, t("wk.status." + s)); }

function formBody() {
  const f = $("wk-form");
  const langs = [...f.querySelectorAll("input[name=lang]:checked")].map((x) => x.value);
  const body = { room: f.room.value.trim(), time: f.time.value.trim(), repeat_daily: f.repeat_daily.checked, languages: langs, note: f.note.value };
  if (f.date.value) body.date = f.date.value;
  if (f.repeat_daily.checked && f.until.value) body.until = f.until.value;
  return body;
}
const fieldError = (err) => showFieldError(err, { mark: "aria", select: true,
  input: byId({ room: "wk-room", wake_at: "wk-time", time: "wk-time", date: "wk-date", until: "wk-until", note: "wk-note" }) });
async function preview(ev) {
  ev && ev.preventDefault();
  document.querySelectorAll("#wk-form [aria-invalid]").forEach((x) => x.removeAttribute("aria-invalid"));
  const body = formBody();
  try {
    const r = await api("POST", "/api/wakeups/preview", body);
    pending = body;
    if (wakeupDuplicateWarning($("wk-rb-zh"), r.duplicates)) pending = { ...body, confirm_duplicate: true };
    $("wk-rb-zh").textContent = r.readback.zh;
    $("wk-rb-en").textContent = r.readback.en;
    $("wk-readback").hidden = false;
    $("wk-confirm").focus();
  } catch (err) { fieldError(err); }
}
async function confirm() {
  if (!pending) return;
  try {
    const r = await api("POST", "/api/wakeups", { ...pending, readback_confirmed: true });
    toast(t("wk.booked", { room: r.items[0].room, time: r.items[0].local_time, n: r.items.length }), "ok");
    pending = null;
    $("wk-readback").hidden = true;
    const f = $("wk-form");
    f.room.value = ""; f.time.value = ""; f.note.value = ""; f.repeat_daily.checked = false; f.until.disabled = true;
    f.room.focus();
    load();
  } catch (err) { $("wk-readback").hidden = true; fieldError(err); }
}
function edit() { pending = null; $("wk-readback").hidden = true; $("wk-time").focus(); }

function render() {
  const tbody = document.querySelector("#wk-table tbody");
  tbody.replaceChildren();
  for (const w of board.items) {
    const late = w.minutes_late === null || w.minutes_late === undefined ? "" : String(w.minutes_late);
    const open = ["due", "retrying", "snoozed", "escalated", "calling", "answered"].includes(w.status);
    const tr = el("tr", { class: "st-" + w.status + (selected === w.id ? " sel" : ""), dataset: { id: w.id, room: w.room }, tabindex: "-1", onclick: () => select(w.id) },
      el("td", { class: "mono" }, w.local_time),
      el("td", { class: "mono" }, w.room || t("wk.room_private")),
      el("td", null, statusBadge(w.status)),
      el("td", { class: "num" }, String(w.attempt_count)),
      el("td", { class: "mono" }, w.next_attempt_at && w.status !== "due" ? hm(w.next_attempt_at) : ""),
      el("td", { class: "num" }, late),
      el("td", null, w.languages.map((l) => (l === "zh" ? "中" : "EN")).join("/")),
      el("td", { class: "note" }, w.note || ""),
      el("td", { class: "small muted", title: w.booked_by || "" }, (w.booked_by_name || (w.booked_by || "").replace(/^user:|^token:/, "")) + " " + hm(w.booked_at)),
      el("td", null, open ? [
        el("button", { class: "btn", type: "button", title: t("wk.reached_door") + " (D)", onclick: (e) => { e.stopPropagation(); reached(w.id, "door"); } }, t("wk.reached")),
        w.status !== "calling" && w.status !== "answered" ? el("button", { class: "btn btn-ghost", type: "button", title: "Del", onclick: (e) => { e.stopPropagation(); cancel(w.id); } }, t("wk.cancel")) : null,
      ] : null));
    tbody.append(tr);
  }
  $("wk-empty").hidden = board.items.length > 0;
  const counts = $("wk-counts");
  counts.replaceChildren(...Object.entries(board.counts || {}).map(([k, v]) => el("span", { class: "badge w-" + k }, t("wk.status." + k) + " " + v)));
  const pf = $("wk-preflight");
  pf.className = "wk-preflight";
  pf.title = "";
  if (board.preflight && board.preflight.ran_at && board.preflight.ok && board.preflight.warning) {
    pf.classList.add("warn");  // no test extension: no call was tested (only the gateway)
    pf.textContent = t("wk.preflight_no_target", { time: hm(board.preflight.ran_at) });
    pf.title = board.preflight.detail || "";
  } else if (board.preflight && board.preflight.ran_at) {
    pf.classList.add(board.preflight.ok ? "ok" : "bad");
    // The cause in the operator's words; the raw technical detail only as a tooltip.
    pf.textContent = t(board.preflight.ok ? "wk.preflight_ok" : "wk.preflight_bad", { time: hm(board.preflight.ran_at) }) + (board.preflight.ok || !board.preflight.cause ? "" : " — " + t("wk.cause." + board.preflight.cause));
    pf.title = board.preflight.detail || "";
  } else if (board.preflight) {
    pf.textContent = t("wk.preflight_due", { time: hm(board.preflight.due_at) });
  } else pf.textContent = "";
  const manual = (board.tasks || []).filter((x) => x.kind === "manual_call");
  const door = (board.tasks || []).filter((x) => x.kind === "knock_on_door");
  $("wk-manual").hidden = manual.length === 0;
  $("wk-manual-rows").replaceChildren(...manual.map(taskRow));
  $("wk-door-rows").replaceChildren(...(door.length ? door.map(taskRow) : [el("tr", null, el("td", { class: "muted" }, t("wk.no_tasks")))]));
}
function taskRow(x) {
  return el("tr", { dataset: { task: x.id } },
    el("td", { class: "mono" }, hm(x.wake_at)),
    el("td", { class: "mono" }, x.room || t("wk.room_private")),
    el("td", null, t(x.kind === "manual_call" ? "wk.task.manual_call" : "wk.task.knock_on_door", { floor: x.floor ?? "" })),
    el("td", { class: "small muted" }, t("wk.task_since", { time: hm(x.created_at) })),
    el("td", { class: "wk-task-actions" },
      el("button", { class: "btn btn-primary", type: "button", onclick: () => taskDone(x.id) }, t("wk.reached")),
      // Telephony down, the operator phoned and nobody answered: the floor staff knock (R-H9).
      x.kind === "manual_call" ? el("button", { class: "btn", type: "button", dataset: { act: "no-answer" }, onclick: () => noAnswer(x.id) }, t("wk.manual_no_answer")) : null));
}
async function noAnswer(id) {
  try { const k = await api("POST", `/api/wakeups/tasks/${id}/no-answer`); toast(t("wk.manual_sent", { room: k.room || t("wk.room_private") }), "ok"); load(); }
  catch (err) { toast(errorText(err), "error"); }
}
function select(id) { selected = id; render(); const row = document.querySelector(`#wk-table tr[data-id="${id}"]`); row && row.focus(); }
async function reached(id, by) {
  try { const w = await api("POST", `/api/wakeups/${id}/reached`, { by }); toast(t("wk.reached_toast", { room: w.room, late: w.minutes_late }), "ok"); load(); }
  catch (err) { toast(errorText(err), "error"); }
}
async function taskDone(id) {
  try { const w = await api("POST", `/api/wakeups/tasks/${id}/done`); toast(t("wk.reached_toast", { room: w.room, late: w.minutes_late }), "ok"); load(); }
  catch (err) { toast(errorText(err), "error"); }
}
async function cancel(id) {
  const w = board.items.find((x) => x.id === id);
  if (!w || !window.confirm(t("wk.cancel_confirm", { room: w.room, time: w.local_time }))) return;
  try { await api("POST", `/api/wakeups/${id}/cancel`, { series: false }); load(); }
  catch (err) { toast(errorText(err), "error"); }
}
const freshBoard = newestRead();  // reads again on live messages: the newest read wins
async function load() {
  try { board = await freshBoard(api("GET", "/api/wakeups?date=" + encodeURIComponent(day()))); render(); }
  catch (err) { toast(errorText(err), "error"); }
}
function scheduleLoad() { clearTimeout(reloadTimer); reloadTimer = setTimeout(load, 150); }

function connect() {
  let first = true;
  onOpen(() => { if (first) first = false; else scheduleLoad(); });  // what changed meanwhile
  subscribe(["wakeup", "wakeup_check", "alert", "call"], (msg) => {
    if (msg.topic === "wakeup" || msg.topic === "wakeup_check" || (msg.topic === "alert" && String(msg.entity_id || "").startsWith("wakeup"))) scheduleLoad();
    else if (msg.topic === "call" && msg.payload && String(msg.payload.external_id || "").startsWith("wakeup-")) scheduleLoad();
  });
  onClose((code) => { if (code === 4401) location.href = "/login?next=/wakeups"; });
}

document.addEventListener("DOMContentLoaded", () => {
  $("wk-day").value = boardDay();
  $("wk-day").addEventListener("change", load);
  $("wk-form").addEventListener("submit", preview);
  $("wk-confirm").addEventListener("click", confirm);
  $("wk-edit").addEventListener("click", edit);
  $("wk-repeat").addEventListener("change", (e) => { $("wk-until").disabled = !e.target.checked; });
  const params = new URLSearchParams(location.search);
  if (params.get("room")) { $("wk-room").value = params.get("room"); $("wk-time").focus(); } else $("wk-room").focus();
  document.addEventListener("keydown", (e) => {
    const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(e.target.tagName);
    if (e.altKey && e.code === "KeyW") { e.preventDefault(); edit(); $("wk-room").focus(); $("wk-room").select(); return; }
    if (!$("wk-readback").hidden) {
      if (e.key === "Enter") { e.preventDefault(); confirm(); return; }
      if (e.key === "Escape") { e.preventDefault(); edit(); return; }
    }
    if (typing) return;
    const ids = board.items.map((x) => x.id);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const i = ids.indexOf(selected);
      const next = e.key === "ArrowDown" ? Math.min(ids.length - 1, i + 1) : Math.max(0, i - 1);
      if (ids.length) select(ids[next < 0 ? 0 : next]);
    }
    if (selected !== null && (e.key === "d" || e.key === "D")) reached(selected, "door");
    if (selected !== null && (e.key === "o" || e.key === "O")) reached(selected, "operator");
    if (selected !== null && e.key === "Delete") cancel(selected);
  });
  onLocale(render);
  load();
  connect();
});
