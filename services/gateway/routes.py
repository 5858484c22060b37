"""Every route of the gateway, declared once: the handlers (``service.py``) and the OpenAPI document
(``openapi.py``, served at ``/api/openapi.json``) are made from this table.  How to write a line: ``routing.py``;
``docs/ARCHITECTURE.md`` (gateway) has a short guide.  Rules are the SPEC's (R1…R18).
"""

from __future__ import annotations

from marshmallow import Schema, fields

from services.gateway.routing import (
    ADMIN,
    DOCX,
    PDF,
    PUBLIC,
    XLSX,
    DELETE,
    GET,
    PATCH,
    POST,
    PUT,
    document,
    many,
    one,
    other,
    page,
    says,
    section,
)
from shared.wire.accounting import (
    AccountingSchema,
    ActualFaiInputSchema,
    LandUsedInputSchema,
    OpenInputSchema,
    RecoveryInputSchema,
    ReportInputSchema,
    WriteOffInputSchema,
)
from shared.wire.calendar import HolidayYearInputSchema
from shared.wire.contracts import (
    ContractSchema,
    CopiesInputSchema,
    CustodianInputSchema,
    GrantInputSchema,
    LegalReviewInputSchema,
    ProgressInputSchema,
    ReadInputSchema,
    SignInputSchema,
    SpecialReportInputSchema,
    SubmitInputSchema,
    TermsSchema,
)
from shared.wire.coordinator import ProjectSchema, ProjectSummarySchema, TerminateInputSchema
from shared.wire.intake import FileInputSchema, LeadInputSchema, LeadSchema, SectorQuerySchema, SectorSchema
from shared.wire.ledger import (
    FundsInputSchema,
    ImportInputSchema,
    ImportReportSchema,
    KeyProjectInputSchema,
    LedgerPageSchema,
    LedgerQuerySchema,
    LedgerRowSchema,
    RequirementsInputSchema,
    ResponsibilityInputSchema,
    TargetsInputSchema,
    TargetsSchema,
)
from shared.wire.negotiation import (
    AssignInputSchema,
    CandidateSchema,
    ClauseSchema,
    DecisionInputSchema,
    IntermediaryInputSchema,
    NegotiationSchema,
    RecommendInputSchema,
    RenegotiateInputSchema,
    RouteSchema,
    SessionInputSchema,
)
from shared.wire.benefit import (
    BenefitCardSchema,
    BenefitEvaluationSchema,
    ForecastInputSchema,
    ForecastSchema,
    OutcomePageSchema,
)
from shared.wire.figures import (
    EnterprisePageSchema,
    EnterpriseSchema,
    FigureImportSchema,
    FigureInputSchema,
    FiguresUploadSchema,
)
from shared.wire.notifications import ChannelSchema, ChannelSettingsInputSchema, DeliverySchema, InboxSchema
from shared.wire.supervision import (
    CheckFigureInputSchema,
    ContactsInputSchema,
    DamagesActInputSchema,
    DamagesReductionInputSchema,
    DeadlineSchema,
    ProblemInputSchema,
    RecheckInputSchema,
    ReminderInputSchema,
    ResolutionInputSchema,
    SpecialReportSchema,
    StalledGroupSchema,
    StandardLandSchema,
    TrackingSchema,
)
from shared.wire.supervision import ProgressInputSchema as TrackingProgressInputSchema
from shared.wire.supervision import SpecialReportInputSchema as ReportToLgInputSchema
from shared.wire.supervision import UploadSchema as ReportUploadSchema
from shared.wire.people import PasswordChangeSchema, SignInSchema, UserChangeSchema, UserInputSchema, UserSchema
from shared.wire.reserve import (
    PublicCatalogEntrySchema,
    PublicCatalogPageSchema,
    PublicCatalogQuerySchema,
    ReserveInputSchema,
    ReservePageSchema,
    ReservePlanSchema,
    ReserveSchema,
    WithdrawInputSchema,
)
from shared.wire.landreserve import (
    MatchQuerySchema,
    ParcelImportSchema,
    ParcelMatchSchema,
    ParcelPageSchema,
    ParcelSchema,
    StatusInputSchema,
    WorkbookInputSchema,
)
from shared.wire.leadership import (
    AppointmentInputSchema,
    CancelInputSchema,
    EffectivenessSchema,
    EventPageSchema,
    EventPlanInputSchema,
    EventRecordInputSchema,
    EventSchema,
    HolderSchema,
    LinkInputSchema,
    MaterialInputSchema,
    RosterEntrySchema,
    RosterImportSchema,
    RosterSchema,
)
from shared.wire.workbench import (
    AttachmentInputSchema,
    AttachmentSchema,
    AttachmentsSchema,
    SearchQuerySchema,
    SearchResultSchema,
    WorkbenchSchema,
)
from shared.wire.review import (
    ConveneInputSchema,
    OpinionInputSchema,
    QueueItemSchema,
    ResubmitInputSchema,
    ReturnInputSchema,
    ReviewSchema,
)


# -- answers only the gateway shapes -------------------------------------------------------------------------------
class LeadPageSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(LeadSchema))


class ProjectPageSchema(Schema):
    total = fields.Integer()
    items = fields.List(fields.Nested(ProjectSummarySchema))
    by_state = fields.Dict(keys=fields.String(), values=fields.Integer())


class SignInSessionSchema(Schema):
    token = fields.String(metadata={"description": "send as Authorization: Bearer <token>"})
    expires_at = fields.String(metadata={"format": "date-time", "description": "Asia/Shanghai"})
    user = fields.Nested(UserSchema)


# The OpenAPI name of a schema is its class name without "Schema", except where two services' classes share a name
# or the county's word is clearer.
NAMES = {
    RouteSchema: "DecisionRoute",
    OpenInputSchema: "OpenAccountingInput",
    DeadlineSchema: "NotificationDeadline",
    TrackingProgressInputSchema: "TrackingProgressInput",
    ReportToLgInputSchema: "ReportToLgInput",
    ReportUploadSchema: "ReportUpload",
    ImportInputSchema: "LedgerImportInput",
    ImportReportSchema: "LedgerImportReport",
    PublicCatalogEntrySchema: "CatalogEntry",
    PublicCatalogPageSchema: "CatalogPage",
    SignInSchema: "SignIn",
    WorkbookInputSchema: "WorkbookUpload",
    CancelInputSchema: "EventCancelInput",
    StatusInputSchema: "ParcelStatusInput",
    LinkInputSchema: "EventLeadsInput",
    MaterialInputSchema: "EventMaterialInput",
    MatchQuerySchema: "ParcelMatchQuery",
}

P = "/api/projects/<project_id>"
ACCOUNTING = P + "/accounting"
TRACKING = P + "/tracking"
CONTRACT = P + "/contract"

ROUTES = [
    *section(
        "people",  # sign-in and users; every other /api call carries the session's bearer token
        POST(
            "/api/sessions",
            handler="sign_in",
            who=PUBLIC,
            body=SignInSchema,
            ok=201,
            out=one(SignInSessionSchema, "signed in"),
            errors=(401, 403, 404, 409, 422),
            also={429: "too many failed sign-ins for this user id or from this address: wait Retry-After seconds"},
            summary="Sign in with user id and password: a bearer token that expires (throttled, docs/SECURITY.md)",
        ),
        DELETE(
            "/api/sessions", handler="sign_out", out=says("signed out"), summary="Sign out (the token stops working)"
        ),
        GET("/api/me", handler="me", out=one(UserSchema, "the user"), summary="The signed-in user"),
        GET(
            "/api/users",
            handler="list_users",
            who=ADMIN,
            out=many(UserSchema, "users"),
            summary="Users (administrator)",
        ),
        POST(
            "/api/users",
            handler="create_user",
            who=ADMIN,
            body=UserInputSchema,
            ok=201,
            out=one(UserSchema, "created"),
            summary="An administrator creates a user with a position and unit",
        ),
        PUT(
            "/api/users/<user_id>",
            handler="change_user",
            who=ADMIN,
            body=UserChangeSchema,
            out=one(UserSchema, "changed"),
            summary="An administrator changes a user (position, unit, password, active); a change of the password, "
            "position, unit, administrator's right or activity ends the user's sessions",
        ),
        PUT(
            "/api/me/password",
            handler="change_own_password",
            body=PasswordChangeSchema,
            out=one(UserSchema, "changed"),
            also={429: "too many wrong current passwords: wait Retry-After seconds"},
            summary="The signed-in user changes her password (her current one first); her other sessions end",
        ),
        POST(
            "/api/users/<user_id>/unlock",
            handler="unlock_user",
            who=ADMIN,
            out=says("unlocked"),
            summary="An administrator lifts a user id's sign-in lock (its failures forgotten)",
        ),
        GET(
            "/api/sign-in-locks",
            handler="sign_in_locks",
            who=ADMIN,
            out=says("the locks"),
            summary="The user ids and addresses locked now after failed sign-ins (administrator)",
        ),
        GET(
            "/api/audit/people",
            handler="people_audit",
            out=says("entries, newest first"),
            summary="The audit trail of user administration and sign-in (the Audit Bureau)",
        ),
    ),
    *section(
        "ops",
        GET("/health", handler="health", who=PUBLIC, out=says("ok"), summary="Gateway health"),
        GET(
            "/api/health",
            handler="health_all",
            who=PUBLIC,
            out=says("all up"),
            also={503: "some down"},
            summary="Health of every service over the bus",
        ),
    ),
    *section(
        "web",  # the web app's pages and assets (docs/WEBAPP.md): no sign-in
        GET(
            "/",
            handler="web_index",
            who=PUBLIC,
            out=page("the single page (HTML)"),
            summary="The web app (hash routes: dashboard, ledger, leads, projects, desks)",
        ),
        GET(
            "/catalog",
            handler="web_catalog",
            who=PUBLIC,
            out=page("the single page (HTML)"),
            summary="The public catalog page (no sign-in)",
        ),
        GET(
            "/api/docs",
            handler="web_api_docs",
            who=PUBLIC,
            out=page("the single page (HTML)"),
            summary="The API reference page, rendered from /api/openapi.json",
        ),
        GET(
            "/api/openapi.json",
            handler="openapi",
            who=PUBLIC,
            out=says("OpenAPI 3.0"),
            summary="This OpenAPI document (also rendered at /api/docs)",
        ),
        GET(
            "/static/<path:path>",
            handler="web_static",
            who=PUBLIC,
            out=other("the file, with its content type, ETag and Cache-Control"),
            also={304: "not modified (If-None-Match)", 404: "no such file (or outside the web folder)"},
            summary="A file of the web app (JS module, CSS, i18n JSON); nothing outside services/gateway/web/",
        ),
    ),
    *section(
        "intake",  # leads and filing (R1)
        POST(
            "/api/leads",
            "intake.register_lead(actor, body)",
            body=LeadInputSchema,
            ok=201,
            out=one(LeadSchema, "registered"),
            summary="Register a lead (R1)",
        ),
        GET(
            "/api/leads",
            "intake.list_leads(actor, query.status, **page)",
            out=one(LeadPageSchema, "a page of leads"),
            enum={"status": ("lead", "filed", "closed")},
            summary="List leads",
        ),
        GET(
            "/api/leads/<lead_id>",
            "intake.get_lead(actor, lead_id)",
            out=one(LeadSchema, "the lead"),
            summary="Read a lead",
        ),
        POST(
            "/api/leads/<lead_id>/file",
            "intake.file_project(actor, lead_id, body)",
            body=FileInputSchema,
            out=one(LeadSchema, "filed"),
            summary="File a lead (IPB only, R1)",
        ),
        GET(
            "/api/sectors",
            "intake.sectors(query)",
            who=PUBLIC,
            query_schema=SectorQuerySchema,
            out=many(SectorSchema, "matching sectors, a class before its group"),
            summary="Search the GB/T 4754-2017 classification by code prefix or name (?q=铝, ?q=C325) — no sign-in",
        ),
    ),
    *section(
        "projects",  # the lifecycle (coordinator)
        GET(
            "/api/projects",
            "coordinator.list_projects(actor, query.state, **page)",
            out=one(ProjectPageSchema, "a page of projects"),
            summary="List projects with counts by state",
        ),
        GET(
            P,
            "coordinator.get_project(actor, project_id)",
            out=one(ProjectSchema, "the project"),
            summary="A project with its lifecycle timeline",
        ),
        POST(
            P + "/terminate",
            "coordinator.terminate_project(actor, project_id, body)",
            body=TerminateInputSchema,
            out=one(ProjectSchema, "terminated"),
            summary="Terminate for objective reasons with a special report (R11)",
        ),
        GET(
            "/api/lifecycle",
            "coordinator.lifecycle()",
            who=PUBLIC,
            out=says("transitions"),
            summary="The lifecycle transition table",
        ),
    ),
    *section(
        "review",  # the joint review (R2)
        POST(
            P + "/review",
            "review.convene(actor, project_id, body)",
            body=ConveneInputSchema,
            ok=201,
            out=one(ReviewSchema, "convened"),
            name="convene_review",
            summary="Convene the joint review of a filed project (IPB, R2)",
        ),
        GET(
            P + "/review",
            "review.get_review(actor, project_id)",
            out=one(ReviewSchema, "the review"),
            summary="The review: required units, check findings, opinions, returns, outcome",
        ),
        POST(
            P + "/review/opinions",
            "review.record_opinion(actor, project_id, body)",
            body=OpinionInputSchema,
            ok=201,
            out=one(ReviewSchema, "recorded"),
            summary="Record the acting reviewer's own unit's opinion (once per round)",
        ),
        POST(
            P + "/review/returns",
            "review.record_return(actor, project_id, body)",
            body=ReturnInputSchema,
            ok=201,
            out=one(ReviewSchema, "returned"),
            summary="IPB records a unit's return for more information",
        ),
        POST(
            P + "/review/resubmission",
            "review.resubmit(actor, project_id, body)",
            body=ResubmitInputSchema,
            out=one(ReviewSchema, "resubmitted"),
            summary="IPB records the investor's resubmission (a new round)",
        ),
        GET(
            "/api/review/queue",
            "review.queue(actor)",
            out=many(QueueItemSchema, "queue"),
            name="review_queue",
            summary="The acting unit's review desk: reviews awaiting its opinion",
        ),
    ),
    *section(
        "negotiation",  # responsible unit (R3), sessions (R4), the decision route (R5)
        GET(
            P + "/negotiation",
            "negotiation.get_negotiation(actor, project_id)",
            out=one(NegotiationSchema, "the negotiation"),
            summary="Intermediary, responsible unit, sessions, decision route and decisions",
        ),
        POST(
            P + "/intermediary",
            "negotiation.record_intermediary(actor, project_id, body)",
            body=IntermediaryInputSchema,
            out=one(NegotiationSchema, "recorded"),
            summary="IPB records the investor's intermediary, or none (R3)",
        ),
        GET(
            P + "/responsible-unit/ranking",
            "negotiation.ranking(actor, project_id)",
            out=many(CandidateSchema, "ranking"),
            summary="The ranked parks (or towns) with reasons (R3)",
        ),
        POST(
            P + "/responsible-unit",
            "negotiation.assign_unit(actor, project_id, body)",
            body=AssignInputSchema,
            out=one(NegotiationSchema, "handed over"),
            summary="IPB confirms the responsible unit, or picks another with a reason (R3); refused where the "
            "project fails that unit's location checks, a park that did not review it gives its opinion first",
        ),
        POST(
            P + "/negotiation/sessions",
            "negotiation.log_session(actor, project_id, body)",
            body=SessionInputSchema,
            ok=201,
            out=one(NegotiationSchema, "logged"),
            summary="Log a negotiation session; refused if the lead, IPB or (final stage) LEGAL is missing (R4); "
            "one that changes a decided term sends the project back to negotiation (R5)",
        ),
        POST(
            P + "/negotiation/renegotiation",
            "negotiation.renegotiate(actor, project_id, body)",
            body=RenegotiateInputSchema,
            out=one(NegotiationSchema, "negotiating again"),
            summary="IPB takes a refused project back to negotiation, for a new decision (R5)",
        ),
        GET(
            "/api/policy/incentives",
            "negotiation.incentive_catalogue(actor)",
            out=many(ClauseSchema, "the catalogue"),
            summary="The county's preferential-policy clauses, each with its current-policy limit "
            "(policy/incentives.yaml)",
        ),
        GET(
            P + "/decision-route",
            "negotiation.route(actor, project_id)",
            out=one(RouteSchema, "the route"),
            name="decision_route",
            summary="The decision route of the 60-mu rule, computed from the data, with its reasons (R5)",
        ),
        POST(
            P + "/decision-route/recommendation",
            "negotiation.recommend(actor, project_id, body)",
            body=RecommendInputSchema,
            out=one(NegotiationSchema, "escalated"),
            summary="The recommending position sends the project to the principals (escalated route)",
        ),
        POST(
            P + "/decision-route/decisions",
            "negotiation.decide(actor, project_id, body)",
            body=DecisionInputSchema,
            ok=201,
            out=one(NegotiationSchema, "decided"),
            summary="A decision — agree or refuse, with reasons — by a position the route names, once LEGAL took part "
            "in a final-stage session (R4, R5)",
        ),
        GET(
            "/api/decisions/awaiting",
            "negotiation.decisions_awaiting(actor)",
            out=says("awaiting"),
            summary="A leader's desk: decisions the route names the acting position for",
        ),
    ),
    *section(
        "contracts",  # drafts, signing, copies and custody, reading (R6, R7, R13)
        GET(
            CONTRACT,
            "contracts.get_contract(actor, project_id)",
            out=one(ContractSchema, "the contract"),
            summary="The contract's record: versions, obligations, copy register (not its text)",
        ),
        POST(
            CONTRACT + "/versions",
            "contracts.draft(actor, project_id, body)",
            body=TermsSchema,
            ok=201,
            out=one(ContractSchema, "the contract"),
            name="draft_contract",
            summary="IPB drafts the next version from the decided terms and the dates, obligations and other terms "
            "it adds (a Word document)",
        ),
        POST(
            CONTRACT + "/submission",
            "contracts.submit(actor, project_id, body)",
            body=SubmitInputSchema,
            out=one(ContractSchema, "the contract"),
            name="submit_contract",
            summary="IPB submits the latest draft to LEGAL",
        ),
        POST(
            CONTRACT + "/legal-review",
            "contracts.legal_review(actor, project_id, body)",
            body=LegalReviewInputSchema,
            out=one(ContractSchema, "the contract"),
            summary="LEGAL approves or returns a submitted version",
        ),
        POST(
            CONTRACT + "/signature",
            "contracts.sign(actor, project_id, body)",
            body=SignInputSchema,
            out=one(ContractSchema, "the contract"),
            name="sign_contract",
            summary="The signatory the decision route names signs the approved version",
        ),
        POST(
            CONTRACT + "/copies",
            "contracts.register_copies(actor, project_id, body)",
            body=CopiesInputSchema,
            out=one(ContractSchema, "the contract"),
            summary="IPB files at least 8 numbered copies held by the required units (R13)",
        ),
        POST(
            CONTRACT + "/hand-over",
            "contracts.hand_over(actor, project_id)",
            out=one(ContractSchema, "the contract"),
            summary="IPB hands the filed contract to the park or town (R7)",
        ),
        POST(
            CONTRACT + "/archives",
            "contracts.hand_to_archives(actor, project_id, body)",
            out=one(ContractSchema, "the contract"),
            summary="IPB hands the contract of a closed project to ARCH (R13)",
        ),
        POST(
            CONTRACT + "/grants",
            "contracts.grant_access(actor, project_id, body)",
            body=GrantInputSchema,
            ok=201,
            out=says("granted"),
            summary="A leader grants a named user reading of the contract until a time",
        ),
        POST(
            CONTRACT + "/reading",
            "contracts.read_contract(actor, project_id, body)",
            body=ReadInputSchema,
            out=says("the text as a base64 .docx, with the terms"),
            summary="Read the signed contract (custodian or grantee); every try is audited",
        ),
        POST(
            CONTRACT + "/versions/<int:version>/reading",
            "contracts.read_draft(actor, project_id, version, body)",
            body=ReadInputSchema,
            out=says("the draft"),
            summary="Read a draft (IPB, LEGAL); audited",
        ),
        GET(
            CONTRACT + "/audit",
            "contracts.audit_entries(actor, project_id)",
            out=says("entries"),
            name="contract_audit",
            summary="The contract's audit trail entries",
        ),
        POST(
            P + "/obligations/<key>/progress",
            "contracts.record_progress(actor, project_id, key, body)",
            body=ProgressInputSchema,
            ok=201,
            out=one(ContractSchema, "recorded"),
            summary="The settling park or town records progress on an obligation (R7)",
        ),
        POST(
            P + "/obligations/<key>/special-report",
            "contracts.file_special_report(actor, project_id, key, body)",
            body=SpecialReportInputSchema,
            ok=201,
            out=one(ContractSchema, "filed"),
            summary="File the special report to the LG on a lapsed obligation (a document)",
        ),
        POST(
            "/api/contracts/check-obligations",
            '{"changed": contracts.check_obligations_now(actor)}',
            out=says("how many obligations changed"),
            name="check_obligations",
            summary="Check obligations against their dates now (the service also does it on a timer)",
        ),
        GET(
            "/api/custodians",
            "contracts.custodians(actor)",
            out=says("custodians"),
            summary="Units' contract custodians and cabinets",
        ),
        PUT(
            "/api/custodians/<unit>",
            "contracts.designate_custodian(actor, unit, body)",
            body=CustodianInputSchema,
            out=says("designated"),
            summary="A unit's head designates its custodian and cabinet",
        ),
    ),
    *section(
        "accounting",  # investment accounting (R12)
        GET(
            ACCOUNTING,
            "accounting.get_accounting(actor, project_id)",
            out=one(AccountingSchema, "the accounting"),
            summary="The accounting: participants, figures with formulas, report, the one receivable",
        ),
        POST(
            ACCOUNTING,
            "accounting.open_accounting(actor, project_id, body)",
            body=OpenInputSchema,
            ok=201,
            out=one(AccountingSchema, "opened"),
            summary="IPB opens the accounting (it also opens when the construction period ends)",
        ),
        PUT(
            ACCOUNTING + "/actual-fai",
            "accounting.record_actual_fai(actor, project_id, body)",
            body=ActualFaiInputSchema,
            out=one(AccountingSchema, "recorded"),
            summary="AUDIT enters the audited actual fixed-asset investment",
        ),
        PUT(
            ACCOUNTING + "/land-used",
            "accounting.record_land_used(actor, project_id, body)",
            body=LandUsedInputSchema,
            out=one(AccountingSchema, "recorded"),
            summary="LAND enters the land actually used (mu, m² or ha)",
        ),
        POST(
            ACCOUNTING + "/report",
            "accounting.issue_report(actor, project_id, body)",
            body=ReportInputSchema,
            ok=201,
            out=one(AccountingSchema, "issued"),
            name="issue_accounting_report",
            summary="IPB issues the written report (Word and PDF)",
        ),
        GET(
            ACCOUNTING + "/report.<kind>",
            "accounting.report_document(actor, project_id, kind)",
            enum={"kind": ("docx", "pdf")},
            out=document("the report", DOCX, PDF),
            name="accounting_report_file",
            summary="Download the report (docx or pdf)",
        ),
        POST(
            ACCOUNTING + "/recovery",
            "accounting.record_recovery(actor, project_id, body)",
            body=RecoveryInputSchema,
            ok=201,
            out=one(AccountingSchema, "recorded"),
            summary="FIN, LAND or LEGAL records a payment against the one fee (partial payments add up; more than "
            "is outstanding is refused) or an act without money; the payment that settles it closes the "
            "accounting (R12)",
        ),
        POST(
            ACCOUNTING + "/write-off",
            "accounting.write_off(actor, project_id, body)",
            body=WriteOffInputSchema,
            ok=201,
            out=one(AccountingSchema, "decided"),
            summary="A principal agrees or refuses, with a reason, to write off what is outstanding; written off "
            "(and the accounting closed) when every principal agrees (R12)",
        ),
    ),
    *section(
        "notifications",  # the inbox, the delivery log, the channels
        GET(
            "/api/inbox",
            "notifications.inbox(actor, flag.unread, page.limit)",
            notes={"unread": "only unread"},
            out=one(InboxSchema, "unread count and items"),
            summary="The acting person's inbox: addressed to their user id, position or unit, newest first",
        ),
        POST(
            "/api/inbox/<int:notification_id>/read",
            "notifications.mark_read(actor, notification_id)",
            out=one(InboxSchema, "the unread items left"),
            summary="Mark a notification read (for the acting user)",
        ),
        GET(
            "/api/notifications/deliveries",
            "notifications.deliveries(actor, query.project_id, page.limit)",
            out=many(DeliverySchema, "deliveries"),
            summary="The delivery log: each notification's channels, status and every attempt (IPB)",
        ),
        GET(
            "/api/notifications/channels",
            "notifications.channels_settings(actor)",
            out=many(ChannelSchema, "channels"),
            name="channels",
            summary="The channels, their effective settings (secrets masked) and whether they are ready (ipb_admin)",
        ),
        PUT(
            "/api/notifications/channels/<channel>",
            "notifications.configure_channel(actor, channel, body)",
            body=ChannelSettingsInputSchema,
            out=one(ChannelSchema, "the channel"),
            summary="IPB's administrator sets a channel's settings at run time (over config/zhaoshang.yaml)",
        ),
    ),
    *section(
        "supervision",  # tracking, its deadlines, the special-report register (R7, R11)
        GET(
            TRACKING,
            "supervision.tracking(actor, project_id)",
            out=one(TrackingSchema, "the tracking"),
            summary="Progress, problems, stale flag, contacts and pending deadlines of a project (R11)",
        ),
        POST(
            TRACKING + "/progress",
            "supervision.record_progress(actor, project_id, body)",
            body=TrackingProgressInputSchema,
            ok=201,
            out=one(TrackingSchema, "the tracking"),
            name="tracking_progress",
            summary="Record progress (clears a stale flag; restarts the stale period)",
        ),
        POST(
            TRACKING + "/problems",
            "supervision.raise_problem(actor, project_id, body)",
            body=ProblemInputSchema,
            ok=201,
            out=one(TrackingSchema, "the tracking"),
            summary="Log a problem with its owner; open 7 days it goes to the liaison leader",
        ),
        POST(
            TRACKING + "/problems/<int:problem_id>/resolution",
            "supervision.resolve_problem(actor, project_id, problem_id, body)",
            body=ResolutionInputSchema,
            out=one(TrackingSchema, "the tracking"),
            summary="Record a problem's resolution (IPB, the responsible unit or the owner's unit)",
        ),
        PUT(
            TRACKING + "/contacts",
            "supervision.set_contacts(actor, project_id, body)",
            body=ContactsInputSchema,
            out=one(TrackingSchema, "the tracking"),
            name="tracking_contacts",
            summary="IPB names the responsible person and the liaison leader (a position)",
        ),
        POST(
            TRACKING + "/reminders",
            "supervision.schedule_reminder(actor, project_id, body)",
            body=ReminderInputSchema,
            ok=201,
            out=one(DeadlineSchema, "scheduled"),
            summary="IPB or the LG sets a follow-up reminder (a durable deadline)",
        ),
        GET(
            "/api/tracking/stalled",
            "supervision.stalled(actor)",
            out=many(StalledGroupSchema, "three groups"),
            summary="Stalled projects as the county counts them (已批未落地, 签约未开工, 开工未竣工) "
            "with time in state",
        ),
        POST(
            P + "/special-reports",
            "supervision.file_special_report(actor, project_id, body)",
            body=ReportToLgInputSchema,
            ok=201,
            out=one(SpecialReportSchema, "in the register"),
            name="file_special_report_to_lg",
            summary="File a special report to the Leading Group (unfinished review, project that cannot go ahead): "
            "a document",
        ),
        GET(
            "/api/special-reports",
            "supervision.special_reports(actor, query.project_id)",
            out=many(SpecialReportSchema, "reports"),
            summary="The register of special reports to the Leading Group",
        ),
        GET(
            "/api/special-reports/<ref>",
            "supervision.special_report(actor, ref)",
            out=one(SpecialReportSchema, "the report"),
            summary="One special report",
        ),
        GET(
            P + "/standard-land",
            "supervision.standard_land(actor, project_id)",
            out=one(StandardLandSchema, "commitments, checks, figures, rectifications, damages"),
            summary="Standard land (R17): the contract's commitments, their checks with each indicator's actual value "
            "and formula, the figures entered, rectifications and damages",
        ),
        GET(
            P + "/standard-land/floors",
            "supervision.standard_land_floors(actor, project_id)",
            out=says("each indicator with its unit, direction, stage, floor and damages clause"),
            summary="What current policy sets for the project's park or town and sector (shown at drafting)",
        ),
        POST(
            P + "/standard-land/figures",
            "supervision.record_figure(actor, project_id, body)",
            body=CheckFigureInputSchema,
            ok=201,
            out=one(StandardLandSchema, "standard land"),
            summary="The unit that owns a figure enters it by hand, with its source (kept; a check awaiting it runs)",
        ),
        POST(
            P + "/standard-land/rectifications/<int:rectification_id>/recheck",
            "supervision.request_recheck(actor, project_id, rectification_id, body)",
            body=RecheckInputSchema,
            out=one(StandardLandSchema, "standard land"),
            summary="The enterprise reports its rectification done: the indicator is checked again at once; still "
            "short, the damages clause applies",
        ),
        POST(
            P + "/standard-land/damages/<int:damages_id>/payments",
            "supervision.record_damages_payment(actor, project_id, damages_id, body)",
            body=DamagesActInputSchema,
            ok=201,
            out=one(StandardLandSchema, "standard land"),
            summary="FIN, LAND or LEGAL record a payment of damages (one receivable; a voucher once)",
        ),
        POST(
            P + "/standard-land/damages/<int:damages_id>/reductions",
            "supervision.reduce_damages(actor, project_id, damages_id, body)",
            body=DamagesReductionInputSchema,
            ok=201,
            out=one(StandardLandSchema, "standard land"),
            summary="A principal agrees (proposing the amount) or refuses to reduce damages, with a reason: reduced "
            "when every principal agrees; a refusal ends the round",
        ),
        GET(
            "/api/deadlines",
            "supervision.deadlines(actor, query.project_id, not flag.all)",
            out=many(DeadlineSchema, "deadlines"),
            summary="Durable deadlines (pending; all=1 for fired and cancelled too)",
        ),
        POST(
            "/api/deadlines/check",
            '{"fired": supervision.fire_due_now(actor)}',
            out=says("how many deadlines fired"),
            name="check_deadlines",
            summary="Fire due deadlines now (the service also does it on a timer)",
        ),
        PUT(
            "/api/holidays/<int:year>",
            handler="load_holidays",
            body=HolidayYearInputSchema,
            out=says("year, loaded_in, moved (service, project, what, from, to, provisional)"),
            summary="An administrator loads a year's official holiday schedule (R16): the days off on weekdays and "
            "the make-up working days on weekends; every provisional deadline is counted again and the answer "
            "lists each that moved",
        ),
        GET(
            "/api/outlook",
            handler="outlook",
            types={"as_of": "string"},
            notes={"as_of": "the date, YYYY-MM-DD"},
            out=says("as_of, would_lapse, reports_due, deadlines, dry_run"),
            summary="An administrator's dry run as of a date: the obligations that would lapse (with their reports' "
            "due dates), the special reports that would fall due or be late, the deadlines that would fire "
            "— nothing is changed",
        ),
    ),
    *section(
        "enterprise_data",  # the enterprise data store (R17): yearly figures per enterprise, by credit code and year
        POST(
            "/api/enterprise-figures/import",
            "supervision.import_figures(actor, body)",
            body=FiguresUploadSchema,
            ok=201,
            out=one(FigureImportSchema, "imported"),
            summary="A unit imports its yearly figures of enterprises (.xlsx or .csv): tax from FIN, energy and "
            "electricity from DRB, output from IND, land from LAND; every row checked (credit code, year, "
            "unit, plausible range); any bad row imports nothing (422, details '<sheet>!<row>.<column>')",
        ),
        POST(
            "/api/enterprises/import",
            "supervision.import_enterprises(actor, body)",
            body=FiguresUploadSchema,
            ok=201,
            out=one(FigureImportSchema, "imported"),
            name="import_enterprise_register",
            summary="IPB or IND imports the register of enterprises (name, park or town, sector, year production "
            "started); any bad row imports nothing",
        ),
        GET(
            "/api/enterprises",
            "supervision.enterprises(actor, query.year, query.location, **page)",
            types={"year": "integer"},
            notes={"year": "the year whose figures each row shows", "location": "a park or town (PARK:hengdong)"},
            out=one(EnterprisePageSchema, "a page"),
            summary="The enterprises of the data store with a year's figures",
        ),
        GET(
            "/api/enterprises/<credit_code>",
            "supervision.enterprise(actor, credit_code)",
            out=one(EnterpriseSchema, "the enterprise"),
            summary="An enterprise: register facts, figures by year and the audit of every change",
        ),
        PUT(
            "/api/enterprises/<credit_code>/figures/<int:year>/<kind>",
            "supervision.enter_figure(actor, credit_code, year, kind, body)",
            body=FigureInputSchema,
            enum={"kind": ("tax", "output", "energy", "electricity", "land")},
            out=one(EnterpriseSchema, "the enterprise"),
            summary="The unit that owns a kind of figure enters one by hand, with a reason (audited)",
        ),
        GET(
            "/api/figure-imports",
            "supervision.figure_imports(actor)",
            out=many(FigureImportSchema, "imports"),
            summary="The latest imports: file, checksum, kinds, rows, who and when",
        ),
        POST(
            "/api/benefit-evaluations/<int:year>",
            "supervision.evaluate_benefit(actor, year)",
            ok=201,
            out=one(BenefitEvaluationSchema, "evaluated"),
            name="run_benefit_evaluation",
            summary="IPB runs a past year's per-mu benefit evaluation (亩均效益综合评价) over the data store: scores, "
            "ranks, grades A/B/C/D and class T (run again, it replaces the year's results); each graded "
            "investor's grade reaches its project's ledger row. Answers the counts and the first 100 "
            "results (total: all of them)",
        ),
        GET(
            "/api/benefit-evaluations/<int:year>",
            "supervision.benefit_evaluation(actor, year, query.grade, query.location, query.limit, query.offset)",
            enum={"grade": ("A", "B", "C", "D", "T")},
            types={"limit": "integer", "offset": "integer"},
            notes={"location": "a park or town (PARK:hengdong)"},
            out=one(BenefitEvaluationSchema, "the results"),
            summary="The year's results: counts per grade and per park or town, and the enterprises (of a grade, a "
            "park or town) in rank order",
        ),
        GET(
            "/api/benefit-evaluations/<int:year>/document.<kind>",
            "supervision.benefit_document(actor, year, kind)",
            enum={"kind": ("xlsx", "docx", "pdf")},
            out=document("the workbook or the notice", XLSX, DOCX, PDF),
            summary="The results as an Excel workbook (every enterprise, a sheet per grade, per park or town), or the "
            "notice publishing them as a 公文 (Word or PDF, numbered once)",
        ),
        GET(
            "/api/enterprises/<credit_code>/benefit",
            "supervision.benefit_card(actor, credit_code, query.year)",
            types={"year": "integer"},
            notes={"year": "the latest evaluated by default"},
            out=one(BenefitCardSchema, "the card"),
            summary="An enterprise's card: its indicators against the year's baselines, scores, total, rank, grade "
            "and the grades of every year evaluated",
        ),
        POST(
            "/api/benefit-forecast",
            "supervision.benefit_forecast(actor, body)",
            body=ForecastInputSchema,
            out=one(ForecastSchema, "the forecast"),
            summary="A project's forecast grade: its planned yearly tax, output, energy and land against this "
            "year's baselines, ranked among the latest evaluation's graded enterprises",
        ),
    ),
    *section(
        "ledger",  # the ledger (R10), key projects, targets and summaries (R14)
        GET(
            "/api/ledger",
            "coordinator.ledger(actor, query)",
            query_schema=LedgerQuerySchema,
            out=one(LedgerPageSchema, "a page of rows"),
            summary="The ledger's books (information, negotiation, contracted): filters by unit, state, sector, tier, "
            "key project, overdue; sorting; paging. A park or town sees the rows it is responsible for",
        ),
        GET(
            "/api/ledger.xlsx",
            "coordinator.ledger_workbook(actor, query)",
            query_schema=LedgerQuerySchema,
            out=document("the workbook", XLSX),
            summary="The three books as an Excel workbook in the county offices' layout "
            "(Chinese headings, 万元, dates)",
        ),
        POST(
            "/api/ledger/import",
            "coordinator.import_ledger(actor, body)",
            body=ImportInputSchema,
            ok=201,
            out=one(ImportReportSchema, "imported"),
            summary="Import a county's existing ledger workbook (IPB). Every row is validated; any invalid row "
            "imports nothing (422, details '<sheet>!<row>.<field>'), unless mode is partial",
        ),
        POST(
            "/api/ledger/rebuild",
            "coordinator.rebuild_ledger(actor)",
            out=says("rows rebuilt"),
            summary="Rebuild the ledger from its journal of events (IPB's director)",
        ),
        GET(
            P + "/ledger",
            "coordinator.ledger_row(actor, project_id)",
            out=one(LedgerRowSchema, "the row"),
            summary="A project's ledger row",
        ),
        PUT(
            P + "/key-project",
            "coordinator.set_key_project(actor, project_id, body)",
            body=KeyProjectInputSchema,
            out=one(LedgerRowSchema, "the row"),
            summary="The LG designates a key project (or confirms one over the threshold) with one county-level "
            "liaison leader and a named full-time service team",
        ),
        GET(
            "/api/key-projects/mine",
            "coordinator.key_projects_of(actor)",
            out=one(LedgerPageSchema, "the list"),
            name="my_key_projects",
            summary="The acting liaison leader's own key projects",
        ),
        PUT(
            P + "/responsibility",
            "coordinator.assign_responsibility(actor, project_id, body)",
            body=ResponsibilityInputSchema,
            out=one(LedgerRowSchema, "the row"),
            summary="IPB names the responsible leader and/or person",
        ),
        PUT(
            P + "/advancement-requirements",
            "coordinator.set_requirements(actor, project_id, body)",
            body=RequirementsInputSchema,
            out=one(LedgerRowSchema, "the row"),
            summary="The next steps with due dates (IPB or the responsible unit)",
        ),
        POST(
            P + "/funds-in-place",
            "coordinator.record_funds_in_place(actor, project_id, body)",
            body=FundsInputSchema,
            ok=201,
            out=one(LedgerRowSchema, "the row"),
            summary="Funds actually in place (到位资金) for a contracted project (IPB or the responsible unit)",
        ),
        PUT(
            "/api/targets/<int:year>",
            "coordinator.set_targets(actor, year, body)",
            body=TargetsInputSchema,
            out=one(TargetsSchema, "targets and completion"),
            summary="The LG sets the year's targets per responsible unit",
        ),
        GET(
            "/api/targets/<int:year>",
            "coordinator.targets(actor, year)",
            out=one(TargetsSchema, "completion"),
            summary="Each unit's targets and completion, computed from the events",
        ),
        GET(
            "/api/summaries/<period>.<kind>",
            "coordinator.work_summary(actor, period, kind)",
            enum={"kind": ("docx", "pdf", "xlsx")},
            out=document("the document", DOCX, PDF, XLSX),
            summary="The monthly (2026-11) or quarterly (2026-Q4) summary of all units' work: a report in 公文 "
            "form (Word, PDF; numbered once) or its table (Excel)",
        ),
    ),
    *section(
        "reserve",  # the project reserve (R8)
        POST(
            "/api/reserve",
            "intake.add_reserve_project(actor, body)",
            body=ReserveInputSchema,
            ok=201,
            out=one(ReserveSchema, "entered"),
            summary="Enter a reserve project with its proposal or feasibility study (DRB, IPB, IND, parks, towns)",
        ),
        GET(
            "/api/reserve",
            "intake.list_reserve_projects(actor, query.year, query.tier, query.published, **page)",
            handler="list_reserve_projects",
            types={"year": "integer", "published": "boolean"},
            out=one(ReservePageSchema, "a page"),
            summary="Reserve projects",
        ),
        GET(
            "/api/reserve/<reserve_id>",
            "intake.get_reserve_project(actor, reserve_id)",
            out=one(ReserveSchema, "it"),
            summary="A reserve project (confidential fields included)",
        ),
        PATCH(
            "/api/reserve/<reserve_id>",
            "intake.update_reserve_project(actor, reserve_id, body)",
            body=ReserveInputSchema,
            out=one(ReserveSchema, "changed"),
            summary="Change some fields (DRB, IPB or the entering unit); the tier follows",
        ),
        GET(
            "/api/reserve/<reserve_id>/document",
            "intake.reserve_document(actor, reserve_id)",
            out=document("the file"),
            summary="The proposal or feasibility study",
        ),
        POST(
            "/api/reserve/<reserve_id>/publication",
            "intake.publish_reserve_project(actor, reserve_id)",
            out=one(ReserveSchema, "published"),
            summary="DRB or IPB publishes it in the public catalog",
        ),
        POST(
            "/api/reserve/<reserve_id>/withdrawal",
            "intake.withdraw_reserve_project(actor, reserve_id, body)",
            body=WithdrawInputSchema,
            out=one(ReserveSchema, "withdrawn"),
            summary="DRB or IPB withdraws it from the public catalog, with a reason",
        ),
        GET(
            "/api/reserve-plans/<int:year>",
            "intake.reserve_plan(actor, year)",
            out=one(ReservePlanSchema, "the plan"),
            summary="The year's reserve per tier against the minimum, and the shortfall",
        ),
    ),
    *section(
        "catalog",  # the public catalog (R9): what it shows is decided by intake (reserve.public_entry)
        GET(
            "/api/catalog",
            "intake.public_catalog(query)",
            who=PUBLIC,
            query_schema=PublicCatalogQuerySchema,
            out=one(PublicCatalogPageSchema, "published projects"),
            summary="The public project catalog — no sign-in. Only name, sector, location, investment scale, "
            "cooperation mode and contact office are ever shown",
        ),
        GET(
            "/api/outcomes",
            "supervision.public_outcomes(query.year)",
            who=PUBLIC,
            types={"year": "integer"},
            notes={"year": "the latest evaluated by default"},
            out=one(OutcomePageSchema, "the outcomes"),
            errors=(404, 422),
            summary="Where the county discloses them (policy benefit.disclosure): each signed project's verified "
            "per-mu benefit outcome — only the fields policy lists as public — no sign-in",
        ),
        GET(
            "/api/catalog/<ref>",
            "intake.public_catalog_entry(ref)",
            who=PUBLIC,
            out=one(PublicCatalogEntrySchema, "the entry"),
            summary="One published project of the public catalog — no sign-in",
        ),
    ),
    *section(
        "workbench",  # the workbench (工作台), search and the project's file (docs/ARCHITECTURE.md §9)
        GET(
            "/api/workbench",
            "coordinator.workbench(actor)",
            out=one(WorkbenchSchema, "the workbench"),
            summary="The signed-in person's to-dos (their unit's and position's, as the authorization table admits), "
            "with deadlines and counts; what they did lately; what falls due soon",
        ),
        GET(
            "/api/search",
            handler="search",
            query_schema=SearchQuerySchema,
            out=one(SearchResultSchema, "the hits"),
            summary="Leads, projects, investors, the project reserve's entries and the land reserve's parcels by a "
            "fragment of a name (two Chinese characters are enough), a credit code, a reference or a parcel's "
            "code; ranked as one list; only what the user may read",
        ),
        GET(
            P + "/attachments",
            "coordinator.attachments(actor, project_id)",
            out=one(AttachmentsSchema, "the file"),
            name="list_attachments",
            summary="The project's file: its attachments and the kinds the user may attach now",
        ),
        POST(
            P + "/attachments",
            "coordinator.attach(actor, project_id, body)",
            body=AttachmentInputSchema,
            ok=201,
            out=one(AttachmentSchema, "attached"),
            summary="Attach a document (its type read from its content; size and types from policy)",
        ),
        POST(
            P + "/attachments/<int:attachment_id>/replacement",
            "coordinator.attach(actor, project_id, body, attachment_id)",
            body=AttachmentInputSchema,
            ok=201,
            out=one(AttachmentSchema, "attached"),
            name="replace_attachment",
            summary="Replace an attachment with a new version while its stage is open",
        ),
        GET(
            P + "/attachments/<int:attachment_id>",
            handler="attachment_file",
            out=other("the file, with the header X-Checksum-SHA256"),
            summary="An attachment's file; the signed contract's scan only under the contract's confidentiality (R13)",
        ),
        GET(
            "/api/me/operations",
            handler="my_operations",
            out=says("operations: operation -> always | own; rules: operation -> positions, units"),
            summary="The operations of the authorization table the signed-in user may do (always, or own: on the "
            "records of their own unit), and every operation's rule (who may), for the web app",
        ),
        GET(
            "/api/people/names",
            handler="people_names",
            out=says("user id -> name, position, unit"),
            summary="Every user's name, position and unit (timelines name persons)",
        ),
    ),
    *section(
        "leading_group",  # the Leading Group's roster and office, and its target assessment (R14)
        GET(
            "/api/leading-group/roster",
            "leadership.roster(actor, query.on)",
            notes={"on": "a date (YYYY-MM-DD): the holders on that day; today by default"},
            out=one(RosterSchema, "the roster"),
            summary="Every seat of the Leading Group with its holder (on a day) and its history; the office and its "
            "director",
        ),
        GET(
            "/api/leading-group/holders/<position>",
            "leadership.holders(actor, position, query.on)",
            out=many(HolderSchema, "the persons"),
            summary="The persons on the roster who answer for a position of the platform (county_leader_in_charge)",
        ),
        POST(
            "/api/leading-group/appointments",
            "leadership.appoint(actor, body)",
            body=AppointmentInputSchema,
            ok=201,
            out=one(RosterEntrySchema, "appointed"),
            summary="The LG office records who takes a seat from when; the previous holder's term ends the day "
            "before (the history is kept)",
        ),
        POST(
            "/api/leading-group/roster/import",
            "leadership.import_roster(actor, body)",
            body=WorkbookInputSchema,
            ok=201,
            out=one(RosterImportSchema, "imported"),
            summary="Import the office's roster workbook (.xlsx): every row checked; any bad row imports nothing "
            "(422, details '<sheet>!<row>.<field>')",
        ),
        GET(
            "/api/assessments/<period>",
            "coordinator.assessment(actor, period)",
            out=says("units with score, rank, mark"),
            notes={"period": "a year (2026) or a quarter (2026-Q2: the year so far)"},
            summary="The LG's assessment: each unit's indicators, score, rank and red/yellow/green mark",
        ),
        GET(
            "/api/assessments/<period>/document.<kind>",
            "coordinator.assessment_document(actor, period, kind)",
            enum={"kind": ("docx", "pdf", "xlsx")},
            out=document("the notice or the workbook", DOCX, PDF, XLSX),
            summary="The assessment notice (通报, a 公文 in Word or PDF, numbered once) or the assessment as an Excel "
            "workbook",
        ),
    ),
    *section(
        "investment_events",  # 招商活动: plan, budget, record, material, leads, effectiveness
        GET(
            "/api/investment-events",
            "leadership.list_events(actor, query.year)",
            types={"year": "integer"},
            out=one(EventPageSchema, "events"),
            summary="Investment events (fairs, delegations, visits, online)",
        ),
        POST(
            "/api/investment-events",
            "leadership.plan_event(actor, body)",
            body=EventPlanInputSchema,
            ok=201,
            out=one(EventSchema, "planned"),
            summary="Plan an investment event with its budget (IPB for any unit; a bureau, park or town its own)",
        ),
        GET(
            "/api/investment-events/<event_id>",
            "leadership.get_event(actor, event_id)",
            out=one(EventSchema, "it"),
            summary="An investment event: plan, record, material and the leads it produced",
        ),
        POST(
            "/api/investment-events/<event_id>/record",
            "leadership.record_event(actor, event_id, body)",
            body=EventRecordInputSchema,
            out=one(EventSchema, "recorded"),
            summary="Record the event as held: date, place, participants, investors met, actual cost",
        ),
        POST(
            "/api/investment-events/<event_id>/cancellation",
            "leadership.cancel_event(actor, event_id, body)",
            body=CancelInputSchema,
            out=one(EventSchema, "cancelled"),
            summary="Cancel a planned event, with a reason",
        ),
        POST(
            "/api/investment-events/<event_id>/materials",
            "leadership.attach_material(actor, event_id, body)",
            body=MaterialInputSchema,
            ok=201,
            out=one(EventSchema, "attached"),
            summary="Attach material (programme, sign-in sheet, photos): its type read from the content",
        ),
        GET(
            "/api/investment-events/<event_id>/materials/<int:n>",
            "leadership.material_document(actor, event_id, n)",
            out=document("the file"),
            summary="A material of the event",
        ),
        POST(
            "/api/investment-events/<event_id>/leads",
            "leadership.link_leads(actor, event_id, body)",
            body=LinkInputSchema,
            out=one(EventSchema, "linked"),
            summary="Link the leads the event produced (a lead's source event; one event a lead)",
        ),
        GET(
            "/api/event-effectiveness/<int:year>",
            "leadership.effectiveness(actor, year)",
            out=one(EffectivenessSchema, "the report"),
            summary="Which events, kinds and channels bring projects that get signed, and the cost per signed project",
        ),
        GET(
            "/api/event-effectiveness/<int:year>.xlsx",
            "leadership.effectiveness_workbook(actor, year)",
            out=document("the workbook", XLSX),
            name="event_effectiveness_workbook",
            summary="The effectiveness report as an Excel workbook",
        ),
    ),
    *section(
        "land_reserve",  # 土地储备, kept by LAND
        GET(
            "/api/parcels",
            "landreserve.parcels(actor, query.status, query.location)",
            enum={"status": ("reserved", "ready", "in_listing", "supplied")},
            out=one(ParcelPageSchema, "parcels"),
            summary="The parcels of the land reserve with counts and area by status",
        ),
        POST(
            "/api/parcels/import",
            "landreserve.import_parcels(actor, body)",
            body=WorkbookInputSchema,
            ok=201,
            out=one(ParcelImportSchema, "imported"),
            summary="LAND imports its workbook of parcels (.xlsx): every row checked; any bad row imports nothing "
            "(422, details '<sheet>!<row>.<field>')",
        ),
        GET(
            "/api/parcels/<code>",
            "landreserve.get_parcel(actor, code)",
            out=one(ParcelSchema, "the parcel"),
            summary="A parcel with its record and history",
        ),
        POST(
            "/api/parcels/<code>/status",
            "landreserve.change_status(actor, code, body)",
            body=StatusInputSchema,
            out=one(ParcelSchema, "moved"),
            summary="LAND moves a parcel's supply status (reserved, ready, in listing); supplied comes from a contract",
        ),
        GET(
            "/api/parcel-matches",
            "landreserve.match(actor, query)",
            query_schema=MatchQuerySchema,
            out=many(ParcelMatchSchema, "the suitable parcels"),
            summary="The ready parcels that suit a demand (land, sector, preferred location), best first, with reasons",
        ),
        GET(
            P + "/parcels",
            handler="project_parcels",
            out=many(ParcelMatchSchema, "the suitable parcels"),
            summary="The ready parcels that suit a lead or project (its land demand, sector, preferred location and "
            "planned intensity)",
        ),
        GET(
            "/api/land-plan",
            "landreserve.plan(actor)",
            out=says("GeoJSON FeatureCollection"),
            summary="The parks and parcels as GeoJSON (sample shapes), each parcel with its status and project",
        ),
    ),
]
