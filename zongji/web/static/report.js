/* The citizens' request form (/report; issue 15, point 4): no login, a phone's screen. The
   request types and kinds of matter come from /api/public/choices; "use my location" fills the
   map point; the form goes as multipart (photos included) to /api/public/requests and the page
   shows the tracking number. A refusal is shown by its field. */

import { api, errorText } from "./api.js";
import { config } from "./config.js";
import { $, el } from "./dom.js";
import { showFieldError } from "./form_errors.js";
import { locale, onLocale, t } from "./i18n.js";

let choices = { order_types: [], categories: [] };

function fill() {
  const typeNow = $("rp-type").value || "request", catNow = $("rp-category").value;
  $("rp-type").replaceChildren(...choices.order_types.map((ty) => el("option", { value: ty }, t("wo.type." + ty))));
  $("rp-type").value = typeNow;
  $("rp-category").replaceChildren(el("option", { value: "" }, t("intake.report.category_any")),
    ...choices.categories.map((c) => el("option", { value: c.code }, locale === "en" ? c.name_en : c.name_zh)));
  $("rp-category").value = catNow;
}

function refuse(err) {
  $("rp-error").textContent = errorText(err);
  $("rp-error").hidden = false;
  showFieldError(err, { scope: $("rp-form"), box: $("rp-error"), mark: "invalid" });
}

async function submit(e) {
  e.preventDefault();
  $("rp-error").hidden = true;
  const files = [...$("rp-photos").files];
  if (files.length > (config.report_photos_max || 0)) { refuse({ status: 422, body: { field: "photos", message: t("intake.report.too_many_photos", { n: config.report_photos_max }) } }); return; }
  const body = new FormData($("rp-form"));
  body.delete("photos");
  files.forEach((f) => body.append("photos", f, f.name));
  $("rp-submit").disabled = true;
  try {
    const r = await api("POST", "/api/public/requests", body);
    $("rp-form").hidden = true;
    $("rp-done").hidden = false;
    $("rp-number").textContent = r.tracking_number;
    $("rp-track").href = "/track?number=" + encodeURIComponent(r.tracking_number);
  } catch (err) { refuse(err); }
  finally { $("rp-submit").disabled = false; }
}

$("rp-locate").addEventListener("click", () => {
  if (!navigator.geolocation) return;
  navigator.geolocation.getCurrentPosition((p) => {
    $("rp-lat").value = p.coords.latitude.toFixed(6);
    $("rp-lng").value = p.coords.longitude.toFixed(6);
  });
});
$("rp-form").addEventListener("submit", submit);
onLocale(fill);
api("GET", "/api/public/choices").then((c) => { choices = c; fill(); }).catch((err) => refuse(err));
