/* A flight booking (issue 17 point 4), /travel/flights/new (?call_id= carries the caller over)
   and /travel/flights/{id}: the form — passengers with real names and ID numbers, cities, date
   and time, one way or return, payment on delivery (the address) or e-ticket —, its read-back
   (zh/en, from the server) read to the customer before saving; then the booking with the ID
   numbers as the server shows them to the reader's role, its change and cancellation read back
   the same way with the reason, and its history (who, when, why). Keys: Enter reads back,
   Ctrl+Enter reads back or, once read back, saves. Data: /api/travel/flights. */

import { api, errorText } from "./api.js";
import { $, el, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { fmtStamp, localDate } from "./local_time.js";
import { clearFieldErrors, showFieldError } from "./form_errors.js";

(function () {
  const root = $("tf-page");
  if (!root) return;
  const bookingId = Number(root.dataset.bookingId) || null;
  const callId = Number(root.dataset.callId) || null;
  const form = $("tf-form");
  const f = form.elements;
  let booking = null, previewed = false, changing = false;
  const fail = (scope) => (err) => showFieldError(err, { scope, slots: true, mark: "invalid", fallback: "form" });

  // ---------------------------------------------------------------- the form

  function passengerRow(p) {
    const tbody = $("tf-passengers").querySelector("tbody");
    const n = tbody.children.length;
    const kind = el("select", { name: `passengers.${n}.id_kind`, "aria-label": t("tf.id_kind") });
    kind.append($("tf-id-kinds").content.cloneNode(true));
    kind.querySelectorAll("option").forEach((o) => { o.textContent = t(o.dataset.i18n); });
    if (p) kind.value = p.id_kind;
    const tr = el("tr", null,
      el("td", null, el("input", { name: `passengers.${n}.name`, maxlength: 60, value: p ? p.name : "", "aria-label": t("tf.name") }),
        el("span", { class: "field-error", "data-for": `passengers.${n}.name` })),
      el("td", null, kind),
      el("td", null, el("input", { name: `passengers.${n}.id_number`, maxlength: 30, value: p ? (p.id_number || "") : "", "aria-label": t("tf.id_number") }),
        el("span", { class: "field-error", "data-for": `passengers.${n}.id_number` })),
      el("td", null, el("button", { type: "button", class: "btn", text: "×", "aria-label": t("tf.remove_passenger"),
        onclick: () => { tr.remove(); renumber(); unpreview(); } })));
    tbody.append(tr);
    return tr;
  }

  function renumber() {
    [...$("tf-passengers").querySelectorAll("tbody tr")].forEach((tr, i) => {
      tr.querySelectorAll("[name]").forEach((x) => { x.name = x.name.replace(/^passengers\.\d+\./, `passengers.${i}.`); });
      tr.querySelectorAll(".field-error").forEach((x) => { x.dataset.for = x.dataset.for.replace(/^passengers\.\d+\./, `passengers.${i}.`); });
    });
  }

  function shape() {
    const ret = f.trip.value === "return";
    form.querySelectorAll(".tf-return").forEach((n) => { n.hidden = !ret; });
    $("tf-address").hidden = f.payment.value !== "on_delivery";
  }

  function body() {
    const passengers = [...$("tf-passengers").querySelectorAll("tbody tr")].map((tr) => ({
      name: tr.querySelector("[name$='.name']").value, id_kind: tr.querySelector("select").value,
      id_number: tr.querySelector("[name$='.id_number']").value }));
    const ret = f.trip.value === "return";
    return {
      customer: f.customer.value, mobile: f.mobile.value, passengers, from_city: f.from_city.value, to_city: f.to_city.value,
      flight_number: f.flight_number.value.trim() || null, departure_date: f.departure_date.value || null,
      departure_time: f.departure_time.value || null, trip: f.trip.value,
      return_date: ret ? (f.return_date.value || null) : null, return_time: ret ? (f.return_time.value || null) : null,
      payment: f.payment.value, delivery_address: f.payment.value === "on_delivery" ? f.delivery_address.value : null,
    };
  }

  function unpreview() {
    previewed = false;
    $("tf-save").disabled = true;
    $("tf-preview-box").hidden = true;
  }

  async function preview() {
    clearFieldErrors(form);
    const url = changing ? `/api/travel/flights/${bookingId}/read-back` : "/api/travel/flights/read-back";
    try {
      const rb = await api("POST", url, changing ? { ...body(), reason: f.reason.value } : body());
      $("tf-prev-zh").textContent = rb.zh;
      $("tf-prev-en").textContent = rb.en;
      $("tf-preview-box").hidden = false;
      previewed = true;
      $("tf-save").disabled = false;
      $("tf-save").focus();
    } catch (err) { fail(form)(err); }
  }

  async function save() {
    if (!previewed) return;
    clearFieldErrors(form);
    try {
      if (changing) {
        booking = await api("PUT", `/api/travel/flights/${bookingId}`, { ...body(), reason: f.reason.value, read_back_heard: true });
        closeForm();
        render();
        toast(t("tf.changed"));
        $("tf-change").focus();
      } else {
        const b = await api("POST", "/api/travel/flights", { ...body(), read_back_heard: true });
        location.href = `/travel/flights/${b.id}`;
      }
    } catch (err) { fail(form)(err); }
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); preview(); });
  form.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.ctrlKey) { e.preventDefault(); if (previewed) save(); else preview(); }
  });
  $("tf-save").addEventListener("click", save);
  // Any field changed, the reason too (it is said back with a change): read back again.
  form.addEventListener("input", () => unpreview());
  form.addEventListener("change", (e) => { if (e.target === f.trip || e.target === f.payment) shape(); });
  $("tf-add-passenger").addEventListener("click", () => { passengerRow(null).querySelector("input").focus(); unpreview(); });

  function fill(b) {
    for (const k of ["customer", "mobile", "from_city", "to_city", "departure_date", "trip", "payment"]) f[k].value = b[k] || "";
    f.flight_number.value = b.flight_number || ""; f.departure_time.value = b.departure_time || "";
    f.return_date.value = b.return_date || ""; f.return_time.value = b.return_time || "";
    f.delivery_address.value = b.delivery_address || ""; f.reason.value = "";
    $("tf-passengers").querySelector("tbody").replaceChildren();
    b.passengers.forEach(passengerRow);
    shape();
  }

  function openForm() {
    changing = true;
    fill(booking);
    unpreview();
    clearFieldErrors(form);
    $("tf-form-panel").hidden = false;
    $("tf-form-close").hidden = false;
    $("tf-reason-field").hidden = false;
    f.customer.focus();
  }

  function closeForm() {
    changing = false;
    $("tf-form-panel").hidden = true;
  }
  $("tf-form-close").addEventListener("click", () => { closeForm(); $("tf-change").focus(); });

  // ---------------------------------------------------------------- one booking

  function row(label, value) {
    return el("tr", null, el("th", { text: label }), el("td", { text: value === null || value === undefined ? "" : String(value) }));
  }

  function render() {
    if (!booking) return;
    const b = booking, can = new Set(b.actions);
    $("tf-view").hidden = false;
    $("tf-number").textContent = b.number;
    $("tf-state").textContent = t("tf.status." + b.status);
    $("tf-state").dataset.status = b.status;
    $("tf-route").textContent = `${b.from_city} → ${b.to_city}${b.flight_number ? " · " + b.flight_number : ""}`;
    $("tf-fields").replaceChildren(
      row(t("tf.customer"), `${b.customer}  ${b.mobile}`),
      row(t("tf.departure"), `${b.departure_date} ${b.departure_time || ""}`),
      row(t("tf.trip"), t("tf.trip." + b.trip) + (b.return_date ? `  ${b.return_date} ${b.return_time || ""}` : "")),
      row(t("tf.payment"), t("travel.payment." + b.payment) + (b.delivery_address ? `  ${b.delivery_address}` : "")),
      row(t("tf.ids_erase_at"), fmtStamp(b.ids_erase_at)));
    $("tf-masked").hidden = !b.ids_masked;
    $("tf-people").querySelector("tbody").replaceChildren(...b.passengers.map((p) => el("tr", null,
      el("td", { text: p.name }), el("td", { text: t("tf.id_kind." + p.id_kind) }),
      el("td", { text: p.id_erased ? t("travel.id_erased") : p.id_number }))));
    $("tf-rb").hidden = b.status === "cancelled";  // what was booked is on the history
    $("tf-rb-zh").textContent = b.read_back ? b.read_back.zh : "";
    $("tf-rb-en").textContent = b.read_back ? b.read_back.en : "";
    $("tf-change").hidden = !can.has("change");
    $("tf-cancel").hidden = !can.has("cancel");
    if (!can.has("cancel")) $("tf-cancel-box").hidden = true;
    $("tf-history").querySelector("tbody").replaceChildren(...(b.events || []).map((e) => el("tr", null,
      el("td", { text: fmtStamp(e.at) }), el("td", { text: t("tf.event." + e.action) }), el("td", { text: e.by }),
      el("td", { text: e.reason || "" }), el("td", { text: e.read_back || "" }))));
  }

  const cancelBox = $("tf-cancel-box");
  $("tf-change").addEventListener("click", openForm);
  $("tf-cancel").addEventListener("click", () => {
    cancelBox.hidden = false;
    cancelBox.querySelector(".tf-rb").hidden = true;
    $("tf-cancel-go").disabled = true;
    cancelBox.elements.reason.focus();
  });
  cancelBox.elements.reason.addEventListener("input", () => { $("tf-cancel-go").disabled = true; cancelBox.querySelector(".tf-rb").hidden = true; });
  cancelBox.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFieldErrors(cancelBox);
    const reason = cancelBox.elements.reason.value.trim();
    if (!reason) {
      showFieldError({ status: 422, body: { field: "reason", message: t("tf.reason_needed") } }, { scope: cancelBox, slots: true, mark: "invalid" });
      return;
    }
    try {
      const rb = await api("GET", `/api/travel/flights/${bookingId}/cancel-read-back?reason=${encodeURIComponent(reason)}`);
      $("tf-cancel-zh").textContent = rb.zh;
      $("tf-cancel-en").textContent = rb.en;
      cancelBox.querySelector(".tf-rb").hidden = false;
      $("tf-cancel-go").disabled = false;
      $("tf-cancel-go").focus();
    } catch (err) { fail(cancelBox)(err); }
  });
  $("tf-cancel-go").addEventListener("click", async () => {
    clearFieldErrors(cancelBox);
    try {
      booking = await api("POST", `/api/travel/flights/${bookingId}/cancel`, { reason: cancelBox.elements.reason.value, read_back_heard: true });
      cancelBox.hidden = true;
      render();
      toast(t("tf.cancelled"));
    } catch (err) { fail(cancelBox)(err); }
  });

  // ---------------------------------------------------------------- start

  if (bookingId) {
    api("GET", `/api/travel/flights/${bookingId}`).then((b) => { booking = b; render(); })
      .catch((err) => toast(errorText(err), "error"));
  } else {
    passengerRow(null);
    f.departure_date.value = localDate();
    f.payment.value = "e_ticket";
    shape();
    if (callId) {
      api("GET", `/api/bookings/from-call/${callId}`).then((c) => {
        $("tf-caller").hidden = false;
        $("tf-caller").textContent = t("booking.from_call", { number: c.caller_number || "", name: c.caller_name || "" });
        if (c.caller_name) f.customer.value = c.caller_name;
        if (c.mobile || c.caller_number) f.mobile.value = c.mobile || c.caller_number;
      }).catch((err) => toast(errorText(err), "error"));
    }
    f.customer.focus();
  }
  onLocale(render);
})();
