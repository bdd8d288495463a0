"""The report's sheet, pure: what a suppressed count takes with it (statistics over it,
shares of it), labels, keys, and the patient counts of request cells (hand-computed)."""

from __future__ import annotations

from app.reports.sheet import Sheet


def test_a_sheet_hides_what_would_give_a_hidden_count_away() -> None:
    sheet = Sheet()
    sheet.count("active", "active", 20)
    base = sheet.split("active", ("scored", "scored"), ("unscored", "unscored"), 17)
    sheet.statistic("mean", "a mean over the scored", 3.5, base=base)
    sheet.parts("scored", [("high", "high", 9, None), ("low", "low", 8, None)])
    sheet.count("requests", "requests", 12, 6)  # 12 requests of 6 patients
    figures = {f.key: f for f in sheet.figures()}
    # 3 unscored hide 17 scored; the mean over 17 would say 17: hidden; 9 + 8 would give 17
    # back: the smaller part hides; the published part shows no share of a hidden total.
    assert [k for k, f in figures.items() if f.suppressed] == ["scored", "unscored", "mean", "low"]
    assert (figures["high"].value, figures["high"].n, figures["high"].share) == (9, 9, None)
    assert (figures["active"].value, figures["active"].share) == (20, None)
    assert (figures["requests"].value, figures["requests"].n) == (12, 6)
    hidden = figures["mean"]
    assert (hidden.value, hidden.n, hidden.share, hidden.of) == (None, None, None, None)
    assert figures["unscored"].of == "active"


def test_a_sheet_gives_shares_of_published_totals() -> None:
    sheet = Sheet()
    sheet.count("active", "active", 20)
    sheet.split("active", ("yes", "yes"), ("no", "no"), 15)
    figures = {f.key: f for f in sheet.figures()}
    assert (figures["yes"].share, figures["no"].share) == (0.75, 0.25)
    assert (figures["no"].value, figures["no"].n, figures["no"].suppressed) == (5, 5, False)


def test_a_sheet_keeps_labels_keys_and_patient_counts() -> None:
    sheet = Sheet()
    sheet.count("active", "patients active", 30)
    yes = sheet.split("active", ("done", "did it"), ("not", "did not"), 10)
    assert yes == "done"
    sheet.statistic("mean", "mean score", 4.25, base="active")
    total = sheet.count("requests", "requests made", 21, 9)  # 21 requests of 9 patients
    without = sheet.count("without", "no request", 21)
    sheet.group("active", (total, without))
    sheet.parts("requests", [("a", "source a", 14, 6), ("b", "source b", 7, 5)])
    figures = {f.key: f for f in sheet.figures()}
    assert {k: f.label for k, f in figures.items()} == {
        "active": "patients active",
        "done": "did it",
        "not": "did not",
        "mean": "mean score",
        "requests": "requests made",
        "without": "no request",
        "a": "source a",
        "b": "source b",
    }
    assert (figures["done"].value, figures["done"].share, figures["done"].of) == (
        10,
        0.333,
        "active",
    )
    assert (figures["not"].value, figures["not"].share) == (20, 0.667)
    assert (figures["mean"].value, figures["mean"].n, figures["mean"].suppressed) == (
        4.25,
        30,
        False,
    )
    assert (figures["a"].value, figures["a"].n, figures["a"].share) == (14, 6, 0.667)
    assert (figures["b"].value, figures["b"].n, figures["b"].of) == (7, 5, "requests")
    assert not any(f.suppressed for f in figures.values())


def test_a_sheet_group_of_counts_added_before() -> None:
    sheet = Sheet()
    sheet.count("active", "active", 12)
    sheet.count("with", "with", 9)
    sheet.count("without", "without", 3)
    sheet.group("active", ("with", "without"))
    figures = {f.key: f for f in sheet.figures()}
    assert [k for k, f in figures.items() if f.suppressed] == ["with", "without"]
    hidden = figures["without"]
    assert (hidden.label, hidden.value, hidden.n, hidden.share) == ("without", None, None, None)


def test_a_sheet_group_whose_total_hides_elsewhere() -> None:
    sheet = Sheet()
    sheet.count("all", "all", 15)
    sheet.count("active", "active", 12)
    sheet.count("inactive", "inactive", 3)
    sheet.group("all", ("active", "inactive"))
    sheet.count("with", "with", 6)
    sheet.count("without", "without", 6)
    sheet.group("active", ("with", "without"))
    # 3 hides 12; 12 would come back as 6 + 6: the first of the two equal parts hides too.
    hidden = [f.key for f in sheet.figures() if f.suppressed]
    assert hidden == ["active", "inactive", "with"]
