/* The operator console: live call list, caller card, greeting, directory search, wrap-up.
   Data: GET /api/calls/active, GET /api/calls/{id}, pushes on WebSocket /api/live. */

import { api, ApiError, errorText } from "./api.js";
import { config } from "./config.js";
import { $, el, toast } from "./dom.js";
import { has, locale, onLocale, t } from "./i18n.js";
import { onClose, onOpen, subscribe } from "./live.js";
import { dur, fmtDateTime } from "./local_time.js";

const cfg = config;
const me = cfg.user || {};
const RING_LIMIT = cfg.answer_ring_seconds || 15;

const calls = new Map();      // id -> CallOut
const cards = new Map();      // id -> {identity, history, greeting} (GET /api/calls/{id})
// id -> when this tab last learned of a change to the call (the live feed, or the answer to its
// own take): a read asked before that (a resync's list, the caller card) is older and neither
// removes the call nor puts back what it was before — F2's take undone by the card's read of
// the call, sent as F2 selected it and answered after the take, left the call untaken here.
const liveAt = new Map();
const newerThan = (id, asked) => (liveAt.get(id) || 0) > asked;
const drafts = new Map();     // id -> {notes, category, dirty}
const categories = new Map(); // line kind -> [{code, zh, en}]
let order = [];
let selectedId = null;
let userPicked = false;       // the operator chose the selection (do not move it for them)
let muted = localStorage.getItem("zongji.muted") === "1";
const listEl = $("call-list");
const notesEl = $("notes");
const categoryEl = $("category");
const searchEl = $("search");

// ------------------------------------------------------------------ call model
// Ringing for the switchboard: an outbound call the PBX reports while it dials rings the called
// party, not us; it is shown as dialling, never counted, chimed or taken as a ringing call.
const isDialing = (c) => c.state === "ringing" && c.direction === "out";
const isRinging = (c) => c.state === "ringing" && c.direction !== "out";
const isTalking = (c) => c.state === "answered";
const rank = (c) => (isRinging(c) ? 0 : isTalking(c) || isDialing(c) ? 1 : 2);
const ms = (iso) => (iso ? Date.parse(iso) : 0);
const mine = (c) => c.answered_by && c.answered_by.id === me.id;
// While a call rings its note belongs to the operator who took it (the server says the same).
const mayWrite = (c) => !!c && !(c.state === "ringing" && !mine(c));

function sortCalls() {
  order = [...calls.values()].sort((a, b) => {
    const r = rank(a) - rank(b);
    if (r) return r;
    if (isTalking(a) && mine(a) !== mine(b)) return mine(a) ? -1 : 1;
    const ka = a.state === "ringing" ? ms(a.ringing_at) : isTalking(a) ? ms(a.answered_at) : ms(a.ended_at);
    const kb = b.state === "ringing" ? ms(b.ringing_at) : isTalking(b) ? ms(b.answered_at) : ms(b.ended_at);
    return ka - kb || a.id - b.id;
  });
}

// A call's state only moves forward (the CTI merge is order-independent, domain/calls.py).
const STATE_RANK = { ringing: 0, answered: 1, ended: 2 };
const stale = (copy, held) => (STATE_RANK[copy.state] ?? 0) < (STATE_RANK[held.state] ?? 0);
function upsert(call) {
  if (!call || call.id === undefined) return;
  if (call.closed_at) {
    removeCall(call.id);
    return;
  }
  // A copy older than the one held — the answer to F2's take arriving after the PBX's
  // "answered" came over the feed, or a resync read before it — never puts the call back.
  const held = calls.get(call.id);
  if (held && stale(call, held)) return;
  calls.set(call.id, call);
  if (call.state === "ended") scheduleResync(800);
}

function removeCall(id) {
  const idx = order.findIndex((c) => c.id === id);
  calls.delete(id);
  cards.delete(id);
  drafts.delete(id);
  if (selectedId === id) {
    sortCalls();
    const next = order.find(mine) || order[Math.min(Math.max(idx, 0), order.length - 1)];
    selectedId = next ? next.id : null;
    userPicked = false;
  }
}

function callerName(c) {
  const caller = c.caller || {};
  if (caller.label && caller.label === c.calling_number && (!caller.kind || caller.kind === "unknown")) return t("caller.unknown");
  if (caller.label) return caller.vip ? caller.label.replace(/\s*[(（]VIP[)）]\s*$/, "") : caller.label;
  if (caller.kind && caller.kind !== "unknown" && caller.name) return caller.name;
  return t("caller.unknown");
}

function timerOf(c, now) {
  if (isRinging(c)) return { text: dur((now - ms(c.ringing_at)) / 1000), over: (now - ms(c.ringing_at)) / 1000 > RING_LIMIT };
  if (isTalking(c)) return { text: dur((now - ms(c.answered_at || c.ringing_at)) / 1000), over: false };
  if (isDialing(c)) return { text: dur((now - ms(c.ringing_at)) / 1000), over: false };
  return { text: c.talk_seconds ? dur(c.talk_seconds) : "", over: false };
}

function stateLabel(c) {
  if (isRinging(c)) return t("state.ringing");
  if (isTalking(c)) return t("state.answered");
  if (isDialing(c)) return t("state.dialing");
  if (c.outcome && c.outcome !== "answered") return t("outcome." + c.outcome);
  return t("state.wrapup");
}

// ------------------------------------------------------------------ render: list
function renderList() {
  sortCalls();
  if (selectedId !== null && !calls.has(selectedId)) selectedId = null;
  if (!userPicked) {
    // Chosen for the operator: the call they took comes before any call still ringing, so a
    // note or Ctrl+Enter never lands on a ringing call they did not take.
    const own = order.find(mine);
    const cur = calls.get(selectedId);
    if (own && !(cur && mine(cur))) { saveDraftNow(); selectedId = own.id; }
    else if (selectedId === null && order.length) selectedId = order[0].id;
  }
  const now = Date.now();
  const frag = document.createDocumentFragment();
  for (const c of order) {
    const caller = c.caller || {};
    const tm = timerOf(c, now);
    const stateCls = isRinging(c) ? "ringing" : isTalking(c) ? "talking" : isDialing(c) ? "dialing" : (c.outcome && c.outcome !== "answered" ? "missed" : "wrapup");
    const li = el("li", {
      class: "call-row st-" + stateCls + (c.id === selectedId ? " selected" : "") + (caller.vip ? " vip" : ""),
      role: "option", "aria-selected": c.id === selectedId ? "true" : "false",
      dataset: { id: c.id }, onclick: () => select(c.id, true),
    },
      el("div", { class: "row-main" },
        el("div", { class: "row-top" },
          el("span", { class: "row-caller" }, callerName(c)),
          caller.vip ? el("span", { class: "vip-badge sm" }, "VIP") : null,
          caller.kind && caller.kind !== "unknown" ? el("span", { class: "kind-tag k-" + caller.kind }, t("kind." + caller.kind)) : null,
          el("span", { class: "row-timer" + (tm.over ? " over" : ""), dataset: { timer: c.id } }, tm.text)),
        el("div", { class: "row-sub" },
          el("span", { class: "row-state" }, stateLabel(c)),
          el("span", { class: "row-number mono" }, c.calling_number || ""),
          c.line ? el("span", { class: "row-line" }, c.line.name) : null,
          c.answered_by ? el("span", { class: "row-op" }, c.answered_by.display_name) : null)));
    frag.append(li);
  }
  listEl.replaceChildren(frag);
  $("calls-empty").hidden = order.length > 0;
  const ringing = order.filter(isRinging).length;
  $("count-ringing").querySelector("b").textContent = ringing;
  $("count-ringing").classList.toggle("active", ringing > 0);
  $("count-talking").querySelector("b").textContent = order.filter(isTalking).length;
  $("count-wrapup").querySelector("b").textContent = order.filter((c) => c.state === "ended").length;
  document.title = (ringing ? "(" + ringing + ") " + t("count.ringing") + " · " : "") + t("console.title") + " · " + t("app.name");
  renderCard();
}

function tickTimers() {
  const now = Date.now();
  listEl.querySelectorAll("[data-timer]").forEach((node) => {
    const c = calls.get(Number(node.dataset.timer));
    if (!c) return;
    const tm = timerOf(c, now);
    node.textContent = tm.text;
    node.classList.toggle("over", tm.over);
  });
  const c = calls.get(selectedId);
  if (c) {
    const tm = timerOf(c, now);
    $("card-timer").textContent = tm.text;
    $("card-timer").classList.toggle("over", tm.over);
  }
}

// ------------------------------------------------------------------ render: card
let renderedCardFor = null;

function renderCard() {
  const c = calls.get(selectedId);
  $("no-selection").hidden = !!c;
  $("work-inner").hidden = !c;
  if (!c) { renderedCardFor = null; return; }
  const card = cards.get(c.id);
  if (!card) loadCard(c.id);
  const identity = (card && card.identity) || {};
  const caller = c.caller || {};
  const kind = identity.kind || caller.kind || "unknown";
  const vip = identity.vip !== undefined ? identity.vip : !!caller.vip;
  const stateCls = isRinging(c) ? "ringing" : isTalking(c) ? "talking" : isDialing(c) ? "dialing" : "wrapup";
  $("caller-card").className = "card st-" + stateCls + (vip ? " vip" : "");
  $("card-kind").replaceChildren(el("span", { class: "kind-tag k-" + kind }, t("kind." + kind)));
  $("card-name").textContent = identity.name || (kind !== "unknown" && caller.label) || t("caller.unknown");
  $("card-vip").hidden = !vip;
  const title = identity.title || caller.title;
  $("card-address").hidden = !title;
  $("card-title").textContent = title || "";
  const meta = [];
  if (identity.department) meta.push(el("span", { class: "meta-item" }, el("span", { class: "muted" }, t("card.department") + " "), identity.department));
  if (identity.room_number) meta.push(el("span", { class: "meta-item", dataset: { room: identity.room_number }, title: "Alt+J" }, el("span", { class: "muted" }, t("card.own_room") + " "), identity.room_number));
  if (identity.detail && identity.detail !== identity.department) meta.push(el("span", { class: "meta-item" }, identity.detail));
  if (kind === "unknown" && !identity.detail) meta.push(el("span", { class: "meta-item muted" }, t("card.unknown_hint")));
  const charges = card && card.charges;  // the stay's charges, to tell a guest who asks (R-H10)
  if (charges && charges.items.length) {
    const yuan = (fen) => "¥" + (fen / 100).toFixed(2);
    meta.push(el("span", { class: "meta-item card-charges", title: charges.items.slice(0, 8).map((x) =>
      `${fmtDateTime(x.called_at)} ${x.kind === "service" ? x.destination : x.dialled} ${x.kind === "service" ? "" : Math.ceil(x.talk_seconds / 60) + t("card.minutes") + " "}${yuan(x.amount_fen)}`).join("\n") },
      el("span", { class: "muted" }, t("card.charges") + " "), t("card.charges_total", { n: charges.items.length, total: yuan(charges.total_fen) })));
  }
  const file = identity.file;  // the guest's customer file (R-G6): class, preferences, satisfaction
  if (file && file.grade) {
    meta.push(el("a", { class: "meta-item file-grade g-" + file.grade, href: "/guests/" + identity.ref_id, target: "_blank" },
      t("file.grade." + file.grade) + (file.stays > 1 ? " · " + t("file.stays", { n: file.stays }) : "")
      + (file.satisfaction !== null && file.satisfaction !== undefined ? " · " + t("file.satisfaction", { s: file.satisfaction }) : "")));
    if (file.preferences && file.preferences.length) {
      meta.push(el("span", { class: "meta-item file-prefs" }, el("span", { class: "muted" }, t("file.preferences") + " "),
        file.preferences.map((p) => t("file.topic." + p.topic) + "：" + p.text).join("；")));
    }
  }
  $("card-meta").replaceChildren(...meta);
  const privacy = identity.privacy_level && identity.privacy_level !== "normal" ? identity.privacy_level : null;
  $("card-privacy").hidden = !privacy;
  $("card-privacy").textContent = privacy ? t("privacy." + privacy) : "";

  $("card-state").textContent = stateLabel(c);
  $("card-state").className = "card-state st-" + stateCls;
  $("card-number").textContent = c.calling_number || "";
  $("card-line").textContent = c.line ? c.line.name + (c.called_number ? " · " + c.called_number : "") : (c.called_number || "");

  const g = card && card.greeting;
  $("greeting-zh").textContent = g && g.zh ? g.zh : (card ? t("greeting.none") : "…");
  $("greeting-en").textContent = g && g.en ? g.en : "";

  const tbody = $("history").querySelector("tbody");
  const hist = (card && card.history) || [];
  tbody.replaceChildren(...hist.map((h) => el("tr", null,
    el("td", { class: "mono nowrap" }, fmtDateTime(h.ringing_at || h.ended_at)),
    el("td", null, outcomeBadge(h.outcome, h.state)),
    el("td", { class: "nowrap" }, h.answered_by ? h.answered_by.display_name : ""),
    el("td", { class: "nowrap" }, categoryLabel(h.category, c.line && c.line.kind)),
    el("td", { class: "hist-notes", title: h.notes || "" }, h.notes || ""))));
  $("history-empty").hidden = hist.length > 0 || !card;

  $("btn-take").hidden = !(isRinging(c) && !c.answered_by);
  $("btn-close").disabled = c.state === "ringing";
  const writable = mayWrite(c);
  notesEl.readOnly = !writable;
  categoryEl.disabled = !writable;
  $("notes-lock").hidden = writable;
  if (renderedCardFor !== c.id) {
    renderedCardFor = c.id;
    loadCategories(c.line && c.line.kind).then(() => fillCategories(c));
    const d = drafts.get(c.id);
    notesEl.value = d ? d.notes : (c.notes || "");
    $("notes-state").textContent = "";
  }
}

function outcomeBadge(outcome, state) {
  // A live call has no outcome yet: it is ringing or talking, never "hung up".
  const key = outcome || (state === "ringing" ? "ringing" : state === "answered" ? "talking" : "open");
  return el("span", { class: "badge o-" + key }, outcome ? t("outcome." + outcome) : t("state." + (state || "ended")));
}

function categoryLabel(code, kind) {
  if (!code) return "";
  const list = categories.get(kind || "") || [];
  const found = list.find((x) => x.code === code) || [...categories.values()].flat().find((x) => x.code === code);
  return found ? (locale === "en" ? found.en : found.zh) : code;
}

async function loadCard(id) {
  if (cards.has(id)) return;
  cards.set(id, null);
  try {
    const asked = performance.now();
    const full = await api("GET", "/api/calls/" + id);
    if (full.closed_at) { removeCall(id); renderList(); return; }
    cards.set(id, full.card || { identity: null, history: [], greeting: null });
    const ident = (full.card && full.card.identity) || {};
    if (ident.kind === "guest") loadCharges(id);  // what the guest's calls cost so far (R-H10)
    // The card's read may be older than what the feed brought meanwhile: never a step back.
    if (calls.has(id) && !stale(full, calls.get(id)) && !newerThan(id, asked)) {
      calls.set(id, { ...calls.get(id), ...stripCard(full) });
    }
  } catch (e) {
    cards.set(id, { identity: null, history: [], greeting: null });
    if (e.status !== 404) toast(errorText(e), "error");
  }
  if (id === selectedId) renderCard();
}
async function loadCharges(id) {
  try {
    const ch = await api("GET", "/api/charges/for-call/" + id);
    const card = cards.get(id);
    if (card) { card.charges = ch; if (id === selectedId) renderCard(); }
  } catch (e) { /* the card shows no charges */ }
}
function stripCard(full) { const { card, ...rest } = full; return rest; }

async function loadCategories(kind) {
  const key = kind || "";
  if (categories.has(key)) return;
  categories.set(key, []);
  try {
    const r = await api("GET", "/api/calls/categories" + (kind ? "?line_kind=" + encodeURIComponent(kind) : ""));
    categories.set(key, r.categories || []);
  } catch (e) { categories.delete(key); }
}

function fillCategories(c) {
  if (!c || c.id !== selectedId) return;
  const list = categories.get((c.line && c.line.kind) || "") || [];
  const d = drafts.get(c.id);
  const current = d && d.category !== undefined ? d.category : (c.category || "");
  categoryEl.replaceChildren(el("option", { value: "" }, "— " + t("wrapup.category_choose") + " —"),
    ...list.map((x) => el("option", { value: x.code }, locale === "en" ? x.en : x.zh)));
  categoryEl.value = current;
}

// ------------------------------------------------------------------ selection and actions
function select(id, byUser) {
  if (!calls.has(id)) return;
  saveDraftNow();
  selectedId = id;
  if (byUser) userPicked = true;
  renderList();
  const row = listEl.querySelector('[data-id="' + id + '"]');
  if (row) row.scrollIntoView({ block: "nearest" });
}

function move(delta) {
  if (!order.length) return;
  const idx = order.findIndex((c) => c.id === selectedId);
  const next = order[Math.min(order.length - 1, Math.max(0, (idx < 0 ? 0 : idx + delta)))];
  select(next.id, true);
}

async function takeTop() {
  const target = order.find((c) => isRinging(c) && !c.answered_by);  // never an outbound call
  if (!target) { toast(t("toast.no_ringing")); return; }
  await take(target.id);
}

async function take(id) {
  select(id, true);
  try {
    const r = await api("POST", "/api/calls/" + id + "/take");
    if (r && r.id !== undefined) { liveAt.set(r.id, performance.now()); upsert(stripCard(r)); }
    renderList();
    // The keys stay with the console (/ searches, Alt+N writes the note): a note box focused
    // for the operator took "/总经理" as the note.
    if (document.activeElement === notesEl || document.activeElement === categoryEl) document.activeElement.blur();
  } catch (e) { toast(errorText(e), "error"); }
}

function draftOf(id) {
  if (!drafts.has(id)) {
    const c = calls.get(id) || {};
    drafts.set(id, { notes: c.notes || "", category: c.category || "", dirty: false });
  }
  return drafts.get(id);
}

let saveTimer = null;
function noteChanged() {
  if (selectedId === null || !mayWrite(calls.get(selectedId))) return;
  const d = draftOf(selectedId);
  d.notes = notesEl.value;
  d.category = categoryEl.value;
  d.dirty = true;
  $("notes-state").textContent = t("notes.unsaved");
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveDraftNow, 1500);
}
async function saveDraftNow() {
  clearTimeout(saveTimer);
  const id = selectedId;
  const d = id !== null && drafts.get(id);
  if (!d || !d.dirty) return;
  d.dirty = false;
  try {
    await api("PATCH", "/api/calls/" + id, { notes: d.notes, category: d.category || null });
    if (id === selectedId) $("notes-state").textContent = t("notes.saved");
  } catch (e) {
    d.dirty = true;
    if (id === selectedId) $("notes-state").textContent = t("notes.unsaved");
  }
}

async function closeSelected() {
  const id = selectedId;
  if (id === null) return;
  const c = calls.get(id);
  if (c && c.state === "ringing") { toast(t("toast.close_ringing"), "error"); return; }
  clearTimeout(saveTimer);
  const body = { notes: notesEl.value, category: categoryEl.value || null };
  const btn = $("btn-close");
  btn.disabled = true;
  try {
    await api("POST", "/api/calls/" + id + "/close", body);
    removeCall(id);
    userPicked = false;
    renderList();
    toast(t("toast.closed"), "ok");
    if (document.activeElement === notesEl) notesEl.blur();
  } catch (e) {
    toast(errorText(e), "error");
  } finally {
    btn.disabled = false;
  }
}

// ------------------------------------------------------------------ directory search
let searchCtl = null, searchTimer = null, results = [], hit = -1;
function onSearchInput() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(runSearch, 120);
}
async function runSearch() {
  const q = searchEl.value.trim();
  if (searchCtl) searchCtl.abort();
  if (!q) { results = []; hit = -1; renderResults(); return; }
  searchCtl = new AbortController();
  try {
    const r = await fetch("/api/directory/search?limit=20&q=" + encodeURIComponent(q), { signal: searchCtl.signal, credentials: "same-origin" });
    if (r.status === 401) { location.href = "/login"; return; }
    const data = await r.json();
    if (!r.ok) throw new ApiError(r.status, data);
    results = data.results || [];
    hit = results.length ? 0 : -1;
    renderResults(q);
  } catch (e) {
    if (e.name !== "AbortError") { results = []; renderResults(q); toast(errorText(e), "error"); }
  }
}
const KIND_ICON = { person: "人", department: "部", room: "房", guest: "客", customer: "户", common_number: "☎" };
function renderResults(q) {
  const box = $("dir-results");
  box.replaceChildren(...results.map((r, i) => {
    const phones = (r.phones || []).filter(Boolean);
    return el("li", { class: "dir-item" + (i === hit ? " hit" : "") + (r.vip ? " vip" : ""), dataset: { i }, onclick: () => { hit = i; renderResults(q); copyResult(r); } },
      el("span", { class: "dir-icon k-" + r.kind, title: t("kind." + r.kind) }, KIND_ICON[r.kind] || "·"),
      el("div", { class: "dir-body" },
        el("div", { class: "dir-line1" },
          el("span", { class: "dir-name" }, r.name),
          r.vip ? el("span", { class: "vip-badge sm" }, "VIP") : null,
          r.dnd ? el("span", { class: "badge o-missed dir-dnd" }, t("sb.dnd_on")) : null,
          r.title ? el("span", { class: "dir-title" }, r.title) : null,
          el("span", { class: "kind-tag k-" + r.kind }, t("kind." + r.kind))),
        el("div", { class: "dir-line2" },
          r.department ? el("span", { class: "muted" }, r.department) : null,
          dirCategory(r) ? el("span", { class: "muted" }, dirCategory(r)) : null,
          r.note ? el("span", { class: "dir-note" }, r.note) : null)),
      el("div", { class: "dir-numbers" },
        r.extension ? el("div", { class: "dir-ext mono" }, el("span", { class: "lbl" }, t("dir.ext")), r.extension) : null,
        ...phones.slice(0, 3).map((p) => el("div", { class: "dir-phone mono" }, p))));
  }));
  const empty = $("dir-empty");
  empty.hidden = results.length > 0;
  empty.textContent = q ? t("dir.none", { q }) : t("dir.start");
  const cur = box.querySelector(".hit");
  if (cur) cur.scrollIntoView({ block: "nearest" });
}
function dirCategory(r) {
  if (!r.category || r.category === "department" || r.category === r.kind) return "";
  return has("dircat." + r.category) ? t("dircat." + r.category) : r.category;
}
async function copyResult(r) {
  const value = r.extension || (r.phones || [])[0];
  if (!value) return;
  try { await navigator.clipboard.writeText(value); toast(t("dir.copied", { v: value }), "ok"); } catch (e) { toast(value); }
}

// ------------------------------------------------------------------ sound cue for ringing
let audio = null;
function ensureAudio() {
  if (!audio) { try { audio = new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { audio = null; } }
  if (audio && audio.state === "suspended") audio.resume().catch(() => {});
}
function chime() {
  if (!audio || audio.state !== "running") return;
  const now = audio.currentTime;
  [[880, 0], [660, 0.18]].forEach(([f, at]) => {
    const o = audio.createOscillator(), g = audio.createGain();
    o.type = "sine"; o.frequency.value = f;
    g.gain.setValueAtTime(0.0001, now + at);
    g.gain.exponentialRampToValueAtTime(0.06, now + at + 0.02);
    g.gain.exponentialRampToValueAtTime(0.0001, now + at + 0.16);
    o.connect(g).connect(audio.destination);
    o.start(now + at); o.stop(now + at + 0.18);
  });
}
function renderSound() { $("sound-toggle").classList.toggle("muted", muted); }
function toggleSound() {
  muted = !muted;
  localStorage.setItem("zongji.muted", muted ? "1" : "0");
  renderSound();
  toast(muted ? t("sound.off") : t("sound.on"));
}
setInterval(() => { if (!muted && order.some((c) => isRinging(c) && !c.answered_by)) chime(); }, 2500);
["keydown", "pointerdown"].forEach((ev) => document.addEventListener(ev, ensureAudio, { capture: true }));

// ------------------------------------------------------------------ live feed
let resyncTimer = null;
// F2 on another page opens /?take=1: take the oldest ringing call once the list is loaded.
let takeOnLoad = new URLSearchParams(location.search).get("take") === "1";
if (takeOnLoad) history.replaceState(null, "", location.pathname);
function setLive(state) {
  const node = $("live-status");
  node.dataset.state = state;
  node.querySelector(".live-text").textContent = t("live." + state);
}
/** The tab's live feed (live.js): calls as they change; on each (re)connect the calls are
    asked for again, so none is missed while the connection was down. */
function connect() {
  setLive("connecting");
  onOpen(() => { setLive("connected"); resync(); });
  onClose((code) => {
    if (code === 4401) { location.href = "/login?next=/"; return; }
    setLive("reconnecting");
  });
  subscribe("call", (msg) => {
    if (!msg.payload) return;
    liveAt.set(msg.payload.id, performance.now());
    const fresh = !calls.has(msg.payload.id);
    upsert(msg.payload);
    if (fresh && isRinging(msg.payload)) chime();
    renderList();
  });
}
function scheduleResync(delay) {
  clearTimeout(resyncTimer);
  resyncTimer = setTimeout(resync, delay);
}
async function resync() {
  try {
    const asked = performance.now();
    const r = await api("GET", "/api/calls/active");
    const seen = new Set();
    for (const c of r.items || []) { seen.add(c.id); if (!newerThan(c.id, asked)) upsert(c); }
    for (const id of [...calls.keys()]) {
      if (!seen.has(id) && !newerThan(id, asked)) removeCall(id);
    }
    for (const [id, at] of liveAt) if (at <= asked && !calls.has(id)) liveAt.delete(id);
    renderList();
    if (takeOnLoad) { takeOnLoad = false; takeTop(); }
  } catch (e) { if (e.status && e.status !== 404) toast(errorText(e), "error"); }
}
setInterval(resync, 30000);

// ------------------------------------------------------------------ keyboard
function typing(target) {
  return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable);
}
document.addEventListener("keydown", (e) => {
  const k = e.key;
  if (k === "F2" || (e.altKey && !e.ctrlKey && e.code === "KeyA")) { e.preventDefault(); takeTop(); return; }
  if ((e.ctrlKey || e.metaKey) && (k === "k" || k === "K")) { e.preventDefault(); searchEl.focus(); searchEl.select(); return; }
  if (k === "/" && !typing(e.target)) { e.preventDefault(); searchEl.focus(); searchEl.select(); return; }
  if (e.altKey && e.code === "KeyN") { e.preventDefault(); if (selectedId !== null) notesEl.focus(); return; }
  if (e.altKey && e.code === "KeyC") { e.preventDefault(); if (selectedId !== null) categoryEl.focus(); return; }
  if (e.altKey && e.code === "KeyM") { e.preventDefault(); toggleSound(); return; }
  if ((e.ctrlKey || e.metaKey) && k === "Enter") { e.preventDefault(); closeSelected(); return; }
  if (e.target === searchEl && (k === "ArrowDown" || k === "ArrowUp") && results.length) {
    e.preventDefault();
    hit = (hit + (k === "ArrowDown" ? 1 : -1) + results.length) % results.length;
    renderResults(searchEl.value.trim());
    return;
  }
  if (e.target === searchEl && k === "Enter" && results[hit]) { e.preventDefault(); copyResult(results[hit]); return; }
  if ((k === "ArrowDown" || k === "ArrowUp") && !e.altKey && (!typing(e.target) || e.target === searchEl)) {
    e.preventDefault(); move(k === "ArrowDown" ? 1 : -1); return;
  }
  if (k === "Escape") {
    if (e.target === searchEl && searchEl.value) { searchEl.value = ""; runSearch(); return; }
    if (typing(e.target)) { e.target.blur(); return; }
    if (searchEl.value) { searchEl.value = ""; runSearch(); }
  }
});

// ------------------------------------------------------------------ start
document.addEventListener("DOMContentLoaded", () => {
  notesEl.addEventListener("input", noteChanged);
  notesEl.addEventListener("blur", saveDraftNow);
  categoryEl.addEventListener("change", () => { noteChanged(); saveDraftNow(); });
  searchEl.addEventListener("input", onSearchInput);
  $("btn-take").addEventListener("click", () => selectedId !== null && take(selectedId));
  $("btn-close").addEventListener("click", closeSelected);
  $("sound-toggle").addEventListener("click", toggleSound);
  onLocale(() => { renderedCardFor = null; setLive($("live-status").dataset.state); renderList(); renderResults(searchEl.value.trim()); });
  renderSound();
  renderList();
  connect();
  setInterval(tickTimers, 250);
});
// For the console's add-ons (switchboard.js, switchboard_send_leave.js, caller_wakeup.js; issue 3):
// the calls, the selected one and the directory search's results with the highlighted one.
export { calls, hit as searchHit, resync, results as searchResults, selectedId };
