/* The order form, guided by type (R-P2): situation → hint, referral numbers, required fields;
   "closes directly" situations record the handling and close at once (R-P11). Likely duplicates
   are suggested while typing (R-P8) and can be bound as related or duplicate. */

import { api, errorText } from "./api.js";
import { config } from "./config.js";
import { $, el, toast } from "./dom.js";
import { locale, onLocale, t } from "./i18n.js";
import * as DS from "./dispatch_suggestion.js";
import * as WO from "./work_order_fields.js";
import { showFieldError } from "./form_errors.js";

let m = null, guidance = null;
const bound = new Map(); // order id → "related" | "duplicate"
let dupTimer = null;

function lineKind() { const l = m.lines.find((x) => x.code === $("line").value); return l ? l.kind : "hotline_12345"; }
/** The situations of each type on the chosen line: a 400 complaint has the company's own (R-S8, R-S10). */
function guidanceTable() { return (m.guidance_by_line_kind && m.guidance_by_line_kind[lineKind()]) || m.guidance; }
function currentType() { const c = document.querySelector("input[name=order_type]:checked"); return c ? c.value : null; }

function renderTypes() {
  const types = m.types_by_line_kind[lineKind()] || m.order_types;
  const keep = currentType();
  $("types").replaceChildren(...types.map((v, i) => el("label", null, el("input", { type: "radio", name: "order_type", value: v, onchange: onType }), t("wo.type." + v), el("kbd", null, "Alt+" + (i + 1)))));
  if (keep && types.includes(keep)) document.querySelector(`input[name=order_type][value=${keep}]`).checked = true;
  renderSituations();
}
function onType() { renderSituations(); }
function renderSituations() {
  const ty = currentType();
  const opts = ty ? (guidanceTable()[ty] || []) : [];
  const keep = $("situation").value;
  $("situation").replaceChildren(el("option", { value: "" }, "—"), ...opts.map((g) => el("option", { value: g.situation }, locale === "en" ? t("wo.situation." + g.situation) : g.situation_zh)));
  if (opts.some((g) => g.situation === keep)) $("situation").value = keep;
  else if (opts.length) $("situation").value = opts[0].situation;
  // Where the situation sets the complexity (a company's complaint), it is not asked twice.
  $("complexity-field").hidden = ty !== "complaint" || opts.some((g) => g.complexity);
  renderGuide();
}
function renderGuide() {
  const ty = currentType();
  guidance = ty ? (guidanceTable()[ty] || []).find((g) => g.situation === $("situation").value) || null : null;
  const box = $("guide");
  box.hidden = !guidance;
  document.querySelectorAll("[data-detail]").forEach((n) => { n.hidden = !(guidance && guidance.required_fields.includes(n.dataset.detail)); });
  document.querySelectorAll("[data-company]").forEach((n) => { n.hidden = lineKind() !== "hotline_400"; });
  for (const f of ["caller_name", "place", "caller_number"]) {
    const key = f === "caller_number" ? "contact" : f;
    const lbl = $("lbl-" + f);
    if (lbl) lbl.classList.toggle("req", !!(guidance && guidance.required_fields.includes(key)));
  }
  $("direct-box").hidden = !(guidance && guidance.closes_directly);
  $("btn-direct").hidden = !(guidance && guidance.closes_directly);
  if (!guidance) return;
  box.replaceChildren(...[
    el("div", { class: "hint-text" }, locale === "en" ? guidance.hint_en : guidance.hint_zh),
    el("div", { class: "small muted" }, t("wo.guide.handlings") + ": " + guidance.handlings.map((h) => t("wo.handling." + h)).join(" / ")),
    guidance.referrals.length ? el("div", { class: "referrals", id: "referrals" }, ...guidance.referrals.map((r) => el("span", { class: "referral" }, locale === "en" ? r.name_en : r.name_zh, el("b", null, r.number || t("wo.guide.local_number"))))) : null].filter(Boolean));
}

function fillSelects() {
  $("line").replaceChildren(...m.lines.filter((l) => l.kind !== "switchboard").map((l) => el("option", { value: l.code }, l.name)));
  $("urgency").replaceChildren(...m.urgencies.map((u) => el("option", { value: u }, t("wo.urgency." + u))));
  $("complexity").replaceChildren(el("option", { value: "" }, "—"), ...m.complexities.map((u) => el("option", { value: u }, t("wo.complexity." + u))));
  $("category").replaceChildren(el("option", { value: "" }, "—"), ...m.categories.map((c) => el("option", { value: c.code }, "　".repeat(c.depth) + (locale === "en" ? (c.name_en || c.name_zh) : c.name_zh))));
}

function body(closeDirectly) {
  const num = (v) => (v.trim() === "" ? null : Number(v));
  const b = {
    order_type: currentType() || "", description: $("description").value, situation: $("situation").value || null,
    line_code: $("line").value || null, category: $("category").value || null, urgency: $("urgency").value,
    complexity: currentType() === "complaint" && !$("complexity-field").hidden ? ($("complexity").value || null) : null,
    caller_name: $("caller_name").value || null, caller_number: $("caller_number").value || null,
    contact_consent: $("consent").checked, place: $("place").value || null,
    latitude: num($("latitude").value), longitude: num($("longitude").value),
    caller_unit_room: $("caller_unit_room").value || null, product_serial: $("product_serial").value || null,
    details: {}, call_id: config.call_id || null,
    link_to: [...bound.entries()].map(([id, kind]) => ({ order_id: id, kind })),
  };
  for (const k of ["event_time", "staff_name", "badge_number"]) if ($(k).value.trim() && !$(k).closest("[data-detail]").hidden) b.details[k] = $(k).value.trim();
  if (closeDirectly) b.close_directly = { handling: $("handling").value, result: $("result").value };
  if (Number.isNaN(b.latitude) || Number.isNaN(b.longitude)) throw new Error(t("wo.error.coordinates"));
  return b;
}

async function create(closeDirectly) {
  $("form-error").textContent = "";
  let b;
  try { b = body(closeDirectly); } catch (e) { $("form-error").textContent = e.message; return; }
  if (!b.order_type) { $("form-error").textContent = t("wo.error.type"); return; }
  $("btn-create").disabled = true;
  try {
    const o = await api("POST", "/api/work-orders", b);
    toast(t("wo.created", { number: o.number }), "ok");
    location.href = "/work-orders/" + o.id;
  } catch (e) {
    const own = (f) => f.replace(/^details\.|^close_directly\./, "");  // the field's own name, its input's id
    showFieldError(e, { box: $("form-error"), text: (f) => errorText(e) + (f ? " (" + t("wo.field." + own(f)) + ")" : ""),
      input: (f) => document.getElementById(own(f)) });
    $("btn-create").disabled = false;
  }
}

function scheduleDups() { clearTimeout(dupTimer); dupTimer = setTimeout(() => { loadDups(); loadSuggestion(); }, 400); }

/* The dispatch suggestion for what is being written (issue 11): the units the shift leader will
   probably dispatch to, and a category when the catalogue's matter has another; Alt+K takes it. */
let suggestedCategory = null;
async function loadSuggestion() {
  const d = $("description").value.trim();
  if (!d) { $("ds-units").replaceChildren(); $("ds-cat").hidden = true; return; }
  let data = null;
  try {
    data = await DS.forDraft({ text: d, category: $("category").value || null, place: $("place").value.trim() || null,
      line_code: $("line").value || null });
  } catch (e) { return; /* suggestions are optional */ }
  DS.renderUnits($("ds-units"), data);
  suggestedCategory = data.category && m.categories.some((c) => c.code === data.category.code) ? data.category.code : null;
  $("ds-cat").hidden = !suggestedCategory;
  $("ds-cat-text").textContent = DS.categoryText(data);
}
function useSuggestedCategory() {
  if (!suggestedCategory) return;
  $("category").value = suggestedCategory;
  $("category").dispatchEvent(new Event("change"));
}
async function loadDups() {
  const d = $("description").value.trim(), n = $("caller_number").value.trim(), p = $("place").value.trim();
  if (!d && !n && !p) { renderDups([]); return; }
  try {
    const r = await api("POST", "/api/work-orders/duplicates", { caller_number: n || null, place: p || null,
      category: $("category").value || null, description: d });
    renderDups(r.items);
  } catch (e) { /* suggestions are optional */ }
}
function renderDups(items) {
  $("dups-empty").hidden = items.length > 0;
  $("dups").replaceChildren(...items.map((x) => el("div", { class: "dup" + (bound.has(x.id) ? " bound" : ""), dataset: { id: x.id } },
    el("div", null, el("a", { href: "/work-orders/" + x.id, target: "_blank", class: "wo-num" }, x.number), " ", WO.statusBadge(x.status), " ", el("span", { class: "score" }, Math.round(x.score * 100) + "%")),
    el("div", null, (x.caller_name || "") + " · " + WO.typeLabel(x.order_type) + (x.place ? " · " + x.place : "")),
    el("div", { class: "muted" }, x.description),
    el("div", { class: "reasons" }, ...x.reasons.map((r) => el("span", null, t("wo.dups.reason." + r)))),
    el("div", { class: "radio-row" }, ...["none", "related", "duplicate"].map((k) => el("label", null,
      el("input", { type: "radio", name: "bind-" + x.id, value: k, checked: (bound.get(x.id) || "none") === k,
        onchange: () => { if (k === "none") bound.delete(x.id); else bound.set(x.id, k); renderDups(items); } }), t("wo.dups.bind." + k)))))));
}

/** Where a hotel guest's request goes instead of a work order (the guest-service centre). */
function hotelLineText(u) {
  if (!u) return t("wo.hotel_line_no_unit");
  return t("wo.hotel_line", { unit: locale === "en" ? (u.name_en || u.name) : u.name, ext: u.extension || "—" });
}

async function prefill() {
  if (!config.call_id) return;
  try {
    const p = await api("GET", "/api/work-orders/from-call/" + config.call_id);
    if (p.work_orders === false) { // a hotel's switchboard call: no hotline work order (issue 8)
      $("from-call").hidden = false;
      $("from-call").textContent = hotelLineText(p.requests_to);
      $("btn-create").disabled = true;
      return;
    }
    if (p.line_code && m.lines.some((l) => l.code === p.line_code && l.kind !== "switchboard")) { $("line").value = p.line_code; renderTypes(); }
    $("caller_name").value = p.caller_name || "";
    $("caller_number").value = p.caller_number || "";
    $("description").value = p.description || "";
    const fc = $("from-call");
    fc.hidden = false;
    fc.textContent = t("wo.from_call", { number: p.caller_number || "", time: WO.stamp(p.call_at) });
    scheduleDups();
  } catch (e) { toast(errorText(e), "error"); }
}

document.addEventListener("DOMContentLoaded", async () => {
  m = await WO.meta();
  fillSelects();
  renderTypes();
  await prefill();
  $("line").addEventListener("change", renderTypes);
  $("situation").addEventListener("change", renderGuide);
  for (const id of ["description", "caller_number", "place"]) $(id).addEventListener("input", scheduleDups);
  $("category").addEventListener("change", scheduleDups);
  $("wo-form").addEventListener("submit", (e) => { e.preventDefault(); create(!$("direct-box").hidden && ($("handling").value.trim() || $("result").value.trim()) ? true : false); });
  $("btn-direct").addEventListener("click", () => create(true));
  $("ds-cat-use").addEventListener("click", useSuggestedCategory);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); $("wo-form").requestSubmit(); }
    else if (e.altKey && /^[1-9]$/.test(e.key)) {
      const r = document.querySelectorAll("input[name=order_type]")[Number(e.key) - 1];
      if (r) { e.preventDefault(); r.checked = true; onType(); }
    } else if (e.altKey && (e.key === "d" || e.key === "D") && !$("btn-direct").hidden) { e.preventDefault(); create(true); }
    else if (e.altKey && (e.key === "k" || e.key === "K") && suggestedCategory) { e.preventDefault(); useSuggestedCategory(); }
  });
  onLocale(() => { fillSelects(); renderTypes(); });
  const first = document.querySelector("input[name=order_type]");
  if (first && !config.call_id) first.focus(); else $("description").focus();
});
