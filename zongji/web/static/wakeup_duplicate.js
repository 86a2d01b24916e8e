/* Issue 8: a wake-up the room already has at that time, shown where a wake-up is booked (the
   wake-up board, the room board, the caller's card). */

import { el } from "./dom.js";
import { t } from "./i18n.js";

/** Shows (or clears) a warning above the read-back element ``anchor``; true when there is one,
    and the booking then says it was seen. */
export function wakeupDuplicateWarning(anchor, duplicates) {
  let note = anchor.parentNode.querySelector(".wk-dup-warn");
  if (!duplicates || !duplicates.length) { if (note) note.remove(); return false; }
  if (!note) { note = el("p", { class: "wk-dup-warn", role: "alert" }); anchor.parentNode.insertBefore(note, anchor); }
  const d = duplicates[0];
  note.textContent = t("wk.duplicate_warn", { time: d.local_time, date: d.local_date, by: d.booked_by_name || "" });
  return true;
}
