"""The WEAVER++ family (Roelofs 1992, 2003, 2018) and the cumulative-interference accounts.

``model`` is WEAVER++ for picture–word interference and Stroop; ``cumulative`` is
WEAVER++ with the cumulative semantic interference accounts of continuous naming;
``howard2006`` is Howard et al.'s (2006) competitive-learning account. The network
(``network``, ``rules``), its dynamics (``dynamics``) and the analytic retrieval hazard
(``hazard``) are shared by all three. Importing this package imports none of them.
"""
