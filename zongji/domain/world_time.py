"""World time (R-H7): the time now in any city, and the difference to local time. Pure.

Cities are looked up by Chinese name (纽约), English name (New York, case-insensitive), an alias
(NYC, 旧金山/三藩市) or an IANA zone name (``America/New_York``). Offsets, DST and
abbreviations come from the time-zone database (``zoneinfo``; the ``tzdata`` package supplies it
where the system has none), never from a table of fixed offsets.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class City:
    zh: str
    en: str
    zone: str
    country_zh: str
    country_en: str
    aliases: tuple[str, ...] = ()

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)


def _c(zh: str, en: str, zone: str, country_zh: str, country_en: str, *aliases: str) -> City:
    return City(zh, en, zone, country_zh, country_en, aliases)


CITIES: tuple[City, ...] = (
    # China and neighbours
    _c("北京", "Beijing", "Asia/Shanghai", "中国", "China", "Peking"),
    _c("上海", "Shanghai", "Asia/Shanghai", "中国", "China"),
    _c("广州", "Guangzhou", "Asia/Shanghai", "中国", "China", "Canton"),
    _c("深圳", "Shenzhen", "Asia/Shanghai", "中国", "China"),
    _c("成都", "Chengdu", "Asia/Shanghai", "中国", "China"),
    _c("乌鲁木齐", "Urumqi", "Asia/Shanghai", "中国", "China"),
    _c("香港", "Hong Kong", "Asia/Hong_Kong", "中国", "China", "HK"),
    _c("澳门", "Macau", "Asia/Macau", "中国", "China", "Macao"),
    _c("台北", "Taipei", "Asia/Taipei", "中国", "China"),
    _c("东京", "Tokyo", "Asia/Tokyo", "日本", "Japan"),
    _c("大阪", "Osaka", "Asia/Tokyo", "日本", "Japan"),
    _c("首尔", "Seoul", "Asia/Seoul", "韩国", "South Korea", "汉城"),
    _c("乌兰巴托", "Ulaanbaatar", "Asia/Ulaanbaatar", "蒙古", "Mongolia"),
    _c("新加坡", "Singapore", "Asia/Singapore", "新加坡", "Singapore"),
    _c("吉隆坡", "Kuala Lumpur", "Asia/Kuala_Lumpur", "马来西亚", "Malaysia"),
    _c("曼谷", "Bangkok", "Asia/Bangkok", "泰国", "Thailand"),
    _c("河内", "Hanoi", "Asia/Ho_Chi_Minh", "越南", "Vietnam"),
    _c("胡志明市", "Ho Chi Minh City", "Asia/Ho_Chi_Minh", "越南", "Vietnam", "Saigon", "西贡"),
    _c("雅加达", "Jakarta", "Asia/Jakarta", "印度尼西亚", "Indonesia"),
    _c("马尼拉", "Manila", "Asia/Manila", "菲律宾", "Philippines"),
    _c("新德里", "New Delhi", "Asia/Kolkata", "印度", "India", "Delhi", "德里"),
    _c("孟买", "Mumbai", "Asia/Kolkata", "印度", "India", "Bombay"),
    _c("加德满都", "Kathmandu", "Asia/Kathmandu", "尼泊尔", "Nepal"),
    _c("迪拜", "Dubai", "Asia/Dubai", "阿联酋", "United Arab Emirates"),
    _c("德黑兰", "Tehran", "Asia/Tehran", "伊朗", "Iran"),
    _c("伊斯坦布尔", "Istanbul", "Europe/Istanbul", "土耳其", "Turkey"),
    _c("特拉维夫", "Tel Aviv", "Asia/Jerusalem", "以色列", "Israel"),
    _c("利雅得", "Riyadh", "Asia/Riyadh", "沙特阿拉伯", "Saudi Arabia"),
    # Europe
    _c("伦敦", "London", "Europe/London", "英国", "United Kingdom"),
    _c("都柏林", "Dublin", "Europe/Dublin", "爱尔兰", "Ireland"),
    _c("巴黎", "Paris", "Europe/Paris", "法国", "France"),
    _c("柏林", "Berlin", "Europe/Berlin", "德国", "Germany"),
    _c("法兰克福", "Frankfurt", "Europe/Berlin", "德国", "Germany"),
    _c("慕尼黑", "Munich", "Europe/Berlin", "德国", "Germany", "München"),
    _c("阿姆斯特丹", "Amsterdam", "Europe/Amsterdam", "荷兰", "Netherlands"),
    _c("布鲁塞尔", "Brussels", "Europe/Brussels", "比利时", "Belgium"),
    _c("苏黎世", "Zurich", "Europe/Zurich", "瑞士", "Switzerland", "Zürich"),
    _c("日内瓦", "Geneva", "Europe/Zurich", "瑞士", "Switzerland"),
    _c("维也纳", "Vienna", "Europe/Vienna", "奥地利", "Austria"),
    _c("罗马", "Rome", "Europe/Rome", "意大利", "Italy"),
    _c("米兰", "Milan", "Europe/Rome", "意大利", "Italy"),
    _c("马德里", "Madrid", "Europe/Madrid", "西班牙", "Spain"),
    _c("巴塞罗那", "Barcelona", "Europe/Madrid", "西班牙", "Spain"),
    _c("里斯本", "Lisbon", "Europe/Lisbon", "葡萄牙", "Portugal"),
    _c("雅典", "Athens", "Europe/Athens", "希腊", "Greece"),
    _c("斯德哥尔摩", "Stockholm", "Europe/Stockholm", "瑞典", "Sweden"),
    _c("哥本哈根", "Copenhagen", "Europe/Copenhagen", "丹麦", "Denmark"),
    _c("奥斯陆", "Oslo", "Europe/Oslo", "挪威", "Norway"),
    _c("赫尔辛基", "Helsinki", "Europe/Helsinki", "芬兰", "Finland"),
    _c("华沙", "Warsaw", "Europe/Warsaw", "波兰", "Poland"),
    _c("布拉格", "Prague", "Europe/Prague", "捷克", "Czech Republic"),
    _c("布达佩斯", "Budapest", "Europe/Budapest", "匈牙利", "Hungary"),
    _c("莫斯科", "Moscow", "Europe/Moscow", "俄罗斯", "Russia"),
    _c("圣彼得堡", "Saint Petersburg", "Europe/Moscow", "俄罗斯", "Russia", "St Petersburg"),
    _c("符拉迪沃斯托克", "Vladivostok", "Asia/Vladivostok", "俄罗斯", "Russia", "海参崴"),
    # Africa
    _c("开罗", "Cairo", "Africa/Cairo", "埃及", "Egypt"),
    _c("约翰内斯堡", "Johannesburg", "Africa/Johannesburg", "南非", "South Africa"),
    _c("内罗毕", "Nairobi", "Africa/Nairobi", "肯尼亚", "Kenya"),
    _c("拉各斯", "Lagos", "Africa/Lagos", "尼日利亚", "Nigeria"),
    # Americas
    _c("纽约", "New York", "America/New_York", "美国", "United States", "NYC", "New York City"),
    _c("华盛顿", "Washington", "America/New_York", "美国", "United States", "Washington DC"),
    _c("波士顿", "Boston", "America/New_York", "美国", "United States"),
    _c("多伦多", "Toronto", "America/Toronto", "加拿大", "Canada"),
    _c("蒙特利尔", "Montreal", "America/Toronto", "加拿大", "Canada"),
    _c("芝加哥", "Chicago", "America/Chicago", "美国", "United States"),
    _c("休斯顿", "Houston", "America/Chicago", "美国", "United States"),
    _c("丹佛", "Denver", "America/Denver", "美国", "United States"),
    _c("凤凰城", "Phoenix", "America/Phoenix", "美国", "United States"),
    _c("洛杉矶", "Los Angeles", "America/Los_Angeles", "美国", "United States", "LA"),
    _c("旧金山", "San Francisco", "America/Los_Angeles", "美国", "United States", "三藩市", "SF"),
    _c("西雅图", "Seattle", "America/Los_Angeles", "美国", "United States"),
    _c("温哥华", "Vancouver", "America/Vancouver", "加拿大", "Canada"),
    _c("檀香山", "Honolulu", "Pacific/Honolulu", "美国", "United States", "火奴鲁鲁"),
    _c("安克雷奇", "Anchorage", "America/Anchorage", "美国", "United States"),
    _c("墨西哥城", "Mexico City", "America/Mexico_City", "墨西哥", "Mexico"),
    _c("圣保罗", "São Paulo", "America/Sao_Paulo", "巴西", "Brazil", "Sao Paulo"),
    _c("里约热内卢", "Rio de Janeiro", "America/Sao_Paulo", "巴西", "Brazil"),
    _c("布宜诺斯艾利斯", "Buenos Aires", "America/Argentina/Buenos_Aires", "阿根廷", "Argentina"),
    _c("利马", "Lima", "America/Lima", "秘鲁", "Peru"),
    _c("圣地亚哥", "Santiago", "America/Santiago", "智利", "Chile"),
    # Oceania
    _c("悉尼", "Sydney", "Australia/Sydney", "澳大利亚", "Australia"),
    _c("墨尔本", "Melbourne", "Australia/Melbourne", "澳大利亚", "Australia"),
    _c("布里斯班", "Brisbane", "Australia/Brisbane", "澳大利亚", "Australia"),
    _c("珀斯", "Perth", "Australia/Perth", "澳大利亚", "Australia"),
    _c("阿德莱德", "Adelaide", "Australia/Adelaide", "澳大利亚", "Australia"),
    _c("奥克兰", "Auckland", "Pacific/Auckland", "新西兰", "New Zealand"),
)


class UnknownCity(LookupError):
    def __init__(self, name: str):
        self.name = name
        super().__init__(f"unknown city or time zone: {name!r}")


def _key(s: str) -> str:
    s = unicodedata.normalize("NFKC", s).casefold().strip()
    return "".join(ch for ch in s if ch.isalnum())


def _index() -> dict[str, City]:
    idx: dict[str, City] = {}
    for c in CITIES:
        for name in (c.zh, c.en, *c.aliases):
            idx.setdefault(_key(name), c)
        # "纽约市" finds 纽约
        idx.setdefault(_key(c.zh + "市"), c)
    return idx


_INDEX = _index()


def find_city(name: str) -> City | None:
    """A city by Chinese or English name, alias, or IANA zone (``Europe/London``); else None."""
    if not name or not name.strip():
        return None
    hit = _INDEX.get(_key(name))
    if hit:
        return hit
    raw = name.strip()
    if "/" in raw:
        try:
            ZoneInfo(raw)
        except (ZoneInfoNotFoundError, ValueError):
            return None
        for c in CITIES:
            if c.zone == raw:
                return c
        label = raw.rsplit("/", 1)[-1].replace("_", " ")
        return City(label, label, raw, "", "")
    return None


def search_cities(query: str, limit: int = 10) -> list[City]:
    """Cities whose names start with, then contain, the query (for console search)."""
    q = _key(query)
    if not q:
        return []
    starts, contains = [], []
    for c in CITIES:
        keys = [_key(n) for n in (c.zh, c.en, *c.aliases)]
        if any(k.startswith(q) for k in keys):
            starts.append(c)
        elif any(q in k for k in keys):
            contains.append(c)
    return (starts + contains)[:limit]


@dataclass(frozen=True)
class CityTime:
    city: City
    local: dt.datetime  # the time in the city
    utc_offset: dt.timedelta
    dst: bool
    abbreviation: str  # e.g. "EDT", "GMT", "BST"
    difference: dt.timedelta  # city offset − home offset (negative: behind)
    home_local: dt.datetime

    @property
    def difference_hours(self) -> float:
        return self.difference.total_seconds() / 3600

    def describe(self, lang: str = "zh", home_name: str | None = None) -> str:
        """``纽约现在是 11月23日 周一 06:30（夏令时），比北京慢13小时`` / ``It is 06:30 on Mon 23 Nov in
        New York (daylight saving time), 13 hours behind Beijing``."""
        zh = lang.startswith("zh")
        home = home_name or ("本地" if zh else "local time")
        diff = _hours_text(abs(self.difference), zh)
        wd_zh = "一二三四五六日"[self.local.weekday()]
        if zh:
            rel = "与{h}时间相同".format(h=home) if not self.difference else (
                f"比{home}{'快' if self.difference > dt.timedelta(0) else '慢'}{diff}")
            dst = "（夏令时）" if self.dst else ""
            return (f"{self.city.zh}现在是 {self.local.month}月{self.local.day}日 周{wd_zh} "
                    f"{self.local:%H:%M}{dst}，{rel}")
        rel = f"the same as {home}" if not self.difference else (
            f"{diff} {'ahead of' if self.difference > dt.timedelta(0) else 'behind'} {home}")
        dst = " (daylight saving time)" if self.dst else ""
        return f"It is {self.local:%H:%M} on {self.local:%a %d %b} in {self.city.en}{dst}, {rel}"


# Zone names that are other spellings of a listed city's zone.
_ZONE_ALIASES = {"PRC": "Asia/Shanghai", "Asia/Chongqing": "Asia/Shanghai", "Asia/Chungking": "Asia/Shanghai",
                 "Asia/Harbin": "Asia/Shanghai", "Asia/Saigon": "Asia/Ho_Chi_Minh", "Asia/Calcutta": "Asia/Kolkata",
                 "US/Eastern": "America/New_York", "US/Pacific": "America/Los_Angeles", "GB": "Europe/London"}


def home_city(tz: dt.tzinfo | str | None) -> tuple[str, str] | None:
    """The name to call "here" by in a time difference, from the site's time zone: China's zone
    is 北京 / Beijing (北京时间); another zone is its own city when listed (Asia/Tokyo → 东京 /
    Tokyo, America/New_York → 纽约 / New York); otherwise ``None``, and ``describe`` says
    本地 / local time — never a city that is not here."""
    key = tz if isinstance(tz, str) else getattr(tz, "key", None)
    if not key:
        return None
    key = _ZONE_ALIASES.get(key, key)
    if key == "Asia/Shanghai":
        return "北京", "Beijing"
    place = key.rsplit("/", 1)[-1].replace("_", " ").casefold()
    for c in CITIES:
        if c.zone == key and c.en.casefold() == place:
            return c.zh, c.en
    return None


def _hours_text(td: dt.timedelta, zh: bool) -> str:
    minutes = int(td.total_seconds() // 60)
    h, m = divmod(minutes, 60)
    if zh:
        return f"{h}小时" + (f"{m}分钟" if m else "")
    if m:
        return f"{h} h {m} min"
    return f"{h} hour" + ("" if h == 1 else "s")


def time_in(city: City | str, at: dt.datetime, home_tz: dt.tzinfo) -> CityTime:
    """The time in ``city`` at the instant ``at`` (aware), with the difference to ``home_tz``.

    Raises ``UnknownCity`` for a name not found.
    """
    if at.tzinfo is None:
        raise ValueError("at: a timezone-aware datetime is required")
    c = city if isinstance(city, City) else find_city(city)
    if c is None:
        raise UnknownCity(str(city))
    local = at.astimezone(c.tz)
    home = at.astimezone(home_tz)
    offset = local.utcoffset() or dt.timedelta(0)
    dst = bool(local.dst())
    return CityTime(city=c, local=local, utc_offset=offset, dst=dst,
                    abbreviation=local.tzname() or "", difference=offset - (home.utcoffset() or dt.timedelta(0)),
                    home_local=home)


def time_difference(city: City | str, at: dt.datetime, home_tz: dt.tzinfo) -> dt.timedelta:
    """City's UTC offset minus home's at ``at`` (e.g. New York vs Beijing in July: −12 h)."""
    return time_in(city, at, home_tz).difference


__all__ = ["CITIES", "City", "CityTime", "UnknownCity", "find_city", "home_city", "search_cities", "time_difference",
           "time_in"]
