/* Wake-up alerts on every console page (R-H9): a red bar lists every wake-up that needs people —
   knock on the door (sent to the guest-service centre), call by hand (telephony down), nobody at
   the door (call the duty manager) — with the room, wake time and minutes late so far, and a
   failed pre-flight test call. It is loaded from GET /api/wakeups/alerts on every page load and
   every (re)connection of /api/live, so it survives reloads and missed messages, and stays until
   each one is resolved (the guest reached, here or anywhere else: it goes live). An operator may
   collapse it; collapsed it keeps a count badge, and opens again when a new one arrives.
   Alt+J (叫醒) opens the wake-up board from any page but the console, where it books the caller's
   wake-up in place (caller_wakeup.js). */

import { api, errorText, newestRead } from "./api.js";
import { config } from "./config.js";
import { el, toast } from "./dom.js";
import { locale, onLocale, t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";
import { fmtStamp } from "./local_time.js";
const freshRead = newestRead();  // reads again on live messages: the newest read wins

(function () {
  if (!config.user || config.user.role === "unit_handler") return;

  // ------------------------------------------------------------------ the persistent alert bar
  const COLLAPSE_KEY = "zongji.wkAlertsCollapsed";
  // items: open knock / manual-call tasks; system: the calling path down, a pre-flight that failed
  // or made no test call, a greeting that cannot be made (GET /api/wakeups/alerts).
  const alertState = { items: [], system: [], offset: 0, loaded: false };
  let bar = null, reloadTimer = null, tickTimer = null;

  function alertKeys() {
    return alertState.items.map((x) => "t" + x.id + (x.no_response_at ? "n" : ""))
      .concat(alertState.system.map((x) => x.key));
  }
  function alertCollapsed() {
    let seen = [];
    try { seen = JSON.parse(sessionStorage.getItem(COLLAPSE_KEY) || "[]"); } catch (e) { seen = []; }
    // Collapsed only while nothing new has arrived since the operator collapsed it.
    return Array.isArray(seen) && alertKeys().every((k) => seen.includes(k));
  }
  function setAlertCollapsed(on) {
    try {
      if (on) sessionStorage.setItem(COLLAPSE_KEY, JSON.stringify(alertKeys()));
      else sessionStorage.removeItem(COLLAPSE_KEY);
    } catch (e) { /* private mode */ }
    renderAlertBar();
  }
  function minutesLateNow(x) {
    const wake = Date.parse(x.wake_at);
    if (isNaN(wake)) return 0;
    return Math.max(0, Math.floor((Date.now() + alertState.offset - wake) / 60000));
  }
  function alertNeed(x) {
    if (x.kind === "manual_call") return t("wk.bar.need_call");
    if (x.no_response_at) return t("wk.bar.need_manager", { by: x.no_response_by_name || (x.no_response_by || "").replace(/^user:/, ""), at: fmtStamp(x.no_response_at).slice(11, 16) });
    return t("wk.bar.need_knock");
  }
  async function alertReached(x, btn) {
    btn.disabled = true;
    try {
      const w = await api("POST", "/api/wakeups/tasks/" + x.id + "/done");
      toast(t("wk.bar.reached_ok", { room: w.room, n: w.minutes_late }), "ok");
      loadAlerts();
    } catch (e) { btn.disabled = false; toast(errorText(e), "error"); }
  }
  function renderAlertBar() {
    const n = alertState.items.length + alertState.system.length;
    if (!n) { if (bar) { bar.remove(); bar = null; } return; }
    if (!bar) {
      bar = el("div", { class: "wk-alert-bar", id: "wk-alert-bar", role: "alert" });
      // On the console the bar takes its own place above the DND and message lists, in the flow:
      // floating over them it hid their rows and blocked their buttons (issue 8).
      const side = document.getElementById("sb-side");
      if (side) { bar.classList.add("docked"); side.before(bar); } else document.body.append(bar);
    }
    const collapsed = alertCollapsed();
    bar.classList.toggle("collapsed", collapsed);
    bar.dataset.count = String(n);
    const badge = el("span", { class: "wk-bar-count", id: "wk-alert-count" }, String(n));
    if (collapsed) {
      bar.replaceChildren(el("button", { type: "button", class: "wk-bar-toggle", id: "wk-alert-expand", title: t("wk.bar.expand"),
        onclick: () => setAlertCollapsed(false) }, t("wk.bar.title_short"), " ", badge, " ▲"));
      return;
    }
    const rows = alertState.items.map((x) => el("li", { class: "wk-bar-row" + (x.no_response_at ? " manager" : ""), "data-task": x.id, "data-wk-room": x.room },
      el("span", { class: "wk-bar-room" }, x.room || t("wk.room_private")),
      el("span", { class: "wk-bar-time" }, x.local_time || ""),
      el("span", { class: "wk-bar-late" }, t("wk.bar.late", { n: minutesLateNow(x) })),
      el("span", { class: "wk-bar-need" }, alertNeed(x)),
      el("button", { type: "button", class: "wk-bar-btn", onclick: (e) => alertReached(x, e.currentTarget) }, t("wk.bar.reached"))));
    // The operator reads the cause in words (wk.cause.*); the raw technical text is only a tooltip.
    const checks = alertState.system.map((x) => el("li", { class: "wk-bar-row system" + (x.warn ? " warn" : ""), "data-check": x.key, title: x.technical || "" },
      el("span", { class: "wk-bar-need" }, t(x.text, x.params) + (x.detail ? (locale === "en" ? ": " : "：") + x.detail : ""))));
    bar.replaceChildren(
      el("div", { class: "wk-bar-head" },
        el("strong", null, t("wk.bar.title")), " ", badge,
        el("a", { href: "/wakeups", class: "wk-bar-link" }, t("wk.alert.open")),
        el("button", { type: "button", class: "wk-bar-toggle", id: "wk-alert-collapse", title: t("wk.bar.collapse"),
          onclick: () => setAlertCollapsed(true) }, t("wk.bar.collapse") + " ▼")),
      el("ul", { class: "wk-bar-list" }, ...rows, ...checks));
  }
  async function loadAlerts() {
    let data;
    try { data = await freshRead(api("GET", "/api/wakeups/alerts")); } catch (e) { return; }
    const now = Date.parse(data.now);
    alertState.offset = isNaN(now) ? 0 : now - Date.now();
    alertState.items = data.items || [];
    const system = [];
    const cause = (code) => (code ? t("wk.cause." + code) : "");
    if (data.telephony_down) system.push({ key: "down" + data.telephony_down.at, text: "wk.bar.telephony_down", detail: cause(data.telephony_down.cause), technical: data.telephony_down.reason });
    for (const c of data.preflight_failed || []) system.push({ key: "p" + c.day, text: "wk.alert.preflight", params: {}, detail: c.day + (c.cause ? " · " + cause(c.cause) : ""), technical: c.detail });
    for (const c of data.preflight_warning || []) system.push({ key: "w" + c.day, text: "wk.bar.preflight_warning", warn: true, detail: c.day });
    if (data.prompt_failed) system.push({ key: "g" + data.prompt_failed.at, text: "wk.bar.prompt_failed", technical: data.prompt_failed.reason });
    alertState.system = system;
    alertState.loaded = true;
    renderAlertBar();
  }
  function reloadAlertsSoon() {
    clearTimeout(reloadTimer);
    reloadTimer = setTimeout(loadAlerts, 250);
  }
  function alertStyles() {
    if (document.getElementById("wk-alert-style")) return;
    document.head.append(el("style", { id: "wk-alert-style" }, [
      ".wk-alert-bar{position:fixed;bottom:40px;left:12px;z-index:50;background:#b42318;color:#fff;padding:8px 12px;border-radius:6px;box-shadow:0 2px 8px rgba(0,0,0,.3);max-width:min(760px,80vw);max-height:45vh;overflow:auto;font-size:14px}",
      ".wk-alert-bar a{color:#fff}",
      ".wk-alert-bar.docked{position:static;flex:0 1 auto;min-height:32px;max-width:none;max-height:34%;margin:0;border-radius:0;box-shadow:none}",
      ".wk-alert-bar.docked .wk-bar-row{flex-wrap:wrap;gap:4px 10px}",
      ".wk-bar-head{display:flex;align-items:center;gap:8px;font-weight:600}",
      ".wk-bar-link{margin-left:auto;font-weight:400}",
      ".wk-bar-count{display:inline-block;min-width:20px;padding:0 6px;border-radius:10px;background:#fff;color:#b42318;font-weight:700;text-align:center}",
      ".wk-bar-toggle,.wk-bar-btn{background:rgba(255,255,255,.15);color:#fff;border:1px solid rgba(255,255,255,.6);border-radius:4px;padding:2px 8px;cursor:pointer;font:inherit}",
      ".wk-alert-bar.collapsed{padding:4px}",
      ".wk-alert-bar.collapsed .wk-bar-toggle{border:0;background:none;font-weight:600}",
      ".wk-bar-list{list-style:none;margin:6px 0 0;padding:0}",
      ".wk-bar-row{display:flex;align-items:center;gap:12px;padding:4px 0;border-top:1px solid rgba(255,255,255,.3)}",
      ".wk-bar-room{font-weight:700;font-size:16px;min-width:48px}",
      ".wk-bar-time{font-variant-numeric:tabular-nums}",
      ".wk-bar-late{font-weight:600;white-space:nowrap}",
      ".wk-bar-need{flex:1}",
      ".wk-bar-row.manager .wk-bar-need{background:#fff;color:#b42318;padding:0 6px;border-radius:3px;font-weight:600}",
      ".wk-bar-row.system .wk-bar-need{font-weight:600}",
      ".wk-bar-row.warn .wk-bar-need{background:#fff5db;color:#6b4600;padding:0 6px;border-radius:3px}",
    ].join("\n")));
  }
  function connect() {
    onOpen(loadAlerts);  // anything missed while disconnected
    subscribe(["wakeup_task", "wakeup_check", "alert"], (msg) => {
      const kind = msg.payload && msg.payload.kind;
      if (msg.topic !== "alert" || (typeof kind === "string" && kind.startsWith("wakeup_"))) reloadAlertsSoon();
    });
  }
  function startAlerts() {
    alertStyles();
    loadAlerts();
    connect();
    onLocale(renderAlertBar);
    tickTimer = setInterval(() => { if (bar && !alertCollapsed()) renderAlertBar(); }, 20000);
  }

  document.addEventListener("keydown", (e) => {
    if (e.altKey && e.code === "KeyJ" && !document.body.classList.contains("page-wakeups")
        && !document.body.classList.contains("page-console")) {
      e.preventDefault();
      location.href = "/wakeups";
    }
  });
  document.addEventListener("DOMContentLoaded", startAlerts);
})();
