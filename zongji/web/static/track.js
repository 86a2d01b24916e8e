/* The citizens' status page (/track; issue 15, point 4): the tracking (or order) number and the
   telephone the request was filed with show its stage, the order's number, the unit's reply and
   the hotline's answers. */

import { api, errorText } from "./api.js";
import { $, el } from "./dom.js";
import { locale, onLocale, t } from "./i18n.js";
import { fmtDateTime } from "./local_time.js";

let last = null;

function show() {
  if (!last) return;
  $("tk-status").hidden = false;
  $("tk-stage").textContent = locale === "en" ? last.stage_en : last.stage_zh;
  $("tk-order-row").hidden = !last.order_number;
  $("tk-order").textContent = last.order_number || "";
  $("tk-reply-row").hidden = !last.reply;
  $("tk-reply").textContent = last.reply || "";
  $("tk-answers").replaceChildren(...last.answers.map((a) => el("li", null, fmtDateTime(a.at), " ", a.text)));
}

async function look(e) {
  if (e) e.preventDefault();
  $("tk-error").hidden = true;
  const q = new URLSearchParams({ number: $("tk-number").value.trim(), phone: $("tk-phone").value.trim() });
  try { last = await api("GET", "/api/public/status?" + q); show(); }
  catch (err) {
    last = null; $("tk-status").hidden = true;
    // 429 (too many look-ups from this address or for this number): say how long to wait.
    const wait = err && err.status === 429 ? Math.max(1, Math.ceil(Number((err.body && err.body.retry_after) || 3600) / 60)) : 0;
    $("tk-error").textContent = wait ? t("intake.track.too_many", { minutes: wait }) : errorText(err);
    $("tk-error").hidden = false;
  }
}

const given = new URLSearchParams(location.search).get("number");
if (given) $("tk-number").value = given;
$("tk-form").addEventListener("submit", look);
onLocale(show);
