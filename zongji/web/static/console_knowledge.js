/* Console: knowledge-base articles beside the call (issue 11, point 5). While the operator types
   the call note (#notes), the best articles for it appear (debounced, top 5): title, an excerpt
   of the answer, the owning unit with its phone/extension. Alt+Z focuses the panel; ↑/↓ move;
   Enter opens the whole answer; I inserts the answer into the note; D answers the caller from
   the article: an inquiry work order from the selected call, closed directly (R-P2/R-P11) with
   handling "答复依据知识库第 N 号：<title>" and the answer as its result, through the work-order
   API. #kb-matters stays empty: catalogue matters are added there later. */

import { api, errorText } from "./api.js";
import { calls, selectedId } from "./console.js";
import { el, toast } from "./dom.js";
import { t } from "./i18n.js";

const PANEL_SIZE = 5;
let results = [];
let index = -1;
let timer = null;
let lastQuery = "";

function selectedCall() {
  const row = document.querySelector(".call-row.selected");
  return row && row.dataset.id ? row.dataset.id : null;
}
function list() { return document.getElementById("kb-articles"); }
function excerpt(text, n = 60) { return text.length > n ? text.slice(0, n) + "…" : text; }

function render() {
  const ul = list();
  if (!ul) return;
  ul.replaceChildren(...results.map((a, i) => {
    const unit = a.unit ? `${a.unit.name} ${a.unit.phone || ""}${a.unit.extension ? " / " + a.unit.extension : ""}`.trim() : "";
    const li = el("li", { class: "kb-item" + (i === index ? " selected" : ""), tabindex: "-1", "data-id": String(a.id) },
      el("div", { class: "kb-title" }, `${a.id}. ${a.title}`),
      el("div", { class: "kb-excerpt small" }, excerpt(a.answer)),
      unit ? el("div", { class: "kb-unit small muted" }, unit) : "");
    li.addEventListener("click", () => { index = i; render(); openFull(); });
    return li;
  }));
  document.getElementById("kb-empty").hidden = results.length > 0;
  const cur = ul.children[index];
  if (cur && document.activeElement && document.activeElement.closest("#kb-panel")) cur.focus();
}

/* The selected call's line: an article applies to its lines only (a hotel's facilities are no
   answer on the 12345 line). */
function callLine() {
  const c = selectedId !== null ? calls.get(selectedId) : null;
  return c && c.line ? c.line.code : "";
}

async function searchNow(q) {
  const line = callLine();
  const key = line + "\u0000" + q;
  if (key === lastQuery) return;
  lastQuery = key;
  if (!q.trim()) { results = []; index = -1; render(); return; }
  try {
    const r = await api("GET", "/api/knowledge/search?limit=" + PANEL_SIZE + "&q=" + encodeURIComponent(q.slice(-500))
      + (line ? "&line=" + encodeURIComponent(line) : ""));
    if (key !== lastQuery) return;
    results = r.results || [];
    index = results.length ? 0 : -1;
    render();
  } catch (e) { /* the panel keeps its last results */ }
}

function openFull() {
  const a = results[index];
  const box = document.getElementById("kb-full");
  if (!a || !box) return;
  box.hidden = false;
  box.replaceChildren(el("h3", {}, `${t("kb.article_no", { n: a.id })} ${a.title}`), el("p", {}, a.answer));
}

function insertAnswer() {
  const a = results[index];
  const notes = document.getElementById("notes");
  if (!a || !notes) return;
  notes.value = (notes.value ? notes.value + "\n" : "") + a.answer;
  notes.dispatchEvent(new Event("input", { bubbles: true }));
  notes.focus();
}

async function answerFromArticle() {
  const a = results[index];
  const callId = selectedCall();
  if (!a) return;
  if (!callId) { toast(t("wo.from_call_none"), "error"); return; }
  try {
    const p = await api("GET", "/api/work-orders/from-call/" + encodeURIComponent(callId));
    if (p.work_orders === false) { toast(t("kb.no_orders_on_line"), "info"); return; }
    const notes = document.getElementById("notes");
    const description = (notes && notes.value.trim()) || p.description || a.title;
    const order = await api("POST", "/api/work-orders", {
      order_type: "inquiry", situation: "simple", description, call_id: Number(callId), line_code: p.line_code || null,
      caller_name: p.caller_name || null, caller_number: p.caller_number || null,
      // An unidentified caller answered on the spot leaves no contact to call back.
      contact_consent: Boolean(p.caller_name),
      close_directly: { handling: `答复依据知识库第 ${a.id} 号：${a.title}`, result: a.answer },
    });
    toast(t("kb.answered", { number: order.number || order.id || "" }), "success");
  } catch (e) { toast(errorText(e), "error"); }
}

document.addEventListener("DOMContentLoaded", () => {
  const notes = document.getElementById("notes");
  const panel = document.getElementById("kb-panel");
  if (!notes || !panel) return;
  notes.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => searchNow(notes.value), 300);
  });
  document.addEventListener("keydown", (e) => {
    if (e.altKey && !e.ctrlKey && !e.metaKey && e.code === "KeyZ") {
      e.preventDefault();
      if (results.length) { index = Math.max(index, 0); panel.focus(); render(); list().children[index]?.focus(); }
    }
  });
  panel.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey || !results.length) return;
    if (e.key === "ArrowDown") { e.preventDefault(); index = Math.min(index + 1, results.length - 1); render(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); index = Math.max(index - 1, 0); render(); }
    else if (e.key === "Enter") { e.preventDefault(); openFull(); }
    else if (e.code === "KeyI") { e.preventDefault(); insertAnswer(); }
    else if (e.code === "KeyD") { e.preventDefault(); answerFromArticle(); }
  });
});
