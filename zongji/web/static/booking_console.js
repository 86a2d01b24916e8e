/* F7 on the console (issue 17): a new hotel booking from the selected call, the caller's
   number and name carried over (/bookings/new?call_id=…, in a new tab so the call stays on the
   console). A "订房" link beside "work order from this call" does the same. */

import { t } from "./i18n.js";
import { el } from "./dom.js";
import * as callConsole from "./console.js";

(function () {
  const anchor = document.getElementById("btn-work-order");
  if (!anchor) return;

  function href() {
    const id = callConsole.selectedId;
    return id !== null && id !== undefined ? `/bookings/new?call_id=${encodeURIComponent(id)}` : "/bookings/new";
  }

  const link = el("a", { class: "btn", id: "btn-booking", href: "/bookings/new", target: "_blank", rel: "noopener", title: "F7" },
    el("span", { "data-i18n": "booking.from_call_button", text: t("booking.from_call_button") }), " ", el("kbd", { text: "F7" }));
  link.addEventListener("mousedown", () => { link.href = href(); });
  link.addEventListener("focus", () => { link.href = href(); });
  anchor.before(link);

  window.addEventListener("keydown", (e) => {
    if (e.key === "F7" && !e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      window.open(href(), "_blank", "noopener");
    }
  });
})();
