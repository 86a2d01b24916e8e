"""Demo work orders for the 12345 hotline (issue 4): the category tree, unit handler logins and a
few orders in various states, created through the real service (timeline, clocks, timers).

Called by ``zongji.demo.data.load_demo``; idempotent (does nothing once orders exist).
Logins (password ``demo1234``): ``unit`` (市住建局， from the base demo), ``unit2`` (市城管局),
``unit3`` (市交通运输局).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.services.work_orders import commands
from zongji.services.work_orders.categories import import_categories
from zongji.services.work_orders.visibility import Viewer
from zongji.store.models import Department, Organisation, User
from zongji.store.work_order_models import WorkOrder, WorkOrderCategory

# code, 中文， English, unit usually responsible
CATEGORIES_12345 = [
    ("city", "城市管理", "City management", "市城管局"),
    ("city/street_lights", "路灯", "Street lights", "市城管局"),
    ("city/manholes", "井盖", "Manhole covers", "市城管局"),
    ("city/stray_dogs", "流浪犬只", "Stray dogs", "市城管局"),
    ("city/waste", "垃圾清运", "Waste collection", "市城管局"),
    ("housing", "住房与物业", "Housing and property", "市住建局"),
    ("housing/property", "物业管理", "Property management", "市住建局"),
    ("housing/night_construction", "工地夜间施工", "Night construction", "市住建局"),
    ("housing/lifts", "住宅电梯", "Residential lifts", "市住建局"),
    ("transport", "交通出行", "Transport", "市交通运输局"),
    ("transport/bus_stops", "公交线路与站点", "Bus lines and stops", "市交通运输局"),
    ("transport/taxis", "出租车", "Taxis", "市交通运输局"),
    ("transport/parking_fees", "停车收费", "Parking fees", "示例东区人民政府"),
    ("social", "社会保障", "Social security", "市人社局"),
    ("social/wages", "拖欠工资", "Unpaid wages", "市人社局"),
    ("social/allowance", "社会救助与低保", "Social allowances", "市民政局"),
    ("social/medical_insurance", "医疗保险", "Medical insurance", "市医保局"),
    ("market", "市场监管", "Market regulation", "市市场监管局"),
    ("market/food_safety", "食品安全", "Food safety", "市市场监管局"),
    ("market/consumer", "消费维权", "Consumer rights", "市市场监管局"),
    ("utilities", "水电供应", "Water and power", "市水务集团"),
    ("utilities/water", "供水", "Water supply", "市水务集团"),
    ("utilities/power", "供电", "Power supply", "市供电公司"),
    ("environment", "生态环境", "Environment", "市生态环境局"),
    ("environment/noise", "噪声扰民", "Noise", "市生态环境局"),
    ("health", "卫生健康", "Health", "市卫健委"),
    ("health/pests", "病媒生物(虫害)", "Pests", "市卫健委"),
]

DEMO_UNIT_USERS = [("unit2", "孙伟", "市城管局"), ("unit3", "钱芳", "市交通运输局")]


def _unit(session: Session, org_id: int, name: str) -> Department | None:
    return session.scalar(select(Department).where(Department.organisation_id == org_id, Department.name == name))


def load_work_order_demo(session: Session, *, hotline_org_id: int, now: dt.datetime, tz: ZoneInfo,
                         ensure_user) -> int:
    """Categories, unit handlers and demo orders; returns the number of orders created."""
    if session.scalar(select(WorkOrderCategory.id).limit(1)) is None:
        import_categories(session, [{"code": c, "name_zh": zh, "name_en": en, "unit": u}
                                    for c, zh, en, u in CATEGORIES_12345], actor="demo", user_id=None)
    for username, display, unit_name in DEMO_UNIT_USERS:
        unit = _unit(session, hotline_org_id, unit_name)
        ensure_user(session, username, "unit_handler", display, department_id=unit.id if unit else None)
    if session.scalar(select(WorkOrder.id).limit(1)) is not None:
        return 0
    users = {u.username: u for u in session.scalars(select(User))}
    # The 12345 operator takes the city's calls (the hotel's operator never sees them).
    if not all(k in users for k in ("hotline", "leader", "supervisor", "unit")):
        return 0
    v = {k: Viewer.of(users[k]) for k in ("hotline", "leader", "supervisor", "unit")}
    v["operator"] = v["hotline"]
    city = _unit(session, hotline_org_id, "市城管局")
    housing = _unit(session, hotline_org_id, "市住建局")
    if city is None or housing is None:
        return 0
    v_city = Viewer.of(users["unit2"]) if "unit2" in users else None
    local = now.astimezone(tz)
    # Working days before today keep the demo's clocks meaningful whatever day it runs.
    def back(days: int, hh: int, mm: int = 0) -> dt.datetime:
        d = local.date() - dt.timedelta(days=days)
        return dt.datetime(d.year, d.month, d.day, hh, mm, tzinfo=tz)

    def new(at, **kw) -> WorkOrder:
        return commands.create_order(session, v["operator"], commands.NewOrder(line_code="hotline-12345", **kw),
                                     tz=tz, now=at)

    def act(viewer, row, at, **payload) -> None:
        commands.act(session, viewer, row.id, payload, tz=tz, now=at)

    n = 0
    # 1. Just received, waiting for the shift leader.
    new(local - dt.timedelta(minutes=25), order_type="request", situation="general", caller_name="周先生",
        caller_number="13500001111", place="幸福路88号小区东门", category="city/street_lights",
        description="幸福路88号小区东门外三盏路灯连续一周不亮，晚上行人看不清路。")
    n += 1
    # 2. Dispatched to the housing unit, waiting for acceptance.
    o = new(back(1, 10, 5), order_type="complaint", situation="general", caller_name="吴女士",
            caller_number="13600002222", place="锦绣花园3栋", category="housing/night_construction",
            description="锦绣花园旁工地每晚施工到凌晨一点，噪音很大，影响休息。")
    act(v["leader"], o, back(1, 10, 30), action="dispatch", unit_id=housing.id)
    n += 1
    # 3. In progress at the city unit, dispatched long ago: breached.
    o = new(back(12, 9, 0), order_type="request", situation="general", caller_name="郑先生",
            caller_number="13700003333", place="人民路与解放路交叉口", category="city/manholes",
            description="人民路与解放路交叉口井盖松动，车辆经过有响声，存在安全隐患。")
    act(v["leader"], o, back(12, 9, 20), action="dispatch", unit_id=city.id)
    if v_city:
        act(v_city, o, back(12, 10, 0), action="accept")
        act(v_city, o, back(11, 15, 0), action="progress", note="已派人现场查看，需更换井盖，等待材料。")
    n += 1
    # 4. Replied by the housing unit: callback due.
    o = new(back(3, 14, 0), order_type="complaint", situation="general", caller_name="冯女士",
            caller_number="13800004444", place="阳光小区", category="housing/property",
            description="阳光小区物业长期不清理楼道垃圾，多次反映无果。")
    act(v["leader"], o, back(3, 14, 20), action="dispatch", unit_id=housing.id)
    act(v["unit"], o, back(3, 15, 0), action="accept")
    act(v["unit"], o, back(2, 11, 0), action="reply", text="已约谈物业公司，楼道垃圾已于当日清理，并要求每日清扫。")
    n += 1
    # 5. Dissatisfied callback: back to the shift leader, supervised.
    o = new(back(6, 9, 30), order_type="request", situation="general", caller_name="陈先生",
            caller_number="13900005555", place="东湖路公交站", category="city/waste",
            description="东湖路公交站旁垃圾桶满溢，异味严重。")
    act(v["leader"], o, back(6, 9, 45), action="dispatch", unit_id=city.id)
    if v_city:
        act(v_city, o, back(6, 10, 0), action="accept")
        act(v_city, o, back(5, 16, 0), action="reply", text="已安排清运。")
        act(v["operator"], o, back(4, 10, 0), action="record_callback", outcome="dissatisfied",
            caller_words="只清了一次，第二天又满了，希望增加清运次数。")
    n += 1
    # 6. Help outside the remit, closed directly with the handling recorded (R-P11).
    new(back(2, 16, 0), order_type="help", situation="outside_remit", caller_name="刘女士",
        caller_number="13100006666", description="与装修公司发生合同纠纷，想起诉对方。",
        close_directly={"handling": "告知来电人拨打12348公共法律服务热线咨询，或向法院起诉。", "result": "来电人表示理解，将咨询12348。"})
    n += 1
    return n


__all__ = ["CATEGORIES_12345", "DEMO_UNIT_USERS", "load_work_order_demo"]
