/* The responsibility catalogue page (/catalogue; issue 11, point 2): search what the caller
   says (/ focuses the box, ↑↓ and Enter pick a matter), read or edit a matter (the hotline office:
   Alt+N new, Ctrl+Enter save), import an XLSX workbook and see its rejected rows (Alt+I), export
   (Alt+E). */

import { api, errorText } from "./api.js";
import { config } from "./config.js";
import { $, el, toast } from "./dom.js";
import { clearFieldErrors, showFieldError } from "./form_errors.js";
import { onLocale, t } from "./i18n.js";
import { fmtDateTime } from "./local_time.js";

const mayEdit = !!config.catalogue_may_edit;
let units = [];
let items = [];
let current = null;  // the matter in the form, or null for a new one
let timer = null;

const listSep = /[、,，;；\n]+/;
const split = (text, sep) => [...new Set(String(text || "").split(sep).map((s) => s.trim()).filter(Boolean))];

function unitLabel(u) {
  if (!u) return "";
  const reach = [u.phone, u.extension ? t("ct.ext", { ext: u.extension }) : ""].filter(Boolean).join(" · ");
  return reach ? `${u.name}（${reach}）` : u.name;
}

function fillUnits() {
  const one = $("ct-unit"), many = $("ct-assisting");
  one.replaceChildren(el("option", { value: "" }, t("ct.choose_unit")), ...units.map((u) => el("option", { value: u.id }, u.name)));
  many.replaceChildren(...units.map((u) => el("option", { value: u.id }, u.name)));
}

function render() {
  const list = $("ct-list");
  list.replaceChildren(...items.map((m, i) => el("li", {
    class: "ct-item" + (m.active === false ? " inactive" : "") + (current && current.id === m.id ? " on" : ""),
    role: "option", tabindex: "0", dataset: { index: String(i), id: String(m.id) },
    onclick: () => open(m), onkeydown: (e) => onItemKey(e, i),
  },
  el("div", null, el("span", { class: "ct-name" }, m.matter), el("span", { class: "ct-unit" }, unitLabel(m.unit))),
  el("div", { class: "ct-meta" },
    m.assisting && m.assisting.length ? t("ct.assisting_list", { units: m.assisting.map((a) => a.name).join("、") }) : "",
    m.category ? "  " + m.category : "", m.active === false ? "  " + t("ct.inactive") : ""))));
  $("ct-empty").hidden = items.length > 0;
  $("ct-count").textContent = t("ct.count", { n: items.length });
}

function onItemKey(e, i) {
  const nodes = $("ct-list").children;
  if (e.key === "ArrowDown" && nodes[i + 1]) { e.preventDefault(); nodes[i + 1].focus(); }
  else if (e.key === "ArrowUp") { e.preventDefault(); (nodes[i - 1] || $("ct-q")).focus(); }
  else if (e.key === "Enter") { e.preventDefault(); open(items[i]); $(mayEdit ? "ct-matter" : "ct-q").focus(); }
}

async function load() {
  const q = $("ct-q").value.trim();
  const inactive = $("ct-show-inactive").checked;
  try {
    if (q) {
      items = (await api("GET", "/api/catalogue/search?limit=50" + (inactive ? "&include_inactive=true" : "")
        + "&q=" + encodeURIComponent(q))).items;
    } else {
      const r = await api("GET", "/api/catalogue/matters" + (inactive ? "" : "?active=true"));
      items = r.items;
      if (!units.length) { units = r.units; fillUnits(); if (current) open(current); }
    }
  } catch (err) {
    items = [];
    toast(errorText(err), "error");
  }
  render();
}

function open(m) {
  current = m;
  clearFieldErrors($("ct-form"));
  $("ct-form-h").textContent = m ? m.matter : t(mayEdit ? "ct.new" : "ct.detail");
  $("ct-matter").value = m ? m.matter : "";
  $("ct-unit").value = m && m.unit ? String(m.unit.id) : "";
  const assisting = new Set((m ? m.assisting : []).map((a) => String(a.id)));
  for (const o of $("ct-assisting").options) o.selected = assisting.has(o.value);
  $("ct-basis").value = m ? m.basis : "";
  $("ct-examples").value = m ? (m.examples || []).join("\n") : "";
  $("ct-keywords").value = m ? (m.keywords || []).join("、") : "";
  $("ct-category").value = m && m.category ? m.category : "";
  $("ct-active").checked = m ? m.active !== false : true;
  $("ct-updated").textContent = m && m.updated_by ? t("ct.updated", { by: m.updated_by, at: fmtDateTime(m.updated_at) }) : "";
  if ($("ct-deactivate")) $("ct-deactivate").hidden = !(m && m.active !== false);
  render();
}

async function save(e) {
  if (e) e.preventDefault();
  if (!mayEdit) return;
  const form = $("ct-form");
  clearFieldErrors(form);
  const body = {
    matter: $("ct-matter").value.trim(),
    unit_id: Number($("ct-unit").value) || null,
    assisting_unit_ids: [...$("ct-assisting").selectedOptions].map((o) => Number(o.value)),
    basis: $("ct-basis").value.trim(),
    examples: split($("ct-examples").value, /\n+/),
    keywords: split($("ct-keywords").value, listSep),
    category: $("ct-category").value.trim() || null,
    active: $("ct-active").checked,
  };
  try {
    const saved = current && current.id
      ? await api("PUT", `/api/catalogue/matters/${current.id}`, body)
      : await api("POST", "/api/catalogue/matters", body);
    toast(t("ct.saved", { matter: saved.matter }), "ok");
    await load();
    open(items.find((m) => m.id === saved.id) || saved);
  } catch (err) {
    showFieldError(err, { scope: form, slots: true, fallback: "form", mark: "invalid" });
  }
}

async function deactivate() {
  if (!current || !current.id) return;
  try {
    const saved = await api("DELETE", `/api/catalogue/matters/${current.id}`);
    toast(t("ct.deactivated", { matter: saved.matter }), "ok");
    await load();
    open(saved);
  } catch (err) { toast(errorText(err), "error"); }
}

async function importFile(e) {
  e.preventDefault();
  const file = $("ct-file").files[0];
  const result = $("ct-import-result"), rejected = $("ct-rejected");
  rejected.replaceChildren();
  if (!file) { result.textContent = t("ct.import_choose"); $("ct-file").focus(); return; }
  const body = new FormData();
  body.append("file", file);
  result.textContent = t("ct.importing");
  try {
    const r = await api("POST", "/api/catalogue/import", body);
    result.textContent = t("ct.import_done", { added: r.added, updated: r.updated, rejected: r.rejected.length });
    rejected.replaceChildren(...r.rejected.map((x) => el("li", null,
      t("ct.reject_row", { row: x.row, field: x.field, reason: t("ct.reject." + x.code) }))));
    units = [];
    await load();
  } catch (err) {
    result.textContent = errorText(err);
  }
}

function onKey(e) {
  const typing = /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName);
  if (e.key === "/" && !typing && !e.altKey && !e.ctrlKey) { e.preventDefault(); $("ct-q").focus(); $("ct-q").select(); }
  else if (e.altKey && !e.ctrlKey && e.code === "KeyN" && mayEdit) { e.preventDefault(); open(null); $("ct-matter").focus(); }
  else if (e.altKey && !e.ctrlKey && e.code === "KeyI" && $("ct-file")) { e.preventDefault(); $("ct-file").focus(); }
  else if (e.altKey && !e.ctrlKey && e.code === "KeyE") { e.preventDefault(); $("ct-export").click(); }
  else if (e.ctrlKey && e.key === "Enter" && mayEdit && $("ct-form").contains(e.target)) save(e);
}

$("ct-q").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(load, 200); });
$("ct-q").addEventListener("keydown", (e) => {
  if (e.key === "ArrowDown" && $("ct-list").firstChild) { e.preventDefault(); $("ct-list").firstChild.focus(); }
  else if (e.key === "Enter") { e.preventDefault(); clearTimeout(timer); load(); }
  else if (e.key === "Escape") { $("ct-q").value = ""; load(); }
});
$("ct-show-inactive").addEventListener("change", load);
$("ct-form").addEventListener("submit", save);
if ($("ct-new")) $("ct-new").addEventListener("click", () => { open(null); $("ct-matter").focus(); });
if ($("ct-deactivate")) $("ct-deactivate").addEventListener("click", deactivate);
if ($("ct-import-form")) $("ct-import-form").addEventListener("submit", importFile);
document.addEventListener("keydown", onKey);
onLocale(() => { fillUnits(); render(); if (current) open(current); });
load().then(() => { $("ct-q").focus(); });
