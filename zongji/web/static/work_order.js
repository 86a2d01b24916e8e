/* One work order: record, the unit's reply and callback, timeline, clocks, and the actions the
   viewer may take (from GET /api/work-orders/{id}: allowed_actions). POST …/actions. */

import { api, ApiError, errorText } from "./api.js";
import { config } from "./config.js";
import { $, el, toast } from "./dom.js";
import { locale, onLocale, t } from "./i18n.js";
import { fmtStamp } from "./local_time.js";
import * as DS from "./dispatch_suggestion.js";
import * as WO from "./work_order_fields.js";
import { showFieldError } from "./form_errors.js";

const orderId = config.order_id;
let o = null, m = null, current = null;

// Fields each action's form asks for. Types: text, textarea, unit, units, datetime, select:<list>, check, outcome, problems.
const FORMS = {
  dispatch: [["unit_id", "unit", true], ["assisting_unit_ids", "units"], ["by_phone", "check"], ["note", "textarea"]],
  close_directly: [["handling", "textarea", true], ["result", "textarea", true]],
  accept: [["note", "textarea"]],
  return: [["reason", "textarea", true]],
  start: [["note", "textarea"]],
  progress: [["note", "textarea", true]],
  reply: [["text", "textarea", true]],
  reject_reply: [["problem", "select:callback_problems", true], ["note", "textarea"]],
  start_callback: [],
  callback_attempt: [["result", "select:attempt_results", true], ["agreed_at", "datetime"], ["call_id", "call"], ["note", "textarea"]],
  record_callback: [["outcome", "outcome", true], ["problems", "problems"], ["caller_words", "textarea"], ["call_id", "call"]],
  send_back: [["note", "textarea", true]],
  close: [["note", "textarea", true]],
  reopen: [["reason", "textarea", true]],
  add_assisting_unit: [["unit_id", "unit", true]],
  remove_assisting_unit: [["unit_id", "assisting", true]],
  request_extension: [["deadline", "datetime", true], ["reason", "textarea", true]],
  grant_extension: [["deadline", "datetime"], ["note", "textarea"]],
  refuse_extension: [["note", "textarea", true]],
  supervise: [["reason", "textarea", true]],
  unsupervise: [["note", "textarea"]],
  remind: [["note", "textarea", true]],
  pause: [["reason", "textarea", true]],
  resume: [["note", "textarea"]],
  request_pause: [["reason", "textarea", true]],
  grant_pause: [["note", "textarea"]],
  refuse_pause: [["note", "textarea", true]],
  status_update: [["note", "textarea", true]],
  reclassify: [["order_type", "select:order_types"], ["situation", "situation"], ["urgency", "select:urgencies"], ["complexity", "select:complexities"], ["category", "category"]],
  note: [["note", "textarea", true]],
};
const PRIMARY = new Set(["dispatch", "accept", "reply", "record_callback", "close_directly", "grant_extension", "grant_pause"]);
const ORDER = ["dispatch", "accept", "start", "progress", "reply", "start_callback", "record_callback", "callback_attempt",
  "reject_reply", "status_update", "request_extension", "grant_extension", "refuse_extension", "request_pause",
  "grant_pause", "refuse_pause", "remind", "supervise",
  "unsupervise", "send_back", "close", "close_directly", "reopen", "return", "add_assisting_unit", "remove_assisting_unit",
  "pause", "resume", "reclassify", "note"];

function kv(label, value, wide) {
  return [el("dt", null, label), el("dd", { class: wide ? "wide" : null }, value === null || value === undefined || value === "" ? "—" : value)];
}

function render() {
  document.title = o.number + " · " + t("app.name");
  $("wo-head").replaceChildren(...[
    el("span", { class: "wo-num" }, o.number), el("span", { class: "type" }, WO.typeLabel(o.order_type)),
    WO.statusBadge(o.status), WO.slaBadge(o.sla_state),
    o.urgency !== "normal" ? el("span", { class: "tag-urgent" }, t("wo.urgency." + o.urgency)) : null,
    o.supervised ? el("span", { class: "tag-sup" }, t("wo.supervised")) : null,
    o.by_phone ? el("span", { class: "tag-urgent" }, t("wo.by_phone")) : null,
    o.guidance ? el("span", { class: "muted" }, locale === "en" ? t("wo.situation." + o.guidance.situation) : o.guidance.situation_zh) : null,
    primaryTag(),
  ].filter(Boolean));
  const units = [o.main_unit ? o.main_unit.name : null, ...o.assisting_units.map((u) => u.name + " (" + t("wo.assisting") + ")")].filter(Boolean).join("、");
  $("wo-kv").replaceChildren(
    ...kv(t("wo.field.caller_name"), o.caller_name), ...kv(t("wo.field.caller_number"), o.caller_number ? o.caller_number + (o.contact_consent ? "" : " · " + t("wo.no_contact")) : (o.contact_consent ? "" : t("wo.no_contact"))),
    ...kv(t("wo.field.category"), WO.catLabel(o)), ...kv(t("wo.col.created"), WO.stamp(o.created_at)),
    ...kv(t("wo.field.place"), (o.place || "") + (o.latitude !== null && o.latitude !== undefined ? "  (" + o.latitude + ", " + o.longitude + ")" : ""), true),
    ...kv(t("wo.col.unit"), units), ...kv(t("wo.created_by"), o.created_by ? o.created_by.display_name + (o.created_by.operator_number ? " · " + o.created_by.operator_number : "") : ""),
    ...Object.entries(o.details || {}).flatMap(([k, v]) => kv(t("wo.field." + k), v)),
    ...(o.caller_unit_room ? kv(t("wo.field.caller_unit_room"), o.caller_unit_room) : []),
    ...(o.product_serial ? kv(t("wo.field.product_serial"), o.product_serial) : []),
    ...(o.last_return_reason ? kv(t("wo.return_reason"), o.last_return_reason, true) : []),
  );
  $("wo-desc").textContent = o.description;
  const direct = $("wo-direct");
  direct.hidden = !o.direct_handling;
  if (o.direct_handling) direct.replaceChildren(el("dl", { class: "kv" }, ...kv(t("wo.field.handling"), o.direct_handling, true), ...kv(t("wo.field.result"), o.direct_result, true)));
  // The unit's reply first (R-P6), then the callback.
  const reply = $("wo-reply");
  reply.className = "reply-box" + (o.reply_text ? "" : " empty");
  reply.textContent = o.reply_text || t("wo.no_reply");
  const cb = $("wo-callback");
  cb.replaceChildren();
  if (o.callback) cb.append(el("div", null, el("b", null, t("wo.section.callback") + ": "), el("span", { class: "sla s-" + (o.callback.outcome === "dissatisfied" ? "breached" : "on_time") }, t("wo.outcome." + o.callback.outcome)),
    " ", WO.stamp(o.callback.at), o.callback.caller_words ? el("div", { class: "desc" }, "“" + o.callback.caller_words + "”") : null));
  if (o.callback_agreed_at && o.status === "callback") cb.append(el("div", { class: "small" }, t("wo.callback.agreed") + " " + WO.stamp(o.callback_agreed_at)));
  if (o.extension) cb.append(el("div", { class: "small", style: "margin-top:6px" }, t("wo.extension") + ": " + t("wo.ext." + o.extension.status) + " · " + WO.stamp(o.extension.requested_deadline) + " · " + o.extension.reason));
  if (o.pause_request) cb.append(el("div", { class: "small", id: "wo-pause-request", style: "margin-top:6px" }, t("wo.pause_request") + ": " + t("wo.ext." + o.pause_request.status) + " · " + WO.stamp(o.pause_request.requested_at) + " · " + o.pause_request.reason + (o.pause_request.decision_note ? " · " + o.pause_request.decision_note : "")));
  // Timeline
  $("wo-timeline").replaceChildren(...o.timeline.slice().reverse().map((e) => el("li", null,
    el("span", { class: "when" }, fmtStamp(e.at)),
    el("div", { class: "what" }, el("b", null, t("wo.action." + e.action)),
      e.from_status && e.from_status !== e.to_status ? el("span", { class: "muted" }, "  " + WO.statusLabel(e.from_status) + " → " + WO.statusLabel(e.to_status)) : null,
      el("span", { class: "who" }, (e.actor_role === "system" ? t("wo.role.system") : e.actor_name || t("wo.role." + e.actor_role)) + (e.actor_unit ? " · " + e.actor_unit : "")),
      eventDetail(e)))));
  // Clocks
  $("wo-clocks").replaceChildren(...(o.clock_reports.length ? o.clock_reports.map((c) => el("div", { class: "clock-row" },
    el("span", null, el("b", null, t("wo.clock." + c.kind)), " ", WO.slaBadge(c.state, c.paused)),
    el("span", { class: "dl" }, WO.stamp(c.deadline),
      c.provisional_years && c.provisional_years.length ? WO.provisionalMark(c.provisional_years) : null),
    el("div", { class: "clock-bar s-" + c.state }, el("i", { style: "width:" + Math.min(100, Math.round(c.share * 100)) + "%" })),
    el("span", { class: "muted small" }, t("wo.clock.target") + " " + targetText(c.target)), el("span", { class: "muted small" }, c.stopped_at ? t("wo.clock.stopped") + " " + WO.stamp(c.stopped_at) : ""),
  )) : [el("div", { class: "muted" }, "—")]));
  const due = $("status-due");
  due.hidden = !o.status_update_due;
  if (o.status_update_due) due.textContent = t("wo.status_update_due") + " " + WO.stamp(o.status_update_due.due_at);
  // Links, attachments
  $("wo-links").replaceChildren(...(o.links.length ? o.links.map((l) => el("li", null, el("a", { href: "/work-orders/" + l.id, class: "wo-num" }, l.number), " ",
    el("span", { class: "badge o-open" }, t("wo.link." + l.kind)), " ", WO.statusBadge(l.status),
    l.role ? el("span", { class: "muted small" }, " " + t("wo.link.role." + l.role)) : null,
    el("div", { class: "muted small" }, (l.caller_name || "") + " " + l.description))) : [el("li", { class: "muted" }, "—")]));
  renderCalls();
  $("wo-atts").replaceChildren(...(o.attachments.length ? o.attachments.map((a) => el("li", null, el("a", { href: a.url }, a.filename), el("span", { class: "muted small" }, " " + Math.ceil(a.size / 1024) + " KiB"))) : [el("li", { class: "muted" }, "—")]));
  const isConsole = config.user && config.user.role !== "unit_handler";
  // The complaint-handling form (投诉处理表, R-S9) belongs to complaints only.
  $("form-box").hidden = !isConsole || o.order_type !== "complaint";
  $("form-xlsx").href = "/api/work-orders/" + o.id + "/complaint-form.xlsx";
  $("form-print").href = "/work-orders/" + o.id + "/complaint-form/print";
  renderActions();
}

/** "Follows 20261201-0003" in the head while this order follows its primary (R-P8). */
function primaryTag() {
  if (!o.following) return null;
  const p = o.links.find((l) => l.id === o.duplicate_of_id);
  return el("a", { class: "tag-sup", href: "/work-orders/" + o.duplicate_of_id }, t("wo.following", { number: p ? p.number : "#" + o.duplicate_of_id }));
}

function callLine(c) {
  return [el("span", { class: "mono" }, WO.stamp(c.at)), " ", el("span", { class: "mono" }, c.number || ""), " ",
    el("span", { class: "muted small" }, t("wo.call." + c.direction)),
    c.outcome ? [" ", el("span", { class: "badge o-" + c.outcome }, t("outcome." + c.outcome))] : null];
}
/** Calls linked to the order (time, number, direction, outcome, link to the call log), console only. */
function renderCalls() {
  const isConsole = config.user && config.user.role !== "unit_handler";
  $("calls-box").hidden = !isConsole;
  if (!isConsole) return;
  $("wo-calls").replaceChildren(...(o.calls.length ? o.calls.map((c) => el("li", { dataset: { callId: c.id } }, ...callLine(c).flat(),
    " ", el("span", { class: "badge o-open" }, t("wo.call.purpose." + c.purpose)), " ",
    el("a", { href: c.log_url, class: "small nowrap" }, t("wo.call.log")))) : [el("li", { class: "muted" }, "—")]));
  const box = $("call-link");
  if (!o.call_candidates.length) { box.replaceChildren(el("span", { class: "muted small" }, t("wo.call.none_to_link"))); return; }
  const sel = el("select", { id: "call-pick", "aria-label": t("wo.field.call_id") }, ...o.call_candidates.map((c) =>
    el("option", { value: c.id }, WO.stamp(c.at) + " · " + c.number + " · " + t("wo.call." + c.direction))));
  const purpose = el("select", { id: "call-purpose", "aria-label": t("wo.field.purpose") }, ...["repeat", "callback", "other"].map((p) => el("option", { value: p }, t("wo.call.purpose." + p))));
  box.replaceChildren(sel, purpose, el("button", { type: "button", class: "btn", id: "call-link-btn", onclick: linkCall }, t("wo.call.link")));
}
async function linkCall() {
  try {
    o = await api("POST", "/api/work-orders/" + orderId + "/calls", { call_id: Number($("call-pick").value), purpose: $("call-purpose").value });
    render();
    toast(t("wo.done", { action: t("wo.action.link_call") }), "ok");
  } catch (e) { toast(errorText(e), "error"); }
}

function eventDetail(e) {
  const d = e.data || {};
  const bits = [];
  if (e.action === "link_call") bits.push((d.number || "") + " · " + t("wo.call.purpose." + d.purpose));
  if (d.primary_number) bits.push(t("wo.link.role.primary") + " " + d.primary_number);
  if (e.action === "dispatch" && d.unit_id) bits.push(t("wo.col.unit") + ": " + unitName(d.unit_id) + (d.completion_deadline ? " · " + t("wo.col.deadline") + " " + WO.stamp(d.completion_deadline) : ""));
  if (d.reason && e.action !== "dispatch") bits.push(e.action === "remind" ? t("wo.sla." + (d.reason === "breach" ? "breached" : "warning")) : d.reason);
  if (d.text) bits.push(d.text);
  if (d.outcome) bits.push(t("wo.outcome." + d.outcome) + (d.caller_words ? " · “" + d.caller_words + "”" : ""));
  if (d.problem) bits.push(t("wo.problem." + d.problem));
  if (d.handling) bits.push(d.handling + " → " + d.result);
  if (d.other_number) bits.push(t("wo.link." + d.kind) + " " + d.other_number);
  if (d.requested_deadline) bits.push(WO.stamp(d.requested_deadline));
  if (e.action === "grant_extension" && d.deadline) bits.push(WO.stamp(d.deadline));
  if (e.action === "deadline_recomputed") bits.push(t("wo.deadline_moved", { old: WO.stamp(d.old_deadline), new: WO.stamp(d.deadline) })
    + (d.provisional ? " · " + t("wo.deadline_provisional", { years: (d.years || []).join("、") }) : ""));
  if (d.filename) bits.push(d.filename);
  if (e.note) bits.push(e.note);
  return bits.length ? el("div", { class: "note" }, bits.join("\n")) : null;
}
/** "5 working days" → 5个工作日 / "5 working days". */
function targetText(s) {
  if (s === "at once") return t("wo.target.at_once");
  const mm = /^([\d.]+) (calendar|working) (minutes|hours|days)$/.exec(s || "");
  return mm ? t("wo.target." + mm[2] + "_" + mm[3], { n: mm[1] }) : (s || "");
}
function unitName(id) {
  const u = (o && o.dispatch_units || []).find((x) => x.id === id) || (m && m.units.find((x) => x.id === id));
  return u ? u.name : "#" + id;
}
/** Where this order may go: the units of the organisation whose line took it (a company's departments). */
function dispatchUnits() { return o.dispatch_units && o.dispatch_units.length ? o.dispatch_units : m.units; }

function renderActions() {
  const box = $("wo-actions");
  const acts = ORDER.filter((a) => o.allowed_actions.includes(a));
  box.replaceChildren(...acts.map((a, i) => el("button", { type: "button", class: "btn" + (PRIMARY.has(a) ? " btn-primary" : ""), dataset: { action: a },
    onclick: () => openForm(a) }, t("wo.action." + a), i < 9 ? el("kbd", null, "Alt+" + (i + 1)) : null)));
  if (!acts.length) box.append(el("span", { class: "muted" }, t("wo.no_actions")));
  if (current && !acts.includes(current)) closeForm();
}

function input(name, type, required) {
  const label = el("span", { class: required ? "req" : null }, t("wo.field." + name));
  let ctl;
  if (type === "textarea") ctl = el("textarea", { name, rows: 3, dataset: { phraseCheck: name === "text" ? "reply" : name } });
  else if (type === "datetime") ctl = el("input", { name, type: "datetime-local" });
  else if (type === "check") return el("label", { class: "check" }, el("input", { type: "checkbox", name }), label);
  else if (type === "unit" || type === "assisting") {
    const list = type === "assisting" ? o.assisting_units : dispatchUnits();
    ctl = el("select", { name }, el("option", { value: "" }, "—"), ...list.map((u) => el("option", { value: u.id }, u.name)));
  } else if (type === "units") {
    ctl = el("select", { name, multiple: true, size: 4, style: "height:auto" }, ...dispatchUnits().map((u) => el("option", { value: u.id }, u.name)));
  } else if (type === "category") {
    ctl = el("select", { name }, el("option", { value: "" }, "—"), ...m.categories.map((c) => el("option", { value: c.code }, "　".repeat(c.depth) + (locale === "en" ? (c.name_en || c.name_zh) : c.name_zh))));
  } else if (type === "outcome") {
    return el("div", { class: "field" }, label, el("div", { class: "radio-row" }, ...m.callback_outcomes.map((v, i) =>
      el("label", { class: v === "dissatisfied" ? "bad" : null }, el("input", { type: "radio", name, value: v, required: true }), t("wo.outcome." + v), el("kbd", null, String(i + 1))))));
  } else if (type === "problems") {
    return el("div", { class: "field" }, label, el("div", { class: "radio-row" }, ...m.callback_problems.map((v) =>
      el("label", { class: "bad" }, el("input", { type: "checkbox", name, value: v }), t("wo.problem." + v)))));
  } else if (type === "call") {
    // The callback call (R-P6): recent calls with the caller; the newest outgoing one is preselected.
    const cands = o.call_candidates || [];
    const out = cands.find((c) => c.direction === "out");
    ctl = el("select", { name }, el("option", { value: "" }, "—"), ...cands.map((c) =>
      el("option", { value: c.id, selected: out && c.id === out.id }, WO.stamp(c.at) + " · " + c.number + " · " + t("wo.call." + c.direction))));
  } else if (type === "situation") {
    // The current type's situations (R-P2); the guidance decides whether it may close directly.
    const table = (m.guidance_by_line_kind && m.guidance_by_line_kind[o.line_kind || "hotline_12345"]) || m.guidance;
    const opts = (table[o.order_type] || []);
    ctl = el("select", { name }, el("option", { value: "" }, "—"), ...opts.map((g) => el("option", { value: g.situation, selected: g.situation === o.situation }, locale === "en" ? t("wo.situation." + g.situation) : g.situation_zh)));
  } else if (type.startsWith("select:")) {
    const key = type.slice(7);
    const opts = key === "attempt_results" ? ["not_reached", "not_convenient"] : m[key];
    const pre = { callback_problems: "problem", order_types: "type", urgencies: "urgency", complexities: "complexity", attempt_results: "attempt" }[key];
    ctl = el("select", { name }, required ? null : el("option", { value: "" }, "—"), ...opts.map((v) => el("option", { value: v }, t("wo." + pre + "." + v))));
  } else ctl = el("input", { name });
  if (required) ctl.required = true;
  return el("label", { class: "field" }, label, ctl);
}

function openForm(action) {
  current = action;
  const f = $("action-form");
  const spec = FORMS[action] || [];
  f.replaceChildren(el("div", { class: "subhead" }, t("wo.action." + action)), ...spec.map(([n, ty, req]) => input(n, ty, req)),
    el("div", { class: "form-error", id: "action-error" }),
    el("div", { class: "row" }, el("button", { type: "submit", class: "btn btn-primary", id: "action-submit" }, t("wo.submit"), el("kbd", null, "Ctrl+Enter")),
      el("button", { type: "button", class: "btn", onclick: closeForm }, t("wo.cancel"), el("kbd", null, "Esc"))));
  f.hidden = false;
  if (action === "dispatch") showSuggestion(f);
  const first = f.querySelector("select, textarea, input");
  if (first) first.focus();
  if (!spec.length) submit();
}
/* The dispatch suggestion (issue 11): the top units with their reasons above the form, the first
   preselected (so Ctrl+Enter dispatches to it); a click takes another. Without one, the
   category's default unit as before. */
async function showSuggestion(f) {
  const box = el("div", { class: "ds-box", id: "dispatch-suggestion" });
  f.insertBefore(box, f.children[1]);
  const pick = (id) => {
    if (!dispatchUnits().some((u) => u.id === id)) return;
    f.unit_id.value = id;
    box.querySelectorAll(".ds-unit").forEach((b) => b.classList.toggle("chosen", Number(b.dataset.unitId) === id));
  };
  let data = null;
  try { data = await DS.forOrder(orderId); } catch (e) { /* the form works without it */ }
  if (current !== "dispatch") return;
  const top = data && data.units && data.units.find((s) => dispatchUnits().some((u) => u.id === s.unit.id));
  if (top && !f.unit_id.value) {
    f.unit_id.value = top.unit.id;
    box.dataset.preselected = String(top.unit.id);
  } else if (!top && o.category && !f.unit_id.value) {
    const cat = m.categories.find((c) => c.code === o.category);
    if (cat && cat.default_unit_id && dispatchUnits().some((u) => u.id === cat.default_unit_id)) f.unit_id.value = cat.default_unit_id;
  }
  DS.renderUnits(box, data, { onPick: pick, chosen: Number(f.unit_id.value) || null });
  if (top) box.append(el("div", { class: "small muted" }, t("ds.accept_hint")));
}

function closeForm() { current = null; $("action-form").hidden = true; $("action-form").replaceChildren(); }

async function submit(ev) {
  if (ev) ev.preventDefault();
  const f = $("action-form");
  const body = { action: current };
  for (const [n, ty] of FORMS[current] || []) {
    if (ty === "check") { body[n] = f[n].checked; continue; }
    if (ty === "units") { body[n] = [...f[n].selectedOptions].map((x) => Number(x.value)); continue; }
    if (ty === "problems") { body[n] = [...f.querySelectorAll("input[name=problems]:checked")].map((x) => x.value); continue; }
    if (ty === "outcome") { const c = f.querySelector("input[name=outcome]:checked"); if (c) body[n] = c.value; continue; }
    const v = f[n] ? f[n].value.trim() : "";
    if (!v) continue;
    if (ty === "datetime") body[n] = WO.fromLocalInput(v);
    else if (ty === "unit" || ty === "assisting" || ty === "call") body[n] = Number(v);
    else if (ty === "situation" && v === o.situation) continue;
    else body[n] = v;
  }
  const btn = $("action-submit");
  if (btn) btn.disabled = true;
  try {
    o = await api("POST", "/api/work-orders/" + orderId + "/actions", body);
    closeForm();
    render();
    toast(t("wo.done", { action: t("wo.action." + body.action) }), "ok");
  } catch (e) {
    const box = $("action-error");
    showFieldError(e, { box, text: (f) => (box ? errorText(e) + (e.body && e.body.field ? " (" + t("wo.field." + e.body.field) + ")" : "") : errorText(e)),
      scope: box && box.closest("form") });
    if (btn) btn.disabled = false;
  }
}

async function upload() {
  const file = $("att-file").files[0];
  if (!file) return;
  const fd = new FormData();
  fd.append("file", file);
  try {
    const r = await fetch("/api/work-orders/" + orderId + "/attachments", { method: "POST", body: fd, credentials: "same-origin" });
    if (!r.ok) throw new ApiError(r.status, await r.json().catch(() => null));
    $("att-file").value = "";
    await load();
  } catch (e) { toast(errorText(e), "error"); }
}

async function load() {
  try {
    [o, m] = await Promise.all([api("GET", "/api/work-orders/" + orderId), WO.meta()]);
    render();
  } catch (e) {
    $("wo-head").replaceChildren(el("span", { class: "form-error" }, errorText(e)));
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("action-form").addEventListener("submit", submit);
  $("att-file").addEventListener("change", upload);
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && current) { e.preventDefault(); closeForm(); return; }
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey) && current) { e.preventDefault(); submit(); return; }
    if (e.altKey && /^[1-9]$/.test(e.key)) {
      const b = $("wo-actions").querySelectorAll("button")[Number(e.key) - 1];
      if (b) { e.preventDefault(); b.click(); }
      return;
    }
    if (current === "record_callback" && /^[1-3]$/.test(e.key) && (e.target.type === "radio" || !["TEXTAREA", "INPUT"].includes(e.target.tagName || ""))) {
      const r = $("action-form").querySelectorAll("input[name=outcome]")[Number(e.key) - 1];
      if (r) { r.checked = true; e.preventDefault(); }
    }
  });
  onLocale(() => { if (o) render(); });
  load();
});
