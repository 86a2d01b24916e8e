/* Every page's header: the clock, the language switch (and the language chosen before, restored),
   the logout button, and the menu scrolled to show the current page's link (a long menu scrolls
   sideways). */

import { api } from "./api.js";
import { config } from "./config.js";
import { known, locale, setLocale } from "./i18n.js";
import { fmt } from "./local_time.js";

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
  if (pending && known(pending)) {
    if (pending !== locale) setLocale(pending);
    // The server rendered the page in it: it has the choice. Saving it again could overtake a
    // newer choice sent meanwhile (the last request to arrive wins) and put the old one back.
    else try { localStorage.removeItem("zongji.locale.pending"); } catch (e) { /* ignore */ }
  } else if (!config.user && stored && stored !== locale && known(stored)) setLocale(stored, false);
  document.querySelectorAll(".lang-switch button").forEach((b) => b.addEventListener("click", () => setLocale(b.dataset.lang)));
  const out = document.getElementById("logout");
  if (out) out.addEventListener("click", async () => {
    try { await api("POST", "/api/auth/logout"); } catch (e) { /* gone already */ }
    location.href = "/login";
  });
  startClock();
  showCurrentLink();
});

/** The menu scrolled sideways just enough to show the current page's link, again whenever the
    menu's width changes (the top bar's counters appear after the page loads). */
function showCurrentLink() {
  const nav = document.querySelector(".nav"), on = nav && nav.querySelector("a.on");
  if (!on) return;
  const show = () => {
    const past = on.getBoundingClientRect().right - nav.getBoundingClientRect().right;
    if (past > 0) nav.scrollLeft += past;
  };
  show();
  if (window.ResizeObserver) new ResizeObserver(show).observe(nav);
}
