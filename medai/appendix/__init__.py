"""Appendix: the book as a whole. Its results table beside published figures, its build times, and
its claims checked at several seeds.

executed   glued values and execution times from executed notebooks (the book's cache or a fresh run)
results    the headline result of each chapter, the published figure and citation it compares with
commands   ``python -m medai results`` and ``python -m medai times``
claims_sweep  ``python -m medai claims``: each notebook at several seeds, every claim's result in a CSV
"""
