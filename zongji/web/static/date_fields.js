/* Date and date-time fields that follow the console's language, not the browser's.

   A native <input type="date"> draws its format from the browser's own language: an English
   Chrome shows mm/dd/yyyy in the Chinese console (issue 8, point 6). Every date and datetime-local
   field becomes a text field showing year-month-day (2026-12-04, 2026-12-04 07:30) with a placeholder
   in the console's language; it accepts what people type (2026/12/4, 2026.12.4, 20261204,
   2026年12月4日, full-width digits, 7:30 or 0730) and its .value stays what the native field gave
   (YYYY-MM-DD, YYYY-MM-DDTHH:MM), so the pages' code and the API are unchanged. */

import { forEvery } from "./dom.js";
import { onLocale, t } from "./i18n.js";

const native = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value");
const pad = (n) => String(n).padStart(2, "0");

/** Full-width digits and punctuation to ASCII (what a Chinese IME types). */
function halfWidth(s) {
  return String(s || "").replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFEE0))
    .replace(/\u3000/g, " ");
}

function validDate(y, m, d) {
  const dt = new Date(Date.UTC(y, m - 1, d));
  return y >= 1900 && y <= 2999 && dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
}

/** "YYYY-MM-DD" from what was typed; null when it is not a date; "" when empty. */
function parseDate(text) {
  const s = halfWidth(text).trim();
  if (!s) return "";
  let m = /^(\d{4})(\d{2})(\d{2})$/.exec(s) || /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(s);
  if (!m) return null;
  const y = +m[1], mo = +m[2], d = +m[3];
  return validDate(y, mo, d) ? `${y}-${pad(mo)}-${pad(d)}` : null;
}

/** "HH:MM" from what was typed; null when it is not a time. */
function parseTime(text) {
  const s = halfWidth(text).trim().replace(/[点時时]/, ":").replace(/分$/, "");
  const m = /^(\d{1,2}):(\d{2})(?::\d{2})?$/.exec(s) || /^(\d{2})(\d{2})$/.exec(s) || /^(\d{1,2}):?$/.exec(s);
  if (!m) return null;
  const h = +m[1], mi = m[2] === undefined ? 0 : +m[2];
  return h < 24 && mi < 60 ? `${pad(h)}:${pad(mi)}` : null;
}

/** "YYYY-MM-DDTHH:MM" from "2026-12-04 07:30" (or the date with T); null when not one. */
function parseDateTime(text) {
  const s = halfWidth(text).trim();
  if (!s) return "";
  const m = /^(.+?)(?:\s+|T)(\S+)$/.exec(s);
  if (!m) return null;
  const d = parseDate(m[1]), t = parseTime(m[2]);
  return d && t ? `${d}T${t}` : null;
}

function placeholder(kind) {
  return t(kind === "date" ? "field.date_placeholder" : "field.datetime_placeholder");
}

function enhance(input) {
  if (input.dataset.zjDate) return;
  const kind = input.type === "date" ? "date" : "datetime";
  const initial = native.get.call(input);
  input.dataset.zjDate = kind;
  input.type = "text";
  input.setAttribute("inputmode", "numeric");
  input.setAttribute("autocomplete", "off");
  input.classList.add("zj-date");
  input.placeholder = placeholder(kind);
  const parse = kind === "date" ? parseDate : parseDateTime;
  const show = (iso) => (kind === "datetime" ? String(iso || "").replace("T", " ") : String(iso || ""));
  Object.defineProperty(input, "value", {
    configurable: true,
    get() {
      const v = parse(native.get.call(this));
      return v === null ? "" : v;  // as a native field: an incomplete entry reads as empty
    },
    set(v) { native.set.call(this, show(v)); this.removeAttribute("aria-invalid"); },
  });
  input.value = initial;
  const check = () => {
    const raw = native.get.call(input);
    const v = parse(raw);
    if (v === null) {
      input.setAttribute("aria-invalid", "true");
      input.title = t(kind === "date" ? "field.date_invalid" : "field.datetime_invalid");
    } else {
      input.removeAttribute("aria-invalid");
      input.title = "";
      if (v && raw !== show(v)) native.set.call(input, show(v));  // tidy what was typed
    }
  };
  input.addEventListener("blur", check);
  input.addEventListener("change", check);
  input.addEventListener("keydown", (e) => { if (e.key === "Enter") check(); });
}

forEvery('input[type="date"], input[type="datetime-local"]', enhance);
onLocale(() => document.querySelectorAll("input[data-zj-date]").forEach((i) => { i.placeholder = placeholder(i.dataset.zjDate); }));

export { enhance, parseDate, parseDateTime, parseTime };
