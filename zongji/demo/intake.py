"""The demo's intake queue (issue 15): the SMS gateway's token, a few citizens' text messages and
an Open311 request and a WeChat message waiting, and an order that came by SMS — so /intake and the channel figures
show something. Loaded once (nothing is added when a message exists)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.services import auth
from zongji.services.intake import queue
from zongji.settings import Settings
from zongji.store.intake_models import IntakeMessage
from zongji.store.models import IntegrationToken

DEMO_SMS_TOKEN = "demo-sms-token"  # scope "sms": POST /api/v1/sms/inbound
DEMO_SMS_TOKEN_NAME = "demo-sms-gateway"

_MESSAGES = [
    (9, "13512340001", "人民公园北门附近有几条流浪狗，早上追着学生跑，请尽快处理。"),
    (5, "13512340002", "请问社保卡丢了怎么补办？需要带什么材料？"),
    (2, "13512340003", "东湖路公交站旁垃圾桶又满了，味道很大。"),
]


def load(session: Session, settings: Settings, *, now: dt.datetime) -> int:
    if session.scalar(select(IntegrationToken.id).where(
            IntegrationToken.token_hash == auth.hash_token(DEMO_SMS_TOKEN))) is None:
        session.add(IntegrationToken(name=DEMO_SMS_TOKEN_NAME, token_hash=auth.hash_token(DEMO_SMS_TOKEN),
                                     scopes="sms"))
    if session.scalar(select(IntakeMessage.id).limit(1)) is not None:
        return 0
    for i, (minutes, sender, text) in enumerate(_MESSAGES):
        queue.receive(session, settings, channel="sms", sender=sender, text=text,
                      now=now - dt.timedelta(minutes=minutes), external_id=f"demo-{i + 1}", to_address="12345")
    queue.receive(session, settings, channel="open311", sender="随手拍", now=now - dt.timedelta(minutes=20),
                  text="幸福路与建设路路口的井盖缺了一角，电动车经过很危险。",
                  meta={"service_code": "city.manholes", "category": "city/manholes",
                        "address_string": "幸福路与建设路路口", "lat": 31.2301, "long": 121.4731},
                  token="demo0000000000000000000000000001")
    # A WeChat Official Account message (channel app; docs/wechat.md): a location with its label.
    queue.receive(session, settings, channel="app", sender="oDemoCitizen0001", now=now - dt.timedelta(minutes=1),
                  text="[位置] 东湖路28号 (31.2290, 121.4702)", external_id="wx:gh_demo12345:1000000001",
                  to_address="gh_demo12345", meta={"platform": "wechat", "msg_type": "location", "lat": 31.229,
                                                   "long": 121.4702, "address_string": "东湖路28号"})
    return len(_MESSAGES) + 2
