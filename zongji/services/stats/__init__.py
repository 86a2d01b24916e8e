"""Statistics (issue 10): the live wallboard (``wallboard``). The formulas are the domain's
(``zongji.domain.stats``); these modules only count the rows they apply to."""
