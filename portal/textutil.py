"""Pure text helpers: width and space normalisation, names, Chinese dates, ID masking, cells."""

from __future__ import annotations

import calendar
import math
import re
from datetime import date, datetime, timedelta

# Full-width ASCII block U+FF01..U+FF5E maps onto U+0021..U+007E; U+3000 is the ideographic space.
_FULLWIDTH_ASCII = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH_ASCII[0x3000] = 0x20

_SPACES = re.compile(r"\s+")  # str patterns match U+3000 and other Unicode spaces too

# Variants of the middle dot people type between the parts of a name (买买提·艾力).
# The full stop "." / "．" / "。" is deliberately absent: check_name refuses it with a hint.
MIDDLE_DOT = "\u00b7"
_DOT_VARIANTS = (
    "\u0387"  # Greek ano teleia (canonically equal to U+00B7)
    "\u2022"  # bullet •
    "\u2027"  # hyphenation point ‧
    "\u2219"  # bullet operator ∙
    "\u22c5"  # dot operator ⋅
    "\u2e31"  # word separator middle dot ⸱
    "\u30fb"  # katakana middle dot ・
    "\ua78f"  # Latin letter sinological dot ꞏ
    "\uff65"  # half-width katakana middle dot ･
)
_DOTS_TO_MIDDLE = {ord(ch): MIDDLE_DOT for ch in _DOT_VARIANTS}
_SPACED_DOT = re.compile(r"\s*\u00b7\s*")

# Excel's 1900 date system: serial 1 is 1900-01-01 and serial 60 is the phantom 1900-02-29.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_MIN_YEAR, _MAX_YEAR = 1900, 2100

_DATE_HINT = "请按 1990-01-02、1990.01.02 或 1990年1月2日 的格式填写"

_YMD = re.compile(
    r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ]?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
)
_YM = re.compile(r"(\d{4})[-/.](\d{1,2})")
_CN = re.compile(r"(\d{4})年(\d{1,2})月(?:(\d{1,2})[日号])?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})?")


# Line breaks other programs write: Word's vertical tab, form feed, NEL, the Unicode separators.
_LINE_BREAKS = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
# What no text field keeps: C0 controls but tab and newline, DEL, C1 controls, non-characters.
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


def strip_control(s: str) -> str:
    """Text without control characters: line breaks of every kind become "\\n", a tab a space.

    Newlines stay: a one-line field does not get them from a browser, and text areas need them.
    Values that are no text (None, numbers, dates) are returned as they are.
    """
    if not isinstance(s, str) or s.isprintable():
        return s
    return _CONTROL.sub("", _LINE_BREAKS.sub("\n", s).replace("\t", " "))


def collapse_spaces(s: str | None) -> str:
    """Strip and collapse every run of whitespace (U+3000 included) to one ASCII space."""
    if s is None:
        return ""
    return _SPACES.sub(" ", str(s)).strip()


def normalise_text(s: str | None) -> str:
    """Full-width ASCII to half-width, then strip and collapse spaces; for codes, numbers, dates."""
    if s is None:
        return ""
    return collapse_spaces(str(s).translate(_FULLWIDTH_ASCII))


def clean_name(s: str | None) -> str:
    """Strip and collapse spaces in a person's name and unify middle-dot variants to "·"."""
    text = collapse_spaces(s).translate(_DOTS_TO_MIDDLE)
    return _SPACED_DOT.sub(MIDDLE_DOT, text)


class Month(date):
    """A month typed without a day (2010.07, 2010年7月, 2010-7).

    It compares, sorts and counts as the first day of the month, so every rule that reads
    dates works unchanged; it is stored as ``2010-07`` (``isoformat``) and printed as
    2010年7月 (``format_date_cn``). Arithmetic gives plain dates: ``Month + timedelta`` is a
    day, not a month. Use ``last_day`` where a month ends a period.
    """

    def __new__(cls, year: int, month: int, day: int = 1) -> Month:
        """The month of ``year`` and ``month`` (a ``day``, given by date internals, is dropped)."""
        return super().__new__(cls, year, month, 1)

    def isoformat(self) -> str:
        """``2010-07``: how a month is stored in section data."""
        return f"{self.year:04d}-{self.month:02d}"

    __str__ = isoformat

    def __repr__(self) -> str:
        return f"Month({self.year}, {self.month})"

    def __reduce__(self):
        return (Month, (self.year, self.month))

    def as_date(self) -> date:
        """The first day of the month as a plain date."""
        return date(self.year, self.month, 1)

    def __add__(self, other):
        return self.as_date() + other

    __radd__ = __add__

    def __sub__(self, other):
        return self.as_date() - other

    def __rsub__(self, other):
        return other - self.as_date()

    def replace(self, *args, **kwargs) -> date:
        """A plain date with some parts replaced (``replace(day=15)`` is a day of the month)."""
        return self.as_date().replace(*args, **kwargs)


def last_day(d: date) -> date:
    """The last day a value covers: a month's last day, or the date itself."""
    if isinstance(d, Month):
        return date(d.year, d.month, calendar.monthrange(d.year, d.month)[1])
    return d


def day_precision(d: date | None) -> date | None:
    """A plain date for fields that need a day: a month becomes its first day."""
    return d.as_date() if isinstance(d, Month) else d


def format_date_cn(d: date | None) -> str:
    """Format a date as 2024年8月1日 and a Month as 2024年8月 (no zero padding); None gives ""."""
    if d is None:
        return ""
    if isinstance(d, Month):
        return f"{d.year}年{d.month}月"
    return f"{d.year}年{d.month}月{d.day}日"


def format_years_cn(years: list[int]) -> str:
    """Years as notices write them: 2021年, 2020、2021年, 2019—2023年, 2015、2019—2021年."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    parts = [f"{r[0]}—{r[-1]}" if len(r) > 2 else "、".join(map(str, r)) for r in runs]
    return "、".join(parts) + "年"


def format_month_cn(d: date | None) -> str:
    """Format a date as 1990年1月 (no zero padding); None gives ""."""
    if d is None:
        return ""
    return f"{d.year}年{d.month}月"


def _build_date(year: int, month: int, day: int | None, shown: str) -> date:
    """Make a date (a Month without ``day``) from parts or raise ValueError saying what is wrong."""
    if not _MIN_YEAR <= year <= _MAX_YEAR:
        raise ValueError(f"日期“{shown}”的年份{year}不在{_MIN_YEAR}—{_MAX_YEAR}年之间")
    if not 1 <= month <= 12:
        raise ValueError(f"日期“{shown}”的月份{month}不对，月份应在1到12之间")
    if day is None:
        return Month(year, month)
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"日期“{shown}”不存在：{year}年{month}月没有{day}日") from None


def _from_excel_serial(serial: int) -> date:
    """Convert an Excel 1900-system serial day number to a date."""
    if serial == 60:
        raise ValueError("Excel 日期序号60是不存在的1900年2月29日，请重新填写日期")
    if serial < 60:
        return date(1899, 12, 31) + timedelta(days=serial)
    return _EXCEL_EPOCH + timedelta(days=serial)


def _parse_number(value: int | float) -> date:
    """Read a spreadsheet number: an Excel serial, a typed 19900102 / 199001, or 1990.01."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"无法识别的日期“{value}”，{_DATE_HINT}")
    whole = int(value)
    fraction = value - whole
    if fraction and _MIN_YEAR <= whole <= _MAX_YEAR:
        # "1990.01" typed into a number cell arrives as the float 1990.01.
        text = repr(float(value))
        month_text = text.split(".", 1)[1]
        if month_text == "1":
            raise ValueError(
                f"单元格里的“{text}”分不清是1月还是10月，"
                "请把单元格设为文本，写成 1990.01 或 1990.10"
            )
        if len(month_text) > 2:
            raise ValueError(f"无法识别的日期“{text}”，{_DATE_HINT}")
        return _build_date(whole, int(month_text), None, text)
    if 1 <= whole <= _EXCEL_MAX_SERIAL:
        serial_date = _from_excel_serial(whole)
        if serial_date.year <= _MAX_YEAR:
            return serial_date
    if fraction == 0 and len(str(whole)) in (6, 8):
        return _parse_text(str(whole), str(whole))
    raise ValueError(f"无法识别的日期“{value}”，{_DATE_HINT}")


def _parse_text(text: str, shown: str) -> date:
    """Parse a normalised, space-free date string."""
    for pattern in (_YMD, _CN, _YM, _COMPACT):
        match = pattern.fullmatch(text)
        if match:
            year, month, day = (*match.groups(), None)[:3]
            return _build_date(int(year), int(month), int(day) if day else None, shown)
    raise ValueError(f"无法识别的日期“{shown}”，{_DATE_HINT}")


def parse_date_loose(value: object) -> date:
    """Read a date typed by a clerk or found in a spreadsheet; month-only input gives a Month."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError("请填写日期，如 1990-01-02")
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValueError(f"无法识别的日期“{value}”，{_DATE_HINT}")
    if isinstance(value, int | float):
        return _parse_number(value)
    if not isinstance(value, str):
        raise ValueError(f"无法识别的日期“{value}”，{_DATE_HINT}")
    shown = collapse_spaces(value)
    return _parse_text(_SPACES.sub("", normalise_text(value)), shown)


def mask_id(number: str | None) -> str:
    """Hide the middle of an ID number: 652824********123X; short input is fully starred."""
    text = _SPACES.sub("", normalise_text(number)).upper()
    if len(text) <= 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]


def mask_id_publicity(number: str | None) -> str:
    """Mask an ID number for a publicity notice posted in the unit: first 6 and last 4 shown."""
    return mask_id(number)


def neutralise_cell(value: object) -> object:
    """Prefix "'" to a text cell a spreadsheet would run as a formula (= + - @, tab, CR)."""
    if not isinstance(value, str) or not value:
        return value
    if value[0] in "\t\r" or value.lstrip()[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})")


def iso_date(value: object) -> date | None:
    """A stored date (a date, datetime, ISO string, or ``2010-07`` for a Month), else None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip()
        month = _ISO_MONTH.fullmatch(text)
        try:
            if month:
                return Month(int(month.group(1)), int(month.group(2)))
            return date.fromisoformat(text[:10])
        except ValueError:
            return None
    return None
