"""The coordinator's wire format; the schemas live in ``shared.wire.coordinator``."""

from shared.wire.coordinator import (  # noqa: F401
    ProjectSchema,
    ProjectSummarySchema,
    TerminateInputSchema,
    TransitionSchema,
)
