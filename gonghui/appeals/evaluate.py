"""Measure the appeal helpers on their held-out data: ``python -m gonghui.appeals.evaluate``.

Prints the category classifier's accuracy on the test split of
``data/labelled_appeals.jsonl`` (per-category precision and recall, the most frequent
confusions) and the address matcher's accuracy on ``data/labelled_addresses.jsonl``.
The numbers in docs/appeals-classifier.md come from this script.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from gonghui.appeals.address import AddressEvaluation, evaluate_addresses
from gonghui.appeals.categories import AppealCategory
from gonghui.appeals.classifier import AppealClassifier, LabelledAppeal, default_classifier, load_labelled_appeals


@dataclass(frozen=True)
class CategoryScore:
    category: AppealCategory
    precision: float
    recall: float
    support: int  # held-out appeals of this category


@dataclass(frozen=True)
class Evaluation:
    total: int
    correct: int
    per_category: tuple[CategoryScore, ...]
    # (true category, suggested category) → count, for the wrong suggestions only.
    confusions: tuple[tuple[AppealCategory, AppealCategory, int], ...]
    # Wrong suggestions themselves, for reading: (appeal, suggested category).
    mistakes: tuple[tuple[LabelledAppeal, AppealCategory], ...]
    # Accuracy when the right category is among the suggestion and its alternatives.
    top3_correct: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def top3_accuracy(self) -> float:
        return self.top3_correct / self.total if self.total else 0.0


def evaluate_classifier(
    classifier: AppealClassifier | None = None, examples: Iterable[LabelledAppeal] | None = None
) -> Evaluation:
    """Score ``classifier`` (default: the shipped one) on ``examples`` (default: the test split)."""
    classifier = classifier or default_classifier()
    examples = list(load_labelled_appeals("test") if examples is None else examples)
    predicted: Counter[AppealCategory] = Counter()
    actual: Counter[AppealCategory] = Counter()
    hits: Counter[AppealCategory] = Counter()
    confusions: Counter[tuple[AppealCategory, AppealCategory]] = Counter()
    mistakes = []
    top3 = 0
    for example in examples:
        suggestion = classifier.suggest(example.text, alternatives=2)
        actual[example.category] += 1
        predicted[suggestion.category] += 1
        if suggestion.category == example.category:
            hits[example.category] += 1
        else:
            confusions[(example.category, suggestion.category)] += 1
            mistakes.append((example, suggestion.category))
        if example.category in {suggestion.category, *(c for c, _ in suggestion.alternatives)}:
            top3 += 1
    per_category = tuple(
        CategoryScore(
            category=category,
            precision=hits[category] / predicted[category] if predicted[category] else 0.0,
            recall=hits[category] / actual[category] if actual[category] else 0.0,
            support=actual[category],
        )
        for category in AppealCategory
    )
    ordered = sorted(confusions.items(), key=lambda item: (-item[1], item[0][0].value, item[0][1].value))
    return Evaluation(
        total=len(examples),
        correct=sum(hits.values()),
        per_category=per_category,
        confusions=tuple((true, wrong, n) for (true, wrong), n in ordered),
        mistakes=tuple(mistakes),
        top3_correct=top3,
    )


def format_report(evaluation: Evaluation, addresses: AddressEvaluation | None = None) -> str:
    lines = [
        "12351 appeal category classifier — held-out split",
        f"accuracy: {evaluation.accuracy:.1%} ({evaluation.correct}/{evaluation.total})",
        f"right category among the top 3: {evaluation.top3_accuracy:.1%}",
        "",
        f"{'category':<18}{'precision':>10}{'recall':>8}{'n':>5}",
    ]
    for score in evaluation.per_category:
        lines.append(f"{score.category.value:<18}{score.precision:>10.0%}{score.recall:>8.0%}{score.support:>5}")
    lines += ["", "confusions (true → suggested):"]
    lines += [f"  {true.value} → {wrong.value}: {n}" for true, wrong, n in evaluation.confusions] or ["  none"]
    lines += ["", "mistakes:"]
    lines += [f"  [{a.category.value} → {wrong.value}] {a.text}" for a, wrong in evaluation.mistakes] or ["  none"]
    if addresses is not None:
        lines += [
            "",
            "address → district, labelled address set",
            f"district: {addresses.correct / addresses.total:.1%} ({addresses.correct}/{addresses.total})",
            f"street: {addresses.street_correct / addresses.street_total:.1%} "
            f"({addresses.street_correct}/{addresses.street_total} of those labelled with a street)",
        ]
        lines += [f"  {mistake}" for mistake in addresses.mistakes]
    return "\n".join(lines)


def main() -> None:
    print(format_report(evaluate_classifier(), evaluate_addresses()))


if __name__ == "__main__":
    main()
