"""12351 appeals (职工诉求): every channel in, routed to the union responsible, handled to
deadlines counted in working days, escalated when late, with early warning of collective
incidents.

``categories``, ``classifier`` and ``address`` are the text helpers used at intake (they
suggest; the operator decides); ``models``/``services``/``selectors`` are the domain.
"""
