"""Chapter 1, background and concepts.

concepts   the concept graph of the book, as data, drawn with matplotlib
"""
