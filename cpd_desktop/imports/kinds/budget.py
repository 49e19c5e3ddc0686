"""Importing budget lines: one row a line of a financial year's CPD budget, matched by year and budget code."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from ...errors import ValidationError
from ...models import BudgetLine, Department
from ...models.budget import COST_HEADS
from .. import cells
from ..engine import Importer, refuse_repeat


def _financial_year(field: str) -> cells.Parser:
    from ...services.budget import parse_financial_year

    return cells.memo(lambda raw: parse_financial_year(raw, field=field).start_year)


def _budget_amount(field: str) -> cells.Parser:
    def parse(raw: Any) -> Decimal:
        value: Decimal | None = cells.money(field)(raw)
        if value is None or value < 0:
            raise ValidationError(field, f"{raw} is not an amount of money a budget can hold.",
                                  hint="Write the line's budget in pounds, e.g. 3000 or £3,000.00.")
        return value

    return cells.memo(parse)


def _head_amount(field: str) -> cells.Parser:
    """An optional amount for one cost head: blank is none set."""
    def parse(raw: Any) -> Decimal | None:
        value: Decimal | None = cells.money(field)(raw)
        if value is not None and value < 0:
            raise ValidationError(field, f"{raw} is not an amount of money a budget can hold.",
                                  hint="Write the head's amount in pounds, e.g. 500, or leave it blank.")
        return value

    return cells.memo(parse)


HEAD_FIELDS = tuple(f"{head}_amount" for head in COST_HEADS)


class BudgetImporter(Importer):
    model = BudgetLine
    noun = "budget lines"
    compare = ("name", "department_id", "amount", *HEAD_FIELDS)
    parsers = {
        "financial_year": _financial_year,
        "name": lambda f: cells.text(f, 200),
        "budget_code": lambda f: cells.text(f, 40),
        "department": lambda f: cells.text(f, 100),
        "amount": _budget_amount,
        **{key: _head_amount for key in HEAD_FIELDS},
    }

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.departments = {name.casefold(): (ident, name) for ident, name in self.session.execute(
            select(Department.id, Department.name).where(Department.school_id == self.school.id))}

    def finish(self, rowno: int, values: dict[str, Any], errors: list[ValidationError]) -> dict[str, Any] | None:
        # A head's column left out of the file leaves that head's amount as it is; a blank cell clears it.
        record: dict[str, Any] = {k: values[k] for k in ("financial_year", "name", "budget_code", "amount",
                                                         *HEAD_FIELDS) if k in values}
        name = values.get("department")
        if name is not None:
            found = self.departments.get(name.casefold())
            if found is None:
                known = ", ".join(sorted(n for _i, n in self.departments.values())) or "none yet"
                errors.append(ValidationError(self.header("department"), f"There is no department called {name}.",
                                              hint=f"Use a department from Settings ({known}) or leave it blank.",
                                              row=rowno))
            record["department_id"] = found[0] if found else None
        else:
            record["department_id"] = None
        if errors:
            return None
        refuse_repeat(self.seen, self.match_key(record), rowno, self.header("budget_code"),
                      f"Budget code {record['budget_code']} in the same financial year")
        return record

    def match_key(self, record: dict[str, Any]) -> Any:
        return (record["financial_year"], record["budget_code"].casefold())

    def existing(self) -> dict[Any, dict[str, Any]]:
        b = BudgetLine
        rows = self.session.execute(select(b.id, b.financial_year, b.budget_code, b.name, b.department_id, b.amount,
                                           *(getattr(b, key) for key in HEAD_FIELDS))
                                    .where(b.school_id == self.school.id))
        return {(r.financial_year, r.budget_code.casefold()): r._asdict() for r in rows}

    def new_row(self, record: dict[str, Any]) -> dict[str, Any]:
        return {"school_id": self.school.id, **record, **self.versioned()}

