"""Form data for admin pages, as a browser would post it."""

from measures.models import Measure


def measure_form_data(measure: Measure, relistings=(), **overrides) -> dict:
    data = {
        "category": measure.category_id,
        "position": measure.position,
        "name": measure.name,
        "status": measure.status,
        "periods": [p.pk for p in measure.periods.all()],
        "notes": measure.notes,
        "expected_version": measure.version,
        "relistings-TOTAL_FORMS": len(relistings),
        "relistings-INITIAL_FORMS": 0,
        "relistings-MIN_NUM_FORMS": 0,
        "relistings-MAX_NUM_FORMS": 1000,
    }
    for i, relisting in enumerate(relistings):
        for key, value in relisting.items():
            data[f"relistings-{i}-{key}"] = value
    data.update(overrides)
    return data
