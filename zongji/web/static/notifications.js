/* The bell in the header of every page (issue 4): the user's unread notifications — reminders
   (催办), SLA warnings, supervision, callbacks due — from GET /api/notifications, new ones live
   from /api/live (the server sends each user only their own), mark read with
   POST /api/notifications/{id}/read. Keys: Alt+B opens the list, ↑/↓ move, Enter opens the
   order (and marks it read), R marks read, Esc closes. */

import { api, errorText, newestRead } from "./api.js";
import { config } from "./config.js";
import { el, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";
import { fmtStamp } from "./local_time.js";
const freshRead = newestRead();  // reads again on live messages: the newest read wins

(function () {
  if (!config.user) return;
  let items = [], open = false, sel = 0, btn = null, panel = null, count = null;

  const unread = () => items.filter((n) => !n.read_at);
  // An instant written into a text as ISO (older notifications: "办结时限： 2026-…T…+08:00") is
  // shown as local "YYYY-MM-DD HH:MM" in the organisation's zone, like every time on the page.
  const ISO_INSTANT = /\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?/g;
  const words = (s) => String(s || "").replace(ISO_INSTANT, (m) => fmtStamp(m).slice(0, 16) || m);

  function render() {
    const n = unread().length;
    count.textContent = n > 99 ? "99+" : String(n);
    count.hidden = n === 0;
    btn.title = t("notif.bell") + (n ? " · " + t("notif.unread", { n }) : "");
    btn.classList.toggle("has-unread", n > 0);
    if (!open) return;
    const list = unread();
    sel = Math.max(0, Math.min(sel, list.length - 1));
    const rows = list.map((x, i) => el("li", { class: "notif-item" + (i === sel ? " sel" : ""), "data-id": x.id, role: "option",
      onclick: () => { sel = i; go(x); } },
      el("div", { class: "notif-subject" }, words(x.subject)),
      x.body ? el("div", { class: "notif-body muted small" }, words(x.body)) : null,
      el("div", { class: "notif-meta muted small" }, el("span", { class: "mono" }, fmtStamp(x.at).slice(0, 16)),
        el("button", { type: "button", class: "btn notif-btn notif-read", onclick: (e) => { e.stopPropagation(); markRead(x); } }, t("notif.mark_read")))));
    panel.replaceChildren(
      el("div", { class: "notif-head" }, el("strong", null, t("notif.title")),
        list.length ? el("button", { type: "button", class: "btn notif-btn", id: "notif-all", onclick: markAll }, t("notif.mark_all")) : null),
      list.length ? el("ul", { class: "notif-list", role: "listbox" }, ...rows) : el("div", { class: "notif-empty muted" }, t("notif.empty")),
      el("div", { class: "notif-keys muted small" }, el("kbd", null, "Alt+B"), " ", el("kbd", null, "↑↓"), " ", el("kbd", null, "Enter"), " ", el("kbd", null, "R"), " ", el("kbd", null, "Esc")));
  }

  async function load() {
    try { items = (await freshRead(api("GET", "/api/notifications?unread=true"))).items; } catch (e) { return; }
    render();
  }
  async function markRead(x) {
    try { await api("POST", "/api/notifications/" + x.id + "/read"); } catch (e) { toast(errorText(e), "error"); return; }
    x.read_at = new Date().toISOString();
    render();
  }
  async function markAll() { for (const x of unread()) await markRead(x); }
  async function go(x) {
    await markRead(x);
    if (x.order_id) location.href = "/work-orders/" + x.order_id;
    else if (x.kind === "wakeup_knock" && location.pathname !== "/unit") location.href = "/unit";  // door tasks (R-H9)
  }
  function toggle(on) {
    open = on === undefined ? !open : on;
    panel.hidden = !open;
    btn.setAttribute("aria-expanded", String(open));
    if (open) { sel = 0; render(); }
  }

  function connect() {
    subscribe("notification", (msg) => {
      if (!msg.payload || msg.payload.channel !== "console") return;
      if (items.some((x) => x.id === msg.payload.id)) return;
      items.unshift(msg.payload);
      render();
      toast(words(msg.payload.subject), "info");
    });
    onOpen(load);  // anything missed while disconnected
  }

  document.addEventListener("keydown", (e) => {
    if (e.altKey && e.code === "KeyB") { e.preventDefault(); toggle(); if (open) btn.focus(); return; }
    if (!open) return;
    const list = unread();
    if (e.key === "Escape") { e.preventDefault(); toggle(false); }
    else if (e.key === "ArrowDown") { e.preventDefault(); sel = Math.min(sel + 1, list.length - 1); render(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); sel = Math.max(sel - 1, 0); render(); }
    else if (e.key === "Enter" && list[sel]) { e.preventDefault(); go(list[sel]); }
    else if ((e.key === "r" || e.key === "R") && list[sel] && !/INPUT|TEXTAREA|SELECT/.test((e.target || {}).tagName || "")) { e.preventDefault(); markRead(list[sel]); }
  });
  document.addEventListener("click", (e) => {
    if (open && !e.target.closest("#notif-bell, #notif-panel")) toggle(false);
  });
  document.addEventListener("DOMContentLoaded", () => {
    btn = document.getElementById("notif-bell");
    panel = document.getElementById("notif-panel");
    if (!btn || !panel) return;
    count = btn.querySelector(".notif-count");
    btn.addEventListener("click", () => toggle());
    onLocale(render);
    render();
    load();
    connect();
  });
})();
