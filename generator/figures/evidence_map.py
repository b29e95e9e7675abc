"""The evidence map: intervention classes (rows) by setting (columns), the number of studies and cases in each cell.

Rows and columns are the review file's ``intervention_classes`` and ``settings``, in their declared order, each only
where a record falls; the map's title and its rows' name are the review file's ``evidence_map``. A review without
one (``evidence_map: null``) has no map.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from generator.figures.cache import FigureCache
from generator.figures.common import (
    EVIDENCE_MAP_KIND,
    FONT_SIZE,
    INK,
    MUTED,
    NOTE_LINE_INCHES,
    SVG_DPI,
    Figure,
    FigureRow,
    LinkTargets,
    RecordRef,
    UrlFor,
    link,
    lower_first,
    narrow_path,
    svg,
    text_width,
    wrap,
)
from generator.records.link import Corpus
from generator.records.schema import CaseRecord, RegimenRecord
from generator.records.text import Identifier

if TYPE_CHECKING:  # imported where drawn: see generator/figures/common.py
    from matplotlib.figure import Figure as MplFigure

EVIDENCE_MAP_PATH = "figures/evidence-map.svg"


@dataclass
class EvidenceCell:
    studies: dict[str, RecordRef] = field(default_factory=dict)
    cases: dict[str, RecordRef] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.studies) + len(self.cases)


Cells = dict[tuple[str, str], EvidenceCell]  # (intervention class id, setting id) → the records in it


def evidence_anchor(intervention_class: str, setting: str) -> Identifier:
    return Identifier(f"{intervention_class}--{setting}")


def evidence_cells(corpus: Corpus) -> Cells:
    """Intervention class × setting → the studies and cases in it.

    Rule: a record counts once in every class of every regimen it uses (a combination
    counts in each class it contains). A study's arm is placed by the arm's setting (else
    the study's); a case by its own setting, for the regimens of its treatment lines after the first
    (the treatment its setting describes; other steps and the first line are not counted).
    """
    cells: Cells = {}
    for study in corpus.studies.values():
        for arm in study.arms:
            for drug in corpus.regimens[arm.regimen].drugs:
                cell = cells.setdefault((drug.drug_class, arm.setting or study.setting), EvidenceCell())
                cell.studies[study.id] = RecordRef("studies", study.id, study.short_name)
    for case in corpus.cases.values():
        for regimen in _regimens_after_first_line(corpus, case):
            for drug in regimen.drugs:
                cell = cells.setdefault((drug.drug_class, case.setting), EvidenceCell())
                cell.cases[case.id] = RecordRef("cases", case.id, case.short_name)
    return cells


def _regimens_after_first_line(corpus: Corpus, case: CaseRecord) -> list[RegimenRecord]:
    """The regimens of a case's treatment lines after its first (by line number where stated, else after its first line)."""
    vocabulary = corpus.review.case_reports
    line_kinds = {step.id for step in vocabulary.steps if step.treatment_line} if vocabulary is not None else set()
    lines = [line for line in case.timeline if line.kind in line_kinds and line.regimen]
    if any(line.line_of_therapy is not None for line in lines):
        # where the report lets the lines be numbered, "after first line" means line 2 onwards
        later = [line.regimen for line in lines if line.line_of_therapy is not None and line.line_of_therapy >= 2]
    else:
        later = [line.regimen for line in lines[1:]]
    return [corpus.regimens[rid] for rid in dict.fromkeys(later) if rid is not None]


def _luminance(rgba: tuple[float, float, float, float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else float(((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channel(rgba[0]) + 0.7152 * channel(rgba[1]) + 0.0722 * channel(rgba[2])


def _readable_on(rgba: tuple[float, float, float, float]) -> str:
    """White or ink, whichever contrasts more with the cell (WCAG contrast ratio)."""
    import matplotlib as mpl

    lum = _luminance(rgba)
    ink = _luminance(mpl.colors.to_rgba(INK))
    return "white" if (1.05 / (lum + 0.05)) > ((lum + 0.05) / (ink + 0.05)) else INK


def _count_words(studies: int, cases: int) -> str:
    parts = []
    if studies:
        parts.append(f"{studies} {'study' if studies == 1 else 'studies'}")
    if cases:
        parts.append(f"{cases} {'case' if cases == 1 else 'cases'}")
    return ", ".join(parts)


def _in_order(found: set[str], declared: dict[str, str]) -> list[tuple[str, str]]:
    """The ids found, with their labels, in the declared order (an undeclared id, which linking refuses, last, as itself)."""
    return [(term, label) for term, label in declared.items() if term in found] + [(term, term) for term in sorted(found - declared.keys())]


@dataclass(frozen=True)
class _Inputs:
    """What the map is drawn from: its cells, and its rows and columns with their labels, in order."""

    cells: Cells
    classes: tuple[tuple[str, str], ...]  # (id, label)
    settings: tuple[tuple[str, str], ...]
    cases: bool  # the review has case reports (else a cell gives its studies only)


def _draw(inputs: tuple[_Inputs, bool], url_for: UrlFor) -> MplFigure:
    """The heat map. Narrow (phones): columns are numbered, with the settings named under the map, and each cell gives
    "studies · case reports" as two numbers (its studies only, in a review without case reports)."""
    import matplotlib as mpl
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.patches import Rectangle

    drawn, narrow = inputs
    cells, classes, settings = drawn.cells, drawn.classes, drawn.settings
    peak = max(cell.total for cell in cells.values())
    row_labels = ["\n".join(wrap(label, 17 if narrow else 26)) for _, label in classes]
    label_width = max(text_width(line) for label in row_labels for line in label.split("\n")) + 0.12
    col_width = 0.4 if narrow else 0.82
    row_height = 0.42 if narrow else 0.4
    head = 0.3 if narrow else 0.62  # the column headers above the columns
    key = [f"{index}: {label}" for index, (_, label) in enumerate(settings, start=1)] if narrow else []
    counted = "studies · case reports" if drawn.cases else "studies"
    explain = wrap(f"Each cell: {counted} using a regimen with a drug of that class, in that setting; darker cells hold more "
                   "records. A combination counts in each class it contains.", 52 if narrow else 100)
    foot = NOTE_LINE_INCHES * (len(key) + len(explain)) + 0.15
    width = label_width + col_width * len(settings) + 0.1
    height = row_height * len(classes) + head + foot
    fig = MplFigure(figsize=(width, height), dpi=SVG_DPI)
    ax = fig.add_axes((label_width / width, foot / height, col_width * len(settings) / width, row_height * len(classes) / height))
    ax.set_xlim(0, len(settings))
    ax.set_ylim(len(classes), 0)
    ax.set_axis_off()  # labels are plain text: tick machinery is the slowest part of a heat map this size
    cmap = mpl.colormaps["Blues"]
    for i, (intervention_class, _) in enumerate(classes):
        ax.text(-0.08, i + 0.5, row_labels[i], ha="right", va="center", linespacing=1.1)
        for j, (setting, _) in enumerate(settings):
            cell = cells.get((intervention_class, setting))
            if cell is None:
                ax.add_patch(Rectangle((j, i), 1, 1, facecolor="white", edgecolor="#e3e3e3", linewidth=0.6))
                ax.text(j + 0.5, i + 0.5, "–", ha="center", va="center", color="#8c8c8c")
                continue
            colour = cmap(0.08 + 0.52 * cell.total / peak)  # stays light enough for dark text (contrast over 5:1)
            url = url_for(EVIDENCE_MAP_KIND, evidence_anchor(intervention_class, setting))
            patch = Rectangle((j, i), 1, 1, facecolor=colour, edgecolor="white", linewidth=1.5)
            link(patch, url)
            ax.add_patch(patch)
            if narrow:
                text = f"{len(cell.studies)} · {len(cell.cases)}" if drawn.cases else str(len(cell.studies))
            else:
                text = "\n".join(part for part in (_count_words(len(cell.studies), 0), _count_words(0, len(cell.cases))) if part)
            link(ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", color=_readable_on(colour), fontsize=FONT_SIZE - 1,
                         linespacing=1.2), url)
    for j, (_, label) in enumerate(settings):
        header = str(j + 1) if narrow else "\n".join(wrap(label, 13))
        ax.text(j + 0.5, -0.15, header, ha="center", va="bottom", fontweight="bold", fontsize=FONT_SIZE - 1, linespacing=1.15)
    fig.text(0.0, 0.0, "\n".join(key + explain), ha="left", va="bottom", fontsize=FONT_SIZE - 1.5, color=MUTED, linespacing=1.3)
    return fig


def _label(pairs: Sequence[tuple[str, str]], term: str) -> str:
    return next(label for found, label in pairs if found == term)


def evidence_map_figure(corpus: Corpus, url_for: UrlFor, cache: FigureCache | None = None) -> Figure | None:
    """The evidence map of the whole review; None if the review has none, or no record falls in any cell."""
    review = corpus.review
    spec = review.evidence_map
    if spec is None:
        return None
    cells = evidence_cells(corpus)
    if not cells:
        return None
    classes = _in_order({key[0] for key in cells}, review.labels("intervention_classes"))
    settings = _in_order({key[1] for key in cells}, review.labels("settings"))
    rows = []
    for intervention_class, class_label in classes:
        for setting, setting_label in settings:
            found = cells.get((intervention_class, setting))
            if found is None:
                continue
            records = tuple(sorted(found.studies.values(), key=lambda r: r.label.lower())) + tuple(
                sorted(found.cases.values(), key=lambda r: r.label.lower()))
            rows.append(FigureRow((class_label, setting_label, str(len(found.studies)), str(len(found.cases))),
                                  anchor=evidence_anchor(intervention_class, setting), records=records))
    class_order = {term: index for index, (term, _) in enumerate(classes)}
    setting_order = {term: index for index, (term, _) in enumerate(settings)}
    ranked = sorted(cells.items(), key=lambda item: (-item[1].total, class_order[item[0][0]], setting_order[item[0][1]]))
    top = "; ".join(f"{_label(classes, c)}, {lower_first(_label(settings, s))}: {_count_words(len(cell.studies), len(cell.cases))}"
                    for (c, s), cell in ranked[:3])
    rows_name, columns_name = lower_first(spec.rows_label), lower_first(review.settings.label)
    counted = "studies and case reports" if review.has_cases else "studies"
    title = f"{spec.title}: {rows_name} by {columns_name}"
    alt = (f"Heat map of the number of {counted} for each {rows_name} (rows: {', '.join(label for _, label in classes)}) and "
           f"{columns_name} (columns: {', '.join(label for _, label in settings)}). Each cell gives the number of {counted}; "
           f"darker cells hold more records and empty cells show a dash. The fullest cells are {top}. "
           f"{len(cells)} of {len(classes) * len(settings)} cells {'holds' if len(cells) == 1 else 'hold'} at least one record.")
    notes = (f"A record counts once in every {rows_name} of every regimen it uses, so a combination appears under each of its classes. "
             "Study arms are placed by their own setting where they have one"
             + ("; a case by its setting, for the regimens of its treatment lines after the first." if review.has_cases else "."),
             "Studies without treatment arms are not counted.")
    links = LinkTargets(url_for, ((EVIDENCE_MAP_KIND, evidence_anchor(c, s)) for c, s in cells))
    inputs = _Inputs(cells, tuple(classes), tuple(settings), review.has_cases)
    wide = svg(EVIDENCE_MAP_PATH, title, alt, (inputs, False), links, _draw, cache)
    narrow = svg(narrow_path(EVIDENCE_MAP_PATH), title, alt, (inputs, True), links, _draw, cache)
    return Figure(EVIDENCE_MAP_PATH, wide, title, alt, (spec.rows_label, "Setting", "Studies", "Cases"), tuple(rows), notes, narrow)
