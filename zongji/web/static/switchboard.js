/* Console add-on for switchboard operations (issue 3): information answers in the search,
   the transfer flow (decision, reason, script → connect / ask / message), the no-answer return
   (R-H3) with the message offer one key away, the message form with read-back tick, and the
   live DND and messages lists. Keys: Alt+T transfer, Alt+L message, Alt+D do-not-disturb on the
   highlighted search result; in the dialog Enter/Y/N/M/Esc as labelled.
   Data: /api/switchboard/*, /api/information, pushes on WebSocket /api/live. */

import { api, errorText, newestRead } from "./api.js";
import { $, el, toast } from "./dom.js";
import { has, locale, onLocale, t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";
import { fmtDateTime, tzOffset } from "./local_time.js";
import * as callConsole from "./console.js";
import { applySend, leaveButton, loadLeaves, markLeaves, sendButton, sendChoices, sendStates } from "./switchboard_send_leave.js";
import { closeModal, forgetOnClose, modal, modalKey, openModal } from "./switchboard_modal.js";
import { showFieldError } from "./form_errors.js";
import { dayLabel, weatherText } from "./weather_text.js";
// Read again on live messages and after changes: the newest read wins (api.newestRead).
const freshDnd = newestRead();
const freshMessages = newestRead();

const L = (o) => (o ? (locale === "en" ? o.en || o.zh : o.zh || o.en) : "");
const TARGETS = new Set(["person", "department", "guest", "room"]);

// ------------------------------------------------------------------ helpers
function selectedCall() {
  const c = callConsole;
  return c.calls && c.selectedId !== null && c.selectedId !== undefined ? c.calls.get(c.selectedId) : null;
}
function highlighted() {
  const c = callConsole;
  const list = c.searchResults || [];
  const i = c.searchHit;
  return i !== undefined && i >= 0 ? list[i] : null;
}
function hm(iso) { return iso ? fmtDateTime(iso).replace(/:\d\d$/, "") : ""; }

// ------------------------------------------------------------------ transfer flow
let flow = null; // {target, decision, attempt, callerName, purpose}

function outcomeClass(d) {
  if (!d) return "";
  if (d.outcome === "connect" || d.outcome === "forward_to" || d.outcome === "personal_call_redirect") return "ok";
  if (d.outcome === "connect_after_asking") return "ask";
  return "refuse";
}

async function startTransfer(target) {
  if (!target || !TARGETS.has(target.kind)) { toast(t("sb.pick_target"), "error"); return; }
  const call = selectedCall();
  flow = { target, decision: null, attempt: null, callerName: "", purpose: "", callId: call ? call.id : null,
    callerNumber: call ? call.calling_number : "", guestName: "", callPurpose: "unknown", urgent: false };
  await redecide();
}

// What the operator learnt from the caller: names, purpose, business or personal and urgent
// (R-H6), the guest's name asked for a room (R-H4).
function body(extra) {
  return { call_id: flow.callId, target_kind: flow.target.kind, target_id: flow.target.id,
    caller_name: flow.callerName || null, purpose: flow.purpose || null,
    call_purpose: flow.callPurpose, urgent: flow.urgent,
    guest_name: flow.target.kind === "room" ? flow.guestName || null : null, ...(extra || {}) };
}

// A refusal on a call is recorded at once (record_refused: one row per refusal, asking again
// gives the same row), so every attempt is on the call (R-H3, R-C3).
async function redecide() {
  try {
    const r = await api("POST", "/api/switchboard/transfers/decide", body({ record_refused: !!flow.callId }));
    flow.decision = r.decision;
    flow.attempt = r.attempt || null;
    if (!formOverFlow()) renderFlow();
    if (r.attempt) loadAttempts(true);
  } catch (e) { toast(errorText(e), "error"); }
}

async function commit(extra) {
  try {
    const r = await api("POST", "/api/switchboard/transfers", body(extra));
    flow.decision = r.decision;
    flow.attempt = r.attempt;
    if (!formOverFlow()) renderFlow();
    loadAttempts(true);
  } catch (e) { toast(errorText(e), "error"); }
}

function renderFlow() {
  const d = flow.decision, a = flow.attempt;
  const cls = outcomeClass(d);
  const nodes = [];
  nodes.push(el("div", { class: "sb-target" }, el("span", { class: "kind-tag k-" + flow.target.kind }, t("kind." + flow.target.kind)),
    el("b", { id: "sb-target-label" }, L(d.target_label))));
  if (flow.target.kind === "person" && !(a && a.result !== "refused")) nodes.push(purposeChoice());
  if (a && a.result === "ringing") {
    nodes.push(el("div", { class: "sb-ringing", id: "sb-ringing" }, el("div", { class: "sb-big" }, t("sb.ringing")),
      el("div", { class: "sb-countdown mono", id: "sb-countdown" }, ""), el("div", { class: "muted small" }, t("sb.ringing_hint", { n: a.no_answer_seconds || d.no_answer_seconds }))));
    startCountdown(a);
  } else if (a && a.result === "no_answer") {
    nodes.push(el("div", { class: "sb-reason refuse" }, t("sb.no_answer_reason", { n: a.ring_seconds || "" })));
    nodes.push(scriptBox(a.prompt));
  } else if (a && a.result === "answered") {
    nodes.push(el("div", { class: "sb-reason ok", id: "sb-answered" }, t("sb.answered", { n: a.ring_seconds || 0 })));
  } else if (a && (a.result === "failed" || a.result === "busy")) {
    nodes.push(el("div", { class: "sb-reason refuse" }, t("sb.failed")));
    nodes.push(scriptBox({ zh: "对不起，电话没有人接，请问您是否需要留言？", en: "I'm sorry, there is no answer. Would you like to leave a message?" }));
  } else {
    nodes.push(el("div", { class: "sb-reason " + cls, id: "sb-reason" }, el("span", { class: "sb-reason-label" }, t("sb.reason")), " ", L(d.reason)));
    if (d.script && (d.script.zh || d.script.en)) nodes.push(scriptBox(d.script));
    if (d.callee_script) nodes.push(el("div", { class: "sb-callee" }, el("div", { class: "subhead" }, t("sb.callee_script")),
      el("div", { class: "sb-script-zh" }, d.callee_script.zh), el("div", { class: "sb-script-en" }, d.callee_script.en)));
    if (d.forward) nodes.push(el("div", { class: "sb-forward" }, t("sb.forward_to"), " ", el("b", null, L(d.forward.who)), " ", el("span", { class: "mono" }, d.forward.number)));
    (d.notes || []).forEach((n) => nodes.push(el("div", { class: "sb-note" + (n.code && n.code.startsWith("vip") ? " vip" : "") }, L(n))));
    if (d.target_kind === "room") {
      nodes.push(el("div", { class: "sb-needs" },
        field(t("sb.guest_name"), "sb-guest-name", flow.guestName, (v) => { flow.guestName = v; })));
    }
    if (d.target_kind === "guest" || d.target_kind === "room" || (d.needs || []).length) {
      nodes.push(el("div", { class: "sb-needs" },
        field(t("sb.caller_name"), "sb-caller-name", flow.callerName, (v) => { flow.callerName = v; }),
        field(t("sb.purpose"), "sb-purpose", flow.purpose, (v) => { flow.purpose = v; })));
    }
  }
  nodes.push(actions());
  openModal(t("sb.transfer_title"), el("div", { class: "sb-body sb-" + cls }, nodes), flowKeys);
  const focus = document.querySelector("#sb-modal [data-primary]");
  if (focus) focus.focus();
}

/* Whether the dialog shows the transfer itself, and whether it shows a form opened from it (a
   message being typed): an answer or a live update about the transfer arriving then changes
   the flow but never replaces that form. */
function showingFlow() { return !modal().hidden && !!modal().querySelector("#sb-target-label"); }
function formOverFlow() { return !modal().hidden && !showingFlow(); }

// R-H6: business or personal, and urgent — keys B / P / U (a change decides again).
function purposeChoice() {
  const opt = (value, key) => el("button", { type: "button", class: "btn btn-sm sb-choice" + (flow.callPurpose === value ? " on" : ""),
    id: "sb-purpose-" + value, "aria-pressed": String(flow.callPurpose === value), onclick: () => setPurpose(value) },
    t("sb.purpose_" + value), " ", el("kbd", null, key));
  return el("div", { class: "sb-purpose-choice", role: "group", "aria-label": t("sb.call_purpose") },
    el("span", { class: "muted small" }, t("sb.call_purpose")), opt("business", "B"), opt("personal", "P"),
    el("button", { type: "button", class: "btn btn-sm sb-choice" + (flow.urgent ? " on urgent" : ""), id: "sb-urgent",
      "aria-pressed": String(flow.urgent), onclick: toggleUrgent }, t("sb.urgent"), " ", el("kbd", null, "U")));
}
function setPurpose(v) { flow.callPurpose = flow.callPurpose === v ? "unknown" : v; redecide(); }
function toggleUrgent() { flow.urgent = !flow.urgent; redecide(); }

function field(label, id, value, set) {
  const input = el("input", { id, type: "text", value: value || "", autocomplete: "off" });
  input.addEventListener("input", () => set(input.value));
  input.addEventListener("change", () => { set(input.value); redecide(); });
  return el("label", { class: "field" }, el("span", null, label), input);
}

function scriptBox(s) {
  return el("div", { class: "sb-script", id: "sb-script" }, el("div", { class: "sb-script-label" }, t("sb.say")),
    el("div", { class: "sb-script-zh" }, s.zh), el("div", { class: "sb-script-en" }, s.en));
}

function btn(label, key, fn, primary) {
  return el("button", { type: "button", class: "btn" + (primary ? " btn-primary" : ""), onclick: fn, "data-primary": primary || null },
    label, " ", el("kbd", null, key));
}

function actions() {
  const d = flow.decision, a = flow.attempt;
  const row = el("div", { class: "sb-actions" });
  const canMessage = d && d.message_recipient;
  if (a && a.result === "ringing") {
    row.append(btn(t("sb.message"), "M", takeMessageFromFlow));
  } else if (a && a.result !== "refused" && a.result !== "answered") {
    if (canMessage || flow.target.kind !== "room") row.append(btn(t("sb.message"), "M", takeMessageFromFlow, true));
    row.append(btn(t("sb.retry"), "R", redecide));
  } else if (!a) {
    if (d.outcome === "connect_after_asking") {
      row.append(btn(t("sb.accepts"), "Y", () => commit(consent(true)), true));
      row.append(btn(t("sb.declines"), "N", () => commit(consent(false))));
    } else if (d.puts_through) {
      row.append(btn(t("sb.connect"), "Enter", () => commit(), true));
    }
    if (d.offer_message && canMessage) row.append(btn(t("sb.message"), "M", takeMessageFromFlow, !d.puts_through));
  } else if (a.result === "refused" && canMessage) {
    row.append(btn(t("sb.message"), "M", takeMessageFromFlow, true));
  }
  return row;
}

function consent(v) {
  return flow.decision.target_kind === "guest" || flow.decision.target_kind === "room" ? { guest_consent: v } : { callee_accepts: v };
}

function flowKeys(e) {
  const typing = e.target && (e.target.tagName === "INPUT" || e.target.tagName === "TEXTAREA");
  if (typing) return false;
  const d = flow && flow.decision, a = flow && flow.attempt;
  const k = e.key.toLowerCase();
  if (k === "m" && d && (d.message_recipient || (a && a.result !== "answered"))) { takeMessageFromFlow(); return true; }
  if (flow.target.kind === "person" && (!a || a.result === "refused") && !e.ctrlKey && !e.altKey && !e.metaKey) {
    if (k === "b" || k === "p") { setPurpose(k === "b" ? "business" : "personal"); return true; }
    if (k === "u") { toggleUrgent(); return true; }
  }
  if (!a && d && d.outcome === "connect_after_asking" && (k === "y" || k === "n")) { commit(consent(k === "y")); return true; }
  if (!a && d && d.puts_through && d.outcome !== "connect_after_asking" && e.key === "Enter") { commit(); return true; }
  if (k === "r" && a && a.result !== "ringing") { redecide(); return true; }
  return false;
}

let countdownTimer = null;
function startCountdown(a) {
  clearInterval(countdownTimer);
  const end = Date.parse(a.started_at) + (a.no_answer_seconds || 30) * 1000;
  const tick = () => {
    const node = $("sb-countdown");
    if (!node) { clearInterval(countdownTimer); return; }
    node.textContent = Math.max(0, Math.ceil((end - Date.now()) / 1000)) + " s";
  };
  tick();
  countdownTimer = setInterval(tick, 250);
}

// ------------------------------------------------------------------ attempts on the call card
// A compact list of the selected call's transfer attempts: time, target, result, ring seconds.
let attemptsFor = null;
async function loadAttempts(force) {
  const c = callConsole;
  const id = c.selectedId;
  const box = $("sb-attempts");
  if (!box) return;
  if (id === null || id === undefined) { attemptsFor = null; box.hidden = true; return; }
  if (!force && attemptsFor === id) return;
  attemptsFor = id;
  try {
    const r = await api("GET", "/api/switchboard/transfers?call_id=" + encodeURIComponent(id));
    if (callConsole.selectedId !== id) return;
    renderAttempts(r.items);
  } catch (e) { /* shown on the next push */ }
}
function renderAttempts(items) {
  const box = $("sb-attempts");
  box.hidden = items.length === 0;
  box.querySelector("tbody").replaceChildren(...items.slice().reverse().map((a) => el("tr", { "data-result": a.result, title: a.decision && a.decision.reason ? L(a.decision.reason) : "" },
    el("td", { class: "mono nowrap" }, hm(a.started_at).replace(/^.* /, "")),
    el("td", { class: "sb-att-target" }, L(a.target_label)),
    el("td", { class: "sb-att-result" }, el("span", { class: "badge r-" + a.result }, t("sb.result." + a.result)),
      a.result === "refused" && a.decision && a.decision.reason ? el("span", { class: "muted small sb-att-why" }, L(a.decision.reason).replace(/[：:].*$/, "")) : null),
    el("td", { class: "mono nowrap num" }, a.ring_seconds === null || a.ring_seconds === undefined ? "…" : a.ring_seconds + " s"))));
}

function onTransferFeed(p) {
  const c = callConsole;
  if (p.call_id && p.call_id === c.selectedId) loadAttempts(true);
  if (!flow || !flow.attempt || p.id !== flow.attempt.id) return;
  flow.attempt = p;
  if (!formOverFlow()) renderFlow();
  if (p.result === "no_answer") { toast(t("sb.no_answer_toast"), "error"); }
  if (p.result === "answered") setTimeout(() => { if (flow && flow.attempt && flow.attempt.result === "answered") closeModal(); }, 2500);
}

// ------------------------------------------------------------------ messages
function takeMessageFromFlow() {
  const d = flow.decision;
  let r = d && d.message_recipient;
  if (!r) {
    const k = flow.target.kind;
    r = { kind: k === "person" ? "staff" : k === "room" ? null : k, id: flow.target.id, label: L(d.target_label) };
  }
  if (!r.kind) { toast(t("sb.no_recipient"), "error"); return; }
  messageForm(r, { callId: flow.callId, callerName: flow.callerName, callerNumber: flow.callerNumber });
}

function messageForm(recipient, ctx) {
  ctx = ctx || {};
  const guest = recipient.kind === "guest";
  const form = el("form", { class: "sb-form", id: "sb-message-form" },
    el("div", { class: "sb-target" }, el("span", { class: "kind-tag" }, t("sb.message_for")), el("b", null, recipient.label)),
    el("div", { class: "sb-grid2" },
      el("label", { class: "field" }, el("span", null, t("sb.caller_name"), " *"), el("input", { id: "m-caller", value: ctx.callerName || "", required: true, autocomplete: "off" })),
      el("label", { class: "field" }, el("span", null, t("sb.caller_number"), " *"), el("input", { id: "m-number", value: ctx.callerNumber || "", autocomplete: "off", inputmode: "tel" }))),
    el("label", { class: "field" }, el("span", null, t("sb.content"), " *"), el("textarea", { id: "m-content", rows: 4 })),
    el("div", { class: "sb-checks" },
      el("label", { class: "check" }, el("input", { type: "checkbox", id: "m-urgent" }), " ", t("sb.urgent")),
      guest ? el("label", { class: "check" }, el("input", { type: "checkbox", id: "m-lamp", checked: true }), " ", t("sb.lamp")) : null),
    sendChoices(recipient),
    el("label", { class: "check sb-readback" }, el("input", { type: "checkbox", id: "m-readback" }), " ",
      el("b", null, t("sb.read_back")), " ", el("kbd", null, "Alt+R")),
    el("div", { class: "muted small", id: "m-readback-text" }),
    el("div", { class: "sb-error", id: "m-error", hidden: true }),
    el("div", { class: "sb-actions" }, el("button", { type: "submit", class: "btn btn-primary", id: "m-save" }, t("sb.save"), " ", el("kbd", null, "Ctrl+Enter"))));
  const upd = () => {
    const c = $("m-content").value.trim();
    $("m-readback-text").textContent = c ? t("sb.read_back_text", { name: $("m-caller").value.trim(), number: $("m-number").value.trim(), content: c }) : "";
  };
  form.addEventListener("input", upd);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const payload = {
      recipient_kind: recipient.kind, recipient_id: recipient.id, caller_name: $("m-caller").value,
      caller_number: $("m-number").value, content: $("m-content").value, read_back: $("m-readback").checked,
      urgent: $("m-urgent").checked, call_id: ctx.callId || null,
    };
    if (guest) payload.deliver_by = $("m-lamp").checked ? ["lamp"] : [];
    applySend(payload);
    try {
      await api("POST", "/api/switchboard/messages", payload);
      toast(t("sb.message_saved"), "ok");
      flow = null;
      closeModal();
      loadMessages();
    } catch (err) {
      showFieldError(err, { box: $("m-error"), text: (f) => (f && has("sb.err." + f) ? t("sb.err." + f) : errorText(err)),
        input: (f) => $({ caller_name: "m-caller", caller_number: "m-number", content: "m-content", read_back: "m-readback" }[f] || "") });
    }
  });
  openModal(t("sb.message_title"), form, (e) => {
    if (e.altKey && e.code === "KeyR") { $("m-readback").checked = !$("m-readback").checked; return true; }
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { form.requestSubmit(); return true; }
    return false;
  });
  (ctx.callerName ? $("m-content") : $("m-caller")).focus();
}

// ------------------------------------------------------------------ DND
function dndForm(target) {
  // A guest found by name, a room found by its number (whoever is in house there), or staff.
  if (!target || !(target.kind === "guest" || target.kind === "room" || target.kind === "person")) { toast(t("sb.dnd_pick"), "error"); return; }
  const guest = target.kind === "guest" || target.kind === "room";
  const form = el("form", { class: "sb-form", id: "sb-dnd-form" },
    el("div", { class: "sb-target" }, el("span", { class: "kind-tag k-" + target.kind }, t("kind." + target.kind)), el("b", null, target.name)),
    el("label", { class: "field" }, el("span", null, t("sb.dnd_reason")), el("input", { id: "d-reason", autocomplete: "off" })),
    el("div", { class: "sb-grid2" },
      el("label", { class: "field" }, el("span", null, t("sb.dnd_until")), el("input", { id: "d-until", type: "datetime-local" })),
      guest ? el("label", { class: "check" }, el("input", { type: "checkbox", id: "d-checkout", checked: true }), " ", t("sb.dnd_checkout")) : el("span")),
    el("div", { class: "sb-error", id: "d-error", hidden: true }),
    el("div", { class: "sb-actions" }, el("button", { type: "submit", class: "btn btn-primary" }, t("sb.dnd_set"), " ", el("kbd", null, "Ctrl+Enter"))));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const until = $("d-until").value;
    const body = { subject_kind: target.kind, subject_id: target.id, reason: $("d-reason").value || null,
      until: until ? until + ":00" + tzOffset(new Date(until)) : null,
      until_checkout: guest ? $("d-checkout").checked && !until : false };
    try {
      await api("POST", "/api/switchboard/dnd", body);
      toast(t("sb.dnd_done", { name: target.name }), "ok");
      closeModal();
      loadDnd();
    } catch (err) { const b = $("d-error"); b.textContent = errorText(err); b.hidden = false; }
  });
  openModal(t("sb.dnd_title"), form, (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { form.requestSubmit(); return true; }
    return false;
  });
  $("d-reason").focus();
}

// ------------------------------------------------------------------ side lists (DND, messages)
/** Re-render a side list without taking the keyboard from the operator: the row focused before
    (by its id) is focused again, or the one now in its place if it is gone. */
function keepFocus(list, attr, rows) {
  const focused = list.contains(document.activeElement) ? document.activeElement.closest("li") : null;
  const id = focused ? focused.dataset[attr] : null;
  const index = focused ? [...list.children].indexOf(focused) : -1;
  list.replaceChildren(...rows);
  if (id === null) return;
  const again = [...list.children].find((li) => li.dataset[attr] === id)
    || list.children[Math.min(index, list.children.length - 1)];
  if (again) again.focus();
}

async function loadDnd() {
  try {
    const r = await freshDnd(api("GET", "/api/switchboard/dnd"));
    const list = $("sb-dnd-list");
    // Keyboard (issue 8): Alt+D with no caller selected focuses this list; ↑/↓ move, C or
    // Delete cancels the focused DND. A live update keeps the focused row (keepFocus).
    keepFocus(list, "dnd", r.items.map((d) => el("li", { class: "sb-row", tabindex: "0", dataset: { dnd: d.id },
      onkeydown: (e) => rowKeys(e, { c: () => cancelDnd(d), Delete: () => cancelDnd(d) }) },
      el("div", { class: "sb-row-main" },
        el("b", null, d.guest_name || d.label || d.room),
        d.room_number && d.room_number !== (d.guest_name || d.label || d.room) ? el("span", { class: "mono muted" }, " " + d.room_number) : null,
        el("div", { class: "muted small" }, t("sb.since"), " ", hm(d.set_at), " · ",
          d.until ? t("sb.until_time", { t: hm(d.until) }) : d.until_checkout ? t("sb.until_checkout") : t("sb.until_cancel"),
          d.reason ? " · " + d.reason : "")),
      el("button", { type: "button", class: "btn btn-sm", title: t("sb.dnd_cancel"), onclick: () => cancelDnd(d) }, t("sb.dnd_cancel")))));
    $("sb-dnd-count").textContent = r.items.length;
    $("sb-dnd-empty").hidden = r.items.length > 0;
  } catch (e) { /* shown on next push */ }
}
async function cancelDnd(d) {
  try {
    await api("POST", "/api/switchboard/dnd/" + d.id + "/cancel", { reason: t("sb.dnd_cancel_reason") });
    toast(t("sb.dnd_cancelled", { name: d.guest_name || d.label || d.room }), "ok");
    loadDnd();
  } catch (e) { toast(errorText(e), "error"); }
}

async function loadMessages() {
  try {
    const r = await freshMessages(api("GET", "/api/switchboard/messages"));
    const list = $("sb-msg-list");
    // Keyboard (issue 8): Alt+L with no caller selected focuses this list; ↑/↓ move, P marks
    // it delivered by phone, Enter or A records it picked up. A live update keeps the focused row.
    keepFocus(list, "message", r.items.map((m) => el("li", { class: "sb-row" + (m.deliveries.length ? "" : " undelivered") + (m.urgent ? " urgent" : ""),
      tabindex: "0", dataset: { message: m.id },
      onkeydown: (e) => rowKeys(e, { p: () => phoneDelivered(m), a: () => ackMessage(m), Enter: () => ackMessage(m) }) },
      el("div", { class: "sb-row-main" },
        el("div", null, el("b", null, m.recipient.label), " ",
          el("span", { class: "badge " + (m.deliveries.length ? "o-transferred" : "o-missed") }, m.deliveries.length ? t("sb.msg_notified") : t("sb.msg_undelivered")),
          m.lamp ? el("span", { class: "badge o-answered" }, t("sb.lamp_on")) : null,
          sendStates(m)),
        el("div", { class: "small sb-msg-content", title: m.content }, m.caller_name, " ", m.caller_number, ":", m.content),
        el("div", { class: "muted small" }, hm(m.taken_at), " · ", m.taken_by)),
      sendButton(m, loadMessages),
      el("button", { type: "button", class: "btn btn-sm", title: "P", dataset: { act: "phone" }, onclick: () => phoneDelivered(m) }, t("sb.msg_phoned")),
      el("button", { type: "button", class: "btn btn-sm", title: "A / Enter", onclick: () => ackMessage(m) }, t("sb.msg_ack")))));
    $("sb-msg-count").textContent = r.items.length;
    $("sb-msg-empty").hidden = r.items.length > 0;
  } catch (e) { /* shown on next push */ }
}
/** Keys on a focused row of a side list: ↑/↓ move within the list, the others act. */
function rowKeys(e, actions) {
  if (e.altKey || e.ctrlKey || e.metaKey || e.target !== e.currentTarget) return;
  const row = e.currentTarget;
  if (e.key === "ArrowDown" || e.key === "ArrowUp") {
    e.preventDefault(); e.stopPropagation();
    const next = e.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling;
    if (next) next.focus();
    return;
  }
  const act = actions[e.key] || actions[e.key.toLowerCase()];
  if (act) { e.preventDefault(); e.stopPropagation(); act(); }
}
function focusList(id) {
  const first = document.querySelector("#" + id + " > li[tabindex]");
  if (first) first.focus(); else toast(t(id === "sb-dnd-list" ? "sb.no_dnd" : "sb.no_messages"));
}
async function phoneDelivered(m) {
  try {
    await api("POST", "/api/switchboard/messages/" + m.id + "/deliveries", { channel: "phone" });
    toast(t("sb.msg_phoned_ok", { who: m.recipient.label }), "ok");
    loadMessages();
  } catch (e) { toast(errorText(e), "error"); }
}
async function ackMessage(m) {
  try {
    await api("POST", "/api/switchboard/messages/" + m.id + "/acknowledge", {});
    toast(t("sb.msg_acked"), "ok");
    loadMessages();
  } catch (e) { toast(errorText(e), "error"); }
}

// ------------------------------------------------------------------ information answers
let infoTimer = null, infoCtl = null;
function onSearch() {
  clearTimeout(infoTimer);
  infoTimer = setTimeout(runInfo, 200);
}
async function runInfo() {
  const q = ($("search").value || "").trim();
  const box = $("info-answers");
  if (infoCtl) infoCtl.abort();
  if (!q) { box.replaceChildren(); box.hidden = true; return; }
  infoCtl = new AbortController();
  try {
    const r = await fetch("/api/information?q=" + encodeURIComponent(q), { signal: infoCtl.signal, credentials: "same-origin" });
    if (!r.ok) { box.hidden = true; return; }
    renderInfo(await r.json());
  } catch (e) { if (e.name !== "AbortError") box.hidden = true; }
}
function renderInfo(a) {
  const box = $("info-answers");
  const parts = [];
  a.world_time.slice(0, 2).forEach((w) => parts.push(el("div", { class: "info-card info-time" },
    el("div", { class: "info-time-hm mono" }, w.hm), el("div", null, el("b", null, L(w.city)), " ", el("span", { class: "muted small" }, L(w.country), " · ", w.abbreviation),
      el("div", { class: "small" }, L(w.text))))));
  a.facilities.slice(0, 4).forEach((f) => parts.push(el("div", { class: "info-card" },
    el("div", null, el("b", null, L(f.name)), " ", f.open_now === true ? el("span", { class: "badge o-answered" }, t("sb.open_now")) : f.open_now === false ? el("span", { class: "badge o-missed" }, t("sb.closed_now")) : null),
    el("div", { class: "small" }, f.hours ? L(f.hours) : "", f.location ? " · " + L(f.location) : "", f.extension ? " · " + t("dir.ext") + " " + f.extension : ""))));
  a.rates.slice(0, 4).forEach((r) => parts.push(el("div", { class: "info-card" },
    el("b", null, L(r.destination)), " ", el("span", { class: "mono" }, r.dial_code || ""), " ",
    el("span", { class: "info-rate" }, t("sb.rate", { p: r.per_minute.toFixed(2) })), r.note ? el("div", { class: "muted small" }, r.note) : null)));
  (a.weather || []).forEach((w) => parts.push(el("div", { class: "info-card info-weather" },
    el("b", null, dayLabel(w.day)), " ", weatherText(w), w.note ? el("div", { class: "muted small" }, w.note) : null)));
  a.common_numbers.slice(0, 3).forEach((g) => parts.push(el("div", { class: "info-card" },
    el("div", { class: "subhead" }, g.category), el("table", { class: "mini-table" }, el("tbody", null,
      g.items.slice(0, 8).map((n) => el("tr", null, el("td", null, n.name), el("td", { class: "mono nowrap" }, n.number))))))));
  box.replaceChildren(...parts);
  box.hidden = parts.length === 0;
}

// ------------------------------------------------------------------ highlighted result: action hint
function decorate() {
  const hit = document.querySelector("#dir-results .dir-item.hit");
  document.querySelectorAll("#dir-results .sb-acts").forEach((n) => n.remove());
  const r = highlighted();
  if (!hit || !r || !TARGETS.has(r.kind)) return;
  const acts = el("div", { class: "sb-acts" },
    el("button", { type: "button", class: "btn btn-sm", onclick: (e) => { e.stopPropagation(); startTransfer(r); } }, t("sb.transfer"), " ", el("kbd", null, "Alt+T")),
    r.kind !== "room" ? el("button", { type: "button", class: "btn btn-sm", onclick: (e) => { e.stopPropagation(); messageFor(r); } }, t("sb.message"), " ", el("kbd", null, "Alt+L")) : null,
    (r.kind === "guest" || r.kind === "room" || r.kind === "person") && !r.dnd ? el("button", { type: "button", class: "btn btn-sm", onclick: (e) => { e.stopPropagation(); dndForm(r); } }, t("sb.dnd"), " ", el("kbd", null, "Alt+D")) : null,
    r.kind === "person" ? leaveButton(r) : null);
  hit.querySelector(".dir-body").append(acts);
}
function messageFor(r) {
  if (!r || r.kind === "room" || !TARGETS.has(r.kind)) { toast(t("sb.pick_target"), "error"); return; }
  const call = selectedCall();
  messageForm({ kind: r.kind === "person" ? "staff" : r.kind, id: r.id, label: r.name },
    { callId: call ? call.id : null, callerNumber: call ? call.calling_number : "" });
}

// ------------------------------------------------------------------ live feed
function connect() {
  onOpen(() => { loadDnd(); loadMessages(); });  // and anything missed meanwhile
  subscribe(["transfer", "dnd", "leave", "message", "alert"], (msg) => {
    if (msg.topic === "transfer" && msg.payload) onTransferFeed(msg.payload);
    else if (msg.topic === "dnd") loadDnd();
    else if (msg.topic === "leave") { loadLeaves(); }
    else if (msg.topic === "message") {
      loadMessages();
      if (msg.payload && msg.payload.raised) toast(t("sb.msg_raised", { who: msg.payload.recipient.label }), "error");
    } else if (msg.topic === "alert" && msg.payload && msg.payload.open) toast(L(msg.payload.message), "error");
  });
}

// ------------------------------------------------------------------ keyboard and start
document.addEventListener("keydown", (e) => {
  if (!modal() || modal().hidden) {
    if (e.altKey && !e.ctrlKey && e.code === "KeyT") { e.preventDefault(); startTransfer(highlighted()); return; }
    // With a caller or directory entry highlighted they open the forms; with none, they go to
    // the side lists (pick up a message, cancel a DND by keyboard).
    if (e.altKey && !e.ctrlKey && e.code === "KeyL") { e.preventDefault(); if (highlighted()) messageFor(highlighted()); else focusList("sb-msg-list"); return; }
    if (e.altKey && !e.ctrlKey && e.code === "KeyD") { e.preventDefault(); if (highlighted()) dndForm(highlighted()); else focusList("sb-dnd-list"); return; }
    return;
  }
  // A dialog is open: it owns the keyboard.
  if (e.key === "Escape") { e.preventDefault(); e.stopImmediatePropagation(); closeModal(); return; }
  if (modalKey(e)) { e.preventDefault(); e.stopImmediatePropagation(); return; }
  if (e.key === "Enter" || e.key.startsWith("Arrow") || e.key === "F2" || e.key === "/") e.stopImmediatePropagation();
}, true);

document.addEventListener("DOMContentLoaded", () => {
  const search = $("search");
  if (!search || !$("sb-modal")) return;
  search.addEventListener("input", onSearch);
  new MutationObserver(() => { decorate(); markLeaves(); }).observe($("dir-results"), { childList: true });
  forgetOnClose();
  onLocale(() => { loadDnd(); loadMessages(); runInfo(); loadAttempts(true); if (flow && showingFlow() && flow.decision) renderFlow(); });
  connect();
  setInterval(() => loadAttempts(false), 400); // follows the selected call
});
export { dndForm, loadDnd, loadMessages, messageForm, startTransfer };
