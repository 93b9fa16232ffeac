"""medai: the code behind the book *Deep learning for medical diagnosis and health management*.

Notebooks tell the story; this package holds the logic they import, each module with one job.
"""

__version__ = "0.1.0"
