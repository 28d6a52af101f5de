"""The analysis layer: numbers computed from ``data/``, with no HTML and no IPython.

Where things go:

* printed values, recomputed sums and changes of a table: :mod:`~nssf_analysis.analysis.values`;
* the section-2 headlines, declared once: :mod:`~nssf_analysis.analysis.headlines`;
* a new indicator: :mod:`~nssf_analysis.analysis.indicators`;
* a new statistic: :mod:`~nssf_analysis.analysis.stats`;
* a new audit rule: the package :mod:`~nssf_analysis.analysis.audit` (its declaration in
  :mod:`~nssf_analysis.analysis.audit.rules`, its check in the module of its kind).

Modules here import :mod:`nssf_analysis.data` and each other, never
:mod:`nssf_analysis.render` or :mod:`nssf_analysis.book`.
"""
