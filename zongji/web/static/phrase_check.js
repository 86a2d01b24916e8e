/* Forbidden phrases as typed (服务禁语, R-P10, R-S16; issue 11 point 7).

   Attaches to the note of the console (#notes) and to any textarea marked
   data-phrase-check="KIND" (reply, handling, sms …), also those a page adds later. As the agent types (debounced), the text is
   checked (POST /api/phrases/check) and a warning under the field names each phrase found and
   the script to say instead. It never blocks: saves go through and answer the same warnings.
   The line is the field's (or an ancestor's) data-line-id, else every line's list. The warnings
   a save answers (``phrase_warnings``, announced by api.js) are shown as a warning toast. */

import { api } from "./api.js";
import { config } from "./config.js";
import { el, toast } from "./dom.js";
import { t } from "./i18n.js";

const DELAY = Number(config.phrase_check_delay_ms) || 400;
const SELECTOR = "#notes, textarea[data-phrase-check]";

function lineOf(field) {
  const holder = field.closest("[data-line-id]");
  const id = Number(holder ? holder.dataset.lineId : NaN);
  return Number.isInteger(id) && id > 0 ? id : null;
}

export function showHits(box, hits) {
  box.hidden = !hits.length;
  box.replaceChildren(...hits.map((h) => el("div", { class: "phrase-hit" },
    el("strong", null, t("phrase.hit", { phrase: h.matched || h.phrase })),
    h.suggestion ? el("span", null, " " + t("phrase.say", { script: h.suggestion })) : "")));
}

export function attach(field, kind) {
  if (field.dataset.phraseAttached) return;
  field.dataset.phraseAttached = "1";
  const box = el("div", { class: "phrase-warning small", role: "status", "aria-live": "polite", hidden: true });
  box.id = (field.id || "field") + "-phrases";
  field.insertAdjacentElement("afterend", box);
  let timer = null;
  let asked = 0;
  const run = async () => {
    const text = field.value;
    const mine = ++asked;
    if (!text.trim()) { showHits(box, []); return; }
    try {
      const r = await api("POST", "/api/phrases/check", { text, line_id: lineOf(field), context: kind });
      if (mine === asked) showHits(box, r.hits);
    } catch (e) { /* the check is advice only: a failed check shows nothing */ }
  };
  field.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, DELAY); });
}

export function mount(root = document) {
  for (const field of root.querySelectorAll(SELECTOR)) {
    attach(field, field.dataset.phraseCheck || (field.id === "notes" ? "note" : "other"));
  }
}

mount();
document.addEventListener("zj:phrase-warnings", (e) => {
  const hits = e.detail || [];
  toast(t("phrase.saved_with", { phrases: [...new Set(hits.map((h) => h.matched || h.phrase))].join("、") }), "warn");
});
// Fields a page adds later (a work order's action forms) are attached when first focused.
document.addEventListener("focusin", (e) => {
  const f = e.target;
  if (f instanceof HTMLTextAreaElement && f.matches(SELECTOR)) attach(f, f.dataset.phraseCheck || "note");
});
