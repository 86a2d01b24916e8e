/* The responsibility catalogue beside the call (issue 11, point 2; R-P12).

   While the operator types the note (#notes, debounced), the three matters that best fit it
   appear under the note (#kb-matters): the responsible unit with its phone and extension (for a
   three-way call, or to give the caller) and the assisting units. Alt+U focuses the list (↑↓
   move, Esc back to the note). A user who works for no city hotline (the API answers 403) never
   sees the section. Mounted by one script line in the console template. */

import { api } from "./api.js";
import { $, el } from "./dom.js";
import { onLocale, t } from "./i18n.js";

const DELAY = 350;
const LIMIT = 3;
let timer = null;
let asked = "";
let items = [];
let disabled = false;

function section() {
  let box = $("kb-matters");
  if (box && $("kb-matters-list")) return box;
  const parts = [
    el("div", { class: "kbm-head" }, el("span", { id: "kb-matters-h", class: "subhead" }, t("kbm.title")),
      el("span", { class: "muted small kbm-hint" }, t("kbm.hint")), el("kbd", null, "Alt+U")),
    el("ol", { class: "kbm-list", id: "kb-matters-list", role: "listbox", "aria-labelledby": "kb-matters-h" })];
  if (box) {
    // The knowledge panel's place for the catalogue's matters (console_knowledge.js).
    box.append(...parts);
    box.hidden = true;
  } else {
    const notes = $("notes");
    const wrap = notes && notes.closest(".wrapup");
    if (!wrap) return null;
    box = el("section", { id: "kb-matters", class: "kb-matters", hidden: true, "aria-labelledby": "kb-matters-h" }, ...parts);
    wrap.append(box);
  }
  const legend = $("legend");
  if (legend) legend.append(el("span", null, el("kbd", null, "Alt+U"), " ", el("span", { "data-i18n": "keys.matters" }, t("keys.matters"))));
  return box;
}

function reach(u) {
  return [u.phone ? "☎ " + u.phone : "", u.extension ? t("ct.ext", { ext: u.extension }) : ""].filter(Boolean).join(" · ");
}

function render() {
  const box = section();
  if (!box) return;
  box.hidden = disabled || !items.length;
  $("kb-matters-list").replaceChildren(...items.map((m, i) => el("li", {
    class: "kbm-item", role: "option", tabindex: "0", dataset: { id: String(m.id) },
    onkeydown: (e) => onItemKey(e, i),
  },
  el("div", null, el("b", { class: "kbm-matter" }, m.matter), " → ",
    el("span", { class: "kbm-unit" }, m.unit ? m.unit.name : ""), " ",
    el("span", { class: "kbm-reach" }, m.unit ? reach(m.unit) : "")),
  m.assisting && m.assisting.length
    ? el("div", { class: "muted small" }, t("kbm.assisting", { units: m.assisting.map((a) => a.name).join("、") })) : null)));
}

function onItemKey(e, i) {
  const nodes = $("kb-matters-list").children;
  if (e.key === "ArrowDown" && nodes[i + 1]) { e.preventDefault(); nodes[i + 1].focus(); }
  else if (e.key === "ArrowUp" && nodes[i - 1]) { e.preventDefault(); nodes[i - 1].focus(); }
  else if (e.key === "Escape") { e.preventDefault(); $("notes").focus(); }
}

async function lookUp() {
  const text = ($("notes").value || "").trim().slice(-500);
  if (disabled || text === asked) return;
  asked = text;
  if (!text) { items = []; render(); return; }
  try {
    const r = await api("GET", `/api/catalogue/search?limit=${LIMIT}&q=` + encodeURIComponent(text));
    if (asked === text) { items = r.items || []; render(); }
  } catch (err) {
    if (err && err.status === 403) disabled = true;  // works for no city hotline
    items = [];
    render();
  }
}

function schedule() { clearTimeout(timer); timer = setTimeout(lookUp, DELAY); }

const notes = $("notes");
if (notes) {
  notes.addEventListener("input", schedule);
  notes.addEventListener("focus", schedule);  // another call's note was put in the field
  document.addEventListener("keydown", (e) => {
    if (e.altKey && !e.ctrlKey && !e.metaKey && e.code === "KeyU") {
      const first = $("kb-matters-list") && $("kb-matters-list").firstChild;
      if (first && !$("kb-matters").hidden) { e.preventDefault(); first.focus(); }
    }
  });
  onLocale(render);
}
