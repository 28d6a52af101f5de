"""nssf_analysis: the NSSF annual report as validated data, notebooks and a book."""

__version__ = "0.1.0"
