"""12351 appeals (职工诉求): text helpers used when an appeal is taken in.

``categories`` names what the hotline receives, ``classifier`` suggests a category from the
worker's own words and ``address`` suggests the district (and street) the places in the text
belong to. Plain modules for now; the Django app is built around them later.
"""
