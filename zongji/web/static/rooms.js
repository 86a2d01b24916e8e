/* Room board (房态， /rooms): rooms by floor with markers — occupied / vacant, arriving / departing
   today, VIP, DND, wake-up booked (time), message lamp, wake-up escalated. Keys: arrows move,
   digits jump to a room, W wake-up (time, optional daily repeat until check-out or a date, greeting
   languages, note → Enter → read-back → Enter; the same /api/wakeups as the /wakeups page), D set / cancel DND,
   M take a message, Esc close. Data: /api/rooms/board; live via /api/live (wakeup, dnd, message). */

import { api, errorText, newestRead } from "./api.js";
import { $, el, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { onClose, onOpen, subscribe } from "./live.js";
import { localDate, tzOffset } from "./local_time.js";
import { wakeupDuplicateWarning } from "./wakeup_duplicate.js";
const freshRead = newestRead();  // reads again on live messages: the newest read wins

let data = { floors: [], counts: {} }, selected = null, mode = null, pendingWk = null, reloadTimer = null;
let jump = "", jumpTimer = null;

const rooms = () => data.floors.flatMap((f) => f.rooms);
const find = (num) => rooms().find((r) => r.room === num);

/** A small clock drawn in SVG: the wake-up mark, in every font (the alarm-clock emoji is an empty box
    with the fonts the console ships with, fonts-wqy-microhei). */
function clockMark() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "rb-clock");
  svg.setAttribute("viewBox", "0 0 10 10");
  svg.setAttribute("aria-hidden", "true");
  const circle = document.createElementNS(ns, "circle");
  for (const [k, v] of [["cx", "5"], ["cy", "5"], ["r", "4.2"]]) circle.setAttribute(k, v);
  const hands = document.createElementNS(ns, "path");
  hands.setAttribute("d", "M5 2.6V5h2");
  svg.append(circle, hands);
  return svg;
}

function tile(r) {
  const cls = ["rb-room", r.occupied ? "occ" : "vac"];
  if (r.wakeup_escalated) cls.push("esc");
  if (r.dnd) cls.push("dnd");
  if (selected === r.room) cls.push("sel");
  const marks = [];
  if (r.arriving) marks.push(el("span", { class: "rb-mk arr", title: t("rb.mk.arriving") }, t("rb.short.arriving")));
  if (r.departing) marks.push(el("span", { class: "rb-mk dep", title: t("rb.mk.departing") }, t("rb.short.departing")));
  if (r.vip) marks.push(el("span", { class: "rb-mk vip" }, "VIP"));
  if (r.dnd) marks.push(el("span", { class: "rb-mk dnd", title: t("rb.mk.dnd") }, t("rb.short.dnd")));
  if (r.message_lamp) marks.push(el("span", { class: "rb-mk lamp", title: t("rb.mk.lamp") }, t("rb.short.lamp")));
  if (r.wakeup_escalated) marks.push(el("span", { class: "rb-mk esc", title: t("rb.mk.escalated") }, t("rb.short.escalated")));
  if (r.wakeup) marks.push(el("span", { class: "rb-mk wk w-" + r.wakeup.status, title: t("rb.mk.wakeup") + " " + t("wk.status." + r.wakeup.status), dataset: { wakeup: r.wakeup.time } }, clockMark(), r.wakeup.time));
  const name = data.names ? (r.guest_name || (r.arriving_name ? "→" + r.arriving_name : "")) : "";
  return el("button", { type: "button", class: cls.join(" "), dataset: { room: r.room }, tabindex: "-1",
    "aria-pressed": selected === r.room ? "true" : "false", onclick: () => select(r.room) },
    el("span", { class: "rb-num" }, r.room),
    name ? el("span", { class: "rb-name" }, name) : null,
    el("span", { class: "rb-marks" }, marks));
}

function render() {
  $("rb-floors").replaceChildren(...data.floors.map((f) => el("div", { class: "rb-floor", dataset: { floor: f.floor } },
    el("div", { class: "rb-floor-label" }, t("rb.floor", { n: f.floor })),
    el("div", { class: "rb-tiles" }, f.rooms.map(tile)))));
  $("rb-empty").hidden = data.floors.length > 0;
  const c = data.counts || {};
  $("rb-counts").replaceChildren(...["occupied", "arriving", "departing", "vip", "dnd", "wakeup", "message_lamp", "wakeup_escalated"]
    .filter((k) => c[k] !== undefined).map((k) => el("span", { class: "badge rb-c-" + k + (k === "wakeup_escalated" && c[k] ? " bad" : "") }, t("rb.count." + k) + " " + c[k])));
  renderDetail();
}

function renderDetail() {
  const r = selected && find(selected);
  $("rb-sel-room").textContent = r ? r.room : "";
  $("rb-acts").hidden = !r;
  if (!r) { $("rb-detail").replaceChildren(el("div", { class: "muted small" }, t("rb.pick"))); return; }
  const row = (k, v) => el("div", { class: "rb-kv" }, el("span", { class: "muted" }, t(k)), el("span", null, v));
  $("rb-detail").replaceChildren(...[
    row("rb.d.state", r.occupied ? t("rb.mk.occupied") : t("rb.mk.vacant")),
    data.names && r.guest_name ? row("rb.d.guest", r.guest_name) : null,
    r.arriving ? row("rb.mk.arriving", data.names && r.arriving_name ? r.arriving_name : "✓") : null,
    r.departing ? row("rb.mk.departing", "✓") : null,
    r.vip ? row("rb.d.vip", "VIP") : null,
    row("rb.mk.dnd", r.dnd ? t("rb.on") : t("rb.off")),
    row("rb.mk.wakeup", r.wakeup ? r.wakeup.time + " · " + t("wk.status." + r.wakeup.status) : "—"),
    r.wakeup_escalated ? el("div", { class: "rb-alarm" }, t("rb.escalated_hint")) : null,
    row("rb.mk.lamp", r.message_lamp ? t("rb.on") : t("rb.off"))].filter(Boolean));
  $("rb-act-d-label").textContent = r.dnd ? t("rb.act.dnd_cancel") : t("rb.act.dnd");
}

function focusTile(num, scroll) {
  const b = num && document.querySelector(`.rb-room[data-room="${CSS.escape(num)}"]`);
  if (!b) return;
  b.focus({ preventScroll: !scroll });
  if (scroll) b.scrollIntoView({ block: "nearest" });
}
function select(num, focus = true) {
  if (selected !== num) closeForm();
  selected = num;
  render();
  if (focus) focusTile(num, true);
}
// After a booking, DND or message: back on the room's tile at once, then fresh data. The reload
// keeps whatever the operator selected meanwhile (arrows pressed while it was under way).
async function done(room) {
  closeForm();
  select(room);
  await load();
}

function move(dx, dy) {
  const fl = data.floors;
  if (!fl.length) return;
  if (!selected) { select(fl[0].rooms[0].room); return; }
  let fi = fl.findIndex((f) => f.rooms.some((r) => r.room === selected));
  let ri = fl[fi].rooms.findIndex((r) => r.room === selected);
  if (dx) ri = Math.max(0, Math.min(fl[fi].rooms.length - 1, ri + dx));
  if (dy) { fi = Math.max(0, Math.min(fl.length - 1, fi + dy)); ri = Math.min(ri, fl[fi].rooms.length - 1); }
  select(fl[fi].rooms[ri].room);
}

// ---- forms
// A form opened: the next room number typed starts afresh, however quickly it follows.
function resetJump() { jump = ""; clearTimeout(jumpTimer); }
function closeForm() {
  mode = null; pendingWk = null;
  ["rb-wk", "rb-dnd", "rb-msg"].forEach((id) => { $(id).hidden = true; });
  $("rb-wk-rb").hidden = true;
}
// DND and messages address the ROOM; the server finds the guest in it (R-H4: the board never
// carries a guest's id for an operator).
function need(r, guest) {
  if (!r) { toast(t("rb.pick"), "error"); return false; }
  if (guest && !r.occupied) { toast(t("rb.vacant_refused", { room: r.room }), "error"); return false; }
  return true;
}
function openWakeup() {
  resetJump();
  const r = selected && find(selected);
  if (!need(r, false)) return;
  closeForm(); mode = "wk";
  $("rb-wk").hidden = false; $("rb-wk-time").value = ""; $("rb-wk-note").value = "";
  $("rb-wk-repeat").checked = false; $("rb-wk-until").value = ""; $("rb-wk-until-f").hidden = true;
  document.querySelectorAll("input[name=rb-lang]").forEach((x) => { x.checked = true; });
  $("rb-wk-time").focus();
}
// What the read-back adds to the API's text: the greeting languages and the note (the repeat
// and its last day are in the text itself).
function wkExtra(body) {
  const langs = body.languages.map((l) => t("rb.wk.lang." + l)).join(" + ");
  return t("rb.wk.rb_langs", { langs }) + (body.note.trim() ? " · " + t("rb.wk.rb_note", { note: body.note.trim() }) : "");
}
async function wkPreview(ev) {
  ev && ev.preventDefault();
  const body = { room: selected, time: $("rb-wk-time").value.trim(), note: $("rb-wk-note").value,
    repeat_daily: $("rb-wk-repeat").checked,
    languages: [...document.querySelectorAll("input[name=rb-lang]:checked")].map((x) => x.value) };
  if (body.repeat_daily && $("rb-wk-until").value) body.until = $("rb-wk-until").value;
  try {
    const r = await api("POST", "/api/wakeups/preview", body);
    pendingWk = body;
    if (wakeupDuplicateWarning($("rb-wk-rb-zh"), r.duplicates)) pendingWk = { ...body, confirm_duplicate: true };
    $("rb-wk-rb-zh").textContent = r.readback.zh;
    $("rb-wk-rb-en").textContent = r.readback.en;
    $("rb-wk-rb-extra").textContent = wkExtra(body);
    $("rb-wk-rb").hidden = false;
    $("rb-wk-confirm").focus();
  } catch (err) { toast(errorText(err), "error"); $("rb-wk-time").focus(); $("rb-wk-time").select(); }
}
async function wkConfirm() {
  if (!pendingWk) return;
  try {
    const r = await api("POST", "/api/wakeups", { ...pendingWk, readback_confirmed: true });
    toast(t("wk.booked", { room: r.items[0].room, time: r.items[0].local_time, n: r.items.length }), "ok");
    await done(selected);
  } catch (err) { $("rb-wk-rb").hidden = true; pendingWk = null; toast(errorText(err), "error"); $("rb-wk-time").focus(); }
}
function openDnd() {
  resetJump();
  const r = selected && find(selected);
  if (!need(r, !r || !r.dnd)) return;
  closeForm(); mode = "dnd";
  $("rb-dnd").hidden = false;
  $("rb-dnd-h").textContent = r.dnd ? t("rb.act.dnd_cancel") : t("rb.act.dnd");
  $("rb-dnd-go").replaceChildren(r.dnd ? t("rb.dnd_cancel_go") : t("rb.dnd_set_go"), " ", el("kbd", null, "Enter"));
  $("rb-dnd-until-f").hidden = !!r.dnd;
  $("rb-dnd-reason").value = ""; $("rb-dnd-until").value = "";
  $("rb-dnd-reason").focus();
}
function untilIso(hhmm) {
  const m = /^(\d{1,2}):?(\d{2})$/.exec(hhmm.trim());
  if (!m) return null;
  const today = localDate();
  let iso = `${today}T${m[1].padStart(2, "0")}:${m[2]}:00${tzOffset()}`;
  if (new Date(iso) <= new Date()) {  // the time has passed today: tomorrow
    const d = new Date(new Date(iso).getTime() + 86400000);
    iso = `${localDate(d)}T${m[1].padStart(2, "0")}:${m[2]}:00${tzOffset(d)}`;
  }
  return iso;
}
async function dndGo(ev) {
  ev && ev.preventDefault();
  const r = find(selected);
  if (!r) return;
  try {
    if (r.dnd) {
      await api("POST", "/api/switchboard/dnd/room-cancel", { room: r.room, reason: $("rb-dnd-reason").value || null });
      toast(t("rb.dnd_cancelled", { room: r.room }), "ok");
    } else {
      const u = $("rb-dnd-until").value.trim();
      const until = u ? untilIso(u) : null;
      if (u && !until) { toast(t("rb.bad_time"), "error"); $("rb-dnd-until").focus(); return; }
      await api("POST", "/api/switchboard/dnd", { subject_kind: "room", room: r.room,
        reason: $("rb-dnd-reason").value || null, until, until_checkout: !until });
      toast(t("rb.dnd_set", { room: r.room }), "ok");
    }
    await done(r.room);
  } catch (err) { toast(errorText(err), "error"); }
}
function openMessage() {
  resetJump();
  const r = selected && find(selected);
  if (!need(r, true)) return;
  closeForm(); mode = "msg";
  $("rb-msg").hidden = false;
  ["rb-msg-name", "rb-msg-number", "rb-msg-content"].forEach((id) => { $(id).value = ""; });
  $("rb-msg-rb").checked = false;
  $("rb-msg-name").focus();
}
async function msgGo(ev) {
  ev && ev.preventDefault();
  const r = find(selected);
  if (!r) return;
  if (!$("rb-msg-rb").checked) { toast(t("rb.msg.read_back_needed"), "error"); $("rb-msg-rb").focus(); return; }
  try {
    await api("POST", "/api/switchboard/messages", { recipient_kind: "room", room: r.room,
      caller_name: $("rb-msg-name").value, caller_number: $("rb-msg-number").value,
      content: $("rb-msg-content").value, read_back: true });
    toast(t("rb.msg.saved", { room: r.room }), "ok");
    await done(r.room);
  } catch (err) { toast(errorText(err), "error"); }
}

async function load() {
  try {
    const fresh = await freshRead(api("GET", "/api/rooms/board"));
    // Re-rendering replaces the tiles: if one had the focus, the selected tile gets it back,
    // so a live reload never swallows the operator's next arrow key.
    const active = document.activeElement;
    const tileHadFocus = !!(active && active.classList && active.classList.contains("rb-room"));
    data = fresh;
    render();
    if (tileHadFocus) focusTile(selected, false);
  } catch (err) { toast(errorText(err), "error"); }
}
function scheduleLoad() { clearTimeout(reloadTimer); reloadTimer = setTimeout(load, 150); }
function connect() {
  let first = true;
  onOpen(() => { if (first) first = false; else scheduleLoad(); });  // what changed meanwhile
  subscribe(["wakeup", "dnd", "message", "stay", "pms"], scheduleLoad);
  onClose((code) => { if (code === 4401) location.href = "/login?next=/rooms"; });
}

document.addEventListener("DOMContentLoaded", () => {
  $("rb-wk").addEventListener("submit", wkPreview);
  $("rb-wk-confirm").addEventListener("click", wkConfirm);
  $("rb-wk-repeat").addEventListener("change", (e) => { $("rb-wk-until-f").hidden = !e.target.checked; });
  // Enter on a checkbox or the date reads back too, as on the time and note fields.
  $("rb-wk").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.target.tagName === "INPUT" && (e.target.type === "checkbox" || e.target.dataset.zjDate)) { e.preventDefault(); $("rb-wk").requestSubmit(); }
  });
  $("rb-dnd").addEventListener("submit", dndGo);
  $("rb-msg").addEventListener("submit", msgGo);
  $("rb-act-w").addEventListener("click", openWakeup);
  $("rb-act-d").addEventListener("click", openDnd);
  $("rb-act-m").addEventListener("click", openMessage);
  document.querySelectorAll(".rb-close").forEach((b) => b.addEventListener("click", () => { closeForm(); select(selected); }));
  $("rb-msg-content").addEventListener("keydown", (e) => { if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); $("rb-msg").requestSubmit(); } });
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (!$("rb-wk-rb").hidden && pendingWk) {
      if (e.key === "Enter") { e.preventDefault(); wkConfirm(); return; }
      if (e.key === "Escape") { e.preventDefault(); pendingWk = null; $("rb-wk-rb").hidden = true; $("rb-wk-time").focus(); return; }
    }
    if (e.key === "Escape" && mode) { e.preventDefault(); closeForm(); select(selected); return; }
    const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(e.target.tagName);
    if (typing) return;
    const k = e.key;
    if (k === "ArrowRight") { e.preventDefault(); move(1, 0); }
    else if (k === "ArrowLeft") { e.preventDefault(); move(-1, 0); }
    else if (k === "ArrowDown") { e.preventDefault(); move(0, 1); }
    else if (k === "ArrowUp") { e.preventDefault(); move(0, -1); }
    else if (k === "w" || k === "W") { e.preventDefault(); openWakeup(); }
    else if (k === "d" || k === "D") { e.preventDefault(); openDnd(); }
    else if (k === "m" || k === "M") { e.preventDefault(); openMessage(); }
    else if (/^[0-9A-Za-z]$/.test(k)) {
      jump += k; clearTimeout(jumpTimer); jumpTimer = setTimeout(() => { jump = ""; }, 1200);
      const exact = find(jump), pre = rooms().find((r) => r.room.startsWith(jump));
      if (exact || pre) select((exact || pre).room);
    }
  });
  onLocale(render);
  const params = new URLSearchParams(location.search);
  load().then(() => { if (params.get("room") && find(params.get("room"))) select(params.get("room")); else $("rb-floors").focus(); });
  connect();
});
