/* Login page. After too many failed logins the server answers 429 with retry_after (seconds):
   say until when, in the page's language, and keep the button off until then. */

import { api, errorText } from "./api.js";
import { locale, localeChosen, onLocale, t } from "./i18n.js";
import { fmtDateTime, fmtTime } from "./local_time.js";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("login-form");
  const err = document.getElementById("login-error");
  const submit = document.getElementById("login-submit");
  let lockedUntil = null;
  let unlockTimer = null;

  function showLocked() {
    const seconds = Math.max(0, (lockedUntil - Date.now()) / 1000);
    const iso = new Date(lockedUntil).toISOString();
    err.textContent = t("login.locked", {
      time: seconds > 20 * 3600 ? fmtDateTime(iso) : fmtTime(iso),
      minutes: Math.max(1, Math.ceil(seconds / 60)),
    });
    err.dataset.state = "locked";
  }

  function lockFor(seconds) {
    lockedUntil = Date.now() + seconds * 1000;
    submit.disabled = true;
    showLocked();
    clearTimeout(unlockTimer);
    unlockTimer = setTimeout(() => {
      lockedUntil = null;
      err.textContent = "";
      delete err.dataset.state;
      submit.disabled = false;
    }, seconds * 1000);
  }

  onLocale(() => { if (lockedUntil) showLocked(); });

  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    if (lockedUntil) return;
    err.textContent = "";
    delete err.dataset.state;
    submit.disabled = true;
    try {
      await api("POST", "/api/auth/login", {
        username: form.username.value.trim(), password: form.password.value,
      });
      if (localeChosen) {
        await fetch("/ui/locale", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ locale: locale }) }).catch(() => {});
      }
      const next = new URLSearchParams(location.search).get("next");
      location.href = next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
    } catch (e) {
      const retry = e.status === 429 && e.body && Number(e.body.retry_after);
      if (retry > 0) {
        lockFor(retry);
        return;
      }
      err.textContent = e.status === 401 ? t("login.wrong") : errorText(e);
      form.password.select();
      submit.disabled = false;
    }
  });
});
