"""supervision's enterprise data store (R17): the RPCs that import and enter yearly figures per enterprise and read
them back.  A mixin of ``SupervisionService`` (its ``db``, ``policy`` and ``clock``): the rules are
``figures.py``, the tables ``figures_store.py``.

An import is one transaction: the whole file is read and checked first, and a file with any bad row raises the
refusal naming every row and column before anything is written.  Each kind of figure comes only from the unit that
owns it (``supervision.enter_figures.<kind>`` in the authority table); a figure entered by hand states its reason
and is written, with the value it replaced, to ``figure_changes``.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from services.supervision import figures
from services.supervision import figures_store as fstore
from shared import sheets, uscc
from shared.actor import Actor, authorize
from shared.clock import to_shanghai
from shared.errors import InvalidInput, NotFound
from shared.i18n import Message, _
from shared.rpc import rpc
from shared.schema import load_or_invalid, schema
from shared.vocabulary import unit_name
from shared.wire.figures import (
    EnterprisePageSchema,
    EnterpriseSchema,
    FigureImportSchema,
    FigureInputSchema,
    FiguresUploadSchema,
)


class FiguresMixin:
    """The enterprise data store's RPCs (see the module)."""

    def _this_year(self) -> int:
        return to_shanghai(self.clock()).year

    @rpc
    def import_figures(self, actor, data):
        """A unit's file of yearly figures (Excel or CSV): every row checked; any bad row imports nothing."""
        actor = Actor.load(actor)
        if not any(_allowed(actor, figures.operation(k), self.policy) for k in figures.KINDS):
            authorize(actor, figures.operation("tax"), self.policy.authority)
        data = load_or_invalid(schema(FiguresUploadSchema), data)
        content = sheets.upload(data, int(self.policy.get("documents.max_size_bytes")), csv=True)
        read = figures.read_figures(data["filename"], content, self.policy, self._this_year(), data["year"])
        for kind in read.kinds:  # a column of a kind the unit does not own: refused before anything else
            authorize(actor, figures.operation(kind), self.policy.authority)
        if read.problems:
            raise sheets.refusal(read.problems)
        now, by = self.clock(), actor.dump()
        with self.db.unit_of_work() as uow:
            import_id = fstore.add_import(
                uow.session,
                filename=data["filename"],
                sha256=hashlib.sha256(content).hexdigest(),
                what="figures",
                kinds=list(read.kinds),
                rows=read.rows,
                added=0,
                changed=0,
                by=by,
                at=now,
            )
            added, changed = fstore.save_figures(uow.session, read.figures, import_id, by, now)
            if read.register:
                fstore.save_register(uow.session, read.register, data["filename"], by, now, names_only=True)
            fstore.set_import_counts(uow.session, import_id, added, changed)
            self._figures_arrived(uow, {f[0] for f in read.figures})  # standard land's checks awaiting them (R17)
        return schema(FigureImportSchema).dump(
            {
                "import_id": import_id,
                "filename": data["filename"],
                "kinds": list(read.kinds),
                "rows": read.rows,
                "added": added,
                "changed": changed,
                "by": by,
                "at": now,
            }
        )

    @rpc
    def import_enterprises(self, actor, data):
        """The register of enterprises (name, park or town, sector, year production started), by IPB or IND."""
        actor = Actor.load(actor)
        authorize(actor, "supervision.import_enterprises", self.policy.authority)
        data = load_or_invalid(schema(FiguresUploadSchema), data)
        content = sheets.upload(data, int(self.policy.get("documents.max_size_bytes")), csv=True)
        read = figures.read_figures(data["filename"], content, self.policy, self._this_year(), register=True)
        if read.problems:
            raise sheets.refusal(read.problems)
        now, by = self.clock(), actor.dump()
        with self.db.unit_of_work() as uow:
            added, changed = fstore.save_register(uow.session, read.register, data["filename"], by, now)
            import_id = fstore.add_import(
                uow.session,
                filename=data["filename"],
                sha256=hashlib.sha256(content).hexdigest(),
                what="register",
                kinds=[],
                rows=read.rows,
                added=added,
                changed=changed,
                by=by,
                at=now,
            )
        return schema(FigureImportSchema).dump(
            {
                "import_id": import_id,
                "filename": data["filename"],
                "kinds": [],
                "rows": read.rows,
                "added": added,
                "changed": changed,
                "by": by,
                "at": now,
            }
        )

    @rpc
    def enter_figure(self, actor, credit_code, year, kind, data):
        """One figure entered by hand by the unit that owns its kind, with a reason (audited)."""
        actor = Actor.load(actor)
        if kind not in figures.KINDS:
            raise NotFound(_("there is no kind of figure {kind}", kind=kind), {"kind": kind})
        authorize(actor, figures.operation(kind), self.policy.authority)
        data = load_or_invalid(schema(FigureInputSchema), data)
        code = _code(credit_code)
        year = int(year)
        figures.check_entered_year(year, self._this_year(), self.policy)
        value = figures.to_kept_unit(kind, data["value"], data["unit"], self.policy)
        figures.check_entered_value(kind, value, self.policy)
        now = self.clock()
        with self.db.unit_of_work() as uow:
            fstore.save_figures(uow.session, [(code, year, kind, value)], None, actor.dump(), now, data["reason"])
            self._figures_arrived(uow, {code})  # standard land's checks awaiting it (R17)
        return self._enterprise_view(self.db.session, code)

    @rpc
    def enterprise(self, actor, credit_code):
        """An enterprise of the store: its register facts, its figures by year and the audit of their changes."""
        authorize(Actor.load(actor), "supervision.read_figures", self.policy.authority)
        return self._enterprise_view(self.db.session, _code(credit_code))

    @rpc
    def enterprises(self, actor, year=None, location=None, limit=50, offset=0):
        """The register (a park's or town's) with each enterprise's figures of ``year``."""
        authorize(Actor.load(actor), "supervision.read_figures", self.policy.authority)
        year = _whole(year, "year")
        total, rows = fstore.listing(self.db.session, year, location, min(int(limit), 500), int(offset))
        return schema(EnterprisePageSchema).dump(
            {
                "total": total,
                "items": [
                    {
                        **self._register_view(r),
                        "figures": {str(year): {k: str(v) for k, v in r.get("figures", {}).items()}} if year else {},
                    }
                    for r in rows
                ],
            }
        )

    @rpc
    def figure_imports(self, actor):
        authorize(Actor.load(actor), "supervision.read_figures", self.policy.authority)
        return schema(FigureImportSchema, many=True).dump(
            [{**r, "import_id": r["id"]} for r in fstore.imports(self.db.session)]
        )

    # -- views ------------------------------------------------------------------------------------------------
    def _register_view(self, row: dict) -> dict:
        return {
            **row,
            "location_name": unit_name(row["location"]) if row.get("location") else None,
            "units": {k: figures.canonical_unit(k, self.policy) for k in figures.KINDS},
        }

    def _enterprise_view(self, session, code: str) -> dict:
        row = fstore.enterprise(session, code)
        kept = fstore.figures_of(session, code)
        if row is None and not kept:
            raise NotFound(_("the data store has no enterprise {code}", code=code), {"credit_code": code})
        by_year: dict[str, dict[str, Decimal]] = {}
        for f in kept:
            by_year.setdefault(str(f["year"]), {})[f["kind"]] = str(f["value"])
        changes = [{**c, "kind_name": Message(figures.KIND_NAMES[c["kind"]])} for c in fstore.changes_of(session, code)]
        return schema(EnterpriseSchema).dump(
            {**self._register_view(row or {"credit_code": code}), "figures": by_year, "changes": changes}
        )


def _allowed(actor: Actor, operation: str, policy) -> bool:
    from shared.actor import is_allowed

    return is_allowed(actor, operation, policy.authority)


def _code(credit_code: str) -> str:
    code = uscc.normalise(credit_code)
    if (rule := uscc.problem(code)) is not None:
        raise InvalidInput.for_field("credit_code", rule)
    return code


def _whole(value, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidInput.for_field(name, _("must be a whole number")) from None
