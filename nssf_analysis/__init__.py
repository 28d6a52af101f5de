"""nssf_analysis: the NSSF annual report as validated data, notebooks and a book."""

__version__ = "0.1.0"


def setup() -> None:
    """Apply the house style; every chapter notebook calls it first.

    It fixes pandas display options, the matplotlib style (colour-blind-safe palette,
    figure size, dpi, fonts) and the metadata of saved figures, so that outputs are
    the same from run to run (:func:`nssf_analysis.style.setup`).
    """
    from .style import setup as _setup

    _setup()
