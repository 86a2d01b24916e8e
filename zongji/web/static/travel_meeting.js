/* A meeting booking (issue 17 point 3), /travel/meetings/new (?call_id= carries the caller over)
   and /travel/meetings/{id}: the requirements form, then the booking's one page — its state
   among the steps, the quote with its lines (lines added and saved again while it may be
   quoted), the hotel's confirmation, the deposit due (2 working days after) and its reminder,
   and only the actions the server says its state allows. Data: /api/travel/meetings. */

import { api, errorText } from "./api.js";
import { $, el, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { fmtStamp, localDate } from "./local_time.js";
import { clearFieldErrors, showFieldError } from "./form_errors.js";

(function () {
  const root = $("tm-page");
  if (!root) return;
  const bookingId = Number(root.dataset.bookingId) || null;
  const callId = Number(root.dataset.callId) || null;
  const STEPS = ["requested", "quoted", "hotel_confirmed", "deposit_paid"];
  let booking = null;

  const yuan = (fen) => (fen === null || fen === undefined ? "" : "¥" + (fen / 100).toFixed(2));
  const fen = (text) => (String(text).trim() === "" ? null : Math.round(Number(text) * 100));
  const fail = (form, fallback) => (err) => showFieldError(err, { scope: form, slots: true, mark: "invalid", fallback });

  // ---------------------------------------------------------------- the requirements form

  function startForm() {
    const form = $("tm-form");
    const f = form.elements;
    const hotels = new Map();
    f.start_date.value = localDate();
    f.end_date.value = localDate();
    f.start_date.addEventListener("change", () => { if (f.end_date.value < f.start_date.value) f.end_date.value = f.start_date.value; });
    let timer = null;
    f.hotel_name.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(async () => {
        try {
          const list = await api("GET", "/api/bookings/hotels?limit=20&q=" + encodeURIComponent(f.hotel_name.value.trim()));
          hotels.clear();
          $("tm-hotels").replaceChildren(...list.map((h) => { hotels.set(h.name, h.id); return el("option", { value: h.name, label: h.city }); }));
        } catch (err) { /* the hotel stays free text */ }
      }, 250);
    });
    if (callId) {
      api("GET", `/api/bookings/from-call/${callId}`).then((c) => {
        $("tm-caller").hidden = false;
        $("tm-caller").textContent = t("booking.from_call", { number: c.caller_number || "", name: c.caller_name || "" });
        if (c.caller_name) f.contact.value = c.caller_name;
        if (c.mobile || c.caller_number) f.mobile.value = c.mobile || c.caller_number;
      }).catch((err) => toast(errorText(err), "error"));
    }
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      const name = f.hotel_name.value.trim();
      const body = {
        hotel_name: name, hotel_id: hotels.get(name) || null, kind: f.kind.value, needs: f.needs.value,
        start_date: f.start_date.value || null, end_date: f.end_date.value || null,
        attendees: f.attendees.value === "" ? null : Number(f.attendees.value), rooms: Number(f.rooms.value) || 0,
        budget_fen: fen(f.budget_fen.value), contact: f.contact.value, mobile: f.mobile.value,
      };
      try {
        const m = await api("POST", "/api/travel/meetings", body);
        location.href = `/travel/meetings/${m.id}`;
      } catch (err) { fail(form, "form")(err); }
    });
    // Ctrl+Enter saves from anywhere in the form (Enter does too, outside the text area).
    form.addEventListener("keydown", (e) => { if (e.key === "Enter" && e.ctrlKey) { e.preventDefault(); form.requestSubmit(); } });
    f.hotel_name.focus();
  }

  // ---------------------------------------------------------------- one booking

  function row(label, value) {
    return el("tr", null, el("th", { text: label }), el("td", { text: value === null || value === undefined ? "" : String(value) }));
  }

  function lineRow(line) {
    const tbody = $("tm-lines").querySelector("tbody");
    const n = tbody.children.length;
    const tr = el("tr", null,
      el("td", null, el("input", { name: `lines.${n}.label`, maxlength: 120, size: 18, value: line ? line.label : "", "aria-label": t("tm.line_label") })),
      el("td", null, el("input", { name: `lines.${n}.quantity`, type: "number", min: 1, step: 1, size: 4, value: line ? line.quantity : 1, "aria-label": t("tm.quantity") })),
      el("td", null, el("input", { name: `lines.${n}.unit_fen`, type: "number", min: 0, step: "0.01", size: 8, value: line ? (line.unit_fen / 100).toFixed(2) : "", "aria-label": t("tm.unit_yuan") })),
      el("td", null, el("button", { type: "button", class: "btn", text: "×", "aria-label": t("tm.remove_line"), onclick: () => { tr.remove(); renumber(); } })));
    tbody.append(tr);
    return tr;
  }

  function renumber() {
    [...$("tm-lines").querySelectorAll("tbody tr")].forEach((tr, i) => {
      tr.querySelectorAll("input").forEach((inp) => { inp.name = inp.name.replace(/^lines\.\d+\./, `lines.${i}.`); });
    });
  }

  const reminderText = (m) => {
    const due = fmtStamp(m.deposit_due_at);
    return t("tm.reminder." + m.deposit_reminder, { due, at: fmtStamp(m.reminded_at), paid: fmtStamp(m.deposit_paid_at), amount: yuan(m.deposit_fen) });
  };

  function render() {
    if (!booking) return;
    const m = booking, can = new Set(m.actions);
    $("tm-view").hidden = false;
    $("tm-number").textContent = "#" + m.id;
    $("tm-state").textContent = t("travel.status." + m.status);
    $("tm-state").dataset.status = m.status;
    $("tm-hotel").textContent = m.hotel_name;
    const at = STEPS.indexOf(m.status);
    $("tm-steps").querySelectorAll("li").forEach((li, i) => {
      li.className = at < 0 ? "" : i < at ? "done" : i === at ? "now" : "";
    });
    $("tm-fields").replaceChildren(
      row(t("tm.hotel"), m.hotel_name), row(t("tm.kind"), t("travel.meeting_kind." + m.kind)),
      row(t("tm.dates"), m.start_date === m.end_date ? m.start_date : `${m.start_date} → ${m.end_date}`),
      row(t("tm.attendees"), m.attendees), row(t("tm.rooms"), m.rooms),
      row(t("tm.budget_yuan"), m.budget_fen === null ? "" : yuan(m.budget_fen)), row(t("tm.needs"), m.needs),
      row(t("tm.contact"), `${m.contact}  ${m.mobile}`), row(t("tm.taken"), `${fmtStamp(m.created_at)}  ${m.operator.replace(/^user:/, "")}`));
    const lines = (m.quote && m.quote.lines) || [];
    $("tm-quote").hidden = !lines.length;
    $("tm-no-quote").hidden = lines.length > 0;
    $("tm-quote").querySelector("tbody").replaceChildren(...lines.map((l) => el("tr", null,
      el("td", { text: l.label }), el("td", { text: String(l.quantity) }), el("td", { text: yuan(l.unit_fen) }), el("td", { text: yuan(l.amount_fen) }))));
    $("tm-total").textContent = yuan(m.total_fen);
    $("tm-deposit-label").textContent = m.quote ? t("tm.deposit_share", { percent: m.quote.deposit_percent }) : "";
    $("tm-deposit").textContent = yuan(m.deposit_fen);
    const qf = $("tm-quote-form");
    qf.hidden = !can.has("quote");
    if (!qf.hidden) {
      $("tm-lines").querySelector("tbody").replaceChildren();
      (lines.length ? lines : [null]).forEach(lineRow);
    }
    $("tm-confirmation").textContent = m.hotel_confirmation || m.confirmed_at
      ? t("tm.confirmed", { number: m.hotel_confirmation || "—", at: fmtStamp(m.confirmed_at) }) : t("tm.not_confirmed");
    $("tm-confirm-form").hidden = !can.has("confirm");
    $("tm-deposit-state").textContent = reminderText(m);
    $("tm-deposit-state").className = ["overdue", "reminded"].includes(m.deposit_reminder) ? "tm-overdue" : "";
    $("tm-pay").hidden = !can.has("pay_deposit");
    $("tm-end-form").hidden = !can.has("refuse") && !can.has("cancel");
    $("tm-refuse").hidden = !can.has("refuse");
    $("tm-cancel").hidden = !can.has("cancel");
    $("tm-reason").textContent = m.reason ? t("tm.reason_shown", { reason: m.reason }) : "";
  }

  async function act(action, body, form, fallback) {
    if (form) clearFieldErrors(form);
    try {
      booking = await api("POST", `/api/travel/meetings/${bookingId}/actions/${action}`, body || {});
      render();
      toast(t("tm.done." + action));
      return true;
    } catch (err) {
      if (form) fail(form, fallback)(err); else toast(errorText(err), "error");
      return false;
    }
  }

  function startView() {
    $("tm-add-line").addEventListener("click", () => lineRow(null).querySelector("input").focus());
    $("tm-quote-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const lines = [...$("tm-lines").querySelectorAll("tbody tr")].map((tr) => {
        const [label, qty, unit] = tr.querySelectorAll("input");
        return { label: label.value, quantity: Number(qty.value) || 0, unit_fen: fen(unit.value) ?? 0 };
      });
      act("quote", { lines }, $("tm-quote-form"), "lines");
    });
    $("tm-confirm-form").addEventListener("submit", (e) => {
      e.preventDefault();
      act("confirm", { confirmation: $("tm-confirm-form").elements.confirmation.value || null }, $("tm-confirm-form"), "confirmation");
    });
    $("tm-pay").addEventListener("click", () => act("pay_deposit", {}, null));
    $("tm-end-form").addEventListener("submit", (e) => {
      e.preventDefault();
      const action = (e.submitter && e.submitter.dataset.action) || "cancel";
      act(action, { reason: $("tm-end-form").elements.reason.value }, $("tm-end-form"), "reason");
    });
    api("GET", `/api/travel/meetings/${bookingId}`).then((m) => { booking = m; render(); })
      .catch((err) => toast(errorText(err), "error"));
  }

  if (bookingId) startView(); else startForm();
  onLocale(render);
})();
