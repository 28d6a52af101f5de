"""The render layer: what a page of the book shows.

Where things go:

* formatting of numbers and changes, and plain words: :mod:`~nssf_analysis.render.wording`
  and :mod:`~nssf_analysis.render.tables`;
* report tables as printed, with markers and notes: :mod:`~nssf_analysis.render.printed`;
* the report's graphics: :mod:`~nssf_analysis.render.charts`;
* paragraphs written from the data and the report's own text: :mod:`~nssf_analysis.render.prose`;
* a chapter's content in report order: :mod:`~nssf_analysis.render.sections`;
* house style: :mod:`~nssf_analysis.render.style`.

Modules here import :mod:`nssf_analysis.data` and :mod:`nssf_analysis.analysis`, never
:mod:`nssf_analysis.book`.
"""
