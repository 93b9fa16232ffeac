"""Appendix: the book as a whole. Its results table beside published figures, and its build times.

executed   glued values and execution times from executed notebooks (the book's cache or a fresh run)
results    the headline result of each chapter, the published figure and citation it compares with
commands   ``python -m medai results`` and ``python -m medai times``
"""
