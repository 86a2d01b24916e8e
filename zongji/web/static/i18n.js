/* The UI strings in the console's language: look-up, the page's static texts, the language
   switch (kept on the person and in this browser). */

import { config, dictionaries as dicts } from "./config.js";

/** The current language; a live binding, read ``locale`` wherever it is imported. */
export let locale = config.locale || "zh-CN";
/** Whether the person chose the language in this page (not just restored). */
export let localeChosen = false;
const listeners = [];

/** The UI string for key in the current language; {name} placeholders filled from vars. */
export function t(key, vars) {
  let s = (dicts[locale] && dicts[locale][key]);
  if (s === undefined) s = (dicts["zh-CN"] && dicts["zh-CN"][key]);
  if (s === undefined) return key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? vars[k] : m));
  return s;
}
export function has(key) { return !!(dicts[locale] && key in dicts[locale]); }
/** Whether there is a dictionary for ``loc``. */
export function known(loc) { return !!dicts[loc]; }

export function applyI18n(root) {
  (root || document).querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  (root || document).querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = t(el.dataset.i18nPlaceholder); });
  (root || document).querySelectorAll("[data-i18n-title]").forEach((el) => { el.title = t(el.dataset.i18nTitle); });
  (root || document).querySelectorAll("[data-i18n-label]").forEach((el) => { el.label = t(el.dataset.i18nLabel); });
}

export function setLocale(next, fromUser) {
  if (!dicts[next] || next === locale) return;
  if (fromUser !== false) localeChosen = true;
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
let saving = Promise.resolve();  // choices are sent one after the other: the last one wins
/* A navigation (a reload) started: the next page may have been rendered from a read made before
   this choice was stored, so the choice stays pending and that page applies it. */
let leaving = false;
addEventListener("beforeunload", () => { leaving = true; });
export function saveLocale(next) {
  try { localStorage.setItem("zongji.locale.pending", next); } catch (e) { /* private mode */ }
  saving = saving.then(() => fetch("/ui/locale", { method: "POST", keepalive: true, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ locale: next }) })
    .then((r) => {
      if (!r.ok || leaving) return;
      try { if (localStorage.getItem("zongji.locale.pending") === next) localStorage.removeItem("zongji.locale.pending"); } catch (e) { /* ignore */ }
    })
    .catch(() => {}));
}
/** fn(locale) whenever the language changes. */
export function onLocale(fn) { listeners.push(fn); }
