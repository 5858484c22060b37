"""The OpenAPI document of the gateway, generated from the shared marshmallow schemas."""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from marshmallow import Schema, fields

from shared.wire.coordinator import ProjectSchema, ProjectSummarySchema, TerminateInputSchema
from shared.wire.accounting import (
    AccountingSchema, ActualFaiInputSchema, LandUsedInputSchema, OpenInputSchema, RecoveryInputSchema,
    ReportInputSchema, WaiveInputSchema,
)
from shared.wire.contracts import (
    ContractSchema, CopiesInputSchema, CustodianInputSchema, GrantInputSchema, LegalReviewInputSchema,
    ProgressInputSchema, ReadInputSchema, SignInputSchema, SpecialReportInputSchema, SubmitInputSchema, TermsSchema,
)
from shared.wire.people import SignInSchema, UserChangeSchema, UserInputSchema, UserSchema
from shared.wire.intake import FileInputSchema, LeadInputSchema, LeadSchema
from shared.wire.negotiation import (
    AssignInputSchema, CandidateSchema, DecisionInputSchema, IntermediaryInputSchema, NegotiationSchema,
    RecommendInputSchema, RouteSchema, SessionInputSchema,
)
from shared.wire.notifications import ChannelSchema, ChannelSettingsInputSchema, DeliverySchema, InboxSchema
from shared.wire.supervision import (
    ContactsInputSchema, DeadlineSchema, ProblemInputSchema, ProgressInputSchema as TrackingProgressInputSchema,
    ReminderInputSchema, ResolutionInputSchema, SpecialReportInputSchema as ReportToLgInputSchema, SpecialReportSchema,
    StalledGroupSchema, TrackingSchema, UploadSchema as ReportUploadSchema,
)
from shared.wire.review import (
    ConveneInputSchema, OpinionInputSchema, QueueItemSchema, ResubmitInputSchema, ReturnInputSchema, ReviewSchema,
)


class ErrorSchema(Schema):
    error = fields.String(metadata={"description": "invalid_input | not_found | not_allowed | conflict | ..."})
    message = fields.String()
    details = fields.Dict(metadata={"description": "for invalid_input: field -> rules broken"})


class LeadPageSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(LeadSchema))


class ProjectPageSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(ProjectSummarySchema))
    by_state = fields.Dict(keys=fields.String(), values=fields.Integer())


_TRUSTED = "only where the gateway trusts actor headers (ZS_TRUST_ACTOR_HEADERS=true: tests, demos); else sign in"
ACTOR_HEADERS = [
    {"in": "header", "name": "X-Zhaoshang-User", "required": False, "schema": {"type": "string"}, "description": _TRUSTED},
    {"in": "header", "name": "X-Zhaoshang-Position", "required": False, "schema": {"type": "string"}, "description": _TRUSTED},
    {"in": "header", "name": "X-Zhaoshang-Unit", "required": False, "schema": {"type": "string"}, "description": _TRUSTED},
]
ERRORS = {
    "401": {"description": "not signed in (no, a wrong or an expired bearer token)",
            "content": {"application/json": {"schema": "Error"}}},
    "403": {"description": "not allowed for this position", "content": {"application/json": {"schema": "Error"}}},
    "404": {"description": "not found", "content": {"application/json": {"schema": "Error"}}},
    "409": {"description": "conflicts with the current state or a duplicate", "content": {"application/json": {"schema": "Error"}}},
    "422": {"description": "invalid input; details name each field and rule", "content": {"application/json": {"schema": "Error"}}},
}


DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"


def decimal_as_string(converter, field, ret: dict) -> dict:
    """A Decimal sent as a string (amounts in yuan, land in mu) is a string in the document, with its bounds
    in words: apispec would call it a number and write its Range as the strings "0" (an invalid document)."""
    if not (isinstance(field, fields.Decimal) and field.as_string):
        return {}
    bounds = {k: ret.pop(k) for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") if k in ret}
    words = {"minimum": "≥", "maximum": "≤", "exclusiveMinimum": ">", "exclusiveMaximum": "<"}
    note = ", ".join(f"{words[k]} {v}" for k, v in bounds.items())
    description = " ".join(x for x in (ret.get("description"), f"(a decimal as a string{'; ' + note if note else ''})") if x)
    ret["type"] = "string"
    return {"type": "string", "format": "decimal", "pattern": DECIMAL, "description": description}


def _json(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _op(summary: str, ok: dict, body: str | None = None, params: list | None = None, tag: str = "projects") -> dict:
    op = {"summary": summary, "tags": [tag], "parameters": ACTOR_HEADERS + (params or []), "responses": {**ok, **ERRORS}}
    if body:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return op


ID = lambda name: {"in": "path", "name": name, "required": True, "schema": {"type": "string"}}  # noqa: E731
PAGE = [
    {"in": "query", "name": "limit", "schema": {"type": "integer", "default": 50, "maximum": 500}},
    {"in": "query", "name": "offset", "schema": {"type": "integer", "default": 0}},
]


def build_spec(version: str = "0.1.0") -> dict:
    marshmallow = MarshmallowPlugin()
    spec = APISpec(title="Zhaoshang 招商 API", version=version, openapi_version="3.0.3",
                   plugins=[marshmallow],
                   info={"description": "Investment promotion platform of the county. Amounts in yuan (strings), land in mu."})
    marshmallow.converter.add_attribute_function(decimal_as_string)
    for name, schema in [("Error", ErrorSchema), ("LeadInput", LeadInputSchema), ("Lead", LeadSchema),
                         ("FileInput", FileInputSchema), ("LeadPage", LeadPageSchema), ("Project", ProjectSchema),
                         ("ProjectPage", ProjectPageSchema), ("TerminateInput", TerminateInputSchema),
                         ("ConveneInput", ConveneInputSchema), ("OpinionInput", OpinionInputSchema),
                         ("ReturnInput", ReturnInputSchema), ("ResubmitInput", ResubmitInputSchema),
                         ("Review", ReviewSchema), ("QueueItem", QueueItemSchema),
                         ("IntermediaryInput", IntermediaryInputSchema), ("AssignInput", AssignInputSchema),
                         ("SessionInput", SessionInputSchema), ("RecommendInput", RecommendInputSchema),
                         ("DecisionInput", DecisionInputSchema), ("Candidate", CandidateSchema),
                         ("DecisionRoute", RouteSchema), ("Negotiation", NegotiationSchema),
                         ("Terms", TermsSchema), ("SubmitInput", SubmitInputSchema),
                         ("LegalReviewInput", LegalReviewInputSchema), ("SignInput", SignInputSchema),
                         ("CustodianInput", CustodianInputSchema), ("CopiesInput", CopiesInputSchema),
                         ("GrantInput", GrantInputSchema), ("ReadInput", ReadInputSchema),
                         ("ProgressInput", ProgressInputSchema), ("SpecialReportInput", SpecialReportInputSchema),
                         ("Contract", ContractSchema), ("Accounting", AccountingSchema),
                         ("OpenAccountingInput", OpenInputSchema), ("ActualFaiInput", ActualFaiInputSchema),
                         ("LandUsedInput", LandUsedInputSchema), ("ReportInput", ReportInputSchema),
                         ("RecoveryInput", RecoveryInputSchema), ("WaiveInput", WaiveInputSchema)]:
        spec.components.schema(name, schema=schema)
    status = {"in": "query", "name": "status", "schema": {"type": "string", "enum": ["lead", "filed", "closed"]}}
    state = {"in": "query", "name": "state", "schema": {"type": "string"}}
    spec.path("/api/leads", operations={
        "post": _op("Register a lead (R1)", {"201": _json("Lead", "registered")}, body="LeadInput", tag="intake"),
        "get": _op("List leads", {"200": _json("LeadPage", "a page of leads")}, params=[status] + PAGE, tag="intake"),
    })
    spec.path("/api/leads/{lead_id}", operations={
        "get": _op("Read a lead", {"200": _json("Lead", "the lead")}, params=[ID("lead_id")], tag="intake")})
    spec.path("/api/leads/{lead_id}/file", operations={
        "post": _op("File a lead (IPB only, R1)", {"200": _json("Lead", "filed")}, body="FileInput",
                    params=[ID("lead_id")], tag="intake")})
    spec.path("/api/projects", operations={
        "get": _op("List projects with counts by state", {"200": _json("ProjectPage", "a page of projects")},
                   params=[state] + PAGE)})
    spec.path("/api/projects/{project_id}", operations={
        "get": _op("A project with its lifecycle timeline", {"200": _json("Project", "the project")},
                   params=[ID("project_id")])})
    spec.path("/api/projects/{project_id}/terminate", operations={
        "post": _op("Terminate for objective reasons with a special report (R11)", {"200": _json("Project", "terminated")},
                    body="TerminateInput", params=[ID("project_id")])})
    pid = [ID("project_id")]
    spec.path("/api/projects/{project_id}/review", operations={
        "post": _op("Convene the joint review of a filed project (IPB, R2)", {"201": _json("Review", "convened")},
                    body="ConveneInput", params=pid, tag="review"),
        "get": _op("The review: required units, check findings, opinions, returns, outcome",
                   {"200": _json("Review", "the review")}, params=pid, tag="review")})
    spec.path("/api/projects/{project_id}/review/opinions", operations={
        "post": _op("Record the acting reviewer's own unit's opinion (once per round)",
                    {"201": _json("Review", "recorded")}, body="OpinionInput", params=pid, tag="review")})
    spec.path("/api/projects/{project_id}/review/returns", operations={
        "post": _op("IPB records a unit's return for more information", {"201": _json("Review", "returned")},
                    body="ReturnInput", params=pid, tag="review")})
    spec.path("/api/projects/{project_id}/review/resubmission", operations={
        "post": _op("IPB records the investor's resubmission (a new round)", {"200": _json("Review", "resubmitted")},
                    body="ResubmitInput", params=pid, tag="review")})
    spec.path("/api/review/queue", operations={
        "get": _op("The acting unit's review desk: reviews awaiting its opinion",
                   {"200": {"description": "queue", "content": {"application/json": {
                       "schema": {"type": "array", "items": "QueueItem"}}}}}, tag="review")})
    spec.path("/api/projects/{project_id}/negotiation", operations={
        "get": _op("Intermediary, responsible unit, sessions, decision route and decisions",
                   {"200": _json("Negotiation", "the negotiation")}, params=pid, tag="negotiation")})
    spec.path("/api/projects/{project_id}/intermediary", operations={
        "post": _op("IPB records the investor's intermediary, or none (R3)", {"200": _json("Negotiation", "recorded")},
                    body="IntermediaryInput", params=pid, tag="negotiation")})
    spec.path("/api/projects/{project_id}/responsible-unit/ranking", operations={
        "get": _op("The ranked parks (or towns) with reasons (R3)", {"200": {"description": "ranking", "content": {
            "application/json": {"schema": {"type": "array", "items": "Candidate"}}}}}, params=pid, tag="negotiation")})
    spec.path("/api/projects/{project_id}/responsible-unit", operations={
        "post": _op("IPB confirms the responsible unit, or picks another with a reason (R3)",
                    {"200": _json("Negotiation", "handed over")}, body="AssignInput", params=pid, tag="negotiation")})
    spec.path("/api/projects/{project_id}/negotiation/sessions", operations={
        "post": _op("Log a negotiation session; refused if the lead, IPB or (final stage) LEGAL is missing (R4)",
                    {"201": _json("Negotiation", "logged")}, body="SessionInput", params=pid, tag="negotiation")})
    spec.path("/api/projects/{project_id}/decision-route", operations={
        "get": _op("The decision route of the 60-mu rule, computed from the data, with its reasons (R5)",
                   {"200": _json("DecisionRoute", "the route")}, params=pid, tag="negotiation")})
    spec.path("/api/projects/{project_id}/decision-route/recommendation", operations={
        "post": _op("The recommending position sends the project to the principals (escalated route)",
                    {"200": _json("Negotiation", "escalated")}, body="RecommendInput", params=pid, tag="negotiation")})
    spec.path("/api/projects/{project_id}/decision-route/decisions", operations={
        "post": _op("A decision by a position the route names", {"201": _json("Negotiation", "decided")},
                    body="DecisionInput", params=pid, tag="negotiation")})
    spec.path("/api/decisions/awaiting", operations={
        "get": _op("A leader's desk: decisions the route names the acting position for",
                   {"200": {"description": "awaiting"}}, tag="negotiation")})
    contract_ops = [
        ("/contract", "get", "The contract's record: versions, obligations, copy register (not its text)", None, "200"),
        ("/contract/versions", "post", "IPB drafts the next version from the agreed terms (a Word document)", "Terms", "201"),
        ("/contract/submission", "post", "IPB submits the latest draft to LEGAL", "SubmitInput", "200"),
        ("/contract/legal-review", "post", "LEGAL approves or returns a submitted version", "LegalReviewInput", "200"),
        ("/contract/signature", "post", "The signatory the decision route names signs the approved version",
         "SignInput", "200"),
        ("/contract/copies", "post", "IPB files at least 8 numbered copies held by the required units (R13)",
         "CopiesInput", "200"),
        ("/contract/hand-over", "post", "IPB hands the filed contract to the park or town (R7)", None, "200"),
        ("/contract/archives", "post", "IPB hands the contract of a closed project to ARCH (R13)", None, "200"),
    ]
    for suffix, method, summary, body, code in contract_ops:
        spec.path(f"/api/projects/{{project_id}}{suffix}", operations={
            method: _op(summary, {code: _json("Contract", "the contract")}, body=body, params=pid, tag="contracts")})
    spec.path("/api/projects/{project_id}/contract/grants", operations={
        "post": _op("A leader grants a named user reading of the contract until a time", {"201": {"description": "granted"}},
                    body="GrantInput", params=pid, tag="contracts")})
    spec.path("/api/projects/{project_id}/contract/reading", operations={
        "post": _op("Read the signed contract (custodian or grantee); every try is audited",
                    {"200": {"description": "the text as a base64 .docx, with the terms"}}, body="ReadInput", params=pid,
                    tag="contracts")})
    spec.path("/api/projects/{project_id}/contract/versions/{version}/reading", operations={
        "post": _op("Read a draft (IPB, LEGAL); audited", {"200": {"description": "the draft"}}, body="ReadInput",
                    params=pid + [{"in": "path", "name": "version", "required": True, "schema": {"type": "integer"}}],
                    tag="contracts")})
    spec.path("/api/projects/{project_id}/contract/audit", operations={
        "get": _op("The contract's audit trail entries", {"200": {"description": "entries"}}, params=pid, tag="contracts")})
    key = {"in": "path", "name": "key", "required": True, "schema": {"type": "string"}}
    spec.path("/api/projects/{project_id}/obligations/{key}/progress", operations={
        "post": _op("The settling park or town records progress on an obligation (R7)",
                    {"201": _json("Contract", "recorded")}, body="ProgressInput", params=pid + [key], tag="contracts")})
    spec.path("/api/projects/{project_id}/obligations/{key}/special-report", operations={
        "post": _op("File the special report to the LG on a lapsed obligation (a document)",
                    {"201": _json("Contract", "filed")}, body="SpecialReportInput", params=pid + [key], tag="contracts")})
    spec.path("/api/contracts/check-obligations", operations={
        "post": _op("Check obligations against their dates now (the service also does it on a timer)",
                    {"200": {"description": "how many obligations changed"}}, tag="contracts")})
    spec.path("/api/custodians", operations={
        "get": _op("Units' contract custodians and cabinets", {"200": {"description": "custodians"}}, tag="contracts")})
    spec.path("/api/custodians/{unit}", operations={
        "put": _op("A unit's head designates its custodian and cabinet", {"200": {"description": "designated"}},
                   body="CustodianInput", params=[ID("unit")], tag="contracts")})
    acct = "/api/projects/{project_id}/accounting"
    spec.path(acct, operations={
        "get": _op("The accounting: participants, figures with formulas, report, recovery tasks",
                   {"200": _json("Accounting", "the accounting")}, params=pid, tag="accounting"),
        "post": _op("IPB opens the accounting (it also opens when the construction period ends)",
                    {"201": _json("Accounting", "opened")}, body="OpenAccountingInput", params=pid, tag="accounting")})
    spec.path(acct + "/actual-fai", operations={"put": _op(
        "AUDIT enters the audited actual fixed-asset investment", {"200": _json("Accounting", "recorded")},
        body="ActualFaiInput", params=pid, tag="accounting")})
    spec.path(acct + "/land-used", operations={"put": _op(
        "LAND enters the land actually used (mu, m² or ha)", {"200": _json("Accounting", "recorded")},
        body="LandUsedInput", params=pid, tag="accounting")})
    spec.path(acct + "/report", operations={"post": _op(
        "IPB issues the written report (Word and PDF)", {"201": _json("Accounting", "issued")}, body="ReportInput",
        params=pid, tag="accounting")})
    spec.path(acct + "/report.{kind}", operations={"get": _op(
        "Download the report (docx or pdf)", {"200": {"description": "the file"}},
        params=pid + [{"in": "path", "name": "kind", "required": True, "schema": {"type": "string", "enum": ["docx", "pdf"]}}],
        tag="accounting")})
    unit = {"in": "path", "name": "unit", "required": True, "schema": {"type": "string", "enum": ["FIN", "LAND", "LEGAL"]}}
    spec.path(acct + "/recovery/{unit}", operations={"post": _op(
        "FIN, LAND or LEGAL records recovery on its task", {"201": _json("Accounting", "recorded")},
        body="RecoveryInput", params=pid + [unit], tag="accounting")})
    spec.path(acct + "/recovery/{unit}/waiver", operations={"post": _op(
        "The authorised leader waives a recovery task with a reason", {"201": _json("Accounting", "waived")},
        body="WaiveInput", params=pid + [unit], tag="accounting")})
    spec.path(acct + "/closure", operations={"post": _op(
        "IPB closes the accounting (report issued, recovery settled or waived)", {"200": _json("Accounting", "closed")},
        params=pid, tag="accounting")})
    _notification_paths(spec)
    _ledger_paths(spec)
    _web_paths(spec)
    _people_paths(spec)
    spec.path("/api/lifecycle", operations={"get": {"summary": "The lifecycle transition table", "tags": ["projects"],
                                                    "responses": {"200": {"description": "transitions"}}}})
    spec.path("/health", operations={"get": {"summary": "Gateway health", "tags": ["ops"],
                                             "responses": {"200": {"description": "ok"}}}})
    spec.path("/api/health", operations={"get": {"summary": "Health of every service over the bus", "tags": ["ops"],
                                                 "responses": {"200": {"description": "all up"}, "503": {"description": "some down"}}}})
    return spec.to_dict()


def _notification_paths(spec: APISpec) -> None:
    """Notifications: inbox, delivery log, channels; supervision (R7, R11): tracking, deadlines, special reports."""
    for name, schema in [("NotificationDeadline", DeadlineSchema), ("Inbox", InboxSchema), ("Delivery", DeliverySchema), ("Channel", ChannelSchema),
                         ("ChannelSettingsInput", ChannelSettingsInputSchema), ("Tracking", TrackingSchema),
                         ("TrackingProgressInput", TrackingProgressInputSchema), ("ProblemInput", ProblemInputSchema),
                         ("ResolutionInput", ResolutionInputSchema), ("ContactsInput", ContactsInputSchema),
                         ("ReminderInput", ReminderInputSchema),
                         ("StalledGroup", StalledGroupSchema), ("ReportUpload", ReportUploadSchema),
                         ("ReportToLgInput", ReportToLgInputSchema),
                         ("SpecialReport", SpecialReportSchema)]:
        spec.components.schema(name, schema=schema)

    def many(name: str, description: str) -> dict:
        return {"description": description, "content": {"application/json": {"schema": {"type": "array", "items": name}}}}

    pid = [ID("project_id")]
    tag = "notifications"
    unread = {"in": "query", "name": "unread", "schema": {"type": "boolean"}, "description": "only unread"}
    project = {"in": "query", "name": "project_id", "schema": {"type": "string"}}
    spec.path("/api/inbox", operations={"get": _op(
        "The acting person's inbox: addressed to their user id, position or unit, newest first",
        {"200": _json("Inbox", "unread count and items")}, params=[unread] + PAGE[:1], tag=tag)})
    spec.path("/api/inbox/{notification_id}/read", operations={"post": _op(
        "Mark a notification read (for the acting user)", {"200": _json("Inbox", "the unread items left")},
        params=[{"in": "path", "name": "notification_id", "required": True, "schema": {"type": "integer"}}], tag=tag)})
    spec.path("/api/notifications/deliveries", operations={"get": _op(
        "The delivery log: each notification's channels, status and every attempt (IPB)",
        {"200": many("Delivery", "deliveries")}, params=[project] + PAGE[:1], tag=tag)})
    spec.path("/api/notifications/channels", operations={"get": _op(
        "The channels, their effective settings (secrets masked) and whether they are ready (ipb_admin)",
        {"200": many("Channel", "channels")}, tag=tag)})
    spec.path("/api/notifications/channels/{channel}", operations={"put": _op(
        "IPB's administrator sets a channel's settings at run time (over config/zhaoshang.yaml)",
        {"200": _json("Channel", "the channel")}, body="ChannelSettingsInput", params=[ID("channel")], tag=tag)})
    tag = "supervision"
    spec.path("/api/projects/{project_id}/tracking", operations={"get": _op(
        "Progress, problems, stale flag, contacts and pending deadlines of a project (R11)",
        {"200": _json("Tracking", "the tracking")}, params=pid, tag=tag)})
    for suffix, method, summary, body, code in [
        ("/tracking/progress", "post", "Record progress (clears a stale flag; restarts the stale period)",
         "TrackingProgressInput", "201"),
        ("/tracking/problems", "post", "Log a problem with its owner; open 7 days it goes to the liaison leader",
         "ProblemInput", "201"),
        ("/tracking/contacts", "put", "IPB names the responsible person and the liaison leader (a position)",
         "ContactsInput", "200"),
    ]:
        spec.path(f"/api/projects/{{project_id}}{suffix}", operations={
            method: _op(summary, {code: _json("Tracking", "the tracking")}, body=body, params=pid, tag=tag)})
    spec.path("/api/projects/{project_id}/tracking/problems/{problem_id}/resolution", operations={"post": _op(
        "Record a problem's resolution (IPB, the responsible unit or the owner's unit)",
        {"200": _json("Tracking", "the tracking")}, body="ResolutionInput",
        params=pid + [{"in": "path", "name": "problem_id", "required": True, "schema": {"type": "integer"}}], tag=tag)})
    spec.path("/api/projects/{project_id}/tracking/reminders", operations={"post": _op(
        "IPB or the LG sets a follow-up reminder (a durable deadline)", {"201": _json("NotificationDeadline", "scheduled")},
        body="ReminderInput", params=pid, tag=tag)})
    spec.path("/api/tracking/stalled", operations={"get": _op(
        "Stalled projects as the county counts them (已批未落地, 签约未开工, 开工未竣工) with time in state",
        {"200": many("StalledGroup", "three groups")}, tag=tag)})
    spec.path("/api/projects/{project_id}/special-reports", operations={"post": _op(
        "File a special report to the Leading Group (unfinished review, project that cannot go ahead): a document",
        {"201": _json("SpecialReport", "in the register")}, body="ReportToLgInput", params=pid, tag=tag)})
    spec.path("/api/special-reports", operations={"get": _op(
        "The register of special reports to the Leading Group", {"200": many("SpecialReport", "reports")},
        params=[project], tag=tag)})
    spec.path("/api/special-reports/{ref}", operations={"get": _op(
        "One special report", {"200": _json("SpecialReport", "the report")}, params=[ID("ref")], tag=tag)})
    spec.path("/api/deadlines", operations={"get": _op(
        "Durable deadlines (pending; all=1 for fired and cancelled too)", {"200": many("NotificationDeadline", "deadlines")},
        params=[project, {"in": "query", "name": "all", "schema": {"type": "boolean"}}], tag=tag)})
    spec.path("/api/deadlines/check", operations={"post": _op(
        "Fire due deadlines now (the service also does it on a timer)",
        {"200": {"description": "how many deadlines fired"}}, tag=tag)})



def _web_paths(spec: APISpec) -> None:
    """The web app's pages and assets (issue #9, docs/WEBAPP.md): HTML and static files, no sign-in."""
    html = {"200": {"description": "the single page (HTML)", "content": {"text/html": {"schema": {"type": "string"}}}}}
    for path, summary in (("/", "The web app (hash routes: dashboard, ledger, leads, projects, desks)"),
                          ("/catalog", "The public catalog page (no sign-in)"),
                          ("/api/docs", "The API reference page, rendered from /api/openapi.json")):
        spec.path(path, operations={"get": {"summary": summary, "tags": ["web"], "responses": html}})
    spec.path("/api/openapi.json", operations={"get": {
        "summary": "This OpenAPI document (also rendered at /api/docs)", "tags": ["web"],
        "responses": {"200": {"description": "OpenAPI 3.0", "content": {"application/json": {"schema": {"type": "object"}}}}}}})
    spec.path("/static/{path}", operations={"get": {
        "summary": "A file of the web app (JS module, CSS, i18n JSON); nothing outside services/gateway/web/",
        "tags": ["web"],
        "parameters": [{"in": "path", "name": "path", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "the file, with its content type, ETag and Cache-Control"},
                      "304": {"description": "not modified (If-None-Match)"},
                      "404": {"description": "no such file (or outside the web folder)"}}}})


def _ledger_paths(spec: APISpec) -> None:
    """Issue #8: the ledger (R10), key projects, targets and summaries (R14), the reserve (R8), the public catalog (R9)."""
    from shared.wire.ledger import (
        FundsInputSchema, ImportInputSchema, ImportReportSchema, KeyProjectInputSchema, LedgerPageSchema,
        LedgerQuerySchema, LedgerRowSchema, RequirementsInputSchema, ResponsibilityInputSchema, TargetsInputSchema,
        TargetsSchema,
    )
    from shared.wire.reserve import (
        PublicCatalogEntrySchema, PublicCatalogPageSchema, ReserveInputSchema, ReservePageSchema, ReservePlanSchema,
        ReserveSchema, WithdrawInputSchema,
    )

    for name, schema in [("LedgerRow", LedgerRowSchema), ("LedgerPage", LedgerPageSchema),
                         ("KeyProjectInput", KeyProjectInputSchema), ("ResponsibilityInput", ResponsibilityInputSchema),
                         ("RequirementsInput", RequirementsInputSchema), ("FundsInput", FundsInputSchema),
                         ("TargetsInput", TargetsInputSchema), ("Targets", TargetsSchema),
                         ("LedgerImportInput", ImportInputSchema), ("LedgerImportReport", ImportReportSchema),
                         ("ReserveInput", ReserveInputSchema), ("Reserve", ReserveSchema),
                         ("ReservePage", ReservePageSchema), ("ReservePlan", ReservePlanSchema),
                         ("WithdrawInput", WithdrawInputSchema), ("CatalogEntry", PublicCatalogEntrySchema),
                         ("CatalogPage", PublicCatalogPageSchema)]:
        spec.components.schema(name, schema=schema)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    query = [{"in": "query", "name": name, "schema": {"type": "string"},
              "description": field.metadata.get("description", "")}
             for name, field in LedgerQuerySchema().fields.items()]
    pid = [ID("project_id")]
    tag = "ledger"
    spec.path("/api/ledger", operations={"get": _op(
        "The ledger's books (information, negotiation, contracted): filters by unit, state, sector, tier, key "
        "project, overdue; sorting; paging. A park or town sees the rows it is responsible for",
        {"200": _json("LedgerPage", "a page of rows")}, params=query, tag=tag)})
    spec.path("/api/ledger.xlsx", operations={"get": _op(
        "The three books as an Excel workbook in the county offices' layout (Chinese headings, 万元, dates)",
        {"200": {"description": "the workbook", "content": {xlsx: {"schema": {"type": "string", "format": "binary"}}}}},
        params=query, tag=tag)})
    spec.path("/api/ledger/import", operations={"post": _op(
        "Import a county's existing ledger workbook (IPB). Every row is validated; any invalid row imports nothing "
        "(422, details '<sheet>!<row>.<field>'), unless mode is partial",
        {"201": _json("LedgerImportReport", "imported")}, body="LedgerImportInput", tag=tag)})
    spec.path("/api/ledger/rebuild", operations={"post": _op(
        "Rebuild the ledger from its journal of events (IPB's director)", {"200": {"description": "rows rebuilt"}},
        tag=tag)})
    spec.path("/api/projects/{project_id}/ledger", operations={"get": _op(
        "A project's ledger row", {"200": _json("LedgerRow", "the row")}, params=pid, tag=tag)})
    spec.path("/api/projects/{project_id}/key-project", operations={"put": _op(
        "The LG designates a key project (or confirms one over the threshold) with one county-level liaison leader "
        "and a named full-time service team", {"200": _json("LedgerRow", "the row")}, body="KeyProjectInput",
        params=pid, tag=tag)})
    spec.path("/api/key-projects/mine", operations={"get": _op(
        "The acting liaison leader's own key projects", {"200": _json("LedgerPage", "the list")}, tag=tag)})
    spec.path("/api/projects/{project_id}/responsibility", operations={"put": _op(
        "IPB names the responsible leader and/or person", {"200": _json("LedgerRow", "the row")},
        body="ResponsibilityInput", params=pid, tag=tag)})
    spec.path("/api/projects/{project_id}/advancement-requirements", operations={"put": _op(
        "The next steps with due dates (IPB or the responsible unit)", {"200": _json("LedgerRow", "the row")},
        body="RequirementsInput", params=pid, tag=tag)})
    spec.path("/api/projects/{project_id}/funds-in-place", operations={"post": _op(
        "Funds actually in place (到位资金) for a contracted project (IPB or the responsible unit)",
        {"201": _json("LedgerRow", "the row")}, body="FundsInput", params=pid, tag=tag)})
    year = {"in": "path", "name": "year", "required": True, "schema": {"type": "integer"}}
    spec.path("/api/targets/{year}", operations={
        "put": _op("The LG sets the year's targets per responsible unit", {"200": _json("Targets", "targets and completion")},
                   body="TargetsInput", params=[year], tag=tag),
        "get": _op("Each unit's targets and completion, computed from the events", {"200": _json("Targets", "completion")},
                   params=[year], tag=tag)})
    spec.path("/api/summaries/{period}.{kind}", operations={"get": _op(
        "The monthly (2026-11) or quarterly (2026-Q4) summary of all units' work, as Word or Excel",
        {"200": {"description": "the document", "content": {docx: {"schema": {"type": "string", "format": "binary"}},
                                                            xlsx: {"schema": {"type": "string", "format": "binary"}}}}},
        params=[{"in": "path", "name": "period", "required": True, "schema": {"type": "string"}},
                {"in": "path", "name": "kind", "required": True, "schema": {"type": "string", "enum": ["docx", "xlsx"]}}],
        tag=tag)})
    rid = [ID("reserve_id")]
    tag = "reserve"
    spec.path("/api/reserve", operations={
        "post": _op("Enter a reserve project with its proposal or feasibility study (DRB, IPB, IND, parks, towns)",
                    {"201": _json("Reserve", "entered")}, body="ReserveInput", tag=tag),
        "get": _op("Reserve projects", {"200": _json("ReservePage", "a page")}, tag=tag, params=[
            {"in": "query", "name": "year", "schema": {"type": "integer"}},
            {"in": "query", "name": "tier", "schema": {"type": "string"}},
            {"in": "query", "name": "published", "schema": {"type": "boolean"}}] + PAGE)})
    spec.path("/api/reserve/{reserve_id}", operations={
        "get": _op("A reserve project (confidential fields included)", {"200": _json("Reserve", "it")}, params=rid, tag=tag),
        "patch": _op("Change some fields (DRB, IPB or the entering unit); the tier follows",
                     {"200": _json("Reserve", "changed")}, body="ReserveInput", params=rid, tag=tag)})
    spec.path("/api/reserve/{reserve_id}/document", operations={"get": _op(
        "The proposal or feasibility study", {"200": {"description": "the file"}}, params=rid, tag=tag)})
    spec.path("/api/reserve/{reserve_id}/publication", operations={"post": _op(
        "DRB or IPB publishes it in the public catalog", {"200": _json("Reserve", "published")}, params=rid, tag=tag)})
    spec.path("/api/reserve/{reserve_id}/withdrawal", operations={"post": _op(
        "DRB or IPB withdraws it from the public catalog, with a reason", {"200": _json("Reserve", "withdrawn")},
        body="WithdrawInput", params=rid, tag=tag)})
    spec.path("/api/reserve-plans/{year}", operations={"get": _op(
        "The year's reserve per tier against the minimum, and the shortfall", {"200": _json("ReservePlan", "the plan")},
        params=[year], tag=tag)})
    public_errors = {"404": ERRORS["404"], "422": ERRORS["422"]}
    spec.path("/api/catalog", operations={"get": {
        "summary": "The public project catalog — no sign-in. Only name, sector, location, investment scale, "
                   "cooperation mode and contact office are ever shown", "tags": ["catalog"], "security": [],
        "parameters": [{"in": "query", "name": "sector", "schema": {"type": "string"}},
                       {"in": "query", "name": "location", "schema": {"type": "string"}}] + PAGE,
        "responses": {"200": _json("CatalogPage", "published projects"), **public_errors}}})
    spec.path("/api/catalog/{ref}", operations={"get": {
        "summary": "One published project of the public catalog — no sign-in", "tags": ["catalog"], "security": [],
        "parameters": [ID("ref")], "responses": {"200": _json("CatalogEntry", "the entry"), **public_errors}}})


class SignInSessionSchema(Schema):
    token = fields.String(metadata={"description": "send as Authorization: Bearer <token>"})
    expires_at = fields.String(metadata={"format": "date-time", "description": "Asia/Shanghai"})
    user = fields.Nested(UserSchema)


def _people_paths(spec: APISpec) -> None:
    """Sign-in, sessions and users (issue #9); every other /api call carries the session's bearer token."""
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "description": "the token of POST /api/sessions"})
    spec.options["security"] = [{"bearer": []}, {}]
    for name, schema in [("User", UserSchema), ("SignIn", SignInSchema), ("SignInSession", SignInSessionSchema),
                         ("UserInput", UserInputSchema), ("UserChange", UserChangeSchema)]:
        spec.components.schema(name, schema=schema)
    tag = "people"
    sign_in = _op("Sign in with user id and password: a bearer token that expires", {"201": _json("SignInSession", "signed in")},
                  body="SignIn", tag=tag)
    sign_in["parameters"], sign_in["security"] = [], []
    spec.path("/api/sessions", operations={
        "post": sign_in,
        "delete": _op("Sign out (the token stops working)", {"200": {"description": "signed out"}}, tag=tag)})
    spec.path("/api/me", operations={"get": _op("The signed-in user", {"200": _json("User", "the user")}, tag=tag)})
    many = {"description": "users", "content": {"application/json": {"schema": {"type": "array", "items": "User"}}}}
    spec.path("/api/users", operations={
        "get": _op("Users (administrator)", {"200": many}, tag=tag),
        "post": _op("An administrator creates a user with a position and unit", {"201": _json("User", "created")},
                    body="UserInput", tag=tag)})
    spec.path("/api/users/{user_id}", operations={"put": _op(
        "An administrator changes a user (position, unit, password, active)", {"200": _json("User", "changed")},
        body="UserChange", params=[ID("user_id")], tag=tag)})
