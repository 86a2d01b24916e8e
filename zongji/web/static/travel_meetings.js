/* The meeting bookings with their state (issue 17 point 3), /travel/meetings: search by
   customer, mobile or hotel, a day within the meeting, and the state; a row opens the booking.
   Data: /api/travel/bookings?kind=meeting. */

import { api } from "./api.js";
import { $, el } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { fmtStamp } from "./local_time.js";
import { clearFieldErrors, showFieldError } from "./form_errors.js";

(function () {
  const root = $("tml-page");
  if (!root) return;
  const form = $("tml-filter");
  let last = [];
  const yuan = (fen) => (fen === null || fen === undefined ? "" : "¥" + (fen / 100).toFixed(2));

  function render() {
    $("tml-table").querySelector("tbody").replaceChildren(...last.map((m) => {
      const url = `/travel/meetings/${m.id}`;
      const deposit = m.deposit_reminder === "none" ? "" : t("tm.reminder." + m.deposit_reminder, {
        due: fmtStamp(m.deposit_due_at), at: fmtStamp(m.reminded_at), paid: fmtStamp(m.deposit_paid_at), amount: yuan(m.deposit_fen) });
      return el("tr", { class: "clickable", dataset: { status: m.status }, onclick: () => { location.href = url; } },
        el("td", null, el("a", { href: url, text: "#" + m.id })), el("td", { text: t("travel.status." + m.status) }),
        el("td", { text: m.hotel_name }), el("td", { text: t("travel.meeting_kind." + m.kind) }),
        el("td", { text: m.start_date === m.end_date ? m.start_date : `${m.start_date} → ${m.end_date}` }),
        el("td", { text: String(m.attendees) }), el("td", { text: `${m.contact} ${m.mobile}` }),
        el("td", { text: yuan(m.total_fen) }),
        el("td", { text: deposit, class: ["overdue", "reminded"].includes(m.deposit_reminder) ? "tm-overdue" : null }));
    }));
    $("tml-empty").hidden = last.length > 0;
  }

  async function load() {
    clearFieldErrors(form);
    const p = new URLSearchParams({ kind: "meeting" });
    for (const [k, v] of new FormData(form).entries()) if (String(v).trim()) p.set(k, String(v).trim());
    try {
      last = await api("GET", "/api/travel/bookings?" + p.toString());
      render();
    } catch (err) { showFieldError(err, { scope: form, slots: true, fallback: "day" }); }
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  form.elements.status.addEventListener("change", load);
  onLocale(render);
  load();
})();
