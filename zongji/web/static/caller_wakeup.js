/* Alt+J (叫醒) on the console, on a guest's call: book a wake-up for the caller, in place, without leaving
   the call (R-H9). A small dialog: time, every day until check-out (or a date), greeting languages,
   note → Enter → the read-back (zh/en, from POST /api/wakeups/preview) → Enter: booked.

   Whose room (R-H4): a guest calling from their room's extension — the card shows their own room,
   and so does the dialog; a caller identified as an in-house guest by another number (a mobile) —
   the server finds the room from the call (call_id) and neither the dialog nor the read-back shows
   it ("您的房间 / Your room"). On any other call Alt+J only says so: an outside party's wake-up
   is booked on /wakeups or the room board, with the room the caller gives. (Alt+W is the
   console's "work order from this call", console_work_order.js.)

   Keys while open: Enter reads back / confirms, Esc goes back from the read-back, then closes. The
   dialog takes the keys before the console does (capture phase), so typing here never reaches the
   console's own shortcuts. */

import { api, errorText } from "./api.js";
import { config } from "./config.js";
import { el, toast } from "./dom.js";
import { t } from "./i18n.js";
import { wakeupDuplicateWarning } from "./wakeup_duplicate.js";
import * as callConsole from "./console.js";

(function () {
  if (!config.user) return;
  let box = null, form = null, pending = null, ctx = null;

  function selectedCall() {
    const c = callConsole;
    return c && c.selectedId !== null && c.selectedId !== undefined ? c.calls.get(c.selectedId) : null;
  }
  // Who the caller is, from the caller card as rendered for the selected call: their own room
  // (calling from its extension), an in-house guest on another number, or neither (null).
  function callerContext() {
    const call = selectedCall();
    if (!call) return null;
    const own = document.querySelector("#card-meta [data-room]");
    if (own && own.dataset.room) return { mode: "own", room: own.dataset.room, callId: call.id };
    if (document.querySelector("#card-kind .k-guest")) return { mode: "guest", room: null, callId: call.id };
    return null;
  }

  const $f = (name) => form.querySelector(`[name=${name}]`);
  function field(label, input) { return el("label", { class: "field" }, el("span", null, label), input); }
  function check(name, value, label, checked) {
    return el("label", { class: "check" }, el("input", { type: "checkbox", name, value, checked: checked ? "checked" : null }), " ", label);
  }

  function open(context) {
    ctx = context;
    pending = null;
    const roomLine = el("div", { class: "cw-room", id: "cw-room" },
      ctx.mode === "own" ? t("cw.own_room", { room: ctx.room }) : t("cw.guest_room"));
    const until = field(t("wk.until") + " " + t("rb.wk.until_hint"), el("input", { type: "date", name: "until", id: "cw-until" }));
    until.hidden = true;
    form = el("form", { class: "sb-form cw-form", id: "cw-form", autocomplete: "off" },
      roomLine,
      el("div", { class: "sb-grid2" },
        field(t("wk.time"), el("input", { name: "time", id: "cw-time", maxlength: "10", placeholder: "0700", required: "required" })),
        field(t("wk.note"), el("input", { name: "note", id: "cw-note", maxlength: "500" }))),
      el("div", { class: "cw-row" },
        el("label", { class: "check" }, el("input", { type: "checkbox", name: "repeat_daily", id: "cw-repeat",
          onchange: (e) => { until.hidden = !e.target.checked; } }), " ", t("wk.repeat")),
        el("fieldset", { class: "cw-langs" }, el("legend", null, t("wk.languages")),
          check("lang", "zh", t("rb.wk.lang.zh"), true), check("lang", "en", t("rb.wk.lang.en"), true))),
      until,
      el("div", { class: "sb-actions" },
        el("button", { type: "submit", class: "btn btn-primary" }, t("wk.readback_btn"), " ", el("kbd", null, "Enter"))),
      el("div", { class: "wk-readback cw-readback", id: "cw-readback", hidden: "hidden", role: "group", "aria-labelledby": "cw-rb-h" },
        el("div", { class: "subhead", id: "cw-rb-h" }, t("wk.readback")),
        el("p", { class: "sb-script-zh", id: "cw-rb-zh" }),
        el("p", { class: "sb-script-en", id: "cw-rb-en" }),
        el("p", { class: "cw-rb-extra", id: "cw-rb-extra" }),
        el("div", { class: "sb-actions" },
          el("button", { type: "button", class: "btn", onclick: back }, t("wk.edit"), " ", el("kbd", null, "Esc")),
          el("button", { type: "button", class: "btn btn-primary", id: "cw-confirm", onclick: confirm }, t("wk.confirm"), " ", el("kbd", null, "Enter")))));
    form.addEventListener("submit", preview);
    if (!box) { box = el("div", { class: "sb-modal", id: "cw-modal", hidden: "hidden" }); document.body.append(box); }
    box.replaceChildren(el("div", { class: "sb-dialog", role: "dialog", "aria-modal": "true", "aria-label": t("cw.title") },
      el("div", { class: "sb-dialog-head" }, el("h2", null, t("cw.title")),
        el("button", { type: "button", class: "btn btn-sm", onclick: close }, t("sb.close"), " ", el("kbd", null, "Esc"))),
      form));
    box.hidden = false;
    $f("time").focus();
  }
  function isOpen() { return box && !box.hidden; }
  function close() {
    if (!box) return;
    box.hidden = true; box.replaceChildren(); pending = null; form = null;
    const s = document.getElementById("search");
    if (s) s.focus();
  }
  function back() {
    pending = null;
    form.querySelector("#cw-readback").hidden = true;
    $f("time").focus();
  }

  function body() {
    const b = { time: $f("time").value.trim(), note: $f("note").value, repeat_daily: $f("repeat_daily").checked,
      languages: [...form.querySelectorAll("input[name=lang]:checked")].map((x) => x.value) };
    if (b.repeat_daily && $f("until").value) b.until = $f("until").value;
    b.call_id = ctx.callId;
    return b;
  }
  async function preview(ev) {
    if (ev) ev.preventDefault();
    const b = body();
    try {
      const r = await api("POST", "/api/wakeups/preview", b);
      if (!form) return;
      pending = b;
      if (wakeupDuplicateWarning(form.querySelector("#cw-rb-zh"), r.duplicates)) pending = { ...b, confirm_duplicate: true };
      form.querySelector("#cw-rb-zh").textContent = r.readback.zh;
      form.querySelector("#cw-rb-en").textContent = r.readback.en;
      form.querySelector("#cw-rb-extra").textContent = t("rb.wk.rb_langs", { langs: b.languages.map((l) => t("rb.wk.lang." + l)).join(" + ") })
        + (b.note.trim() ? " · " + t("rb.wk.rb_note", { note: b.note.trim() }) : "");
      form.querySelector("#cw-readback").hidden = false;
      form.querySelector("#cw-confirm").focus();
    } catch (err) {
      toast(errorText(err), "error");
      if (form) { $f("time").focus(); $f("time").select(); }
    }
  }
  async function confirm() {
    if (!pending) return;
    const b = pending;
    pending = null;
    try {
      const r = await api("POST", "/api/wakeups", { ...b, readback_confirmed: true });
      toast(t("cw.booked", { time: r.items[0].local_time, n: r.items.length }), "ok");
      close();
    } catch (err) { toast(errorText(err), "error"); back(); }
  }

  // Capture phase on window: before the console's and wakeup_alerts.js's document listeners.
  window.addEventListener("keydown", (e) => {
    if (e.altKey && !e.ctrlKey && !e.metaKey && e.code === "KeyJ" && !isOpen()) {
      e.preventDefault(); e.stopPropagation();
      const context = callerContext();
      if (!context) { toast(t("cw.not_guest"), "info"); return; }
      open(context);
      return;
    }
    if (!isOpen()) return;
    e.stopPropagation();  // the console's shortcuts stay quiet while the dialog is open
    if (e.key === "Escape") { e.preventDefault(); if (pending) back(); else close(); return; }
    if (e.key === "Enter" && !e.shiftKey && !e.ctrlKey && !e.altKey) {
      if (e.target.tagName === "BUTTON") return;  // a focused button (confirm, back, close) clicks itself
      e.preventDefault();
      if (pending) confirm(); else form.requestSubmit();
    }
  }, { capture: true });
})();
