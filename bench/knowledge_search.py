"""Knowledge-base search with 20,000 articles (issue 11, point 3). See bench/README.md.

Generates articles from the demo content (each demo article's title, keywords and line with
sentences of other articles as its answer, and a district suffix), loads the same rows into
SQLite and PostgreSQL through Zongji's own indexing, then times, per backend, the shared search
cases (tests/domain/kb_search_cases.json, each on its article's line):

- Zongji's search (services/knowledge/search: full-text candidates, domain ranking);
- the baseline, measured in the same run: a plain ``LIKE '%word%'`` scan of title, keywords and
  answer for any of the query's words under the same filters.

Prints p50/p95/p99 in milliseconds beside each other and how many cases found their article in
the top 3. Target: p95 < 50 ms. No test asserts a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "zongji" / "demo" / "content"
CASES = ROOT / "tests" / "domain" / "kb_search_cases.json"
DISTRICTS = ("东区", "西区", "南区", "北区", "新区", "高新区", "开发区", "老城区", "滨江区", "山前区")
TODAY = dt.date(2026, 12, 4)


def generate(n: int, seed: int = 20261204) -> list[dict]:
    items = json.loads((CONTENT / "articles.json").read_text("utf-8"))
    rnd = random.Random(seed)
    sentences = [s + "。" for a in items for s in a["answer"].split("。") if s.strip()]
    out = [dict(a) for a in items]  # the originals, which the cases expect
    while len(out) < n:
        base = rnd.choice(items)
        i = len(out)
        out.append({
            "key": f"gen-{i}-{base['key']}", "title": f"{base['title']}（{rnd.choice(DISTRICTS)}{i % 97}）",
            "answer": "".join(rnd.sample(sentences, 4)),
            "keywords": rnd.sample(base["keywords"], k=max(1, len(base["keywords"]) // 2)),
            "category": base["category"], "lines": base["lines"],
        })
    return out


def load(url: str, articles: list[dict]) -> None:
    from sqlalchemy.orm import Session

    from zongji.services.knowledge import indexing, synonyms
    from zongji.store.db import make_engine
    from zongji.store.knowledge_models import KbArticle
    from zongji.store.models import Base

    engine = make_engine(url)
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        synonyms.replace(s, None, (CONTENT / "synonyms.txt").read_text("utf-8").splitlines())
        for a in articles:
            s.add(KbArticle(key=a["key"], title=a["title"], answer=a["answer"], keywords="\n".join(a["keywords"]),
                            category=a["category"], line_codes=" " + " ".join(a["lines"]) + " ",
                            status="published"))
        s.flush()
        indexing.reindex_all(s)
        s.commit()
    if engine.dialect.name == "postgresql":
        # A bulk load leaves the GIN index's entries in its pending list and the planner with
        # no statistics; autovacuum does this on a running site.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.exec_driver_sql("VACUUM ANALYZE kb_articles")
    engine.dispose()


def _like_scan(s, query: str, line: str) -> list[int]:
    from sqlalchemy import or_, select

    from zongji.services.knowledge import indexing
    from zongji.services.knowledge.search import _filters
    from zongji.store.knowledge_models import KbArticle

    words = indexing.analyzer(s).words(query) or [query]
    like = [c.like(f"%{w}%") for w in words for c in (KbArticle.title, KbArticle.keywords, KbArticle.answer)]
    return list(s.scalars(select(KbArticle.id).where(_filters(TODAY, line, ("published",)), or_(*like)).limit(10)))


def measure(url: str, cases: list[dict], line_of: dict[str, str], rounds: int) -> dict:
    from sqlalchemy.orm import Session

    from zongji.services.knowledge import search
    from zongji.store.db import make_engine

    engine = make_engine(url)
    zongji, baseline, hits = [], [], 0
    with Session(engine) as s:
        search.search(s, "预热", day=TODAY)  # builds the analyser once
        for r in range(rounds):
            for case in cases:
                line = line_of[case["expect"]]
                t = time.perf_counter()
                found = search.search(s, case["query"], day=TODAY, line=line, limit=10)
                zongji.append((time.perf_counter() - t) * 1000)
                # A generated article is a variant of the demo article it was made from (its key
                # ends with it): finding the variant answers the caller as well.
                if r == 0 and any(a.key == case["expect"] or a.key.endswith("-" + case["expect"])
                                  for a, _ in found[:3]):
                    hits += 1
                t = time.perf_counter()
                _like_scan(s, case["query"], line)
                baseline.append((time.perf_counter() - t) * 1000)
    engine.dispose()
    return {"zongji": zongji, "baseline": baseline, "hits": hits}


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[p - 1] if len(values) > 1 else values[0]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--articles", type=int, default=20_000)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--pg-admin-url", default=os.environ.get(
        "ZONGJI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))
    args = p.parse_args(argv)
    from sqlalchemy import create_engine, text

    articles = generate(args.articles)
    cases = json.loads(CASES.read_text("utf-8"))
    line_of = {a["key"]: a["lines"][0] for a in articles}
    print(f"{len(articles)} articles, {len(cases)} queries x {args.rounds} rounds")
    print(f"{'backend':<11} {'search':<9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  top-3 hits")
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            admin, pg_name = None, None
            if backend == "sqlite":
                url = f"sqlite:///{Path(tmp) / 'kb.db'}"
            else:
                pg_name = f"zongji_kb_bench_{uuid.uuid4().hex[:8]}"
                admin = create_engine(args.pg_admin_url, isolation_level="AUTOCOMMIT")
                with admin.connect() as c:
                    c.execute(text(f'CREATE DATABASE "{pg_name}"'))
                url = f"{args.pg_admin_url.rsplit('/', 1)[0]}/{pg_name}"
            try:
                t = time.perf_counter()
                load(url, articles)
                load_s = time.perf_counter() - t
                res = measure(url, cases, line_of, args.rounds)
            finally:
                if admin is not None:
                    with admin.connect() as c:
                        c.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
                    admin.dispose()
            for name in ("zongji", "baseline"):
                v = res[name]
                hits = f"{res['hits']}/{len(cases)}" if name == "zongji" else "-"
                print(f"{backend:<11} {name:<9} {pct(v, 50):8.1f} {pct(v, 95):8.1f} {pct(v, 99):8.1f}  {hits}")
            print(f"{backend:<11} (load and index {load_s:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
