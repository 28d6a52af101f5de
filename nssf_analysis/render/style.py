"""One house style for every chart and table, and deterministic output.

:func:`setup` is the first call of every notebook: it fixes pandas display
options, the matplotlib style (colour-blind-safe palette, figure size, dpi, fonts)
and strips run-dependent metadata from saved figures so that outputs are
byte-identical from run to run.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.ticker as mticker
import pandas as pd

__all__ = [
    "DENSITY",
    "DPI",
    "FEMALE_COLOR",
    "FIGSIZE",
    "MIN_FONT",
    "PALETTE",
    "SEX_COLORS",
    "TOTAL_COLOR",
    "alt_text",
    "setup",
    "thousands",
]

#: Okabe–Ito colour-blind-safe palette.
PALETTE = [
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # green
    "#CC79A7",  # pink
    "#56B4E9",  # sky blue
    "#D55E00",  # vermilion
    "#F0E442",  # yellow
    "#000000",  # black
]
#: Colours of the total/female pair, used the same way in every chart.
TOTAL_COLOR = PALETTE[0]
FEMALE_COLOR = PALETTE[1]
#: The total/female pair by the tidy ``sex`` values and by their labels, for ``palette=``.
SEX_COLORS = {
    "total": TOTAL_COLOR,
    "female": FEMALE_COLOR,
    "Total": TOTAL_COLOR,
    "Females": FEMALE_COLOR,
}
#: Figure size in inches: 600 px wide at :data:`DPI`, so that a graphic shown 390 px
#: wide on a phone is scaled by 0.65 and :data:`MIN_FONT` still reads 9 px high.
FIGSIZE = (6.0, 4.0)
#: Layout dots per inch (one CSS pixel per dot).
DPI = 100
#: Pixel density of the images in the book: PNG at twice :data:`DPI` ("retina").
DENSITY = 2
#: The smallest font size of a graphic, in points.
MIN_FONT = 10


def setup() -> None:
    """Apply the house style: pandas display options and matplotlib rc parameters."""
    pd.set_option("display.max_columns", 50)
    pd.set_option("display.width", 120)
    pd.set_option("display.float_format", "{:,.2f}".format)
    mpl.use("Agg") if mpl.get_backend().lower() == "agg" else None
    mpl.rcParams.update(
        {
            "figure.figsize": FIGSIZE,
            "figure.dpi": DPI,
            "savefig.dpi": DPI * DENSITY,
            "font.family": "DejaVu Sans",
            "font.size": MIN_FONT + 1,
            "axes.titlesize": MIN_FONT + 1,
            "axes.labelsize": MIN_FONT + 1,
            "xtick.labelsize": MIN_FONT,
            "ytick.labelsize": MIN_FONT,
            "legend.fontsize": MIN_FONT,
            "axes.titleweight": "bold",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "axes.grid": True,
            "axes.grid.axis": "y",
            "grid.alpha": 0.3,
            "axes.prop_cycle": mpl.cycler(color=PALETTE),
            "legend.frameon": False,
            "svg.hashsalt": "nssf-analysis",
            "svg.fonttype": "none",
            "path.simplify": True,
        }
    )
    try:
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        set_matplotlib_formats("retina", metadata={"Software": None})
    except ImportError:  # outside IPython
        return
    _png_with_alt_text()


def alt_text(fig) -> str:
    """Return the text alternative of a figure: its label, else its titles.

    Chart functions set a figure's label (``Figure.set_label``) to a sentence saying
    what it shows; a figure without one is described by its suptitle and axes titles.
    """
    if fig.get_label():
        return fig.get_label()
    titles = [fig.get_suptitle()] + [ax.get_title() for ax in fig.axes]
    return "; ".join(t for t in titles if t)


def _png_with_alt_text() -> None:
    """Make IPython show every matplotlib figure as a sharp PNG with its :func:`alt_text`.

    The PNG is drawn at :data:`DENSITY` times :data:`DPI` (IPython's "retina" PNG) and
    shown at its layout size; its metadata carry ``width``, ``height`` and the text
    (``alt``), which the book's template writes into the image's attributes.
    """
    from IPython import get_ipython
    from IPython.core.pylabtools import retina_figure
    from matplotlib.figure import Figure
    from matplotlib_inline.config import InlineBackend

    shell = get_ipython()
    if shell is None:
        return
    kwargs = {**InlineBackend.instance().print_figure_kwargs, "metadata": {"Software": None}}

    def png(fig):
        data = retina_figure(fig, base64=True, **kwargs)
        if data is None:
            return None
        data, meta = data  # pixels at DENSITY x, shown at the layout size (width, height)
        text = alt_text(fig)
        return data, {**meta, "alt": text} if text else meta

    shell.display_formatter.formatters["image/png"].for_type(Figure, png)


def thousands(ax, axis: str = "y") -> None:
    """Format an axis with thousands separators ("1,234,567").

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> thousands(ax, "y")  # 1234567 on the axis reads "1,234,567"
    """
    fmt = mticker.FuncFormatter(lambda v, _: f"{v:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)
