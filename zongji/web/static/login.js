/* Login page. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("login-form");
  const err = document.getElementById("login-error");
  const submit = document.getElementById("login-submit");
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    err.textContent = "";
    submit.disabled = true;
    try {
      await ZJ.api("POST", "/api/auth/login", {
        username: form.username.value.trim(), password: form.password.value,
      });
      if (ZJ.localeChosen) {
        await fetch("/ui/locale", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ locale: ZJ.locale }) }).catch(() => {});
      }
      const next = new URLSearchParams(location.search).get("next");
      location.href = next && next.startsWith("/") && !next.startsWith("//") ? next : "/";
    } catch (e) {
      err.textContent = e.status === 401 ? ZJ.t("login.wrong") : ZJ.errorText(e);
      form.password.select();
      submit.disabled = false;
    }
  });
});
