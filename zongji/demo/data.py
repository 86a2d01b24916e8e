"""Demo data: a hotel switchboard, a 400 hotline and a city 12345 hotline, ready to click through.

``load_demo(session, settings, now=...)`` is idempotent: a second call finds what the first created and
reuses it. Everything is deterministic (seeded random), so tests can rely on names and numbers.
Logins (password ``demo1234``): operator (the hotel's, 王小红), hotline (the 12345 operator,
林晓燕), leader (shift leader of all three lines), supervisor, unit, admin. Each operator works for their own
line only (issue 8, point 5); the supervisor and the admin for everything. The PBX token is
``demo-cti-token`` (stored only as its hash).
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zongji.demo import bookings as bookings_demo
from zongji.demo import catalogue as catalogue_demo
from zongji.demo import emergency as emergency_demo
from zongji.demo import outbound as outbound_demo
from zongji.demo import guestsvc as guestsvc_demo
from zongji.demo import knowledge as knowledge_demo
from zongji.demo import switchboard as switchboard_demo
from zongji.demo import intake as intake_demo
from zongji.demo import travel as travel_demo
from zongji.demo.work_orders import load_work_order_demo
from zongji.errors import ZongjiError
from zongji.services import audit, auth, wakeups
from zongji.services import scope as scope_service
from zongji.services import directory as _directory  # noqa: F401  (keeps search_text current)
from zongji.settings import Settings
from zongji.store.models import (
    CommonNumber,
    Customer,
    Department,
    Guest,
    IntegrationToken,
    Line,
    Organisation,
    Person,
    Room,
    Stay,
    User,
    UserLine,
    utcnow,
)
from zongji.store.wakeup_models import Wakeup

DEMO_PASSWORD = "demo1234"
DEMO_CTI_TOKEN = "demo-cti-token"
DEMO_CTI_TOKEN_NAME = "demo-pbx"
DEMO_PMS_TOKEN = "demo-pms-token"  # scope "pms": POST /api/v1/stays/{id}/check-out (issue 3)
DEMO_PMS_TOKEN_NAME = "demo-pms"
HOTEL_ORG_CODE = "demo-hotel"
HOTLINE_ORG_CODE = "demo-12345"
COMPANY_ORG_CODE = "demo-company"
HOTEL_LINE_NUMBER = "02088886666"
HOTEL_LINE_CODE = "hotel-switchboard"
HOTLINE_12345_NUMBER = "12345"
HOTLINE_12345_CODE = "hotline-12345"
COMPANY_400_NUMBER = "4008001234"
COMPANY_400_CODE = "hotline-400"
DEMO_GM_NAME = "陈国华"
DEMO_GM_MOBILE = "13902001001"
DEMO_GM_EXTENSION = "6001"
DEMO_VIP_GUEST_NAME = "李明"
DEMO_VIP_GUEST_TITLE = "李董事长"
DEMO_VIP_GUEST_MOBILE = "13812345678"
DEMO_VIP_GUEST_ROOM = "1608"
DEMO_NOT_STAYING_GUEST_NAME = "杨一帆"
DEMO_NOT_STAYING_GUEST_MOBILE = "13711112222"
DEMO_NO_CALLS_GUEST_NAME = "何静怡"
DEMO_NO_CALLS_GUEST_MOBILE = "13711113333"
DEMO_TZ = ZoneInfo("Asia/Shanghai")
# The lines each demo user works for (issue 8, point 5); users not named work for every line.
DEMO_USER_LINES = {
    "operator": (HOTEL_LINE_CODE,),
    "hotline": (HOTLINE_12345_CODE,),
    "leader": (HOTEL_LINE_CODE, HOTLINE_12345_CODE, COMPANY_400_CODE),
}

_WEEKDAYS = {d: [["08:30", "12:00"], ["13:00", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")}
_ROUND_THE_CLOCK = {"all": [["00:00", "24:00"]]}
_EXTENDED = {d: [["07:00", "23:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


@dataclass
class DemoSummary:
    created: bool  # False when everything already existed
    hotel_id: int
    hotline_id: int
    company_id: int
    lines: dict[str, str] = field(default_factory=dict)  # code → number
    departments: int = 0
    people: int = 0
    rooms: int = 0
    guests: int = 0
    in_house_guests: int = 0
    vip_guests: int = 0
    common_numbers: int = 0
    customers: int = 0
    users: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- hotel contents

# name, name_en, extension, phone, working hours
HOTEL_DEPARTMENTS = [
    ("总经理办公室", "General Manager's Office", "6010", None, _WEEKDAYS),
    ("前厅部/总台", "Front Office / Reception", "6100", "02088886600", _ROUND_THE_CLOCK),
    ("预订部", "Reservations", "6200", "02088886620", _EXTENDED),
    ("客房服务中心", "Guest-Service Centre", "6300", None, _ROUND_THE_CLOCK),
    ("工程部", "Engineering", "6400", None, _ROUND_THE_CLOCK),
    ("保安部", "Security", "6500", "02088886650", _ROUND_THE_CLOCK),
    ("医务室", "Medical Room", "6600", None, _ROUND_THE_CLOCK),
    ("餐饮部", "Food & Beverage", "6700", "02088886670", _EXTENDED),
    ("销售部", "Sales", "6800", "02088886680", _WEEKDAYS),
    ("客房部", "Housekeeping", "6900", None, _EXTENDED),
    ("总机", "Switchboard", "6050", None, _ROUND_THE_CLOCK),
]

# name, department, title, title_en, manager
HOTEL_STAFF = [
    (DEMO_GM_NAME, "总经理办公室", "总经理", "General Manager", True),
    ("李建明", "总经理办公室", "驻店经理", "Resident Manager", True),
    ("欧阳娜", "总经理办公室", "总经理助理", "Assistant to the GM", True),
    ("黄晓玲", "总经理办公室", "行政秘书", "Executive Secretary", False),
    ("周文杰", "前厅部/总台", "前厅部经理", "Front Office Manager", True),
    ("曾晓东", "前厅部/总台", "大堂副理", "Assistant Manager", True),
    ("林小燕", "前厅部/总台", "总台主管", "Reception Supervisor", False),
    ("郑佳", "前厅部/总台", "接待员", "Receptionist", False),
    ("梁美华", "前厅部/总台", "问讯员", "Information Clerk", False),
    ("谢婷婷", "预订部", "预订部经理", "Reservations Manager", True),
    ("罗敏", "预订部", "预订员", "Reservations Agent", False),
    ("单丽娟", "客房服务中心", "客房服务中心主管", "Guest-Service Centre Supervisor", False),
    ("许慧", "客房服务中心", "服务中心文员", "Coordinator", False),
    ("冯秀英", "客房部", "客房部经理", "Executive Housekeeper", True),
    ("区志强", "客房部", "楼层领班", "Floor Supervisor", False),
    ("邓丽", "客房部", "楼层服务员", "Room Attendant", False),
    ("张伟", "工程部", "工程部经理", "Chief Engineer", True),
    ("解文斌", "工程部", "值班工程师", "Duty Engineer", False),
    ("韩磊", "工程部", "电工", "Electrician", False),
    ("唐勇", "工程部", "空调技工", "HVAC Technician", False),
    ("仇海军", "保安部", "保安部经理", "Security Manager", True),
    ("彭刚", "保安部", "保安主管", "Security Supervisor", False),
    ("蒋涛", "保安部", "消防监控员", "Fire Control Officer", False),
    ("宋医生", "医务室", "医生", "Doctor", False),
    ("查玉兰", "医务室", "护士", "Nurse", False),
    ("潘建华", "餐饮部", "餐饮部经理", "F&B Manager", True),
    ("杜晓明", "餐饮部", "中餐厅经理", "Chinese Restaurant Manager", False),
    ("戴红梅", "餐饮部", "送餐服务主管", "In-Room Dining Supervisor", False),
    ("夏志刚", "餐饮部", "行政总厨", "Executive Chef", False),
    ("钟丽萍", "销售部", "销售部经理", "Director of Sales", True),
    ("汪洋", "销售部", "销售经理", "Sales Manager", False),
    ("田静", "销售部", "会议销售", "Events Sales", False),
    ("任志华", "销售部", "公关经理", "PR Manager", False),
    ("姜敏", "总机", "总机主管", "Switchboard Supervisor", False),
    ("范晓红", "总机", "总机领班", "Switchboard Shift Leader", False),
    ("方丽", "总机", "话务员", "Operator", False),
    ("石磊", "总机", "话务员", "Operator", False),
    ("廖芳", "人力资源", "人力资源经理", "HR Manager", True),
    ("胡建国", "财务", "财务总监", "Financial Controller", True),
    ("Michael Brown", "总经理办公室", "收益经理", "Revenue Manager", False),
]

# name, gender, vip_title, mobile (None: generated), language
VIP_GUESTS = [
    (DEMO_VIP_GUEST_NAME, "male", DEMO_VIP_GUEST_TITLE, DEMO_VIP_GUEST_MOBILE, "zh"),
    ("王建国", "male", "王局长", None, "zh"),
    ("刘芳", "female", "刘总", None, "zh"),
    ("David Johnson", "male", "Mr Johnson", None, "en"),
    ("赵志远", "male", "赵教授", None, "zh"),
    ("黄海涛", "male", "黄主任", None, "zh"),
    ("周雪梅", "female", "周总", None, "zh"),
    ("孙立群", "male", "孙董事长", None, "zh"),
    ("马文博", "male", "马总", None, "zh"),
    ("曾志伟", "male", "曾行长", None, "zh"),
]

_SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
_GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
          "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "晓东", "志强", "海燕", "丽华", "国庆", "文静",
          "子涵", "浩然", "欣怡", "宇轩", "思远", "梓萱", "俊杰", "雨桐", "嘉怡", "博文", "一鸣", "佳琪",
          "振华", "春梅", "德明", "立新", "小龙", "雪", "婷", "鹏", "辉", "斌", "鑫", "琳", "颖", "晨"]
_FOREIGN = ["John Smith", "Emma Wilson", "Hiroshi Tanaka", "Kim Min-jun", "Sarah Miller",
            "Pierre Martin", "Anna Schmidt", "Robert Lee", "Maria Garcia", "James Taylor"]

# category, name, number, note
COMMON_NUMBERS = [
    ("公安消防急救", "报警", "110", "公安报警"),
    ("公安消防急救", "火警", "119", "消防报警"),
    ("公安消防急救", "急救中心", "120", "医疗急救"),
    ("公安消防急救", "交通事故报警", "122", None),
    ("公安消防急救", "示例市公安局出入境管理支队", "02083118000", "签证、居留许可"),
    ("公安消防急救", "示例派出所(酒店辖区)", "02083665110", None),
    ("交通", "铁路客户服务中心", "12306", "火车票、车次查询"),
    ("交通", "示例火车站问询处", "02061357222", None),
    ("交通", "示例南站问询处", "02039267222", "高铁"),
    ("交通", "中国南方航空", "95539", None),
    ("交通", "中国国际航空", "95583", None),
    ("交通", "中国东方航空", "95530", None),
    ("交通", "示例国际机场问询", "02096158", "航班动态"),
    ("交通", "省汽车客运站", "02086661297", "长途汽车"),
    ("交通", "示例港客运码头", "02084446000", "客轮、船票"),
    ("交通", "出租车调度及投诉", "02096900", None),
    ("交通", "地铁客服热线", "02096891", None),
    ("医院", "示例市第一人民医院", "02081048888", "急诊 24 小时"),
    ("医院", "示例市中医院", "02081226188", None),
    ("医院", "示例市妇幼保健院", "02038076000", None),
    ("医院", "示例市儿童医院", "02038076300", None),
    ("医院", "示例口腔医院", "02083827812", None),
    ("政府", "市政府总值班室", "02083555988", None),
    ("政府", "市长热线", "12345", "政务服务便民热线"),
    ("政府", "消费者投诉举报", "12315", None),
    ("政府", "环保举报", "12369", None),
    ("政府", "旅游投诉", "12301", None),
    ("政府", "市外事办公室", "02083123456", "外籍客人事务"),
    ("供电", "供电服务热线", "95598", "停电、电费"),
    ("供电", "示例供电局抢修", "02087120000", None),
    ("海关", "海关服务热线", "12360", None),
    ("海关", "示例海关办公室", "02081102000", "入境物品申报"),
    ("其他酒店", "示例花园酒店", "02083338989", None),
    ("其他酒店", "示例宾馆", "02086666888", None),
    ("其他酒店", "示例国际大酒店", "02083311888", None),
    ("其他酒店", "示例商务酒店", "02087776666", None),
    ("公共服务", "查号台", "114", None),
    ("公共服务", "天气预报", "12121", None),
    ("公共服务", "邮政速递", "11183", None),
    ("公共服务", "燃气抢修", "02096833", None),
    ("公共服务", "自来水服务", "02096968", None),
]

HOTEL_CUSTOMERS = [
    ("钱志明", "示例贸易有限公司", "13600001111", "key", "长包房协议客户"),
    ("孔丽", "示例旅行社", "02083456789", "key", "团队预订"),
    ("郝建军", "示例会展公司", "13600002222", "general", "会议场地询价"),
    ("Linda Chen", "Example Travel Ltd", "+85291234567", "potential", None),
]

# name, duties
HANDLING_UNITS = [
    ("市住建局", "物业管理、房屋安全、住房保障、建筑工地夜间施工、电梯安全(住宅)"),
    ("市交通运输局", "出租车、网约车、公交线路和公交站点、道路运输、客运站"),
    ("市市场监管局", "食品安全、消费维权、价格、产品质量、特种设备"),
    ("市生态环境局", "大气污染、水污染、工业噪声、辐射、环境影响"),
    ("市城管局", "路灯、占道经营、违章搭建、井盖、市容环卫、垃圾清运、流浪犬只"),
    ("市人社局", "社会保险、拖欠工资、劳动合同、就业、职业培训"),
    ("市医保局", "医疗保险、医保报销、异地就医、医保卡"),
    ("市水务集团", "供水、停水、水压、水费、排水"),
    ("市供电公司", "停电、电费、供电抢修"),
    ("市民政局", "社会救助、低保、收养登记、地名、婚姻登记、养老服务"),
    ("市卫健委", "医疗服务、病媒生物防治(虫害)、公共卫生"),
    ("市公安局", "户籍、停车违法、治安(非紧急)"),
    ("示例东区人民政府", "东区辖内事项、街道、社区、停车收费"),
    ("示例西区人民政府", "西区辖内事项、街道、社区"),
]
# The handling units that are a district's local government (属地), and their district.
DISTRICT_GOVERNMENTS = {"示例东区人民政府": "东区", "示例西区人民政府": "西区"}

COMPANY_DEPARTMENTS = [
    ("人力资源部", "HR", "7100", "招聘"),
    ("教学中心", "Teaching Centre", "7200", "课程咨询"),
    ("客户服务部", "Customer Service", "7300", "产品咨询、投诉处理"),
    ("技术部", "Technical", "7400", "线路故障"),
]


def _get_org(session: Session, code: str, name: str, name_en: str, kind: str) -> tuple[Organisation, bool]:
    org = session.scalar(select(Organisation).where(Organisation.code == code))
    if org is not None:
        return org, False
    org = Organisation(code=code, name=name, name_en=name_en, kind=kind)
    session.add(org)
    session.flush()
    return org, True


def _get_line(session: Session, org: Organisation, **kw) -> Line:
    line = session.scalar(select(Line).where(Line.code == kw["code"]))
    if line is None:
        line = Line(organisation_id=org.id, **kw)
        session.add(line)
        session.flush()
    return line


def _local(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=DEMO_TZ).astimezone(dt.UTC)


def _load_hotel(session: Session, org: Organisation, now: dt.datetime, rnd: random.Random) -> None:
    depts: dict[str, Department] = {}
    for name, name_en, ext, phone, hours in HOTEL_DEPARTMENTS:
        d = Department(organisation_id=org.id, name=name, name_en=name_en, kind="department",
                       extension=ext, phone=phone, working_hours=hours)
        session.add(d)
        depts[name] = d
    for name, name_en, ext in (("人力资源", "Human Resources", "6950"), ("财务", "Finance", "6960")):
        d = Department(organisation_id=org.id, name=name + "部", name_en=name_en, kind="department",
                       extension=ext, working_hours=_WEEKDAYS)
        session.add(d)
        depts[name] = d
    session.flush()

    used_ext: dict[str, int] = {}
    for i, (name, dept, title, title_en, manager) in enumerate(HOTEL_STAFF):
        department = depts[dept]
        if name == DEMO_GM_NAME:
            ext, mobile = DEMO_GM_EXTENSION, DEMO_GM_MOBILE
        else:
            base = int(department.extension)
            used_ext[dept] = used_ext.get(dept, 0) + 1
            ext = str(base + used_ext[dept])
            mobile = f"1390200{1002 + i:04d}"
        session.add(Person(
            organisation_id=org.id, department=department, name=name, title=title,
            title_en=title_en, is_manager=manager, extension=ext, mobile=mobile,
            pager=f"{2000 + i}" if manager else None,
        ))
    session.flush()
    # Sales works weekdays only: out of hours the assistant manager on duty takes its calls, and
    # an urgent call to one of its staff at lunch or at night (issue 8).
    duty = session.scalar(select(Person).where(Person.organisation_id == org.id, Person.name == "曾晓东"))
    if duty is not None:
        depts["销售部"].after_hours_person_id = duty.id

    # 300 rooms on floors 3–17, 20 per floor; suites on the top floors.
    rooms: list[Room] = []
    for floor in range(3, 18):
        for n in range(1, 21):
            number = f"{floor}{n:02d}"
            room_type = "套房" if floor >= 16 else ("大床房" if n % 2 else "双床房")
            room = Room(organisation_id=org.id, number=number, floor=floor, room_type=room_type,
                        extension="8" + number)
            session.add(room)
            rooms.append(room)
    session.flush()
    by_number = {r.number: r for r in rooms}

    today = now.astimezone(DEMO_TZ).date()
    used_mobiles: set[str] = {DEMO_VIP_GUEST_MOBILE, DEMO_NOT_STAYING_GUEST_MOBILE,
                              DEMO_NO_CALLS_GUEST_MOBILE}

    def new_mobile() -> str:
        while True:
            m = "13" + rnd.choice("5678") + "".join(rnd.choice("0123456789") for _ in range(8))
            if m not in used_mobiles:
                used_mobiles.add(m)
                return m

    def stay(guest: Guest, room: Room, kind: str) -> Stay:
        if kind == "arriving_today":
            arrival = now - dt.timedelta(minutes=rnd.randint(10, 240))
            departure = _local(today + dt.timedelta(days=rnd.randint(1, 4)), 12)
        elif kind == "departing_today":
            arrival = _local(today - dt.timedelta(days=rnd.randint(1, 5)), 14, rnd.randint(0, 59))
            departure = max(_local(today, 12), now + dt.timedelta(hours=1))
        else:
            arrival = _local(today - dt.timedelta(days=rnd.randint(1, 6)), 14, rnd.randint(0, 59))
            departure = _local(today + dt.timedelta(days=rnd.randint(1, 6)), 12)
        arrival = min(arrival, now - dt.timedelta(minutes=5))
        return Stay(guest=guest, room=room, arrival=arrival, departure=departure, status="in_house")

    free_rooms = [r for r in rooms if r.number != DEMO_VIP_GUEST_ROOM]
    rnd.shuffle(free_rooms)
    occupied = free_rooms[:179]
    vacant = free_rooms[179:]

    guests: list[tuple[Guest, Room, str]] = []
    # The demo VIP: in suite 1608 from two days ago to three days ahead.
    vip_rooms = iter([r for r in occupied if r.floor >= 12])
    for i, (name, gender, title, mobile, lang) in enumerate(VIP_GUESTS):
        g = Guest(organisation_id=org.id, name=name, gender=gender, vip=True, vip_title=title,
                  mobile=mobile or new_mobile(), language=lang, privacy_level="normal",
                  note="VIP: 欢迎水果、免费洗衣" if i == 0 else None, grade="key",
                  preferences=[{"topic": "pillow", "text": "荞麦枕"}, {"topic": "newspaper", "text": "南方日报"},
                               {"topic": "room_location", "text": "高楼层、远离电梯"}] if i == 0 else None)
        if i == 0:
            session.add(Stay(guest=g, room=by_number[DEMO_VIP_GUEST_ROOM],
                             arrival=now - dt.timedelta(days=2),
                             departure=now + dt.timedelta(days=3), status="in_house"))
        else:
            guests.append((g, next(vip_rooms), "staying"))
        session.add(g)
    taken = {r.number for _, r, _ in guests}
    ordinary_rooms = [r for r in occupied if r.number not in taken]
    specials = [
        Guest(organisation_id=org.id, name=DEMO_NOT_STAYING_GUEST_NAME, gender="male",
              mobile=DEMO_NOT_STAYING_GUEST_MOBILE, privacy_level="not_staying",
              note="客人要求对外保密在住"),
        Guest(organisation_id=org.id, name=DEMO_NO_CALLS_GUEST_NAME, gender="female",
              mobile=DEMO_NO_CALLS_GUEST_MOBILE, privacy_level="no_calls", note="谢绝一切来电"),
    ]
    room_iter = iter(ordinary_rooms)
    for g in specials:
        session.add(g)
        guests.append((g, next(room_iter), "staying"))
    seen_names: set[str] = {n for n, *_ in VIP_GUESTS} | {g.name for g in specials} | \
        {n for n, *_ in HOTEL_STAFF}
    for i, room in enumerate(room_iter):
        if i % 17 == 5 and _FOREIGN:
            name = _FOREIGN[(i // 17) % len(_FOREIGN)]
            lang = "en"
        else:
            name = rnd.choice(_SURNAMES) + rnd.choice(_GIVEN)
            lang = "zh"
        if name in seen_names:
            name = name + rnd.choice(_GIVEN)
        seen_names.add(name)
        kind = "arriving_today" if i % 9 == 0 else ("departing_today" if i % 9 == 1 else "staying")
        g = Guest(organisation_id=org.id, name=name, gender=rnd.choice(["male", "female"]),
                  mobile=new_mobile(), language=lang, privacy_level="normal")
        session.add(g)
        guests.append((g, room, kind))
    for g, room, kind in guests:
        session.add(stay(g, room, kind))

    # A few expected arrivals (not yet in house) and past stays (checked out).
    for room in vacant[:5]:
        g = Guest(organisation_id=org.id, name=rnd.choice(_SURNAMES) + rnd.choice(_GIVEN),
                  gender=rnd.choice(["male", "female"]), mobile=new_mobile(), language="zh")
        session.add(g)
        session.add(Stay(guest=g, room=room, arrival=now + dt.timedelta(hours=rnd.randint(2, 8)),
                         departure=_local(today + dt.timedelta(days=2), 12), status="expected"))
    for room in vacant[5:15]:
        g = Guest(organisation_id=org.id, name=rnd.choice(_SURNAMES) + rnd.choice(_GIVEN),
                  gender=rnd.choice(["male", "female"]), mobile=new_mobile(), language="zh")
        session.add(g)
        session.add(Stay(guest=g, room=room, arrival=_local(today - dt.timedelta(days=4), 15),
                         departure=_local(today - dt.timedelta(days=1), 11), status="checked_out"))

    for category, name, number, note in COMMON_NUMBERS:
        session.add(CommonNumber(organisation_id=org.id, category=category, name=name,
                                 number=number, note=note))
    for name, company, phone, grade, note in HOTEL_CUSTOMERS:
        session.add(Customer(organisation_id=org.id, name=name, company=company, phone=phone,
                             grade=grade, note=note))
    session.flush()


def _load_hotline(session: Session, org: Organisation) -> None:
    session.add(Department(organisation_id=org.id, name="热线办公室", name_en="Hotline Office",
                           kind="department", extension="5000", working_hours=_WEEKDAYS,
                           duties="督办、市级部门投诉、重大紧急事项"))
    for i, (name, duties) in enumerate(HANDLING_UNITS):
        session.add(Department(
            organisation_id=org.id, name=name, kind="handling_unit",
            extension=str(5101 + i), phone=f"020831{i + 10:02d}000", working_hours=_WEEKDAYS,
            duties=duties, district=DISTRICT_GOVERNMENTS.get(name),
        ))
    session.flush()


def _load_company(session: Session, org: Organisation) -> None:
    for name, name_en, ext, duties in COMPANY_DEPARTMENTS:
        session.add(Department(organisation_id=org.id, name=name, name_en=name_en,
                               kind="department", extension=ext, working_hours=_WEEKDAYS,
                               duties=duties))
    session.add(Person(organisation_id=org.id, name="韦海燕", title="客服经理",
                       title_en="Customer Service Manager", is_manager=True, extension="7301",
                       mobile="13902007301"))
    session.add(Person(organisation_id=org.id, name="莫晓峰", title="客服代表(热线值守)",
                       extension="7302", mobile="13902007302"))
    session.add(Customer(organisation_id=org.id, name="顾晓明", company="示例学校",
                         phone="13600003333", grade="key", note="批量采购客户"))
    session.flush()


@functools.lru_cache(maxsize=1)
def _demo_password_hash() -> str:
    # Hashed once per process: argon2 is slow on purpose, and every demo login has this password.
    return auth.hash_password(DEMO_PASSWORD)


def _ensure_user(session: Session, username: str, role: str, display_name: str, **kw) -> None:
    if session.scalar(select(User).where(User.username == username)) is not None:
        return
    user = User(username=username, display_name=display_name, role=role,
                password_hash=_demo_password_hash(), **kw)
    session.add(user)
    session.flush()
    audit.record(session, actor="demo", action="create", entity="user", entity_id=user.id,
                 detail={"username": username, "role": role})


def _assign_lines(session: Session) -> None:
    """Each demo user's lines (``DEMO_USER_LINES``), once: a user who has lines keeps them."""
    for username, codes in DEMO_USER_LINES.items():
        user = session.scalar(select(User).where(User.username == username))
        if user is None or session.scalar(select(UserLine.id).where(UserLine.user_id == user.id).limit(1)):
            continue
        scope_service.set_lines(session, user.id, codes, actor="demo")


def load_demo(session: Session, settings: Settings, *, now: dt.datetime | None = None) -> DemoSummary:
    """Load the demo organisations, directory, guests, users and PBX token; reuse what exists.
    ``settings``: the process's (the line-silence check is scheduled on its grid)."""
    now = now or utcnow()
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    rnd = random.Random(20240601)

    hotel, new_hotel = _get_org(session, HOTEL_ORG_CODE, "示例大酒店", "Grand Demo Hotel", "hotel")
    _get_line(session, hotel, code=HOTEL_LINE_CODE, name="示例大酒店总机", kind="switchboard",
              number=HOTEL_LINE_NUMBER,
              greeting_zh="{greeting}，示例大酒店，请问有什么可以帮您？",
              greeting_en="{greeting}, Grand Demo Hotel. How may I help you?",
              internal_greeting_zh="{greeting}，总机，请讲。")
    if new_hotel:
        _load_hotel(session, hotel, now, rnd)

    hotline, new_hotline = _get_org(session, HOTLINE_ORG_CODE, "示例市12345", "Demo City 12345",
                                    "city_hotline")
    _get_line(session, hotline, code=HOTLINE_12345_CODE, name="示例市12345政务服务便民热线",
              kind="hotline_12345", number=HOTLINE_12345_NUMBER,
              greeting_zh="您好！市长热线，请问有什么可以帮到您？",
              greeting_en="Hello, 12345 city hotline. How can I help you?")
    if new_hotline:
        _load_hotline(session, hotline)

    company, new_company = _get_org(session, COMPANY_ORG_CODE, "示例科技有限公司",
                                    "Demo Technology Co., Ltd.", "company")
    _get_line(session, company, code=COMPANY_400_CODE, name="示例科技400客服热线",
              kind="hotline_400", number=COMPANY_400_NUMBER, inbound_only=True,
              greeting_zh="示例科技有限公司，您好，有什么可以帮助您？",
              greeting_en="Demo Technology, hello. How may I help you?")
    if new_company:
        _load_company(session, company)

    # issue 3: DND guest, line settings, facilities, rates
    switchboard_demo.load(session, settings, hotel=hotel, company=company, now=now,
                          hotel_line_code=HOTEL_LINE_CODE, line_400_code=COMPANY_400_CODE)
    _load_wakeups(session, settings, hotel, now)  # issue 5: the night list of the next morning

    unit = session.scalar(select(Department).where(
        Department.organisation_id == hotline.id, Department.name == "市住建局"))
    _ensure_user(session, "operator", "operator", "王小红", operator_number="1001")
    _ensure_user(session, "hotline", "operator", "林晓燕", operator_number="3001")
    _ensure_user(session, "leader", "shift_leader", "刘丽", operator_number="2001")
    _ensure_user(session, "supervisor", "supervisor", "陈静")
    _ensure_user(session, "unit", "unit_handler", "赵强", department_id=unit.id if unit else None)
    _ensure_user(session, "admin", "admin", "系统管理员")
    # The guest-service centre's handler: wake-up door tasks on the units' portal (R-H9).
    centre = session.scalar(select(Department).where(
        Department.organisation_id == hotel.id, Department.name == "客房服务中心"))
    _ensure_user(session, "housekeeping", "unit_handler", "许慧", department_id=centre.id if centre else None)
    # Issue 13: the centre's catalogue, its attendants on the roster and a lively board.
    guestsvc_demo.load(session, settings, now=now, ensure_user=_ensure_user)
    _assign_lines(session)
    # Work orders (issue 4): 12345 category tree, more unit handlers, orders in various states.
    load_work_order_demo(session, hotline_org_id=hotline.id, now=now, tz=DEMO_TZ, ensure_user=_ensure_user)
    # The knowledge base (issue 11): articles of the three organisations and the synonym table.
    knowledge_demo.load(session, org_of_scope={"city": hotline.id, "hotel": hotel.id, "company": company.id},
                        today=now.astimezone(DEMO_TZ).date())
    # Issue 11: the responsibility catalogue (after the hotline units and the category tree).
    catalogue_demo.load(session, hotline_org_id=hotline.id)

    token_hash = auth.hash_token(DEMO_CTI_TOKEN)
    if session.scalar(select(IntegrationToken).where(IntegrationToken.token_hash == token_hash)) is None:
        session.add(IntegrationToken(name=DEMO_CTI_TOKEN_NAME, token_hash=token_hash, scopes="cti"))
    pms_hash = auth.hash_token(DEMO_PMS_TOKEN)
    if session.scalar(select(IntegrationToken).where(IntegrationToken.token_hash == pms_hash)) is None:
        session.add(IntegrationToken(name=DEMO_PMS_TOKEN_NAME, token_hash=pms_hash, scopes="pms"))
    # Issue 15: the SMS gateway's token and messages waiting in the intake queue.
    intake_demo.load(session, settings, now=now)
    emergency_demo.load(session, now=now)  # the hotel's fire plan (R-H11, issue 14)
    bookings_demo.load(session, settings, now=now)  # the booking hotline: hotels, bookings (issue 17)
    travel_demo.load(session, settings, now=now)  # meeting and flight bookings (issue 17)
    outbound_demo.load(session, now=now)  # a follow-up survey list (issue 14 point 4)
    session.flush()

    def count(model, *where) -> int:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

    org_ids = (hotel.id, hotline.id, company.id)
    in_house = count(Stay, Stay.status == "in_house", Stay.arrival <= now,
                     Stay.room_id.in_(select(Room.id).where(Room.organisation_id == hotel.id)))
    return DemoSummary(
        created=new_hotel or new_hotline or new_company,
        hotel_id=hotel.id,
        hotline_id=hotline.id,
        company_id=company.id,
        lines={HOTEL_LINE_CODE: HOTEL_LINE_NUMBER, HOTLINE_12345_CODE: HOTLINE_12345_NUMBER,
               COMPANY_400_CODE: COMPANY_400_NUMBER},
        departments=count(Department, Department.organisation_id.in_(org_ids)),
        people=count(Person, Person.organisation_id.in_(org_ids)),
        rooms=count(Room, Room.organisation_id == hotel.id),
        guests=count(Guest, Guest.organisation_id == hotel.id),
        in_house_guests=in_house,
        vip_guests=count(Guest, Guest.organisation_id == hotel.id, Guest.vip.is_(True)),
        common_numbers=count(CommonNumber, CommonNumber.organisation_id.in_(org_ids)),
        customers=count(Customer, Customer.organisation_id.in_(org_ids)),
        users=["operator", "hotline", "leader", "supervisor", "unit", "admin", "housekeeping", "attendant",
               "attendant2"],
    )


DEMO_WAKEUP_TIMES = ("0600", "0630", "0645", "0700", "0700", "0700", "0715", "0730", "0730", "0800")


def _load_wakeups(session: Session, settings: Settings, hotel: Organisation, now: dt.datetime) -> None:
    """About 20 wake-ups for the next morning, booked through the real service (R-H9)."""
    if session.scalar(select(func.count()).select_from(Wakeup)):
        return
    rng = random.Random(20261123)
    stays = session.scalars(
        select(Stay).join(Room, Stay.room_id == Room.id)
        .where(Room.organisation_id == hotel.id, Stay.status == "in_house").order_by(Room.number)
    ).all()
    # The next morning whose list is still ahead: today's if it is not yet 03:00, else tomorrow's.
    # Never a wake-up due within hours of loading (a demo loaded at 07:30 would otherwise ring at
    # 08:00 while someone is trying it, and the tests' own wake-ups would share the window).
    local_now = now.astimezone(settings.tz)
    morning = local_now.date() if local_now.hour < 3 else local_now.date() + dt.timedelta(days=1)
    booked = 0
    for stay in stays:
        if booked >= 20:
            break
        if rng.random() > 0.15:
            continue
        try:
            wakeups.book(session, wakeups.Booking(room=stay.room.number, time=rng.choice(DEMO_WAKEUP_TIMES),
                                                  date=morning, readback_confirmed=True),
                         actor="demo", now=now, settings=settings)
        except ZongjiError:
            continue  # e.g. the guest leaves before that time
        booked += 1
