/* Alt+O (客房服务) on the console, on a guest's call (issue 13, R-G1): record the guest's request for the
   guest-service centre without leaving the call — the item from the catalogue, how many, a note →
   Enter. The room is the call's (call_id): the room the guest calls from, shown; or, for a guest
   identified by another number (their mobile), their stay's, found by the server and never shown
   (R-H4). On any other call Alt+O only says so. Esc closes. */

import { api, errorText } from "./api.js";
import { config } from "./config.js";
import { el, toast } from "./dom.js";
import { locale, t } from "./i18n.js";
import * as callConsole from "./console.js";

(function () {
  if (!config.user) return;
  let box = null, form = null, ctx = null, items = null;

  function callerContext() {
    const c = callConsole;
    const call = c && c.selectedId !== null && c.selectedId !== undefined ? c.calls.get(c.selectedId) : null;
    if (!call) return null;
    const own = document.querySelector("#card-meta [data-room]");
    if (own && own.dataset.room) return { mode: "own", room: own.dataset.room, callId: call.id };
    if (document.querySelector("#card-kind .k-guest")) return { mode: "guest", room: null, callId: call.id };
    return null;
  }

  const field = (label, input) => el("label", { class: "field" }, el("span", null, label), input);

  async function open(context) {
    ctx = context;
    if (!items) {
      try { items = (await api("GET", "/api/guestsvc/catalogue")).items; }
      catch (err) { toast(errorText(err), "error"); return; }
    }
    form = el("form", { class: "sb-form", id: "cg-form", autocomplete: "off" },
      el("div", { class: "cw-room", id: "cg-room" }, ctx.mode === "own" ? t("guestsvc.own_room", { room: ctx.room }) : t("guestsvc.guest_room")),
      el("div", { class: "sb-grid2" },
        field(t("guestsvc.f.item"), el("select", { name: "item_id", id: "cg-item" },
          ...items.map((i) => el("option", { value: i.id }, (locale === "en" ? i.name_en : i.name_zh) + (i.charged ? " · " + t("guestsvc.charged") : ""))))),
        field(t("guestsvc.f.quantity"), el("input", { name: "quantity", id: "cg-qty", type: "number", min: "1", max: "99", value: "1" }))),
      field(t("guestsvc.f.note"), el("input", { name: "note", id: "cg-note", maxlength: "1000" })),
      el("div", { class: "sb-actions" }, el("button", { type: "submit", class: "btn btn-primary", id: "cg-submit" }, t("guestsvc.record"), " ", el("kbd", null, "Enter"))));
    form.addEventListener("submit", submit);
    if (!box) { box = el("div", { class: "sb-modal", id: "cg-modal", hidden: "hidden" }); document.body.append(box); }
    box.replaceChildren(el("div", { class: "sb-dialog", role: "dialog", "aria-modal": "true", "aria-label": t("guestsvc.console_title") },
      el("div", { class: "sb-dialog-head" }, el("h2", null, t("guestsvc.console_title")),
        el("button", { type: "button", class: "btn btn-sm", onclick: close }, t("sb.close"), " ", el("kbd", null, "Esc"))),
      form));
    box.hidden = false;
    form.querySelector("#cg-item").focus();
  }
  function isOpen() { return box && !box.hidden; }
  function close() {
    if (!box) return;
    box.hidden = true; box.replaceChildren(); form = null;
    const s = document.getElementById("search");
    if (s) s.focus();
  }
  async function submit(ev) {
    ev.preventDefault();
    const b = { call_id: ctx.callId, item_id: Number(form.querySelector("#cg-item").value),
      quantity: Number(form.querySelector("#cg-qty").value || 1), note: form.querySelector("#cg-note").value };
    try {
      const r = await api("POST", "/api/guestsvc/requests", b);
      toast(t("guestsvc.console_ok", { item: r.request.item, minutes: r.request.target_minutes }), "ok");
      close();
    } catch (err) { toast(errorText(err), "error"); }
  }

  window.addEventListener("keydown", (e) => {
    if (e.altKey && !e.ctrlKey && !e.metaKey && e.code === "KeyO" && !isOpen()) {
      e.preventDefault(); e.stopPropagation();
      const context = callerContext();
      if (!context) { toast(t("guestsvc.not_guest"), "info"); return; }
      open(context);
      return;
    }
    if (!isOpen()) return;
    e.stopPropagation();
    if (e.key === "Escape") { e.preventDefault(); close(); }
  }, true);
})();
