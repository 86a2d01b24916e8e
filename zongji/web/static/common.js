/* Shared by every page: strings (i18n), API calls, local time, header, toasts. No build step. */
"use strict";

const ZJ = (function () {
  const cfg = window.ZJ_CONFIG || {};
  const dicts = window.ZJ_I18N || {};
  let locale = cfg.locale || "zh-CN";
  const listeners = [];

  /** The UI string for key in the current language; {name} placeholders filled from vars. */
  function t(key, vars) {
    let s = (dicts[locale] && dicts[locale][key]);
    if (s === undefined) s = (dicts["zh-CN"] && dicts["zh-CN"][key]);
    if (s === undefined) return key;
    if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? vars[k] : m));
    return s;
  }
  function has(key) { return !!(dicts[locale] && key in dicts[locale]); }

  function applyI18n(root) {
    (root || document).querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    (root || document).querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
    (root || document).querySelectorAll("[data-i18n-title]").forEach((el) => { el.title = t(el.dataset.i18nTitle); });
  }

  let chosen = false;
  function setLocale(next, fromUser) {
    if (!dicts[next] || next === locale) return;
    if (fromUser !== false) chosen = true;
    locale = next;
    document.documentElement.lang = next;
    try { localStorage.setItem("zongji.locale", next); } catch (e) { /* private mode */ }
    document.querySelectorAll(".lang-switch button").forEach((b) => b.classList.toggle("on", b.dataset.lang === next));
    applyI18n();
    listeners.forEach((fn) => fn(next));
    saveLocale(next);
  }
  /* The choice is kept as "pending" until the server has stored it, so a reload that overtakes
     the request (or a dropped connection) still opens in the chosen language and saves it again. */
  function saveLocale(next) {
    try { localStorage.setItem("zongji.locale.pending", next); } catch (e) { /* private mode */ }
    fetch("/ui/locale", { method: "POST", keepalive: true, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ locale: next }) })
      .then((r) => {
        if (!r.ok) return;
        try { if (localStorage.getItem("zongji.locale.pending") === next) localStorage.removeItem("zongji.locale.pending"); } catch (e) { /* ignore */ }
      })
      .catch(() => {});
  }
  function onLocale(fn) { listeners.push(fn); }

  class ApiError extends Error {
    constructor(status, body) {
      super((body && body.message) || ("HTTP " + status));
      this.status = status; this.body = body;
    }
  }

  /** JSON API call; throws ApiError with the server's message. 401 sends the person to /login. */
  async function api(method, url, body) {
    const opts = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body instanceof FormData) opts.body = body;  // an upload: the browser sets the multipart type
    else if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    const r = await fetch(url, opts);
    let data = null;
    const text = await r.text();
    if (text) { try { data = JSON.parse(text); } catch (e) { data = { message: text }; } }
    if (r.status === 401 && !url.startsWith("/api/auth/login")) {
      location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
      throw new ApiError(401, data);
    }
    if (!r.ok) throw new ApiError(r.status, data);
    return data;
  }

  // ---- local time (the organisation's zone from settings, not the browser's)
  const tz = cfg.timezone || undefined;
  const fmtCache = {};
  function fmt(kind) {
    const key = kind + "|" + locale;
    if (!fmtCache[key]) {
      const base = { timeZone: tz, hourCycle: "h23" };
      const opts = {
        time: { ...base, hour: "2-digit", minute: "2-digit", second: "2-digit" },
        hm: { ...base, hour: "2-digit", minute: "2-digit" },
        date: { ...base, year: "numeric", month: "2-digit", day: "2-digit" },
        weekday: { ...base, month: "2-digit", day: "2-digit", weekday: "short" },
        datetime: { ...base, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" },
      }[kind];
      fmtCache[key] = new Intl.DateTimeFormat(locale === "en" ? "en-GB" : "zh-CN", opts);
    }
    return fmtCache[key];
  }
  function parse(iso) { return iso ? new Date(iso) : null; }
  function fmtTime(iso) { const d = parse(iso); return d ? fmt("time").format(d) : ""; }
  function fmtDateTime(iso) { const d = parse(iso); return d ? fmt("datetime").format(d) : ""; }
  /** "YYYY-MM-DD HH:mm:ss" in the organisation's zone (the call log's format, both languages). */
  function fmtStamp(iso) {
    const d = parse(iso);
    if (!d) return "";
    const parts = new Intl.DateTimeFormat("en-CA", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit",
      day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(d);
    const g = (ty) => (parts.find((p) => p.type === ty) || {}).value || "";
    return g("year") + "-" + g("month") + "-" + g("day") + " " + g("hour") + ":" + g("minute") + ":" + g("second");
  }
  /** Today's date (YYYY-MM-DD) in the organisation's zone. */
  function localDate(d) {
    const parts = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(d || new Date());
    const get = (ty) => parts.find((p) => p.type === ty).value;
    return get("year") + "-" + get("month") + "-" + get("day");
  }
  /** Offset like +08:00 of the organisation's zone at date d. */
  function tzOffset(d) {
    const parts = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "longOffset" }).formatToParts(d || new Date());
    const name = (parts.find((p) => p.type === "timeZoneName") || {}).value || "GMT";
    const m = name.match(/GMT([+-]\d{2}:\d{2})/);
    return m ? m[1] : "+00:00";
  }
  /** Seconds as m:ss or h:mm:ss. */
  function dur(sec) {
    if (sec === null || sec === undefined || isNaN(sec)) return "";
    sec = Math.max(0, Math.floor(sec));
    const h = Math.floor(sec / 3600), m = Math.floor((sec % 3600) / 60), s = sec % 60;
    const pad = (n) => String(n).padStart(2, "0");
    return h ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    if (attrs) for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(e.dataset, v);
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c.nodeType ? c : String(c));
    return e;
  }

  function toast(message, kind) {
    const box = document.getElementById("toasts");
    if (!box) return;
    const node = el("div", { class: "toast " + (kind || "info"), role: kind === "error" ? "alert" : "status" }, message);
    box.append(node);
    setTimeout(() => node.classList.add("out"), kind === "error" ? 6000 : 3000);
    setTimeout(() => node.remove(), kind === "error" ? 6500 : 3500);
  }
  /** The error for a person: the translated kind, and the field at fault — named by its label
      when ``scope`` (a form) has an input of that name, else by the API's field name. */
  /** A server message as the operator may read it. The API's messages are written for
   *  integrators, in English; in the Chinese UI an English one becomes a Chinese sentence chosen by
   *  the status, keeping only the values it quotes (a date, a number), so no raw English or
   *  exception text reaches the page (issue 8). The original goes to the browser console. */
  function localMessage(message, status) {
    const msg = String(message || "");
    if (locale === "en" || /[\u3400-\u9fff]/.test(msg)) return msg || t("error.generic");
    if (msg) console.debug("server message:", msg);
    const key = status >= 500 || !status ? "error.generic"
      : status === 401 ? "error.Unauthorized" : status === 403 ? "error.Forbidden" : status === 404 ? "error.NotFound"
      : status === 409 ? "error.illegal_transition" : "error.validation";
    const values = [];
    msg.replace(/'([^']{1,40})'|"([^"]{1,40})"|(\{\w{1,30}\}|\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2})?|(?<![-\w])\d{2,}(?:[.:]\d+)*)/g,
      (m, a, b, c) => { values.push(a || b || c); return m; });
    return t(key) + (values.length ? "：" + values.slice(0, 3).join("、") : "");
  }
  function errorText(err, scope) {
    const body = (err && err.body) || {};
    if (!(body.error && has("error." + body.error))) return localMessage(body.message || (err && err.message), err && err.status);
    let text = t("error." + body.error);
    if (body.field) {
      const input = scope && scope.querySelector(`[name="${CSS.escape(body.field)}"]`);
      const label = input && input.closest("label") && input.closest("label").querySelector("span");
      text += (locale === "en" ? ": " : "：") + ((label && label.textContent.trim()) || body.field);
    }
    return text;
  }

  // ---- header: clock, language, logout
  function startClock() {
    const box = document.getElementById("clock");
    if (!box) return;
    const timeEl = box.querySelector(".clock-time"), dateEl = box.querySelector(".clock-date");
    const tick = () => { const now = new Date(); timeEl.textContent = fmt("time").format(now); dateEl.textContent = fmt("weekday").format(now); };
    tick();
    setInterval(tick, 1000);
  }

  document.addEventListener("DOMContentLoaded", () => {
    let stored = null;
    try { stored = localStorage.getItem("zongji.locale"); } catch (e) { /* ignore */ }
    let pending = null;
    try { pending = localStorage.getItem("zongji.locale.pending"); } catch (e) { /* ignore */ }
    if (pending && dicts[pending]) {
      if (pending !== locale) setLocale(pending);
      else saveLocale(pending);
    } else if (!cfg.user && stored && stored !== locale && dicts[stored]) setLocale(stored, false);
    document.querySelectorAll(".lang-switch button").forEach((b) => b.addEventListener("click", () => setLocale(b.dataset.lang)));
    const out = document.getElementById("logout");
    if (out) out.addEventListener("click", async () => {
      try { await api("POST", "/api/auth/logout"); } catch (e) { /* gone already */ }
      location.href = "/login";
    });
    startClock();
  });

  /** Issue 8: a wake-up the room already has at that time. Shows (or clears) a warning above the
      read-back element ``anchor``; true when there is one, and the booking then says it was seen. */
  function wakeupDuplicateWarning(anchor, duplicates) {
    let note = anchor.parentNode.querySelector(".wk-dup-warn");
    if (!duplicates || !duplicates.length) { if (note) note.remove(); return false; }
    if (!note) { note = el("p", { class: "wk-dup-warn", role: "alert" }); anchor.parentNode.insertBefore(note, anchor); }
    const d = duplicates[0];
    note.textContent = t("wk.duplicate_warn", { time: d.local_time, date: d.local_date, by: d.booked_by_name || "" });
    return true;
  }

  return { cfg, t, has, api, wakeupDuplicateWarning, ApiError, applyI18n, setLocale, onLocale, get locale() { return locale; }, get localeChosen() { return chosen; },
    fmtTime, fmtDateTime, fmtStamp, localDate, tzOffset, dur, el, toast, errorText, localMessage, parse };
})();
