"""The knowledge base's rules (issue 11, points 1 and 3). Pure: no I/O, no database.

- ``ranking``: BM25-style relevance of candidate articles to what the operator typed, over the
  shared analyser's terms (``zongji.domain.chinese_text``); title and keywords weigh more than
  the answer, an exact phrase earns a bonus.
- ``articles``: an article's validity on a day, the lines it applies to, when its review is due,
  and the difference between two versions.
- ``permissions``: who edits directly, who may only propose, who approves.
"""
