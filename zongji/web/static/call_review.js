/* Call quality review on the call log (质检, issue 10 point 4).

   Each row's last column shows the call's score where the viewer may see it (reviewers: every
   call; an operator: their own). Shift leaders, supervisors and admins open an answered call's
   review with the button, score each criterion within its points, mark a fatal error, comment
   and save (Ctrl+Enter); Esc closes. The items and their points are the supervisor's (issue 11
   point 7, /api/evaluation/items); each item takes a short comment; the forbidden phrases found
   in what was saved for the call are listed for the reviewer. Data: GET /api/calls/reviews, GET
   and PUT /api/calls/{id}/review. */

import { api, errorText } from "./api.js";
import { config } from "./config.js";
import { $, el, toast } from "./dom.js";
import { locale, t } from "./i18n.js";
import { fmtStamp } from "./local_time.js";
import { showFieldError } from "./form_errors.js";

const cfg = config;
let current = null;  // { call_id, criteria, review }
let opener = null;
let shown = [];  // the log's rows now

async function fill(items) {
  shown = items;
  const ids = items.map((c) => c.id);
  let totals = {};
  if (ids.length) {
    try { totals = (await api("GET", "/api/calls/reviews?call_ids=" + ids.join(","))).totals; } catch (e) { totals = {}; }
  }
  for (const cell of document.querySelectorAll("#log-table td.review-cell")) {
    const id = cell.dataset.id;
    const score = totals[id];
    const parts = [];
    if (score !== undefined) parts.push(el("span", { class: "badge review-score" + (score < 60 ? " low" : "") }, t("review.points", { n: score })));
    if (cfg.may_review && cell.dataset.answered) {
      parts.push(el("button", { type: "button", class: "btn btn-sm review-open", dataset: { id } },
        t(score === undefined ? "review.open" : "review.edit")));
    }
    cell.replaceChildren(...parts);
  }
}

function sum() {
  const f = $("review-form");
  if (f.fatal.checked) return 0;
  return current.criteria.reduce((acc, c) => acc + (Number(f.elements["score-" + c.key].value) || 0), 0);
}

function totalText() {
  const max = current.max_points || current.criteria.reduce((acc, c) => acc + c.points, 0);
  return String(sum()) + (max === 100 ? "" : " / " + max);
}

async function open(callId, button) {
  opener = button;
  try {
    current = await api("GET", `/api/calls/${callId}/review`);
  } catch (e) { toast(errorText(e), "error"); return; }
  const f = $("review-form");
  const r = current.review;
  const call = shown.find((c) => String(c.id) === String(callId));
  $("review-call").textContent = call ? t("review.call", { time: fmtStamp(call.ringing_at || call.answered_at),
    number: call.calling_number || "", operator: call.answered_by ? call.answered_by.display_name : "" }) : "";
  const notes = (r && r.item_comments) || {};
  $("review-criteria").replaceChildren(...current.criteria.map((c) => el("div", { class: "field" },
    el("label", null, el("span", null, ((locale === "en" && c.label_en) || c.label_zh) + " " + t("review.max", { n: c.points })),
      el("input", { type: "number", name: "score-" + c.key, min: 0, max: c.points, step: 1, required: true,
        value: r && r.scores[c.key] !== undefined ? r.scores[c.key] : c.points })),
    el("input", { type: "text", name: "note-" + c.key, maxlength: 500, class: "review-note",
      placeholder: t("review.note"), "aria-label": t("review.note"), value: notes[c.key] || "" }))));
  const hits = current.phrase_hits || [];
  $("review-hits").hidden = hits.length === 0;
  $("review-hits-list").textContent = hits.map((h) => t("review.hit", { phrase: h.phrase, kind: h.text_kind })).join("；");
  f.fatal.checked = !!(r && r.fatal);
  f.comment.value = r ? r.comment : "";
  $("review-by").textContent = r ? t("review.by", { by: r.reviewed_by, at: fmtStamp(r.reviewed_at) }) : "";
  $("review-total").textContent = totalText();
  $("review").hidden = false;
  f.querySelector("input").focus();
}

function close() {
  $("review").hidden = true;
  if (opener) opener.focus();
}

async function save(ev) {
  ev.preventDefault();
  const f = $("review-form");
  const scores = {};
  const item_comments = {};
  for (const c of current.criteria) {
    scores[c.key] = Number(f.elements["score-" + c.key].value);
    const note = f.elements["note-" + c.key].value.trim();
    if (note) item_comments[c.key] = note;
  }
  $("review-save").disabled = true;
  try {
    const r = await api("PUT", `/api/calls/${current.call_id}/review`,
      { scores, item_comments, fatal: f.fatal.checked, comment: f.comment.value.trim() });
    toast(t("review.saved", { n: r.review.total }), "ok");
    close();
    await fill(shown);
  } catch (err) {
    const score = (field) => (field.startsWith("scores.") ? f.elements["score-" + field.slice(7)] : null);
    showFieldError(err, { scope: f, input: score });
  } finally { $("review-save").disabled = false; }
}

document.addEventListener("zj:calls-rendered", (e) => fill(e.detail));
document.addEventListener("DOMContentLoaded", () => {
  $("log-table").addEventListener("click", (e) => {
    const b = e.target.closest(".review-open");
    if (b) open(b.dataset.id, b);
  });
  $("review-close").addEventListener("click", close);
  $("review-form").addEventListener("submit", save);
  $("review-form").addEventListener("input", () => { $("review-total").textContent = totalText(); });
  document.addEventListener("keydown", (e) => {
    if ($("review").hidden) return;
    if (e.key === "Escape") { e.preventDefault(); close(); }
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); $("review-form").requestSubmit(); }
  });
});
