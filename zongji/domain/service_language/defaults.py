"""The forbidden phrases a line starts with (R-P10's list and R-S16's five kinds).

Each with the script to say instead; the supervisor edits the list per line afterwards.
"""

from __future__ import annotations

from zongji.domain.service_language.phrases import Phrase, PhraseKind

K = PhraseKind

DEFAULT_PHRASES: tuple[Phrase, ...] = (
    Phrase("喂", "您好！请问有什么可以帮到您？", K.FILLER,
           ("喂养", "喂食", "喂奶", "喂药", "投喂", "喂猫", "喂狗", "喂鸟")),
    Phrase("哦", "好的，我明白了。", K.FILLER),
    Phrase("我不知道", "请您稍等，我马上为您查询。", K.LECTURING),
    Phrase("这是规定*没办法", "很抱歉，按规定暂时无法办理，我帮您看看还有什么办法。", K.LECTURING),
    Phrase("你自己去*部门问吧", "这件事由相关部门负责，我帮您记录并转交，也可以告诉您他们的电话。", K.BLAMING),
    Phrase("说完了没有", "您请继续说，我在听。", K.PROVOKING),
    Phrase("有完没完", "您请慢慢说，我在认真听。", K.PROVOKING),
    Phrase("你听不懂吗", "可能我没说清楚，我再为您解释一遍。", K.PROVOKING),
    Phrase("我已经说过了", "我再为您说明一下。", K.LECTURING),
    Phrase("这不归我们管", "这件事由相关部门负责，我帮您联系或转交。", K.BLAMING),
    Phrase("不关我的事", "我来帮您问清楚由谁负责。", K.BLAMING),
    Phrase("你怎么不早说", "好的，我帮您补充记录。", K.BLAMING),
    Phrase("急什么", "请您稍等，我正在为您处理。", K.PROVOKING),
    Phrase("你问我我问谁", "请您稍等，我马上为您查询。", K.PROVOKING),
    Phrase("活该", "给您带来不便，非常抱歉。", K.HURTFUL),
    Phrase("神经病", "请您冷静一下，我会尽力帮您。", K.VULGAR),
)
