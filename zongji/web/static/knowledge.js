/* The knowledge base page (/knowledge; issue 11, point 1): search as you type (/ focuses the box,
   ↑↓ and Enter pick an article), read an article and its versions; the office edits (Alt+N new,
   Ctrl+Enter save), decides proposals (Alt+P, then A approve / R reject with a reason) and keeps
   the synonym table (Alt+S save); a unit handler's Ctrl+Enter submits a proposal for its unit. */

import { api, errorText } from "./api.js";
import { config } from "./config.js";
import { $, el, toast } from "./dom.js";
import { clearFieldErrors, showFieldError } from "./form_errors.js";
import { onLocale, t } from "./i18n.js";
import { fmtDateTime } from "./local_time.js";

const office = !!config.kb_office;
const ownUnit = config.kb_unit_id || null;
const mayWrite = office || !!ownUnit;
const units = config.kb_units || [];
let items = [];
let current = null;  // the article in the form, or null for a new one
let versions = [];
let proposals = [];
let timer = null;

const lines = (text) => [...new Set(String(text || "").split(/\n+/).map((s) => s.trim()).filter(Boolean))];
const unitName = (id) => (units.find((u) => u.id === id) || {}).name || "";

function fillUnits() {
  $("kp-unit").replaceChildren(el("option", { value: "" }, t("kp.no_unit")),
    ...units.map((u) => el("option", { value: u.id }, u.name)));
}

function render() {
  $("kp-list").replaceChildren(...items.map((a, i) => el("li", {
    class: "kp-item" + (current && current.id === a.id ? " on" : "") + (a.status !== "published" ? " unpublished" : ""),
    role: "option", tabindex: "0", dataset: { index: String(i), id: String(a.id) },
    onclick: () => open(a), onkeydown: (e) => onItemKey(e, i),
  },
  el("div", null, el("span", { class: "kp-name" }, a.title),
    a.review_due ? el("span", { class: "kp-due-flag" }, t("kp.review_due")) : "",
    el("span", { class: "kp-unit" }, a.unit ? a.unit.name : "")),
  el("div", { class: "kp-meta" },
    a.category ? el("span", null, t("kp.m.category", { v: a.category })) : "",
    a.lines && a.lines.length ? el("span", null, t("kp.m.lines", { v: a.lines.join("、") })) : "",
    a.next_review ? el("span", { class: a.review_due ? "kp-late" : "" }, t("kp.m.next_review", { v: a.next_review })) : "",
    a.status !== "published" ? el("span", null, t("kp.status." + a.status)) : ""))));
  $("kp-empty").hidden = items.length > 0;
  $("kp-count").textContent = t("kp.count", { n: items.length });
}

function onItemKey(e, i) {
  const nodes = $("kp-list").children;
  if (e.key === "ArrowDown" && nodes[i + 1]) { e.preventDefault(); nodes[i + 1].focus(); }
  else if (e.key === "ArrowUp") { e.preventDefault(); (nodes[i - 1] || $("kp-q")).focus(); }
  else if (e.key === "Enter") { e.preventDefault(); open(items[i]); $(mayWrite ? "kp-answer" : "kp-q").focus(); }
}

async function load() {
  const q = $("kp-q").value.trim();
  try {
    if (q) items = (await api("GET", "/api/knowledge/search?limit=50&q=" + encodeURIComponent(q))).results;
    else items = (await api("GET", "/api/knowledge/articles" + ($("kp-due-only").checked ? "?review_due=true" : ""))).articles;
    if (q && $("kp-due-only").checked) items = items.filter((a) => a.review_due);
  } catch (err) {
    items = [];
    toast(errorText(err), "error");
  }
  render();
}

function renderVersions() {
  $("kp-versions").replaceChildren(...versions.slice().reverse().map((v) => el("li", { class: "kp-version" },
    el("div", null, el("b", null, t("kp.version_no", { n: v.version })), " ", v.changed_by, " · ", fmtDateTime(v.changed_at),
      v.proposal_id ? el("span", { class: "muted" }, " " + t("kp.via_proposal", { n: v.proposal_id })) : ""),
    el("div", { class: "kp-changes" }, Object.keys(v.changes || {}).map((f) => t("kp.f." + f)).join("、") || t("kp.created")))));
}

async function loadVersions() {
  versions = [];
  if (current && current.id) {
    try { versions = (await api("GET", `/api/knowledge/articles/${current.id}/versions`)).versions; }
    catch (err) { toast(errorText(err), "error"); }
  }
  renderVersions();
}

function open(a) {
  current = a;
  clearFieldErrors($("kp-form"));
  $("kp-form-h").textContent = a ? a.title : t(mayWrite ? "kp.new" : "kp.detail");
  $("kp-title").value = a ? a.title : "";
  $("kp-answer").value = a ? a.answer : "";
  $("kp-keywords").value = a ? (a.keywords || []).join("\n") : "";
  $("kp-lines").value = a ? (a.lines || []).join("\n") : "";
  $("kp-category").value = a ? a.category || "" : "";
  $("kp-unit").value = a && a.unit_id ? String(a.unit_id) : (ownUnit && !a ? String(ownUnit) : "");
  $("kp-valid-from").value = a ? a.valid_from || "" : "";
  $("kp-valid-to").value = a ? a.valid_to || "" : "";
  $("kp-next-review").value = a ? a.next_review || "" : "";
  $("kp-status").value = a ? a.status : (office ? "published" : "draft");
  if ($("kp-note")) $("kp-note").value = "";
  $("kp-updated").textContent = a ? t("kp.updated", { v: a.version, at: fmtDateTime(a.updated_at) }) : "";
  render();
  loadVersions();
}

async function save(e) {
  if (e) e.preventDefault();
  if (!mayWrite) return;
  const form = $("kp-form");
  clearFieldErrors(form);
  const body = {
    title: $("kp-title").value.trim(),
    answer: $("kp-answer").value.trim(),
    keywords: lines($("kp-keywords").value),
    category: $("kp-category").value.trim(),
    lines: lines($("kp-lines").value),
    unit_id: Number($("kp-unit").value) || null,
    valid_from: $("kp-valid-from").value || null,
    valid_to: $("kp-valid-to").value || null,
    next_review: $("kp-next-review").value || null,
    status: $("kp-status").value,
  };
  if ($("kp-note")) body.note = $("kp-note").value.trim();
  try {
    const r = current && current.id
      ? await api("PUT", `/api/knowledge/articles/${current.id}`, { ...body, version: current.version })
      : await api("POST", "/api/knowledge/articles", body);
    if (r.proposal) {
      toast(t("kp.proposed", { title: body.title }), "ok");
      return;
    }
    toast(t("kp.saved", { title: r.article.title }), "ok");
    await load();
    open(items.find((a) => a.id === r.article.id) || r.article);
  } catch (err) {
    showFieldError(err, { scope: form, slots: true, fallback: "form", mark: "invalid" });
  }
}

// ------------------------------------------------------------------ the office: proposals, synonyms

function renderProposals() {
  const list = $("kp-proposals");
  list.replaceChildren(...proposals.map((p, i) => el("li", {
    class: "kp-proposal", tabindex: "0", dataset: { id: String(p.id) }, onkeydown: (e) => onProposalKey(e, i),
  },
  el("div", null, el("b", null, p.fields.title || ""), " ",
    el("span", { class: "kp-unit" }, unitName(p.unit_id)),
    el("span", { class: "muted" }, " " + (p.article_id ? t("kp.prop_change") : t("kp.prop_new")))),
  el("div", { class: "kp-meta" }, t("kp.prop_by", { by: p.proposed_by, at: fmtDateTime(p.proposed_at) }),
    p.note ? "  " + t("kp.prop_note", { note: p.note }) : ""),
  el("div", { class: "kp-prop-actions" },
    el("button", { type: "button", class: "btn btn-primary kp-approve", onclick: () => decide(p, true) },
      t("kp.approve"), " ", el("kbd", null, "A")),
    el("button", { type: "button", class: "btn kp-reject", onclick: () => askReason(i) },
      t("kp.reject"), " ", el("kbd", null, "R"))),
  el("form", { class: "kp-reason", hidden: true, onsubmit: (e) => { e.preventDefault(); decide(p, false, e.target); } },
    el("input", { name: "reason", maxlength: "2000", placeholder: t("kp.reason"), "aria-label": t("kp.reason") }),
    el("button", { type: "submit", class: "btn" }, t("kp.reject_go"), " ", el("kbd", null, "Enter")),
    el("p", { class: "field-error", dataset: { for: "reason" } })))));
  $("kp-proposals-empty").hidden = proposals.length > 0;
}

function onProposalKey(e, i) {
  if (e.target !== e.currentTarget) {
    if (e.key === "Escape") { e.preventDefault(); e.currentTarget.querySelector(".kp-reason").hidden = true; e.currentTarget.focus(); }
    return;
  }
  const nodes = $("kp-proposals").children;
  if (e.key === "ArrowDown" && nodes[i + 1]) { e.preventDefault(); nodes[i + 1].focus(); }
  else if (e.key === "ArrowUp" && nodes[i - 1]) { e.preventDefault(); nodes[i - 1].focus(); }
  else if (e.key === "a" || e.key === "A") { e.preventDefault(); decide(proposals[i], true); }
  else if (e.key === "r" || e.key === "R") { e.preventDefault(); askReason(i); }
}

function askReason(i) {
  const form = $("kp-proposals").children[i].querySelector(".kp-reason");
  form.hidden = false;
  form.elements.reason.focus();
}

async function decide(p, approve, form) {
  const reason = form ? form.elements.reason.value.trim() : "";
  if (form && !reason) { form.querySelector(".field-error").textContent = t("kp.reason_required"); form.elements.reason.focus(); return; }
  try {
    await api("POST", `/api/knowledge/proposals/${p.id}/${approve ? "approve" : "reject"}`, { reason });
    toast(t(approve ? "kp.approved" : "kp.rejected", { title: p.fields.title || "" }), "ok");
    await Promise.all([loadProposals(), load()]);
    if (approve && current && current.id === p.article_id) open(items.find((a) => a.id === p.article_id) || current);
    const first = $("kp-proposals").firstChild;
    if (first) first.focus();
  } catch (err) {
    if (form) showFieldError(err, { scope: form, slots: true, fallback: "reason", mark: "invalid" });
    else toast(errorText(err), "error");
  }
}

async function loadProposals() {
  try { proposals = (await api("GET", "/api/knowledge/proposals?state=pending")).proposals; }
  catch (err) { proposals = []; toast(errorText(err), "error"); }
  renderProposals();
}

async function loadSynonyms() {
  try { $("kp-synonyms").value = (await api("GET", "/api/knowledge/synonyms")).lines.join("\n"); }
  catch (err) { toast(errorText(err), "error"); }
}

async function saveSynonyms(e) {
  if (e) e.preventDefault();
  const form = $("kp-syn-form");
  clearFieldErrors(form);
  try {
    const r = await api("PUT", "/api/knowledge/synonyms", { lines: lines($("kp-synonyms").value) });
    $("kp-synonyms").value = r.lines.join("\n");
    toast(t("kp.synonyms_saved", { n: r.lines.length }), "ok");
  } catch (err) {
    showFieldError(err, { scope: form, slots: true, fallback: "lines", mark: "invalid" });
  }
}

function onKey(e) {
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName);
  if (e.key === "/" && !typing && !e.altKey && !e.ctrlKey) { e.preventDefault(); $("kp-q").focus(); $("kp-q").select(); }
  else if (e.altKey && !e.ctrlKey && e.code === "KeyN" && mayWrite) { e.preventDefault(); open(null); $("kp-title").focus(); }
  else if (e.altKey && !e.ctrlKey && e.code === "KeyP" && office) {
    e.preventDefault();
    const first = $("kp-proposals").firstChild;
    if (first) first.focus();
  } else if (e.altKey && !e.ctrlKey && e.code === "KeyS" && office) { e.preventDefault(); saveSynonyms(); }
  else if (e.ctrlKey && e.key === "Enter" && mayWrite && $("kp-form").contains(e.target)) save(e);
}

$("kp-q").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(load, 200); });
$("kp-q").addEventListener("keydown", (e) => {
  if (e.key === "ArrowDown" && $("kp-list").firstChild) { e.preventDefault(); $("kp-list").firstChild.focus(); }
  else if (e.key === "Enter") { e.preventDefault(); clearTimeout(timer); load(); }
  else if (e.key === "Escape") { $("kp-q").value = ""; load(); }
});
$("kp-due-only").addEventListener("change", load);
$("kp-form").addEventListener("submit", save);
if ($("kp-new")) $("kp-new").addEventListener("click", () => { open(null); $("kp-title").focus(); });
if ($("kp-syn-form")) $("kp-syn-form").addEventListener("submit", saveSynonyms);
document.addEventListener("keydown", onKey);
fillUnits();
open(null);
if (ownUnit && !office) $("kp-unit").disabled = true;
onLocale(() => { fillUnits(); render(); renderVersions(); if (office) renderProposals(); if (current) open(current); });
if (office) { loadProposals(); loadSynonyms(); }
load().then(() => { if (document.activeElement === document.body) $("kp-q").focus(); });
