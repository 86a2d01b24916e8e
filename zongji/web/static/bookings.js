/* The bookings list (issue 17 point 5), /bookings: every kind of booking (the kind in its own
   column: hotel now, meetings and flights later) searched by customer, mobile, number, hotel and
   dates; the day's arrivals; for shift leaders and above the figures (bookings per operator and
   day, confirmation rate, refusals by hotel). Data: /api/bookings. Live topic "booking". */

import { api, errorText, newestRead } from "./api.js";
import { $, el, toast } from "./dom.js";
import { has, onLocale, t } from "./i18n.js";
import { subscribe } from "./live.js";
import { localDate } from "./local_time.js";
import { clearFieldErrors, showFieldError } from "./form_errors.js";
// Read again on live messages and after changes: the newest read wins (api.newestRead).
const freshList = newestRead();
const freshArrivals = newestRead();
const freshFigures = newestRead();

(function () {
  const root = $("bookings-page");
  if (!root) return;
  const filter = $("bks-filter"), arrivalsForm = $("bks-arrivals-form"), figuresForm = $("bks-figures-form");
  let last = { items: [] }, lastArrivals = { items: [] }, lastFigures = null;

  const kindText = (k) => (has("booking.kind." + k) ? t("booking.kind." + k) : k);
  const open = (r) => () => { location.href = r.url; };

  function render() {
    $("bks-table").querySelector("tbody").replaceChildren(...last.items.map((r) => el("tr", { class: "clickable", onclick: open(r) },
      el("td", { text: kindText(r.kind) }), el("td", null, el("a", { href: r.url, text: r.number })),
      el("td", { text: t("booking.state." + r.state) }), el("td", { text: r.customer_name }),
      el("td", { text: r.mobile_masked }), el("td", { text: r.city ? `${r.place}（${r.city}）` : r.place }),
      el("td", { text: `${r.first_day} → ${r.last_day}` }), el("td", { text: r.summary || "" }),
      el("td", { text: r.created_by }))));
    $("bks-empty").hidden = last.items.length > 0;
    $("bks-arrivals").querySelector("tbody").replaceChildren(...lastArrivals.items.map((r) => el("tr", { class: "clickable", onclick: open(r) },
      el("td", null, el("a", { href: r.url, text: r.number })), el("td", { text: t("booking.state." + r.state) }),
      el("td", { text: r.customer_name }), el("td", { text: r.place }), el("td", { text: r.summary }),
      el("td", { text: r.hold_free ? t("booking.hold_free") : (r.latest_arrival || "18:00") }),
      el("td", { text: r.confirmation_number || "" }))));
    if (lastFigures && figuresForm) {
      const f = lastFigures;
      $("bks-rate").textContent = t("booking.rate", { bookings: f.bookings, confirmed: f.confirmed, refused: f.refused,
        rate: f.confirmation_rate === null ? "—" : (f.confirmation_rate * 100).toFixed(1) + "%" });
      $("bks-per-operator").querySelector("tbody").replaceChildren(...f.per_operator_day.map((r) => el("tr", null,
        el("td", { text: r.day }), el("td", { text: r.operator }), el("td", { text: kindText(r.kind) }), el("td", { text: String(r.bookings) }))));
      $("bks-refusals").querySelector("tbody").replaceChildren(...f.refusals_by_hotel.map((r) => el("tr", null,
        el("td", { text: r.hotel }), el("td", { text: String(r.refusals) }))));
    }
  }

  function params(form) {
    const p = new URLSearchParams();
    for (const [k, v] of new FormData(form).entries()) if (String(v).trim()) p.set(k, String(v).trim());
    return p.toString();
  }

  async function load() {
    clearFieldErrors(filter);
    try { last = await freshList(api("GET", "/api/bookings?" + params(filter))); } catch (err) { showFieldError(err, { scope: filter, slots: true, fallback: "date_to" }); }
    try { lastArrivals = await freshArrivals(api("GET", "/api/bookings/arrivals?" + params(arrivalsForm))); } catch (err) { toast(errorText(err), "error"); }
    if (figuresForm) {
      clearFieldErrors(figuresForm);
      try { lastFigures = await freshFigures(api("GET", "/api/bookings/figures?" + params(figuresForm))); } catch (err) { showFieldError(err, { scope: figuresForm, slots: true, fallback: "date_to" }); }
    }
    render();
  }

  // A kind chosen: only its states are offered (a state of another kind is cleared).
  function offerStates() {
    const kind = filter.elements.kind.value, state = filter.elements.state;
    for (const group of state.querySelectorAll("optgroup")) {
      const shown = !kind || group.dataset.kind === kind;
      group.hidden = !shown;
      group.disabled = !shown;
    }
    if (state.selectedOptions[0] && state.selectedOptions[0].parentElement.disabled) state.value = "";
  }
  filter.elements.kind.addEventListener("change", offerStates);
  offerStates();
  filter.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  arrivalsForm.elements.day.value = localDate();
  arrivalsForm.addEventListener("change", load);
  if (figuresForm) figuresForm.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  subscribe(["booking"], () => load());
  onLocale(render);
  load();
})();
