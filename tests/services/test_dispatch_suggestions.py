"""The dispatch suggestion's services (issue 11, point 5): one analyser with the catalogue, and
the past orders it compares with segmented once, not at every suggestion."""

from __future__ import annotations

from sqlalchemy import func, select

from zongji.domain.chinese_text import Analyzer
from zongji.services.catalogue import synonyms as catalogue_synonyms
from zongji.services.dispatch import centre, suggestions, training
from zongji.services.knowledge import synonyms as kb_synonyms
from zongji.store.models import Department
from zongji.store.work_order_models import WorkOrder



def test_dispatch_uses_the_catalogues_analyser_and_follows_the_synonym_table(demo, write):
    with write() as s:
        org = centre.organisation_for(s)
        ana = catalogue_synonyms.analyzer(s, org.id)
        assert training.analyzer_for(s, org) is ana
        assert catalogue_synonyms.analyzer(s, org.id) is ana  # built once
        assert "扰民噪声" not in ana.words("楼上天天闹腾")
    with write() as s:
        kb_synonyms.replace(s, None, [*kb_synonyms.groups(s), "扰民噪声 = 闹腾"])
    with write() as s:
        org = centre.organisation_for(s)
        changed = training.analyzer_for(s, org)
        assert changed is not ana and changed is catalogue_synonyms.analyzer(s, org.id)
        assert "扰民噪声" in changed.words("楼上天天闹腾")


def test_past_orders_are_segmented_once_not_at_every_suggestion(demo, write, settings, monkeypatch):
    with write() as s:
        org = centre.organisation_for(s)
        city = s.scalar(select(Department.id).where(Department.name == "市城管局"))
        assert s.scalar(select(func.count()).select_from(WorkOrder).where(WorkOrder.main_unit_id == city)), \
            "the demo has orders of 市城管局 to compare with"
        said: list[str] = []
        real = Analyzer.words
        monkeypatch.setattr(Analyzer, "words", lambda self, text: said.append(text) or real(self, text))
        text = "马路边的路灯不亮了"
        first = suggestions.suggest(s, org, settings, text=text)
        assert first["units"][0]["unit"]["id"] == city, first
        said.clear()
        again = suggestions.suggest(s, org, settings, text=text)
        assert again == first
        assert len(said) == 1, said  # the text itself; no past order, no matter segmented again
