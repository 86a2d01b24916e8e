/* How a recorded day's weather reads (R-H14): "晴 12～20°C", and which day it is. */

import { t } from "./i18n.js";
import { localDate } from "./local_time.js";

/** "晴 12～20°C" from a recorded day. */
export function weatherText(w) {
  const temps = w.temp_low !== null && w.temp_high !== null ? ` ${w.temp_low}～${w.temp_high}°C`
    : (w.temp_high !== null ? ` ${w.temp_high}°C` : (w.temp_low !== null ? ` ${w.temp_low}°C` : ""));
  return w.summary + temps;
}

/** "今天", "明天", "后天" or the date. */
export function dayLabel(day) {
  const today = new Date(localDate() + "T00:00:00Z");
  const diff = Math.round((new Date(day + "T00:00:00Z") - today) / 86400000);
  return diff >= 0 && diff <= 2 ? t("weather.day." + diff) : day;
}
