"""a case's status follows the calendar unless it was given: NULL means derived

Rows written before this revision hold their status whether it was given or derived when
the row was written. A status equal to what the calendar gave in the year the row was last
written counts as derived (docs/decisions.md, section 2); any other stays as given.

Revision ID: 0004
Revises: 0003
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BATCH = 500


def _derived(end_year: int | None, year: int) -> str:
    return "afsluttet" if end_year is not None and end_year < year else "igangvaerende"


def _year(moment: datetime | str) -> int:
    if isinstance(moment, str):  # SQLite without type information
        moment = datetime.fromisoformat(moment)
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).year


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("status", existing_type=sa.String(length=32), nullable=True)
    cases = sa.table(
        "cases",
        sa.column("id", sa.Integer),
        sa.column("status", sa.String),
        sa.column("end_year", sa.Integer),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(cases.c.id, cases.c.status, cases.c.end_year, cases.c.updated_at)
    )
    derived = [
        row.id for row in rows if row.status == _derived(row.end_year, _year(row.updated_at))
    ]
    for start in range(0, len(derived), BATCH):
        ids = derived[start : start + BATCH]
        connection.execute(sa.update(cases).where(cases.c.id.in_(ids)).values(status=None))


def downgrade() -> None:
    cases = sa.table(
        "cases",
        sa.column("status", sa.String),
        sa.column("end_year", sa.Integer),
    )
    year = datetime.now(UTC).year
    connection = op.get_bind()
    connection.execute(
        sa.update(cases)
        .where(cases.c.status.is_(None))
        .values(
            status=sa.case(
                (sa.and_(cases.c.end_year.is_not(None), cases.c.end_year < year), "afsluttet"),
                else_="igangvaerende",
            )
        )
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.alter_column("status", existing_type=sa.String(length=32), nullable=False)
