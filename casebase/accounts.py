"""Users (argon2-hashed passwords) and API tokens (only a SHA-256 hash is stored)."""

from __future__ import annotations

import hashlib
import re
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import CasebaseError, Conflict, NotFound
from .models import ApiToken, User, utcnow

NAME_PATTERN = re.compile(r"^[A-Za-z0-9._@-]{1,100}$")
MIN_PASSWORD_LENGTH = 8
TOKEN_BYTES = 32
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verifying against this keeps a login for an unknown user as slow as for a known one."""
    return _hasher.hash("not-a-password")


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise CasebaseError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")


def create_user(session: Session, name: str, password: str, admin: bool = False) -> User:
    if not NAME_PATTERN.match(name):
        raise CasebaseError(
            "A user name is 1-100 characters of letters, digits, '.', '_', '@', '-'."
        )
    _check_password(password)
    if session.scalar(select(User).where(User.name == name)):
        raise Conflict(f"The user '{name}' exists already.")
    user = User(name=name, password_hash=_hasher.hash(password), is_admin=admin)
    session.add(user)
    return user


def find_user(session: Session, name: str) -> User | None:
    return session.scalar(select(User).where(User.name == name))


def get_user(session: Session, name: str) -> User:
    user = find_user(session, name)
    if user is None:
        raise NotFound(f"No user named '{name}'.")
    return user


def end_sessions(session: Session, name: str) -> None:
    """Every login session of the user stops working (they carry the old generation)."""
    user = get_user(session, name)
    user.session_generation += 1


def set_password(session: Session, name: str, password: str) -> None:
    _check_password(password)
    user = get_user(session, name)
    user.password_hash = _hasher.hash(password)
    user.session_generation += 1


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The user when the password is right, else None."""
    user = session.scalar(select(User).where(User.name == name))
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return user


def create_token(session: Session, name: str) -> str:
    """A new token for a user; the token itself is returned once and never stored."""
    user = get_user(session, name)
    token = "cb_" + secrets.token_urlsafe(TOKEN_BYTES)
    session.add(ApiToken(user=user, token_hash=_token_hash(token), prefix=token[:10]))
    return token


def revoke_token(session: Session, token: str) -> int:
    """Revoke a token given in full, or every token of a user given by name; returns how many."""
    found = session.scalars(
        select(ApiToken).where(
            ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None)
        )
    ).all()
    if not found:
        user = session.scalar(select(User).where(User.name == token))
        found = [t for t in (user.tokens if user else []) if t.revoked_at is None]
    if not found:
        raise NotFound("No active token matches (give the token itself or a user name).")
    for api_token in found:
        api_token.revoked_at = utcnow()
    return len(found)


def user_for_token(session: Session, token: str) -> User | None:
    api_token = session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None)
        )
    )
    return api_token.user if api_token else None
