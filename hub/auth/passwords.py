"""Password hashing with argon2id (RFC 9106 parameters from argon2-cffi) and a length policy.

Verification of an unknown user still spends one hash (``dummy_verify``) so the
login's timing does not tell which user names exist.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
MAX_LENGTH = 256

_HASHER = PasswordHasher(type=Type.ID)
_DUMMY_HASH = _HASHER.hash("synchub-dummy-password-for-timing")


class PasswordPolicyError(ValueError):
    """The new password is too short or too long."""


def check_policy(password: str) -> None:
    """Refuse passwords shorter than ``MIN_LENGTH`` (a phrase beats rules) or absurdly long."""
    if len(password) < MIN_LENGTH:
        raise PasswordPolicyError(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise PasswordPolicyError(f"a password may have at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    """The argon2id hash (PHC string, salt and parameters included) of an acceptable password."""
    check_policy(password)
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches; a malformed stored hash counts as no match."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's (rehash on next login)."""
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True


def dummy_verify(password: str) -> None:
    """Spend the time of one verification, for unknown users."""
    verify_password(_DUMMY_HASH, password)
