/* Work-order settings for supervisors and admins (issue 4): the business calendar (a year's
   holidays and adjusted working days with their source; add, edit, delete a day; import a year
   from CSV or XLSX; a banner when next year is not known), SLA policies (edit a target, reset to
   the defaults), units' notification contacts, the category tree import.
   Data: /api/calendar/*, /api/sla-policies, /api/units/contacts, /api/units/{id}/contact,
   /api/work-order-categories[/import]. A refused value shows the API's message by its field.
   Keys: Alt+1…4 switch tabs; PgUp/PgDn change the calendar year. */

import { api, errorText } from "./api.js";
import { $, el, toast } from "./dom.js";
import { has, locale, onLocale, t } from "./i18n.js";
import { localDate } from "./local_time.js";
import { clearFieldErrors, showFieldError } from "./form_errors.js";

(function () {
  const root = document.getElementById("settings");
  if (!root) return;
  const TABS = ["calendar", "sla", "contacts", "categories"];
  const TARGETS = ["dispatch", "first_reply", "completion", "completion_max", "callback"];
  let year = Number(localDate(new Date()).slice(0, 4));
  let policies = [];

  // ---------------------------------------------------------------- errors by the field
  const clearErrors = clearFieldErrors;
  /** Put the API's message next to the field it names (or the form's first error slot). */
  const showError = (scope, err, fallback) => showFieldError(err, { scope, slots: true, fallback, mark: "invalid" });

  // ---------------------------------------------------------------- tabs
  function tab(name) {
    if (name === "import") { name = "calendar"; setTimeout(() => $("imp-year").focus(), 0); }  // the reminder's link
    if (!TABS.includes(name)) name = "calendar";
    TABS.forEach((n) => { $("tab-" + n).hidden = n !== name; });
    document.querySelectorAll("#set-tabs a").forEach((a) => a.classList.toggle("on", a.dataset.tab === name));
    if (location.hash !== "#" + name) history.replaceState(null, "", "#" + name);
    ({ calendar: loadYear, sla: loadSla, contacts: loadContacts, categories: loadCategories })[name]();
  }
  document.querySelectorAll("#set-tabs a").forEach((a) => a.addEventListener("click", (e) => { e.preventDefault(); tab(a.dataset.tab); }));

  // ---------------------------------------------------------------- calendar
  // The list is written with ASCII or full-width commas (the zh-CN text uses "，").
  const WEEKDAYS = () => t("set.cal.weekdays").split(/[,，、]/).map((x) => x.trim());
  async function loadYear() {
    $("cal-year").value = year;
    let data;
    try { data = await api("GET", "/api/calendar/" + year); } catch (e) { toast(errorText(e), "error"); return; }
    $("cal-known").textContent = data.provisional ? t("set.cal.unknown") : t("set.cal.known");
    $("cal-known").classList.toggle("cal-provisional", !!data.provisional);
    $("cal-withdraw").hidden = !data.imported;
    $("cal-withdraw").textContent = t("set.cal.withdraw", { year: data.year });
    $("cal-withdraw").dataset.year = data.year;
    const tbody = $("cal-table").querySelector("tbody");
    tbody.replaceChildren(...data.days.map((d) => el("tr", { "data-day": d.day, class: d.source === "provisional" ? "provisional" : "" },
      el("td", { class: "mono" }, d.day),
      el("td", null, WEEKDAYS()[d.weekday]),
      el("td", null, el("span", { class: d.is_working ? "day-work" : "day-off" }, d.is_working ? t("set.cal.work") : t("set.cal.off"))),
      el("td", null, (locale === "en" ? d.name : d.name_zh || d.name) || ""),
      el("td", null, el("span", { class: "src s-" + d.source }, t("set.cal.src." + d.source))),
      el("td", { class: "actions" },
        el("button", { type: "button", class: "btn notif-btn", onclick: () => editDay(d) }, t("set.edit")),
        d.source === "entry" ? el("button", { type: "button", class: "btn notif-btn", onclick: () => deleteDay(d) }, t("set.delete")) : null))));
    checkNextYear();
  }
  /** Next year's notice: decided by the server in the site's time zone (not this browser's clock). */
  async function checkNextYear() {
    try {
      const d = await api("GET", "/api/calendar/status");
      $("cal-banner").hidden = !d.show_reminder;
      $("cal-banner").textContent = d.show_reminder ? t("set.cal.banner", { year: d.next_year }) : "";
      if (!$("imp-year").dataset.touched) $("imp-year").value = d.next_year;
    } catch (e) { /* the banner stays as it was */ }
  }
  $("imp-year").addEventListener("input", () => { $("imp-year").dataset.touched = "1"; });
  $("cal-withdraw").addEventListener("click", async () => {
    const y = Number($("cal-withdraw").dataset.year);
    if (!confirm(t("set.cal.withdraw_confirm", { year: y }))) return;
    let r;
    try { r = await api("DELETE", "/api/calendar/years/" + y); } catch (err) { toast(errorText(err), "error"); return; }
    toast(t("set.cal.withdrawn", { year: y, moved: r.deadlines_moved }), "ok");
    loadYear();
  });
  function editDay(d) {
    $("day-day").value = d.day; $("day-working").value = String(d.is_working); $("day-name").value = d.name || "";
    $("day-name").focus();
  }
  async function deleteDay(d) {
    if (!confirm(t("set.cal.delete_confirm", { day: d.day }))) return;
    try { await api("DELETE", "/api/calendar/days/" + d.day); toast(t("set.saved"), "ok"); } catch (e) { toast(errorText(e), "error"); }
    loadYear();
  }
  $("day-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = $("day-form"); clearErrors(form);
    const day = $("day-day").value;
    if (!day) { showError(form, { body: { field: "day", message: t("set.cal.need_day") } }, "day"); return; }
    try {
      await api("PUT", "/api/calendar/days/" + encodeURIComponent(day), { is_working: $("day-working").value === "true", name: $("day-name").value.trim() });
    } catch (err) { showError(form, err, "day"); return; }
    toast(t("set.saved"), "ok");
    year = Number(day.slice(0, 4));
    loadYear();
  });
  function readFile(file) {
    return new Promise((resolve, reject) => {
      const r = new FileReader();
      r.onerror = () => reject(r.error);
      if (/\.xlsx$/i.test(file.name)) { r.onload = () => resolve({ xlsx_base64: String(r.result).split(",", 2)[1] || "" }); r.readAsDataURL(file); }
      else { r.onload = () => resolve({ csv: String(r.result) }); r.readAsText(file, "utf-8"); }
    });
  }
  $("import-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = $("import-form"); clearErrors(form);
    const body = { year: Number($("imp-year").value) || year + 1 };
    const file = $("imp-file").files[0];
    try { Object.assign(body, file ? await readFile(file) : { csv: $("imp-csv").value }); } catch (err) { showError(form, { body: { message: String(err) } }, "csv"); return; }
    let r;
    try { r = await api("POST", "/api/calendar/import", body); } catch (err) { showError(form, err, "csv"); return; }
    toast(t("set.cal.imported", { year: r.year, n: r.days, moved: r.deadlines_moved }), "ok");
    year = r.year; loadYear();
  });
  $("cal-prev").addEventListener("click", () => { year -= 1; loadYear(); });
  $("cal-next").addEventListener("click", () => { year += 1; loadYear(); });
  $("cal-year").addEventListener("change", () => { const y = Number($("cal-year").value); if (y >= 1900 && y <= 2200) { year = y; loadYear(); } });

  // ---------------------------------------------------------------- SLA policies
  function criteria(p) {
    const parts = [];
    if (p.line_kind) parts.push(t("set.sla.line") + ":" + p.line_kind);
    if (p.order_type) parts.push(WO_label("wo.type." + p.order_type));
    if (p.category) parts.push(t("set.sla.category") + ":" + p.category);
    if (p.urgency) parts.push(WO_label("wo.urgency." + p.urgency));
    if (p.complexity) parts.push(t("set.sla.complexity") + ":" + p.complexity);
    return parts.join(" · ") || t("set.sla.any");
  }
  function WO_label(key) { return has(key) ? t(key) : key.split(".").pop(); }
  function targetCell(p, i, k) {
    const tg = p[k];
    if (!tg) return el("td", { class: "muted" }, "—");
    if (tg.enabled === false) return el("td", { class: "muted" }, t("set.sla.off"));
    const input = el("input", { type: "number", min: "0", step: "any", value: String(tg.value), name: k, "data-policy": i,
      "aria-label": (p.name || "") + " " + t("set.sla.t." + k),
      oninput: () => { policies[i][k] = { ...tg, value: Number(input.value) }; } });
    return el("td", null, el("span", { class: "sla-target" }, input, t("set.unit." + tg.unit), el("span", { class: "muted small" }, t("set.basis." + tg.basis))));
  }
  /** An order received on a non-working day: does the next working day count as day 1? */
  function restDayCell(p, i) {
    const sel = el("select", { name: "rest_day_start", "data-policy": i, "aria-label": (p.name || "") + " " + t("set.sla.rest_day"),
      onchange: () => { if (sel.value) policies[i].rest_day_start = sel.value; else delete policies[i].rest_day_start; } },
      el("option", { value: "" }, t("set.sla.inherit")),
      el("option", { value: "next_day_is_day_1" }, t("set.sla.rest.next_day_is_day_1")),
      el("option", { value: "after_next_day" }, t("set.sla.rest.after_next_day")));
    sel.value = p.rest_day_start || "";
    return el("td", null, sel);
  }
  async function loadSla() {
    let data;
    try { data = await api("GET", "/api/sla-policies"); } catch (e) { toast(errorText(e), "error"); return; }
    policies = data.policies;
    $("sla-stored").textContent = data.stored ? t("set.sla.stored") : t("set.sla.defaults");
    $("sla-table").querySelector("thead tr").replaceChildren(el("th", null, t("set.sla.name")), el("th", null, t("set.sla.criteria")),
      ...TARGETS.map((k) => el("th", null, t("set.sla.t." + k))), el("th", null, t("set.sla.rest_day")));
    $("sla-table").querySelector("tbody").replaceChildren(...policies.map((p, i) => el("tr", { "data-policy": i },
      el("td", { class: "nowrap" }, p.name || "—"), el("td", { class: "small" }, criteria(p)), ...TARGETS.map((k) => targetCell(p, i, k)),
      restDayCell(p, i))));
  }
  $("sla-save").addEventListener("click", async () => {
    const scope = $("tab-sla"); clearErrors(scope);
    try { await api("PUT", "/api/sla-policies", { policies }); } catch (err) { showError(scope, err, "policies"); return; }
    toast(t("set.saved"), "ok"); loadSla();
  });
  $("sla-reset").addEventListener("click", async () => {
    if (!confirm(t("set.sla.reset_confirm"))) return;
    try { await api("DELETE", "/api/sla-policies"); } catch (err) { toast(errorText(err), "error"); return; }
    toast(t("set.saved"), "ok"); loadSla();
  });

  // ---------------------------------------------------------------- unit contacts
  async function loadContacts() {
    let data;
    try { data = await api("GET", "/api/units/contacts"); } catch (e) { toast(errorText(e), "error"); return; }
    $("contacts-table").querySelector("tbody").replaceChildren(...data.units.map((u) => {
      const email = el("input", { type: "email", name: "email", class: "contacts-input", value: u.email || "", placeholder: "unit@example.cn" });
      const sms = el("input", { type: "tel", name: "sms_mobile", class: "contacts-input", value: u.sms_mobile || "", placeholder: "13900001111" });
      const row = el("tr", { "data-unit": u.id },
        el("td", null, locale === "en" && u.name_en ? u.name_en : u.name, el("div", { class: "muted small" }, t("set.contacts.kind." + u.kind))),
        el("td", null, email, el("div", { class: "field-error", "data-for": "email" })),
        el("td", null, sms, el("div", { class: "field-error", "data-for": "sms_mobile" })),
        el("td", { class: "actions" }, el("button", { type: "button", class: "btn btn-primary notif-btn", onclick: save }, t("set.save"))));
      async function save() {
        clearErrors(row);
        try {
          await api("PUT", "/api/units/" + u.id + "/contact", { email: email.value.trim() || null, sms_mobile: sms.value.trim() || null });
        } catch (err) { showError(row, err, "email"); return; }
        toast(t("set.saved"), "ok");
      }
      [email, sms].forEach((i) => i.addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); save(); } }));
      return row;
    }));
  }

  // ---------------------------------------------------------------- categories
  async function loadCategories() {
    let data;
    try { data = await api("GET", "/api/work-order-categories"); } catch (e) { toast(errorText(e), "error"); return; }
    $("cat-table").querySelector("tbody").replaceChildren(...data.categories.map((c) => el("tr", null,
      el("td", { class: "mono" }, c.code),
      el("td", { style: "padding-left:" + (8 + 14 * (c.depth || 0)) + "px" }, locale === "en" && c.name_en ? c.name_en : c.name_zh),
      el("td", { class: "muted" }, c.default_unit_id ? "#" + c.default_unit_id : "—"))));
  }
  $("cat-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = $("cat-form"); clearErrors(form);
    let r;
    try { r = await api("POST", "/api/work-order-categories/import", { csv: $("cat-csv").value }); } catch (err) { showError(form, err, "csv"); return; }
    toast(t("set.cat.imported", { n: r.imported }), "ok"); loadCategories();
  });

  document.addEventListener("keydown", (e) => {
    if (e.altKey && /^Digit[1-4]$/.test(e.code)) { e.preventDefault(); tab(TABS[Number(e.code.slice(5)) - 1]); return; }
    if (!$("tab-calendar").hidden && !/INPUT|TEXTAREA|SELECT/.test(e.target.tagName)) {
      if (e.key === "PageUp") { e.preventDefault(); year -= 1; loadYear(); }
      if (e.key === "PageDown") { e.preventDefault(); year += 1; loadYear(); }
    }
  });
  onLocale(() => tab(location.hash.slice(1)));
  $("imp-year").value = year + 1;
  tab(location.hash.slice(1));
})();
