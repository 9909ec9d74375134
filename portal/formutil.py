"""Form helpers shared by every domain."""

from __future__ import annotations

import wtforms

try:  # WTForms 3.3 deprecates (value, label) tuples in favour of SelectChoice.
    from wtforms.fields.choices import SelectChoice
except ImportError:  # pragma: no cover - older WTForms
    SelectChoice = None


def _to_choice(item):
    if SelectChoice is not None and isinstance(item, tuple | list):
        return SelectChoice(*item)
    return item


def _convert(value):
    if value is None or callable(value):
        return value
    if isinstance(value, dict):
        return {group: [_to_choice(v) for v in items] for group, items in value.items()}
    return [_to_choice(v) for v in value]


class SelectField(wtforms.SelectField):
    """A SelectField that accepts (value, label) pairs on every WTForms version."""

    def __init__(self, label=None, validators=None, coerce=str, choices=None, **kwargs):
        super().__init__(label, validators, coerce, _convert(choices), **kwargs)

    if isinstance(getattr(wtforms.SelectField, "choices", None), property):
        _base = wtforms.SelectField.choices
        choices = property(
            _base.fget, lambda self, value: SelectField._base.fset(self, _convert(value))
        )
    else:  # pragma: no cover - WTForms before 3.3 keeps choices as a plain attribute

        def __setattr__(self, name, value) -> None:
            super().__setattr__(name, _convert(value) if name == "choices" else value)


def choice_label(field: wtforms.SelectField, value) -> str:
    """The label of a select field's value."""
    for item in field.choices or []:
        v, label = (item.value, item.label) if hasattr(item, "value") else (item[0], item[1])
        if v == value:
            return str(label)
    return "" if value is None else str(value)


def positive_int(value: object) -> int | None:
    """A record id or page number from a form or query value; None when empty or not one."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() and int(text) > 0 else None
