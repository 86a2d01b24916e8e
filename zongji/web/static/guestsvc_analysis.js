/* The guest-service centre's analysis (R-G3, R-G6), /guestsvc/analysis: per week or month, the
   requests of the last periods, what guests asked for, what they borrowed, what they called
   engineering about, what internal staff called the switchboard for, and the centre against its
   targets (answered in time, satisfied at follow-up). Data: /api/guestsvc/analysis. */

import { api } from "./api.js";
import { $, el } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { localDate } from "./local_time.js";
import { clearFieldErrors, showFieldError } from "./form_errors.js";

(function () {
  const root = $("gsa-page");
  if (!root) return;
  const form = $("gsa-filter");
  const charts = {};
  let last = null;

  function chart(id) {
    if (!window.echarts) return null;
    if (!charts[id]) charts[id] = window.echarts.init($(id), null, { renderer: "svg" });
    return charts[id];
  }

  function bars(id, rows, label, value) {
    const c = chart(id);
    if (!c) return;
    const data = rows.slice().reverse();
    c.setOption({
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.map(label) },
      series: [{ type: "bar", barMaxWidth: 22, data: data.map(value), label: { show: true, position: "right" } }],
      graphic: rows.length ? [] : [{ type: "text", left: "center", top: "middle", style: { text: t("gsa.none"), fill: "#888" } }],
    }, true);
  }

  function share(v) { return v === null || v === undefined ? "—" : Math.round(v * 1000) / 10 + "%"; }

  function render(d) {
    last = d;
    $("gsa-range").textContent = t("gsa.range", { from: d.from, to: d.to });
    const g = d.targets;
    const fig = (label, value, below) => el("div", { class: "fig" + (below ? " below" : "") }, el("b", {}, value), label);
    $("gsa-figures").replaceChildren(
      fig(t("gsa.requests"), String(g.requests)),
      fig(t("gsa.in_time"), share(d.in_time_share), d.in_time_share !== null && d.in_time_share < 0.9),
      fig(t("gsa.satisfied"), share(d.satisfied_share), d.satisfied_share !== null && d.satisfied_share < 0.85),
      fig(t("gsa.followed_up"), `${g.followed_up} / ${g.requests}`));
    const c = chart("gsa-trend");
    if (c) {
      c.setOption({
        grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: d.trend.map((p) => p.from.slice(5)) },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "line", data: d.trend.map((p) => p.requests), label: { show: true } }],
      }, true);
    }
    bars("gsa-asked", d.asked, (r) => r.item, (r) => r.requests);
    bars("gsa-borrowed", d.borrowed, (r) => r.item, (r) => r.quantity);
    bars("gsa-equipment", d.equipment, (r) => r.item, (r) => r.requests);
    const en = document.documentElement.lang === "en";
    bars("gsa-staff", d.staff_calls, (r) => (en ? r.label_en : r.label_zh) || t("gsa.no_category"), (r) => r.calls);
  }

  async function load() {
    clearFieldErrors(form);
    const p = new URLSearchParams(new FormData(form));
    try {
      render(await api("GET", "/api/guestsvc/analysis?" + p));
    } catch (err) {
      showFieldError(err, { scope: form, slots: true, mark: "invalid" });
    }
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); load(); });
  window.addEventListener("resize", () => Object.values(charts).forEach((c) => c.resize()));
  onLocale(() => last && render(last));
  $("gsa-day").value = localDate();
  load();
})();
