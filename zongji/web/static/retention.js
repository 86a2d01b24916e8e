/* The retention page (issue 18), /settings/retention: the latest retention runs per kind of
   record — deleted or anonymised, rows, cut-off, started and finished. Data: /api/retention/runs. */

import { api, errorText } from "./api.js";
import { $, toast } from "./dom.js";
import { onLocale, t } from "./i18n.js";
import { fmtStamp } from "./local_time.js";

(function () {
  const root = document.getElementById("retention-page");
  if (!root) return;
  let last = [];

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function render(runs) {
    last = runs;
    const body = $("retention-runs").querySelector("tbody");
    body.replaceChildren(...runs.map((r) => {
      const tr = document.createElement("tr");
      tr.append(cell(r.run), cell(t("retention.kind." + r.kind)), cell(t("retention.action." + r.action)),
        cell(String(r.rows)), cell(fmtStamp(r.cutoff)), cell(fmtStamp(r.started_at)),
        cell(r.finished_at ? fmtStamp(r.finished_at) : t("retention.running")));
      return tr;
    }));
    $("retention-empty").hidden = runs.length > 0;
  }

  async function load() {
    const kind = $("retention-kind").value;
    try {
      render(await api("GET", "/api/retention/runs?limit=200" + (kind ? "&kind=" + encodeURIComponent(kind) : "")));
    } catch (err) {
      toast(errorText(err), "error");
    }
  }

  $("retention-kind").addEventListener("change", load);
  onLocale(() => render(last));
  load();
})();
