"""The dispatch suggestion's use cases (issue 11, point 5); the model is ``domain/dispatch``.

- ``training``: gather the examples (catalogue, knowledge base, the centre's history), fit the
  model and store its weights with a new revision (the worker's nightly job, or on demand);
- ``suggestions``: the top units for an order or a draft, with their reasons (the catalogue
  matter that matched, similar past orders, the words that decided), and a category; each
  process keeps the model of the current revision in memory;
- ``acceptance``: the suggestion shown for an order, what the dispatcher chose, and the rate.
"""
