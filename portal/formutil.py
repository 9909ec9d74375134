"""Generic form pieces shared by every domain: fields, validators, checks of single values.

The checks of names and phone numbers return (normalised, error) so that forms and the roster
importer refuse the same values with the same Chinese message.
"""

from __future__ import annotations

import re
from datetime import date

import wtforms
import wtforms.meta
from werkzeug.datastructures import ImmutableMultiDict, MultiDict
from werkzeug.utils import cached_property
from werkzeug.wrappers import Request
from wtforms import Field, ValidationError
from wtforms.widgets import TextInput

from portal.textutil import (
    MIDDLE_DOT,
    clean_name,
    day_precision,
    iso_date,
    last_day,
    normalise_text,
    parse_date_loose,
    strip_control,
)
from portal.timeutil import local_today

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


#: The largest id a URL or form may name: PostgreSQL's INTEGER (larger ones are simply absent).
MAX_ID = 2**31 - 1


def positive_int(value: object) -> int | None:
    """A record id or page number from a form or query value; None when empty or not one.

    Only ASCII digits count ("²".isdigit() is true, but int("²") fails), and nothing above
    MAX_ID (a larger number overflows SQLite's and PostgreSQL's integers: a 500, not a 404).
    """
    text = str(value).strip() if value is not None else ""
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def record_id(value: object) -> int:
    """Coerce for a SelectField of record ids: like positive_int, 0 for “none”, else ValueError."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID:
        return value
    if str(value).strip() == "0":
        return 0
    number = positive_int(value)
    if number is None:
        raise ValueError(value)
    return number


def _clean(values: MultiDict) -> ImmutableMultiDict:
    return ImmutableMultiDict(
        [(strip_control(k), strip_control(v)) for k, v in values.items(multi=True)]
    )


class CleanInput(Request):
    """Every form and query value arrives without control characters (one filter for all).

    A vertical tab pasted from Word becomes a newline, NUL and the like disappear: nothing
    stored can break an xlsx file or a PDF later (portal.textutil.strip_control). Mixed into
    the app's request class, whichever an extension installed (htmx-flask's, Flask's).
    """

    def _load_form_data(self) -> None:
        super()._load_form_data()
        self.__dict__["form"] = _clean(self.__dict__["form"])

    @cached_property
    def args(self) -> ImmutableMultiDict:  # type: ignore[override]
        return _clean(super().args)


class LooseDateField(Field):
    """A date typed the way clerks type it: 1990-01-02, 1990.01.02, 1990.01, 1990年1月.

    With ``months`` a month typed without a day stays a month (textutil.Month: stored as
    2010-07, printed as 2010年7月); otherwise it is read as the month's first day.
    """

    widget = TextInput()

    def __init__(
        self, label=None, validators=None, not_future: bool = False, months: bool = False, **kw
    ):
        placeholder = "如 2020-08" if months else "如 2020-08-01"
        kw.setdefault("render_kw", {}).setdefault("placeholder", placeholder)
        kw["render_kw"].setdefault("autocomplete", "off")
        super().__init__(label, validators, **kw)
        self.not_future = not_future
        self.months = months

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return self.data.isoformat() if isinstance(self.data, date) else ""

    def _precision(self, value: date | None) -> date | None:
        return value if self.months else day_precision(value)

    def process_data(self, value) -> None:
        if isinstance(value, str):
            value = iso_date(value)
        self.data = self._precision(value) if isinstance(value, date) else None

    def process_formdata(self, valuelist) -> None:
        if not valuelist or not str(valuelist[0]).strip():
            self.data = None
            return
        try:
            self.data = self._precision(parse_date_loose(valuelist[0]))
        except ValueError as exc:
            self.data = None
            raise ValueError(str(exc)) from exc

    def pre_validate(self, form) -> None:
        if self.not_future and self.data and self.data > local_today():
            raise ValidationError("日期不能晚于今天。")


class EndAfterStart:
    """Validator for an end date: not before the start date of the same row."""

    def __init__(self, start_field: str = "start"):
        self.start_field = start_field

    def __call__(self, form, field) -> None:
        start = form[self.start_field].data
        if field.data and start and last_day(field.data) < start:  # July ends after 15 July
            raise ValidationError("结束日期不能早于开始日期。")


# --- names and phone numbers --------------------------------------------

NAME_MAX_LENGTH = 30

_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_IS_HAN = re.compile(f"[{_HAN}]")
_IS_LATIN = re.compile("[A-Za-z]")
_STOP_LIKE = ".．。,，、"

_NAME_DOT_HINT = f"少数民族姓名各部分之间请用间隔号“{MIDDLE_DOT}”分隔，如 买买提{MIDDLE_DOT}艾力"

PHONE_HINT = "请填写11位手机号或带区号的固定电话，如 0996-2030024"
LOCAL_PHONE_HINT = "请填写7至8位的本地电话（如 2617611）、带区号的固定电话或11位手机号"

_MOBILE = re.compile(r"(?:\+?86)?(1[3-9]\d{9})")
# 010 and 02x are the only three-digit area codes; every other one has four digits.
_AREA = r"010|02\d|0[3-9]\d\d"
_LANDLINE = re.compile(
    rf"(?:\((?P<bracketed>{_AREA})\)|(?P<area>{_AREA}))"
    r"\s*-?\s*(?P<local>[2-9]\d{6,7})"
    r"(?:\s*(?:-|转|分机|ext\.?)\s*(?P<ext>\d{1,6}))?",
    re.IGNORECASE,
)
_LOCAL = re.compile(r"[2-9]\d{6,7}")
_PHONE_FILLER = re.compile(r"[\s-]")


Result = tuple[str, str | None]


def _name_error(name: str) -> str | None:
    """Return the first problem with a cleaned name, or None."""
    has_han = bool(_IS_HAN.search(name))
    has_latin = bool(_IS_LATIN.search(name))
    if has_han and has_latin:
        return "姓名请全部用汉字填写，外文姓名请全部用字母填写"
    for ch in name:
        if ch == MIDDLE_DOT or _IS_HAN.match(ch) or (has_latin and _IS_LATIN.match(ch)):
            continue
        if ch == " ":
            if has_latin:
                continue
            return f"汉字姓名中不要有空格；{_NAME_DOT_HINT}"
        if ch.isdigit():
            return "姓名中不能有数字"
        if ch in _STOP_LIKE:
            return f"姓名中不能有“{ch}”；{_NAME_DOT_HINT}"
        return f"姓名中不能有“{ch}”，只能用汉字和间隔号“{MIDDLE_DOT}”"
    if name.startswith(MIDDLE_DOT) or name.endswith(MIDDLE_DOT):
        return f"间隔号“{MIDDLE_DOT}”只能写在姓名中间，不能在开头或结尾"
    if MIDDLE_DOT * 2 in name:
        return f"姓名中不能连用两个间隔号“{MIDDLE_DOT}”"
    if len(name) > NAME_MAX_LENGTH:
        return f"姓名最多{NAME_MAX_LENGTH}个字（含间隔号），现在是{len(name)}个字"
    if len(name.replace(MIDDLE_DOT, "").replace(" ", "")) < 2:
        return "姓名至少2个字，请填写全名"
    return None


def check_name(s: str | None) -> Result:
    """Check a person's name: Han characters with "·" between parts, or a name in Latin letters."""
    name = clean_name(s)
    if not name:
        return name, "请填写姓名"
    return name, _name_error(name)


def check_phone(s: str | None) -> Result:
    """Check an 11-digit mobile or a landline with area code; normalise to 0996-2030024[转801]."""
    text = normalise_text(s)
    if not text:
        return text, "请填写联系电话"
    mobile = _MOBILE.fullmatch(_PHONE_FILLER.sub("", text))
    if mobile:
        return mobile.group(1), None
    landline = _LANDLINE.fullmatch(text)
    if landline:
        area = landline.group("bracketed") or landline.group("area")
        number = f"{area}-{landline.group('local')}"
        if landline.group("ext"):
            number += f"转{landline.group('ext')}"
        return number, None
    if _LOCAL.fullmatch(_PHONE_FILLER.sub("", text)):
        return text, "固定电话请写上区号，如 0996-2030024"
    return text, PHONE_HINT


def check_local_phone(s: str | None) -> Result:
    """Check an office phone: a 7-8 digit local number such as 2617611, or a full number."""
    text = normalise_text(s)
    if not text:
        return text, "请填写联系电话"
    local = _PHONE_FILLER.sub("", text)
    if _LOCAL.fullmatch(local):
        return local, None
    number, error = check_phone(text)
    return number, LOCAL_PHONE_HINT if error else None


class ChineseMessages:
    """A form `Meta` giving WTForms' own messages (不是有效的选择。) in Chinese, without Babel."""

    locales = ("zh",)

    def get_translations(self, form):
        """WTForms' bundled zh catalogue (Flask-WTF would only use Flask-Babel's)."""
        return wtforms.meta.DefaultMeta.get_translations(self, form)
