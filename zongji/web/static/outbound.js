/* Outbound call lists (/outbound, issue 14 point 4; R-S13, R-S12).

   A shift leader, supervisor or admin builds a list: customers matching a filter, work orders
   by place / category / since, or an XLSX workbook (姓名, 电话, 地址) whose rejected rows are
   listed one by one; customers without a number are kept apart. Every console role sees the
   lists with their progress (reached / not reached / to call / no number), live through the
   feed (topic ``outbound_list``), and works a list with keys: N takes the next entry (the number
   shown), C has the PBX ring one's phone and connect it (click-to-call), 1–5 record reached, no
   answer, busy, wrong number, call back at … (with the note and the survey's answers), R gives
   the entry back; Esc leaves a text field so the keys work again. The reached and not-reached
   lists at any time, exported as XLSX. Data: /api/outbound/lists…, /api/outbound/entries/{id}/…. */

import { api, errorText, localMessage, newestRead } from "./api.js";
import { config } from "./config.js";
import { $, el, toast } from "./dom.js";
import { showFieldError } from "./form_errors.js";
import { has, onLocale, t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";
import { fmtStamp, tzOffset } from "./local_time.js";
const freshRead = newestRead();  // reads again on live messages: the newest read wins
const freshRead2 = newestRead();  // reads again on live messages: the newest read wins

const MAY_BUILD = !!(config.outbound || {}).may_build;
const ME = (config.user || {}).id;
const GROUPS = ["reached", "not_reached", "open", "no_number"];
const RESULT_KEYS = { 1: "reached", 2: "no_answer", 3: "busy", 4: "wrong_number", 5: "call_back" };

let lists = [];
let report = null;   // the chosen list: GET /api/outbound/lists/{id}
let current = null;  // the entry this operator holds
let group = "reached";
let busy = false;

const chosenId = () => Number(new URLSearchParams(location.search).get("list")) || null;

// ------------------------------------------------------------------ the lists
async function loadLists() {
  try { lists = await freshRead(api("GET", "/api/outbound/lists")); } catch (e) { toast(errorText(e), "error"); return; }
  renderLists();
}

function progressBar(p) {
  const total = GROUPS.reduce((n, g) => n + (p[g] || 0), 0) || 1;
  return el("div", { class: "ob-bar", "aria-hidden": "true" },
    ...GROUPS.map((g) => el("span", { class: g, style: `width:${(100 * (p[g] || 0)) / total}%` })));
}

function countsText(p) {
  return GROUPS.map((g) => `${t("ob.g." + g)} ${p[g] || 0}`).join(" · ");
}

function renderLists() {
  const id = chosenId();
  $("ob-lists").replaceChildren(...lists.map((x) => el("li", {
    class: x.id === id ? "on" : "", dataset: { id: x.id }, tabindex: 0,
    onclick: () => choose(x.id), onkeydown: (e) => { if (e.key === "Enter") choose(x.id); },
  },
  el("div", { class: "ob-list-name" }, x.name),
  el("div", { class: "muted small" }, `${t("ob.source." + x.source)} · ${fmtStamp(x.created_at).slice(0, 16)}${x.automatic ? " · " + t("ob.automatic") : ""}`),
  progressBar(x.progress || {}),
  el("div", { class: "small ob-list-counts" }, countsText(x.progress || {})))));
  $("ob-lists-empty").hidden = lists.length > 0;
}

function choose(id) {
  history.replaceState(null, "", "/outbound?list=" + id);
  if (current && current.list_id !== id) showCurrent(null);
  renderLists();
  loadReport();
}

// ------------------------------------------------------------------ one list
async function loadReport() {
  const id = chosenId();
  if (!id) { $("ob-detail").hidden = true; $("ob-choose").hidden = false; return; }
  try { report = await freshRead2(api("GET", "/api/outbound/lists/" + id)); } catch (e) { toast(errorText(e), "error"); return; }
  renderReport();
}

function setCounts(c) {
  GROUPS.forEach((g) => {
    $("ob-c-" + g).textContent = String(c[g] || 0);
    const tab = document.querySelector(`#ob-tabs [data-group="${g}"] .n`);
    if (tab) tab.textContent = String(c[g] || 0);
  });
}

function renderReport() {
  const r = report;
  if (!r) return;
  $("ob-choose").hidden = true;
  $("ob-detail").hidden = false;
  $("ob-detail-h").textContent = r.name;
  $("ob-export").href = `/api/outbound/lists/${r.id}/export`;
  setCounts(r.counts);
  document.querySelectorAll("#ob-tabs [data-group]").forEach((b) => {
    b.classList.toggle("on", b.dataset.group === group);
    b.setAttribute("aria-selected", String(b.dataset.group === group));
  });
  const rows = r[group] || [];
  $("ob-entries").replaceChildren(...rows.map((e) => el("tr", { dataset: { id: e.id, state: e.state } },
    el("td", { text: String(e.position) }), el("td", { text: e.name }), el("td", { class: "mono", text: e.number }),
    el("td", { text: e.address }), el("td", { text: String(e.tries) }),
    el("td", { text: resultText(e) }), el("td", { text: e.note || "" }))));
  $("ob-entries-empty").hidden = rows.length > 0;
}

function resultText(e) {
  const parts = [];
  if (e.result) parts.push(t("ob.result." + e.result));
  if (group === "open" && e.state !== "pending") parts.push(t("ob.state." + e.state));
  if (e.due_at && (e.state === "retry")) parts.push(t("ob.due", { time: fmtStamp(e.due_at).slice(5, 16) }));
  return parts.join(" · ");
}

// ------------------------------------------------------------------ working a list
function showCurrent(entry) {
  current = entry;
  $("ob-current").hidden = !entry;
  $("ob-callback").hidden = true;
  $("ob-dial-status").textContent = "";
  if (!entry) return;
  $("ob-cur-name").textContent = entry.name || t("ob.no_name");
  $("ob-cur-meta").textContent = [entry.address, entry.ref, entry.tries ? t("ob.tries", { n: entry.tries }) : ""].filter(Boolean).join(" · ");
  $("ob-cur-number").textContent = entry.number;
  $("ob-cur-message").hidden = !entry.message;
  $("ob-cur-message").textContent = entry.message || "";
  $("ob-note").value = "";
  $("ob-questions").replaceChildren(...(entry.questions || []).map((q, i) => el("label", { class: "field" },
    el("span", { text: q.text }),
    (q.choices || []).length
      ? el("select", { "data-q": i }, el("option", { value: "" }, "—"), ...q.choices.map((c) => el("option", { value: c }, c)))
      : el("input", { "data-q": i, maxlength: 500 }))));
}

async function next() {
  const id = chosenId();
  if (!id || busy) return;
  busy = true;
  try {
    const entry = await api("POST", `/api/outbound/lists/${id}/next`);
    if (!entry) { showCurrent(null); $("ob-work-note").textContent = t("ob.nothing_due"); return; }
    $("ob-work-note").textContent = "";
    showCurrent(entry);
  } catch (e) { toast(errorText(e), "error"); } finally { busy = false; }
}

async function dial() {
  if (!current) return;
  // Said before asking: the PBX's answer (live) may come back before this request's.
  $("ob-dial-status").textContent = t("ob.dial_queued", { ext: (config.user || {}).operator_number || "" });
  try {
    await api("POST", `/api/outbound/entries/${current.id}/dial`, {});
  } catch (e) { $("ob-dial-status").textContent = ""; toast(errorText(e), "error"); }
}

function answers() {
  const out = {};
  document.querySelectorAll("#ob-questions [data-q]").forEach((n) => { if (n.value.trim()) out[n.dataset.q] = n.value.trim(); });
  return Object.keys(out).length ? out : null;
}

async function record(result) {
  if (!current || busy) return;
  const body = { result, note: $("ob-note").value.trim() };
  const a = answers();
  if (a) body.answers = a;
  if (result === "call_back") {
    const v = $("ob-call-back-at").value;
    if ($("ob-callback").hidden || !v) {  // first the time
      $("ob-callback").hidden = false;
      $("ob-call-back-at").focus();
      return;
    }
    body.call_back_at = `${v}:00${tzOffset(new Date(v))}`;
  }
  busy = true;
  try {
    await api("POST", `/api/outbound/entries/${current.id}/result`, body);
    toast(t("ob.recorded", { name: current.name || current.number, result: t("ob.result." + result) }), "ok");
    showCurrent(null);
    document.activeElement && document.activeElement.blur && document.activeElement.blur();
  } catch (e) {
    showFieldError(e, { scope: $("ob-current") });
  } finally { busy = false; }
  loadReport();
}

async function release() {
  if (!current || busy) return;
  try {
    await api("POST", `/api/outbound/entries/${current.id}/release`);
    showCurrent(null);
  } catch (e) { toast(errorText(e), "error"); }
  loadReport();
}

const typing = (n) => n && (n.tagName === "INPUT" || n.tagName === "TEXTAREA" || n.tagName === "SELECT" || n.isContentEditable);

document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && typing(document.activeElement)) { document.activeElement.blur(); return; }
  if (e.target && e.target.id === "ob-call-back-at" && e.key === "Enter") { e.preventDefault(); record("call_back"); return; }
  if (e.altKey || e.ctrlKey || e.metaKey || typing(e.target) || document.querySelector(".em-dialog:not([hidden])")) return;
  if ($("ob-detail").hidden) return;
  const k = e.key.toLowerCase();
  if (k === "n") { e.preventDefault(); next(); } else if (k === "c") { e.preventDefault(); dial(); } else if (k === "r") { e.preventDefault(); release(); } else if (RESULT_KEYS[e.key] && current) { e.preventDefault(); record(RESULT_KEYS[e.key]); }
});

$("ob-next").addEventListener("click", next);
$("ob-dial").addEventListener("click", dial);
$("ob-release").addEventListener("click", release);
$("ob-callback-go").addEventListener("click", () => record("call_back"));
document.querySelectorAll("#ob-results [data-result]").forEach((b) => b.addEventListener("click", () => record(b.dataset.result)));
document.querySelectorAll("#ob-tabs [data-group]").forEach((b) => b.addEventListener("click", () => { group = b.dataset.group; renderReport(); }));

// ------------------------------------------------------------------ building a list
function buildSource() { return (document.querySelector('#ob-build-form input[name="source"]:checked') || {}).value || "customers"; }

function showSource() {
  const s = buildSource();
  document.querySelectorAll("#ob-build-form [data-source]").forEach((n) => { n.hidden = n.dataset.source !== s; });
}

async function build(ev) {
  ev.preventDefault();
  const form = $("ob-build-form");
  const f = (name) => form.elements[name].value.trim();
  const source = buildSource();
  $("ob-build-error").textContent = "";
  $("ob-rejected").hidden = true;
  let out;
  try {
    if (source === "xlsx") {
      const file = $("ob-f-file").files[0];
      if (!file) { $("ob-build-error").textContent = t("ob.f.file_required"); $("ob-f-file").focus(); return; }
      const data = new FormData();
      data.append("file", file);
      data.append("name", f("name"));
      data.append("purpose", f("purpose"));
      data.append("message", f("message"));
      out = await api("POST", "/api/outbound/lists/import", data);
    } else {
      const body = { name: f("name"), source, purpose: f("purpose"), message: f("message") };
      if (source === "customers") body.filter = f("filter");
      else Object.assign(body, { place: f("place"), category: f("category"), since: f("since") });
      out = await api("POST", "/api/outbound/lists", body);
    }
  } catch (e) {
    showFieldError(e, { scope: form, box: $("ob-build-error") });
    return;
  }
  toast(t("ob.built", { n: out.entries }), "ok");
  const rej = out.rejected || [];
  $("ob-rejected").hidden = !rej.length;
  $("ob-rejected-h").textContent = t("ob.rejected", { n: rej.length });
  $("ob-rejected-rows").replaceChildren(...rej.map((r) => el("tr", {},
    el("td", { text: String(r.row) }), el("td", { text: t("ob.rej.f." + r.field) }), el("td", { text: rejectionText(r) }))));
  if (!rej.length) $("ob-build").hidden = true;
  form.reset();
  showSource();
  await loadLists();
  choose(out.id);
}

/** Why a row was not imported, in the page's language (the server's reason is for integrators). */
function rejectionText(r) {
  if (!has("ob.rej.code." + r.code)) return localMessage(r.reason, 422);
  const value = String(r.reason || "").split(": ").slice(1).join(": ");
  return t("ob.rej.code." + r.code, { value });
}

if (MAY_BUILD) {
  $("ob-new").addEventListener("click", () => { $("ob-build").hidden = false; $("ob-f-name").focus(); });
  $("ob-build-close").addEventListener("click", () => { $("ob-build").hidden = true; });
  $("ob-build-form").addEventListener("submit", build);
  document.querySelectorAll('#ob-build-form input[name="source"]').forEach((n) => n.addEventListener("change", showSource));
}

// ------------------------------------------------------------------ live progress
let reloadTimer = null;
subscribe("outbound_list", (msg) => {
  const p = msg.payload || {};
  const x = lists.find((l) => l.id === p.list_id);
  if (x && p.counts) { x.progress = p.counts; renderLists(); } else if (!x) loadLists();
  if (p.event === "dial" && p.user_id === ME && current && p.entry_id === current.id) {
    $("ob-dial-status").textContent = t("ob.dial_" + p.result, { number: current.number });
  }
  if (report && p.list_id === report.id && p.counts) {
    setCounts(p.counts);
    clearTimeout(reloadTimer);  // the entries' tables: once the burst is over
    reloadTimer = setTimeout(loadReport, 500);
  }
});
onOpen(() => { loadLists(); loadReport(); });  // after a reconnect: what changed meanwhile
onLocale(() => { renderLists(); renderReport(); });
loadLists();
loadReport();
