/* The intake queue (/intake; issue 15, point 1): messages from SMS, e-mail, web, Open311 … wait
   oldest first, each with its first-response clock (red when late); the list follows the live
   feed (topic "intake"). ↑↓ move, Enter opens a message; 1…9 adds it to the n-th candidate
   order (the same sender's open orders, then likely duplicates), Alt+O makes a new work order,
   Alt+K searches the knowledge base (Enter on a result copies its answer), Alt+R sends the answer. */

import { api, errorText, newestRead } from "./api.js";
import { config } from "./config.js";
import { $, el, toast } from "./dom.js";
import { clearFieldErrors, showFieldError } from "./form_errors.js";
import { onLocale, t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";
const freshRead = newestRead();  // reads again on live messages: the newest read wins

let items = [];
let current = null;
let candidates = [];
let meta = null;
let articleId = null;
let kbTimer = null;

const secondsLeft = (m) => m.due_at ? Math.round((Date.parse(m.due_at) - Date.now()) / 1000) : null;

function clockText(m) {
  const s = secondsLeft(m);
  if (s === null) return "";
  const abs = Math.abs(s);
  const mmss = Math.floor(abs / 60) + ":" + String(abs % 60).padStart(2, "0");
  return s < 0 ? t("intake.late", { t: mmss }) : t("intake.left", { t: mmss });
}

function render() {
  // A live update rebuilds the list: the operator's place in it (the focused message) is kept.
  const active = document.activeElement;
  const focusedId = active && active.closest && active.closest("#iq-list") ? active.dataset.id : null;
  $("iq-list").replaceChildren(...items.map((m, i) => el("li", {
    class: "iq-item" + (current && current.id === m.id ? " on" : ""), role: "option", tabindex: "0",
    dataset: { id: String(m.id), index: String(i) }, onclick: () => open(m), onkeydown: (e) => onItemKey(e, i),
  },
  el("div", null, el("b", null, t("intake.ch." + m.channel)), " ", m.sender, m.line ? el("span", { class: "iq-line" }, " · " + m.line.name) : null),
  el("div", { class: "iq-snippet" }, m.text.slice(0, 80)),
  el("div", { class: "iq-meta" }, el("span", { class: "iq-clock" + (secondsLeft(m) < 0 ? " iq-late" : ""), dataset: { id: String(m.id) } }, clockText(m))))));
  if (focusedId) { const node = $("iq-list").querySelector(`[data-id="${focusedId}"]`); if (node) node.focus(); }
  $("iq-empty").hidden = items.length > 0;
  $("iq-count").textContent = t("intake.count", { n: items.length });
}

function tick() {
  for (const node of document.querySelectorAll(".iq-clock[data-id]")) {
    const m = items.find((x) => String(x.id) === node.dataset.id);
    if (!m) continue;
    node.textContent = clockText(m);
    node.classList.toggle("iq-late", secondsLeft(m) < 0);
  }
  if (current) { $("iq-d-clock").textContent = clockText(current); $("iq-d-clock").classList.toggle("iq-late", secondsLeft(current) < 0); }
}

function onItemKey(e, i) {
  const nodes = $("iq-list").children;
  if (e.key === "ArrowDown" && nodes[i + 1]) { e.preventDefault(); nodes[i + 1].focus(); }
  else if (e.key === "ArrowUp" && nodes[i - 1]) { e.preventDefault(); nodes[i - 1].focus(); }
  else if (e.key === "Enter") { e.preventDefault(); open(items[i]); }
}

// The line chooser (follow-up point 2): "" = every line of mine; kept in localStorage like the console's.
const LINE_KEY = "zongji.intake.line";

function fillLines(lines) {
  const box = $("iq-line");
  const chosen = box.value || localStorage.getItem(LINE_KEY) || "";
  box.replaceChildren(el("option", { value: "" }, t("intake.line.all")), ...lines.map((l) => el("option", { value: l.code }, l.name)));
  box.value = lines.some((l) => l.code === chosen) ? chosen : "";
  box.hidden = lines.length < 2;
}

async function load() {
  const line = $("iq-line").value || localStorage.getItem(LINE_KEY) || "";
  let r;
  try { r = await freshRead(api("GET", "/api/intake/queue" + (line ? "?line=" + encodeURIComponent(line) : ""))); }
  catch (err) {
    if (line && err && err.status === 422) { localStorage.removeItem(LINE_KEY); $("iq-line").value = ""; return load(); }
    toast(errorText(err), "error"); return;
  }
  items = r.items;
  fillLines(r.lines || []);
  if (current && !items.some((m) => m.id === current.id)) close();
  render();
}

function close() {
  current = null;
  $("iq-detail").hidden = true;
}

function fillSituations() {
  const g = (meta && meta.guidance[$("iq-type").value]) || [];
  $("iq-situation").replaceChildren(el("option", { value: "" }, "—"),
    ...g.map((s) => el("option", { value: s.situation }, s.situation_zh || s.situation)));
}

function renderCandidates() {
  $("iq-cands").replaceChildren(...candidates.map((o, i) => el("li", null,
    el("button", { type: "button", class: "btn btn-sm", dataset: { order: String(o.id) }, onclick: () => addTo(o) },
      t("intake.add_to", { n: o.number }), " ", el("kbd", null, String(i + 1))),
    " ", el("span", { class: "muted" }, o.same ? t("intake.same_sender") : t("intake.likely_duplicate")), " ", o.description)));
  $("iq-cands-empty").hidden = candidates.length > 0;
}

async function open(m) {
  current = m;
  articleId = null;
  render();
  $("iq-detail").hidden = false;
  $("iq-d-channel").textContent = t("intake.ch." + m.channel);
  $("iq-d-sender").textContent = m.sender;
  $("iq-d-text").textContent = m.text;
  $("iq-description").value = m.text;
  $("iq-caller_name").value = "";  // nothing of the previous message carries over
  $("iq-place").value = "";
  $("iq-text").value = "";
  $("iq-kb-q").value = m.text.slice(0, 60);
  $("iq-kb").replaceChildren();
  clearFieldErrors($("iq-detail"));
  tick();
  candidates = [];
  renderCandidates();
  try {
    const c = await api("GET", `/api/intake/messages/${m.id}/candidates`);
    const seen = new Set();
    for (const o of c.same_sender) { seen.add(o.id); candidates.push({ ...o, same: true }); }
    for (const o of c.likely_duplicates) if (!seen.has(o.id)) candidates.push(o);
    candidates = candidates.slice(0, 9);
  } catch (err) { toast(errorText(err), "error"); }
  if (current === m) renderCandidates();
}

async function addTo(o) {
  if (!current) return;
  try {
    await api("POST", `/api/intake/messages/${current.id}/add`, { order_id: o.id });
    toast(t("intake.added", { n: o.number }), "ok");
    close(); load();
  } catch (err) { toast(errorText(err), "error"); }
}

async function makeOrder(e) {
  if (e) e.preventDefault();
  if (!current) return;
  clearFieldErrors($("iq-order"));
  const body = { order_type: $("iq-type").value, situation: $("iq-situation").value || null,
    caller_name: $("iq-caller_name").value.trim() || null, place: $("iq-place").value.trim() || null,
    description: $("iq-description").value.trim() };
  try {
    const o = await api("POST", `/api/intake/messages/${current.id}/order`, body);
    toast(t("intake.ordered", { n: o.number }), "ok");
    close(); load();
  } catch (err) {
    showFieldError(err, { scope: $("iq-order"), mark: "invalid" });
  }
}

async function searchKb() {
  const q = $("iq-kb-q").value.trim();
  if (!q) { $("iq-kb").replaceChildren(); return; }
  try {
    const r = (await api("GET", "/api/knowledge/search?limit=5&q=" + encodeURIComponent(q))).results;
    $("iq-kb").replaceChildren(...r.map((a) => el("li", null, el("button", {
      type: "button", class: "btn btn-sm", onclick: () => { articleId = a.id; $("iq-text").value = a.answer.slice(0, 500); $("iq-text").focus(); },
    }, a.title))));
  } catch (err) { toast(errorText(err), "error"); }
}

async function sendAnswer(e) {
  if (e) e.preventDefault();
  if (!current) return;
  clearFieldErrors($("iq-answer"));
  try {
    await api("POST", `/api/intake/messages/${current.id}/answer`, { text: $("iq-text").value, article_id: articleId });
    toast(t("intake.answered"), "ok");
    close(); load();
  } catch (err) {
    showFieldError(err, { scope: $("iq-answer"), mark: "invalid" });
  }
}

document.addEventListener("keydown", (e) => {
  const typing = e.target && e.target.closest && e.target.closest("input, textarea, select");
  if (!e.altKey && !e.ctrlKey && !e.metaKey && !typing && /^Digit[1-9]$/.test(e.code)) {
    // 1…9 (not Alt+digit: those open the other pages) add the message to that candidate.
    const o = candidates[Number(e.code.slice(5)) - 1];
    if (o && current) { e.preventDefault(); addTo(o); }
    return;
  }
  if (!e.altKey || e.ctrlKey || e.metaKey) return;
  if (e.code === "KeyO") { e.preventDefault(); makeOrder(); }
  else if (e.code === "KeyK") { e.preventDefault(); $("iq-kb-q").focus(); searchKb(); }
  else if (e.code === "KeyR") { e.preventDefault(); sendAnswer(); }
});

async function init() {
  try { meta = await api("GET", "/api/work-orders/meta"); } catch (err) { toast(errorText(err), "error"); }
  if (meta) {
    $("iq-type").replaceChildren(...meta.order_types.map((ty) => el("option", { value: ty }, t("wo.type." + ty))));
    $("iq-type").value = meta.order_types.includes("request") ? "request" : meta.order_types[0];
    fillSituations();
  }
  $("iq-type").addEventListener("change", fillSituations);
  $("iq-line").addEventListener("change", () => { localStorage.setItem(LINE_KEY, $("iq-line").value); close(); load(); });
  $("iq-order").addEventListener("submit", makeOrder);
  $("iq-answer").addEventListener("submit", sendAnswer);
  $("iq-kb-q").addEventListener("input", () => { clearTimeout(kbTimer); kbTimer = setTimeout(searchKb, 300); });
  subscribe(["intake"], () => load());
  onOpen(load);
  onLocale(render);
  setInterval(tick, 1000);
  load();
}

void config;
init();
