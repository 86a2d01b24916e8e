/* The page's configuration as the server rendered it (``<script type="application/json"
   id="zj-config">``: the user, locale, time zone and what the page needs besides), read once. */

function readJson(id) {
  const node = document.getElementById(id);
  if (!node) return null;
  try { return JSON.parse(node.textContent); } catch (e) { console.error(e); return null; }
}

export const config = readJson("zj-config") || {};

/** The UI dictionaries, one per language (``id="zj-i18n"``). */
export const dictionaries = readJson("zj-i18n") || {};
