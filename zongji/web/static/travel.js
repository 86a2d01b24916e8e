/* The meeting and flight bookings page (issue 17 points 3, 4), /travel: search by customer,
   mobile or date; each booking with its state. ID numbers arrive masked or not as the server
   decides for the reader's role (R-T5). A row opens the booking's page. Data: /api/travel/bookings. */

import { api, errorText } from "./api.js";
import { $, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { fmtStamp } from "./local_time.js";

(function () {
  const root = document.getElementById("travel-page");
  if (!root) return;
  let last = [];

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text == null ? "" : String(text);
    return td;
  }

  function link(text, url) {
    const td = document.createElement("td");
    const a = document.createElement("a");
    a.href = url;
    a.textContent = text;
    td.append(a);
    return td;
  }

  function yuan(fen) {
    return fen == null ? "" : "¥" + (fen / 100).toFixed(2);
  }

  function row(b) {
    const tr = document.createElement("tr");
    const url = b.kind_of_booking === "meeting" ? `/travel/meetings/${b.id}` : `/travel/flights/${b.id}`;
    tr.className = "clickable";
    tr.dataset.url = url;
    tr.addEventListener("click", () => { location.href = url; });
    if (b.kind_of_booking === "meeting") {
      const detail = [];
      if (b.total_fen != null) detail.push(t("travel.total", { amount: yuan(b.total_fen) }));
      if (b.deposit_due_at) detail.push(t("travel.deposit_due", { amount: yuan(b.deposit_fen), at: fmtStamp(b.deposit_due_at) }));
      if (b.reason) detail.push(b.reason);
      tr.append(link(t("travel.kind.meeting") + " #" + b.id, url), cell(b.contact), cell(b.mobile),
        cell(b.hotel_name + " · " + t("travel.meeting_kind." + b.kind) + " · " + t("travel.attendees", { n: b.attendees })),
        cell(b.start_date + " – " + b.end_date), cell(t("travel.status." + b.status)), cell(detail.join("；")));
    } else {
      const people = b.passengers.map((p) => p.name + " " + (p.id_erased ? t("travel.id_erased") : p.id_number)).join("；");
      const dates = b.departure_date + " " + (b.departure_time || "") +
        (b.return_date ? " · " + t("travel.return_on") + " " + b.return_date + " " + (b.return_time || "") : "");
      tr.append(link(t("travel.kind.flight") + " " + b.number, url), cell(b.customer), cell(b.mobile),
        cell(b.from_city + " → " + b.to_city + (b.flight_number ? " · " + b.flight_number : "")),
        cell(dates), cell(t("tf.status." + b.status) + " · " + t("travel.payment." + b.payment)), cell(people));
    }
    return tr;
  }

  function render(list) {
    last = list;
    $("travel-list").querySelector("tbody").replaceChildren(...list.map(row));
    $("travel-empty").hidden = list.length > 0;
  }

  async function load() {
    const params = new URLSearchParams();
    if ($("travel-q").value.trim()) params.set("q", $("travel-q").value.trim());
    if ($("travel-day").value) params.set("day", $("travel-day").value);
    if ($("travel-kind").value) params.set("kind", $("travel-kind").value);
    try {
      render(await api("GET", "/api/travel/bookings?" + params.toString()));
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  $("travel-search").addEventListener("submit", (ev) => { ev.preventDefault(); load(); });
  $("travel-kind").addEventListener("change", load);
  onLocale(() => render(last));
  load();
})();
