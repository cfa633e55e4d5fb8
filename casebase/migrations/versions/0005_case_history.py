"""the history of every case: one row per version (docs/contract.md section 10)

Each case stored before history was kept gets one version: its content as it stands, with
who and when from its newest change-log row, marked `first_known` (what came before it was
not kept, so it lists no changes).

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

from casebase.vocabularies import RECORD_FIELDS, regions_for

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# The schema as this revision knows it (not the models, which move on).
TERM_FIELDS = ("municipalities", "collaboration_forms", "actors", "themes")
SCALARS = tuple(f for f in RECORD_FIELDS if f not in (*TERM_FIELDS, "funders", "links"))
BATCH = 1000


def upgrade() -> None:
    versions = op.create_table(
        "case_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=100), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("first_known", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("record", sa.JSON(none_as_null=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ref", "version", name="uq_case_versions"),
    )
    connection = op.get_bind()
    last_id = 0
    while True:
        cases = connection.execute(
            sa.text(
                f"SELECT id, {', '.join(SCALARS)}, version, created_at, updated_at FROM cases"
                " WHERE id > :last ORDER BY id LIMIT :batch"
            ),
            {"last": last_id, "batch": BATCH},
        ).mappings()
        rows = [dict(row) for row in cases]
        if not rows:
            return
        last_id = rows[-1]["id"]
        op.bulk_insert(versions, list(_first_versions(connection, rows)))


def _first_versions(connection: Any, cases: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    ids = [case["id"] for case in cases]
    terms = _grouped(connection, "case_terms", "field, key", ids)
    funders = _grouped(connection, "case_funders", "name", ids)
    links = _grouped(connection, "case_links", "title, url", ids)
    logged = _newest_changes(connection, [case["ref"] for case in cases])
    for case in cases:
        record: dict[str, Any] = {name: case[name] for name in SCALARS}
        for field in TERM_FIELDS:
            record[field] = [t["key"] for t in terms.get(case["id"], []) if t["field"] == field]
        record["funders"] = [f["name"] for f in funders.get(case["id"], [])]
        record["links"] = [
            {"title": link["title"], "url": link["url"]} for link in links.get(case["id"], [])
        ]
        record = {name: record[name] for name in RECORD_FIELDS}
        record["regions"] = regions_for(record["municipalities"])
        record["version"] = case["version"]
        record["created_at"] = _utc(case["created_at"]).isoformat()
        record["updated_at"] = _utc(case["updated_at"]).isoformat()
        change = logged.get((case["ref"], case["version"]), {})
        yield {
            "ref": case["ref"],
            "version": case["version"],
            "action": "update" if change.get("action") == "updated" else "create",
            "changed_at": _utc(change.get("at") or case["updated_at"]),
            "changed_by": change.get("user_name"),
            "source": change.get("source") or "import",
            "first_known": True,
            "record": record,
        }


def _grouped(connection: Any, table: str, columns: str, ids: list[int]) -> dict[int, list]:
    rows = connection.execute(
        sa.text(
            f"SELECT case_id, {columns} FROM {table} WHERE case_id IN :ids"
            " ORDER BY case_id, position"
        ).bindparams(sa.bindparam("ids", expanding=True)),
        {"ids": ids},
    ).mappings()
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(row["case_id"], []).append(dict(row))
    return grouped


def _newest_changes(connection: Any, refs: list[str]) -> dict[tuple[str, int], dict]:
    rows = connection.execute(
        sa.text(
            "SELECT ref, version, action, user_name, source, at FROM changes"
            " WHERE ref IN :refs ORDER BY seq"
        ).bindparams(sa.bindparam("refs", expanding=True)),
        {"refs": refs},
    ).mappings()
    return {(row["ref"], row["version"]): dict(row) for row in rows}


def _utc(moment: Any) -> datetime:
    if isinstance(moment, str):  # SQLite through a plain text() query
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def downgrade() -> None:
    op.drop_table("case_versions")
