"""SQLAlchemy models: cases, their multi-valued fields, the change log, users and tokens."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Record fields kept in case_terms, one row per vocabulary key.
TERM_FIELDS = ("municipalities", "collaboration_forms", "actors", "themes")


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        CheckConstraint(
            "end_year IS NULL OR start_year IS NULL OR end_year >= start_year",
            name="ck_cases_years",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    summary: Mapped[str | None] = mapped_column(String(1000))
    description: Mapped[str] = mapped_column(Text, nullable=False)
    results: Mapped[str | None] = mapped_column(Text)
    start_year: Mapped[int | None] = mapped_column(Integer)
    end_year: Mapped[int | None] = mapped_column(Integer)
    # The status as given; NULL when it follows the calendar (derived when read: store.py).
    status: Mapped[str | None] = mapped_column(String(32))
    budget_dkk: Mapped[int | None] = mapped_column(BigInteger)
    public_funding_dkk: Mapped[int | None] = mapped_column(BigInteger)
    private_funding_dkk: Mapped[int | None] = mapped_column(BigInteger)
    contact_org: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )

    terms: Mapped[list[CaseTerm]] = relationship(
        back_populates="case",
        cascade="all, delete-orphan",
        order_by="CaseTerm.position",
        lazy="selectin",
    )
    funders: Mapped[list[CaseFunder]] = relationship(
        cascade="all, delete-orphan", order_by="CaseFunder.position", lazy="selectin"
    )
    links: Mapped[list[CaseLink]] = relationship(
        cascade="all, delete-orphan", order_by="CaseLink.position", lazy="selectin"
    )


class CaseTerm(Base):
    """One vocabulary key of one multi-valued field of a case (municipalities, themes, ...)."""

    __tablename__ = "case_terms"
    __table_args__ = (UniqueConstraint("case_id", "field", "key", name="uq_case_terms"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True
    )
    field: Mapped[str] = mapped_column(String(32), nullable=False)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)

    case: Mapped[Case] = relationship(back_populates="terms")


class CaseFunder(Base):
    __tablename__ = "case_funders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(300), nullable=False)


class CaseLink(Base):
    __tablename__ = "case_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    url: Mapped[str] = mapped_column(String(2000), nullable=False)


class Change(Base):
    """The change log: one numbered row per write, which every index catches up with."""

    __tablename__ = "changes"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ref: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    action: Mapped[str] = mapped_column(String(16), nullable=False)  # created|updated|deleted
    version: Mapped[int | None] = mapped_column(Integer)
    user_name: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(32), nullable=False)  # import|api|admin
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)


class CaseVersion(Base):
    """One version of a case's history (docs/contract.md section 10): who, when, what.

    `record` is the case as this version left it, in the shape the API answers (None for a
    deletion); a version's changes are the difference to the version before it. Rows are
    never changed and outlive the case, so a deleted ref keeps its history.
    """

    __tablename__ = "case_versions"
    __table_args__ = (UniqueConstraint("ref", "version", name="uq_case_versions"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(64), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    action: Mapped[str] = mapped_column(String(16), nullable=False)  # create|update|delete|restore
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    changed_by: Mapped[str | None] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(32), nullable=False)  # import|api|admin
    # True for the version a migration made of a case stored before history was kept.
    first_known: Mapped[bool] = mapped_column(
        Boolean, nullable=False, default=False, server_default=false()
    )
    record: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True, nullable=False)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    is_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Kept in every login session; bumped on logout and password change, which ends them all.
    session_generation: Mapped[int] = mapped_column(
        Integer, nullable=False, default=0, server_default="0"
    )
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )

    tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class ApiToken(Base):
    """An API token; only a SHA-256 hash of it is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    prefix: Mapped[str] = mapped_column(String(12), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(back_populates="tokens")


class RateLimit(Base):
    """One counter of the rate limiter (casebase/ratelimits.py): failures per key and window."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, nullable=False)
    expires_at: Mapped[float] = mapped_column(Float, nullable=False)  # seconds since the epoch


class ThesaurusVersion(Base):
    """One version of the field's thesaurus (casebase/thesaurus.py): the newest is in use."""

    __tablename__ = "thesaurus_versions"

    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document: Mapped[str] = mapped_column(Text, nullable=False)  # the JSON file, as imported
    changed_by: Mapped[str | None] = mapped_column(String(100))
    changed_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )


class Document(Base):
    """A document of a case (docs/contract.md section 13): its file is in the document store
    (casebase/documents.py) under its SHA-256; its extracted text is kept here, so a reindex
    never extracts again.

    It belongs to its case by ref, not by a foreign key: deleting a case keeps its documents,
    which a restored case with the same ref finds again (docs/decisions.md section 13).
    """

    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_ref: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    year: Mapped[int | None] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    pages: Mapped[int | None] = mapped_column(Integer)
    has_text: Mapped[bool] = mapped_column(Boolean, nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False, default="")
    extract_error: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, default=utcnow
    )
