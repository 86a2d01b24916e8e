/* The booking hotline's settings (issue 17), /bookings/settings: the customer messages' templates
   (supervisors and admins; placeholders listed, back to the default), the forecast entered by
   hand per city and day for a centre without a weather provider (docs/weather.md), and the
   hotels (name, city, address, phone, price range). */

import { api, errorText } from "./api.js";
import { $, el, toast } from "./dom.js";
import { t } from "./i18n.js";
import { localDate } from "./local_time.js";
import { clearFieldErrors, showFieldError } from "./form_errors.js";

(function () {
  const root = $("booking-settings-page");
  if (!root) return;
  const yuan = (fen) => (fen === null || fen === undefined ? "" : String(fen / 100));

  // ---------------------------------------------------------------- templates
  function renderTemplates(list) {
    $("bkt-list").replaceChildren(...list.map((tp) => {
      const area = el("textarea", { name: "body", rows: 3, maxlength: 500, class: "bkt-body" });
      area.value = tp.body;
      const form = el("form", { class: "bkt-form", "data-kind": tp.kind },
        el("h4", { text: t("booking.msg." + tp.kind) + (tp.custom ? "" : " · " + t("booking.default")) }),
        area, el("p", { class: "muted small", text: tp.placeholders.map((p) => `{${p}}`).join(" ") }),
        el("button", { class: "btn btn-primary", type: "submit", text: t("booking.save") }),
        el("button", { class: "btn", type: "button", text: t("booking.reset"), onclick: () => save(tp.kind, null, form) }),
        el("span", { class: "field-error", "data-for": "body" }));
      form.addEventListener("submit", (e) => { e.preventDefault(); save(tp.kind, area.value, form); });
      return form;
    }));
  }
  async function save(kind, body, form) {
    clearFieldErrors(form);
    try {
      renderTemplates(await api("PUT", "/api/bookings/templates/" + kind, { body }));
      toast(t("booking.saved"));
    } catch (err) { showFieldError(err, { scope: form, slots: true, fallback: "body" }); }
  }
  if ($("bkt-list")) api("GET", "/api/bookings/templates").then(renderTemplates).catch((err) => toast(errorText(err), "error"));

  // ---------------------------------------------------------------- forecasts
  const wf = $("bkw-form");
  wf.elements.day.value = localDate();
  async function loadForecast() {
    const city = wf.elements.city.value.trim();
    if (!city) return;
    try {
      const days = await api("GET", `/api/bookings/weather/${encodeURIComponent(city)}?day=${wf.elements.day.value || localDate()}`);
      $("bkw-table").querySelector("tbody").replaceChildren(...days.map((d) => el("tr", null,
        el("td", { text: d.day }), el("td", { text: d.summary || t("booking.no_forecast") }),
        el("td", { text: d.temp_low ?? "" }), el("td", { text: d.temp_high ?? "" }), el("td", { text: d.source || "" }))));
    } catch (err) { toast(errorText(err), "error"); }
  }
  wf.elements.city.addEventListener("change", loadForecast);
  wf.elements.day.addEventListener("change", loadForecast);
  wf.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFieldErrors(wf);
    const f = wf.elements, num = (v) => (String(v).trim() === "" ? null : Number(v));
    const city = f.city.value.trim();
    if (!city) { f.city.focus(); return; }
    try {
      await api("PUT", `/api/bookings/weather/${encodeURIComponent(city)}/${f.day.value}`,
        { summary: f.summary.value, temp_low: num(f.temp_low.value), temp_high: num(f.temp_high.value) });
      toast(t("booking.saved"));
      loadForecast();
    } catch (err) { showFieldError(err, { scope: wf, slots: true, mark: "invalid", fallback: "summary" }); }
  });

  // ---------------------------------------------------------------- hotels
  const hf = $("bkh-form");
  async function loadHotels() {
    try {
      const list = await api("GET", "/api/bookings/hotels?limit=50");
      $("bkh-table").querySelector("tbody").replaceChildren(...list.map((h) => el("tr", null,
        el("td", { text: h.name }), el("td", { text: h.city }), el("td", { text: h.address }), el("td", { text: h.phone }),
        el("td", { text: h.price_low_fen !== null ? `¥${yuan(h.price_low_fen)}–${yuan(h.price_high_fen)}` : "" }))));
      const cities = await api("GET", "/api/bookings/hotels/cities");
      $("bkw-cities").replaceChildren(...cities.map((c) => el("option", { value: c })));
    } catch (err) { toast(errorText(err), "error"); }
  }
  hf.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFieldErrors(hf);
    const f = hf.elements, fen = (v) => (String(v).trim() === "" ? null : Math.round(Number(v) * 100));
    try {
      await api("POST", "/api/bookings/hotels", { name: f.name.value, city: f.city.value, address: f.address.value,
        phone: f.phone.value, price_low_fen: fen(f.price_low.value), price_high_fen: fen(f.price_high.value) });
      hf.reset();
      loadHotels();
    } catch (err) { showFieldError(err, { scope: hf, slots: true, mark: "invalid", fallback: "name" }); }
  });
  loadHotels();
})();
