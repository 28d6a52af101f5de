"""The render layer: what a page of the book shows.

Where things go:

* formatting of numbers and changes, and plain words: :mod:`~nssf_analysis.render.wording`
  and :mod:`~nssf_analysis.render.tables`;
* what a chapter calls to put its analysis on the page (a table as printed, the tables a
  section did not show, a graphic under its caption, a computed paragraph):
  :mod:`~nssf_analysis.render.page`;
* report tables as printed, with markers and notes: :mod:`~nssf_analysis.render.printed`;
* what each graphic depicts: :mod:`~nssf_analysis.render.charts`;
* the report's own text: :mod:`~nssf_analysis.render.prose`;
* the links between a table's notes and the audit's findings:
  :mod:`~nssf_analysis.render.audit_view`;
* house style: :mod:`~nssf_analysis.render.style`.

Modules here import :mod:`nssf_analysis.data` and :mod:`nssf_analysis.analysis`, never
:mod:`nssf_analysis.book`.
"""
