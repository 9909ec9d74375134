"""Citizen ID numbers (GB 11643-1999): normalise, check, and make fictitious ones for tests."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from portal.applications.regions import is_known_region, region_name
from portal.textutil import format_date_cn, normalise_text

ID_LENGTH = 18
MALE, FEMALE = "男", "女"

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_WHITESPACE = re.compile(r"\s+")
_EARLIEST_BIRTH = date(1900, 1, 1)


@dataclass
class IdCheck:
    """Outcome of validate_id: the normalised number, errors, and what the number encodes."""

    normalised: str
    errors: list[str] = field(default_factory=list)
    birth_date: date | None = None
    gender: str | None = None
    region_code: str | None = None

    @property
    def ok(self) -> bool:
        """True when no error was found."""
        return not self.errors

    @property
    def region_name(self) -> str:
        """The name of the region code where known (Xinjiang counties in full), else ""."""
        return region_name(self.region_code) if self.region_code else ""


def normalise_id(s: str | None) -> str:
    """Full-width digits and Ｘ/x to half-width upper-case, with all spaces removed."""
    return _WHITESPACE.sub("", normalise_text(s)).upper()


def check_digit(first17: str) -> str:
    """Return the GB 11643 check character ("0"-"9" or "X") for the first 17 digits."""
    if len(first17) != ID_LENGTH - 1 or not first17.isascii() or not first17.isdigit():
        raise ValueError("check_digit needs exactly 17 ASCII digits")
    total = sum(int(ch) * weight for ch, weight in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def _encoded_birth_date(number: str) -> date | None:
    """Return the birth date in digits 7-14, or None when it is not a calendar date."""
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def validate_id(
    s: str | None,
    birth_date: date | None = None,
    gender: str | None = None,
    *,
    month_only: bool = False,
    today: date | None = None,
) -> IdCheck:
    """Check an ID number, and optionally that it agrees with the birth date and gender given.

    With ``month_only`` only the year and month of ``birth_date`` are compared (forms that
    ask for 出生年月). ``today`` defaults to date.today() and bounds the birth date.
    """
    number = normalise_id(s)
    result = IdCheck(normalised=number)
    errors = result.errors
    if not number:
        errors.append("请填写身份证号")
        return result
    if len(number) != ID_LENGTH:
        hint = "（15位的旧号码请换成18位新号码）" if len(number) == 15 else ""
        errors.append(f"身份证号应为18位，现在是{len(number)}位{hint}")
        return result
    first17, last = number[:17], number[17]
    if not (first17.isascii() and first17.isdigit()):
        errors.append("身份证号前17位只能是数字，请核对")
        return result
    if last not in "0123456789X":
        errors.append("身份证号最后一位只能是数字或 X，请核对")
    elif check_digit(first17) != last:
        errors.append("身份证号校验位不正确，请逐位核对后重新填写")

    region = number[:6]
    result.region_code = region
    if not is_known_region(region):
        errors.append(f"身份证号前6位地区码“{region}”不存在，请核对")

    encoded = _encoded_birth_date(number)
    today = today or date.today()
    if encoded is None:
        errors.append(f"身份证号第7至14位“{number[6:14]}”不是有效的出生日期，请核对")
    elif encoded > today:
        errors.append(f"身份证号中的出生日期{format_date_cn(encoded)}晚于今天，请核对")
    elif encoded < _EARLIEST_BIRTH:
        errors.append(f"身份证号中的出生日期{format_date_cn(encoded)}早于1900年，请核对")
    else:
        result.birth_date = encoded
        if birth_date is not None:
            if month_only:
                same = (encoded.year, encoded.month) == (birth_date.year, birth_date.month)
                given = f"{birth_date.year}年{birth_date.month}月"
            else:
                same = encoded == birth_date
                given = format_date_cn(birth_date)
            if not same:
                errors.append(
                    f"身份证号中的出生日期是{format_date_cn(encoded)}，"
                    f"与填写的出生日期{given}不一致，请核对"
                )

    result.gender = MALE if int(number[16]) % 2 else FEMALE
    if gender in (MALE, FEMALE) and gender != result.gender:
        errors.append(
            f"身份证号第17位表示性别为“{result.gender}”，与填写的性别“{gender}”不一致，请核对"
        )
    return result


def make_id(region: str, birth: date, seq: int, gender: str) -> str:
    """Build a valid fictitious ID number; ``seq`` 0-499 picks the order code of that gender.

    The order code (digits 15-17) is ``seq * 2 + 1`` for 男 and ``seq * 2`` for 女, so its
    parity matches the gender. The region is not looked up, so tests can make bad-region IDs.
    """
    if len(region) != 6 or not region.isdigit():
        raise ValueError("region must be 6 digits")
    if not 0 <= seq < 500:
        raise ValueError("seq must be in 0..499")
    if gender not in (MALE, FEMALE):
        raise ValueError('gender must be "男" or "女"')
    order = seq * 2 + (1 if gender == MALE else 0)
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    return first17 + check_digit(first17)
