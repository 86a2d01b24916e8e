/* The call log: filters in the URL, table, paging; supplementary records of calls handled after
   hours (R-S4, Alt+B). Data: GET /api/calls, POST /api/calls/supplementary.
   Paging follows the API's cursors (next_cursor / prev_cursor: the same cost on every page); the
   total is exact up to 10,000 and shown as "10,000+" beyond (issue 18). */

import { api, errorText } from "./api.js";
import { config } from "./config.js";
import { $, el, toast } from "./dom.js";
import { locale, onLocale, t } from "./i18n.js";
import { dur, fmtStamp, fmtTime, localDate, tzOffset } from "./local_time.js";
import { showFieldError } from "./form_errors.js";

const cfg = config;
const PAGE_SIZE = 50;
const OUTCOMES = ["answered", "abandoned", "missed", "busy", "transferred", "forwarded", "message_taken", "failed"];
const FILTERS = ["date_from", "date_to", "line", "operator", "outcome", "number", "supplementary"];
let page = 1, total = 0, totalExact = true, lastItems = [];
// The cursor of the page shown (null: the newest calls, or an old link's ?page=N), and its neighbours'.
let cursor = null, nextCursor = null, prevCursor = null;
let loads = 0;  // only the latest request's answer is shown (filters change faster than answers)
const categories = new Map();

function fillSelects() {
  const form = $("filters");
  const keep = (sel) => sel.value;
  const line = form.line, op = form.operator, out = form.outcome;
  const v = [keep(line), keep(op), keep(out)];
  line.replaceChildren(el("option", { value: "" }, t("log.all")), ...(cfg.lines || []).map((l) => el("option", { value: l.code }, l.name)));
  op.replaceChildren(el("option", { value: "" }, t("log.all")), ...(cfg.operators || []).map((o) =>
    el("option", { value: o.username }, o.display_name + (o.operator_number ? " · " + o.operator_number : ""))));
  out.replaceChildren(el("option", { value: "" }, t("log.all")), ...OUTCOMES.map((o) => el("option", { value: o }, t("outcome." + o))));
  [line.value, op.value, out.value] = v;
}

function readUrl() {
  const p = new URLSearchParams(location.search);
  const form = $("filters");
  for (const name of FILTERS) form[name].value = p.get(name) || "";
  page = Math.max(1, parseInt(p.get("page") || "1", 10) || 1);
  cursor = p.get("cursor") || null;
}

function writeUrl() {
  const p = filterParams();
  if (page > 1) p.set("page", page);
  if (cursor) p.set("cursor", cursor);
  const q = p.toString();
  history.replaceState(null, "", location.pathname + (q ? "?" + q : ""));
}

/** Filters as query parameters (dates are local days; the "to" day is included whole). */
function filterParams() {
  const form = $("filters");
  const p = new URLSearchParams();
  for (const name of FILTERS) {
    const v = form[name].value.trim();
    if (v) p.set(name, v);
  }
  return p;
}

async function loadCategories() {
  for (const kind of new Set((cfg.lines || []).map((l) => l.kind))) {
    try {
      const r = await api("GET", "/api/calls/categories?line_kind=" + encodeURIComponent(kind));
      for (const c of r.categories || []) categories.set(c.code, c);
    } catch (e) { /* labels fall back to codes */ }
  }
  render();
}
function categoryLabel(code, label) {
  if (label) return locale === "en" ? label.en : label.zh;
  if (!code) return "";
  const c = categories.get(code);
  return c ? (locale === "en" ? c.en : c.zh) : code;
}

async function load() {
  writeUrl();
  const p = filterParams();
  if (cursor) p.set("cursor", cursor); else p.set("page", page);
  p.set("page_size", PAGE_SIZE);
  $("log-table").classList.add("loading");
  const mine = ++loads;
  try {
    const r = await api("GET", "/api/calls?" + p.toString());
    if (mine !== loads) return;
    lastItems = r.items || [];
    total = r.total || 0;
    totalExact = r.total_exact !== false;
    nextCursor = r.next_cursor || null;
    prevCursor = r.prev_cursor || null;
    render();
  } catch (e) {
    toast(errorText(e), "error");
  } finally {
    if (mine === loads) $("log-table").classList.remove("loading");
  }
}

function render() {
  const tbody = $("log-table").querySelector("tbody");
  tbody.replaceChildren(...lastItems.map((c) => {
    const caller = c.caller || {};
    const outcome = c.outcome || (c.state === "ringing" ? null : c.state === "answered" ? null : "open");
    return el("tr", { dataset: { id: c.id }, class: caller.vip ? "vip" : null },
      el("td", { class: "mono nowrap" }, fmtStamp(c.ringing_at || c.answered_at || c.ended_at)),
      el("td", { class: "nowrap" }, c.line ? c.line.name : ""),
      el("td", { class: "mono nowrap" }, c.calling_number || "", c.direction === "out" ? el("span", { class: "dir-out", title: t("log.outbound") }, " ↗") : null),
      el("td", { class: "caller-cell" },
        caller.vip ? el("span", { class: "vip-badge sm" }, "VIP") : null,
        caller.kind && caller.kind !== "unknown" ? el("span", { class: "kind-tag k-" + caller.kind }, t("kind." + caller.kind)) : null,
        el("span", null, caller.label ? (caller.vip ? caller.label.replace(/\s*[(（]VIP[)）]\s*$/, "") : caller.label)
          : (caller.kind === "unknown" || !caller.kind ? t("caller.unknown") : "")),
        c.supplementary ? el("span", { class: "badge o-supplementary" }, t("log.supplementary")) : null),
      el("td", { class: "num mono" }, c.ring_seconds !== null && c.ring_seconds !== undefined ? dur(c.ring_seconds) : ""),
      el("td", { class: "num mono" }, c.talk_seconds ? dur(c.talk_seconds) : ""),
      el("td", null, outcome ? el("span", { class: "badge o-" + outcome }, outcome === "open" ? t("state.ended") : t("outcome." + outcome))
        : el("span", { class: "badge o-" + (c.state === "ringing" ? "ringing" : "talking") }, t("state." + c.state))),
      el("td", { class: "nowrap" }, c.answered_by ? c.answered_by.display_name : ""),
      el("td", { class: "nowrap" }, categoryLabel(c.category, c.category_label)),
      el("td", { class: "notes-cell", title: c.notes || "" }, c.notes || ""),
      el("td", { class: "review-cell nowrap", dataset: { id: c.id, answered: c.answered_at ? "1" : "" } }));
  }));
  // The quality column is filled by call_review.js (质检).
  document.dispatchEvent(new CustomEvent("zj:calls-rendered", { detail: lastItems }));
  $("log-empty").hidden = lastItems.length > 0;
  const shown = totalExact ? total.toLocaleString() : t("calllog.more_than", { n: total.toLocaleString() });
  $("page-info").textContent = t("calllog.page_info", { page, total: shown });
  $("prev").disabled = page <= 1;
  $("next").disabled = !nextCursor;
}
function firstPage() { page = 1; cursor = null; load(); }
function nextPage() { if (!nextCursor) return; cursor = nextCursor; page++; load(); }
function prevPage() {
  if (page <= 1) return;
  page--;
  cursor = page === 1 ? null : prevCursor;  // back on page 1: the newest calls, as they are now
  load();
}

// ---- supplementary record (补录, R-S4): a call handled after hours, recorded afterwards
const supp = () => $("supp-form");
async function loadLineCategories() {
  const f = supp();
  const line = (cfg.lines || []).find((l) => l.code === f.line.value);
  const keep = f.category.value;
  let cats = [];
  try {
    const r = await api("GET", "/api/calls/categories" + (line ? "?line_kind=" + encodeURIComponent(line.kind) : ""));
    cats = r.categories || [];
  } catch (e) { /* no categories: the record can still be saved */ }
  f.category.replaceChildren(el("option", { value: "" }, t("supp.no_category")),
    ...cats.map((c) => el("option", { value: c.code }, locale === "en" ? c.en : c.zh)));
  f.category.value = cats.some((c) => c.code === keep) ? keep : "";
}
function localNowInput() {
  const now = new Date();
  return localDate(now) + "T" + fmtTime(now).slice(0, 5);
}
function openSupp() {
  const f = supp();
  f.reset();
  f.line.replaceChildren(...(cfg.lines || []).map((l) => el("option", { value: l.code }, l.name)));
  f.outcome.replaceChildren(...OUTCOMES.map((o) => el("option", { value: o }, t("outcome." + o))));
  f.occurred_at.value = localNowInput();
  f.occurred_at.max = localNowInput();
  loadLineCategories();
  $("supp").hidden = false;
  f.occurred_at.focus();
}
function closeSupp() { $("supp").hidden = true; $("supp-open").focus(); }
/** One format, the call log's own: minutes:seconds ("3:20", "0:45"), or hours:minutes:seconds
    over an hour ("1:02:05") → seconds; null for anything else (a bare "3" could be minutes or
    seconds, so it is refused with the format named). */
function talkSeconds(text) {
  const v = text.trim().replace(/：/g, ":");
  if (!v) return 0;
  const hms = v.match(/^(\d+):([0-5]\d):([0-5]\d)$/);
  if (hms) return parseInt(hms[1], 10) * 3600 + parseInt(hms[2], 10) * 60 + parseInt(hms[3], 10);
  const ms = v.match(/^(\d{1,3}):([0-5]\d)$/);
  return ms ? parseInt(ms[1], 10) * 60 + parseInt(ms[2], 10) : null;
}
async function saveSupp(ev) {
  ev.preventDefault();
  const f = supp();
  const talk = talkSeconds(f.talk_seconds.value);
  if (talk === null) { toast(t("supp.bad_talk"), "error"); f.talk_seconds.focus(); return; }
  const body = {
    occurred_at: f.occurred_at.value ? f.occurred_at.value + ":00" + tzOffset(new Date(f.occurred_at.value)) : "",
    line: f.line.value || null, direction: f.direction.value,
    calling_number: f.calling_number.value.trim(), called_number: f.called_number.value.trim() || null,
    talk_seconds: talk, outcome: f.outcome.value, category: f.category.value || null,
    notes: f.notes.value.trim() || null,
  };
  $("supp-save").disabled = true;
  try {
    const c = await api("POST", "/api/calls/supplementary", body);
    toast(t("supp.saved", { time: fmtStamp(c.ringing_at), number: c.calling_number }), "ok");
    $("supp").hidden = true;
    page = 1; cursor = null; await load();
    $("supp-open").focus();
  } catch (err) {
    showFieldError(err, { scope: f });
  } finally { $("supp-save").disabled = false; }
}

document.addEventListener("DOMContentLoaded", () => {
  fillSelects();
  readUrl();
  $("filters").addEventListener("submit", (e) => { e.preventDefault(); firstPage(); });
  $("filters").addEventListener("change", (e) => { if (e.target.tagName === "SELECT" || e.target.dataset.zjDate === "date") firstPage(); });
  $("reset").addEventListener("click", () => { $("filters").reset(); firstPage(); });
  $("prev").addEventListener("click", prevPage);
  $("next").addEventListener("click", nextPage);
  $("supp-open").addEventListener("click", openSupp);
  $("supp-close").addEventListener("click", closeSupp);
  supp().addEventListener("submit", saveSupp);
  supp().line.addEventListener("change", loadLineCategories);
  supp().addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); supp().requestSubmit(); }
  });
  document.addEventListener("keydown", (e) => {
    if (!$("review").hidden) return;  // the review dialog has the keys (call_review.js)
    if (!$("supp").hidden) { if (e.key === "Escape") { e.preventDefault(); closeSupp(); } return; }
    if (e.altKey && e.code === "KeyN") { e.preventDefault(); openSupp(); return; }
    if (e.key === "PageDown" && !$("next").disabled) { e.preventDefault(); nextPage(); }
    if (e.key === "PageUp" && page > 1) { e.preventDefault(); prevPage(); }
  });
  onLocale(() => { fillSelects(); render(); });
  load();
  loadCategories();
});
