/* The JSON API: one call (``api``), its error (``ApiError``) and the error as a person reads it. */

import { has, locale, t } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.message) || ("HTTP " + status));
    this.status = status; this.body = body;
  }
}

/** JSON API call; throws ApiError with the server's message. 401 sends the person to /login. */
export async function api(method, url, body) {
  const opts = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
  if (body instanceof FormData) opts.body = body;  // an upload: the browser sets the multipart type
  else if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  const r = await fetch(url, opts);
  let data = null;
  const text = await r.text();
  if (text) { try { data = JSON.parse(text); } catch (e) { data = { message: text }; } }
  if (r.status === 401 && !url.startsWith("/api/auth/login")) {
    location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
    throw new ApiError(401, data);
  }
  if (!r.ok) throw new ApiError(r.status, data);
  // A save that found forbidden phrases (R-P10) answers them; pages show them (phrase_check.js).
  if (data && Array.isArray(data.phrase_warnings) && data.phrase_warnings.length && method !== "GET") {
    document.dispatchEvent(new CustomEvent("zj:phrase-warnings", { detail: data.phrase_warnings }));
  }
  return data;
}

/** A server message as the operator may read it. The API's messages are written for
 *  integrators, in English; in the Chinese UI an English one becomes a Chinese sentence chosen by
 *  the status, keeping only the values it quotes (a date, a number), so no raw English or
 *  exception text reaches the page (issue 8). The original goes to the browser console. */
export function localMessage(message, status) {
  const msg = String(message || "");
  if (locale === "en" || /[\u3400-\u9fff]/.test(msg)) return msg || t("error.generic");
  if (msg) console.debug("server message:", msg);
  const key = status >= 500 || !status ? "error.generic"
    : status === 401 ? "error.Unauthorized" : status === 403 ? "error.Forbidden" : status === 404 ? "error.NotFound"
    : status === 409 ? "error.illegal_transition" : "error.validation";
  const values = [];
  msg.replace(/'([^']{1,40})'|"([^"]{1,40})"|(\{\w{1,30}\}|\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2})?|(?<![-\w])\d{2,}(?:[.:]\d+)*)/g,
    (m, a, b, c) => { values.push(a || b || c); return m; });
  return t(key) + (values.length ? "：" + values.slice(0, 3).join("、") : "");
}

/** The error for a person: the translated kind, and the field at fault — named by its label
    when ``scope`` (a form) has an input of that name, else by the API's field name. */
export function errorText(err, scope) {
  const body = (err && err.body) || {};
  if (!(body.error && has("error." + body.error))) return localMessage(body.message || (err && err.message), err && err.status);
  let text = t("error." + body.error);
  if (body.field) {
    const input = scope && scope.querySelector(`[name="${CSS.escape(body.field)}"]`);
    const label = input && input.closest("label") && input.closest("label").querySelector("span");
    text += (locale === "en" ? ": " : "：") + ((label && label.textContent.trim()) || body.field);
  }
  return text;
}

/** Reads of one view, newest wins. A page that reads again on every live message can have two
 *  reads in flight; answered out of order, the older one would put back what was before (a
 *  wake-up shown escalated after the operator recorded it reached). `const fresh = newestRead();`
 *  then `data = await fresh(api("GET", url))`: a read asked before one already answered gives
 *  that newer answer instead of its own, so the code after its `await` still runs, on the
 *  newest data. */
export function newestRead() {
  let asked = 0;
  let shown = 0;
  let newest;
  return async (promise) => {
    const n = ++asked;
    try {
      const value = await promise;
      if (n < shown) return newest;
      shown = n;
      newest = value;
      return value;
    } catch (err) {
      if (n < shown) return newest;
      throw err;
    }
  };
}
