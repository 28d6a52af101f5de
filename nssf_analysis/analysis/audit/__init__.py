"""Audit of the report's own consistency, and reconciliation of its headline figures.

Every rule is declared once, as data, and one generic function applies it to every
table it fits.  The audit reads the data files (``data/raw``, ``data/facts.csv`` and the
directories in ``data/tidy``), never the report text, so a changed cell in a data file
is detected.

Where things go
---------------
:mod:`.rules`
    the declarations: classes of findings, rules, conventions, the cross-references
    (:data:`XREFS`, with the prose's figures in ``prose.csv``) and the directory lists;
:mod:`.common`
    what every rule shares: the data files of a run, labels, selection, the record;
:mod:`.checks`
    the checks within one table or list (``sum``, ``fluctuation``, ``shares``,
    ``shifted_cells``, ``blank``, ``precision``, ``numbering``, ``duplicate_name``,
    ``format``);
:mod:`.crossref`
    the cross-references (``identity``, ``annex``, ``tables``, ``directory``, ``prose``,
    ``unit``);
:mod:`.relations`, :mod:`.prose`, :mod:`.directories`
    the families between places (``stock_flow``, ``subset``, ``copy``;
    ``prose_attribution``; ``list_count``, ``directory_names``, ``source_text``), each
    with its own declarations (the parts and wholes in ``subsets.toml``);
:mod:`.results`
    one run: every rule applied, conventions learned, findings classed, worded and
    numbered; :func:`findings` and :func:`summary`;
:mod:`.reconciliation`
    the headline figures of section 2 rebuilt from their parts (:func:`reconcile`);
:mod:`.outputs`
    the files of ``outputs/audit`` and ``nssf-report audit``.

A new rule is declared in :mod:`.rules` (:data:`RULES`, and :data:`XREFS` or its data
files for a cross-reference), checked in the module of its kind and run by
:func:`.results.run`.

The data-quality chapter (``notebooks/08_data_quality.ipynb``) shows the findings; the
links between a table's notes and its findings are in
:mod:`nssf_analysis.render.audit_view`. The names are used from their modules:
``audit.results.findings()``, ``audit.rules.RULES``.

Classes and conventions
-----------------------
Every check gets a status: ``ok``, ``rounding`` (a difference the rounding of the
printed values explains), ``convention`` (the report's documented way of printing a
change from zero), ``inconsistency`` or ``structural`` (a cell missing, misplaced or
misnumbered).  The checks that are not ``ok`` are the *findings*; each has a stable
``finding_id`` derived from its rule and location.

The report's conventions are learned from the data (:func:`learn_conventions`): a
convention is adopted when it holds in at least :data:`CONVENTION_SHARE` of its cases;
only then are the cases that follow it classed ``convention``.
"""

from nssf_analysis.analysis.audit import (
    checks,
    common,
    crossref,
    directories,
    notes,
    outputs,
    prose,
    reconciliation,
    relations,
    results,
    rules,
)

#: The audit's modules; each declares its public names in its own ``__all__``.
__all__ = [
    "checks",
    "common",
    "crossref",
    "directories",
    "notes",
    "outputs",
    "prose",
    "reconciliation",
    "relations",
    "results",
    "rules",
]
