"""The data layer: the report text → ``data/``, and the reader of ``data/``.

Where things go:

* a new table of the report: its specification in :mod:`nssf_analysis.data.specs`
  (layout, header, dimensions, measures, units — as data);
* how printed text becomes cells: :mod:`~nssf_analysis.data.extract` (raw, as
  printed), :mod:`~nssf_analysis.data.tidy` (long form), :mod:`~nssf_analysis.data.facts`
  (numbers of the prose), :mod:`~nssf_analysis.data.directories` (annex lists);
* what an edition's tables are: :mod:`~nssf_analysis.data.editions`;
* units of money and their one scaling: :mod:`~nssf_analysis.data.units`;
* checks of files on disk: :mod:`~nssf_analysis.data.validate`;
* reading ``data/`` (the public API) and writing it: :mod:`~nssf_analysis.data.catalog`;
* the one cache of everything read from ``data/``: :mod:`~nssf_analysis.data.cache`.

Nothing here imports :mod:`nssf_analysis.analysis`, :mod:`nssf_analysis.render` or
:mod:`nssf_analysis.book`.
"""
