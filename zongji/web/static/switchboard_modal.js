/* The switchboard's dialog on the console (issue 3): one at a time, in #sb-modal; while it is
   open it owns the keyboard (its own keys first, Esc closes it). Used by switchboard.js and
   switchboard_send_leave.js. */

import { $, el } from "./dom.js";
import { t } from "./i18n.js";

export const modal = () => $("sb-modal");
let modalKeys = null;   // key handler of the open dialog
let onClose = null;

export function openModal(title, body, keys) {
  const box = modal();
  box.replaceChildren(el("div", { class: "sb-dialog", role: "dialog", "aria-modal": "true", "aria-label": title },
    el("div", { class: "sb-dialog-head" }, el("h2", null, title),
      el("button", { type: "button", class: "btn btn-sm", onclick: closeModal }, t("sb.close"), " ", el("kbd", null, "Esc"))),
    body));
  box.hidden = false;
  modalKeys = keys || null;
}

export function closeModal() {
  const box = modal();
  if (box.hidden) return;
  box.hidden = true;
  box.replaceChildren();
  modalKeys = null;
  if (onClose) { const f = onClose; onClose = null; f(); }
  const s = $("search");
  if (s) s.focus();
}

/** The open dialog's own handling of key event ``e``: true when it took the key. */
export function modalKey(e) { return !!(modalKeys && modalKeys(e)); }

/** Forget what was to happen when the dialog closes. */
export function forgetOnClose() { onClose = null; }
