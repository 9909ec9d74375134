"""The password policy, and checking a password in the same time whether the user exists."""

from __future__ import annotations

from functools import cache

from werkzeug.security import check_password_hash, generate_password_hash

MIN_LENGTH = 10
POLICY_TEXT = f"至少{MIN_LENGTH}个字符，不能与用户名相同，不能是常见密码"


@cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of the zxcvbn package (lower case)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is refused (Chinese, for the field), or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"密码至少{MIN_LENGTH}个字符（现在{len(password)}个）。"
    lowered = password.strip().lower()
    name = username.strip().lower()
    if name and (lowered == name or lowered == name[::-1]):
        return "密码不能与用户名相同，请另设一个。"
    if lowered in _common_passwords() or len(set(lowered)) <= 2:
        return "这是常见密码，很容易被猜到，请另设一个。"
    return None


@cache
def _dummy_hash() -> str:
    """A hash of a random password made like real ones (same method and cost)."""
    import secrets

    return generate_password_hash(secrets.token_hex(16))


def check_login(password_hash: str | None, password: str) -> bool:
    """Compare a password with a user's hash, or with a dummy hash when there is no user."""
    if password_hash is None:
        check_password_hash(_dummy_hash(), password)  # same work as for a real user
        return False
    return check_password_hash(password_hash, password)
