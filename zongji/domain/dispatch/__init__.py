"""The dispatch suggestion (issue 11, point 5): which unit should handle an order. Pure.

- ``features``: an order's text, category and place as the features the model weighs (words,
  character pairs, the category and its parent, the district), with the place and the filler of
  an operator's note left out;
- ``model``: a linear softmax model over those features, trained from the responsibility
  catalogue and the knowledge base (a new centre) and the centre's own history (orders a unit
  kept count for it, a return counts against the unit that returned it); ``rank`` answers the
  units best first with their probability and the features that spoke for each.
"""
