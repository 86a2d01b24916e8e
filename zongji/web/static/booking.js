/* A hotel booking (issue 17, R-T1/R-T2), /bookings/new (?call_id= from the console: the caller's
   number, name and mobile carried over) and /bookings/{id}: the form, its read-back (zh/en, from
   POST /api/bookings/hotel/preview) read to the customer before saving; then the hotel called
   (click-to-call), its answer recorded (confirmed with its number / refused with the reason and
   other hotels proposed with the apology), changes and cancellations read back the same way,
   and the customer's messages with their state. Live topic "booking". */

import { api, errorText, newestRead } from "./api.js";
import { $, el, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { subscribe } from "./live.js";
import { fmtStamp, localDate } from "./local_time.js";
import { clearFieldErrors, showFieldError } from "./form_errors.js";
// Read again on live messages and after changes: the newest read wins (api.newestRead).
const freshBooking = newestRead();

(function () {
  const root = $("booking-page");
  if (!root) return;
  const bookingId = Number(root.dataset.bookingId) || null;
  const callId = Number(root.dataset.callId) || null;
  const form = $("bk-form");
  let booking = null, previewed = false, changing = false;

  const yuan = (fen) => (fen === null || fen === undefined ? "" : (fen / 100).toFixed(fen % 100 ? 2 : 0));

  // ---------------------------------------------------------------- the form

  function roomRow(r) {
    const n = $("bk-rooms").querySelector("tbody").children.length;
    const tr = el("tr", null,
      el("td", null, el("input", { name: `rooms.${n}.room_type`, maxlength: 40, size: 10, value: r ? r.room_type : "" })),
      el("td", null, el("input", { name: `rooms.${n}.count`, type: "number", min: 1, max: 50, step: 1, size: 3, value: r ? r.count : 1 })),
      el("td", null, el("input", { name: `rooms.${n}.nightly_fen`, type: "number", min: 0, step: "0.01", size: 6, value: r ? yuan(r.nightly_fen) : "" })),
      el("td", null, el("button", { type: "button", class: "btn", text: "×", onclick: () => { tr.remove(); renumber(); unpreview(); } })));
    $("bk-rooms").querySelector("tbody").append(tr);
  }

  function renumber() {
    [...$("bk-rooms").querySelectorAll("tbody tr")].forEach((tr, i) => {
      tr.querySelectorAll("input").forEach((inp) => { inp.name = inp.name.replace(/^rooms\.\d+\./, `rooms.${i}.`); });
    });
  }

  function body() {
    const f = form.elements;
    const rooms = [...$("bk-rooms").querySelectorAll("tbody tr")].map((tr) => {
      const [type, count, price] = tr.querySelectorAll("input");
      return { room_type: type.value, count: Number(count.value) || 0, nightly_fen: Math.round(Number(price.value) * 100) || 0 };
    });
    return {
      hotel_id: Number(f.hotel_id.value) || 0, customer_name: f.customer_name.value, mobile: f.mobile.value,
      check_in: f.check_in.value || null, check_out: f.check_out.value || null, rooms,
      guest_names: f.guest_names.value.split(/[,，、;；]/).map((s) => s.trim()).filter(Boolean),
      latest_arrival: f.latest_arrival.value.trim() || null, hold_free: f.hold_free.checked,
      breakfast: f.breakfast.value, special_requests: f.special_requests.value,
    };
  }

  function unpreview() {
    previewed = false;
    $("bk-save").disabled = true;
    $("bk-preview-box").hidden = true;
  }

  function hotelInfo() {
    const opt = $("bk-hotel-id").selectedOptions[0];
    const h = opt && opt.hotel;
    $("bk-hotel-info").textContent = h ? [h.city, h.address, h.phone, priceRange(h)].filter(Boolean).join(" · ") : "";
  }

  function priceRange(h) {
    return h.price_low_fen !== null && h.price_high_fen !== null ? `¥${yuan(h.price_low_fen)}–${yuan(h.price_high_fen)}` : "";
  }

  async function searchHotels(q, keep) {
    const sel = $("bk-hotel-id");
    try {
      const list = await api("GET", "/api/bookings/hotels?limit=50&q=" + encodeURIComponent(q || ""));
      if (keep && !list.some((h) => h.id === keep.id)) list.unshift(keep);
      sel.replaceChildren(...list.map((h) => {
        const o = el("option", { value: h.id, text: `${h.name}（${h.city}）` });
        o.hotel = h;
        return o;
      }));
      if (keep) sel.value = String(keep.id);
      hotelInfo();
    } catch (err) { toast(errorText(err), "error"); }
  }

  let searchTimer = null;
  $("bk-hotel-q").addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => { searchHotels($("bk-hotel-q").value); unpreview(); }, 250);
  });
  $("bk-hotel-id").addEventListener("change", () => { hotelInfo(); unpreview(); });
  form.addEventListener("input", (e) => { if (e.target !== $("bk-hotel-q")) unpreview(); });
  $("bk-add-room").addEventListener("click", () => { roomRow(null); unpreview(); });

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    const url = changing ? `/api/bookings/${bookingId}/preview` : "/api/bookings/hotel/preview";
    try {
      const out = await api("POST", url, body());
      $("bk-prev-zh").textContent = out.read_back.zh;
      $("bk-prev-en").textContent = out.read_back.en;
      $("bk-preview-box").hidden = false;
      previewed = true;
      $("bk-save").disabled = false;
      $("bk-save").focus();
    } catch (err) {
      showFieldError(err, { scope: form, slots: true, mark: "invalid", fallback: "form" });
    }
  });

  $("bk-save").addEventListener("click", async () => {
    if (!previewed) return;
    clearFieldErrors(form);
    try {
      if (changing) {
        booking = await api("PUT", `/api/bookings/${bookingId}`, { ...body(), read_back_heard: true });
        closeForm();
        render();
        toast(t("booking.saved"));
      } else {
        const b = await api("POST", "/api/bookings/hotel", { ...body(), call_id: callId, read_back_heard: true });
        location.href = `/bookings/${b.id}`;
      }
    } catch (err) {
      showFieldError(err, { scope: form, slots: true, mark: "invalid", fallback: "form" });
    }
  });

  function fill(b, hotel) {
    const f = form.elements;
    f.customer_name.value = b.customer_name; f.mobile.value = b.mobile;
    f.check_in.value = b.check_in; f.check_out.value = b.check_out;
    f.latest_arrival.value = b.latest_arrival || ""; f.hold_free.checked = b.hold_free;
    f.breakfast.value = b.breakfast; f.special_requests.value = b.special_requests || "";
    f.guest_names.value = (b.guest_names || []).join("、");
    $("bk-rooms").querySelector("tbody").replaceChildren();
    b.rooms.forEach(roomRow);
    searchHotels("", hotel || b.hotel);
  }

  function openForm(hotel) {
    changing = true;
    fill(booking, hotel);
    unpreview();
    $("bk-form-panel").hidden = false;
    $("bk-form-close").hidden = false;
    form.elements.customer_name.focus();
  }

  function closeForm() {
    changing = false;
    $("bk-form-panel").hidden = true;
  }
  $("bk-form-close").addEventListener("click", closeForm);

  // ---------------------------------------------------------------- one booking

  function row(label, value) {
    return el("tr", null, el("th", { text: label }), el("td", { text: value === null || value === undefined ? "" : String(value) }));
  }

  function render() {
    if (!booking) return;
    const b = booking;
    $("bk-number").textContent = b.number;
    $("bk-view").hidden = false;
    $("bk-state").textContent = t("booking.state." + b.state);
    $("bk-state").className = "bk-state bk-" + b.state;
    $("bk-hotel").textContent = b.hotel ? `${b.hotel.name}（${b.hotel.city}） ${b.hotel.phone}` : "";
    $("bk-fields").replaceChildren(
      row(t("booking.customer_name"), b.customer_name), row(t("booking.mobile"), b.mobile),
      row(t("booking.caller"), b.caller_number || ""),
      row(t("booking.dates"), `${b.check_in} → ${b.check_out}（${t("booking.nights", { n: b.nights })}）`),
      row(t("booking.rooms"), b.rooms.map((r) => `${r.room_type} × ${r.count}  ¥${yuan(r.nightly_fen)}`).join("；")),
      row(t("booking.total"), "¥" + yuan(b.total_fen)),
      row(t("booking.breakfast"), t("booking.breakfast." + b.breakfast)),
      row(t("booking.latest_arrival"), b.hold_free ? t("booking.hold_free") : (b.latest_arrival || "18:00")),
      row(t("booking.guest_names"), (b.guest_names || []).join("、")),
      row(t("booking.special_requests"), b.special_requests),
      row(t("booking.confirmation_number"), b.confirmation_number || ""),
      row(t("booking.reason"), b.refusal_reason || ""));
    $("bk-rb-zh").textContent = b.read_back.zh;
    $("bk-rb-en").textContent = b.read_back.en;
    const open = b.state !== "cancelled";
    $("bk-answer").hidden = !["awaiting", "refused"].includes(b.state);
    $("bk-dial").hidden = !open;
    $("bk-change").hidden = !open;
    $("bk-cancel").hidden = !open;
    $("bk-cancel-box").hidden = true;
    renderAlternatives(b.state === "refused" ? b.alternatives : [], null);
    $("bk-messages").querySelector("tbody").replaceChildren(...b.messages.map((m) => el("tr", null,
      el("td", { text: t("booking.msg." + m.kind) }),
      el("td", { text: t("booking.msg_state." + m.state) + (m.error ? `（${m.error}）` : "") }),
      el("td", { text: fmtStamp(m.sent_at || m.due_at) }), el("td", { text: m.text || "" }))));
    $("bk-history").querySelector("tbody").replaceChildren(...b.events.map((e) => el("tr", null,
      el("td", { text: fmtStamp(e.at) }), el("td", { text: t("booking.event." + e.action) }), el("td", { text: e.by }),
      el("td", { text: e.read_back || detailText(e) }))));
  }

  function detailText(e) {
    const d = e.detail || {};
    if (e.action === "dialled") return `${d.number || ""} → ${d.extension || ""} ${d.result ? t("booking.dial." + d.result) : ""}`;
    return [d.confirmation_number, d.reason].filter(Boolean).join(" ");
  }

  function renderAlternatives(list, apology) {
    const box = $("bk-alternatives");
    box.hidden = !list.length && !apology;
    $("bk-apology").textContent = apology ? apology.zh : (list.length ? t("booking.alternatives") : "");
    box.querySelector("tbody").replaceChildren(...list.map((h) => el("tr", null,
      el("td", { text: `${h.name}（${h.city}）` }), el("td", { text: h.phone }), el("td", { text: priceRange(h) }),
      el("td", null, el("button", { type: "button", class: "btn", text: t("booking.switch_hotel"), onclick: () => openForm(h) })))));
  }

  async function load() {
    try {
      booking = await freshBooking(api("GET", `/api/bookings/${bookingId}`));
      render();
    } catch (err) { toast(errorText(err), "error"); }
  }

  $("bk-dial").addEventListener("click", async () => {
    try {
      const out = await api("POST", `/api/bookings/${bookingId}/dial`, {});
      $("bk-dial-number").textContent = t("booking.dialling", { number: out.number });
      load();
    } catch (err) { toast(errorText(err), "error"); }
  });

  $("bk-answer").addEventListener("submit", async (e) => {
    e.preventDefault();
    const f = $("bk-answer");
    clearFieldErrors(f);
    try {
      const out = await api("POST", `/api/bookings/${bookingId}/answer`, {
        result: f.elements.result.value, confirmation_number: f.elements.confirmation_number.value || null,
        reason: f.elements.reason.value || null });
      booking = out.booking;
      render();
      if (out.state === "refused") renderAlternatives(out.alternatives || [], out.apology);
      f.reset();
    } catch (err) { showFieldError(err, { scope: f, slots: true, mark: "invalid", fallback: "state" }); }
  });

  $("bk-change").addEventListener("click", () => openForm(null));
  $("bk-cancel").addEventListener("click", async () => {
    try {
      const rb = await api("GET", `/api/bookings/${bookingId}/cancel-read-back`);
      $("bk-cancel-zh").textContent = rb.zh;
      $("bk-cancel-en").textContent = rb.en;
      $("bk-cancel-box").hidden = false;
      $("bk-cancel-reason").focus();
    } catch (err) { toast(errorText(err), "error"); }
  });
  $("bk-cancel-go").addEventListener("click", async () => {
    try {
      booking = await api("POST", `/api/bookings/${bookingId}/cancel`, { reason: $("bk-cancel-reason").value, read_back_heard: true });
      render();
    } catch (err) { toast(errorText(err), "error"); }
  });

  // ---------------------------------------------------------------- start

  if (bookingId) {
    load();
    subscribe(["booking"], (m) => { if (String(m.entity_id) === String(bookingId) && !changing) load(); });
  } else {
    roomRow(null);
    const today = localDate();
    form.elements.check_in.value = today;
    searchHotels("");
    if (callId) {
      api("GET", `/api/bookings/from-call/${callId}`).then((c) => {
        $("bk-caller").hidden = false;
        $("bk-caller").textContent = t("booking.from_call", { number: c.caller_number || "", name: c.caller_name || "" });
        if (c.caller_name) form.elements.customer_name.value = c.caller_name;
        if (c.mobile) form.elements.mobile.value = c.mobile;
      }).catch((err) => toast(errorText(err), "error"));
    }
    $("bk-hotel-q").focus();
  }
  onLocale(render);
})();
