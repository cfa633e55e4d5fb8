"""The service façade's users and tokens (mixed into casebase.services.Casebase)."""

from __future__ import annotations

from dataclasses import dataclass

from . import accounts
from .db import Database
from .models import User


class AccountService:
    """Users, their passwords and login sessions, and API tokens."""

    db: Database

    def create_user(self, name: str, password: str, admin: bool = False) -> None:
        with self.db.session() as session:
            accounts.create_user(session, name, password, admin)

    def create_token(self, name: str) -> str:
        with self.db.session() as session:
            return accounts.create_token(session, name)

    def revoke_token(self, token_or_user: str) -> int:
        with self.db.session() as session:
            return accounts.revoke_token(session, token_or_user)

    def user_for_token(self, token: str) -> tuple[str, bool] | None:
        """(name, is_admin) of a token's user, or None for an unknown or revoked token."""
        with self.db.session() as session:
            user = accounts.user_for_token(session, token)
            return (user.name, user.is_admin) if user else None

    def authenticate(self, name: str, password: str) -> Account | None:
        with self.db.session() as session:
            user = accounts.authenticate(session, name, password)
            return Account.of(user) if user else None

    def find_user(self, name: str) -> Account | None:
        with self.db.session() as session:
            user = accounts.find_user(session, name)
            return Account.of(user) if user else None

    def end_sessions(self, name: str) -> None:
        """End every login session of a user (logout, or a stolen cookie)."""
        with self.db.session() as session:
            accounts.end_sessions(session, name)

    def set_password(self, name: str, password: str) -> None:
        """A new password; every login session of the user ends."""
        with self.db.session() as session:
            accounts.set_password(session, name, password)


@dataclass(frozen=True)
class Account:
    """What the web layer needs to know of a user."""

    name: str
    is_admin: bool
    session_generation: int

    @classmethod
    def of(cls, user: User) -> Account:
        return cls(user.name, user.is_admin, user.session_generation)
