/* The "information" tab of /settings/lines (R-H7): facilities with their service hours and
   long-distance rates, as the console's information search answers them. Supervisors and admins
   add, change and delete; others read. Data: /api/information/facilities, /api/information/rates.
   A refused value shows the API's message by its field. Keys: Ctrl+Enter saves, Esc cancels. */

import { api, errorText } from "./api.js";
import { config } from "./config.js";
import { $, el, toast } from "./dom.js";
import { locale, t } from "./i18n.js";
import { clearFieldErrors, showFieldError } from "./form_errors.js";

const root = document.getElementById("tab-info");
const canEdit = !!config.can_edit;
const L = (x) => (x ? (locale === "en" ? x.en || x.zh : x.zh || x.en) : "");
let editing = null; // {kind: "facility"|"rate", row|null}

const clearErrors = clearFieldErrors;
const showError = (scope, err) => showFieldError(err, { scope, slots: true, fallback: "form", mark: "invalid" });

function input(name, value, attrs) {
  const a = { ...(attrs || {}) }, area = a.textarea;
  delete a.textarea;
  const node = el(area ? "textarea" : "input", { name, ...a });
  node.value = value === null || value === undefined ? "" : String(value);
  return el("label", { class: "field" }, el("span", null, t("ln.i." + name)), node);
}
const err = (name) => el("div", { class: "field-error", "data-for": name });

// Hours as text per line "mon-fri 08:30-12:00 13:00-17:30" would need a parser; the facility
// form takes the same day fields as lines use: one box for every day, or JSON for anything else.
function hoursText(wh) {
  if (!wh) return "";
  if (Object.keys(wh).length === 1 && wh.all) return wh.all.map((iv) => iv[0] + "-" + iv[1]).join(" ");
  return JSON.stringify(wh);
}
function parseHours(text) {
  text = text.trim();
  if (!text) return { value: null };
  if (text.startsWith("{")) { try { return { value: JSON.parse(text) }; } catch (e) { return { error: t("ln.i.hours_bad") }; } }
  const list = [];
  for (const p of text.split(/[\s,，;；、]+/).filter(Boolean)) {
    const m = p.match(/^(\d{1,2}:\d{2})[-–~～](\d{1,2}:\d{2})$/);
    if (!m) return { error: t("ln.hours_bad", { text: p }) };
    list.push([m[1].padStart(5, "0"), m[2].padStart(5, "0")]);
  }
  return { value: { all: list } };
}

function facilityForm(f) {
  const form = el("form", { class: "set-box", id: "info-form", novalidate: true },
    el("h3", null, f ? t("ln.i.edit_facility") : t("ln.i.new_facility")),
    input("name", f && f.name_zh, { maxlength: "100" }), err("name"),
    input("name_en", f && f.name_en, { maxlength: "100" }),
    input("category", f ? f.category : "", { maxlength: "40" }), err("category"),
    input("location", f && f.location_zh, { maxlength: "100" }),
    input("location_en", f && f.location_en, { maxlength: "100" }),
    input("hours", f && hoursText(f.working_hours), { class: "mono", placeholder: "07:00-22:00" }), err("working_hours"),
    el("p", { class: "muted small" }, t("ln.i.hours_help")),
    input("extension", f && f.extension, { maxlength: "20", class: "mono" }), err("extension"),
    input("keywords", f && f.keywords, { maxlength: "500" }),
    input("note", f && f.note, { maxlength: "1000", textarea: true, rows: "2" }), err("form"),
    actions(f ? () => del("facilities", f.id) : null));
  form.addEventListener("submit", async (e) => {
    e.preventDefault(); clearErrors(form);
    const hours = parseHours(form.hours.value);
    if (hours.error) { showError(form, { body: { field: "working_hours", message: hours.error } }); return; }
    const v = (n) => form[n].value.trim() || null;
    const body = { name: form.elements["name"].value.trim(), name_en: v("name_en"), category: form.category.value.trim(),
      location: v("location"), location_en: v("location_en"), working_hours: hours.value, extension: v("extension"),
      keywords: v("keywords"), note: v("note") };
    await save(form, "facilities", f && f.id, body);
  });
  return form;
}
function rateForm(r) {
  const kind = el("select", { name: "kind" }, el("option", { value: "idd" }, t("ln.i.idd")), el("option", { value: "ddd" }, t("ln.i.ddd")));
  kind.value = r ? r.kind : "idd";
  const form = el("form", { class: "set-box", id: "info-form", novalidate: true },
    el("h3", null, r ? t("ln.i.edit_rate") : t("ln.i.new_rate")),
    el("label", { class: "field" }, el("span", null, t("ln.i.rate_kind")), kind), err("kind"),
    input("destination", r && r.destination_zh, { maxlength: "100" }), err("destination"),
    input("destination_en", r && r.destination_en, { maxlength: "100" }),
    input("dial_code", r && r.dial_code, { maxlength: "20", class: "mono" }), err("dial_code"),
    input("per_minute", r && r.per_minute, { type: "number", step: "0.01", min: "0.01", max: "1000" }), err("per_minute"),
    input("minimum_minutes", r ? r.minimum_minutes : 1, { type: "number", min: "1", max: "60" }), err("minimum_minutes"),
    input("keywords", r && r.keywords, { maxlength: "500" }),
    input("note", r && r.note, { maxlength: "1000", textarea: true, rows: "2" }), err("form"),
    actions(r ? () => del("rates", r.id) : null));
  form.addEventListener("submit", async (e) => {
    e.preventDefault(); clearErrors(form);
    const v = (n) => form[n].value.trim() || null;
    const num = (n) => (form[n].value === "" ? null : Number(form[n].value));
    const body = { kind: form.kind.value, destination: form.destination.value.trim(), destination_en: v("destination_en"),
      dial_code: v("dial_code"), per_minute: num("per_minute"), minimum_minutes: num("minimum_minutes") || 1,
      keywords: v("keywords"), note: v("note") };
    await save(form, "rates", r && r.id, body);
  });
  return form;
}
function actions(onDelete) {
  return el("div", { class: "set-actions" },
    onDelete ? el("button", { type: "button", class: "btn btn-danger", onclick: onDelete }, t("set.delete")) : null,
    el("button", { type: "button", class: "btn", onclick: () => show(null) }, t("ln.cancel")),
    el("button", { type: "submit", class: "btn btn-primary" }, t("set.save"), " ", el("kbd", null, "Ctrl+Enter")));
}
async function save(form, what, id, body) {
  try { await api(id ? "PUT" : "POST", "/api/information/" + what + (id ? "/" + id : ""), body); } catch (e) { showError(form, e); return; }
  toast(t("set.saved"), "ok");
  show(null); load();
}
async function del(what, id) {
  if (!confirm(t("ln.i.delete_confirm"))) return;
  try { await api("DELETE", "/api/information/" + what + "/" + id); } catch (e) { toast(errorText(e), "error"); return; }
  toast(t("ln.i.deleted"), "ok");
  show(null); load();
}
function show(which) {
  editing = which;
  const side = $("info-side");
  if (!canEdit) { side.replaceChildren(el("div", { class: "set-box muted small" }, t("ln.read_only"))); return; }
  if (!which) {
    side.replaceChildren(el("div", { class: "set-box" },
      el("button", { type: "button", class: "btn", id: "info-new-facility", onclick: () => show({ kind: "facility", row: null }) }, t("ln.i.new_facility")),
      el("button", { type: "button", class: "btn", id: "info-new-rate", onclick: () => show({ kind: "rate", row: null }) }, t("ln.i.new_rate"))));
    return;
  }
  const form = which.kind === "facility" ? facilityForm(which.row) : rateForm(which.row);
  form.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); form.requestSubmit(); }
    if (e.key === "Escape") { e.preventDefault(); show(null); }
  });
  side.replaceChildren(form);
  const first = form.querySelector("input, select");
  if (first) first.focus();
}
function editButton(onclick) {
  return canEdit ? el("button", { type: "button", class: "btn notif-btn", onclick }, t("set.edit")) : null;
}
/** Show the tab's facilities and rates (nothing where the page has no information tab). */
export async function load() {
  if (!root) return;
  let fac, rates;
  try { [fac, rates] = await Promise.all([api("GET", "/api/information/facilities"), api("GET", "/api/information/rates")]); }
  catch (e) { toast(errorText(e), "error"); return; }
  $("info-facilities").querySelector("tbody").replaceChildren(...fac.items.map((f) => el("tr", { "data-facility": f.id },
    el("td", null, L(f.name)), el("td", null, f.category), el("td", null, L(f.location)),
    el("td", { class: "mono" }, f.extension || ""),
    el("td", { class: "small" }, f.hours ? L(f.hours) : "—", f.open_now === null ? null : el("span", { class: "ln-tag " + (f.open_now ? "t-in" : "") }, f.open_now ? t("ln.i.open_now") : t("ln.i.closed_now"))),
    el("td", { class: "actions" }, editButton(() => show({ kind: "facility", row: f }))))));
  $("info-rates").querySelector("tbody").replaceChildren(...rates.items.map((r) => el("tr", { "data-rate": r.id },
    el("td", null, L(r.destination)), el("td", null, t("ln.i." + r.kind)), el("td", { class: "mono" }, r.dial_code || ""),
    el("td", { class: "num" }, r.per_minute.toFixed(2)), el("td", { class: "num" }, String(r.minimum_minutes)),
    el("td", { class: "actions" }, editButton(() => show({ kind: "rate", row: r }))))));
  if (!editing) show(null);
}

