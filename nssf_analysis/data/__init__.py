"""The data layer: the report text → ``data/``, and the reader of ``data/``.

Where things go:

* a new table of the report: its specification in the part module of
  :mod:`nssf_analysis.data.specs` that prints it (``specs/part_a_occupational_risk.py``
  … ``specs/annex.py``: how it is read, its rows and header labels);
* how printed text becomes cells: :mod:`~nssf_analysis.data.extract` (raw, as
  printed), :mod:`~nssf_analysis.data.tidy` (long form), :mod:`~nssf_analysis.data.facts`
  (numbers of the prose), :mod:`~nssf_analysis.data.directories` (annex lists);
* the one layout check of a table (its contract and its printed lines):
  :mod:`~nssf_analysis.data.layout`;
* what an edition's tables are: :mod:`~nssf_analysis.data.editions`; several editions
  side by side: :mod:`~nssf_analysis.data.revisions`;
* units (the one vocabulary, money and its one scaling): :mod:`~nssf_analysis.data.units`;
* the rules a data file is checked by: :mod:`~nssf_analysis.data.validate`;
* writing ``data/`` from the seeds, validated once, with its manifest ``SHA256SUMS``
  (and ``nssf-report validate``): :mod:`~nssf_analysis.data.pipeline`;
* reading it (the public API): :mod:`~nssf_analysis.data.catalog`; the report's own
  text: :mod:`~nssf_analysis.data.report_text`; the one function every read of ``data/``
  and ``seeds/`` goes through, the loads it declares and the manifest:
  :mod:`~nssf_analysis.data.files`; the one cache of what they give:
  :mod:`~nssf_analysis.data.cache`.

Imports run one way: the reader (``catalog``, ``report_text``, ``files``, ``cache``,
``validate``, ``specs``, ``units``) never imports the writer (``extract``, ``tidy``,
``checks``, ``layout``, ``editions``, ``revisions``, ``facts``, ``directories``,
``pipeline``), which may import the reader.  Nothing here imports
:mod:`nssf_analysis.analysis`, :mod:`nssf_analysis.render` or :mod:`nssf_analysis.book`.
"""

__all__: list[str] = []
