/* Local time: the organisation's zone from the settings, not the browser's, in the console's
   language; durations. */

import { config } from "./config.js";
import { locale } from "./i18n.js";

const tz = config.timezone || undefined;
const fmtCache = {};
/** The Intl format of ``kind`` (time, hm, date, weekday, datetime) in the current language. */
export function fmt(kind) {
  const key = kind + "|" + locale;
  if (!fmtCache[key]) {
    const base = { timeZone: tz, hourCycle: "h23" };
    const opts = {
      time: { ...base, hour: "2-digit", minute: "2-digit", second: "2-digit" },
      hm: { ...base, hour: "2-digit", minute: "2-digit" },
      date: { ...base, year: "numeric", month: "2-digit", day: "2-digit" },
      weekday: { ...base, month: "2-digit", day: "2-digit", weekday: "short" },
      datetime: { ...base, month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" },
    }[kind];
    fmtCache[key] = new Intl.DateTimeFormat(locale === "en" ? "en-GB" : "zh-CN", opts);
  }
  return fmtCache[key];
}
export function parse(iso) { return iso ? new Date(iso) : null; }
export function fmtTime(iso) { const d = parse(iso); return d ? fmt("time").format(d) : ""; }
export function fmtDateTime(iso) { const d = parse(iso); return d ? fmt("datetime").format(d) : ""; }
/** "YYYY-MM-DD HH:mm:ss" in the organisation's zone (the call log's format, both languages). */
export function fmtStamp(iso) {
  const d = parse(iso);
  if (!d) return "";
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit",
    day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(d);
  const g = (ty) => (parts.find((p) => p.type === ty) || {}).value || "";
  return g("year") + "-" + g("month") + "-" + g("day") + " " + g("hour") + ":" + g("minute") + ":" + g("second");
}
/** Today's date (YYYY-MM-DD) in the organisation's zone. */
export function localDate(d) {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit" }).formatToParts(d || new Date());
  const get = (ty) => parts.find((p) => p.type === ty).value;
  return get("year") + "-" + get("month") + "-" + get("day");
}
/** Offset like +08:00 of the organisation's zone at date d. */
export function tzOffset(d) {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: tz, timeZoneName: "longOffset" }).formatToParts(d || new Date());
  const name = (parts.find((p) => p.type === "timeZoneName") || {}).value || "GMT";
  const m = name.match(/GMT([+-]\d{2}:\d{2})/);
  return m ? m[1] : "+00:00";
}
/** Seconds as m:ss or h:mm:ss. */
export function dur(sec) {
  if (sec === null || sec === undefined || isNaN(sec)) return "";
  sec = Math.max(0, Math.floor(sec));
  const h = Math.floor(sec / 3600), m = Math.floor((sec % 3600) / 60), s = sec % 60;
  const pad = (n) => String(n).padStart(2, "0");
  return h ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
}
