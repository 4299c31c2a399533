"""`(a, b) < (x, y)` as an ORM expression: one index range condition for keyset pages.

Unlike `.extra(where=…)` its columns are resolved by the ORM, so it stays correct inside a
subquery (where the table is aliased U0), as in the per-owner branches."""

from collections.abc import Sequence
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, Expression, F, Value
from django.db.models.sql.compiler import SQLCompiler

OPERATORS = {"<", ">"}


class RowCompare(Expression):
    conditional = True
    output_field = BooleanField()

    def __init__(self, columns: Sequence[str], op: str, values: Sequence[Any]) -> None:
        if op not in OPERATORS or len(columns) != len(values):
            raise ValueError("RowCompare needs one value per column and < or >")
        super().__init__()
        self.op = op
        self.lhs: list[Any] = [F(c) for c in columns]
        self.rhs: list[Any] = [Value(v) for v in values]

    def get_source_expressions(self) -> list[Any]:
        return [*self.lhs, *self.rhs]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        n = len(self.lhs)
        self.lhs, self.rhs = list(exprs[:n]), list(exprs[n:])

    def as_sql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, tuple[Any, ...]]:
        left: list[str] = []
        right: list[str] = []
        params: list[Any] = []
        for expr in self.lhs:
            sql, p = compiler.compile(expr)
            left.append(sql)
            params.extend(p)
        for expr in self.rhs:
            sql, p = compiler.compile(expr)
            right.append(sql)
            params.extend(p)
        return f"({', '.join(left)}) {self.op} ({', '.join(right)})", tuple(params)
