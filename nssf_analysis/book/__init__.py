"""The book layer: the chapter notebooks executed with papermill, rendered, published.

:mod:`~nssf_analysis.book.build` plans, runs and caches the chapters (``nssf-report
build``), each run in a worker by :mod:`~nssf_analysis.book.execute`;
:mod:`~nssf_analysis.book.kernels` forks their kernels warm;
:mod:`~nssf_analysis.book.pages` renders a chapter with nbconvert and cleans it;
:mod:`~nssf_analysis.book.publish` writes a year's book with
:mod:`~nssf_analysis.book.exports` (the downloads), :mod:`~nssf_analysis.book.search`,
:mod:`nssf_analysis.publication` and :mod:`~nssf_analysis.book.pdf`;
:mod:`~nssf_analysis.processes` keeps any process from outliving a build.
"""
