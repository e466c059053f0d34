"""Helm templates rendered the way Helm renders them, keeping track of where
every character of the output is written.

* :mod:`~taglint.helmtemplate.text` — strings whose characters remember
  their source (:class:`Text`), and the undecided conditions a piece of
  output depends on.
* :mod:`~taglint.helmtemplate.parse` — Go ``text/template`` source to a tree
  (actions, ``if``/``with``/``range``/``define``/``template``/``block``,
  pipelines, trim markers, comments), with offsets into the source.
* :mod:`~taglint.helmtemplate.values` — the values a template sees
  (``.Values`` from a values lookup table, ``.Chart``, ``.Release``…), Go's
  truthiness, printing, and ``toYaml``.
* :mod:`~taglint.helmtemplate.functions` — the Go template built-ins and
  the Sprig/Helm functions charts use around images.
* :mod:`~taglint.helmtemplate.render` — the evaluator: conditions on the
  chart's default values pick their branch; a condition that depends on
  something values do not say (``.Capabilities``, ``.Release``,
  ``lookup``) renders both branches, each marked with the assumption.
* :mod:`~taglint.helmtemplate.lines` — the output as lines, one per
  combination of the undecided conditions it depends on, and the
  ``image:`` values in them.

Nothing here reads files: the caller (``taglint.resolve.helm``) supplies
the templates, values and chart metadata.
"""
from __future__ import annotations
