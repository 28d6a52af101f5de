"""The book layer: the chapter notebooks executed, rendered and published.

Where things go:

* the build (plan, execute with papermill, render with nbconvert, publish):
  :mod:`~nssf_analysis.book.builder`;
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

    if name.startswith("__"):
        raise AttributeError(name)
    try:
        return getattr(importlib.import_module(f"{__name__}.builder"), name)
    except AttributeError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
