/* The day's weather on the console (R-H14): a chip in the directory's head that operators quote
   to guests ("今天晴，12～20°C"); a shift leader clicks it to record or correct today's weather
   (PUT /api/weather/{day}); every console follows the live topic weather. The search answers
   "天气" with the next days (switchboard.js). */

import { api, errorText, newestRead } from "./api.js";
import { config } from "./config.js";
import { $, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { onOpen, subscribe } from "./live.js";
import { localDate } from "./local_time.js";
import { clearFieldErrors, showFieldError } from "./form_errors.js";
import { weatherText } from "./weather_text.js";
// Read again on live messages and after changes: the newest read wins (api.newestRead).
const freshWeather = newestRead();

const LEADERS = new Set(["shift_leader", "supervisor", "admin"]);

(function () {
  const chip = $("weather-chip"), form = $("weather-form");
  if (!chip || !form) return;
  const leader = LEADERS.has((config.user || {}).role);
  let today = null;

  function render() {
    chip.hidden = !today && !leader;
    chip.classList.toggle("editable", leader);
    chip.classList.toggle("missing", !today);
    chip.textContent = today ? t("weather.chip", { text: weatherText(today) }) : t("weather.not_recorded");
    chip.title = today ? (today.note || "") + (today.recorded_by ? ` (${today.recorded_by})` : "") : "";
  }

  async function load() {
    try {
      const days = await freshWeather(api("GET", "/api/weather?days=1"));
      today = days.find((d) => d.day === localDate()) || null;
      render();
    } catch (err) { /* the chip stays as it was */ }
  }

  function open() {
    if (!leader) return;
    clearFieldErrors(form);
    form.elements.summary.value = today ? today.summary : "";
    form.elements.temp_low.value = today && today.temp_low !== null ? today.temp_low : "";
    form.elements.temp_high.value = today && today.temp_high !== null ? today.temp_high : "";
    form.elements.note.value = today && today.note ? today.note : "";
    form.hidden = false;
    form.elements.summary.focus();
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    const num = (v) => (String(v).trim() === "" ? null : Number(v));
    try {
      today = await api("PUT", "/api/weather/" + localDate(), {
        summary: form.elements.summary.value, temp_low: num(form.elements.temp_low.value),
        temp_high: num(form.elements.temp_high.value), note: form.elements.note.value || null,
      });
      form.hidden = true;
      render();
      toast(t("weather.saved"), "ok");
    } catch (err) {
      showFieldError(err, { scope: form, slots: true, mark: "invalid" });
      if (!err || !err.body || !err.body.field) toast(errorText(err), "error");
    }
  });
  $("weather-cancel").addEventListener("click", () => { form.hidden = true; });
  form.addEventListener("keydown", (e) => { if (e.key === "Escape") { e.stopPropagation(); form.hidden = true; chip.focus(); } });
  chip.addEventListener("click", open);
  subscribe(["weather"], load);
  onOpen(load);
  onLocale(render);
  load();
})();
