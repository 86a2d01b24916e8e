/* Bookings from the console (issue 17): F7 a hotel booking, Shift+F7 a meeting booking,
   Ctrl+F7 a flight booking, from the selected call with the caller's number and name carried
   over (…/new?call_id=…, in a new tab so the call stays on the console). Links beside "work
   order from this call" do the same. */

import { t } from "./i18n.js";
import { el } from "./dom.js";
import * as callConsole from "./console.js";

// [id, page, i18n key of the button, the key's label, does a keydown match it]
const KINDS = [
  ["btn-booking", "/bookings/new", "booking.from_call_button", "F7", (e) => !e.shiftKey && !e.ctrlKey],
  ["btn-booking-meeting", "/travel/meetings/new", "booking.meeting_from_call_button", "Shift+F7",
    (e) => e.shiftKey && !e.ctrlKey],
  ["btn-booking-flight", "/travel/flights/new", "booking.flight_from_call_button", "Ctrl+F7",
    (e) => e.ctrlKey && !e.shiftKey],
];

(function () {
  const anchor = document.getElementById("btn-work-order");
  if (!anchor) return;

  function href(page) {
    const id = callConsole.selectedId;
    return id !== null && id !== undefined ? `${page}?call_id=${encodeURIComponent(id)}` : page;
  }

  for (const [id, page, key, label] of KINDS) {
    const link = el("a", { class: "btn", id, href: page, target: "_blank", rel: "noopener", title: label },
      el("span", { "data-i18n": key, text: t(key) }), " ", el("kbd", { text: label }));
    link.addEventListener("mousedown", () => { link.href = href(page); });
    link.addEventListener("focus", () => { link.href = href(page); });
    anchor.before(link);
  }

  window.addEventListener("keydown", (e) => {
    if (e.key !== "F7" || e.altKey || e.metaKey) return;
    const kind = KINDS.find(([, , , , matches]) => matches(e));
    if (!kind) return;
    e.preventDefault();
    window.open(href(kind[1]), "_blank", "noopener");
  });
})();
