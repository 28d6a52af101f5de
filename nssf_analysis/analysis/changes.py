"""The change of a value on the year before: one computation and one vocabulary.

:func:`change_percent` gives the relative change in percent and a status; the statuses
are declared here once and every module (printed values, indicators, statistics, prose,
the book's tables) uses these words:

* :data:`OK` — the change is a number;
* :data:`NOT_AVAILABLE` — a year (or a value) is missing, nothing can be compared;
* :data:`NEW` — the base is zero and the later value is not (never infinity, never a
  made-up 100 %);
* :data:`NO_CHANGE` — both values are zero.

The display of a change ("+18.08%", "new (from 0)") is
:func:`nssf_analysis.render.tables.format_change`.
"""

from __future__ import annotations

import math

__all__ = ["LABELS", "NEW", "NOT_AVAILABLE", "NO_CHANGE", "OK", "change_percent", "missing"]

#: The change is a number.
OK = "ok"
#: A year or a value is missing: the change cannot be computed.
NOT_AVAILABLE = "not available"
#: A change from a zero base.
NEW = "new (from 0)"
#: No change between two zeros.
NO_CHANGE = "no change"
#: Every status that is not a number, as shown in place of one.
LABELS = (NOT_AVAILABLE, NEW, NO_CHANGE)


def missing(x) -> bool:
    """Return whether ``x`` is no number (None, NaN or not numeric)."""
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def change_percent(base: float | None, current: float | None) -> tuple[float | None, str]:
    """Return the change from ``base`` to ``current`` in percent and its status.

    Parameters
    ----------
    base, current : float or None
        Values of the earlier and of the later year (None or NaN when missing).

    Returns
    -------
    change : float or None
        ``(current - base) / base * 100``, or None when it is not defined.
    status : str
        :data:`OK`, :data:`NOT_AVAILABLE` (a year is missing), :data:`NEW` (from zero)
        or :data:`NO_CHANGE` (both zero).

    Examples
    --------
    >>> change_percent(200, 221)
    (10.5, 'ok')
    >>> change_percent(0, 5), change_percent(0, 0), change_percent(None, 5)
    ((None, 'new (from 0)'), (None, 'no change'), (None, 'not available'))
    """
    if missing(base) or missing(current):
        return None, NOT_AVAILABLE
    base, current = float(base), float(current)
    if base == 0:
        return (None, NO_CHANGE) if current == 0 else (None, NEW)
    return (current - base) / base * 100.0, OK
