"""Soft rules a reviewer checks by hand, evaluated on one parsed report.

Each rule is declared in the template data (``[[rules]]`` with ``kind = "audit"`` or
``"narrative"``, ``severity = "soft"``); a rule a template does not declare is not evaluated
(``fees.unreported`` is a 2021-template duty). A soft violation is a warning: it is reported
like the balance rules but never keeps a report out of ``applications_checked``.

* ``cells.blank`` — a cell printed blank, ``—``, ``-``, ``/`` or ``无``: the zero is kept, the cell
  named (one violation per cell; the ``blank_as_zero`` problem lists them too).
* ``sections.problems_empty`` — section 五 missing, or saying nothing ("无", "暂无").
* ``fees.unreported`` — no statement on 信息处理费 in section 六 (nor, leniently, in 总体情况).
* ``narrative.agreement`` — see ``narrative.py``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from itertools import islice

from gipr_pipeline.parser import narrative
from gipr_pipeline.parser.model import Violation
from gipr_pipeline.parser.tables import TableRead
from gipr_pipeline.template import Template

SOFT = "soft"
_CONTENT = re.compile(r"[\w\u4e00-\u9fff]")
# Section 五 bodies that say nothing.
_NOTHING = {"无", "暂无", "没有", "无问题", "暂无问题", "略"}
_NOTHING_MAX = max(map(len, _NOTHING))
# Any mention of a fee or of charging: lenient on purpose (a miss beats a false flag). The seeds
# say 未收取政府信息公开信息处理费 / 未收取政府信息公开处理费 / 无政府信息公开信息处理费产生 /
# 没有产生信息公开处理费.
_FEE = re.compile(r"处理费|收取[^。]{0,15}?费|收费|费用|免费")


def evaluate(
    template: Template, reads: Mapping[str, TableRead], sections: Mapping[str, str]
) -> list[Violation]:
    """Soft violations of the template's audit and narrative rules."""
    declared = _declared(template)
    out: list[Violation] = []
    if "cells.blank" in declared:
        out += blank_cells(template, reads)
    if "sections.problems_empty" in declared:
        out += problems_empty(sections)
    if "fees.unreported" in declared:
        out += fees_unreported(sections)
    if "narrative.agreement" in declared and sections.get("overview"):
        cells = {code: r.values for code, r in reads.items() if r.found}
        out += narrative_agreement(sections["overview"], cells)
    return out


_DECLARED: dict[int, tuple[Template, frozenset[str]]] = {}


def _declared(template: Template) -> frozenset[str]:
    """The ids of the template's audit and narrative rules (templates are loaded once and cached,
    so worked out once per template)."""
    hit = _DECLARED.get(id(template))
    if hit is None or hit[0] is not template:
        ids = frozenset(r.id for r in template.rules if r.kind in ("audit", "narrative"))
        hit = _DECLARED[id(template)] = (template, ids)
    return hit[1]


def blank_cells(template: Template, reads: Mapping[str, TableRead]) -> list[Violation]:
    out = []
    for t in template.tables:
        read = reads.get(t.code)
        if read is not None and read.found:
            out += [_blank_cell(t.code, *blank) for blank in read.blanks]
    return out


# One violation per (table, row, column, printed mark): the same few hundred recur in every report.
@functools.lru_cache(maxsize=8192)
def _blank_cell(table: str, row: str, col: str, printed: str) -> Violation:
    what = f"printed {printed!r}" if printed else "printed blank"
    return Violation("cells.blank", table, row, col, None, None, SOFT, f"{what}, read as 0")


def problems_empty(sections: Mapping[str, str]) -> list[Violation]:
    body = sections.get("problems")
    if body is None:
        detail = "section 五 (存在的主要问题及改进情况) not found"
    else:
        # Only the first characters matter: every body saying nothing is that short.
        content = "".join(m.group() for m in islice(_CONTENT.finditer(body), _NOTHING_MAX + 1))
        if content and content not in _NOTHING:
            return []
        detail = f"section 五 says nothing ({body.strip()[:40]!r})"
    return [Violation("sections.problems_empty", None, None, None, None, None, SOFT, detail)]


def fees_unreported(sections: Mapping[str, str]) -> list[Violation]:
    other = sections.get("other")
    if other is not None and _FEE.search(other):
        return []
    if _FEE.search(sections.get("overview") or ""):
        return []  # stated in 总体情况 instead: a reader finds it
    where = "section 六 not found" if other is None else "section 六 does not mention it"
    detail = f"no statement whether 信息处理费 was charged ({where})"
    return [Violation("fees.unreported", None, None, None, None, None, SOFT, detail)]


def narrative_agreement(overview: str, cells) -> list[Violation]:
    return [
        Violation(
            "narrative.agreement",
            s.table,
            s.row,
            s.column,
            s.expected,
            s.stated,
            SOFT,
            f"“{s.sentence}” states {s.stated}; the table says {s.expected:g}",
        )
        for s in narrative.disagreements(overview, cells)
    ]
