"""The book layer: the chapter notebooks executed, rendered and published.

Where things go:

* the build, one module per stage: :mod:`~nssf_analysis.book.plan` (notebooks, years,
  input hashes, cache keys), :mod:`~nssf_analysis.book.execute` (workers, kernels, the
  one papermill runner), :mod:`~nssf_analysis.book.pages` (sanitise, render with
  nbconvert, clean HTML), :mod:`~nssf_analysis.book.publish` (index, methodology and
  catalog pages, workbook, atomic swap), run in order by
  :mod:`~nssf_analysis.book.builder` (``build``, ``run_cli``);
* a new page of the book: a notebook in ``notebooks/`` (found by its number), or a
  Jinja template in ``templates/book``;
* the build cache and its keys: :mod:`~nssf_analysis.book.buildcache` and
  :mod:`~nssf_analysis.book.readlog`;
* what the site offers beyond pages: :mod:`~nssf_analysis.book.site`
  (search, downloads, PDF edition, citation, data package);
* the golden notebooks of the tests: :mod:`~nssf_analysis.book.goldens`.

``nssf_analysis.book.<name>`` still gives the names of the former ``book`` module
(``build``, ``run_cli``, ``KERNEL_NAME`` …), which now live in
:mod:`~nssf_analysis.book.builder`.
"""


def __getattr__(name):
    """Give the names of :mod:`nssf_analysis.book.builder` on first use."""
    import importlib
    import importlib.util

    if name.startswith("__"):
        raise AttributeError(name)
    if importlib.util.find_spec(f"{__name__}.{name}") is not None:  # a module of the layer
        return importlib.import_module(f"{__name__}.{name}")
    try:
        return getattr(importlib.import_module(f"{__name__}.builder"), name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
