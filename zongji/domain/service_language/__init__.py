"""Service language: words an agent must never say or write (R-P10, R-S16; issue 11, point 7).

Pure: no I/O. Modules:

* ``phrases`` — a forbidden phrase (literal or a pattern with ``*``/``?`` wildcards), its kind,
  suggested script and the longer innocent words it may appear inside (``喂`` in ``喂养``);
* ``checker`` — finds every hit of a list of phrases in a text, folded through
  ``domain.chinese_text.fold`` (full-width, traditional characters, case), each hit naming the
  phrase, its position in the original text and the suggested script;
* ``defaults`` — the list a new line starts with, from the requirements.
"""
