"""Plain words for the pages: the audit's bookkeeping turned into reader's text.

The data and the audit's files keep identifiers (rule ids, fact ids, ``key=value``
locations, report lines) so that every finding can be traced; the pages speak without
them. :func:`plain` rewrites a sentence, :func:`heading` a column name and
:func:`name` an identifier such as a rule or convention id.
"""

from __future__ import annotations

import re

__all__ = ["heading", "name", "plain"]

_LINES = re.compile(r"\s*\((?:report )?lines? \d+(?:(?:, | and )\d+)*\)")
_LINE_REF = re.compile(r",? (?:report )?lines? \d+(?:(?:, | and )\d+)*")
_FACT = re.compile(r"\bprose [a-z0-9]+(?:_[a-z0-9]+)+\b")
_FACT_NOTE = re.compile(r"\s*\(fact [a-z0-9]+(?:_[a-z0-9]+)+\)")
_KEY_VALUE = re.compile(r"\b[a-z_]+=[^\s;,]+[;,]?\s*")
_IDENT = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")


def name(identifier: str) -> str:
    """Return an identifier in words: ``"shifted_cells"`` → ``"Shifted cells"``.

    Examples
    --------
    >>> name("stock_flow")
    'Stock flow'
    """
    return str(identifier).replace("_", " ").strip().capitalize()


def heading(column: str) -> str:
    """Return a column name in words: ``"adjusted_gap"`` → ``"Adjusted gap"``."""
    return name(column)


def plain(text: str) -> str:
    """Return a sentence without report lines, fact ids, ``key=value`` or identifiers.

    Examples
    --------
    >>> plain("Table 23, New (line 513): the row prints fewer cells")
    'Table 23, New: the row prints fewer cells'
    >>> plain("equal to prose c_contribution_income (line 978), which gives 111.54")
    "equal to the report's text, which gives 111.54"
    """
    text = _LINES.sub("", str(text))
    text = _FACT_NOTE.sub("", text)
    text = _FACT.sub("the report's text", text)
    text = _LINE_REF.sub("", text)
    text = _KEY_VALUE.sub("", text)
    text = _IDENT.sub(lambda m: m.group(0).replace("_", " "), text)
    text = re.sub(r"\s+([;,.:)])", r"\1", text)  # no space left before punctuation
    return re.sub(r"\s{2,}", " ", text).strip()
